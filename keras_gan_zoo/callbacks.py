"""Keras callbacks that show a person how training goes."""

import time

import keras
import numpy as np

from keras_gan_zoo.visualize import plot_history, save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Write a PNG grid of samples from fixed inputs every ``every`` epochs.

    The same ``seed`` is used at every epoch, so consecutive grids show how
    the same latent points evolve. A translation model (``model.kind ==
    "translator"``) translates ``inputs`` instead: the grid shows them in its
    first row and their translations below.

    Args:
        filepath: PNG path; may contain ``{epoch}``, e.g.
            ``"samples/epoch_{epoch:03d}.png"``.
        n: number of samples in the grid.
        seed: seed of the fixed noise.
        every: write every this many epochs (and always after the last).
        inputs: images to translate, for a translation model.
        direction: the direction they are translated in (default the first).
        tensorboard: a TensorBoard log folder: the grid is also written there
            as an image summary ``samples`` at step ``epoch``.

    Samples come from ``model.generate``, so from the moving average of the
    generator when the model keeps one (``ema=``).

    Example:
        >>> model.fit(x, epochs=20, callbacks=[SampleGrid("out/e{epoch:02d}.png", every=5)])
    """

    def __init__(self, filepath, n=64, seed=0, every=1, inputs=None, direction=None,
                 tensorboard=None):
        super().__init__()
        self.filepath, self.n, self.seed, self.every = str(filepath), n, seed, every
        self.inputs, self.direction = inputs, direction
        self.tensorboard = None if tensorboard is None else str(tensorboard)
        self._writer = None
        self.written = []

    def on_train_begin(self, logs=None):
        if self.model.kind == "translator" and self.inputs is None:
            raise ValueError(f"SampleGrid: a {type(self.model).__name__} translates images: pass "
                             "SampleGrid(..., inputs=images) to show their translations")

    def images(self):
        """The grid's images now: samples, or the inputs above their translations."""
        if self.model.kind == "translator":
            inputs = np.asarray(self.inputs, "float32")
            out = self.model.translate(inputs, direction=self.direction)
            if inputs.shape[-1] != out.shape[-1]:  # show grey and colour side by side
                inputs = np.repeat(inputs, out.shape[-1], -1) if inputs.shape[-1] == 1 else \
                    inputs.mean(-1, keepdims=True)
            return np.concatenate([inputs, out]), len(inputs)
        return self.model.generate(self.n, seed=self.seed), None

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") == epoch + 1 if self.params else False
        if (epoch + 1) % self.every == 0 or last:
            path = self.filepath.format(epoch=epoch + 1)
            images, ncols = self.images()
            save_image_grid(images, path, ncols=ncols)
            self.written.append(path)
            if self.tensorboard is not None:
                self._summary(images, ncols, epoch + 1)

    def _summary(self, images, ncols, step):
        import tensorflow as tf

        from keras_gan_zoo.visualize import image_grid

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.tensorboard)
        grid = image_grid(images, ncols=ncols)
        grid = grid if grid.ndim == 3 else grid[..., None]
        with self._writer.as_default():
            tf.summary.image("samples", grid[None], step=step)
        self._writer.flush()


class LossPlot(keras.callbacks.Callback):
    """Draw a PNG plot of the logged losses every ``every`` epochs and at the end.

    Args:
        filepath: where to write the PNG.
        every: redraw every this many epochs (drawing takes ~0.1 s).
        csv: read the history from this file, written by a
            ``keras.callbacks.CSVLogger(csv, append=True)`` placed before
            this callback, so that a resumed run plots its whole history.
    """

    def __init__(self, filepath, every=10, csv=None):
        super().__init__()
        self.filepath, self.every, self.csv = str(filepath), every, csv
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        if self.csv is not None:
            self.history = _read_history(self.csv)
        else:
            for key, value in (logs or {}).items():
                self.history.setdefault(key, []).append(float(value))
        if (epoch + 1) % self.every == 0:
            plot_history(self.history, self.filepath)

    def on_train_end(self, logs=None):
        if self.history:
            plot_history(self.history, self.filepath)


class MetricLogger(keras.callbacks.Callback):
    """Compute a quality metric every ``every`` epochs during ``fit`` and log it.

    The values are added to the epoch's logs, so the progress bar shows them,
    ``fit``'s ``History`` records them (on the evaluated epochs only) and a
    ``keras.callbacks.TensorBoard`` listed *after* this callback writes them
    as ``epoch_<name>`` (TensorBoard needs ``pip install tensorboard``;
    tensorflow-cpu does not bring it).

    Args:
        metric: a name of ``keras_gan_zoo.metrics.METRICS``: ``"fid"``
            (Fréchet distance in the extractor's features), ``"kid"``,
            ``"precision_recall"``, ``"modes"`` (``real`` is ``"ring8"``,
            ``"grid25"`` or ``"stacked_mnist"``); or a callable ``model ->
            float | dict of floats``.
        real: real images (or features) to compare with, for the distances.
        n: generated samples per evaluation (and at most this many real ones).
        every: evaluate every this many epochs (and after the last).
        seed: seed of the generated samples (the same noise every time).
        extractor, inception_weights: see ``keras_gan_zoo.metrics.features``.
        name: log key of a callable's float (default ``"metric"``).

    Logged keys: those of ``keras_gan_zoo.metrics.evaluate``: ``fid``;
    ``kid`` and ``kid_std``; ``precision`` and ``recall``; ``modes``,
    ``num_modes``, ``reverse_kl`` (and ``high_quality`` on toy mixtures).

    Example:
        >>> logger = MetricLogger("fid", real=test_images, n=2000, every=5)
        >>> model.fit(x, epochs=50, callbacks=[logger, keras.callbacks.TensorBoard("logs")])
        >>> logger.history["fid"]       # [(5, 41.2), (10, 17.9), ...]: (epoch, value)
    """

    def __init__(self, metric, real=None, n=2000, every=1, seed=0, extractor="digits",
                 inception_weights=None, name="metric"):
        super().__init__()
        from keras_gan_zoo.metrics import registry

        if not callable(metric):
            registry.check(metric, real)
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"expected every to be a positive integer, got {every!r}")
        self.metric, self.real, self.n, self.every, self.seed = metric, real, n, every, seed
        self.extractor, self.inception_weights, self.name = extractor, inception_weights, name
        self.history = {}
        self._real_features = None

    def on_train_begin(self, logs=None):
        if not callable(self.metric) and self.model.kind != "sampler":
            raise ValueError(f"MetricLogger({self.metric!r}) samples model.generate; a "
                             f"{type(self.model).__name__} translates: pass a callable metric")

    def evaluate(self, model):
        """The metric's values for ``model`` now, as a dict of floats."""
        from keras_gan_zoo import metrics

        if callable(self.metric):
            value = self.metric(model)
            return dict(value) if isinstance(value, dict) else {self.name: float(value)}
        fake = model.generate(self.n, seed=self.seed)
        if self.metric == "modes":
            return metrics.evaluate("modes", fake, self.real)
        if self._real_features is None:
            real = np.asarray(self.real)[: self.n]
            self._real_features = real if real.ndim == 2 else metrics.features(
                real, self.extractor, inception_weights=self.inception_weights, verbose=0)
        return metrics.evaluate(self.metric, fake, extractor=self.extractor,
                                inception_weights=self.inception_weights, num_subsets=20,
                                real_features=self._real_features)

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") == epoch + 1 if self.params else False
        if (epoch + 1) % self.every and not last:
            return
        values = self.evaluate(self.model)
        for key, value in values.items():
            self.history.setdefault(key, []).append((epoch + 1, value))
        if logs is not None:
            logs.update(values)


def _read_history(path):
    """``{log: [value per epoch]}`` from a CSVLogger file (the last row of a repeated epoch wins)."""
    import csv

    with open(path, newline="") as file:
        rows = {int(row["epoch"]): row for row in csv.DictReader(file)}
    history = {}
    for epoch in sorted(rows):
        for key, value in rows[epoch].items():
            if key != "epoch" and value not in (None, "", "NA"):
                history.setdefault(key, []).append(float(value))
    return history


def _duration(seconds):
    """``seconds`` as people read a duration: 42 s, 3.5 min, 2.1 h."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class RunProgress(keras.callbacks.Callback):
    """One progress bar for the whole run (``keras.utils.Progbar``): steps, losses, time left.

    Keras's own bar restarts every epoch and its time left is the epoch's;
    this one counts the optimizer steps from where the run (or a resumed run)
    stands to the last step, so its ETA is the run's.

    Before the bar, once the second call into TensorFlow has ended (the first
    one traces the step), it prints the pace measured on this machine and
    what it makes of an epoch and of the rest of the run.

    Args:
        total_steps: the step the run ends at.
        steps_per_epoch: steps of one epoch (for the expected time of an epoch).
        interval: seconds between redraws.
        print_fn: where the pace line goes.
    """

    def __init__(self, total_steps, steps_per_epoch=None, interval=0.5, print_fn=print):
        super().__init__()
        self.total_steps, self.steps_per_epoch, self.interval = total_steps, steps_per_epoch, interval
        self.print_fn = print_fn
        self._bar = None
        self._mark = None

    def _step(self):
        return int(self.model.generator_optimizer.iterations.numpy())

    def on_train_begin(self, logs=None):
        if self._bar is None:
            self._first = self._step()
            self._calls = 0

    def on_train_batch_begin(self, batch, logs=None):
        if self._mark is None:
            self._begin = (self._step(), time.perf_counter())

    def on_train_batch_end(self, batch, logs=None):
        step = self._step()
        if self._bar is None:
            # the bar counts this run's steps (a resumed run's from where it resumed), so the
            # time left comes from this run's own pace. The logs are already means: shown as
            # they are (stateful), not averaged again.
            self._bar = keras.utils.Progbar(max(self.total_steps - self._first, 1),
                                            interval=self.interval, unit_name="step",
                                            stateful_metrics=list(logs or {}))
        self._calls += 1
        if self._mark is None:
            if self._calls == 1 and step < self.total_steps:
                return  # the first call into TensorFlow traces the step: no pace yet, no bar
            self._say_pace(step)
        values = [(k, float(np.asarray(v).reshape(-1)[0])) for k, v in (logs or {}).items()]
        self._bar.update(step - self._first, values=values, finalize=step >= self.total_steps)

    def _say_pace(self, step):
        """One line: this call's own time per step, and what it makes of an epoch and the rest."""
        first, began = self._begin
        self._mark = (step, time.perf_counter())
        if step <= first or step >= self.total_steps:
            return
        seconds = (self._mark[1] - began) / (step - first)
        per_epoch = (f"an epoch ({self.steps_per_epoch:,} steps) takes about "
                     f"{_duration(seconds * self.steps_per_epoch)}, " if self.steps_per_epoch
                     else "")
        self.print_fn(f"pace: {seconds:.3g} s a step here; {per_epoch}the "
                      f"{self.total_steps - step:,} steps left about "
                      f"{_duration(seconds * (self.total_steps - step))}")

    def on_train_end(self, logs=None):
        if self._bar is not None and self._step() >= self.total_steps:
            self._bar = None


class StepLog(keras.callbacks.Callback):
    """Append the losses of every ``every`` steps to a CSV and redraw a per-step loss plot.

    Keras's logs are the epoch's running means; each row here is the mean over
    the steps since the previous row, so the curve shows the losses as they
    move within a long epoch. Rows carry the optimizer step, so a resumed run
    continues the file (a step written twice keeps its last row).

    Args:
        csv: the CSV file (``step,<loss>,...``).
        plot: a PNG redrawn from the whole CSV at most every ``plot_seconds``
            and at the end of training.
        every: steps per row.
    """

    def __init__(self, csv, plot=None, every=10, plot_seconds=30.0):
        super().__init__()
        self.csv, self.plot, self.every, self.plot_seconds = str(csv), plot, int(every), plot_seconds
        self._last = None  # (batch index in the epoch, running means) at the previous row
        self._drawn = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._last = (-1, {})

    def on_train_batch_end(self, batch, logs=None):
        import time

        step = int(self.model.generator_optimizer.iterations.numpy())
        if step % self.every and batch + 1 != self.params.get("steps"):
            return
        means = {k: float(np.asarray(v).reshape(-1)[0]) for k, v in (logs or {}).items()}
        last_batch, last_means = self._last if self._last else (-1, {})
        span = batch - last_batch
        if span <= 0:
            return
        # running means m_b over steps 0..b: the interval's mean from two of them
        row = {k: (m * (batch + 1) - last_means.get(k, 0.0) * (last_batch + 1)) / span
               for k, m in means.items()}
        self._last = (batch, means)
        self._write(step, row)
        if self.plot and time.time() - self._drawn > self.plot_seconds:
            self.draw()

    def _write(self, step, row):
        import os

        new = not os.path.exists(self.csv)
        with open(self.csv, "a") as f:
            if new:
                f.write(",".join(["step", *row]) + "\n")
            f.write(",".join([str(step), *(f"{v:.6g}" for v in row.values())]) + "\n")

    def read(self):
        """``(steps, {loss: values})`` from the CSV, the last row of a repeated step kept."""
        import csv
        import os

        if not os.path.exists(self.csv):
            return [], {}
        with open(self.csv, newline="") as f:
            rows = {int(r["step"]): r for r in csv.DictReader(f)}
        steps = sorted(rows)
        history = {}
        for key in (rows[steps[0]] if steps else {}):
            if key != "step":
                history[key] = [float(rows[s][key]) for s in steps if rows[s].get(key) not in (None, "")]
        return steps, history

    def draw(self):
        import time

        steps, history = self.read()
        if steps and self.plot:
            plot_history(history, self.plot, steps=steps, xlabel="step")
        self._drawn = time.time()

    def on_train_end(self, logs=None):
        if self.plot:
            self.draw()

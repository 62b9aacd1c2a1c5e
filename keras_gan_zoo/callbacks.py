"""Keras callbacks that show a person how training goes."""

import keras
import numpy as np

from keras_gan_zoo.visualize import plot_history, save_image_grid


class SampleGrid(keras.callbacks.Callback):
    """Write a PNG grid of samples from fixed noise every ``every`` epochs.

    The same ``seed`` is used at every epoch, so consecutive grids show how
    the same latent points evolve.

    Args:
        filepath: PNG path; may contain ``{epoch}``, e.g.
            ``"samples/epoch_{epoch:03d}.png"``.
        n: number of samples in the grid.
        seed: seed of the fixed noise.
        every: write every this many epochs (and always after the last).

    Example:
        >>> model.fit(x, epochs=20, callbacks=[SampleGrid("out/e{epoch:02d}.png", every=5)])
    """

    def __init__(self, filepath, n=64, seed=0, every=1):
        super().__init__()
        self.filepath, self.n, self.seed, self.every = str(filepath), n, seed, every
        self.written = []

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") == epoch + 1 if self.params else False
        if (epoch + 1) % self.every == 0 or last:
            path = self.filepath.format(epoch=epoch + 1)
            save_image_grid(self.model.generate(self.n, seed=self.seed), path)
            self.written.append(path)


class LossPlot(keras.callbacks.Callback):
    """Draw a PNG plot of the logged losses every ``every`` epochs and at the end.

    Args:
        filepath: where to write the PNG.
        every: redraw every this many epochs (drawing takes ~0.1 s).
    """

    def __init__(self, filepath, every=10):
        super().__init__()
        self.filepath, self.every = str(filepath), every
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
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
        metric: ``"fid"`` (Fréchet distance in the extractor's features),
            ``"kid"``, ``"precision_recall"``, ``"modes"`` (toy mixtures:
            ``real`` is ``"ring8"`` or ``"grid25"``), ``"stacked_mnist"``, or a
            callable ``model -> float | dict of floats``.
        real: real images (or features) to compare with, for the distances.
        n: generated samples per evaluation (and at most this many real ones).
        every: evaluate every this many epochs (and after the last).
        seed: seed of the generated samples (the same noise every time).
        extractor, inception_weights: see :func:`keras_gan_zoo.metrics.features`.
        name: log key of a callable's float (default ``"metric"``).

    Logged keys: ``fid``; ``kid`` and ``kid_std``; ``precision`` and
    ``recall``; ``modes``, ``high_quality`` and ``reverse_kl``;
    ``stacked_modes`` and ``stacked_kl``.

    Example:
        >>> logger = MetricLogger("fid", real=test_images, n=2000, every=5)
        >>> model.fit(x, epochs=50, callbacks=[logger, keras.callbacks.TensorBoard("logs")])
        >>> logger.history["fid"]       # [(5, 41.2), (10, 17.9), ...]: (epoch, value)
    """

    METRICS = ("fid", "kid", "precision_recall", "modes", "stacked_mnist")

    def __init__(self, metric, real=None, n=2000, every=1, seed=0, extractor="digits",
                 inception_weights=None, name="metric"):
        super().__init__()
        if not callable(metric) and metric not in self.METRICS:
            raise ValueError(
                f"unknown metric {metric!r}; expected one of {', '.join(self.METRICS)} or a "
                "callable model -> float"
            )
        if metric in ("fid", "kid", "precision_recall") and real is None:
            raise ValueError(f"metric {metric!r} compares with real samples: pass real=images")
        if metric == "modes" and real not in ("ring8", "grid25"):
            raise ValueError(f"metric 'modes' needs real='ring8' or 'grid25', got {real!r}")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"expected every to be a positive integer, got {every!r}")
        self.metric, self.real, self.n, self.every, self.seed = metric, real, n, every, seed
        self.extractor, self.inception_weights, self.name = extractor, inception_weights, name
        self.history = {}
        self._real_features = None

    def evaluate(self, model):
        """The metric's values for ``model`` now, as a dict of floats."""
        from keras_gan_zoo import data, metrics

        if callable(self.metric):
            value = self.metric(model)
            return dict(value) if isinstance(value, dict) else {self.name: float(value)}
        fake = model.generate(self.n, seed=self.seed)
        if self.metric == "modes":
            means, std = data.toy_modes(self.real)
            result = metrics.mode_coverage(fake, means, std)
            return {k: float(result[k]) for k in ("modes", "high_quality", "reverse_kl")}
        if self.metric == "stacked_mnist":
            result = metrics.stacked_mnist_modes(fake)
            return {"stacked_modes": float(result["modes"]), "stacked_kl": result["reverse_kl"]}
        if self._real_features is None:
            real = np.asarray(self.real)[: self.n]
            self._real_features = real if real.ndim == 2 else metrics.features(
                real, self.extractor, inception_weights=self.inception_weights, verbose=0)
        fake = metrics.features(fake, self.extractor, inception_weights=self.inception_weights,
                                verbose=0)
        return metrics.distances.compare(self.metric, self._real_features, fake, num_subsets=20)

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") == epoch + 1 if self.params else False
        if (epoch + 1) % self.every and not last:
            return
        values = self.evaluate(self.model)
        for key, value in values.items():
            self.history.setdefault(key, []).append((epoch + 1, value))
        if logs is not None:
            logs.update(values)

"""Training that survives crashes: atomic checkpoints, exact resume, a stop on NaN.

``fit_resumable`` trains a variant so that a run killed at any moment
(even mid-checkpoint) and restarted with ``resume=True`` ends with the same
weights as an uninterrupted run:

* the data order is a function of (seed, epoch) only (a stateless shuffle per
  epoch), and batches are indexed by the global step, so a resumed run sees
  the same batches from the step it restarts at;
* the variants' noise is already a function of (seed, optimizer step) (see
  ``keras_gan_zoo.AdversarialModel.random_seed``), and the optimizers'
  step counters and slots are in the checkpoint;
* checkpoints are written to a temporary file and renamed over the previous
  one (``Checkpoint``), so a crash mid-write leaves the previous one;
* ``keras-gan-zoo train`` enables TensorFlow's op determinism (call
  ``tf.config.experimental.enable_op_determinism()`` yourself in Python).

Everything a step depends on is model state and so in the checkpoint: the
moving average of the generator (``ema=``), ADA's probability and its
counters, CycleGAN's image history pools. (Under a strategy with several
replicas each replica keeps its own CycleGAN pool and the checkpoint holds
the first replica's, so there a resumed CycleGAN differs from an unbroken run
by its pools.)

``StopOnNonFinite`` stops training at the first NaN or Inf loss with a
message naming the step, the variant and the loss; the checkpoint on disk is
then the last good one.
"""

import json
import math
import os

import numpy as np
import keras
import tensorflow as tf

__all__ = ["Checkpoint", "NonFiniteLossError", "StopOnNonFinite", "fit_resumable"]

CHECKPOINT = "checkpoint.keras"


class NonFiniteLossError(RuntimeError):
    """A loss became NaN or Inf during training."""


class StopOnNonFinite(keras.callbacks.Callback):
    """Raise ``NonFiniteLossError`` at the first non-finite value in the logs.

    Unlike ``keras.callbacks.TerminateOnNaN`` it names the step, the variant
    and the loss, and it raises (so no later callback, such as a checkpoint,
    writes the broken weights). Place it before ``Checkpoint``.
    """

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            value = float(np.asarray(value).reshape(-1)[0])
            if not math.isfinite(value):
                step = int(self.model.generator_optimizer.iterations.numpy())
                raise NonFiniteLossError(
                    f"{type(self.model).__name__}: {name} became {value} at step {step}; "
                    "training stopped. The last checkpoint written before this step is "
                    "intact; lower the learning rates or check the data for extreme values"
                )


class Checkpoint(keras.callbacks.Callback):
    """Save the whole model (networks, optimizers, step counters) atomically.

    Writes ``directory/checkpoint.keras`` after every epoch and, with
    ``every_steps``, every that many training steps. Each write goes to a
    temporary file first and is renamed over the previous checkpoint, so a
    crash at any moment leaves a complete, loadable checkpoint.

    Args:
        directory: folder of the checkpoint.
        every_steps: also save every this many steps (counted by the
            generator optimizer, so across resumes).
    """

    def __init__(self, directory, every_steps=None):
        super().__init__()
        self.directory, self.every_steps = os.fspath(directory), every_steps
        self.path = os.path.join(self.directory, CHECKPOINT)
        self.saves = 0

    def save(self):
        os.makedirs(self.directory, exist_ok=True)
        tmp = os.path.join(self.directory, ".checkpoint-tmp.keras")
        self.model.save(tmp)
        delay = float(os.environ.get("KGZ_TEST_CHECKPOINT_DELAY", 0))  # fault injection (tests)
        if delay:
            import time

            time.sleep(delay)
        os.replace(tmp, self.path)
        self.saves += 1

    def on_train_begin(self, logs=None):
        self._last = int(self.model.generator_optimizer.iterations.numpy())

    def on_train_batch_end(self, batch, logs=None):
        if self.every_steps:
            # with steps_per_execution > 1 this runs every few steps: save when a multiple
            # of every_steps was passed since the last save
            step = int(self.model.generator_optimizer.iterations.numpy())
            if step // self.every_steps > self._last // self.every_steps:
                self.save()
                self._last = step

    def on_epoch_end(self, epoch, logs=None):
        self.save()


class Interrupted(KeyboardInterrupt):
    """Training was interrupted (Ctrl-C); a checkpoint of the current step was written first.

    Attributes:
        step: the optimizer step the checkpoint holds.
        checkpoint: its path.
    """

    def __init__(self, step, checkpoint):
        self.step, self.checkpoint = step, checkpoint
        super().__init__(f"interrupted at step {step}; checkpoint written to {checkpoint}")


def as_source(x, y=None):
    """A ``Source`` for ``x`` (a source already, or arrays)."""
    from keras_gan_zoo.data.stream import ArraySource, Source

    if isinstance(x, Source):
        if y is not None:
            raise ValueError("pass labels inside the source (its labels), not as y")
        return x
    return ArraySource(x, y)


def _save_now(model, directory):
    """An atomic checkpoint of the model as it stands (used on Ctrl-C and on a bad file)."""
    saver = Checkpoint(directory)
    saver.set_model(model)
    saver.save()
    return saver.path


def fit_resumable(model, x, y=None, directory="run", epochs=10, batch_size=64, seed=0,
                  resume=False, checkpoint_steps=None, callbacks=(), verbose=1, run_info=None):
    """``model.fit`` with atomic checkpoints in ``directory`` and exact resume.

    Args:
        model: a compiled variant (ignored when resuming: the checkpoint is
            loaded instead).
        x, y: a ``Source`` (any folder, zip,
            TFRecord, tfds or ``.npy`` source of ``keras_gan_zoo.data.open_source``,
            read as a stream), or arrays of examples (and labels for a
            conditional GAN).
        directory: where ``checkpoint.keras`` and ``run.json`` go.
        epochs: total epochs (a resumed run continues up to it).
        batch_size: examples per step, over all replicas and workers (the last
            partial batch of each epoch is dropped, so every step sees a full batch).
        seed: seed of the data order (the model has its own noise seed).
        resume: continue from ``directory/checkpoint.keras`` if it exists.
        checkpoint_steps: also checkpoint every this many steps.
        callbacks: more Keras callbacks.
        verbose: 1: one progress bar for the whole run, with its time left
            (``RunProgress``); 2: a line per
            epoch; 0: silent.
        run_info: more settings a resumed run must repeat (e.g. the precision),
            stored in ``run.json``.

    Returns:
        ``(model, history)``; ``history`` is ``None`` when there was nothing
        left to train.

    Raises:
        Interrupted: on Ctrl-C, after writing a checkpoint of the current step.
        keras_gan_zoo.data.stream.BadImageError: a file of the source cannot be
            decoded (named by path), after writing a checkpoint.
    """
    from keras_gan_zoo.callbacks import RunProgress
    from keras_gan_zoo.models.distribution import _multi_worker

    source = as_source(x, y)
    path = os.path.join(directory, CHECKPOINT)
    run_file = os.path.join(directory, "run.json")
    resuming = resume and os.path.exists(path)
    if resuming:
        model = keras.saving.load_model(path)
    source = model.training_source(source)
    steps_per_epoch = source.steps_per_epoch(batch_size)
    run = {**source.fingerprint(), "batch_size": batch_size, "seed": seed, **(run_info or {})}
    if resuming:
        with open(run_file) as f:
            saved = json.load(f)
        differ = {k: (saved[k], v) for k, v in run.items() if k in saved and saved[k] != v}
        if differ:
            said = "; ".join(f"{k}: {a} then, {b} now" for k, (a, b) in differ.items())
            raise ValueError(
                f"--resume with different settings ({said}): the run in {directory} must "
                "continue with the same data, batch size, seed and precision")
        # said even when quiet (verbose=0 silences the progress): where the run continues
        done = int(model.generator_optimizer.iterations.numpy())
        print(f"resumed {path} at step {done:,} (epoch {done // steps_per_epoch + 1} of "
              f"{epochs}, {done % steps_per_epoch} of its {steps_per_epoch} steps done)",
              flush=True)
    elif os.path.exists(path):
        raise FileExistsError(
            f"{path} exists: pass resume=True (--resume) to continue that run, or choose "
            "another directory"
        )
    from keras_gan_zoo.data.stream import ArraySource

    if isinstance(source, ArraySource) and not isinstance(source._x, np.memmap):
        # arrays in memory are checked in full (range, finite values), as fit checks them
        model.check_data(source._x, source.labels if model.takes.labelled else None)
    else:  # a stream: the checks read one batch, not the data set
        try:
            model.check_data(source.batches(batch_size, seed=seed, epoch=0).take(1))
        except _DATA_ERRORS as error:
            raise _find_bad(source, seed, 0, steps_per_epoch, batch_size) or error from error
    os.makedirs(directory, exist_ok=True)
    with open(run_file, "w") as f:
        json.dump(run, f)

    step = int(model.generator_optimizer.iterations.numpy())
    epoch, skip = divmod(step, steps_per_epoch)
    if epoch >= epochs:
        return model, None
    _fit_steps_per_execution(model, steps_per_epoch, skip)
    callbacks = [StopOnNonFinite(), Checkpoint(directory, checkpoint_steps), *callbacks]
    if verbose == 1:
        callbacks.append(RunProgress(epochs * steps_per_epoch, steps_per_epoch))
    strategy = model.distribute_strategy

    def data(first, last, skip=0):
        if _multi_worker(strategy):  # each worker reads only its share of every global batch
            return strategy.distribute_datasets_from_function(
                lambda context: source.epochs(first, last, batch_size, seed, skip, context))
        return source.epochs(first, last, batch_size, seed, skip)

    fit_verbose = 0 if verbose == 1 else verbose
    history = None
    try:
        if skip:  # finish the interrupted epoch first, from the batch it stopped before
            history = model.fit(data(epoch, epoch + 1, skip), epochs=epoch + 1,
                                initial_epoch=epoch, steps_per_epoch=steps_per_epoch - skip,
                                callbacks=callbacks, verbose=fit_verbose, shuffle=False)
            epoch += 1
        if epoch < epochs:
            history = model.fit(data(epoch, epochs), epochs=epochs, initial_epoch=epoch,
                                steps_per_epoch=steps_per_epoch, callbacks=callbacks,
                                verbose=fit_verbose, shuffle=False)
    except KeyboardInterrupt:
        raise Interrupted(int(model.generator_optimizer.iterations.numpy()),
                          _save_now(model, directory)) from None
    except _DATA_ERRORS as error:
        bad = _find_bad(source, seed, int(model.generator_optimizer.iterations.numpy()),
                        steps_per_epoch, batch_size)
        if bad is None:
            raise
        _save_now(model, directory)
        raise bad from error
    return model, history


def steps_per_execution_for(wanted, steps_per_epoch, skip=0):
    """The largest divisor of ``steps_per_epoch`` (and of ``steps_per_epoch - skip``) up to ``wanted``."""
    left = steps_per_epoch - skip
    return max(d for d in range(1, max(int(wanted), 1) + 1)
               if steps_per_epoch % d == 0 and left % d == 0)


def _fit_steps_per_execution(model, steps_per_epoch, skip):
    """Lower ``model.steps_per_execution`` to a divisor of the epoch's steps.

    Keras runs whole executions: with 6 steps per epoch and 4 steps per
    execution it trains 8 steps an epoch, reading into the next epoch, and
    the data order, the epoch count and the resume point would drift. So the
    steps per execution become the largest divisor of the steps per epoch
    (and of those left in an interrupted epoch) not above the asked value.
    """
    wanted = max(int(getattr(model, "steps_per_execution", 1) or 1), 1)
    spe = steps_per_execution_for(wanted, steps_per_epoch, skip)
    if spe != wanted:
        model.steps_per_execution = spe
        model.train_function = None  # rebuilt for the new count at the next fit
    return spe


#: What a file that cannot be read raises from inside tf.data.
_DATA_ERRORS = (tf.errors.InvalidArgumentError, tf.errors.NotFoundError, tf.errors.UnknownError)


def _find_bad(source, seed, step, steps_per_epoch, batch_size, batches=8):
    """The unreadable file among the next ``batches`` batches from ``step``, as an error."""
    from keras_gan_zoo.data.stream import ImageSource, PairSource

    if isinstance(source, PairSource):  # B of unpaired data has its own order (stream 1)
        parts = [(source.a, 0), (source.b, 0 if source.paired else 1)]
    else:
        parts = [(source, 0)]
    epoch, skip = divmod(step, steps_per_epoch)
    for part, stream in parts:
        if not isinstance(part, ImageSource):
            continue
        for e in (epoch, epoch + 1):
            order = part.order(seed, e, stream)
            start = skip * batch_size if e == epoch else 0
            bad = part.find_bad(order[start:start + batches * batch_size])
            if bad is not None:
                return bad
    return None

"""Training that survives crashes: atomic checkpoints, exact resume, a stop on NaN.

:func:`fit_resumable` trains a variant so that a run killed at any moment
(even mid-checkpoint) and restarted with ``resume=True`` ends with the same
weights as an uninterrupted run:

* the data order is a function of (seed, epoch) only (a stateless shuffle per
  epoch), and batches are indexed by the global step, so a resumed run sees
  the same batches from the step it restarts at;
* the variants' noise is already a function of (seed, optimizer step) (see
  :meth:`keras_gan_zoo.AdversarialModel.random_seed`), and the optimizers'
  step counters and slots are in the checkpoint;
* checkpoints are written to a temporary file and renamed over the previous
  one (:class:`Checkpoint`), so a crash mid-write leaves the previous one;
* ``keras-gan-zoo train`` enables TensorFlow's op determinism (call
  ``tf.config.experimental.enable_op_determinism()`` yourself in Python).

Everything a step depends on is model state and so in the checkpoint: the
moving average of the generator (``ema=``), ADA's probability and its
counters, CycleGAN's image history pools. (Under a strategy with several
replicas each replica keeps its own CycleGAN pool and the checkpoint holds
the first replica's, so there a resumed CycleGAN differs from an unbroken run
by its pools.)

:class:`StopOnNonFinite` stops training at the first NaN or Inf loss with a
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
    """Raise :class:`NonFiniteLossError` at the first non-finite value in the logs.

    Unlike ``keras.callbacks.TerminateOnNaN`` it names the step, the variant
    and the loss, and it raises (so no later callback, such as a checkpoint,
    writes the broken weights). Place it before :class:`Checkpoint`.
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

    def on_train_batch_end(self, batch, logs=None):
        if self.every_steps:
            step = int(self.model.generator_optimizer.iterations.numpy())
            if step % self.every_steps == 0:
                self.save()

    def on_epoch_end(self, epoch, logs=None):
        self.save()


def _epoch_batches(x, y, epoch, seed, batch_size, skip=0):
    """The batches of ``epoch``: a stateless shuffle keyed by (seed, epoch), minus the first ``skip``."""
    n = len(x)
    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
    order = tf.random.experimental.stateless_shuffle(tf.range(n), seed=key)
    data = (x,) if y is None else (x, y)
    ds = tf.data.Dataset.from_tensor_slices(order).batch(batch_size, drop_remainder=True)
    ds = ds.skip(skip).map(lambda idx: tuple(tf.gather(a, idx) for a in data))
    return ds.map(lambda *t: t[0]) if y is None else ds


def fit_resumable(model, x, y=None, directory="run", epochs=10, batch_size=64, seed=0,
                  resume=False, checkpoint_steps=None, callbacks=(), verbose=1):
    """``model.fit`` with atomic checkpoints in ``directory`` and exact resume.

    Args:
        model: a compiled variant (ignored when resuming: the checkpoint is
            loaded instead).
        x, y: arrays of examples (and labels for a conditional GAN).
        directory: where ``checkpoint.keras`` and ``run.json`` go.
        epochs: total epochs (a resumed run continues up to it).
        batch_size: examples per step (the last partial batch of each epoch
            is dropped, so every step sees a full batch).
        seed: seed of the data order (the model has its own noise seed).
        resume: continue from ``directory/checkpoint.keras`` if it exists.
        checkpoint_steps: also checkpoint every this many steps.
        callbacks: more Keras callbacks.

    Returns:
        ``(model, history)``; ``history`` is ``None`` when there was nothing
        left to train.
    """
    x = np.asarray(x)
    y = None if y is None else np.asarray(y)
    steps_per_epoch = len(x) // batch_size
    if steps_per_epoch < 1:
        raise ValueError(
            f"the batch size {batch_size} is larger than the data ({len(x)} examples); "
            "use a batch size of at most the number of examples"
        )
    path = os.path.join(directory, CHECKPOINT)
    run = {"examples": len(x), "batch_size": batch_size, "seed": seed}
    run_file = os.path.join(directory, "run.json")
    if resume and os.path.exists(path):
        with open(run_file) as f:
            saved = json.load(f)
        if {k: saved.get(k) for k in run} != run:
            raise ValueError(
                f"--resume with different settings: the run in {directory} used {saved}, now "
                f"{run}; resume with the same data, batch size and seed"
            )
        model = keras.saving.load_model(path)
    elif os.path.exists(path):
        raise FileExistsError(
            f"{path} exists: pass resume=True (--resume) to continue that run, or choose "
            "another directory"
        )
    model.check_data(x, y)
    os.makedirs(directory, exist_ok=True)
    with open(run_file, "w") as f:
        json.dump(run, f)

    step = int(model.generator_optimizer.iterations.numpy())
    epoch, skip = divmod(step, steps_per_epoch)
    callbacks = [StopOnNonFinite(), Checkpoint(directory, checkpoint_steps), *callbacks]
    history = None
    if skip:  # finish the interrupted epoch first
        history = model.fit(_epoch_batches(x, y, epoch, seed, batch_size, skip), epochs=epoch + 1,
                            initial_epoch=epoch, callbacks=callbacks, verbose=verbose, shuffle=False)
        epoch += 1
    if epoch < epochs:
        data = tf.data.Dataset.range(epoch, epochs).flat_map(
            lambda e: _epoch_batches(x, y, e, seed, batch_size))
        history = model.fit(data, epochs=epochs, initial_epoch=epoch,
                            steps_per_epoch=steps_per_epoch, callbacks=callbacks, verbose=verbose,
                            shuffle=False)
    return model, history

"""Shared pieces of the benchmark scripts: a digit classifier, measuring in a fresh process,
and (from ``tools/kit.py``) the data's path, the machine, a timer, tables between markers."""

import sys
from pathlib import Path

import keras_gan_zoo  # noqa: F401  (before TensorFlow: its kernels as the package's users get them)
import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from kit import DATA, Timer, hardware, write_between_markers  # noqa: E402,F401

#: Where the benchmark scripts write their results (whatever the working directory).
RESULTS = Path(__file__).resolve().parent / "results"


def child_json(script, args, what, env=None):
    """Run ``python script *args`` in a fresh process and return the JSON of its last line.

    Measurements that need a process of their own (peak memory, environment
    variables TensorFlow reads when it loads) print one JSON line; a failed
    child stops the benchmark with ``what`` and the end of its stderr.
    """
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True,
                         text=True, env=env)
    if out.returncode:
        raise SystemExit(f"{what}: the measuring process failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def digit_classifier(input_shape, num_classes=10):
    """A small CNN that judges generated digits (two conv blocks, dropout)."""
    inputs = keras.Input(input_shape)
    x = inputs
    for filters in (32, 64):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    outputs = keras.layers.Dense(num_classes)(x)
    return keras.Model(inputs, outputs, name="digit_classifier")


def train_classifier(train, test, epochs=8, seed=0, augment=True):
    """Fit :func:`digit_classifier` on ``(x, y)`` arrays; return it and its test accuracy.

    With ``augment``, small random shifts make it robust to generated digits
    that are a pixel or two off-centre.
    """
    keras.utils.set_random_seed(seed)
    x, y = train
    model = digit_classifier(x.shape[1:])
    if augment:
        inputs = keras.Input(x.shape[1:])
        shifted = keras.layers.RandomTranslation(0.08, 0.08, fill_mode="constant",
                                                 fill_value=-1.0)(inputs)
        trainer = keras.Model(inputs, model(shifted))
    else:
        trainer = model
    trainer.compile(keras.optimizers.Adam(1e-3),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    trainer.fit(x, y, batch_size=128, epochs=epochs, verbose=2)
    accuracy = class_accuracy(model, *test)
    return model, accuracy


def class_accuracy(classifier, images, labels, batch_size=512):
    """Share of ``images`` that ``classifier`` assigns to ``labels``."""
    logits = classifier.predict(images, batch_size=batch_size, verbose=0)
    return float(np.mean(logits.argmax(-1) == np.asarray(labels)))


class StepClock(keras.callbacks.Callback):
    """The time at the end of every training batch (``times``): step costs, the first steps
    (which trace the graph) left out by whoever reads them."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        import time

        self.times.append(time.perf_counter())

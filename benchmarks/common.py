"""Shared pieces of the benchmark scripts: paths, a digit classifier, timing."""

import os
import platform
import time
from pathlib import Path

import keras_gan_zoo  # noqa: F401  (before TensorFlow: its kernels as the package's users get them)
import keras
import numpy as np
import tensorflow as tf
from keras_gan_zoo import runtime

#: ../shared/data beside the repository (see its README); override with KGZ_DATA.
DATA = Path(os.environ.get("KGZ_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


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


def write_between_markers(page, name, table):
    """Replace the text between ``<!-- NAME: start -->`` and ``<!-- NAME: end -->`` in ``page``.

    The benchmark pages' tables are written by the scripts that measure them,
    never pasted by hand.
    """
    page = Path(page)
    text = page.read_text()
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    if start not in text or end not in text:
        raise ValueError(f"{page} has no markers {start} ... {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    page.write_text(f"{head}{start}\n{table}\n{end}{tail}")


def hardware():
    """One line naming the machine, for every printed table."""
    return (f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), no GPU, "
            f"TensorFlow {tf.__version__} ({'oneDNN' if runtime.onednn_enabled() else 'Eigen'} "
            f"kernels), Keras {keras.__version__}")


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


class Timer:
    """``with Timer() as t: ...; t.seconds``."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start

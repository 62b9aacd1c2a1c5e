"""How a zoo entry's headline moves with training length: one run, measured every few epochs.

    python research/zoo_sweep.py acgan_mnist --epochs 60 --every 10
    python research/zoo_sweep.py dcgan_mnist --epochs 60 --every 10 --set ema=0.999

Trains the entry exactly as ``tools/train_zoo.py NAME`` does (its
recipe, data, precision and seed), but measures the model in training every
``--every`` epochs with the entry's own measure, so the length of an entry
is chosen from a curve, not a guess. ``--set key=value`` overrides an
argument of the entry's recipe (``ema=0.999``, ``reuse_fakes=True``); the
model is measured as it is in memory (in its training precision, not
rebuilt in float32 nor rounded to the entry's storage dtype as the card is),
so the figures are close to, not equal to, what the entry would report. Prints a table; writes nothing into the package.
"""

import argparse
import ast
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("benchmarks", "tools")]
import train_zoo  # noqa: E402
from common import hardware  # noqa: E402


class _Every(keras.callbacks.Callback):
    """Measure every ``every`` epochs; the measuring is not counted as training time."""

    def __init__(self, every, measure, rows):
        super().__init__()
        self.every, self.measure, self.rows = every, measure, rows
        self.start, self.measuring = time.perf_counter(), 0.0

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            start = time.perf_counter()
            minutes = (start - self.start - self.measuring) / 60
            _, headline, _ = self.measure()
            self.measuring += time.perf_counter() - start
            self.rows.append((epoch + 1, headline, minutes))
            print(f"epoch {epoch + 1}: {headline} ({minutes:.1f} min of training)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(train_zoo.ENTRIES))
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--precision", help="train in this policy instead of the entry's")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override an argument of the entry's recipe")
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.set:
        key, _, value = item.partition("=")
        overrides[key] = ast.literal_eval(value)
    entry = train_zoo.ENTRIES[args.name]
    if overrides:  # the recipe with some arguments changed
        recipe = train_zoo.RECIPES[args.name]
        train_zoo.RECIPES[args.name] = lambda: type(recipe()).from_config(
            {**recipe().get_config(), **overrides})
    precision = args.precision or entry.precision
    keras.mixed_precision.set_global_policy(precision)
    keras.utils.set_random_seed(0)
    model, fit, measure, _ = entry.build(args.epochs)
    rows = []
    model.fit(epochs=args.epochs, verbose=0, callbacks=[_Every(args.every, measure, rows)],
              **fit)
    print()
    extra = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "the entry's recipe"
    print(f"{args.name} ({extra}), {precision}, seed 0; {hardware()}")
    print()
    print("| epochs | headline | training minutes |")
    print("| --- | --- | --- |")
    for epochs, headline, minutes in rows:
        print(f"| {epochs} | {headline} | {minutes:.1f} |")


if __name__ == "__main__":
    main()

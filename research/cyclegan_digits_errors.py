"""Which labels does a CycleGAN MNIST <-> USPS model lose? Confusion tables of its translations.

    python benchmarks/cyclegan_digits.py
    python research/cyclegan_digits_errors.py

Loads the model that benchmarks/cyclegan_digits.py saved, translates the
held-out digits of both domains (MNIST t10k[8000:] deskewed, USPS test in
MNIST's framing: the benchmark's defaults) and reads the translations with
the bundled digit classifier (``kgz.metrics.classify_digits``, one judge for
both directions, so its figures differ a little from the benchmark's two
judges). Prints, per direction, the confusion table (rows: source label,
columns: label read) and the largest swaps.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("benchmarks", "tools")]
from common import DATA, RESULTS  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model",
                        default=str(RESULTS / "cyclegan_digits/cyclegan_mnist_usps.keras"))
    parser.add_argument("--top", type=int, default=3, help="largest swaps to list per direction")
    args = parser.parse_args(argv)

    model = keras.models.load_model(args.model)
    mnist = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test", size=32, deskew=True))
    usps = kgz.data.to_arrays(kgz.data.usps(DATA / "usps" / "usps.h5", "test", size=32,
                                            framing="mnist"))
    for name, (images, labels), direction in (("MNIST -> USPS", mnist, "a_to_b"),
                                              ("USPS -> MNIST", usps, "b_to_a")):
        read = kgz.metrics.classify_digits(model.translate(images, direction))
        table = np.zeros((10, 10), int)
        np.add.at(table, (labels, read), 1)
        print(f"\n{name}: label kept {100 * np.mean(read == labels):.2f}% of {len(labels)} "
              "(bundled classifier)")
        print("source \\ read " + " ".join(f"{d:4d}" for d in range(10)))
        for digit, row in enumerate(table):
            print(f"{digit:13d} " + " ".join(f"{n:4d}" for n in row))
        swaps = [(table[s, r], s, r) for s in range(10) for r in range(10) if s != r]
        for count, source, seen in sorted(swaps, reverse=True)[:args.top]:
            print(f"  {count} of {table[source].sum()} {source}s read as {seen}s")


if __name__ == "__main__":
    main()

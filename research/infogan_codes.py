"""Which digits does a trained InfoGAN's categorical code confuse? Its table against the digit classes.

    python benchmarks/infogan_mnist.py
    python research/infogan_codes.py

Loads the model that benchmarks/infogan_mnist.py saved, reads the
categorical code of the held-out MNIST digits (t10k[8000:]) through the Q
head and prints the accuracy under the best one-to-one matching of
categories to digits, and the table of categories (rows) against digits
(columns). Then the same table for what the generator draws: ``--samples``
digits per category, read by the bundled digit classifier (98.50% on
held-out MNIST), to tell a generator that mixes two digits in one category
from a Q head that misreads real digits.
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
    parser.add_argument("--model", default=str(RESULTS / "infogan_mnist/infogan_mnist.keras"))
    parser.add_argument("--deskew", action="store_true",
                        help="the model was trained with infogan_mnist.py --deskew")
    parser.add_argument("--samples", type=int, default=200, help="generated digits per category")
    args = parser.parse_args(argv)

    keras.mixed_precision.set_global_policy("mixed_bfloat16")  # as the benchmark trains it
    model = keras.models.load_model(args.model)
    images, digits = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test",
                                                             deskew=args.deskew))
    codes, _ = model.predict_codes(images)
    print_table(codes, digits, model.num_categories,
                "categorical code (Q head) vs digit on t10k[8000:]")

    categories = np.repeat(np.arange(model.num_categories), args.samples)
    drawn = kgz.metrics.classify_digits(model.generate(len(categories), categorical=categories,
                                                       seed=0))
    print()
    print_table(categories, drawn, model.num_categories,
                f"generated digits ({args.samples} per category) as the bundled classifier reads "
                "them")


def print_table(codes, digits, k, title):
    """The accuracy under the best one-to-one matching and the category x digit table."""
    accuracy, mapping = kgz.metrics.best_matching_accuracy(codes, digits, num_codes=k,
                                                           num_classes=10)
    table = np.zeros((k, 10), int)
    np.add.at(table, (codes, digits), 1)
    print(f"{title}: {100 * accuracy:.2f}% (best one-to-one matching)")
    print("category (-> digit) \\ digit " + " ".join(f"{d:4d}" for d in range(10)))
    for c, row in enumerate(table):
        label = f"{c} (-> {mapping[c]})" if c in mapping else str(c)
        print(f"{label:>27} " + " ".join(f"{n:4d}" for n in row))


if __name__ == "__main__":
    main()

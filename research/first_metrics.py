"""The first GAN papers' numbers for the zoo's MNIST entries: Parzen log-likelihood and classifier score.

Data: MNIST t10k from ../shared/data/mnist, the project's split: the zoo
entries trained on images 0-7,999; of the held-out 8,000-9,999, the first
1,000 choose the Parzen bandwidth (validation) and the last 1,000 are scored
(test). Pixels are mapped to [0, 1] as in the GAN paper; 10,000 samples per
model; bandwidths ``logspace(-1, 0, 10)`` as in the GAN paper's code.

    python research/first_metrics.py         # ~3 min on 2 cores

Rows: each bundled MNIST zoo entry, the 8,000 training images themselves used
as "samples" (what a model that memorised its data would score), and uniform
noise. Published (Goodfellow et al. 2014, Table 1, Parzen on MNIST): GAN
225 +/- 2, Deep GSN 214 +/- 1.1, DBN 138 +/- 2, Stacked CAE 121 +/- 1.6.
Both measures are poor judges of quality (see kgz.metrics.parzen_window).
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("benchmarks", "tools")]
from common import DATA, hardware  # noqa: E402

PUBLISHED = [("GAN (Goodfellow et al. 2014, Table 1)", "225 +/- 2"), ("Deep GSN", "214 +/- 1.1"),
             ("DBN", "138 +/- 2"), ("Stacked CAE", "121 +/- 1.6")]
ENTRIES = ["dcgan_mnist", "wgan_gp_mnist", "cgan_mnist", "infogan_mnist"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10000, help="samples per model")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    train, _ = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train"))
    held_out, _ = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test"))
    validation, test = (held_out[:1000] + 1) / 2, (held_out[1000:] + 1) / 2
    rng = np.random.default_rng(args.seed)
    sources = {name: lambda name=name: kgz.zoo.load(name).generate(args.n, seed=args.seed)
               for name in ENTRIES}
    sources["MNIST training images (8,000, memorised)"] = lambda: train
    sources["uniform noise"] = lambda: rng.uniform(-1, 1, (args.n, 28, 28, 1)).astype("float32")

    rows = []
    for name, make in sources.items():
        start = time.perf_counter()
        images = make()
        parzen = kgz.metrics.parzen_window((images + 1) / 2, validation, test)
        score, spread = kgz.metrics.classifier_score(images)
        rows.append((name, parzen, score, spread, time.perf_counter() - start))
        print(f"  {name}: Parzen {parzen['log_likelihood']:.1f} +/- {parzen['std_error']:.1f} "
              f"(sigma {parzen['sigma']:.3f}), classifier score {score:.2f}", flush=True)
    real_score = kgz.metrics.classifier_score(held_out)

    print(f"\nMNIST t10k split as above; {args.n:,} samples per model, seed {args.seed}; {hardware()}\n")
    print("| samples | Parzen log-likelihood of held-out digits (nats) | bandwidth | "
          "classifier score (of 10) |")
    print("| --- | --- | --- | --- |")
    for name, parzen, score, spread, _ in rows:
        print(f"| {name} | {parzen['log_likelihood']:.1f} +/- {parzen['std_error']:.1f} | "
              f"{parzen['sigma']:.3f} | {score:.2f} +/- {spread:.2f} |")
    print(f"| real held-out digits (2,000) | | | {real_score[0]:.2f} +/- {real_score[1]:.2f} |")
    for name, value in PUBLISHED:
        print(f"| {name} (published) | {value} | | |")


if __name__ == "__main__":
    main()

"""What the small-data recipe costs per step: spectral norm, augmentation and EMA against the plain step.

    python research/recipe_overhead.py                 # 64 px, batch 32, mixed_bfloat16
    python research/recipe_overhead.py --size 128 --repeats 3

The same ResNet networks (``base_filters=16``, as ``benchmarks/small_data.py``
trains them) and hinge loss in every configuration; each adds one part of the
recipe. All configurations are built in one process and timed in turns on one
fixed batch with ``train_on_batch`` (A B C ... A B C ..., ``--repeats`` rounds
of ``--steps`` steps after two warm-up steps each), so the machine's state is
shared and the input pipeline is left out. The table gives the fastest round
(the least disturbed, the usual rule for timing on a shared machine) and the
median. Run it with the CPU otherwise idle.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("benchmarks", "tools")]
from common import hardware  # noqa: E402

CONFIGS = {
    "plain (no SN)": ({"spectral_norm": False}, {}),
    "+ spectral norm": ({}, {}),
    "+ SN + EMA": ({}, {"ema": 0.999}),
    "+ SN + DiffAugment": ({}, {"augment": "diffaugment"}),
    "+ SN + ADA (p = 0.5)": ({}, {"augment": "ada", "ada_p": 0.5}),
    "+ SN + ADA + EMA (the recipe)": ({}, {"augment": "ada", "ada_p": 0.5, "ema": 0.999}),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--float32", action="store_true")
    args = parser.parse_args(argv)
    if not args.float32:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    shape = (args.size, args.size, 3)
    x = np.random.default_rng(0).uniform(-1, 1, (args.batch_size,) + shape)
    batch = tf.constant(x.astype("float32"))
    models = {}
    for name, (network, options) in CONFIGS.items():
        keras.utils.set_random_seed(0)
        model = kgz.GAN.for_shape(shape, loss="hinge", seed=0, **options, network_kwargs={
            "architecture": "resnet", "base_filters": 16, **network})
        model.compile()
        for _ in range(2):  # trace and warm up
            model.train_on_batch(batch)
        models[name] = model
    seconds = {name: [] for name in models}
    for _ in range(args.repeats):
        for name, model in models.items():
            start = time.perf_counter()
            for _ in range(args.steps):
                model.train_on_batch(batch)
            seconds[name].append((time.perf_counter() - start) / args.steps)
    fastest = {name: min(values) for name, values in seconds.items()}
    median = {name: statistics.median(values) for name, values in seconds.items()}
    plain = "plain (no SN)"
    print(f"ResNet GAN (base_filters=16), {args.size}x{args.size}x3, batch {args.batch_size}, "
          f"{'float32' if args.float32 else 'mixed_bfloat16'}, {args.repeats} rounds of "
          f"{args.steps} steps; {hardware()}")
    print()
    print("| configuration | s/step, fastest round | against the plain step | s/step, median | against the plain step |")
    print("| --- | --- | --- | --- | --- |")
    for name in seconds:
        print(f"| {name} | {fastest[name]:.3f} | {100 * (fastest[name] / fastest[plain] - 1):+.1f}% "
              f"| {median[name]:.3f} | {100 * (median[name] / median[plain] - 1):+.1f}% |")

if __name__ == "__main__":
    main()

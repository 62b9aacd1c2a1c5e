"""Do the fast settings change quality? Same GAN, same seed, each setting.

Settings: float32 (the reference), ``mixed_bfloat16``, ``reuse_fakes=True``,
and both together. Two checks per setting:

- MNIST: DCGAN networks (default: 64 base filters, latent 64) trained on MNIST
  t10k[0:8000] for ``--epochs`` epochs at batch 64; Fréchet distance in the
  bundled digit classifier's features, 10,000 samples against t10k[8000:];
- toy modes: the MLP GAN on ring8 (6,000 steps), modes covered and
  high-quality share (the protocol of benchmarks/toy_modes.py).

    python research/fast_settings.py               # ~20 min on 2 cores
    python research/fast_settings.py --epochs 3    # shorter

GAN training is noisy: a difference between two settings smaller than the
spread between seeds (``--seeds 0 1``) is not a difference.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import toy_modes  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("benchmarks", "tools")]
from common import DATA, hardware  # noqa: E402

SETTINGS = {
    "float32": ("float32", False),
    "mixed_bfloat16": ("mixed_bfloat16", False),
    "reuse_fakes": ("float32", True),
    "mixed_bfloat16 + reuse_fakes": ("mixed_bfloat16", True),
}


def mnist_fd(policy, reuse, epochs, seed):
    x, _ = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train"))
    held_out, _ = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test"))
    keras.utils.set_random_seed(seed)
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = kgz.GAN.for_shape((28, 28, 1), seed=seed, reuse_fakes=reuse)
        model.compile(steps_per_execution=25)
        start = time.perf_counter()
        model.fit(x, batch_size=64, epochs=epochs, shuffle=True, verbose=0)
        seconds = time.perf_counter() - start
        fake = model.generate(10000, seed=seed + 1)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    fd = kgz.metrics.frechet_distance(kgz.metrics.features(held_out, verbose=0),
                                      kgz.metrics.features(fake, verbose=0))
    return fd, seconds


def ring8(policy, reuse, seed, steps=6000):
    """The toy protocol of benchmarks/toy_modes.py (MLP 3x256, batch 256) under ``policy``."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        result, _ = toy_modes.run("gan", "ring8", steps, 256, seed, None, 2, (256, 256, 256),
                                  model_kwargs={"reuse_fakes": reuse})
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    args = parser.parse_args(argv)

    rows = []
    for seed in args.seeds:
        for name in args.settings:
            policy, reuse = SETTINGS[name]
            fd, seconds = mnist_fd(policy, reuse, args.epochs, seed)
            modes = ring8(policy, reuse, seed)
            rows.append((name, seed, fd, seconds, modes))
            print(f"  {name} seed {seed}: FD {fd:.2f} ({seconds / 60:.1f} min), ring8 "
                  f"{modes['modes']}/8 modes, {100 * modes['high_quality']:.1f}% HQ", flush=True)
    print(f"\nDCGAN on MNIST t10k[0:8000], {args.epochs} epochs, batch 64; FD in digit features "
          f"vs t10k[8000:] (10,000 samples); ring8: MLP GAN (3x256), 6,000 steps; {hardware()}\n")
    print("| setting | seed | MNIST FD (lower is better) | MNIST training time | ring8 modes | ring8 high quality |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, seed, fd, seconds, modes in rows:
        print(f"| {name} | {seed} | {fd:.2f} | {seconds / 60:.1f} min | {modes['modes']}/8 | "
              f"{100 * modes['high_quality']:.1f}% |")


if __name__ == "__main__":
    main()

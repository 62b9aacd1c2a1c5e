"""f-GAN: every divergence of Nowozin et al. 2016 on the 2-D mixtures and on MNIST.

    python benchmarks/fgan.py toy                     # 7 divergences x ring8, grid25
    python benchmarks/fgan.py toy --divergences kl,pearson --sets ring8
    python benchmarks/fgan.py mnist --epochs 10       # FD in digit features

``toy`` trains ``GAN(loss="f_divergence", divergence=D)`` with the same MLPs,
steps, optimizer and scoring as ``benchmarks/toy_modes.py`` (2,500 samples; a
sample is high quality within 3 standard deviations of its nearest mode; a
mode is covered if a high-quality sample has it as nearest mode), beside the
non-saturating GAN of that page.

``mnist`` trains the DCGAN networks (``base_filters=32``, latent 64) on the
MNIST test files 0-7,999 for ``--epochs`` epochs of batch 64 with each
divergence and the non-saturating loss, and reports the Fréchet distance of
5,000 samples to the 2,000 held-out digits 8,000-9,999 in the bundled digit
classifier's features (``kgz.metrics.features(..., extractor="digits")``).
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import toy_modes  # noqa: E402
from common import DATA, RESULTS, hardware  # noqa: E402

BASELINE = "non-saturating GAN"


def _options(divergence):
    if divergence == BASELINE:
        return {}
    return {"loss": "f_divergence", "divergence": divergence}


def toy(divergences, sets, steps, out):
    rows = []
    for divergence in divergences:
        for data in sets:
            result, seconds = toy_modes.run(
                "gan", data, steps, 256, 0, out, 2, (256, 256, 256),
                model_kwargs=_options(divergence), tag=f"fgan_{divergence.replace(' ', '_')}")
            rows.append((divergence, data, result, seconds))
            print(f"{divergence} {data}: {result['modes']}/{result['num_modes']} modes, "
                  f"{100 * result['high_quality']:.1f}% high quality, {seconds:.0f} s", flush=True)
    print()
    print(f"{steps} generator steps at batch 256, latent 2, MLP (256, 256, 256), Adam(2e-4, 0.5) "
          f"decayed to 0, seed 0; {hardware()}")
    print()
    print("| divergence | data | modes | high quality | reverse KL | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for divergence, data, result, seconds in rows:
        print(f"| {divergence} | {data} | {result['modes']}/{result['num_modes']} | "
              f"{100 * result['high_quality']:.1f}% | {result['reverse_kl']:.3f} | {seconds:.0f} |")


def mnist(divergences, epochs, n=5000):
    x, _ = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="all"))
    train, held = x[:8000], x[8000:]
    held_f = kgz.metrics.features(held, extractor="digits")
    rows = [("the 8,000 training digits", kgz.metrics.frechet_distance(
        held_f, kgz.metrics.features(train, extractor="digits")), 0.0)]
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    for divergence in divergences:
        keras.utils.set_random_seed(0)
        model = kgz.GAN.for_shape((28, 28, 1), latent_dim=64, seed=0,
                                  network_kwargs={"base_filters": 32}, **_options(divergence))
        model.compile(steps_per_execution=25)
        start = time.perf_counter()
        history = model.fit(train, batch_size=64, epochs=epochs, verbose=2)
        seconds = time.perf_counter() - start
        if not all(v == v for values in history.history.values() for v in values):
            rows.append((divergence, float("nan"), seconds))
            continue
        samples = model.generate(n, seed=1)
        fd = kgz.metrics.frechet_distance(held_f, kgz.metrics.features(samples, extractor="digits"))
        rows.append((divergence, fd, seconds))
        print(f"{divergence}: FD {fd:.2f}, {seconds:.0f} s", flush=True)
    print()
    print(f"MNIST t10k 0-7,999 (train), {epochs} epochs of batch 64, DCGAN networks "
          f"(base_filters 32, latent 64), mixed_bfloat16, Adam(2e-4, 0.5); FD of {n} samples to "
          f"the 2,000 held-out digits in the digit classifier's features; {hardware()}")
    print()
    print("| divergence | FD (digit features) | seconds |")
    print("| --- | --- | --- |")
    for divergence, fd, seconds in rows:
        print(f"| {divergence} | {fd:.2f} | {seconds:.0f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["toy", "mnist"])
    parser.add_argument("--divergences", default=",".join(kgz.losses.DIVERGENCES),
                        help="comma-separated (default: all); the non-saturating GAN is added")
    parser.add_argument("--sets", default="ring8,grid25")
    parser.add_argument("--steps", type=int, default=6000, help="toy: generator steps")
    parser.add_argument("--epochs", type=int, default=10, help="mnist: epochs")
    parser.add_argument("--out", default=str(RESULTS / "fgan"))
    args = parser.parse_args(argv)
    divergences = [BASELINE] + args.divergences.split(",")
    if args.task == "toy":
        toy(divergences, args.sets.split(","), args.steps, args.out)
    else:
        mnist(divergences, args.epochs)


if __name__ == "__main__":
    main()

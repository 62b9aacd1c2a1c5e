"""ACGAN beside the projection ConditionalGAN on MNIST: class accuracy and Fréchet distance.

    python benchmarks/acgan_mnist.py --epochs 20

Both variants get the same DCGAN networks (``base_filters=32``, latent 64),
the same optimizers (Adam(2e-4, 0.5)), loss (non-saturating), epochs and
seed, on the MNIST test files 0-7,999 (batch 64, mixed_bfloat16). Reported:
the share of 10,000 generated digits (1,000 per class) that the bundled digit
classifier labels as asked (``kgz.metrics.conditional_accuracy``), the
Fréchet distance of those samples to the 2,000 held-out digits 8,000-9,999 in
the classifier's features, ACGAN's class head's accuracy on the held-out
digits, and the training time. Writes a 10x10 grid per variant to --out.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, hardware  # noqa: E402

VARIANTS = {"ConditionalGAN (projection)": kgz.ConditionalGAN, "ACGAN": kgz.ACGAN}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "acgan_mnist"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    x, y = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="all"))
    train, labels = x[:8000], y[:8000].astype("int32")
    held, held_labels = x[8000:], y[8000:]
    held_f = kgz.metrics.features(held, extractor="digits")
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    rows = []
    for name, cls in VARIANTS.items():
        keras.utils.set_random_seed(args.seed)
        model = cls.for_shape((28, 28, 1), num_classes=10, latent_dim=64, seed=args.seed,
                              network_kwargs={"base_filters": 32})
        model.compile(steps_per_execution=25)
        start = time.perf_counter()
        model.fit(train, labels, batch_size=64, epochs=args.epochs, verbose=2)
        seconds = time.perf_counter() - start
        accuracy, per_class = kgz.metrics.conditional_accuracy(model, n_per_class=1000,
                                                               seed=args.seed + 1)
        samples = model.generate(10000, labels=np.repeat(np.arange(10), 1000), seed=args.seed + 1)
        fd = kgz.metrics.frechet_distance(held_f, kgz.metrics.features(samples, extractor="digits"))
        head = (float(np.mean(model.predict_classes(held) == held_labels))
                if hasattr(model, "predict_classes") else None)
        grid = model.generate(100, labels=np.repeat(np.arange(10), 10), seed=args.seed)
        path = os.path.join(args.out, f"{model.variant_name}_{args.epochs}.png")
        kgz.visualize.save_image_grid(grid, path, ncols=10)
        rows.append((name, accuracy, per_class.min(), fd, head, seconds))
        print(f"{name}: accuracy {100 * accuracy:.2f}%, FD {fd:.2f}, {seconds:.0f} s", flush=True)
    print()
    print(f"MNIST t10k 0-7,999, {args.epochs} epochs of batch 64, DCGAN networks (base_filters "
          f"32, latent 64), mixed_bfloat16, seed {args.seed}; 10,000 samples; {hardware()}")
    print()
    print("| variant | samples labelled as asked | worst class | FD (digit features) | "
          "class head on held-out digits | training time |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, accuracy, worst, fd, head, seconds in rows:
        head = "" if head is None else f"{100 * head:.2f}%"
        print(f"| {name} | {100 * accuracy:.2f}% | {100 * worst:.1f}% | {fd:.2f} | {head} | "
              f"{seconds / 60:.1f} min |")


if __name__ == "__main__":
    main()

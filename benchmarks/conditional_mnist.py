"""Conditional GAN on MNIST: do generated digits show the class asked for?

Data: the MNIST test files in ../shared/data/mnist, split as the project
documents: images 0-7,999 train (the GAN and a judge classifier), images
8,000-9,999 held out (the classifier's accuracy). The judge is a small CNN
trained here on the same 8,000 images; 1,000 samples per class are drawn and
the share the judge labels as asked is reported.

    python benchmarks/conditional_mnist.py --epochs 50

Writes a 10x10 PNG grid (one row per class) to --out.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, Timer, class_accuracy, hardware, train_classifier  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--base-filters", type=int, default=32)
    parser.add_argument("--mixed-precision", action="store_true", help="mixed_bfloat16 policy")
    parser.add_argument("--data", default=str(DATA / "mnist"))
    parser.add_argument("--out", default=str(RESULTS / "conditional_mnist"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse-fakes", type=int, choices=[0, 1], default=0,
                        help="the README's figures were measured with 0, before reuse_fakes "
                             "became the model's default")
    args = parser.parse_args(argv)

    train = kgz.data.to_arrays(kgz.data.mnist(args.data, split="train"))
    test = kgz.data.to_arrays(kgz.data.mnist(args.data, split="test"))
    with Timer() as t_judge:
        judge, judge_accuracy = train_classifier(train, test, seed=args.seed)
    print(f"judge classifier: {100 * judge_accuracy:.2f}% on the 2,000 held-out digits "
          f"({t_judge.seconds:.0f} s)", flush=True)

    if args.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(args.seed)
    model = kgz.ConditionalGAN.for_shape(
        (28, 28, 1), num_classes=10, latent_dim=args.latent_dim,
        network_kwargs={"base_filters": args.base_filters}, seed=args.seed,
        reuse_fakes=bool(args.reuse_fakes),
    )
    model.compile(steps_per_execution=25)
    os.makedirs(args.out, exist_ok=True)
    grid = kgz.callbacks.SampleGrid(os.path.join(args.out, "epoch_{epoch:03d}.png"), n=100,
                                    every=5)
    grid_labels = np.repeat(np.arange(10), 10)
    with Timer() as t_gan:
        model.fit(train[0], train[1], batch_size=args.batch_size, epochs=args.epochs,
                  shuffle=True, verbose=2, callbacks=[grid])
    samples = model.generate(10000, labels=np.repeat(np.arange(10), 1000), seed=args.seed + 1)
    accuracy = class_accuracy(judge, samples, np.repeat(np.arange(10), 1000))
    per_class = [class_accuracy(judge, samples[c * 1000:(c + 1) * 1000], np.full(1000, c))
                 for c in range(10)]
    kgz.visualize.save_image_grid(model.generate(100, labels=grid_labels, seed=0),
                                  os.path.join(args.out, "samples.png"), ncols=10)
    model.save(os.path.join(args.out, "conditional_mnist.keras"))

    print()
    print(f"Conditional GAN (DCGAN networks, base {args.base_filters} filters, latent "
          f"{args.latent_dim}, projection discriminator) on MNIST t10k[0:8000], "
          f"{args.epochs} epochs at batch {args.batch_size}"
          f"{', mixed_bfloat16' if args.mixed_precision else ''}; {hardware()}")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| judge accuracy on real held-out digits (t10k[8000:]) | {100 * judge_accuracy:.2f}% |")
    print(f"| generated digits judged as the class asked (10,000 samples) | {100 * accuracy:.2f}% |")
    print(f"| worst class | {int(np.argmin(per_class))}: {100 * min(per_class):.1f}% |")
    print(f"| GAN training time | {t_gan.seconds / 60:.1f} min |")
    print(f"| total time | {(t_judge.seconds + t_gan.seconds) / 60:.1f} min |")
    print(f"\nsample grid: {os.path.join(args.out, 'samples.png')}")


if __name__ == "__main__":
    main()

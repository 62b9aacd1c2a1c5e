"""InfoGAN on MNIST: does the categorical code find the digits without labels?

Data: the MNIST test files in ../shared/data/mnist, split as the project
documents: images 0-7,999 train InfoGAN (labels unused), images 8,000-9,999
are held out. The Q head reads the categorical code of the held-out real
digits; matched to the digit classes by the best one-to-one assignment, its
accuracy is reported (the InfoGAN paper reports 5% error, i.e. 95%).

    python benchmarks/infogan_mnist.py --epochs 30

The networks are the InfoGAN paper's (``--architecture dcgan`` for the DCGAN
networks of the other variants), trained under mixed_bfloat16 (``--float32``
for full precision; about 3.5x slower on this CPU).

Writes, per continuous code, a PNG grid: one row per category, the code
swept from -1 to 1 across the columns, the noise fixed per row.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, Timer, hardware  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--architecture", choices=["infogan", "dcgan"], default="infogan")
    parser.add_argument("--base-filters", type=int, default=None,
                        help="filters of the first (dcgan: last) stage; default 64 (dcgan: 32)")
    parser.add_argument("--info-weight", type=float, default=1.0)
    parser.add_argument("--continuous-weight", type=float, default=0.1)
    parser.add_argument("--info-trains-body", action="store_true",
                        help="the information loss also trains the body Q shares with D, as in "
                             "the paper's code (InfoGAN(info_trains_body=True))")
    parser.add_argument("--deskew", action="store_true",
                        help="shear the digits upright first (kgz.data.mnist(..., deskew=True))")
    parser.add_argument("--train-size", type=int, default=8000,
                        help="train on the first N of the 8,000 training images (how much does "
                             "the amount of data matter?)")
    parser.add_argument("--data", default=str(DATA / "mnist"))
    parser.add_argument("--out", default=str(RESULTS / "infogan_mnist"))
    parser.add_argument("--float32", action="store_true",
                        help="train in float32 instead of mixed_bfloat16")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    train_x, _ = kgz.data.to_arrays(kgz.data.mnist(args.data, split="train", deskew=args.deskew))
    if not 0 < args.train_size <= len(train_x):
        parser.error(f"--train-size must be in 1..{len(train_x)}, got {args.train_size}")
    train_x = train_x[:args.train_size]
    test_x, test_y = kgz.data.to_arrays(kgz.data.mnist(args.data, split="test", deskew=args.deskew))
    if args.base_filters is None:
        args.base_filters = 64 if args.architecture == "infogan" else 32
    if not args.float32:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(args.seed)
    model = kgz.InfoGAN.for_shape((28, 28, 1), latent_dim=62, num_categories=10, num_continuous=2,
                                  network_kwargs={"architecture": args.architecture,
                                                  "base_filters": args.base_filters},
                                  info_weight=args.info_weight,
                                  continuous_weight=args.continuous_weight,
                                  info_trains_body=args.info_trains_body, seed=args.seed)
    # The paper's MNIST settings: Adam, beta_1 0.5, 1e-3 for G and 2e-4 for D.
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-3, 0.5),
                  discriminator_optimizer=keras.optimizers.Adam(2e-4, 0.5),
                  steps_per_execution=25)

    def code_accuracy():
        codes, _ = model.predict_codes(test_x)
        return kgz.metrics.best_matching_accuracy(codes, test_y, num_codes=10, num_classes=10)

    class Report(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % 5 == 0:
                print(f"  epoch {epoch + 1}: categorical-code accuracy "
                      f"{100 * code_accuracy()[0]:.1f}%", flush=True)

    with Timer() as timer:
        model.fit(train_x, batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
                  verbose=2, callbacks=[Report()])
    accuracy, mapping = code_accuracy()

    os.makedirs(args.out, exist_ok=True)
    sweep = np.linspace(-1, 1, 10)
    rng = np.random.default_rng(args.seed)
    for index in range(2):
        continuous = np.zeros((100, 2), "float32")
        continuous[:, index] = np.tile(sweep, 10)
        # the same noise along a row, so that only the swept code changes
        z = np.repeat(rng.standard_normal((10, 62)).astype("float32"), 10, axis=0)
        images = model.predict_generator([z, np.repeat(np.arange(10), 10).astype("int32"), continuous])
        kgz.visualize.save_image_grid(images, os.path.join(args.out, f"continuous_{index}.png"),
                                      ncols=10)
    model.save(os.path.join(args.out, "infogan_mnist.keras"))

    print()
    networks = "the paper's" if args.architecture == "infogan" else "DCGAN"
    print(f"InfoGAN ({networks} networks, base {args.base_filters} filters, 62 noise + 10 categories "
          f"+ 2 continuous, info_weight {args.info_weight}, continuous_weight {args.continuous_weight}"
          f"{', info_trains_body' if args.info_trains_body else ''}) on MNIST "
          f"t10k[0:{args.train_size}]"
          f"{' deskewed' if args.deskew else ''}, "
          f"{args.epochs} epochs at batch {args.batch_size}"
          f"{'' if args.float32 else ', mixed_bfloat16'}; {hardware()}")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| categorical code vs digit class on t10k[8000:] (best one-to-one matching) | "
          f"{100 * accuracy:.2f}% |")
    print(f"| code -> digit | {', '.join(f'{c}->{d}' for c, d in sorted(mapping.items()))} |")
    print(f"| training time | {timer.seconds / 60:.1f} min |")
    print(f"\ncontinuous-code grids: {args.out}/continuous_0.png, continuous_1.png; the table of "
          "categories against digits: python research/infogan_codes.py")


if __name__ == "__main__":
    main()

"""CycleGAN MNIST <-> USPS: do translated digits keep their label?

Data, both at 32x32: MNIST t10k[0:8000] (../shared/data/mnist, the project's
split) and the USPS training set (7,291 images, ../shared/data/usps). The
CycleGAN sees them unpaired and without labels. Two judge classifiers, one
per domain, are trained on the same training images; the translated held-out
images (MNIST t10k[8000:], USPS test, 2,007) are classified by the judge of
the target domain and compared with their source label.

USPS digits fill their 16x16 frame; MNIST's sit in a 20x20 box inside a
28x28 frame. With ``--usps-frame mnist`` (the default) USPS is scaled to
23x23 and padded to 32x32, the box MNIST's 20/28 becomes at 32x32, so that
the two domains differ in stroke and style and not in scale
(``kgz.data.usps(..., framing="mnist")``); ``--usps-frame full`` stretches
USPS to fill 32x32 (the first measurements, 72.8% / 75.5%). USPS's digits
were also deslanted when the set was made (their mean slant, see
``kgz.data.slant``, is 0.002 columns per row; MNIST's 0.21); ``--mnist-deskew``
(the default) shears MNIST's digits upright the same way
(``kgz.data.mnist(..., deskew=True)``) so that the translation does not have
to turn them.

    python benchmarks/cyclegan_digits.py --epochs 9

Trained under mixed_bfloat16 (``--float32`` for full precision: about 1.5x
slower on this CPU, so 6 epochs fitted in the time 9 take now). Writes PNG
grids of translations (source row above, translation below).
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, Timer, class_accuracy, hardware, train_classifier  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=9)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--base-filters", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--identity-weight", type=float, default=0.5,
                        help="identity loss as a fraction of the cycle weight (paper: 0.5)")
    parser.add_argument("--usps-frame", choices=["mnist", "full"], default="mnist",
                        help="USPS digits in MNIST's framing (default) or filling the frame")
    parser.add_argument("--mnist-deskew", action=argparse.BooleanOptionalAction, default=True,
                        help="shear MNIST's digits upright, as USPS's are (default: yes)")
    parser.add_argument("--float32", action="store_true",
                        help="train in float32 instead of mixed_bfloat16")
    parser.add_argument("--out", default=str(RESULTS / "cyclegan_digits"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mnist_train, mnist_test = (kgz.data.to_arrays(kgz.data.mnist(
        DATA / "mnist", split=split, size=32, deskew=args.mnist_deskew))
        for split in ("train", "test"))
    usps_train, usps_test = (kgz.data.to_arrays(kgz.data.usps(
        DATA / "usps" / "usps.h5", split, size=32, framing=args.usps_frame))
        for split in ("train", "test"))

    with Timer() as t_judges:
        judge_mnist, acc_mnist = train_classifier(mnist_train, mnist_test, seed=args.seed)
        judge_usps, acc_usps = train_classifier(usps_train, usps_test, seed=args.seed)
    print(f"judges: MNIST {100 * acc_mnist:.2f}%, USPS {100 * acc_usps:.2f}% on held-out "
          f"images ({t_judges.seconds:.0f} s)", flush=True)

    if not args.float32:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(args.seed)
    n = min(len(mnist_train[0]), len(usps_train[0]))
    a = tf.data.Dataset.from_tensor_slices(mnist_train[0]).shuffle(8000, seed=1)
    b = tf.data.Dataset.from_tensor_slices(usps_train[0]).shuffle(8000, seed=2)
    pairs = tf.data.Dataset.zip((a, b)).take(n).batch(args.batch_size, drop_remainder=True)
    steps = args.epochs * (n // args.batch_size)
    model = kgz.CycleGAN.for_shape((32, 32, 1), (32, 32, 1), base_filters=args.base_filters,
                                    num_blocks=args.blocks, identity_weight=args.identity_weight,
                                    seed=args.seed)
    lr = kgz.CycleGAN.linear_decay(2e-4, total_steps=steps)
    model.compile(generator_optimizer=keras.optimizers.Adam(lr, 0.5),
                  discriminator_optimizer=keras.optimizers.Adam(lr, 0.5),
                  steps_per_execution=20)

    def scores():
        to_usps = class_accuracy(judge_usps, model.translate(mnist_test[0]), mnist_test[1])
        to_mnist = class_accuracy(judge_mnist, model.translate(usps_test[0], "b_to_a"), usps_test[1])
        return to_usps, to_mnist

    class Report(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            to_usps, to_mnist = scores()
            print(f"  epoch {epoch + 1}: labels kept MNIST->USPS {100 * to_usps:.1f}%, "
                  f"USPS->MNIST {100 * to_mnist:.1f}%", flush=True)

    with Timer() as t_gan:
        model.fit(pairs, epochs=args.epochs, verbose=2, callbacks=[Report()])
    to_usps, to_mnist = scores()

    os.makedirs(args.out, exist_ok=True)
    for name, source, direction in (("mnist_to_usps", mnist_test[0][:16], "a_to_b"),
                                    ("usps_to_mnist", usps_test[0][:16], "b_to_a")):
        kgz.visualize.save_image_grid(
            np.concatenate([source, model.translate(source, direction)]),
            os.path.join(args.out, f"{name}.png"), ncols=16)
    model.save(os.path.join(args.out, "cyclegan_mnist_usps.keras"))

    print()
    print(f"CycleGAN (ResNet generator, {args.blocks} blocks, base {args.base_filters} filters, "
          f"identity weight {args.identity_weight} x cycle; "
          f"PatchGAN) MNIST t10k[0:8000]{' deskewed' if args.mnist_deskew else ''} <-> USPS train "
          f"({args.usps_frame} framing), 32x32, {args.epochs} epochs at batch "
          f"{args.batch_size}{'' if args.float32 else ', mixed_bfloat16'}; {hardware()}")
    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| MNIST judge on MNIST t10k[8000:] | {100 * acc_mnist:.2f}% |")
    print(f"| USPS judge on USPS test | {100 * acc_usps:.2f}% |")
    print(f"| MNIST -> USPS, label kept (USPS judge, 2,000 images) | {100 * to_usps:.2f}% |")
    print(f"| USPS -> MNIST, label kept (MNIST judge, 2,007 images) | {100 * to_mnist:.2f}% |")
    print(f"| CycleGAN training time | {t_gan.seconds / 60:.1f} min |")
    print(f"\ngrids: {args.out}/mnist_to_usps.png, usps_to_mnist.png")


if __name__ == "__main__":
    main()

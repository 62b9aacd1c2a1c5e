"""Train CycleGAN between two unpaired halves of the bundled digits:
upright digits (A) and the same kind of digits drawn as negatives (B).

    python examples/cyclegan_digits.py --epochs 20 --out cyclegan_digits.png

A toy translation that runs in minutes on a CPU; see
benchmarks/cyclegan_digits.py for MNIST <-> USPS. Writes a grid: digits from
A, their translations to B, and back.
"""

import argparse

import keras
import numpy as np
import tensorflow as tf

import keras_gan_zoo as kgz


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", default="cyclegan_digits.png")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    images = kgz.data.digits()
    a, b = images[:900], -images[900:]  # two unpaired sets: digits and negatives
    pairs = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(a).shuffle(900),
                                 tf.data.Dataset.from_tensor_slices(b).shuffle(897)))
    model = kgz.CycleGAN.for_shape((8, 8, 1), (8, 8, 1), base_filters=16, num_blocks=2)
    model.compile()
    model.fit(pairs.batch(16, drop_remainder=True), epochs=args.epochs, verbose=2)

    to_b = model.translate(a[:10])
    kgz.visualize.save_image_grid(np.concatenate([a[:10], to_b, model.translate(to_b, "b_to_a")]),
                                  args.out, ncols=10)
    print(f"mean |translation - negative| = {np.abs(to_b + a[:10]).mean():.3f} (0 is perfect)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

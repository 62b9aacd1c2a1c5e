"""Train a conditional GAN on the bundled 8x8 digits and draw each class.

    python examples/conditional_digits.py --epochs 200 --out cgan_digits.png

Writes a 10x10 grid: row k holds ten samples of digit k.
"""

import argparse

import keras
import numpy as np

import keras_gan_zoo as kgz


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--out", default="cgan_digits.png")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    images, labels = kgz.data.digits(return_labels=True)
    model = kgz.ConditionalGAN.for_shape(images.shape[1:], num_classes=10, latent_dim=32)
    model.compile()
    model.fit(images, labels, batch_size=64, epochs=args.epochs, verbose=2)
    grid = model.generate(100, labels=np.repeat(np.arange(10), 10), seed=0)
    kgz.visualize.save_image_grid(grid, args.out, ncols=10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

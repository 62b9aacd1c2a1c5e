"""Train InfoGAN on the bundled 8x8 digits, without labels, and show its codes.

    python examples/infogan_digits.py --epochs 200 --out infogan_digits.png

Prints how well the categorical code matches the digit classes (best
one-to-one matching) and writes a grid: row k uses category k, the first
continuous code goes from -1 to 1 across the columns.
"""

import argparse

import keras
import numpy as np

import keras_gan_zoo as kgz


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--out", default="infogan_digits.png")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    images, labels = kgz.data.digits(return_labels=True)
    model = kgz.InfoGAN.for_shape(images.shape[1:], latent_dim=16)
    model.compile()
    model.fit(images, batch_size=64, epochs=args.epochs, verbose=2)

    codes, _ = model.predict_codes(images)
    accuracy, _ = kgz.metrics.best_matching_accuracy(codes, labels, num_codes=10, num_classes=10)
    print(f"categorical code vs digit class: {100 * accuracy:.1f}%")
    continuous = np.stack([np.tile(np.linspace(-1, 1, 10), 10), np.zeros(100)], axis=1)
    grid = model.generate(100, categorical=np.repeat(np.arange(10), 10), continuous=continuous,
                          seed=0)
    kgz.visualize.save_image_grid(grid, args.out, ncols=10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

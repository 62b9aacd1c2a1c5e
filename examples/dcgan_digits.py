"""Train a DCGAN (non-saturating GAN) on the bundled 8x8 digits.

    python examples/dcgan_digits.py --epochs 100 --out digits_samples

Writes a PNG grid of samples every 10 epochs (same noise each time, so you see
the same digits take shape) and a loss plot, and saves the model.
"""

import argparse
import os

import keras

import keras_gan_zoo as kgz


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--out", default="digits_samples")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    images = kgz.data.digits()
    model = kgz.GAN.for_shape(images.shape[1:], latent_dim=32)
    model.compile()  # Adam(2e-4, beta_1=0.5), as in DCGAN
    model.fit(
        images, batch_size=64, epochs=args.epochs,
        callbacks=[
            kgz.callbacks.SampleGrid(os.path.join(args.out, "epoch_{epoch:03d}.png"), every=10),
            kgz.callbacks.LossPlot(os.path.join(args.out, "losses.png")),
        ],
    )
    model.save(os.path.join(args.out, "dcgan_digits.keras"))
    print(f"wrote samples, losses and the model to {args.out}/")


if __name__ == "__main__":
    main()

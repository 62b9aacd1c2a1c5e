"""EBGAN, BiGAN and VAE-GAN (and a plain VAE) on MNIST, measured the same way.

    python benchmarks/family_mnist.py ebgan --margins 0.5,1,2 --epochs 10
    python benchmarks/family_mnist.py bigan --epochs 20
    python benchmarks/family_mnist.py vaegan --epochs 20      # and the plain VAE beside it

Data: the MNIST test files in ../shared/data/mnist; images 0-7,999 train,
8,000-9,999 are held out. Every run: DCGAN-sized networks (``base_filters``
32, latent 64), batch 64, each variant's default optimizers (Adam(2e-4,
0.5); EBGAN's autoencoder Adam(1e-3, 0.5)), mixed_bfloat16, seed 0.

Reported, in the bundled digit classifier's features
(``kgz.metrics.features(..., extractor="digits")``): the Fréchet distance of
5,000 samples to the 2,000 held-out digits. For the variants with an encoder
also: the Fréchet distance of the held-out digits' reconstructions
``G(E(x))``, their mean squared error in pixels (images in [-1, 1]), and how
well the encoder's codes name the digit: 1-nearest-neighbour accuracy on the
held-out digits with the 8,000 training digits' codes as references, and a
linear classifier (softmax regression, 30 epochs) trained on the training
codes.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, hardware  # noqa: E402

NETWORKS = {"base_filters": 32}


def data():
    x, y = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="all"))
    return (x[:8000], y[:8000]), (x[8000:], y[8000:])


def fd(reference, images):
    return kgz.metrics.frechet_distance(reference,
                                        kgz.metrics.features(images, extractor="digits"))


nearest_neighbour = kgz.metrics.nearest_neighbour_accuracy
linear_probe = kgz.metrics.linear_probe_accuracy


def train(model, x, epochs, discriminator_lr=None):
    optimizer = keras.optimizers.Adam(discriminator_lr, 0.5) if discriminator_lr else None
    model.compile(discriminator_optimizer=optimizer, steps_per_execution=25)
    start = time.perf_counter()
    history = model.fit(x, batch_size=64, epochs=epochs, verbose=2)
    return time.perf_counter() - start, history


def measure(model, train_set, held_set, held_f, encoder):
    row = {"FD samples": fd(held_f, model.generate(5000, seed=1))}
    if encoder:
        (x, y), (hx, hy) = train_set, held_set
        again = model.reconstruct(hx)
        codes, train_codes = model.encode(hx), model.encode(x)
        row.update({"FD reconstructions": fd(held_f, again),
                    "reconstruction MSE": float(np.mean((again - hx) ** 2)),
                    "1-NN on codes": nearest_neighbour(train_codes, y, codes, hy),
                    "linear probe on codes": linear_probe(train_codes, y, codes, hy)})
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=["ebgan", "bigan", "vaegan"])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--margins", default="1", help="ebgan: comma-separated margins")
    parser.add_argument("--pull-away", type=float, default=0.1, help="ebgan: weight of the PT term")
    parser.add_argument("--discriminator-lr", type=float, default=None,
                        help="Adam(lr, 0.5) for the discriminator instead of the variant's default")
    parser.add_argument("--out", default=str(RESULTS / "family_mnist"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    train_set, held_set = data()
    held_f = kgz.metrics.features(held_set[0], extractor="digits")
    keras.mixed_precision.set_global_policy("mixed_bfloat16")

    runs = {}
    if args.variant == "ebgan":
        for margin in (float(m) for m in args.margins.split(",")):
            runs[f"EBGAN, margin {margin:g}, pulling-away {args.pull_away:g}"] = (
                lambda margin=margin: kgz.EBGAN.for_shape(
                    (28, 28, 1), seed=0, margin=margin, pull_away=args.pull_away,
                    network_kwargs=NETWORKS))
    elif args.variant == "bigan":
        runs["BiGAN"] = lambda: kgz.BiGAN.for_shape((28, 28, 1), seed=0, network_kwargs=NETWORKS)
    else:
        runs["VAE-GAN"] = lambda: kgz.VAEGAN.for_shape((28, 28, 1), seed=0,
                                                       network_kwargs=NETWORKS)
        runs["VAE (gan_weight=0, pixels)"] = lambda: kgz.VAEGAN.for_shape(
            (28, 28, 1), seed=0, gan_weight=0.0, reconstruction="pixels", network_kwargs=NETWORKS)
    rows = []
    for name, build in runs.items():
        keras.utils.set_random_seed(0)
        model = build()
        seconds, _ = train(model, train_set[0], args.epochs, args.discriminator_lr)
        row = measure(model, train_set, held_set, held_f, "encoder" in model.directions)
        grid = os.path.join(args.out, f"{name.split(',')[0].split(' ')[0].lower()}_{args.epochs}.png")
        kgz.visualize.save_image_grid(model.generate(64, seed=0), grid)
        rows.append((name, row, seconds))
        print(name, {k: round(v, 4) for k, v in row.items()}, f"{seconds:.0f} s", flush=True)

    print()
    print(f"MNIST t10k 0-7,999 (train), {args.epochs} epochs of batch 64, base_filters 32, "
          f"latent 64, default optimizers, mixed_bfloat16, seed 0; held-out digits 8,000-9,999; "
          f"{hardware()}")
    print()
    keys = list(rows[0][1])
    print("| model | " + " | ".join(keys) + " | training time |")
    print("| --- " * (len(keys) + 2) + "|")
    for name, row, seconds in rows:
        cells = [f"{100 * row[k]:.2f}%" if k.endswith("codes") else f"{row[k]:.3f}"
                 if k.endswith("MSE") else f"{row[k]:.2f}" for k in keys]
        print(f"| {name} | " + " | ".join(cells) + f" | {seconds / 60:.1f} min |")


if __name__ == "__main__":
    main()

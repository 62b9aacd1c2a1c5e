"""Train on a folder of your own photos, as a user would: what to expect on a CPU.

    python benchmarks/own_images.py                 # DCGAN, 64x64, 30 epochs
    python benchmarks/own_images.py --epochs 10 --mixed-precision

Writes the left halves (photos) of CMP facades files 0-399 from
``../shared/data/facades`` as PNG files into a flat folder, reads it with
``kgz.data.load`` as ``keras-gan-zoo train --data FOLDER`` does, trains the
default GAN for that shape, and prints the time per epoch with sample grids
at a few epochs (``docs/images/own_images_epoch_N.png``).
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, hardware  # noqa: E402


def photo_folder(folder, first=0, last=400):
    files = sorted(f for f in os.listdir(DATA / "facades") if f.endswith(".jpg"))[first:last]
    for name in files:
        with Image.open(DATA / "facades" / name) as pair:
            pair.crop((0, 0, pair.width // 2, pair.height)).save(
                os.path.join(folder, name.replace(".jpg", ".png")))
    return len(files)


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = getattr(self, "seconds", []) + [time.perf_counter() - self.start]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--grids", default="5,10,30", help="epochs to draw samples at")
    parser.add_argument("--mixed-precision", action="store_true", help="mixed_bfloat16")
    parser.add_argument("--out", default="docs/images")
    args = parser.parse_args(argv)
    if args.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        n = photo_folder(folder)
        x, y = kgz.data.load(folder, size=args.size)
    assert y is None and x.shape == (n, args.size, args.size, 3)
    model = kgz.GAN.for_shape(x.shape[1:], seed=0)
    model.compile()
    grids = {int(e) for e in args.grids.split(",") if int(e) <= args.epochs}
    timer = EpochTimer()
    drawn = []

    class Grid(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 in grids:
                path = os.path.join(args.out, f"own_images_epoch_{epoch + 1}.png")
                kgz.visualize.save_image_grid(model.generate(32, seed=0), path, ncols=8)
                drawn.append((epoch + 1, path))

    history = model.fit(x, batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
                        verbose=2, callbacks=[timer, Grid()])
    seconds = np.array(timer.seconds)
    print()
    print(f"{n} facades photos at {args.size}x{args.size}, DCGAN networks (GAN.for_shape), batch "
          f"{args.batch_size}, {'mixed_bfloat16' if args.mixed_precision else 'float32'}; "
          f"{hardware()}")
    print()
    print("| epochs | steps | seconds per epoch (median of epochs 2+) | total | d_loss | g_loss |")
    print("| --- | --- | --- | --- | --- | --- |")
    steps = int(np.ceil(n / args.batch_size))
    print(f"| {args.epochs} | {steps * args.epochs} | {np.median(seconds[1:] if len(seconds) > 1 else seconds):.1f} | "
          f"{seconds.sum() / 60:.1f} min | {history.history['d_loss'][-1]:.3f} | "
          f"{history.history['g_loss'][-1]:.3f} |")
    for epoch, path in drawn:
        print(f"samples after epoch {epoch}: {path}")


if __name__ == "__main__":
    main()

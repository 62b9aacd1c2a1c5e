"""CycleGAN on CMP facades, photo <-> label map, unpaired.

Data: ../shared/data/facades (500 files, pix2pix layout), split into photo
and label-map halves that are shuffled apart (kgz.data.facades); the first
400 files train, the last 100 are held out. Reports the cycle-reconstruction
L1 error (mean absolute difference in [-1, 1] units) of the held-out photos
and label maps, and writes a PNG grid: photos, their label maps, the maps
translated to photos, and the photos translated to maps.

    python benchmarks/cyclegan_facades.py --size 64 --epochs 20
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, Timer, hardware  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--base-filters", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--out", default=str(RESULTS / "cyclegan_facades"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    photos, maps = kgz.data.to_arrays(kgz.data.facades(DATA / "facades", size=args.size, seed=args.seed))
    # Paired copies of the held-out files, to show each photo beside its own map.
    paired_photos, paired_maps = kgz.data.to_arrays(
        kgz.data.facades(DATA / "facades", size=args.size, unpaired=False))
    train = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(photos[:400]).shuffle(400, seed=1),
                                 tf.data.Dataset.from_tensor_slices(maps[:400]).shuffle(400, seed=2)))
    train = train.batch(args.batch_size, drop_remainder=True)
    test_photos, test_maps = paired_photos[400:], paired_maps[400:]

    keras.utils.set_random_seed(args.seed)
    shape = (args.size, args.size, 3)
    model = kgz.CycleGAN.for_shape(shape, shape, base_filters=args.base_filters,
                                    num_blocks=args.blocks, seed=args.seed)
    steps = args.epochs * (400 // args.batch_size)
    lr = kgz.CycleGAN.linear_decay(2e-4, total_steps=steps)
    model.compile(generator_optimizer=keras.optimizers.Adam(lr, 0.5),
                  discriminator_optimizer=keras.optimizers.Adam(lr, 0.5), steps_per_execution=10)
    with Timer() as timer:
        model.fit(train, epochs=args.epochs, verbose=2)

    def cycle_l1(x, forward, backward):
        return float(np.abs(model.translate(model.translate(x, forward), backward) - x).mean())

    photo_error = cycle_l1(test_photos, "a_to_b", "b_to_a")
    map_error = cycle_l1(test_maps, "b_to_a", "a_to_b")
    os.makedirs(args.out, exist_ok=True)
    k = 8
    grid = np.concatenate([test_photos[:k], test_maps[:k], model.translate(test_maps[:k], "b_to_a"),
                           model.translate(test_photos[:k], "a_to_b")])
    kgz.visualize.save_image_grid(grid, os.path.join(args.out, "translations.png"), ncols=k)
    model.save(os.path.join(args.out, "cyclegan_facades.keras"))

    print()
    print(f"CycleGAN (ResNet {args.blocks} blocks, base {args.base_filters} filters; PatchGAN) on "
          f"facades[0:400] at {args.size}x{args.size}, {args.epochs} epochs at batch "
          f"{args.batch_size}; {hardware()}")
    print()
    print("| measure (held-out facades[400:500]) | value |")
    print("| --- | --- |")
    print(f"| photo -> map -> photo, mean L1 in [-1, 1] | {photo_error:.3f} |")
    print(f"| map -> photo -> map, mean L1 in [-1, 1] | {map_error:.3f} |")
    print(f"| training time | {timer.seconds / 60:.1f} min |")
    print(f"\ngrid (rows: photos, their maps, maps -> photos, photos -> maps): "
          f"{args.out}/translations.png")


if __name__ == "__main__":
    main()

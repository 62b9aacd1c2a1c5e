"""Paired translation on CMP facades: label map -> photo by pix2pix, GauGAN and CycleGAN, FCN-scored.

    python benchmarks/paired_facades.py --size 128 --variants pix2pix --epochs 40
    python benchmarks/paired_facades.py --size 128 --variants gaugan --epochs 40
    python benchmarks/paired_facades.py --size 256 --variants pix2pix --epochs 20

Data: ../shared/data/facades, files 0-399 train (as pairs for pix2pix and
GauGAN, shuffled apart for CycleGAN), files 400-499 are held out. Each
held-out label map is translated to a photo, and the photo is scored by the
FCN-score protocol of the pix2pix paper (``kgz.metrics.fcn_score``): the
bundled facades segmenter (trained on photos 0-399, read at 64x64) segments
it, and the classes are compared with the input map's (per-pixel accuracy,
mean per-class accuracy, mean class IoU). The real held-out photos give the
ceiling of that segmenter. Fréchet and kernel distances are measured in the
segmenter's features against the 400 training photos (the real held-out
photos give their floor).

Each run writes a JSON of its figures to ``--out`` (so variants trained in
separate runs are tabled together) and a grid PNG of held-out maps, real
photos and translations. Training uses mixed_bfloat16.
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, Timer, hardware  # noqa: E402

NUM_CLASSES = len(kgz.data.FACADE_CLASSES)


def load(size):
    photos, maps = kgz.data.to_arrays(kgz.data.facades(DATA / "facades", size=size, paired=True))
    return photos, maps


def one_hot(maps):
    return np.eye(NUM_CLASSES, dtype="float32")[kgz.data.facade_classes(maps)]


def train(variant, photos, maps, args):
    """Train one variant on files 0-399; return ``translate(held-out maps) -> photos``."""
    size, shape = args.size, (args.size, args.size, 3)
    steps = args.epochs * (400 // args.batch_size)
    keras.utils.set_random_seed(args.seed)
    if variant == "pix2pix":
        model = kgz.Pix2Pix.for_shape(shape, shape, base_filters=args.filters, seed=args.seed)
        model.compile(steps_per_execution=10)
        model.fit(maps[:400], photos[:400], batch_size=args.batch_size, epochs=args.epochs,
                  verbose=2)
        return model, lambda m: model.translate(m)
    if variant == "gaugan":
        model = kgz.GauGAN.for_shape((size, size, NUM_CLASSES), base_filters=args.filters,
                                     latent_dim=args.latent_dim, hidden=2 * args.filters,
                                     palette=kgz.data.FACADE_PALETTE, seed=args.seed)
        model.compile(steps_per_execution=10)
        model.fit(one_hot(maps[:400]), photos[:400], batch_size=args.batch_size,
                  epochs=args.epochs, verbose=2)
        return model, lambda m: model.translate(m, seed=0)  # colour maps, read by the palette
    if variant == "cyclegan":
        order = np.random.default_rng(args.seed).permutation(400)
        data = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(photos[:400]),
                                    tf.data.Dataset.from_tensor_slices(maps[:400][order])))
        data = data.shuffle(400, seed=args.seed).batch(args.batch_size, drop_remainder=True)
        model = kgz.CycleGAN.for_shape(shape, shape, base_filters=args.filters, seed=args.seed)
        lr = kgz.CycleGAN.linear_decay(2e-4, total_steps=steps)
        model.compile(keras.optimizers.Adam(lr, 0.5), keras.optimizers.Adam(lr, 0.5),
                      steps_per_execution=10)
        model.fit(data, epochs=args.epochs, verbose=2)
        return model, lambda m: model.translate(m, "b_to_a")
    raise ValueError(f"unknown variant {variant!r}; expected pix2pix, gaugan or cyclegan")


def measure(images, maps, reference_features):
    scores = kgz.metrics.fcn_score(images, maps)
    f = kgz.metrics.features(images, extractor="facades")
    scores["fd"] = float(kgz.metrics.frechet_distance(reference_features, f))
    scores["kid_x1000"] = 1000 * float(kgz.metrics.kernel_distance(
        reference_features, f, subset_size=50, extractor="facades")[0])
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--variants", default="pix2pix,gaugan,cyclegan")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--filters", type=int, default=32, help="base filters of every network")
    parser.add_argument("--latent-dim", type=int, default=64, help="GauGAN's style code")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "paired_facades"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    photos, maps = load(args.size)
    held_photos, held_maps = photos[400:], maps[400:]
    reference = kgz.metrics.features(photos[:400], extractor="facades")  # the training photos
    results_path = os.path.join(args.out, f"results_{args.size}.json")
    results = json.load(open(results_path)) if os.path.exists(results_path) else {}
    results["real held-out photos (the ceiling)"] = measure(held_photos, held_maps, reference)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    for variant in args.variants.split(","):
        with Timer() as timer:
            model, translate = train(variant, photos, maps, args)
        made = translate(held_maps)
        results[variant] = {**measure(made, held_maps, reference),
                            "minutes": round(timer.seconds / 60, 1), "epochs": args.epochs,
                            "batch_size": args.batch_size, "filters": args.filters,
                            "parameters_generator": int(model.generator.count_params())}
        np.save(os.path.join(args.out, f"{variant}_{args.size}.npy"), made[:8])
        model.save(os.path.join(args.out, f"{variant}_{args.size}.keras"))
        with open(results_path, "w") as file:
            json.dump(results, file, indent=1)
        print(variant, results[variant], flush=True)

    rows = [held_maps[:8], held_photos[:8]]
    rows += [np.load(os.path.join(args.out, f"{v}_{args.size}.npy")) for v in
             ("pix2pix", "gaugan", "cyclegan") if v in results]
    grid = kgz.visualize.save_image_grid(np.concatenate(rows),
                                         os.path.join(args.out, f"grid_{args.size}.png"), ncols=8)
    print()
    print(f"CMP facades label map -> photo at {args.size}x{args.size}; train 0-399, held out "
          f"400-499; FCN score by the bundled segmenter at 64x64; {hardware()}")
    print()
    print("| model | per-pixel acc. | per-class acc. | class IoU | FD | KID x1000 | epochs | "
          "minutes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        print(f"| {name} | {r['pixel_accuracy']:.3f} | {r['mean_class_accuracy']:.3f} | "
              f"{r['mean_iou']:.3f} | {r['fd']:.2f} | {r['kid_x1000']:.2f} | "
              f"{r.get('epochs', '')} | {r.get('minutes', '')} |")
    print(f"\ngrid (rows: maps, real photos, then each model's photos): {grid}")


if __name__ == "__main__":
    main()

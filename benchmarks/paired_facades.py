"""Label map -> photo on CMP facades: pix2pix and GauGAN (pairs), CycleGAN, GANILLA and NICE-GAN (unpaired), FCN-scored.

    python benchmarks/paired_facades.py --size 128 --variants pix2pix --epochs 40
    python benchmarks/paired_facades.py --size 128 --variants gaugan --filters 16 --epochs 40
    python benchmarks/paired_facades.py --size 128 --variants ganilla,nicegan --filters 16 \
        --epochs 20 --precision float32
    python benchmarks/paired_facades.py --table              # redraw the page's tables

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

Each run adds its rows to ``benchmarks/paired_facades.json`` (so variants
trained in separate runs are tabled together; a row keeps the command and
hardware it came from), redraws the tables of ``docs/benchmarks/paired.md``
and writes grids of held-out maps, real photos and translations. The
unpaired models train on photos and maps shuffled apart, each with its
paper's Adam settings decaying linearly to zero over the run. Training uses
``--precision`` (mixed_bfloat16 by default: slower than float32 on a CPU
without native bfloat16, where ``float32`` is the better choice).
"""

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, Timer, hardware, write_between_markers  # noqa: E402

NUM_CLASSES = len(kgz.data.FACADE_CLASSES)
RECORD = Path(__file__).resolve().parent / "paired_facades.json"
PAGE = RESULTS.parents[1] / "docs" / "benchmarks" / "paired.md"
IMAGES = RESULTS.parents[1] / "docs" / "images"
PAIRED = ("pix2pix", "gaugan")
UNPAIRED = ("cyclegan", "ganilla", "nicegan")
CEILING = "real held-out photos (the ceiling)"


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
    if variant in UNPAIRED:
        order = np.random.default_rng(args.seed).permutation(400)
        data = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(photos[:400]),
                                    tf.data.Dataset.from_tensor_slices(maps[:400][order])))
        data = data.shuffle(400, seed=args.seed).batch(args.batch_size, drop_remainder=True)
        cls = kgz.VARIANTS[variant]
        model = cls.for_shape(shape, shape, base_filters=args.filters, seed=args.seed)
        decayed = []
        for default in cls.default_optimizers():  # the paper's Adam, decaying to zero
            config = default.get_config()
            lr = kgz.CycleGAN.linear_decay(float(config["learning_rate"]), total_steps=steps)
            decayed.append(keras.optimizers.Adam(lr, config["beta_1"], config["beta_2"]))
        model.compile(*decayed, steps_per_execution=10)
        model.fit(data, epochs=args.epochs, verbose=2)
        return model, lambda m: model.translate(m, model.directions[1])
    raise ValueError(f"unknown variant {variant!r}; expected one of "
                     f"{', '.join(PAIRED + UNPAIRED)}")


def measure(images, maps, reference_features):
    scores = kgz.metrics.fcn_score(images, maps)
    f = kgz.metrics.features(images, extractor="facades")
    scores["fd"] = float(kgz.metrics.frechet_distance(reference_features, f))
    scores["kid_x1000"] = 1000 * float(kgz.metrics.kernel_distance(
        reference_features, f, subset_size=50, extractor="facades")[0])
    return scores


def load_record():
    return json.loads(RECORD.read_text()) if RECORD.exists() else {}


def save_record(record):
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def write_tables(record):
    """The page's table at each size, and its grid of the unpaired models' photos."""
    names = {"pix2pix": "pix2pix", "gaugan": "GauGAN", "cyclegan": "CycleGAN (unpaired)",
             "ganilla": "GANILLA (unpaired)", "nicegan": "NICE-GAN (unpaired)"}
    for size, rows in sorted(record.items()):
        lines = ["| model | per-pixel acc. | per-class acc. | class IoU | FD | KID x1000 | "
                 "generator parameters | base filters | epochs | precision | minutes |",
                 "| --- |" + " ---: |" * 10]
        for key in (CEILING, *PAIRED, *UNPAIRED):
            r = rows.get(key)
            if r is None:
                continue
            cells = [f"{r['pixel_accuracy']:.3f}", f"{r['mean_class_accuracy']:.3f}",
                     f"{r['mean_iou']:.3f}", f"{r['fd']:.2f}", f"{r['kid_x1000']:.2f}"]
            if key == CEILING:
                cells += [""] * 5
            else:
                cells += [f"{r['parameters_generator'] / 1e6:.1f} M", str(r["filters"]),
                          str(r["epochs"]), r["precision"], f"{r['minutes']:.1f}"]
            lines.append(f"| {names.get(key, key)} | " + " | ".join(cells) + " |")
        drawn = [names[v] for v in UNPAIRED if rows.get(v, {}).get("in_grid")]
        if drawn and (IMAGES / f"unpaired_facades_{size}.png").exists():
            lines += ["", f"![held-out label maps, their photos, then the photos of "
                          f"{', '.join(drawn)}](../images/unpaired_facades_{size}.png)", "",
                      "Rows: held-out label maps, the real photos, then the photos drawn from "
                      f"the maps by {', '.join(drawn)}."]
        write_between_markers(PAGE, f"facades {size} table", "\n".join(lines))


def save_grid(size, out, held_maps, held_photos):
    """Held-out maps, their photos, then the photos of each unpaired model of this size."""
    found = [v for v in UNPAIRED if os.path.exists(os.path.join(out, f"{v}_{size}.npy"))]
    rows = [held_maps[:8], held_photos[:8]] + [np.load(os.path.join(out, f"{v}_{size}.npy"))
                                               for v in found]
    kgz.visualize.save_image_grid(np.concatenate(rows),
                                  IMAGES / f"unpaired_facades_{size}.png", ncols=8)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--variants", default="pix2pix,gaugan,cyclegan")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--filters", type=int, default=32, help="base filters of every network")
    parser.add_argument("--latent-dim", type=int, default=64, help="GauGAN's style code")
    parser.add_argument("--precision", default="mixed_bfloat16",
                        choices=["float32", "mixed_bfloat16"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "paired_facades"))
    parser.add_argument("--table", action="store_true", help="only redraw the page's tables")
    args = parser.parse_args(argv)
    if args.table:
        write_tables(load_record())
        return
    os.makedirs(args.out, exist_ok=True)

    photos, maps = load(args.size)
    held_photos, held_maps = photos[400:], maps[400:]
    reference = kgz.metrics.features(photos[:400], extractor="facades")  # the training photos
    record = load_record()
    rows = record.setdefault(str(args.size), {})
    rows[CEILING] = measure(held_photos, held_maps, reference)
    keras.mixed_precision.set_global_policy(args.precision)
    command = "python benchmarks/paired_facades.py " + " ".join(sys.argv[1:] if argv is None
                                                                  else argv)
    for variant in args.variants.split(","):
        with Timer() as timer:
            model, translate = train(variant, photos, maps, args)
        made = translate(held_maps)
        rows[variant] = {**measure(made, held_maps, reference),
                         "minutes": round(timer.seconds / 60, 1), "epochs": args.epochs,
                         "batch_size": args.batch_size, "filters": args.filters,
                         "precision": args.precision, "command": command,
                         "hardware": hardware(),
                         "parameters_generator": int(model.generator.count_params())}
        np.save(os.path.join(args.out, f"{variant}_{args.size}.npy"), made[:8])
        model.save(os.path.join(args.out, f"{variant}_{args.size}.keras"))
        save_record(record)
        write_tables(record)
        print(variant, rows[variant], flush=True)
    found = save_grid(args.size, args.out, held_maps, held_photos)
    for variant in found:
        rows[variant]["in_grid"] = True
    save_record(record)
    write_tables(record)
    print(f"grid of the unpaired models' photos ({', '.join(found)}) in {IMAGES}")


if __name__ == "__main__":
    main()

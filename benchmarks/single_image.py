"""SinGAN on one image: SIFID and diversity of its samples, beside the paper's, with grids.

    python benchmarks/single_image.py checks                      # the SIFID feature space
    python benchmarks/single_image.py steps                       # a step's cost per scale
    python benchmarks/single_image.py train brick --size 160      # resumable, then measured
    python benchmarks/single_image.py entry singan_rocket         # measure a zoo entry
    python benchmarks/single_image.py table                       # redraw the page's table

Data: the eight photos and textures of ``../shared/data/single`` (scikit-image
0.25.2's sample images), resized so their long side is ``--size`` pixels.

``train NAME`` trains ``kgz.SinGAN`` with the paper's settings (min_size 25,
scale factor 0.75, 32-128 filters, Adam 5e-4 falling tenfold at 80% of each
scale, WGAN-GP with lambda 0.1, reconstruction weight 10) and
``--steps-per-scale`` steps of one critic and one generator update, with
``fit_resumable`` into ``benchmarks/results/single_image/<name>_<size>/``.
It then draws 100 samples from the whole pyramid and 100 starting from the
real image at the coarsest scale (the paper's "N" and "N - 1"),
measures SIFID (``kgz.metrics.single_image``: the bundled facades
segmenter's second stage, as no Inception weights ship) and diversity of
each, and keeps them in ``benchmarks/single_image.json``; the table and the
grids go to ``docs/benchmarks/single-image.md``.

``checks`` shows the SIFID feature space's behaviour on the real images
(two halves of one image, blur, noise, another image); ``steps`` times a step
at every scale of a 160-pixel image with the machine otherwise idle.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, StepClock, hardware, write_between_markers  # noqa: E402
from keras_gan_zoo.metrics import single_image  # noqa: E402

OUT = RESULTS / "single_image"
RECORD = Path(__file__).resolve().parent / "single_image.json"
PAGE = RESULTS.parents[1] / "docs" / "benchmarks" / "single-image.md"
IMAGES = RESULTS.parents[1] / "docs" / "images"
#: The SinGAN paper's Tables 1 and 2 (50 Places images at 250 px; Inception features for
#: SIFID; diversity over 100 samples): samples from the coarsest scale N, and from N - 1.
PAPER = {"sifid_N": 0.09, "sifid_N-1": 0.05, "diversity_N": 0.5, "diversity_N-1": 0.35}


def image_path(name):
    matches = sorted((DATA / "single").glob(f"{name}.*"))
    if not matches:
        names = sorted(p.stem for p in (DATA / "single").iterdir())
        raise SystemExit(f"no image {name!r} in {DATA / 'single'}; expected one of {names}")
    return matches[0]


def load_image(name, size):
    """The image as ``(1, h, w, 3)`` in [-1, 1], its long side ``size`` pixels."""
    return kgz.data.stream.open_source(str(image_path(name)), size=size).arrays()


def load_record():
    return json.loads(RECORD.read_text()) if RECORD.exists() else {"runs": {}, "steps": {}}


def save_record(record):
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def checks(size=160):
    """SIFID between an image and itself damaged, halves of it, and the other images."""
    names = sorted(p.stem for p in (DATA / "single").iterdir())
    rng = np.random.default_rng(0)
    rows = []
    for name in names:
        x = load_image(name, size)[0]
        w = x.shape[1]
        blur = [tf.nn.avg_pool2d(x[None], 2 * r + 1, 1, "SAME").numpy() for r in (1, 2)]
        noise = [np.clip(x[None] + rng.normal(0, s, x[None].shape), -1, 1) for s in (0.05, 0.2)]
        others = [load_image(o, size)[0] for o in names if o != name]
        row = {"halves": single_image.sifid(x[:, : w // 2], x[None, :, w // 2:])[0],
               "blur 3x3": single_image.sifid(x, blur[0])[0],
               "blur 5x5": single_image.sifid(x, blur[1])[0],
               "noise 0.05": single_image.sifid(x, noise[0])[0],
               "noise 0.2": single_image.sifid(x, noise[1])[0],
               "other images": float(np.mean([single_image.sifid(x, o[None])[0]
                                              for o in others]))}
        rows.append((name, row))
        print(name, {k: round(v, 2) for k, v in row.items()}, flush=True)
    keys = list(rows[0][1])
    lines = ["| image | " + " | ".join(keys) + " |", "| --- |" + " ---: |" * len(keys)]
    lines += [f"| {name} | " + " | ".join(f"{row[k]:.2f}" for k in keys) + " |"
              for name, row in rows]
    lines += ["", f"Images at {size} px on the long side; {hardware()}."]
    write_between_markers(PAGE, "sifid checks", "\n".join(lines))


def steps(name="brick", size=160, count=12):
    """Seconds a step costs at each scale (median after the step that traces)."""
    x = load_image(name, size)
    model = kgz.SinGAN.for_data(x, steps_per_scale=count, seed=0)
    model.compile()
    clock = StepClock()
    costs = []
    for k in range(model.num_scales):
        model.fit(x, epochs=k + 1, initial_epoch=k, verbose=0, callbacks=[clock])
        costs.append(float(np.median(np.diff(clock.times)[2:])))
        print(f"scale {k} {model.sizes[k]}: {costs[-1]:.3f} s a step", flush=True)
    record = load_record()
    record["steps"][str(size)] = {"sizes": [list(s) for s in model.sizes], "seconds": costs,
                                  "hardware": hardware()}
    save_record(record)
    write_table(record)


def run_dir(name, size):
    return OUT / f"{name}_{size}"


def train(name, size, steps_per_scale, seed=0):
    x = load_image(name, size)
    directory = run_dir(name, size)
    resume = (directory / kgz.training.CHECKPOINT).exists()
    model = None
    if not resume:
        keras.utils.set_random_seed(seed)
        model = kgz.SinGAN.for_data(x, steps_per_scale=steps_per_scale, seed=seed)
        model.compile()
    started = time.perf_counter()
    epochs = len(kgz.variants.singan.networks.pyramid_sizes(*x.shape[1:3]))
    model, _ = kgz.training.fit_resumable(model, x, directory=str(directory), epochs=epochs,
                                          batch_size=1, seed=seed, resume=resume, verbose=2)
    minutes = (time.perf_counter() - started) / 60
    model.save(directory / "model.keras")
    measure(name, size, model, x, minutes)


def entry(handle):
    """Measure a zoo entry trained with this benchmark's settings (tools/train_zoo.py)."""
    card = kgz.zoo.info(handle)
    if card.get("variant") != "singan" or "image" not in card:
        raise SystemExit(f"{handle} is not a SinGAN entry trained on an image of {DATA / 'single'}")
    model = kgz.zoo.load(handle)
    size = max(model.sizes[-1])
    measure(card["image"], size, model, load_image(card["image"], size),
            card["training_minutes"], trained_by=f"zoo entry {handle}")


def measure(name, size, model, x, minutes, n=100, trained_by="this benchmark"):
    real = x[0]
    samples = model.generate(n, seed=1, batch_size=10)  # as many as the paper's diversity
    from_image = model.generate_from(n, 1, real, seed=2)
    row = {"size": list(real.shape[:2]), "scales": model.num_scales,
           "steps_per_scale": model.steps_per_scale, "minutes": round(minutes, 1),
           "trained_by": trained_by,
           "hardware": hardware(), "noise_amplitudes": [round(a, 4)
                                                       for a in model.noise_amplitudes()]}
    for key, made in (("N", samples), ("N-1", from_image)):
        row[f"sifid_{key}"] = round(single_image.sifid(real, made)[0], 3)
        row[f"diversity_{key}"] = round(single_image.diversity(real, made), 3)
    rec = model.reconstruct(model.num_scales - 1, 1).numpy()
    row["reconstruction_rmse"] = round(float(np.sqrt(np.mean((rec[0] - real) ** 2))), 4)
    print(name, row, flush=True)
    record = load_record()
    record["runs"][f"{name}_{size}"] = row
    save_record(record)
    grid = np.concatenate([samples[:5], from_image[:5]])  # generated only: the photo stays in ../shared/data
    kgz.visualize.save_image_grid(grid, IMAGES / f"singan_{name}_samples.png", ncols=10)
    wide = model.retarget(3, height=1.0, width=1.6, seed=3)
    kgz.visualize.save_image_grid(wide, IMAGES / f"singan_{name}_wide.png", ncols=3)
    levels = [level[0] for level in model.scale_samples(1, seed=4)]
    top = max(level.shape[0] for level in levels)
    padded = [np.pad(level, ((0, top - level.shape[0]), (0, 0), (0, 0)), constant_values=1.0)
              for level in levels]
    kgz.visualize.save_image_grid(np.concatenate(padded, axis=1)[None],
                                  IMAGES / f"singan_{name}_scales.png", min_tile=1)
    write_table(record)


def write_table(record):
    if record["steps"]:
        lines = []
        for size, entry in sorted(record["steps"].items()):
            lines += [f"An image of {size} px on the long side: one step (a critic and a generator "
                      "update, batch 1) at each scale", "",
                      "| scale | size | seconds a step |", "| ---: | --- | ---: |"]
            lines += [f"| {k} | {h}x{w} | {s:.3f} |"
                      for k, ((h, w), s) in enumerate(zip(entry["sizes"], entry["seconds"]))]
            lines += ["", f"Measured on {entry['hardware']}, the machine otherwise idle."]
        write_between_markers(PAGE, "singan steps", "\n".join(lines))
    if record["runs"]:
        lines = ["| image | size | scales | steps a scale | SIFID (N) | diversity (N) | "
                 "SIFID (N-1) | diversity (N-1) | reconstruction RMSE | trained by |",
                 "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for key, r in sorted(record["runs"].items()):
            lines.append(f"| {key.rsplit('_', 1)[0]} | {r['size'][0]}x{r['size'][1]} | "
                         f"{r['scales']} | {r['steps_per_scale']:,} | {r['sifid_N']:.2f} | "
                         f"{r['diversity_N']:.2f} | {r['sifid_N-1']:.2f} | "
                         f"{r['diversity_N-1']:.2f} | {r['reconstruction_rmse']:.3f} | "
                         f"{r['trained_by']} |")
        lines.append(f"| the paper (50 Places photos, Inception features) | 250 px | - | 6,000 "
                     f"| {PAPER['sifid_N']} | {PAPER['diversity_N']} | {PAPER['sifid_N-1']} | "
                     f"{PAPER['diversity_N-1']} | - | - |")
        write_between_markers(PAGE, "singan table", "\n".join(lines))
        grids = []
        for key in sorted(record["runs"]):
            name = key.rsplit("_", 1)[0]
            grids += [f"**{name}**: 5 samples from noise (N), then 5 from the photo's coarsest "
                      "version (N-1)", "", f"![{name}](../images/singan_{name}_samples.png)", "",
                      "Wider (width x 1.6), and one sample at every scale:", "",
                      f"![{name} wider](../images/singan_{name}_wide.png)", "",
                      f"![{name} scales](../images/singan_{name}_scales.png)", ""]
        write_between_markers(PAGE, "singan grids", "\n".join(grids).rstrip())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    ch = commands.add_parser("checks", help="SIFID's feature space on the real images")
    ch.add_argument("--size", type=int, default=160)
    st = commands.add_parser("steps", help="a step's cost at each scale (idle machine)")
    st.add_argument("--size", type=int, default=160)
    tr = commands.add_parser("train", help="train (or resume) SinGAN on one image, measure it")
    tr.add_argument("image")
    tr.add_argument("--size", type=int, default=160)
    tr.add_argument("--steps-per-scale", type=int, default=1000)
    tr.add_argument("--seed", type=int, default=0)
    en = commands.add_parser("entry", help="measure a zoo entry trained with these settings")
    en.add_argument("handle", help="e.g. singan_rocket (python tools/train_zoo.py singan_rocket)")
    commands.add_parser("table", help="redraw the page's tables from the record")
    args = parser.parse_args(argv)
    if args.command == "checks":
        checks(args.size)
    elif args.command == "steps":
        steps(size=args.size)
    elif args.command == "train":
        train(args.image, args.size, args.steps_per_scale, args.seed)
    elif args.command == "entry":
        entry(args.handle)
    else:
        write_table(load_record())


if __name__ == "__main__":
    main()

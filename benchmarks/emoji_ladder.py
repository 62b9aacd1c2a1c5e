"""The quality ladder on Twemoji at 64 px: DCGAN, WGAN-GP, SNGAN, SAGAN, BigGAN, LAPGAN, StyleGAN2.

    python benchmarks/emoji_ladder.py train --model dcgan           # resumable; --seed 1, 2
    python benchmarks/emoji_ladder.py train --all                   # every model in turn
    python benchmarks/emoji_ladder.py score                         # measure the runs, write the page
    python benchmarks/emoji_ladder.py steps                         # seconds a training step costs

Data: Twemoji on white at 64x64 (``kgz.data.emoji``, Twemoji CC-BY 4.0), the
project's split by base emoji: the 3,025 training emoji train every model
(BigGAN also reads their 9 categories); the distances are to them.

Every model sees the same number of images (``--kimg``, 30,000 by default:
about 10 epochs at batch 32) under ``float32`` with ``fit_resumable``
(a killed run continues with ``train`` again) into
``benchmarks/results/emoji_ladder/<model>_s<seed>/``, keeping a snapshot and
its elapsed training time every epoch. ``score`` measures each run twice: at
the end (the same images seen) and at the last snapshot within the same
wall-clock budget (``--minutes``), with 3,000 samples in the bundled emoji
extractor's features: Fréchet and kernel distance, precision, recall,
density, coverage, and for BigGAN the extractor's category accuracy on the
category asked for. Models trained with more than one seed show the mean and
spread. The table and the sample grids go to ``docs/benchmarks/ladder.md``.

The ResNet models (SNGAN, SAGAN, BigGAN) use 16 base filters, StyleGAN2 16
too (the defaults are sized for GPUs); every model keeps a moving average of
its generator where its paper does (BigGAN, StyleGAN2) and only there.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, hardware, write_between_markers  # noqa: E402

OUT = RESULTS / "emoji_ladder"
PAGE = RESULTS.parents[1] / "docs" / "benchmarks" / "ladder.md"
IMAGES = RESULTS.parents[1] / "docs" / "images"
SHAPE = (64, 64, 3)
RESNET = {"architecture": "resnet", "base_filters": 16}

#: StudioGAN's CIFAR-10 FID (Kang et al., PyTorch-StudioGAN README, batch 64, 2021 numbers):
#: the published ordering to compare with.
STUDIOGAN_CIFAR10_FID = {"dcgan": 49.0, "wgan_gp": 25.9, "sngan": 13.2, "sagan": 14.0,
                         "biggan": 8.0}


def _ttur(beta_2=0.9):
    return lambda: (keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=beta_2),
                    keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=beta_2))


#: model: (builder of the compiled model's variant, optimizers (None: the variant's))
MODELS = {
    "dcgan": (lambda seed: kgz.GAN.for_shape(SHAPE, seed=seed), None),
    "wgan_gp": (lambda seed: kgz.WGANGP.for_shape(SHAPE, seed=seed), None),
    "sngan": (lambda seed: kgz.GAN.for_shape(SHAPE, network_kwargs=RESNET, loss="hinge",
                                             seed=seed), _ttur()),
    "sagan": (lambda seed: kgz.SAGAN.for_shape(SHAPE, network_kwargs={"base_filters": 16},
                                               seed=seed), None),
    "biggan": (lambda seed: kgz.BigGAN.for_shape(SHAPE, num_classes=9,
                                                 network_kwargs={"base_filters": 16},
                                                 seed=seed), None),
    "lapgan": (lambda seed: kgz.LAPGAN.for_shape(SHAPE, seed=seed), None),
    "stylegan2": (lambda seed: kgz.StyleGAN2.for_shape(SHAPE, network_kwargs={"base_filters": 16},
                                                       seed=seed), None),
}


def emoji(split="train"):
    return kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", "twemoji", split=split))


def run_dir(model, seed):
    return OUT / f"{model}_s{seed}"


class Snapshots(keras.callbacks.Callback):
    """Save the model and its elapsed training time after every epoch (time adds up over
    resumed sessions, from ``elapsed.json``)."""

    def __init__(self, directory):
        super().__init__()
        self.directory = directory
        path = directory / "elapsed.json"
        self.log = json.loads(path.read_text()) if path.exists() else {}

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        before = max([v["seconds"] for v in self.log.values()], default=0.0)
        seconds = before + time.perf_counter() - self.start
        images = int(self.model.generator_optimizer.iterations) * self.batch_size
        self.model.save(self.directory / f"epoch_{epoch + 1:03d}.keras")
        self.log[str(epoch + 1)] = {"seconds": round(seconds, 1), "images": images}
        (self.directory / "elapsed.json").write_text(json.dumps(self.log, indent=1))


def train(model_name, seed, kimg, batch_size=32):
    keras.utils.set_random_seed(seed)
    x, y = emoji()
    directory = run_dir(model_name, seed)
    directory.mkdir(parents=True, exist_ok=True)
    resume = (directory / kgz.training.CHECKPOINT).exists()
    model = None
    if not resume:
        build, optimizers = MODELS[model_name]
        model = build(seed)
        g_opt, d_opt = optimizers() if optimizers else (None, None)
        model.compile(generator_optimizer=g_opt, discriminator_optimizer=d_opt)
    labels = y if model_name == "biggan" else None
    epochs = int(np.ceil(kimg * 1000 / (len(x) // batch_size * batch_size)))
    snapshots = Snapshots(directory)
    snapshots.batch_size = batch_size
    model, _ = kgz.training.fit_resumable(model, x, labels, directory=str(directory),
                                          epochs=epochs, batch_size=batch_size, seed=seed,
                                          resume=resume, verbose=2, callbacks=[snapshots])
    model.save(directory / "model.keras")
    print(json.dumps({"model": model_name, "seed": seed, "epochs": epochs,
                      "elapsed": snapshots.log.get(str(epochs))}))


def _measure(model, real_f, conditional, counts):
    if conditional:
        asked = np.repeat(np.arange(9), np.round(3000 * counts / counts.sum()).astype(int))[:3000]
        images = model.generate(len(asked), labels=asked, seed=1)
    else:
        images = model.generate(3000, seed=1)
    fake_f = kgz.metrics.features(images, extractor="emoji")
    m = {"fd": kgz.metrics.frechet_distance(real_f, fake_f),
         "kid_x1000": 1000 * kgz.metrics.kernel_distance(real_f, fake_f)[0],
         **kgz.metrics.precision_recall(real_f, fake_f), **kgz.metrics.density_coverage(
             real_f, fake_f)}
    if conditional:
        m["class_accuracy"] = float(np.mean(kgz.metrics.classify_emoji(images) == asked))
    return m


def score(minutes):
    x, y = emoji()
    real_f = kgz.metrics.features(x, extractor="emoji")
    counts = np.bincount(y, minlength=9)
    results = {}
    for directory in sorted(OUT.glob("*_s*")):
        name, seed = directory.name.rsplit("_s", 1)
        log_path = directory / "elapsed.json"
        if not (directory / "model.keras").exists() or not log_path.exists():
            print(f"{directory.name}: not finished, left out", file=sys.stderr)
            continue
        log = {int(k): v for k, v in json.loads(log_path.read_text()).items()}
        within = [e for e, v in log.items() if v["seconds"] <= minutes * 60]
        row = {"seconds": log[max(log)]["seconds"], "images": log[max(log)]["images"]}
        for when, epoch in (("same_images", max(log)), ("same_time", max(within, default=None))):
            if epoch is None:
                row[when] = None
                continue
            model = keras.saving.load_model(directory / f"epoch_{epoch:03d}.keras")
            row[when] = {**_measure(model, real_f, name == "biggan", counts), "epoch": epoch,
                         "images": log[epoch]["images"], "seconds": log[epoch]["seconds"]}
            if when == "same_images" and seed == "0":
                grid = (model.generate(36, labels=np.arange(36) % 9, seed=0) if name == "biggan"
                        else model.generate(36, seed=0))
                kgz.visualize.save_image_grid(grid, IMAGES / f"ladder_{name}.png", ncols=9)
        results.setdefault(name, {})[seed] = row
        print(f"{directory.name}: {row}", flush=True)
    (OUT / "scores.json").write_text(json.dumps({"minutes": minutes, "hardware": hardware(),
                                                 "runs": results}, indent=1))
    write_between_markers(PAGE, "ladder table", table(results, minutes))


class _Clock(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


def steps(names, count=8, batch_size=32):
    """The median seconds of a training step of each model (batch 32 of 64 px images, the
    ladder's settings; the first two steps, which trace the graph, left out)."""
    x = np.random.default_rng(0).uniform(-1, 1, (batch_size * count, *SHAPE)).astype("float32")
    y = (np.arange(len(x)) % 9).astype("int32")
    print(f"| model | seconds a step (batch {batch_size}, 64 px) |\n| --- | ---: |")
    for name in names:
        build, optimizers = MODELS[name]
        model = build(0)
        g_opt, d_opt = optimizers() if optimizers else (None, None)
        model.compile(generator_optimizer=g_opt, discriminator_optimizer=d_opt)
        clock = _Clock()
        model.fit(x, y if name == "biggan" else None, batch_size=batch_size, epochs=1, verbose=0,
                  callbacks=[clock])
        print(f"| {name} | {np.median(np.diff(clock.times)[1:]):.2f} |", flush=True)
    print(f"\n{hardware()}")


def _cell(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{format(np.mean(values), fmt)} ± {format(np.std(values), fmt)}"


def table(results, minutes):
    keys = [("fd", "FD", ".1f"), ("kid_x1000", "KID x 1000", ".1f"), ("precision", "precision",
            ".2f"), ("recall", "recall", ".2f"), ("density", "density", ".2f"),
            ("coverage", "coverage", ".2f"), ("class_accuracy", "class accuracy", ".2f")]
    lines = []
    for when, title in (("same_images", "the same images seen"),
                        ("same_time", f"the same wall-clock budget ({minutes} min)")):
        lines += [f"**At {title}**", "",
                  "| model | seeds | " + " | ".join(k[1] for k in keys)
                  + " | minutes | StudioGAN CIFAR-10 FID |",
                  "| --- | ---: |" + " ---: |" * (len(keys) + 2)]
        for name in MODELS:
            runs = [r[when] for r in results.get(name, {}).values() if r.get(when)]
            if not runs:
                continue
            cells = [_cell([r.get(k) for r in runs], fmt) for k, _, fmt in keys]
            lines.append(f"| {name} | {len(runs)} | " + " | ".join(cells)
                         + f" | {_cell([r['seconds'] / 60 for r in runs], '.0f')} | "
                         + f"{STUDIOGAN_CIFAR10_FID.get(name, '-')} |")
        lines.append("")
    return "\n".join(lines).rstrip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tr = commands.add_parser("train")
    tr.add_argument("--model", choices=list(MODELS))
    tr.add_argument("--all", action="store_true")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--kimg", type=float, default=30.0)
    sc = commands.add_parser("score")
    sc.add_argument("--minutes", type=float, default=20.0)
    st = commands.add_parser("steps")
    st.add_argument("models", nargs="*", default=list(MODELS))
    args = parser.parse_args(argv)
    if args.command == "train":
        if not (args.all or args.model):
            parser.error("train needs --model NAME or --all")
        for name in (MODELS if args.all else [args.model]):
            train(name, args.seed, args.kimg)
    elif args.command == "steps":
        steps(args.models)
    else:
        score(args.minutes)


if __name__ == "__main__":
    main()

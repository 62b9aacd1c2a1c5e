"""Twemoji -> Noto, checked against the truth: CycleGAN, GANILLA and NICE-GAN unpaired, pix2pix paired.

    python benchmarks/emoji_translation.py steps                  # a step's cost, idle machine
    python benchmarks/emoji_translation.py train --model ganilla  # resumable, then measured
    python benchmarks/emoji_translation.py train --all
    python benchmarks/emoji_translation.py entry ganilla_emoji    # a zoo entry of these steps
    python benchmarks/emoji_translation.py table                  # redraw the page's table

Data: the emoji data set (``kgz.data.emoji``; Twemoji CC-BY 4.0, Noto Emoji
Apache 2.0) on white at 64x64, the project's split by base emoji. Every
emoji exists in both styles, so a translation can be judged against the
truth: the unpaired models train on the 3,035 training emoji of each style
in two independent orders (they never see which Twemoji is which Noto);
pix2pix trains on the pairs, the ceiling of what the pairs teach. All of
them translate the 746 held-out Twemoji, and are measured against their
true Noto counterparts: per-pixel L1 (in [0, 2] units of the [-1, 1]
range), Fréchet distance in the bundled emoji extractor's features (the
translated set against the true Noto set), and the share that the
extractor puts in the emoji's true category. The same number of steps of
batch 4 for every model (``--epochs``), float32, ``fit_resumable`` into
``benchmarks/results/emoji_translation/<model>/``, or a zoo entry whose recipe
trains the same steps (``entry``: GANILLA's and NICE-GAN's, at 24 base
filters to fit the zoo's budget); the scores go to
``benchmarks/emoji_translation.json`` and the table and a grid to
``docs/benchmarks/translation.md``.
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

OUT = RESULTS / "emoji_translation"
RECORD = Path(__file__).resolve().parent / "emoji_translation.json"
PAGE = RESULTS.parents[1] / "docs" / "benchmarks" / "translation.md"
IMAGES = RESULTS.parents[1] / "docs" / "images"
SHAPE = (64, 64, 3)
BATCH = 4

#: model: builder (the paper's networks at 32 base filters, CycleGAN's and GANILLA's at the
#: paper's 6 blocks / ResNet-18 body) and whether it trains on pairs
MODELS = {
    "cyclegan": (lambda: kgz.CycleGAN.for_shape(SHAPE, SHAPE, seed=0), False),
    "ganilla": (lambda: kgz.GANILLA.for_shape(SHAPE, SHAPE, seed=0), False),
    "nicegan": (lambda: kgz.NICEGAN.for_shape(SHAPE, SHAPE, seed=0), False),
    "pix2pix": (lambda: kgz.Pix2Pix.for_shape(SHAPE, SHAPE, base_filters=32, seed=0), True),
}


def emoji(style, split):
    return kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", style, split=split))


def training_data(paired, seed=0):
    twemoji, _ = emoji("twemoji", "train")
    noto, _ = emoji("noto", "train")
    if paired:
        return twemoji, noto
    rng = np.random.default_rng(seed)  # two independent orders: no pair is ever shown
    return twemoji[rng.permutation(len(twemoji))], noto[rng.permutation(len(noto))]


def load_record():
    return json.loads(RECORD.read_text()) if RECORD.exists() else {"runs": {}, "steps": {}}


def save_record(record):
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def _dataset(a, b):
    return tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(a),
                                tf.data.Dataset.from_tensor_slices(b))).batch(BATCH, True)


def steps(names, count=10):
    """Seconds a training step of each model costs (median after the traced steps)."""
    a, b = training_data(False)
    record = load_record()
    for name in names:
        build, _ = MODELS[name]
        model = build()
        model.compile()
        clock = StepClock()
        model.fit(_dataset(a[:count * BATCH], b[:count * BATCH]), epochs=1, verbose=0,
                  callbacks=[clock])
        record["steps"][name] = round(float(np.median(np.diff(clock.times)[1:])), 3)
        print(f"{name}: {record['steps'][name]} s a step", flush=True)
    record["steps_hardware"] = hardware()
    save_record(record)
    write_table(record)


def train(name, epochs):
    build, paired = MODELS[name]
    a, b = training_data(paired)
    directory = OUT / name
    resume = (directory / kgz.training.CHECKPOINT).exists()
    model = None
    if not resume:
        keras.utils.set_random_seed(0)
        model = build()
        model.compile()
    source = kgz.data.stream.PairSource(kgz.data.stream.ArraySource(a),
                                        kgz.data.stream.ArraySource(b), paired=paired)
    started = time.perf_counter()
    model, _ = kgz.training.fit_resumable(model, source, directory=str(directory),
                                          epochs=epochs, batch_size=BATCH, seed=0,
                                          resume=resume, verbose=2)
    model.save(directory / "model.keras")
    measure(name, model, epochs, (time.perf_counter() - started) / 60)


def measure(name, model, epochs, minutes, source="this benchmark", steps=None):
    twemoji, labels = emoji("twemoji", "test")
    noto, _ = emoji("noto", "test")
    made = model.translate(twemoji, direction=model.directions[0])
    scores = kgz.metrics.translation_against_truth(made, noto, classify=kgz.metrics.classify_emoji,
                                                   labels=labels)
    row = {"l1": round(scores["l1"], 4), "fd": round(scores["fd"], 3),
           "category_kept": round(scores["class_kept"], 4),
           "generator_parameters": model.signature(model.directions[0]).generator.count_params(),
           "steps": steps or int(model.generator_optimizer.iterations),
           "epochs": epochs, "minutes": round(minutes, 1), "trained_by": source,
           "hardware": hardware()}
    print(name, row, flush=True)
    record = load_record()
    record["runs"][name] = row
    if "identity" not in record:  # what doing nothing scores: Twemoji itself against Noto
        i = kgz.metrics.translation_against_truth(twemoji, noto,
                                                  classify=kgz.metrics.classify_emoji,
                                                  labels=labels)
        record["identity"] = {"l1": round(i["l1"], 4), "fd": round(i["fd"], 3),
                              "category_kept": round(i["class_kept"], 4)}
    save_record(record)
    picks = np.arange(0, len(twemoji), len(twemoji) // 10)[:10]
    grid = np.concatenate([twemoji[picks], made[picks], noto[picks]])
    kgz.visualize.save_image_grid(grid, IMAGES / f"translation_{name}.png", ncols=10)
    write_table(record)


def entry(handle):
    """Measure a zoo entry trained with this benchmark's steps and batch (its recipe says so)."""
    card = kgz.zoo.info(handle)
    if card["variant"] not in MODELS:
        raise SystemExit(f"{handle} is a {card['variant']}; this table has rows for "
                         f"{', '.join(MODELS)}")
    model = kgz.zoo.load(handle)
    steps = card["epochs"] * (len(emoji("twemoji", "train")[0]) // BATCH)
    measure(card["variant"], model, card["epochs"], card["training_minutes"],
            source=f"zoo entry {handle}", steps=steps)


def write_table(record):
    if record.get("steps"):
        lines = ["| model | seconds a step (batch 4, 64 px) |", "| --- | ---: |"]
        lines += [f"| {name} | {s:.2f} |" for name, s in record["steps"].items()]
        lines += ["", f"Measured on {record['steps_hardware']}, the machine otherwise idle."]
        write_between_markers(PAGE, "translation steps", "\n".join(lines))
    if record.get("runs"):
        lines = ["| model | trains on | generator parameters | steps | L1 to the true Noto | "
                 "FD (emoji features) | category kept | trained by |",
                 "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for name in MODELS:
            r = record["runs"].get(name)
            if r:
                lines.append(f"| {name} | {'pairs' if MODELS[name][1] else 'unpaired sets'} | "
                             f"{r['generator_parameters'] / 1e6:.2f} M | {r['steps']:,} | "
                             f"{r['l1']:.3f} | {r['fd']:.1f} | {r['category_kept']:.2f} | "
                             f"{r['trained_by']} |")
        if "identity" in record:
            i = record["identity"]
            lines.append(f"| no translation (Twemoji as it is) | - | - | - | {i['l1']:.3f} | "
                         f"{i['fd']:.1f} | {i['category_kept']:.2f} | - |")
        write_between_markers(PAGE, "translation table", "\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    st = commands.add_parser("steps", help="a step's cost of each model (idle machine)")
    st.add_argument("models", nargs="*", default=list(MODELS))
    tr = commands.add_parser("train", help="train (or resume) a model, then measure it")
    tr.add_argument("--model", choices=list(MODELS))
    tr.add_argument("--all", action="store_true")
    tr.add_argument("--epochs", type=int, default=2)
    en = commands.add_parser("entry", help="measure a zoo entry trained with these steps")
    en.add_argument("handle", help="e.g. ganilla_emoji (python tools/train_zoo.py ganilla_emoji)")
    commands.add_parser("table", help="redraw the page's tables from the record")
    args = parser.parse_args(argv)
    if args.command == "steps":
        steps(args.models)
    elif args.command == "train":
        if not (args.all or args.model):
            parser.error("train needs --model NAME or --all")
        for name in (MODELS if args.all else [args.model]):
            train(name, args.epochs)
    elif args.command == "entry":
        entry(args.handle)
    else:
        write_table(load_record())


if __name__ == "__main__":
    main()

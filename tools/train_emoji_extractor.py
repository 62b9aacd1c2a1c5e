"""Train the emoji extractor that ships in the package (keras_gan_zoo/metrics/).

Data: both styles of ../shared/data/emoji (Twemoji CC-BY 4.0, Noto Emoji
Apache 2.0) on white at 64x64, labelled with each emoji's subcategory
("face-smiling", "animal-mammal", ...); the project's split by base emoji
(``kgz.data.emoji(split=...)``: every fifth base emoji, with its skin
variants, held out). Augmented with flips and shifts of up to 6 px; no
noise or blur, which the features must stay sensitive to.

    python tools/train_emoji_extractor.py                 # writes the bundled weights
    python tools/train_emoji_extractor.py --out /tmp/emoji.weights.h5 --epochs 2
    python tools/train_emoji_extractor.py --check-only    # the checks of the shipped file

Prints and writes (JSON beside the weights) the held-out subcategory and
category accuracy, and the FID paper's checks of its features on Twemoji:
the Fréchet and kernel distances between two disjoint random halves (near
zero), between the styles, and from one half to the other half disturbed
by noise, blur, swirl and salt-and-pepper at rising strength (these must
rise). Draws the checks to docs/images/emoji_extractor_checks.png.
"""

import argparse
import importlib
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from kit import DATA, ROOT, Timer, hardware  # noqa: E402
kgz_features = importlib.import_module("keras_gan_zoo.metrics.features")  # the module

PLOT = ROOT / "docs" / "images" / "emoji_extractor_checks.png"


def load(split, style):
    """Images and subcategory names of one split and style, in sort order."""
    folder = DATA / "emoji"
    records = [r for r in kgz.data.emoji_records(folder)
               if split == "all" or (r["base"] % 5 == 4) == (split == "test")]
    images = np.stack([x.numpy() for x, _ in kgz.data.emoji(folder, style, split=split)])
    return images, [r["subcategory"] for r in records], [r["category"] for r in records]


def augmented(image, label):
    """A random flip and a shift of up to 6 px (the border padded with the white background)."""
    image = tf.image.random_flip_left_right(image)
    padded = tf.pad(image, [[6, 6], [6, 6], [0, 0]], constant_values=1.0)
    return tf.image.random_crop(padded, tf.shape(image)), label


def train(args, subcategories):
    x, names, _ = zip(*(load("train", style) for style in kgz.data.EMOJI_STYLES))
    x, names = np.concatenate(x), sum(names, [])
    y = np.asarray([subcategories.index(n) for n in names], "int32")
    keras.utils.set_random_seed(args.seed)
    net = kgz_features.emoji_extractor_network(classes=len(subcategories))
    trainer = keras.Model(net.inputs, net.outputs[0])
    steps = args.epochs * (len(x) // 64)
    trainer.compile(keras.optimizers.AdamW(keras.optimizers.schedules.CosineDecay(2e-3, steps),
                                           weight_decay=1e-4),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    data = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=args.seed)
            .map(augmented, num_parallel_calls=tf.data.AUTOTUNE).batch(64, drop_remainder=True)
            .prefetch(2))
    with Timer() as timer:
        trainer.fit(data, epochs=args.epochs, verbose=2)
    net.save_weights(args.out)
    return net, timer.seconds


def categories_of():
    """Each subcategory's category (what ``kgz.metrics.classify_emoji`` answers with)."""
    return {r["subcategory"]: r["category"] for r in kgz.data.emoji_records(DATA / "emoji")}


def accuracy(net, subcategories):
    categories = categories_of()
    out = {}
    for style in kgz.data.EMOJI_STYLES:
        x, names, cats = load("test", style)
        logits = np.asarray(net.predict(x, batch_size=128, verbose=0)[0])
        guessed = [subcategories[i] for i in logits.argmax(-1)]
        out[style] = {
            "subcategory": float(np.mean([g == n for g, n in zip(guessed, names)])),
            "category": float(np.mean([categories[g] == c for g, c in zip(guessed, cats)])),
            "held_out_images": len(x)}
    return out


def checks(extract):
    """The FID paper's checks on Twemoji: halves, styles, and four disturbances at five levels."""
    twemoji = load("all", "twemoji")[0]
    noto = load("all", "noto")[0]
    order = np.random.default_rng(0).permutation(len(twemoji))
    a, b = twemoji[order[: len(order) // 2]], twemoji[order[len(order) // 2:]]
    fa = extract(a)

    def distances(images):
        f = extract(images)
        return {"fd": kgz.metrics.frechet_distance(fa, f),
                "kid_x1000": 1000 * kgz.metrics.kernel_distance(fa, f, num_subsets=20)[0]}

    report = {"halves": distances(b), "noto_vs_twemoji": distances(noto[order[len(order) // 2:]]),
              "disturbances": {}, "levels": list(kgz.metrics.DISTURBANCE_LEVELS),
              "data": f"Twemoji, all {len(twemoji)} (Component left out), two random halves "
                      "(seed 0) of {0} and {1}: the first is the reference, the second "
                      "is disturbed".format(len(a), len(b))}
    bar = keras.utils.Progbar(len(kgz.metrics.DISTURBANCES) * len(kgz.metrics.DISTURBANCE_LEVELS),
                              unit_name="disturbance")
    for kind in kgz.metrics.DISTURBANCES:
        rows = []
        for level in kgz.metrics.DISTURBANCE_LEVELS:
            rows.append(distances(kgz.metrics.disturb(b, kind, level, seed=1)))
            bar.add(1)
        report["disturbances"][kind] = rows
    report["monotonic"] = {kind: all(p["fd"] < q["fd"] for p, q in zip(rows, rows[1:]))
                           for kind, rows in report["disturbances"].items()}
    return report, b[:1]


def plot(report, example, path):
    """The Fréchet distance against strength for each disturbance, over the damaged images."""
    from matplotlib.figure import Figure

    kinds = list(report["disturbances"])
    levels = report["levels"]
    fig = Figure(figsize=(2.4 * len(kinds), 4.6), dpi=110)
    grid = fig.add_gridspec(2, len(kinds), height_ratios=[3, 1.1])
    for i, kind in enumerate(kinds):
        ax = fig.add_subplot(grid[0, i])
        ax.plot(levels, [row["fd"] for row in report["disturbances"][kind]], "o-")
        ax.axhline(report["halves"]["fd"], color="grey", lw=0.8, ls=":")
        ax.set_title(kind.replace("_", " and "), fontsize=10)
        ax.set_xlabel("strength", fontsize=9)
        if i == 0:
            ax.set_ylabel("Fréchet distance", fontsize=9)
        ax.tick_params(labelsize=8)
        strip = np.concatenate([kgz.metrics.disturb(example, kind, level, seed=1)[0]
                                for level in levels], axis=1)
        ax = fig.add_subplot(grid[1, i])
        ax.imshow((strip + 1) / 2)
        ax.set_axis_off()
    fig.suptitle("Emoji extractor: distance from real Twemoji rises with damage "
                 "(dotted: two real halves)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=kgz_features.EMOJI_EXTRACTOR)
    parser.add_argument("--check-only", action="store_true",
                        help="measure the file at --out, train nothing")
    args = parser.parse_args(argv)

    records = kgz.data.emoji_records(DATA / "emoji")
    subcategories = sorted({r["subcategory"] for r in records})
    if args.check_only:
        net = kgz_features.emoji_extractor_network(classes=len(subcategories))
        net.load_weights(args.out)
        seconds, epochs = None, None
    else:
        net, seconds = train(args, subcategories)
        epochs = args.epochs
    extract = lambda images: np.asarray(net.predict(images, batch_size=128, verbose=0)[1])  # noqa: E731
    report, example = checks(extract)
    figures = {"held_out_accuracy": accuracy(net, subcategories), "checks": report,
               "subcategories": subcategories, "categories": categories_of(),
               "parameters": int(net.count_params()),
               "feature_size": int(net.outputs[1].shape[-1]), "hardware": hardware(),
               "data": "emoji (Twemoji and Noto, 64x64 on white), both styles; split by base "
                       "emoji: every fifth held out"}
    card = os.path.splitext(os.path.splitext(args.out)[0])[0] + ".json"
    if args.check_only and os.path.exists(card):
        with open(card) as file:
            old = json.load(file)
        epochs, seconds = old.get("epochs"), old.get("train_seconds")
    figures.update({"epochs": epochs, "train_seconds": seconds})
    with open(card, "w") as file:
        json.dump(figures, file, indent=1)
    kgz_features._cache.pop("emoji", None)
    if os.path.abspath(args.out) == os.path.abspath(kgz_features.EMOJI_EXTRACTOR):
        plot(report, example, PLOT)
        print(f"wrote {args.out}, {card} and {PLOT}")
    print(json.dumps({k: v for k, v in figures.items() if k not in ("subcategories", "categories")},
                     indent=1))
    return 0 if all(report["monotonic"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())

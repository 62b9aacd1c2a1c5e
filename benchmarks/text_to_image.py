"""StackGAN on the emoji names: does a sample fit its text, is it an emoji, is it a copy?

    python benchmarks/text_to_image.py                        # the zoo entry stackgan_emoji
    python benchmarks/text_to_image.py --model run/model.keras

Data: the emoji data set (``kgz.data.emoji``; Twemoji CC-BY 4.0) on white at
64x64 with each emoji's name as its text, the project's split by base emoji
(3,035 training emoji; 746 held out, whose 381 names the model never saw).
Measured with the bundled emoji extractor (features and its category
classifier):

* **category accuracy**: the share of 8 samples drawn for each name that
  the extractor puts in the name's category, for the held-out names and the
  training names; beside it the extractor's own accuracy on the real
  held-out emoji (the ceiling) and the accuracy when each sample is judged
  against another name's category (what ignoring the text would score);
* **FD, KID, precision, recall, density, coverage** of 3,000 samples for
  training names against the training emoji;
* **copies**: each sample's distance to its nearest training emoji in the
  extractor's features, against the same distance for the real held-out
  emoji (a model that copies sits nearer than real new emoji do).

Writes ``benchmarks/text_to_image.json``, the page's table and a grid of
held-out names (``docs/images/stackgan_emoji.png``).
"""

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, hardware, write_between_markers  # noqa: E402
from keras_gan_zoo.data.files import emoji_records  # noqa: E402

RECORD = Path(__file__).resolve().parent / "text_to_image.json"
PAGE = RESULTS.parents[1] / "docs" / "benchmarks" / "text-to-image.md"
GRID = RESULTS.parents[1] / "docs" / "images" / "stackgan_emoji.png"
#: Held-out names (never trained on) whose words the encoder knows, one row each.
GRID_NAMES = ("light blue heart", "hugging face", "detective", "dog face", "green apple",
              "crescent moon", "christmas tree", "sunglasses", "large yellow circle",
              "japan flag")


def emoji(split):
    """``(images, categories, names)`` of Twemoji ``split``."""
    images, categories = kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", "twemoji",
                                                           split=split))
    names = [r["name"].lower() for r in emoji_records(DATA / "emoji")
             if (r["base"] % 5 == 4) == (split == "test")]
    return images, categories, names


def nearest(features, reference, chunk=500):
    """Each row's Euclidean distance to its nearest row of ``reference``."""
    out = []
    squared = (reference ** 2).sum(1)
    for start in range(0, len(features), chunk):
        part = features[start:start + chunk]
        d = (part ** 2).sum(1)[:, None] - 2 * part @ reference.T + squared[None]
        out.append(np.sqrt(np.maximum(d.min(1), 0)))
    return np.concatenate(out)


def measure(model):
    train_x, train_y, train_names = emoji("train")
    held_x, held_y, held_names = emoji("test")
    classify = kgz.metrics.classify_emoji
    known = (model.tokens(held_names) > 1).any(axis=1)  # a word the encoder knows
    held = [(n, c) for n, c, k in zip(held_names, held_y, known) if k]
    result = {
        "held_out_names": len(dict.fromkeys(held_names)),
        "held_out_names_with_a_known_word": len(dict.fromkeys(n for n, _ in held)),
        "held_out_accuracy": kgz.metrics.text_accuracy(
            model, [n for n, _ in held], [c for _, c in held], classify, n_per_text=8, seed=2),
        "training_accuracy": kgz.metrics.text_accuracy(model, train_names, train_y, classify,
                                                       n_per_text=8, seed=2),
        "real_held_out_accuracy": float(np.mean(classify(held_x) == held_y)),
    }
    # judged against another name's category: what a model that ignores its text scores
    pairs = list(dict.fromkeys(held))
    shuffled = np.random.default_rng(0).permutation(len(pairs))
    result["other_name_accuracy"] = kgz.metrics.text_accuracy(
        model, [pairs[i][0] for i in shuffled], [c for _, c in pairs], classify, n_per_text=8,
        seed=2)
    order = np.random.default_rng(1).permutation(len(train_names))[:3000]
    samples = model.generate(3000, text=[train_names[i] for i in order], seed=1)
    real_f = kgz.metrics.features(train_x, extractor="emoji")
    fake_f = kgz.metrics.features(samples, extractor="emoji")
    held_f = kgz.metrics.features(held_x, extractor="emoji")
    pr = kgz.metrics.precision_recall(real_f, fake_f[:len(real_f)])
    dc = kgz.metrics.density_coverage(real_f, fake_f[:len(real_f)])
    result.update(fd=kgz.metrics.frechet_distance(real_f, fake_f),
                  kid_x1000=1000 * kgz.metrics.kernel_distance(real_f, fake_f)[0],
                  precision=pr["precision"], recall=pr["recall"], density=dc["density"],
                  coverage=dc["coverage"])
    fake_nn, real_nn = nearest(fake_f, real_f), nearest(held_f, real_f)
    result.update(median_nearest_sample=float(np.median(fake_nn)),
                  median_nearest_real=float(np.median(real_nn)),
                  share_nearer_than_closest_percentile=float(
                      np.mean(fake_nn < np.percentile(real_nn, 1))))
    return result


def write_page(record):
    r = record["result"]
    lines = [
        "| | held-out names | training names |", "| --- | ---: | ---: |",
        f"| category accuracy of samples | {100 * r['held_out_accuracy']:.1f}% | "
        f"{100 * r['training_accuracy']:.1f}% |",
        f"| judged against another name's category | {100 * r['other_name_accuracy']:.1f}% | |",
        f"| the extractor on the real emoji (ceiling) | {100 * r['real_held_out_accuracy']:.1f}% "
        "| |", "",
        f"Held-out names: {r['held_out_names']}, of which {r['held_out_names_with_a_known_word']} "
        "have a word the encoder knows (the others are refused and not counted).", "",
        "| FD | KID x 1000 | precision | recall | density | coverage |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {r['fd']:.1f} | {r['kid_x1000']:.0f} | {r['precision']:.2f} | {r['recall']:.2f} | "
        f"{r['density']:.2f} | {r['coverage']:.2f} |", "",
        f"Copies: the median distance of a sample to its nearest training emoji is "
        f"{r['median_nearest_sample']:.2f}, of a real held-out emoji {r['median_nearest_real']:.2f}"
        f"; {100 * r['share_nearer_than_closest_percentile']:.1f}% of the samples are nearer "
        "than the nearest 1% of the real held-out emoji.", "",
        f"Model: {record['model']}. Measured on {record['hardware']}.",
    ]
    write_between_markers(PAGE, "text table", "\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="stackgan_emoji", help="zoo name or .keras file")
    args = parser.parse_args(argv)
    model = (keras.saving.load_model(args.model) if args.model.endswith(".keras")
             else kgz.zoo.load(args.model))
    record = {"model": args.model, "hardware": hardware(), "result": measure(model)}
    RECORD.write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record["result"], indent=1))
    write_page(record)
    grid = model.generate(8 * len(GRID_NAMES), text=[n for n in GRID_NAMES for _ in range(8)],
                          seed=0)
    kgz.visualize.save_image_grid(grid, GRID, ncols=8)
    print(f"wrote {PAGE} and {GRID}")


if __name__ == "__main__":
    main()

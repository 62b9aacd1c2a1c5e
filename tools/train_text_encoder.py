"""Train the text encoder of emoji names that ships with StackGAN (keras_gan_zoo/variants/stackgan/).

Data: the names and images of ../shared/data/emoji (Twemoji CC-BY 4.0, Noto
Emoji Apache 2.0), the project's split by base emoji (every fifth base emoji
held out, with its skin variants). The encoder (a bag of words: embedding,
mean, linear map to a unit vector) learns from the training names only, and
so does its vocabulary. It is trained contrastively, as CLIP pairs texts and
images: in a batch of names, each name's embedding must pick out the features
(bundled emoji extractor, a linear map to a unit vector) of one of its images,
Twemoji or Noto, among the batch's other names' images, and the image its
name (a symmetric cross-entropy of the cosine similarities over a
temperature). The image side is thrown away after training.

    python tools/train_text_encoder.py            # writes the bundled encoder
    python tools/train_text_encoder.py --out /tmp/text --epochs 20

Prints and writes (JSON beside the weights) how well the held-out names find
their own emoji among the held-out emoji (top-1 and top-5 of the ~300 held
out base emoji, both styles' features averaged; chance is 1/300), and how
many held-out words the vocabulary lacks.
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from keras_gan_zoo.data.files import EMOJI_STYLES, emoji_records  # noqa: E402
from keras_gan_zoo.models.contract import Port  # noqa: E402
from keras_gan_zoo.variants.stackgan import text  # noqa: E402
from kit import DATA, Timer, hardware  # noqa: E402

SHAPE = {"length": 12, "dim": 128, "width": 64}
TEMPERATURE = 0.07


def emoji_features(split):
    """``(records, features)``: the split's emoji records and, per record, the emoji
    extractor's features of its Twemoji and Noto images ``(n, 2, d)``."""
    records = [r for r in emoji_records(DATA / "emoji") if (r["base"] % 5 == 4) == (split == "test")]
    styles = []
    for style in EMOJI_STYLES:
        images, _ = kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", style, split=split))
        styles.append(kgz.metrics.features(images, extractor="emoji", verbose=0))
    return records, np.stack(styles, axis=1)


def by_base(records, features):
    """``(names, [features of each base emoji's images (k, d)])``, one entry per base emoji."""
    groups = {}
    for record, feats in zip(records, features):
        name, rows = groups.setdefault(record["base"], (record["name"].lower(), []))
        rows.extend(feats)
    names = [name for name, _ in groups.values()]
    return names, [np.asarray(rows) for _, rows in groups.values()]


def train(epochs=200, batch_size=256, seed=0):
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    records, features = emoji_features("train")
    names, images = by_base(records, features)
    vocabulary = text.vocabulary_of(names)
    port = Port.text(SHAPE["length"], vocabulary, names[:1])
    ids = port.tokens(names)
    mean, std = features.reshape(-1, features.shape[-1]).mean(0), features.std() + 1e-6

    encoder = text.text_encoder(len(vocabulary), **SHAPE)
    image_side = keras.Sequential([keras.Input((features.shape[-1],)),
                                   keras.layers.Dense(SHAPE["dim"]),
                                   keras.layers.UnitNormalization()])
    optimizer = keras.optimizers.Adam(1e-3)
    variables = encoder.trainable_variables + image_side.trainable_variables

    @tf.function
    def step(batch_ids, batch_images):
        with tf.GradientTape() as tape:
            similarity = tf.matmul(encoder(batch_ids, training=True),
                                   image_side(batch_images, training=True),
                                   transpose_b=True) / TEMPERATURE
            targets = tf.range(tf.shape(similarity)[0])
            loss = 0.5 * (
                tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
                    targets, similarity, from_logits=True))
                + tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
                    targets, tf.transpose(similarity), from_logits=True)))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    bar = keras.utils.Progbar(epochs, unit_name="epoch")
    for epoch in range(epochs):
        order = rng.permutation(len(names))
        losses = []
        for start in range(0, len(order) - batch_size + 1, batch_size):
            chosen = order[start:start + batch_size]
            picks = np.stack([images[i][rng.integers(len(images[i]))] for i in chosen])
            losses.append(float(step(ids[chosen], ((picks - mean) / std).astype("float32"))))
        bar.update(epoch + 1, [("loss", float(np.mean(losses)))])
    return encoder, vocabulary, names, (mean, std), image_side


def measure(encoder, vocabulary, normalise, image_side):
    """Held-out names against the held-out emoji: top-1 and top-5 retrieval, unknown words."""
    records, features = emoji_features("test")
    names, images = by_base(records, features)
    port = Port.text(SHAPE["length"], vocabulary, names[:1])
    mean, std = normalise
    texts = keras.ops.convert_to_numpy(encoder(port.tokens(names)))
    pictures = keras.ops.convert_to_numpy(image_side(
        np.stack([((i - mean) / std).mean(0) for i in images]).astype("float32")))
    ranks = np.argsort(-texts @ pictures.T, axis=1)
    truth = np.arange(len(names))[:, None]
    words = [w for n in names for w in text.WORD.findall(n)]
    unknown = set(port.unknown_words(names))
    return {"held_out_names": len(names), "top1": float((ranks[:, :1] == truth).any(1).mean()),
            "top5": float((ranks[:, :5] == truth).any(1).mean()),
            "chance_top1": 1.0 / len(names),
            "unknown_word_share": sum(w in unknown for w in words) / len(words),
            "names_without_a_known_word": int(sum(all(w in unknown for w in text.WORD.findall(n))
                                                  for n in names))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--out", help="write encoder files here (default: the package)")
    args = parser.parse_args(argv)
    with Timer() as timer:
        encoder, vocabulary, names, normalise, image_side = train(args.epochs)
    measured = measure(encoder, vocabulary, normalise, image_side)
    print(json.dumps(measured, indent=1))
    out = text.BUNDLED if args.out is None else os.path.join(args.out, text.BUNDLED.name)
    os.makedirs(os.path.dirname(os.fspath(out)), exist_ok=True)
    examples = ["red heart", "grinning face", "cat face", "rocket", "sun", "pizza",
                "soccer ball", "thumbs up sign"]
    port = Port.text(SHAPE["length"], vocabulary, examples)
    unknown = port.unknown_words(examples)
    assert not unknown, f"the example texts should be in the vocabulary, not {unknown}"
    facts = {"shape": SHAPE, "vocabulary": vocabulary, "examples": examples,
             "measured": measured, "epochs": args.epochs, "temperature": TEMPERATURE,
             "training_names": len(names), "minutes": round(timer.seconds / 60, 1),
             "hardware": hardware(),
             "data": "names and images of ../shared/data/emoji (Twemoji CC-BY 4.0, Noto Emoji "
                     "Apache 2.0), the project's split by base emoji (train names only)"}
    with open(out, "w") as f:
        json.dump(facts, f, indent=1)
    encoder.save_weights(os.fspath(out).replace(".json", ".weights.h5"))
    print(f"wrote {out} and its weights ({len(vocabulary):,} words)")


if __name__ == "__main__":
    main()

"""StackGAN's text encoder: word ids -> a unit vector, and the bundled one trained on emoji names.

StackGAN reads a *fixed* text embedding (the paper used Reed et al.'s
char-CNN-RNN, trained to match images and their captions). Here the encoder
is a bag of words: a word embedding, the mean over the text's words (padding
left out) and a linear map to a unit vector. The bundled encoder
(``emoji_text_encoder``) was trained by ``tools/train_text_encoder.py`` on
the names of the 3,035 training emoji, contrastively against the bundled
emoji extractor's features of their Twemoji and Noto images (as CLIP pairs
texts and images), so texts of emoji that look alike lie close. Its
vocabulary is the training names' words; others read as unknown.
"""

import json
from pathlib import Path

import keras
from keras import layers, ops

from keras_gan_zoo.models.contract import PAD, UNKNOWN, WORD

__all__ = ["BUNDLED", "MaskedMean", "emoji_text_encoder", "text_encoder", "vocabulary_of"]

#: The bundled encoder's files, beside this module.
BUNDLED = Path(__file__).with_name("emoji_text_encoder.json")


@keras.saving.register_keras_serializable("keras_gan_zoo")
class MaskedMean(layers.Layer):
    """``[vectors (n, L, d), ids (n, L)] -> (n, d)``: the mean of the vectors of non-zero ids
    (a text without a known word averages to zeros)."""

    def call(self, inputs):
        vectors, ids = inputs
        mask = ops.expand_dims(ops.cast(ops.greater(ids, 0), vectors.dtype), -1)
        total = ops.sum(vectors * mask, axis=1)
        return total / ops.maximum(ops.sum(mask, axis=1), 1.0)


def vocabulary_of(texts, min_count=1):
    """The vocabulary of a text port for ``texts``: padding, unknown, then their words by
    frequency (ties alphabetically), those seen at least ``min_count`` times."""
    counts = {}
    for text in texts:
        for word in WORD.findall(str(text).lower()):
            counts[word] = counts.get(word, 0) + 1
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return [PAD, UNKNOWN, *words]


def text_encoder(vocabulary_size, length=12, dim=128, width=64, name="text_encoder"):
    """``ids (n, length) int32 -> (n, dim)`` unit vectors: embedding, masked mean, linear map."""
    ids = keras.Input((length,), dtype="int32", name="text")
    vectors = layers.Embedding(vocabulary_size, width, name="words")(ids)
    mean = MaskedMean(name="mean")([vectors, ids])
    out = layers.UnitNormalization(name="unit")(layers.Dense(dim, name="project")(mean))
    return keras.Model(ids, out, name=name)


def emoji_text_encoder():
    """``(encoder, vocabulary, facts)``: the bundled encoder of emoji names (frozen), its
    vocabulary and what its trainer measured (``facts``)."""
    if not BUNDLED.exists():
        raise FileNotFoundError(f"the bundled text encoder {BUNDLED.name} is missing; train it "
                                "with python tools/train_text_encoder.py")
    facts = json.loads(BUNDLED.read_text())
    encoder = text_encoder(len(facts["vocabulary"]), **facts["shape"])
    encoder.load_weights(str(BUNDLED.with_suffix(".weights.h5")))
    encoder.trainable = False
    return encoder, facts["vocabulary"], facts

"""kgz.NICEGAN: encoders that are the discriminators' front, moved only by their optimizer; the
three heads; translation as one graph; and the harness."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.nicegan.networks import (LayerInstanceNorm, global_downsamplings,
                                                     nicegan_classifier, nicegan_decoder,
                                                     nicegan_encoder)
from variant_checks import VariantChecks

SHAPE = (32, 32, 1)


def small(shape=SHAPE, **kwargs):
    return kgz.NICEGAN.for_shape(shape, shape, base_filters=4, num_blocks=1, seed=1, **kwargs)


class TestNICEGANChecks(VariantChecks):
    variant = "nicegan"

    def build(self):
        return small()

    def build_user(self):
        def decoder(name):  # the user's own: two plain convolutions and an upsampling
            z = keras.Input((None, None, 8))
            x = keras.layers.UpSampling2D(4)(keras.layers.Conv2D(8, 3, padding="same",
                                                                 activation="relu")(z))
            return keras.Model(z, keras.layers.Conv2D(1, 3, padding="same",
                                                      activation="tanh")(x), name=name)

        return kgz.NICEGAN(nicegan_encoder(1, 4, "encoder_a"), nicegan_encoder(1, 4, "encoder_b"),
                           decoder("decoder_ab"), decoder("decoder_ba"),
                           nicegan_classifier(4, 32, "classifier_a"),
                           nicegan_classifier(4, 32, "classifier_b"),
                           image_shape_a=SHAPE, image_shape_b=SHAPE, seed=1)


def batches(n=4, shape=SHAPE):
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (n, *shape)).astype("float32") for _ in range(2))
    return tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(a),
                                tf.data.Dataset.from_tensor_slices(b))).batch(n), a, b


def test_only_the_discriminators_optimizer_moves_the_encoders():
    keras.utils.set_random_seed(0)
    model = small()
    # the discriminators' optimizer at rate 0: whatever moves, the generators' step moved
    model.compile(generator_optimizer=keras.optimizers.SGD(0.1),
                  discriminator_optimizer=keras.optimizers.SGD(0.0))
    encoders = model.encoder_a.trainable_variables + model.encoder_b.trainable_variables
    before = [v.numpy().copy() for v in encoders]
    decoders = [w.copy() for w in model.decoder_ab.get_weights()]
    model.fit(batches()[0], epochs=1, verbose=0)
    for old, var in zip(before, encoders):  # the generators' gradients reached them, unused
        np.testing.assert_array_equal(old, var.numpy())
    assert any(not np.array_equal(a, b) for a, b in zip(decoders, model.decoder_ab.get_weights()))
    assert set(map(id, model.generator_variables)).isdisjoint(
        map(id, model.discriminator_variables))


def test_translation_is_encoder_then_decoder_as_one_graph():
    model = small()
    _, a, _ = batches()
    translator = model.signature("a_to_b").generator
    z, _ = model.encoder_a(a)
    np.testing.assert_allclose(translator(a), model.decoder_ab(z), atol=1e-6)
    assert model.translate(a, direction="b_to_a").shape == a.shape
    assert {"encoder_a", "decoder_ab", "classifier_a"} <= set(model.trained_networks())


def test_three_heads_and_layer_instance_norm():
    model = small((64, 64, 3))
    z, logits = model.judge("a", np.zeros((2, 64, 64, 3), "float32"))
    assert z.shape == (2, 16, 16, 8)
    assert [tuple(x.shape) for x in logits] == [(2, 6, 6, 1), (2, 2, 2, 1), (2, 1)]
    assert [global_downsamplings(s) for s in (32, 64, 128, 256, 512)] == [0, 1, 2, 2, 2]
    x = np.random.default_rng(0).normal(2, 3, (2, 8, 8, 4)).astype("float32")
    norm = LayerInstanceNorm()
    out = np.asarray(norm(x))  # rho starts at (1, 3.2): mostly layer norm
    w = np.exp([1.0, 3.2]) / np.exp([1.0, 3.2]).sum()
    inst = (x - x.mean((1, 2), keepdims=True)) / np.sqrt(x.var((1, 2), ddof=1, keepdims=True)
                                                           + 1e-5)
    layer = (x - x.mean((1, 2, 3), keepdims=True)) / np.sqrt(
        x.var((1, 2, 3), ddof=1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(out, w[0] * inst + w[1] * layer, atol=1e-4)
    with pytest.raises(ValueError, match=r"divisible by 16 and at least 32, got \(16, 16, 3\)"):
        kgz.NICEGAN.for_shape((16, 16, 3))
    assert nicegan_decoder(3, 4, 1)(np.zeros((1, 8, 8, 8), "float32")).shape == (1, 32, 32, 3)

"""kgz.LAPGAN: the pyramid, levels trained on their own residuals, the chain that samples and
exports as one graph, and the harness."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.lapgan.networks import default_networks, level_sizes
from variant_checks import VariantChecks, fit

SHAPE16 = (16, 16, 1)


def small(shape=SHAPE16, **kwargs):
    return kgz.LAPGAN.for_shape(shape, latent_dim=4, network_kwargs={"base_filters": 4},
                                seed=1, **kwargs)


class TestLAPGANChecks(VariantChecks):
    variant = "lapgan"

    def build(self):
        return small()

    def build_user(self):
        # the user's own chain: a plain dense level 0 and a one-convolution refiner
        z = keras.Input((4,), name="z")
        plane = keras.Input((16, 16, 1), name="noise1")
        base = keras.Sequential([keras.Input((4,)), keras.layers.Dense(64, activation="tanh"),
                                 keras.layers.Reshape((8, 8, 1))], name="level0")
        coarse_in, noise_in = keras.Input((16, 16, 1)), keras.Input((16, 16, 1))
        refiner = keras.Model([coarse_in, noise_in], keras.layers.Conv2D(1, 3, padding="same")(
            keras.layers.Concatenate()([coarse_in, noise_in])), name="level1")
        x = base(z)
        up = keras.layers.UpSampling2D(2, interpolation="bilinear", name="up1")(x)
        image = kgz.networks.layers.Clip()(keras.layers.Add()([up, refiner([up, plane])]))
        generator = keras.Model([z, plane], image)
        _, discriminator = default_networks(SHAPE16, latent_dim=4, base_filters=4)
        return kgz.LAPGAN(generator, discriminator, seed=1)


def test_levels_halve_down_to_8_and_other_shapes_are_named():
    assert level_sizes((64, 64, 3)) == [8, 16, 32, 64]
    assert [p.name for p in small((32, 32, 3)).signature().inputs] == ["z", "noise1", "noise2"]
    for shape in ((8, 8, 3), (48, 48, 3), (32, 16, 3), (32, 32, 4)):
        with pytest.raises(ValueError, match=r"LAPGAN's pyramid halves square images down to "
                                             r"8x8: expected \(s, s, 1 or 3\)"):
            level_sizes(shape)


def test_the_pyramid_is_2x2_averages_and_the_coarse_images_are_upsampled():
    model = small((32, 32, 1))
    images = tf.constant(np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 1)), tf.float32)
    levels, coarse = model.pyramid(images)
    assert [tuple(x.shape[1:3]) for x in levels] == [(8, 8), (16, 16), (32, 32)]
    np.testing.assert_allclose(levels[1][0, 0, 0, 0], np.mean(images[0, :2, :2, 0]), rtol=1e-5)
    np.testing.assert_allclose(coarse[1], tf.image.resize(levels[1], (32, 32), "bilinear"),
                               atol=1e-5)
    # the residual a refiner learns is what the upsampled image lacks
    assert float(tf.reduce_mean(tf.abs(levels[2] - coarse[1]))) > 0.1


def test_each_level_is_trained_from_the_real_coarse_image_so_levels_are_independent():
    model = small((32, 32, 1))
    images = tf.constant(np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 1)), tf.float32)
    _, coarse = model.pyramid(images)
    z, planes = model._draws(2, 0, tf.constant(0, tf.int64))
    before = model.fakes(z, planes, coarse, training=False)
    level0 = model.generator.get_layer("level0")
    level0.set_weights([w * 0 for w in level0.get_weights()])
    after = model.fakes(z, planes, coarse, training=False)
    assert not np.allclose(before[0], after[0])
    for k in (1, 2):  # the refiners read the real pyramid, not level 0's output
        np.testing.assert_array_equal(before[k], after[k])


def test_sampling_chains_the_levels_and_every_level_learns():
    keras.utils.set_random_seed(0)
    model = small()
    model.compile()
    weights = {k: [w.copy() for w in model.generator.get_layer(f"level{k}").get_weights()]
               for k in (0, 1)}
    fit(model, epochs=2)
    for k, old in weights.items():
        new = model.generator.get_layer(f"level{k}").get_weights()
        assert any(not np.array_equal(a, b) for a, b in zip(old, new)), f"level {k} did not move"
    levels = model.level_samples(3, seed=4)
    assert [x.shape for x in levels] == [(3, 8, 8, 1), (3, 16, 16, 1)]
    np.testing.assert_allclose(model.generate(3, seed=4), levels[-1], atol=1e-5)
    assert model.signature().output.range == (-1.0, 1.0)  # the chain ends in Clip


def test_a_generator_without_named_levels_is_refused():
    _, discriminator = default_networks(SHAPE16, latent_dim=4, base_filters=4)
    z, plane = keras.Input((4,)), keras.Input((16, 16, 1))
    plain = keras.Model([z, plane], keras.layers.Reshape((16, 16, 1))(
        keras.layers.Dense(256, activation="tanh")(z)))
    with pytest.raises(ValueError, match="levels named level0, level1 .* and no level0, level1"):
        kgz.LAPGAN(plain, discriminator)

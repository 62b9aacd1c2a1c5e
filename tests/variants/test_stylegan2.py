"""kgz.StyleGAN2: modulation on activations equals the paper's modulated weights, style mixing,
truncation toward the average style, lazy path-length regularisation, its settings, the harness."""

import numpy as np
import pytest
import keras
import tensorflow as tf
from keras import layers

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.stylegan2.networks import (ModulatedConv2D, StyleBroadcast,
                                                       TruncateTowardMean, default_networks,
                                                       noise_sizes, stylegan2_sizes)
from variant_checks import SHAPE, VariantChecks, fit, user_discriminator

RNG = np.random.default_rng(0)
SMALL = {"base_filters": 4, "mapping_layers": 2}


def small(shape=SHAPE, **kwargs):
    return kgz.StyleGAN2.for_shape(shape, latent_dim=8, network_kwargs=SMALL, seed=1, **kwargs)


def user_stylegan2_generator(latent_dim=8, shape=SHAPE):
    """The named parts from plain Keras layers: a dense mapping, a dense synthesis."""
    num_ws, sizes = 2 * len(stylegan2_sizes(shape)), noise_sizes(shape)
    mapping = keras.Sequential([keras.Input((latent_dim,)), layers.Dense(latent_dim,
                                                                         activation="relu")],
                               name="mapping")
    ws = keras.Input((num_ws, latent_dim))
    maps = [keras.Input((s, s, 1)) for s in sizes]
    h = layers.Dense(int(np.prod(shape)))(layers.Flatten()(ws))
    image = layers.Add()([layers.Reshape(shape)(h), layers.Conv2D(shape[-1], 1)(maps[-1])])
    synthesis = keras.Model([ws, *maps], image, name="synthesis")
    z, psi = keras.Input((latent_dim,)), keras.Input(())
    outer = [keras.Input((s, s, 1)) for s in sizes]
    w = TruncateTowardMean(name="truncate")([mapping(z), psi])
    out = layers.Activation("tanh")(synthesis([StyleBroadcast(num_ws)(w), *outer]))
    return keras.Model([z, psi, *outer], out)


class TestStyleGAN2Checks(VariantChecks):
    """The harness with both regularisers at every update (no lazy ``tf.cond``: a graph that
    traces in a fraction of the time); the lazy intervals have their own test below."""

    variant = "stylegan2"

    def build(self):
        return small(r_interval=1, pl_interval=1)

    def build_user(self):
        return kgz.StyleGAN2(user_stylegan2_generator(), user_discriminator(), seed=1,
                             r_interval=1, pl_interval=1)


def test_modulation_on_activations_equals_the_papers_modulated_and_demodulated_weights():
    layer = ModulatedConv2D(5, 3)
    x = RNG.normal(size=(3, 6, 6, 4)).astype("float32")
    w = RNG.normal(size=(3, 7)).astype("float32")
    out = keras.ops.convert_to_numpy(layer([x, w]))
    styles = keras.ops.convert_to_numpy(layer.affine(w))             # (n, in)
    kernel = keras.ops.convert_to_numpy(layer.kernel) * layer.scale  # (3, 3, in, out)
    for i in range(3):  # the paper: a kernel per sample, modulated, then demodulated
        modulated = kernel * styles[i][None, None, :, None]
        demod = modulated / np.sqrt((modulated ** 2).sum(axis=(0, 1, 2)) + 1e-8)
        expected = tf.nn.conv2d(x[i:i + 1], demod, 1, "SAME").numpy()[0]
        np.testing.assert_allclose(out[i], expected, rtol=1e-4, atol=1e-4)
    # demodulated outputs have about unit scale whatever the style's size
    loud = keras.ops.convert_to_numpy(layer([x * 10, w]))
    np.testing.assert_allclose(loud, out * 10, rtol=1e-4, atol=1e-3)
    assert 0.3 < out.std() < 3


def test_style_mixing_reads_the_second_style_from_the_cutoff_on():
    model = small((16, 16, 3))
    draws = model.noise(200, 0, tf.constant(0, tf.int64))
    cutoff = draws["cutoff"].numpy()
    assert 0.8 < np.mean(cutoff < model.num_ws) < 0.97  # style_mixing = 0.9
    assert cutoff.min() >= 1 and cutoff.max() <= model.num_ws
    w1, ws = model._styles(draws, training=False)
    w2 = model.generator.get_layer("mapping")(draws["z2"])
    for i in range(5):
        c = cutoff[i]
        np.testing.assert_allclose(ws[i, :c], np.broadcast_to(w1[i], ws[i, :c].shape))
        np.testing.assert_allclose(ws[i, c:], np.broadcast_to(w2[i], ws[i, c:].shape))
    off = small((16, 16, 3), style_mixing=0.0).noise(50, 0, tf.constant(0, tf.int64))
    assert (off["cutoff"].numpy() == model.num_ws).all()


def test_truncation_moves_toward_the_average_style():
    model = small()
    model.compile()
    fit(model, epochs=2)
    average = model.generator.get_layer("truncate").w_avg.numpy()
    assert np.abs(average).max() > 0  # training moved it from zero
    maps = {f"noise{i}": np.zeros((6, s, s, 1), "float32")
            for i, s in enumerate(noise_sizes(SHAPE))}
    mean_image = model.generate(6, seed=0, truncation=0.0, **maps)
    np.testing.assert_allclose(mean_image, np.broadcast_to(mean_image[:1], mean_image.shape),
                               atol=1e-5)  # psi 0: every z gives the average style's image
    assert not np.allclose(model.generate(6, seed=0, truncation=1.0, **maps)[0],
                           model.generate(6, seed=0, truncation=1.0, **maps)[1])
    np.testing.assert_array_equal(model.generate(3, seed=5),
                                  model.generate(3, seed=5, truncation=1.0))


def test_path_length_regularisation_runs_every_fourth_update_and_keeps_its_mean():
    keras.utils.set_random_seed(0)
    model = small(pl_interval=4)
    model.compile()
    history = fit(model, epochs=5)
    penalties = history.history["pl_penalty"]
    assert float(model.pl_mean) > 0
    # updates 0 and 4 computed it (the mean over due updates only); none between
    assert penalties[0] > 0 and penalties[4] > 0
    off = small(pl_weight=0.0)
    off.compile()
    assert fit(off).history["pl_penalty"] == [0.0]


def test_the_papers_settings_are_the_defaults():
    model = kgz.StyleGAN2.for_shape((64, 64, 3), network_kwargs={"base_filters": 8})
    assert model.latent_dim == 256 and model.num_ws == 10
    assert model.r1_weight == pytest.approx(0.0002 * 64 ** 2 / 32) and model.r_interval == 16
    assert (model.pl_weight, model.pl_interval, model.style_mixing) == (2.0, 4, 0.9)
    assert model.ema == 0.998 and model.loss_name == "non_saturating"
    model.compile()
    g, d = model.generator_optimizer, model.discriminator_optimizer
    assert float(g.learning_rate) == pytest.approx(0.002 * 4 / 5)
    assert float(d.learning_rate) == pytest.approx(0.002 * 16 / 17)
    assert d.beta_2 == pytest.approx(0.99 ** (16 / 17)) and g.beta_1 == 0.0
    names = [p.name for p in model.signature().inputs]
    assert names[:2] == ["z", "psi"] and len(names) == 2 + 9  # a noise map per convolution
    assert model.signature().output.range == (-1.0, 1.0)


def test_networks_and_arguments_are_checked():
    with pytest.raises(ValueError, match=r"power of two from 8 to 256, got \(48, 48, 3\)"):
        default_networks((48, 48, 3))
    generator, discriminator = default_networks((8, 8, 1), latent_dim=8, **SMALL)
    with pytest.raises(ValueError, match="expected pl_interval to be an integer >= 1, got 0"):
        kgz.StyleGAN2(generator, discriminator, pl_interval=0)
    plain = keras.Sequential([keras.Input((8,)), layers.Dense(64, activation="tanh"),
                              layers.Reshape((8, 8, 1))])
    with pytest.raises(ValueError, match="no mapping, truncate, synthesis"):
        kgz.StyleGAN2(plain, discriminator)

"""kgz.SAGAN: attention at the paper's place in both networks, spectral norm in both, its settings."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from keras_gan_zoo.networks.layers import SelfAttention, SpectralConv2D, SpectralDense
from keras_gan_zoo.variants.sagan.networks import default_networks
from variant_checks import SHAPE, VariantChecks, fit, user_discriminator, user_generator


class TestSAGANChecks(VariantChecks):
    variant = "sagan"

    def build(self):
        return kgz.SAGAN.for_shape(SHAPE, latent_dim=4, network_kwargs={"base_filters": 8},
                                   seed=1)

    def build_user(self):
        return kgz.SAGAN(user_generator(4), user_discriminator(), seed=1)


def _attention(network):
    return [layer for layer in network.layers if isinstance(layer, SelfAttention)]


def test_attention_sits_at_32x32_in_both_networks_at_64_px():
    generator, discriminator = default_networks((64, 64, 3), latent_dim=8, base_filters=8)
    (g_block,), (d_block,) = _attention(generator), _attention(discriminator)
    assert g_block.name == d_block.name == "attention32"
    assert g_block.input.shape[1:3] == d_block.input.shape[1:3] == (32, 32)
    # the official block: queries and keys of C/8 channels, values of C/2, back to C
    channels = g_block.input.shape[-1]
    assert g_block.query.filters == g_block.key.filters == channels // 8
    assert g_block.value.filters == channels // 2 and g_block.out.filters == channels
    assert g_block.pool.pool_size == (2, 2)
    # the gate starts at 0: the block starts as the identity
    assert float(g_block.gamma) == 0.0
    x = np.random.default_rng(0).normal(size=(2, 32, 32, channels)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(g_block(x)), x)


def test_spectral_norm_in_every_layer_of_both_networks():
    generator, discriminator = default_networks((32, 32, 3), latent_dim=8, base_filters=8)
    for network in (generator, discriminator):
        plain = [layer.name for layer in network.layers
                 if type(layer) in (keras.layers.Conv2D, keras.layers.Dense)]
        assert plain == [], f"{network.name} has layers without spectral norm: {plain}"
        assert any(isinstance(layer, (SpectralConv2D, SpectralDense)) for layer in network.layers)
        for block in _attention(network):
            assert block.spectral_norm


def test_attention_goes_to_the_block_nearest_32_and_a_wrong_place_is_refused():
    generator, discriminator = default_networks((28, 28, 1), latent_dim=8, base_filters=8)
    assert [b.name for b in _attention(generator)] == ["attention28"]
    assert [b.name for b in _attention(discriminator)] == ["attention14"]
    with pytest.raises(ValueError, match=r"attention=20: the generator's blocks end at "
                                         r"resolutions 8, 16, 32, 64; expected one of them"):
        default_networks((64, 64, 3), base_filters=8, attention=20)
    with pytest.raises(ValueError, match=r"SAGAN's networks are for square images"):
        default_networks((64,))


def test_the_papers_settings_are_the_defaults():
    model = kgz.SAGAN.for_shape(SHAPE, latent_dim=4, network_kwargs={"base_filters": 8})
    assert model.loss_name == "hinge" and model.discriminator_steps == 1
    model.compile()
    for optimizer, rate in ((model.generator_optimizer, 1e-4),
                            (model.discriminator_optimizer, 4e-4)):
        assert float(optimizer.learning_rate) == pytest.approx(rate)
        assert (optimizer.beta_1, optimizer.beta_2) == (0.0, 0.9)
    assert kgz.SAGAN.for_shape((64, 64, 3)).latent_dim == 128  # the paper's z


def test_the_attention_gate_learns():
    keras.utils.set_random_seed(0)
    model = kgz.SAGAN.for_shape(SHAPE, latent_dim=4, network_kwargs={"base_filters": 8}, seed=1)
    model.compile()
    fit(model, epochs=3)
    gates = [float(block.gamma) for net in (model.generator, model.discriminator)
             for block in _attention(net)]
    assert len(gates) == 2 and all(g != 0.0 for g in gates)

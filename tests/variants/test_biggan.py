"""kgz.BigGAN: conditional BN with a shared embedding and 1 + gain, hierarchical z, orthogonal
regularisation, the projection discriminator, its settings, and the harness."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from keras_gan_zoo.networks.layers import SpectralConv2D, SpectralDense
from keras_gan_zoo.variants.biggan.networks import (Chunk, ClassConditionalBatchNorm,
                                                    OrthogonalRegularizer, default_networks)
from variant_checks import SHAPE, VariantChecks, user_discriminator, user_generator

RNG = np.random.default_rng(0)


class TestBigGANChecks(VariantChecks):
    variant = "biggan"

    def build(self):
        return kgz.BigGAN.for_shape(SHAPE, num_classes=3, latent_dim=4,
                                    network_kwargs={"base_filters": 8}, seed=1)

    def build_user(self):
        return kgz.BigGAN(user_generator(4, [("label", 3, "int32")]),
                          user_discriminator(label_classes=3), seed=1)


def _of(network, kind):
    return [layer for layer in network._flatten_layers(include_self=False)
            if isinstance(layer, kind)]


def test_conditional_batch_norm_scales_by_one_plus_a_linear_map_of_the_condition():
    layer = ClassConditionalBatchNorm(spectral_norm=False, beta=0.0)
    x = RNG.normal(2.0, 3.0, (16, 4, 4, 5)).astype("float32")
    c = RNG.normal(size=(16, 6)).astype("float32")
    out = keras.ops.convert_to_numpy(layer([x, c], training=True))
    normed = (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2)) + layer.epsilon)
    w_gain, b_gain = (keras.ops.convert_to_numpy(v) for v in layer.gain.weights)
    w_bias, b_bias = (keras.ops.convert_to_numpy(v) for v in layer.bias.weights)
    gain, bias = 1.0 + c @ w_gain + b_gain, c @ w_bias + b_bias
    np.testing.assert_allclose(out, normed * gain[:, None, None] + bias[:, None, None],
                               rtol=1e-4, atol=1e-4)
    # zero maps: the plain normalisation (the gain starts around 1, not around 0)
    for v in layer.gain.weights + layer.bias.weights:
        v.assign(np.zeros(v.shape, "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer([x, c], training=True)), normed,
                               rtol=1e-4, atol=1e-4)
    assert not layer.norm.center and not layer.norm.scale and layer.norm.synchronized


def test_one_shared_embedding_and_a_chunk_of_z_condition_each_block():
    generator, _ = default_networks((32, 32, 3), 5, base_filters=8)
    (embedding,) = _of(generator, keras.layers.Embedding)
    assert embedding.input_dim == 5 and embedding.output_dim == 128
    chunks = _of(generator, Chunk)
    blocks = 3  # 4 -> 8 -> 16 -> 32
    assert len(chunks) == blocks + 1 and generator.inputs[0].shape[-1] == 20 * (blocks + 1)
    assert len(_of(generator, ClassConditionalBatchNorm)) == 2 * blocks
    # every block's z chunk reaches the image, and the label does
    z = RNG.normal(size=(2, 80)).astype("float32")
    label = np.array([1, 1], "int32")
    base = keras.ops.convert_to_numpy(generator([z, label]))
    for i in range(blocks + 1):
        moved = z.copy()
        moved[:, 20 * i:20 * (i + 1)] += 1.0
        assert not np.allclose(keras.ops.convert_to_numpy(generator([moved, label])), base), i
    assert not np.allclose(keras.ops.convert_to_numpy(generator([z, label + 1])), base)
    with pytest.raises(ValueError, match="splits z into 4 equal chunks .* latent_dim=30 is not "
                                         "a multiple of 4"):
        default_networks((32, 32, 3), 5, latent_dim=30)


def test_orthogonal_regularisation_on_every_generator_matrix_but_the_shared_embedding():
    w = RNG.normal(size=(3, 3, 4, 6)).astype("float32")
    rows = w.reshape(-1, 6).T
    gram = rows @ rows.T
    expected = 1e-4 * np.sum((gram * (1 - np.eye(6))) ** 2)
    assert float(OrthogonalRegularizer(1e-4)(w)) == pytest.approx(expected, rel=1e-5)
    orthogonal = RNG.normal(size=(8, 8))
    q, _ = np.linalg.qr(orthogonal)
    assert float(OrthogonalRegularizer(1.0)(q.astype("float32"))) == pytest.approx(0, abs=1e-5)

    generator, discriminator = default_networks((16, 16, 3), 4, base_filters=8)
    regularised = {v.path for v in generator.trainable_weights
                   if isinstance(getattr(v, "regularizer", None), OrthogonalRegularizer)}
    matrices = {v.path for v in generator.trainable_weights if len(v.shape) >= 2}
    assert regularised == {p for p in matrices if "shared_embedding" not in p}
    assert len(generator.losses) == len(regularised)
    assert not discriminator.losses  # the paper regularises the generator only
    # the whole generator: spectral norm on every convolution and linear map
    plain = [l.name for l in _of(generator, (keras.layers.Conv2D, keras.layers.Dense))
             if not isinstance(l, (SpectralConv2D, SpectralDense))]
    assert plain == []


def test_the_projection_discriminator_reads_the_label_through_a_normalised_embedding():
    _, discriminator = default_networks((16, 16, 3), 4, base_filters=8)
    embedding = discriminator.get_layer("class_embedding")
    assert isinstance(embedding, SpectralDense) and not embedding.use_bias
    images = RNG.uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    logits = [keras.ops.convert_to_numpy(discriminator([images, np.full(2, y, "int32")]))
              for y in range(4)]
    assert logits[0].shape == (2, 1) and not np.allclose(logits[0], logits[1])
    # logit = linear(phi) + e(y) . phi: the difference of two labels is linear in phi
    phi = keras.ops.convert_to_numpy(discriminator.get_layer("discriminator_body")(images))
    e = keras.ops.convert_to_numpy(embedding.normalized_kernel())
    np.testing.assert_allclose(logits[1] - logits[0], (phi @ (e[1] - e[0]))[:, None],
                               rtol=1e-3, atol=1e-3)


def test_the_papers_settings_are_the_defaults():
    model = kgz.BigGAN.for_shape((16, 16, 3), num_classes=4,
                                 network_kwargs={"base_filters": 8})
    assert model.loss_name == "hinge" and model.discriminator_steps == 1
    assert model.ema == 0.999 and model.num_classes == 4
    model.compile()
    for optimizer, rate in ((model.generator_optimizer, 1e-4),
                            (model.discriminator_optimizer, 4e-4)):
        assert float(optimizer.learning_rate) == pytest.approx(rate)
        assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.0, 0.999, 1e-6)


def test_truncation_trades_variety_for_typical_samples():
    model = kgz.BigGAN.for_shape((16, 16, 3), num_classes=4, network_kwargs={"base_filters": 8})
    loose = model.generate(64, labels=2, seed=0)
    tight = model.generate(64, labels=2, seed=0, truncation=0.2)
    assert tight.shape == loose.shape == (64, 16, 16, 3)
    np.testing.assert_array_equal(tight, model.generate(64, labels=2, seed=0, truncation=0.2))
    assert tight.std(0).mean() < loose.std(0).mean()  # less variety across samples

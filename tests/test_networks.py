"""Default networks: shapes, ranges, and clear errors."""

import numpy as np
import pytest

from keras_gan_zoo import networks


@pytest.mark.parametrize("size", [8, 16, 28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes_and_range(size, channels):
    g, d = networks.for_shape((size, size, channels), latent_dim=5, base_filters=4)
    z = np.random.default_rng(0).normal(size=(3, 5)).astype("float32") * 10
    images = np.asarray(g(z))
    assert images.shape == (3, size, size, channels)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    assert np.asarray(d(images)).shape == (3, 1)


def test_mlp_shapes_and_linear_output():
    g, d = networks.for_shape((2,), latent_dim=3, hidden=(8,))
    out = np.asarray(g(np.full((4, 3), 100.0, "float32")))
    assert out.shape == (4, 2)
    assert np.abs(out).max() > 1  # linear output: grid25 spans [-4, 4]
    assert d.output_shape == (None, 1)


def test_discriminators_have_no_batch_norm():
    for shape in [(2,), (16, 16, 3)]:
        _, d = networks.for_shape(shape)
        assert not [layer for layer in d.layers if "batch_norm" in layer.name]


def test_generator_batch_norm_is_synchronized():
    g, _ = networks.for_shape((16, 16, 1))
    bns = [layer for layer in g.layers if "batch_norm" in layer.name]
    assert bns and all(layer.synchronized for layer in bns)


@pytest.mark.parametrize("shape", [(4, 4, 1), (128, 128, 3), (32, 16, 1), (32, 32, 2), (2, 3)])
def test_unsupported_shapes_say_what_is_expected(shape):
    with pytest.raises(ValueError, match="expected"):
        networks.for_shape(shape)


@pytest.mark.parametrize("size", [8, 28, 32])
def test_infogan_paper_networks(size):
    g = networks.infogan_generator((size, size, 1), latent_dim=6, base_filters=4, dense_units=8)
    d = networks.infogan_discriminator_body((size, size, 1), base_filters=4, dense_units=8)
    images = np.asarray(g(np.random.default_rng(0).normal(size=(3, 6)).astype("float32") * 10))
    assert images.shape == (3, size, size, 1) and np.abs(images).max() <= 1
    assert np.asarray(d(images)).shape == (3, 8)
    # Batch norm in both (the paper's discriminator has it), all of it synchronized.
    for net in (g, d):
        bns = [layer for layer in net.layers if "batch_norm" in layer.name]
        assert len(bns) == 3 - (net is d) and all(layer.synchronized for layer in bns)


@pytest.mark.parametrize("shape", [(30, 30, 1), (68, 68, 1), (28, 32, 1), (4,)])
def test_infogan_paper_networks_say_which_shapes_fit(shape):
    with pytest.raises(ValueError, match="multiple of 4 from 8 to 64, got"):
        networks.infogan_generator(shape)


def test_cyclegan_networks_are_fully_convolutional():
    from keras_gan_zoo.networks.cyclegan import patch_discriminator, resnet_generator

    g = resnet_generator(1, 3, base_filters=4, num_blocks=1)
    d = patch_discriminator(3, base_filters=4)
    for h, w in [(32, 32), (64, 48)]:
        out = np.asarray(g(np.random.default_rng(0).normal(size=(2, h, w, 1)).astype("float32")))
        assert out.shape == (2, h, w, 3) and np.abs(out).max() <= 1
        assert np.asarray(d(out)).shape == (2, h // 8, w // 8, 1)  # one logit per patch

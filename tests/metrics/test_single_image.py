"""SIFID and diversity (kgz.metrics.single_image): a patch distance between one real image and
generated ones, and the spread of the samples."""

import numpy as np
import pytest
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.metrics import single_image


def texture():
    """A 48x64 colour image tiled from the bundled digits: many small patches."""
    digits = kgz.data.digits()[:48]
    tiles = digits.reshape(6, 8, 8, 8, 1).transpose(0, 2, 1, 3, 4).reshape(48, 64, 1)
    return np.concatenate([tiles, tiles[::-1], tiles[:, ::-1]], axis=-1)


def test_sifid_is_zero_for_the_image_itself_and_grows_with_damage():
    x = texture()
    assert single_image.patch_features(x).shape == (24 * 32, 64)  # a row a position
    same, values = single_image.sifid(x, x[None])
    assert same == pytest.approx(0, abs=1e-6) and values.shape == (1,)
    blurred = [tf.nn.avg_pool2d(x[None], 2 * r + 1, 1, "SAME").numpy() for r in (1, 2)]
    rng = np.random.default_rng(0)
    noisy = [np.clip(x[None] + rng.normal(0, s, x[None].shape), -1, 1) for s in (0.1, 0.4)]
    for damaged in (blurred, noisy):
        light, heavy = (single_image.sifid(x, d)[0] for d in damaged)
        assert 0 < light < heavy
    mean, values = single_image.sifid(x, np.concatenate([x[None], blurred[1]]))
    assert mean == pytest.approx(values.mean()) and values[0] < values[1]
    # any size: a generated image need not match the real one's
    assert single_image.sifid(x, x[None, :32, :40])[0] > 0


def test_diversity_is_the_pixels_spread_over_samples_over_the_images():
    x = texture()
    assert single_image.diversity(x, np.repeat(x[None], 4, axis=0)) == 0
    fakes = np.stack([x, -x])  # each pixel's std over the two is |x|
    assert single_image.diversity(x, fakes) == pytest.approx(np.abs(x).mean() / x.std())


def test_bad_inputs_say_what_was_expected():
    with pytest.raises(ValueError, match=r"expected one image \(h, w, 1 or 3\)"):
        single_image.patch_features(np.zeros((2, 16, 16, 3)))
    with pytest.raises(ValueError, match=r"at least 8x8 pixels, got \(4, 16\)"):
        single_image.patch_features(np.zeros((4, 16, 3)))
    with pytest.raises(ValueError, match=r"at least 2 generated images, got 1"):
        single_image.diversity(texture(), texture()[None])

"""The embedded data sets."""

import numpy as np
import pytest

from keras_gan_zoo import data, metrics


@pytest.mark.parametrize("name, k, std, spacing", [("ring8", 8, 0.01, 2 * np.sin(np.pi / 8)),
                                                    ("grid25", 25, 0.05, 2.0)])
def test_toy_mixtures_follow_pacgan(name, k, std, spacing):
    means, mode_std = data.toy_modes(name)
    assert means.shape == (k, 2) and mode_std == std
    distances = np.linalg.norm(means[:, None] - means[None], axis=-1)
    assert np.isclose(distances[distances > 0].min(), spacing)
    x = data.toy(name, n=20000, seed=1)
    assert x.shape == (20000, 2) and x.dtype == np.float32
    np.testing.assert_array_equal(x, data.toy(name, n=20000, seed=1))
    # Real points are high quality and cover every mode, about equally.
    result = metrics.mode_coverage(x, means, std)
    assert result["modes"] == k
    assert result["high_quality"] > 0.98  # 3 std holds 98.9% of a 2-D Gaussian
    assert result["reverse_kl"] < 0.01


def test_ring_is_on_the_unit_circle():
    means, _ = data.toy_modes("ring8")
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 1.0, rtol=1e-6)


def test_toy_errors():
    with pytest.raises(ValueError, match="unknown toy data set 'ring7'; expected one of ring8, grid25"):
        data.toy("ring7")
    with pytest.raises(ValueError, match="positive integer number of points"):
        data.toy("ring8", n=0)


def test_digits_are_real_images_in_range():
    images, labels = data.digits(return_labels=True)
    assert images.shape == (1797, 8, 8, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert labels.shape == (1797,) and set(labels.tolist()) == set(range(10))
    # Zeros are rings: dark centre, bright sides.
    zeros = images[labels == 0].mean(0)[..., 0]
    assert zeros[3:5, 3:5].mean() < zeros[3:5, [1, 6]].mean() - 0.5

"""kgz.metrics.disturb: the FID paper's damaged images, by kind and strength."""

import numpy as np
import pytest

from keras_gan_zoo import metrics

IMAGES = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 3)).astype("float32")
# a smooth picture: a bright disc on dark, where blur and swirl have something to move
_y, _x = np.mgrid[0:32, 0:32]
DISC = np.where(((_y - 12) ** 2 + (_x - 20) ** 2) < 40, 1.0, -1.0).astype("float32")
DISC = np.repeat(DISC[None, ..., None], 3, -1)


@pytest.mark.parametrize("kind", list(metrics.DISTURBANCES))
def test_every_kind_keeps_shape_and_range_and_grows_with_strength(kind):
    source = DISC if kind in ("blur", "swirl") else IMAGES
    changes = []
    for level in metrics.DISTURBANCE_LEVELS:
        out = metrics.disturb(source, kind, level)
        assert out.shape == source.shape and out.dtype == np.float32
        assert out.min() >= -1 and out.max() <= 1
        changes.append(float(np.abs(out - source).mean()))
    assert changes[0] == 0.0
    assert all(a < b for a, b in zip(changes, changes[1:])), changes


def test_random_kinds_follow_the_seed():
    a = metrics.disturb(IMAGES, "salt_pepper", 0.5, seed=3)
    np.testing.assert_array_equal(a, metrics.disturb(IMAGES, "salt_pepper", 0.5, seed=3))
    assert not np.array_equal(a, metrics.disturb(IMAGES, "salt_pepper", 0.5, seed=4))
    hit = np.mean(np.abs(a) == 1.0)  # 0.3 * 0.5 of the pixels, all channels at once
    assert 0.12 < hit < 0.18


@pytest.mark.parametrize("kind, strength, message", [
    ("fog", 0.5, "unknown disturbance 'fog'; expected one of noise, blur, swirl, salt_pepper"),
    ("blur", 1.5, r"expected a strength in \[0, 1\], got 1.5"),
])
def test_bad_arguments_name_what_was_expected(kind, strength, message):
    with pytest.raises(ValueError, match=message):
        metrics.disturb(IMAGES, kind, strength)
    with pytest.raises(ValueError, match=r"expected images \(n, h, w, c\), got shape \(32, 32, 3\)"):
        metrics.disturb(IMAGES[0], "noise", 0.5)

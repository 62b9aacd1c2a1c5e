"""Mode coverage on hand-made samples."""

import numpy as np
import pytest

from keras_gan_zoo import metrics

MEANS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])


def test_counts_modes_and_high_quality():
    samples = np.array([[0.1, 0], [0, 0.2], [10, 0.25], [5, 5], [10, 10.31]])
    result = metrics.mode_coverage(samples, MEANS, std=0.1)
    assert result["modes"] == 2  # (10, 10.31) is 3.1 std away: not high quality
    assert result["high_quality"] == pytest.approx(3 / 5)
    np.testing.assert_array_equal(result["counts"], [2, 1, 0, 0])
    p = np.array([2 / 3, 1 / 3])
    assert result["reverse_kl"] == pytest.approx(float((p * np.log(p * 4)).sum()))


def test_uniform_cover_has_zero_kl_and_collapse_has_log_k():
    assert metrics.mode_coverage(MEANS, MEANS, std=1)["reverse_kl"] == pytest.approx(0.0)
    assert metrics.mode_coverage(MEANS[:1].repeat(3, 0), MEANS, std=1)["reverse_kl"] == pytest.approx(np.log(4))


def test_shape_errors():
    with pytest.raises(ValueError, match=r"samples \(n, d\) and means \(k, d\)"):
        metrics.mode_coverage(np.zeros((3, 3)), MEANS, std=1)
    with pytest.raises(ValueError, match="at least one sample"):
        metrics.mode_coverage(np.zeros((0, 2)), MEANS, std=1)


def test_code_accuracies_read_classes_from_codes_that_hold_them():
    rng = np.random.default_rng(0)
    labels, held = rng.integers(0, 4, 400), rng.integers(0, 4, 200)
    centres = rng.normal(size=(4, 8)) * 5
    codes = lambda y: (centres[y] + rng.normal(size=(len(y), 8))).astype("float32")  # noqa: E731
    assert metrics.nearest_neighbour_accuracy(codes(labels), labels, codes(held), held) > 0.95
    assert metrics.linear_probe_accuracy(codes(labels), labels, codes(held), held) > 0.95
    noise = rng.normal(size=(200, 8))  # codes that know nothing of the class: near chance
    assert metrics.nearest_neighbour_accuracy(codes(labels), labels, noise, held) < 0.5
    with pytest.raises(ValueError, match="same width"):
        metrics.nearest_neighbour_accuracy(codes(labels), labels, noise[:, :3], held)

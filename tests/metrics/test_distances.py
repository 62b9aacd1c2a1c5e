"""Fréchet and kernel distances, precision and recall: against independent computations."""

import numpy as np
import pytest
import scipy.linalg
from scipy.spatial.distance import cdist

from keras_gan_zoo import metrics

rng = np.random.default_rng(0)


def _gaussian(n, d, shift=0.0, scale=1.0):
    mixing = np.eye(d) + 0.3 * np.random.default_rng(d).standard_normal((d, d))  # one per d
    return rng.standard_normal((n, d)) @ mixing * scale + shift


def _scipy_frechet(a, b):
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(s_a @ s_b).real
    return ((mu_a - mu_b) ** 2).sum() + np.trace(s_a + s_b - 2 * root)


def test_frechet_matches_scipy():
    a, b = _gaussian(600, 8), _gaussian(500, 8, shift=0.5, scale=1.3)
    assert metrics.frechet_distance(a, b) == pytest.approx(_scipy_frechet(a, b), rel=1e-7)


def test_frechet_sanity():
    a, b = _gaussian(20000, 4), _gaussian(20000, 4)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    assert metrics.frechet_distance(a, b) < 0.05
    assert metrics.frechet_distance(a, b + 1.0) == pytest.approx(4.0, abs=0.1)  # |mu shift|^2


def test_frechet_is_real_and_exact_on_singular_covariances():
    # 10 samples in 64 dimensions: both covariances have rank 9
    a = rng.standard_normal((10, 64))
    shift = rng.standard_normal(64)
    value = metrics.frechet_distance(a, a + shift)  # same covariance: only the means differ
    assert isinstance(value, float) and np.isfinite(value)
    assert value == pytest.approx((shift ** 2).sum(), rel=1e-6)


def test_frechet_from_statistics_equals_from_features():
    a, b = _gaussian(300, 5), _gaussian(300, 5, shift=1)
    stats = metrics.feature_statistics(a)
    assert metrics.frechet_distance(stats_real=stats, fake=b) == pytest.approx(
        metrics.frechet_distance(a, b))


def _direct_mmd2(x, y):
    d = x.shape[1]
    k = lambda u, v: (u @ v / d + 1) ** 3  # noqa: E731
    m = len(x)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_kernel_distance_matches_direct_sum():
    x, y = _gaussian(25, 6), _gaussian(25, 6, shift=0.3)
    mean, std = metrics.kernel_distance(x, y, num_subsets=3, subset_size=25)
    # with subsets as large as the sets, every subset is a permutation: same estimate
    assert mean == pytest.approx(_direct_mmd2(x, y), rel=1e-9)
    assert std == pytest.approx(0.0, abs=1e-9)


def test_kernel_distance_sanity():
    a, b = _gaussian(2000, 16), _gaussian(2000, 16)
    same, same_std = metrics.kernel_distance(a, b, num_subsets=20, subset_size=500)
    shifted, _ = metrics.kernel_distance(a, b + 0.5, num_subsets=20, subset_size=500)
    assert abs(same) < 3 * same_std + 1e-3
    assert shifted > 10 * max(abs(same), same_std)


def _brute_precision_recall(real, fake, k):
    r_real = np.sort(cdist(real, real), axis=1)[:, k]
    r_fake = np.sort(cdist(fake, fake), axis=1)[:, k]
    precision = np.mean((cdist(fake, real) <= r_real[None]).any(1))
    recall = np.mean((cdist(real, fake) <= r_fake[None]).any(1))
    return precision, recall


def test_precision_recall_matches_brute_force_at_any_batch_size():
    real, fake = _gaussian(300, 5), _gaussian(250, 5, shift=0.7, scale=0.6)
    expected = _brute_precision_recall(real, fake, 3)
    for batch_size in (7, 1024):
        got = metrics.precision_recall(real, fake, k=3, batch_size=batch_size)
        assert (got["precision"], got["recall"]) == pytest.approx(expected)
    assert 0.05 < expected[0] < 1 and 0.05 < expected[1] < 1  # a case that tests something


def test_precision_recall_extremes():
    real = _gaussian(200, 3)
    assert metrics.precision_recall(real, real) == {"precision": 1.0, "recall": 1.0}
    assert metrics.precision_recall(real, real + 100) == {"precision": 0.0, "recall": 0.0}
    # a collapsed generator: precise but without recall
    collapsed = metrics.precision_recall(real, real[:1].repeat(50, 0) + 1e-3 * _gaussian(50, 3))
    assert collapsed["precision"] == 1.0 and collapsed["recall"] < 0.1


@pytest.mark.parametrize("call, message", [
    (lambda: metrics.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4))), "same size"),
    (lambda: metrics.kernel_distance(np.zeros(5), np.zeros((5, 4))), r"features of shape \(n, d\)"),
    (lambda: metrics.precision_recall(np.zeros((3, 2)), np.zeros((3, 2)), k=3), "1 <= k <"),
    (lambda: metrics.frechet_distance(np.full((4, 2), np.nan), np.zeros((4, 2))), "NaN"),
    (lambda: metrics.features(np.zeros((2, 8, 8, 1)), extractor="vgg"), "unknown feature extractor"),
    (lambda: metrics.features(np.zeros((2, 8, 8, 1)), extractor="inception"), "inception_weights"),
])
def test_errors_name_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _brute_density_coverage(real, fake, k):
    radii = np.sort(cdist(real, real), 1)[:, k]
    inside = cdist(fake, real) <= radii[None]
    return inside.sum(1).mean() / k, inside.any(0).mean()


def test_density_coverage_by_hand_and_against_brute_force():
    # real points 0, 1, 2, 3 on a line: with k = 1 each real ball has radius 1
    real, fake = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([[0.5], [10.0]])
    # 0.5 lies in the balls of 0 and 1, 10 in none: density 2 / (k * 2), coverage 2 of 4 balls
    assert metrics.density_coverage(real, fake, k=1) == {"density": 1.0, "coverage": 0.5}
    a, b = _gaussian(300, 6), _gaussian(250, 6, shift=0.3)
    for batch_size in (7, 1024):
        got = metrics.density_coverage(a, b, k=5, batch_size=batch_size)
        density, coverage = _brute_density_coverage(a, b, 5)
        assert got["density"] == pytest.approx(density) and got["coverage"] == pytest.approx(coverage)


def test_density_coverage_see_collapse_and_ignore_a_generated_outlier():
    centres = np.random.default_rng(1).normal(0, 10, (10, 4))
    labels = np.arange(2000) % 10
    real = centres[labels] + rng.standard_normal((2000, 4))
    same = centres[labels] + rng.standard_normal((2000, 4))
    found = metrics.density_coverage(real, same)
    assert 0.85 < found["density"] < 1.15 and found["coverage"] > 0.9  # ~1 - 2^-5 for k = 5
    collapsed = metrics.density_coverage(real, centres[0] + rng.standard_normal((2000, 4)))
    assert 0.07 < collapsed["coverage"] < 0.12  # one mode of ten
    # a far generated outlier inflates the generated manifold of recall, not these
    outlier = np.concatenate([same[:-1], [[1e3] * 4]])
    assert metrics.density_coverage(real, outlier)["coverage"] == pytest.approx(
        found["coverage"], abs=0.01)


def test_intra_class_distance_sees_swapped_classes_the_overall_one_misses():
    centres = np.random.default_rng(2).normal(0, 3, (4, 5))
    labels = np.arange(800) % 4
    real = centres[labels] + rng.standard_normal((800, 5))
    fake = centres[labels] + rng.standard_normal((800, 5))
    right = metrics.intra_class_frechet_distance(real, labels, fake, labels)
    wrong = metrics.intra_class_frechet_distance(real, labels, fake, (labels + 1) % 4)
    assert set(right["per_class"]) == {0, 1, 2, 3}
    assert right["intra_fid"] < 0.3 < 10 < wrong["intra_fid"]
    assert metrics.frechet_distance(real, fake) < 0.3  # the same set overall
    with pytest.raises(ValueError, match="one label per sample, got 799 labels for 800 real"):
        metrics.intra_class_frechet_distance(real, labels[1:], fake, labels)
    with pytest.raises(ValueError, match="no class has 2 or more samples in both sets"):
        metrics.intra_class_frechet_distance(real, labels, fake, labels + 4)


def test_kid_subsets_follow_the_sample_count():
    assert metrics.kid_subset_size(50_000, 10_000) == 1000
    assert metrics.kid_subset_size(40, 500) == 40
    a, b = _gaussian(12, 3), _gaussian(9, 3, shift=2.0)
    mean, _ = metrics.kernel_distance(a, b)  # 9 samples, no error: subsets of 9
    assert mean == pytest.approx(metrics.kernel_distance(a, b, subset_size=9)[0])
    assert mean > metrics.kernel_distance(a, _gaussian(9, 3))[0]
    with pytest.raises(ValueError, match="at least 2 samples in each set, got 12 real and 1"):
        metrics.kid_subset_size(12, 1)

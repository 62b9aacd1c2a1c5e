"""Distances between two sets of samples: Fréchet (FID), kernel (KID), precision/recall.

Every function takes either **features** ``(n, d)`` or **images** ``(n, h,
w, c)`` in [-1, 1]; images go through ``extractor`` first (``"digits"`` by
default, ``"inception"`` with ``inception_weights=``, or any model; see
``keras_gan_zoo.metrics.features``).
"""

import numpy as np

from keras_gan_zoo.metrics.features import features as _extract

__all__ = ["compare", "frechet_distance", "kernel_distance", "precision_recall", "feature_statistics"]


def _features(x, name, extractor=None, inception_weights=None):
    x = np.asarray(x)
    if x.ndim == 4 and extractor is not None:
        x = _extract(x, extractor, inception_weights=inception_weights)
    x = x.astype("float64")
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(
            f"expected {name} features of shape (n, d) with n >= 2, got {x.shape}; extract "
            "features from images with keras_gan_zoo.metrics.features(images, extractor)"
        )
    if not np.isfinite(x).all():
        raise ValueError(f"the {name} features contain NaN or Inf")
    return x


def _same_dim(a, b):
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"expected real and generated features of the same size, got {a.shape[1]} and "
            f"{b.shape[1]}"
        )


def feature_statistics(features):
    """Mean ``(d,)`` and covariance ``(d, d)`` of ``(n, d)`` features (unbiased, float64)."""
    x = _features(features, "the")
    return x.mean(0), np.cov(x, rowvar=False)


def _sqrt_psd(matrix):
    """Square root of a symmetric positive semi-definite matrix (negative round-off clipped)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(real=None, fake=None, *, stats_real=None, stats_fake=None,
                     extractor="digits", inception_weights=None):
    """Fréchet distance between Gaussians fitted to two feature sets (FID on Inception features).

    ``|mu_r - mu_f|^2 + tr(S_r) + tr(S_f) - 2 tr((S_r^1/2 S_f S_r^1/2)^1/2)``.
    The cross term is computed from the symmetric matrix ``S_r^1/2 S_f
    S_r^1/2`` by an eigen-decomposition, so it stays real and finite on
    singular or near-singular covariances (fewer samples than dimensions),
    where ``scipy.linalg.sqrtm(S_r S_f)`` can turn complex.

    Args:
        real, fake: ``(n, d)`` features or ``(n, h, w, c)`` images; or pass
            precomputed ``stats_real=(mu, sigma)`` / ``stats_fake=(mu, sigma)``.
        extractor, inception_weights: how images become features.

    Returns:
        float >= 0 (0 for identical statistics).

    Example:
        >>> frechet_distance(test_images, model.generate(10_000, seed=0))  # digit features
    """
    def stats(x, given, name):
        if given is not None:
            return given
        if x is None:
            raise ValueError(f"expected {name} samples or stats_{name}=(mu, sigma), got neither")
        return feature_statistics(_features(x, name, extractor, inception_weights))

    mu_r, s_r = stats(real, stats_real, "real")
    mu_f, s_f = stats(fake, stats_fake, "fake")
    mu_r, mu_f = np.asarray(mu_r, "float64"), np.asarray(mu_f, "float64")
    s_r, s_f = np.atleast_2d(s_r).astype("float64"), np.atleast_2d(s_f).astype("float64")
    if mu_r.shape != mu_f.shape:
        raise ValueError(f"expected statistics of the same size, got {mu_r.shape} and {mu_f.shape}")
    root = _sqrt_psd(s_r)
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(root @ s_f @ root), 0, None)).sum()
    distance = ((mu_r - mu_f) ** 2).sum() + np.trace(s_r) + np.trace(s_f) - 2 * cross
    return float(max(distance, 0.0))


def kernel_distance(real, fake, num_subsets=100, subset_size=1000, degree=3, seed=0,
                    extractor="digits", inception_weights=None):
    """Kernel distance (KID, Bińkowski et al. 2018): unbiased MMD² with a cubic kernel.

    The kernel is ``k(x, y) = (x.y / d + 1) ** degree``. The estimate is
    averaged over ``num_subsets`` random subsets of ``subset_size`` (capped
    at the smaller set), which bounds memory and gives a standard deviation.

    Returns:
        ``(mean, std)`` over the subsets. The mean can be slightly negative
        for two samples of one distribution (it is unbiased).

    Example:
        >>> kid, kid_std = kernel_distance(real_features, fake_features)
    """
    real = _features(real, "real", extractor, inception_weights)
    fake = _features(fake, "generated", extractor, inception_weights)
    _same_dim(real, fake)
    m = min(subset_size, len(real), len(fake))
    if num_subsets < 1:
        raise ValueError(f"expected num_subsets >= 1, got {num_subsets}")
    rng = np.random.default_rng(seed)
    d = real.shape[1]
    estimates = []
    for _ in range(num_subsets):
        x = real[rng.choice(len(real), m, replace=False)]
        y = fake[rng.choice(len(fake), m, replace=False)]
        k_xx = (x @ x.T / d + 1) ** degree
        k_yy = (y @ y.T / d + 1) ** degree
        k_xy = (x @ y.T / d + 1) ** degree
        off = m * (m - 1)
        estimates.append((k_xx.sum() - np.trace(k_xx)) / off + (k_yy.sum() - np.trace(k_yy)) / off
                         - 2 * k_xy.mean())
    estimates = np.asarray(estimates)
    return float(estimates.mean()), float(estimates.std())


def _kth_neighbour_radii(x, k, batch_size):
    """Distance from each row of ``x`` to its k-th nearest other row."""
    radii = np.empty(len(x))
    sq = (x ** 2).sum(1)
    for start in range(0, len(x), batch_size):
        chunk = x[start:start + batch_size]
        d2 = np.maximum(sq[start:start + batch_size, None] - 2 * chunk @ x.T + sq[None], 0)
        # the k+1 smallest include the point itself (distance 0)
        radii[start:start + len(chunk)] = np.sqrt(np.partition(d2, k, axis=1)[:, k])
    return radii


def _inside_any(points, centres, radii, batch_size):
    """Share of ``points`` inside at least one ball (``centres``, ``radii``)."""
    inside = 0
    sq_c = (centres ** 2).sum(1)
    for start in range(0, len(points), batch_size):
        chunk = points[start:start + batch_size]
        d2 = np.maximum((chunk ** 2).sum(1)[:, None] - 2 * chunk @ centres.T + sq_c[None], 0)
        inside += int((d2 <= radii[None] ** 2).any(1).sum())
    return inside / len(points)


def precision_recall(real, fake, k=3, batch_size=1024, extractor="digits",
                     inception_weights=None):
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Each set's manifold is the union of balls around its points, each with
    the radius to the point's ``k``-th nearest neighbour in the same set.
    Precision is the share of generated points inside the real manifold
    (quality); recall is the share of real points inside the generated
    manifold (coverage). Distances are computed ``batch_size`` rows at a
    time, so memory stays bounded (the paper uses 50,000 of each).

    Returns:
        ``{"precision": p, "recall": r}``, both in [0, 1].

    Example:
        >>> precision_recall(real_features, fake_features)["recall"]
    """
    real = _features(real, "real", extractor, inception_weights)
    fake = _features(fake, "generated", extractor, inception_weights)
    _same_dim(real, fake)
    if k < 1 or k >= min(len(real), len(fake)):
        raise ValueError(f"expected 1 <= k < the number of samples in each set, got k={k}")
    r_real = _kth_neighbour_radii(real, k, batch_size)
    r_fake = _kth_neighbour_radii(fake, k, batch_size)
    return {"precision": _inside_any(fake, real, r_real, batch_size),
            "recall": _inside_any(real, fake, r_fake, batch_size)}


DISTANCES = ("fid", "kid", "precision_recall")


def compare(metric, real, fake, num_subsets=100):
    """One of ``DISTANCES`` between two feature sets, as a dict of named floats.

    ``"fid"`` -> ``{"fid"}``, ``"kid"`` -> ``{"kid", "kid_std"}``,
    ``"precision_recall"`` -> ``{"precision", "recall"}``: the keys the
    command line prints and ``keras_gan_zoo.callbacks.MetricLogger`` logs.
    """
    if metric == "fid":
        return {"fid": frechet_distance(real, fake)}
    if metric == "kid":
        mean, std = kernel_distance(real, fake, num_subsets=num_subsets)
        return {"kid": mean, "kid_std": std}
    if metric == "precision_recall":
        return precision_recall(real, fake)
    raise ValueError(f"unknown distance {metric!r}; expected one of {', '.join(DISTANCES)}")

"""Distances between two sets of samples: Fréchet (FID), kernel (KID), precision/recall,
density/coverage, and the Fréchet distance within each class.

Every function takes either **features** ``(n, d)`` or **images** ``(n, h,
w, c)`` in [-1, 1]; images go through ``extractor`` first (``"digits"`` by
default, ``"inception"`` with ``inception_weights=``, or any model; see
``keras_gan_zoo.metrics.features``).
"""

import numpy as np

from keras_gan_zoo.metrics.features import features as _extract

__all__ = ["compare", "density_coverage", "feature_statistics", "frechet_distance",
           "intra_class_frechet_distance", "kernel_distance", "kid_subset_size",
           "precision_recall"]


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


def kid_subset_size(n_real, n_fake, largest=1000):
    """The KID subset size for sets of ``n_real`` and ``n_fake`` samples.

    The subsets draw without replacement from each set, so they can be no
    larger than the smaller set; ``largest`` (1,000, the paper's size)
    bounds the memory of the ``m x m`` kernel matrices. Libraries that fix
    the size at 1,000 fail on fewer samples; here the size follows the
    count, and fewer than 2 samples in a set is an error that says so.
    """
    m = min(int(largest), int(n_real), int(n_fake))
    if m < 2:
        raise ValueError(f"the kernel distance needs at least 2 samples in each set, got "
                         f"{n_real} real and {n_fake} generated")
    return m


def kernel_distance(real, fake, num_subsets=100, subset_size=None, degree=3, seed=0,
                    extractor="digits", inception_weights=None):
    """Kernel distance (KID, Bińkowski et al. 2018): unbiased MMD² with a cubic kernel.

    The kernel is ``k(x, y) = (x.y / d + 1) ** degree``. The estimate is
    averaged over ``num_subsets`` random subsets of ``subset_size`` samples
    of each set, which bounds memory and gives a standard deviation.
    ``subset_size=None`` follows the sample count (``kid_subset_size``: up
    to 1,000, never more than the smaller set); a given size is capped the
    same way.

    Returns:
        ``(mean, std)`` over the subsets. The mean can be slightly negative
        for two samples of one distribution (it is unbiased).

    Example:
        >>> kid, kid_std = kernel_distance(real_features, fake_features)
    """
    real = _features(real, "real", extractor, inception_weights)
    fake = _features(fake, "generated", extractor, inception_weights)
    _same_dim(real, fake)
    m = kid_subset_size(len(real), len(fake), 1000 if subset_size is None else subset_size)
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


def _ball_counts(real, fake, k, batch_size):
    """For each generated point, how many real k-NN balls hold it; and for each real ball, whether any does."""
    radii = _kth_neighbour_radii(real, k, batch_size)
    counts = np.zeros(len(fake))
    covered = np.zeros(len(real), bool)
    sq_r = (real ** 2).sum(1)
    for start in range(0, len(fake), batch_size):
        chunk = fake[start:start + batch_size]
        d2 = np.maximum((chunk ** 2).sum(1)[:, None] - 2 * chunk @ real.T + sq_r[None], 0)
        inside = d2 <= radii[None] ** 2
        counts[start:start + len(chunk)] = inside.sum(1)
        covered |= inside.any(0)
    return counts, covered


def density_coverage(real, fake, k=5, batch_size=1024, extractor="digits",
                     inception_weights=None):
    """Density and coverage (Naeem et al. 2020), the sturdier precision and recall.

    Both use only the real set's k-NN balls (radius: distance to the
    ``k``-th nearest other real point), so an outlier among the generated
    samples cannot inflate them. **Density** is the mean number of real
    balls a generated sample falls in, over ``k``: about 1 when the
    generated samples are spread as the real ones, above 1 when they crowd
    where real samples are dense, below when they miss. **Coverage** is
    the share of real balls that hold at least one generated sample: mode
    collapse drives it down. The paper's k is 5.

    Returns:
        ``{"density": d, "coverage": c}``; density >= 0, coverage in [0, 1].

    Example:
        >>> density_coverage(real_features, fake_features)["coverage"]
    """
    real = _features(real, "real", extractor, inception_weights)
    fake = _features(fake, "generated", extractor, inception_weights)
    _same_dim(real, fake)
    if k < 1 or k >= len(real):
        raise ValueError(f"expected 1 <= k < the number of real samples, got k={k} and "
                         f"{len(real)} real samples")
    counts, covered = _ball_counts(real, fake, k, batch_size)
    return {"density": float(counts.mean() / k), "coverage": float(covered.mean())}


def intra_class_frechet_distance(real, real_labels, fake, fake_labels, extractor="digits",
                                 inception_weights=None):
    """The Fréchet distance within each class, and their mean (intra-FID, Miyato and Koyama 2018).

    For a conditional model: the real and the generated samples of each
    class (``fake_labels``: the classes asked for) are compared on their
    own, so a model that draws good images of the wrong class scores badly
    here though its overall distance is low.

    Returns:
        ``{"intra_fid": mean, "per_class": {label: distance}}`` over the
        classes present in both sets (each needs 2 samples or more).
    """
    real = _features(real, "real", extractor, inception_weights)
    fake = _features(fake, "generated", extractor, inception_weights)
    _same_dim(real, fake)
    real_labels, fake_labels = np.asarray(real_labels).ravel(), np.asarray(fake_labels).ravel()
    if len(real_labels) != len(real) or len(fake_labels) != len(fake):
        raise ValueError(f"expected one label per sample, got {len(real_labels)} labels for "
                         f"{len(real)} real and {len(fake_labels)} for {len(fake)} generated")
    per_class = {}
    for label in sorted(set(real_labels.tolist()) & set(fake_labels.tolist())):
        r, f = real[real_labels == label], fake[fake_labels == label]
        if len(r) >= 2 and len(f) >= 2:
            per_class[int(label)] = frechet_distance(r, f)
    if not per_class:
        raise ValueError("no class has 2 or more samples in both sets; intra-class distances "
                         "need samples of the same classes")
    return {"intra_fid": float(np.mean(list(per_class.values()))), "per_class": per_class}


DISTANCES = ("fid", "kid", "precision_recall", "density_coverage")


def compare(metric, real, fake, num_subsets=100):
    """One of ``DISTANCES`` between two feature sets, as a dict of named floats.

    ``"fid"`` -> ``{"fid"}``, ``"kid"`` -> ``{"kid", "kid_std"}``,
    ``"precision_recall"`` -> ``{"precision", "recall"}``,
    ``"density_coverage"`` -> ``{"density", "coverage"}``: the keys the
    command line prints and ``keras_gan_zoo.callbacks.MetricLogger`` logs.
    """
    if metric == "fid":
        return {"fid": frechet_distance(real, fake)}
    if metric == "kid":
        mean, std = kernel_distance(real, fake, num_subsets=num_subsets)
        return {"kid": mean, "kid_std": std}
    if metric == "precision_recall":
        return precision_recall(real, fake)
    if metric == "density_coverage":
        return density_coverage(real, fake)
    raise ValueError(f"unknown distance {metric!r}; expected one of {', '.join(DISTANCES)}")

"""The metrics by name: one registry for ``keras-gan-zoo evaluate``, ``MetricLogger`` and scripts."""

import numpy as np

__all__ = ["METRICS", "MODE_SETS", "evaluate", "check"]

#: name -> what it measures (and what ``real`` it compares with).
METRICS = {
    "fid": "Fréchet distance between real and generated features (FID with Inception weights)",
    "kid": "kernel (MMD) distance between real and generated features, mean and std",
    "precision_recall": "improved precision and recall of the generated features (k-NN manifolds)",
    "density_coverage": "density and coverage of the generated features in the real k-NN balls",
    "modes": "modes covered of a known mixture: real is ring8, grid25 or stacked_mnist",
}
#: The ``real`` values that name a mixture with known modes.
MODE_SETS = ("ring8", "grid25", "stacked_mnist")
_RENAMED = {"stacked_mnist": "metric 'modes' with real='stacked_mnist'"}


def check(metric, real):
    """Raise a ``ValueError`` naming the problem if ``metric`` cannot compare with ``real``."""
    if metric in _RENAMED:
        raise ValueError(f"metric {metric!r} is now {_RENAMED[metric]} (0.2.0)")
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    if metric == "modes":
        if not (isinstance(real, str) and real in MODE_SETS):
            raise ValueError(f"metric 'modes' needs real= (--data) one of "
                             f"{', '.join(MODE_SETS[:-1])} or {MODE_SETS[-1]}, got {real!r}")
    elif real is None or isinstance(real, str):
        raise ValueError(f"metric {metric!r} compares with real samples: pass real=images (or "
                         f"features), got {real!r}")


def evaluate(metric, fake, real=None, extractor="digits", inception_weights=None,
             num_subsets=100, real_features=None):
    """``metric`` of the generated samples ``fake``, as a dict of named floats.

    Args:
        metric: a name of ``METRICS``.
        fake: generated samples: images ``(n, h, w, c)`` in [-1, 1], features
            ``(n, d)``, or points of a toy mixture.
        real: real images or features (distances), or a name of
            ``MODE_SETS`` (``"modes"``).
        extractor, inception_weights: see ``keras_gan_zoo.metrics.features``.
        num_subsets: subsets of the kernel distance.
        real_features: the real features, when already computed (skips ``real``).

    Returns:
        ``fid``; ``kid`` and ``kid_std``; ``precision`` and ``recall``;
        ``density`` and ``coverage``; or
        ``modes``, ``num_modes``, ``reverse_kl`` (and ``high_quality`` on the
        toy mixtures).

    Example:
        >>> kgz.metrics.evaluate("fid", model.generate(2000, seed=0), real=test_images)
        {'fid': 3.21}
    """
    from keras_gan_zoo import data
    from keras_gan_zoo.metrics import distances, modes
    from keras_gan_zoo.metrics.features import features as extract

    if real_features is None or metric == "modes":
        check(metric, real)
    if metric == "modes":
        if real == "stacked_mnist":
            result = modes.stacked_mnist_modes(fake)
            keys = ("modes", "num_modes", "reverse_kl")
        else:
            result = modes.mode_coverage(fake, *data.toy_modes(real))
            keys = ("modes", "num_modes", "high_quality", "reverse_kl")
        return {k: float(result[k]) for k in keys}

    def as_features(x):
        x = np.asarray(x)
        return x if x.ndim == 2 else extract(x, extractor, inception_weights=inception_weights,
                                             verbose=0)

    real_f = as_features(real) if real_features is None else real_features
    return distances.compare(metric, real_f, as_features(fake), num_subsets=num_subsets)

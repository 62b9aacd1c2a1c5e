"""2-D Gaussian mixtures used to measure mode collapse (PacGAN, VEEGAN).

* ``ring8``: 8 Gaussians of standard deviation 0.01 with means evenly spaced
  on the unit circle.
* ``grid25``: 25 Gaussians of standard deviation 0.05 with means at
  ``{-4, -2, 0, 2, 4}^2``.

Both as in Lin et al. 2018 (PacGAN), section 5.1; the modes are drawn with
equal probability.
"""

import numpy as np

TOY_SETS = ("ring8", "grid25")


def toy_modes(name):
    """``(means, std)`` of a toy mixture: means ``(k, 2)`` float32, std a float."""
    if name == "ring8":
        angles = 2 * np.pi * np.arange(8) / 8
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype("float32"), 0.01
    if name == "grid25":
        axis = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
        means = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
        return means.astype("float32"), 0.05
    raise ValueError(f"unknown toy data set {name!r}; expected one of {', '.join(TOY_SETS)}")


def toy(name, n=100_000, seed=0):
    """Draw ``n`` points of a toy mixture.

    Args:
        name: ``"ring8"`` or ``"grid25"``.
        n: number of points.
        seed: seed of the draw; the same seed gives the same points.

    Returns:
        float32 array of shape ``(n, 2)``.

    Example:
        >>> x = toy("ring8", n=1000)
        >>> x.shape
        (1000, 2)
    """
    means, std = toy_modes(name)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"expected a positive integer number of points, got {n!r}")
    rng = np.random.default_rng(seed)
    which = rng.integers(len(means), size=int(n))
    return (means[which] + std * rng.standard_normal((int(n), 2))).astype("float32")

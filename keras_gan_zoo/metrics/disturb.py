"""Disturbed images: the FID paper's check that a feature distance grows with damage.

Heusel et al. (2017, Appendix A1) validated FID by disturbing real images
at rising strength and checking that the distance to the clean images
rises with it. ``disturb`` makes those images for any extractor, so a
bundled or your own extractor can be checked the same way::

    clean = kgz.metrics.features(real, extractor="emoji")
    for level in kgz.metrics.DISTURBANCE_LEVELS:
        damaged = kgz.metrics.disturb(held_out, "blur", level)
        print(level, kgz.metrics.frechet_distance(clean, kgz.metrics.features(damaged, extractor="emoji")))

Every kind maps ``strength`` in ``[0, 1]`` to its own scale (0 leaves the
images as they are), sized for images of about 64 px; see ``DISTURBANCES``.
"""

import numpy as np

__all__ = ["DISTURBANCES", "DISTURBANCE_LEVELS", "disturb"]

#: Each kind, and what ``strength`` in [0, 1] means for it.
DISTURBANCES = {
    "noise": "(1 - s) x + s n, n Gaussian noise (std 0.5 of the [-1, 1] range, clipped)",
    "blur": "Gaussian blur of sigma 3 s pixels at 64 px (scaled with the side)",
    "swirl": "a swirl about the centre of strength 8 s, radius the side (scikit-image's swirl)",
    "salt_pepper": "a share 0.3 s of the pixels set to black or white",
}
#: The strengths of the paper's figures: none, then three rising levels and full.
DISTURBANCE_LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _swirl_coordinates(h, w, strength):
    """Where each output pixel reads the input (scikit-image's swirl with the radius the
    image's side: the angle falls to a 32nd of ``strength`` there)."""
    cy, cx = (h - 1) / 2, (w - 1) / 2
    y, x = np.mgrid[0:h, 0:w].astype("float64")
    rho = np.hypot(y - cy, x - cx)
    decay = min(h, w) / 5 * np.log(2)
    theta = strength * np.exp(-rho / decay) + np.arctan2(y - cy, x - cx)
    return cy + rho * np.sin(theta), cx + rho * np.cos(theta)


def disturb(images, kind, strength, seed=0):
    """``images`` ``(n, h, w, c)`` in [-1, 1] damaged by ``kind`` at ``strength`` in [0, 1].

    Args:
        images: array of images in [-1, 1].
        kind: one of ``DISTURBANCES`` (``noise``, ``blur``, ``swirl``,
            ``salt_pepper``).
        strength: 0 (unchanged) to 1 (the strongest level).
        seed: seeds the random kinds (noise, salt and pepper).

    Returns:
        float32 array of the same shape, in [-1, 1].
    """
    from scipy import ndimage

    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(f"expected images (n, h, w, c), got shape {images.shape}")
    if kind not in DISTURBANCES:
        raise ValueError(f"unknown disturbance {kind!r}; expected one of {', '.join(DISTURBANCES)}")
    if not 0.0 <= float(strength) <= 1.0:
        raise ValueError(f"expected a strength in [0, 1], got {strength}")
    if strength == 0:
        return images.copy()
    rng = np.random.default_rng(seed)
    n, h, w, c = images.shape
    if kind == "noise":
        noise = np.clip(rng.normal(0.0, 0.5, images.shape), -1, 1).astype("float32")
        out = (1 - strength) * images + strength * noise
    elif kind == "blur":
        sigma = 3.0 * strength * h / 64
        out = ndimage.gaussian_filter(images, (0, sigma, sigma, 0), mode="nearest")
    elif kind == "swirl":
        rows, cols = _swirl_coordinates(h, w, 8.0 * strength)
        out = np.empty_like(images)
        for i in range(n):
            for ch in range(c):
                out[i, :, :, ch] = ndimage.map_coordinates(images[i, :, :, ch], [rows, cols],
                                                           order=1, mode="nearest")
    else:  # salt and pepper
        hit = rng.random((n, h, w, 1)) < 0.3 * strength
        value = np.where(rng.random((n, h, w, 1)) < 0.5, -1.0, 1.0).astype("float32")
        out = np.where(hit, value, images)
    return np.clip(out, -1.0, 1.0).astype("float32")

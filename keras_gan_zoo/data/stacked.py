"""Stacked MNIST (Metz et al. 2017; Srivastava et al. 2017): 1,000 modes from 10 digits."""

import numpy as np


def stacked_mnist(images, labels, n, seed=0):
    """Stack three random digits as the R, G and B channels of one image.

    Each image's mode is ``100 * digit_R + 10 * digit_G + digit_B``, one of
    1,000, drawn uniformly, as in the VEEGAN and PacGAN papers.

    Args:
        images: ``(m, h, w, 1)`` grey digits in [-1, 1] (e.g. from
            ``to_arrays(mnist(path, split="train"))``).
        labels: ``(m,)`` their digits.
        n: how many stacked images to make.
        seed: seed of the draw.

    Returns:
        ``(stacked (n, h, w, 3) float32, modes (n,) int32)``.

    Example:
        >>> x, y = kgz.data.to_arrays(kgz.data.mnist(path, split="train"))
        >>> stacked, modes = kgz.data.stacked_mnist(x, y, 50_000)
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 4 or images.shape[-1] != 1 or len(images) != len(labels):
        raise ValueError(
            f"expected grey digits (m, h, w, 1) and m labels, got images {images.shape} and "
            f"labels {labels.shape}"
        )
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(images), (n, 3))
    stacked = np.concatenate([images[picks[:, c]] for c in range(3)], axis=-1).astype("float32")
    modes = (labels[picks] * np.array([100, 10, 1])).sum(1).astype("int32")
    return stacked, modes

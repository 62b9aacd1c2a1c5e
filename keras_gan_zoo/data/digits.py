"""The 8x8 handwritten digits bundled with the package.

``digits.csv.gz`` is the copy of the UCI "Optical Recognition of Handwritten
Digits" test set that scikit-learn ships as ``load_digits`` (1,797 images of
8x8 pixels with values 0-16, labels 0-9; Alpaydin and Kaynak, 1998; CC BY
4.0). It is real data that needs no download, small enough for a GAN to learn
in a minute on a laptop CPU.
"""

import gzip
from importlib import resources

import numpy as np


def digits(return_labels=False):
    """The 1,797 bundled 8x8 digit images, scaled to ``[-1, 1]``.

    Args:
        return_labels: also return the int32 labels 0-9.

    Returns:
        ``images`` float32 ``(1797, 8, 8, 1)``, or ``(images, labels)``.

    Example:
        >>> x = digits()
        >>> x.shape, float(x.min()), float(x.max())
        ((1797, 8, 8, 1), -1.0, 1.0)
    """
    with resources.files(__package__).joinpath("digits.csv.gz").open("rb") as raw:
        table = np.loadtxt(gzip.open(raw), delimiter=",", dtype="float32")
    images = (table[:, :64] / 8.0 - 1.0).reshape(-1, 8, 8, 1)
    if return_labels:
        return images, table[:, 64].astype("int32")
    return images

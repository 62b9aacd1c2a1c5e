"""One reader for every data source the command line (and a script) names by a string."""

import os


__all__ = ["SOURCES", "load"]

#: What ``load`` and ``open_source`` read, for help texts and errors.
SOURCES = ("a folder of images (flat; one subfolder per class; nested; or with labels.csv / "
           "labels.json), a .zip of images (keras-gan-zoo prepare), TFRecord files, "
           "tfds:NAME[:SPLIT] (a prepared tensorflow-datasets set, offline), a .npy file "
           "(memory-mapped) or .npz, a folder of MNIST IDX files, usps.h5 (or its folder), digits "
           "(bundled 8x8 digits), or ring8 / grid25 (toy 2-D mixtures)")


def load(spec, size=None, channels=None, split="train", toy_size=20000):
    """``(x, y)`` NumPy arrays of a (small) data source named by ``spec`` (``y`` is ``None`` if unlabelled).

    Reads the whole source into memory as float32 in ``[-1, 1]``: for data
    sets that fit. Training and evaluation stream instead:
    ``open_source`` takes the same ``spec``.

    Args:
        spec: as ``open_source``.
        size: side of the images to return (resized); ``None`` keeps the
            source's (image folders: 64).
        channels: 1 or 3 for image files (default 3).
        split: ``"train"``, ``"test"`` or ``"all"`` for MNIST, USPS and tfds
            (this project's MNIST split: t10k 0-7,999 / 8,000-9,999).
        toy_size: how many points of a toy mixture.

    Raises:
        FileNotFoundError, ValueError: naming the source and what was expected.

    Example:
        >>> x, y = kgz.data.load("my_photos/", size=64)       # y is None: a flat folder
    """
    from keras_gan_zoo.data.stream import ImageSource, open_source

    spec = os.fspath(spec)
    source = open_source(spec, size=size, channels=channels, split=split, toy_size=toy_size,
                         default_size=64)
    arrays = source.arrays()
    x, y = arrays if isinstance(arrays, tuple) else (arrays, None)
    if isinstance(source, ImageSource) or y is None:
        return x, y
    return x, y.astype("int32")

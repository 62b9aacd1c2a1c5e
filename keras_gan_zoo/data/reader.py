"""One reader for every data source the command line (and a script) names by a string."""

import os

import numpy as np

__all__ = ["SOURCES", "load"]

#: What :func:`load` reads, for help texts and errors.
SOURCES = ("digits (bundled 8x8 digits), ring8 / grid25 (toy 2-D mixtures), a .npy file of "
           "examples in [-1, 1], a folder of MNIST IDX files, usps.h5 (or its folder), "
           "tfds:NAME[:SPLIT] (tensorflow-datasets, offline), or a folder of images (flat: "
           "unlabelled; one subfolder per class: labelled)")

_IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _images_in(folder):
    return [f for f in os.listdir(folder) if f.lower().endswith(_IMAGE_ENDINGS)
            and os.path.isfile(os.path.join(folder, f))]


def _class_folders(folder):
    return [d for d in sorted(os.listdir(folder)) if os.path.isdir(os.path.join(folder, d))
            and _images_in(os.path.join(folder, d))]


def load(spec, size=None, channels=None, split="train", toy_size=20000):
    """``(x, y)`` NumPy arrays from a data source named by ``spec`` (``y`` is ``None`` if unlabelled).

    Images come in ``[-1, 1]``, channels last. The same rules serve
    ``keras-gan-zoo train`` and ``keras-gan-zoo evaluate``.

    Args:
        spec: ``"digits"``; ``"ring8"`` or ``"grid25"``; a ``.npy`` file (an
            array of examples, or a dict-like ``.npz`` with ``x`` and ``y``);
            a folder holding MNIST IDX files; ``usps.h5`` or its folder;
            ``"tfds:NAME"`` or ``"tfds:NAME:SPLIT"`` (read offline from the
            tfds data directory); or a folder of images, flat (unlabelled) or
            with one subfolder per class (labels in alphabetical order).
        size: side of the images to return (resized); ``None`` keeps the
            source's (image folders: 64).
        channels: 1 or 3 for image folders (default 3).
        split: ``"train"``, ``"test"`` or ``"all"`` for MNIST and USPS
            (this project's MNIST split: t10k 0-7,999 / 8,000-9,999).
        toy_size: how many points of a toy mixture.

    Raises:
        FileNotFoundError, ValueError: naming the source and what was expected.

    Example:
        >>> x, y = kgz.data.load("my_photos/", size=64)       # y is None: a flat folder
    """
    from keras_gan_zoo import data

    spec = os.fspath(spec)
    if spec == "digits":
        x, y = data.digits(return_labels=True)
        return x, y.astype("int32")
    if spec in data.TOY_SETS:
        return data.toy(spec, n=toy_size, seed=0), None
    if spec.startswith("tfds:"):
        _, name, *rest = spec.split(":")
        ds = data.tfds(name, split=rest[0] if rest else split, download=False, size=size)
        return data.to_arrays(ds)
    if spec.endswith((".npy", ".npz")):
        if not os.path.isfile(spec):
            raise FileNotFoundError(f"no file {spec}")
        loaded = np.load(spec)
        if spec.endswith(".npz"):
            return loaded["x"], (loaded["y"].astype("int32") if "y" in loaded.files else None)
        return loaded, None
    if spec.endswith(".h5") or (os.path.isdir(spec) and "usps.h5" in os.listdir(spec)):
        ds = data.usps(spec, "test" if split == "test" else "train", size=size)
        return tuple(data.to_arrays(ds))
    if not os.path.isdir(spec):
        raise FileNotFoundError(f"{spec}: no such file or folder; expected {SOURCES}")
    if any(name.startswith(("t10k-images", "train-images")) for name in os.listdir(spec)):
        return tuple(data.to_arrays(data.mnist(spec, split=split, size=size)))
    size = 64 if size is None else int(size)
    channels = 3 if channels is None else int(channels)
    if _class_folders(spec):
        x, y = data.to_arrays(data.image_folder(spec, size=size, channels=channels))
        return x, y
    if not _images_in(spec):
        raise ValueError(f"no images in {spec}: expected {', '.join(_IMAGE_ENDINGS)} files in it, "
                         "or one subfolder of them per class")
    return data.to_arrays(data.image_folder(spec, size=size, channels=channels, labels=None)), None

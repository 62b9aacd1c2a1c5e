"""Data in the value ranges the networks expect.

Bundled with the package (no files, no download):

* ``toy`` - the 2-D Gaussian mixtures of the mode-collapse literature.
* ``digits`` - real 8x8 handwritten digits, images in ``[-1, 1]``.
* ``stacked_mnist`` - three digits as RGB channels, 1,000 modes (from
  arrays of digits you load).

Read from files (unbatched ``tf.data.Dataset``, images in ``[-1, 1]``):

* ``mnist`` (IDX files), ``usps`` (``usps.h5``), ``facades``
  (unpaired photo / label-map halves; ``facade_classes`` turns label maps
  into class indices), ``emoji`` (two styles, categories as labels), ``image_folder`` (any folder,
  subfolders as classes) and ``tfds`` (tensorflow-datasets).

``open_source`` opens any of them, named by a string (what the command
line's ``--data`` takes), as a ``Source`` that streams from disk: folders
of any layout, ``.zip`` files (``keras-gan-zoo prepare``), TFRecords, tfds,
memory-mapped ``.npy``. ``load`` reads a small one into NumPy arrays.
"""

from keras_gan_zoo.data.digits import digits
from keras_gan_zoo.data.files import (
    EMOJI_CATEGORIES,
    EMOJI_STYLES,
    FACADE_CLASSES,
    FACADE_PALETTE,
    deskew,
    emoji,
    emoji_records,
    colour_classes,
    facade_classes,
    facades,
    image_folder,
    mnist,
    read_idx,
    slant,
    split_indices,
    tfds,
    to_arrays,
    usps,
)
from keras_gan_zoo.data.reader import SOURCES, load
from keras_gan_zoo.data.stream import (
    ArraySource,
    BadImageError,
    ImageOptions,
    PairSource,
    Source,
    open_source,
)
from keras_gan_zoo.data.stacked import stacked_mnist
from keras_gan_zoo.data.toy import TOY_SETS, toy, toy_modes

__all__ = [
    "ArraySource",
    "BadImageError",
    "ImageOptions",
    "PairSource",
    "Source",
    "open_source",
    "FACADE_CLASSES",
    "FACADE_PALETTE",
    "EMOJI_CATEGORIES",
    "EMOJI_STYLES",
    "emoji",
    "emoji_records",
    "SOURCES",
    "TOY_SETS",
    "deskew",
    "digits",
    "colour_classes",
    "facade_classes",
    "facades",
    "image_folder",
    "load",
    "mnist",
    "read_idx",
    "slant",
    "split_indices",
    "stacked_mnist",
    "tfds",
    "to_arrays",
    "toy",
    "toy_modes",
    "usps",
]

"""Loaders of real image data from files: MNIST, USPS, facades, emoji, image folders, tfds.

Every loader returns an unbatched ``tf.data.Dataset`` whose images are float32
in ``[-1, 1]`` with shape ``(h, w, c)``; labelled data come as
``(image, label)`` pairs with int32 labels. Batch, shuffle and cache them as
usual, then pass them to ``fit``::

    ds = kgz.data.mnist("data/mnist", split="train")      # (image, label)
    model.fit(ds.shuffle(8000).batch(64), epochs=10)

Nothing is downloaded here except through ``tfds`` with ``download=True``.
Malformed files raise a ``ValueError`` that names the file and what was
expected; missing files a ``FileNotFoundError``.
"""

import gzip
import os

import numpy as np
import tensorflow as tf

__all__ = ["EMOJI_CATEGORIES", "EMOJI_STYLES", "deskew", "emoji", "emoji_records", "facades", "image_folder", "mnist", "read_idx", "slant", "split_indices", "to_arrays", "tfds",
           "usps"]

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _find(path, names):
    for name in names:
        candidate = os.path.join(path, name)
        if os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(
        f"none of {', '.join(names)} found in {path!r}; expected the official files there"
    )


def read_idx(path):
    """Read an IDX file (the MNIST format), gzipped or not, into a NumPy array.

    Checks the magic number, the declared dimensions and the file size, so a
    truncated or foreign file fails with a clear message.
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:  # gzip raises these on truncated files
        raise ValueError(f"{path}: not a readable IDX file ({error})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex()})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{path}: IDX header declares shape {shape} ({expected} bytes) but the file "
            f"has {len(raw)} bytes; the file is truncated or corrupted"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def split_indices(n, split, train_fraction=0.8):
    """The project's reproducible split of ``n`` examples: first 80% train, last 20% test."""
    cut = int(round(n * train_fraction))
    if split in (None, "all"):
        return slice(0, n)
    if split == "train":
        return slice(0, cut)
    if split == "test":
        return slice(cut, n)
    raise ValueError(f"unknown split {split!r}; expected 'train', 'test' or 'all'")


def _resize(images, size):
    if size is None or images.shape[1:3] == (size, size):
        return images
    # Antialiased resizing can overshoot [-1, 1] by a rounding error.
    return np.clip(tf.image.resize(images, (size, size), antialias=True).numpy(), -1.0, 1.0)


def _labelled(images, labels):
    return tf.data.Dataset.from_tensor_slices((images.astype("float32"), labels.astype("int32")))


def mnist(path, subset="t10k", split="all", size=None, deskew=False):
    """MNIST digits from the official IDX files, as ``(image, label)`` pairs.

    Args:
        path: folder that holds ``{subset}-images-idx3-ubyte[.gz]`` and
            ``{subset}-labels-idx1-ubyte[.gz]``.
        subset: ``"t10k"`` (the 10k test files) or ``"train"`` (the 60k).
        split: ``"all"``, or the project's split of those files: ``"train"``
            (first 80%: images 0-7,999 of t10k) or ``"test"`` (last 20%).
        size: resize to ``size x size`` (e.g. 32); default 28.
        deskew: shear each digit upright by the moments of its ink (the
            classical MNIST deskewing), as USPS's digits were deslanted when
            that set was made (Le Cun et al. 1990): MNIST <-> USPS
            translation then compares strokes, not slants.

    Returns:
        Dataset of ``((s, s, 1) float32 in [-1, 1], int32 label)``.
    """
    images = read_idx(_find(path, [f"{subset}-images-idx3-ubyte.gz", f"{subset}-images-idx3-ubyte"]))
    labels = read_idx(_find(path, [f"{subset}-labels-idx1-ubyte.gz", f"{subset}-labels-idx1-ubyte"]))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"expected MNIST images (n, 28, 28) and labels (n,), got {images.shape} and {labels.shape}"
        )
    part = split_indices(len(images), split)
    images = images[part, :, :, None].astype("float32") / 127.5 - 1.0
    if deskew:
        images = _upright(images)
    return _labelled(_resize(images, size), labels[part])


def _ink_moments(images):
    """Per image: the ink's centre row and its slant (see ``slant``)."""
    images = np.asarray(images, dtype="float64")
    if images.ndim != 4 or images.shape[-1] != 1:
        raise ValueError(f"expected grey images (n, h, w, 1) in [-1, 1], got shape {images.shape}")
    ink = (images[..., 0] + 1.0) / 2.0
    rows, cols = np.mgrid[:ink.shape[1], :ink.shape[2]]
    mass = np.maximum(ink.sum((1, 2)), 1e-6)
    centre_row = (ink * rows).sum((1, 2)) / mass
    row = rows - centre_row[:, None, None]
    col = cols - ((ink * cols).sum((1, 2)) / mass)[:, None, None]
    slope = (ink * row * col).sum((1, 2)) / np.maximum((ink * row**2).sum((1, 2)), 1e-6)
    return centre_row, slope


def slant(images):
    """Each grey image's slant: columns moved per row down its ink, ``(n,)``.

    The ink (``(image + 1) / 2``) covariance of column and row over the
    variance of the row; positive for a ``\\`` stroke, negative for ``/``.
    """
    return _ink_moments(images)[1]


def deskew(images):
    """Shear each grey digit ``(n, h, w, 1)`` in [-1, 1] along its rows so that its slant is 0.

    What ``mnist(..., deskew=True)`` applies; use it on your own digits
    before a model trained on deskewed ones (e.g. the ``cyclegan_mnist_usps``
    zoo entry, or ``keras-gan-zoo sample ... --deskew``).

    Example:
        >>> upright = deskew(images)
        >>> abs(slant(upright)).max() < abs(slant(images)).max()
    """
    import keras

    centre_row, alpha = _ink_moments(images)
    zeros, ones = np.zeros(len(images)), np.ones(len(images))
    # Output pixel (x, y) reads the input at (x + alpha (y - centre_row), y).
    transform = np.stack([ones, alpha, -alpha * centre_row, zeros, ones, zeros, zeros, zeros], 1)
    out = keras.ops.image.affine_transform(images, transform.astype("float32"),
                                           interpolation="bilinear", fill_mode="constant",
                                           fill_value=-1.0)
    return np.clip(keras.ops.convert_to_numpy(out), -1.0, 1.0)


_upright = deskew  # for mnist(), whose ``deskew`` argument hides the function


def usps(path, split="train", size=None, framing="full"):
    """USPS digits from ``usps.h5`` (Hull 1994), as ``(image, label)`` pairs.

    Args:
        path: the ``usps.h5`` file, or a folder that holds it.
        split: ``"train"`` (7,291 images) or ``"test"`` (2,007), as in the file.
        size: resize from 16x16 to ``size x size`` (e.g. 32); default 16
            (``framing="full"``) or 28 (``framing="mnist"``).
        framing: ``"full"``: the digit fills the frame, as USPS stores it;
            ``"mnist"``: the digit is scaled to 20/28 of the frame and
            centred on background, the way MNIST's digits sit in theirs, so
            that MNIST <-> USPS translation or adaptation compares strokes
            and styles rather than scales.

    Returns:
        Dataset of ``((s, s, 1) float32 in [-1, 1], int32 label)``.
    """
    import h5py

    if os.path.isdir(path):
        path = _find(path, ["usps.h5"])
    if split not in ("train", "test"):
        raise ValueError(f"unknown split {split!r}; expected 'train' or 'test'")
    if framing not in ("full", "mnist"):
        raise ValueError(f"unknown framing {framing!r}; expected 'full' or 'mnist'")
    try:
        with h5py.File(path, "r") as f:
            data, target = f[split]["data"][:], f[split]["target"][:]
    except FileNotFoundError:
        raise
    except (OSError, KeyError) as error:
        raise ValueError(
            f"{path}: expected an HDF5 file with {split}/data (n, 256) and {split}/target (n,) "
            f"({error})"
        ) from None
    if data.ndim != 2 or data.shape[1] != 256 or len(data) != len(target):
        raise ValueError(f"{path}: expected {split}/data of shape (n, 256), got {data.shape}")
    images = data.reshape(-1, 16, 16, 1).astype("float32") * 2.0 - 1.0
    if framing == "mnist":
        return _labelled(_mnist_framing(images, size or 28), target)
    return _labelled(_resize(images, size), target)


def _mnist_framing(images, size):
    """Digits that fill their frame, scaled to MNIST's 20/28 of ``size`` and padded with background."""
    inner = round(size * 20 / 28)
    before = (size - inner) // 2
    border = ((0, 0), (before, size - inner - before), (before, size - inner - before), (0, 0))
    return np.pad(_resize(images, inner), border, constant_values=-1.0)


def facades(path, size=64, seed=0, unpaired=None, paired=None):
    """CMP facades split into unpaired (photo, label map) halves.

    Each file of the pix2pix layout is 512x256 with the photo on the left and
    the label map on the right. The photos and the label maps are shuffled
    apart with ``seed``, so the pairs are unpaired, as CycleGAN assumes.

    Args:
        path: folder of ``image_*.jpg``.
        size: output size of each half, ``size x size``.
        seed: seed of the shuffle that separates the halves.
        unpaired: ``False`` keeps each photo with its own label map (for
            evaluation and pictures, not for CycleGAN training).
        paired: ``True`` keeps each photo with its own label map, as
            pix2pix and GauGAN train (the same as ``unpaired=False``). Left
            out, the halves are unpaired.

    Returns:
        Dataset of ``(photo, label_map)``, each ``(size, size, 3)`` in [-1, 1].
    """
    files = sorted(
        os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith((".jpg", ".png"))
    ) if os.path.isdir(path) else []
    if not files:
        raise FileNotFoundError(f"no .jpg or .png facades found in {path!r}")
    if paired is not None and unpaired is not None and bool(paired) == bool(unpaired):
        raise ValueError(f"paired={paired} and unpaired={unpaired} contradict each other; "
                         "pass one of them")
    unpaired = not paired if paired is not None else (True if unpaired is None else unpaired)

    def halves(file):
        image = tf.io.decode_image(tf.io.read_file(file), channels=3, expand_animations=False)
        width = tf.shape(image)[1] // 2
        pair = tf.cast(tf.stack([image[:, :width], image[:, width : 2 * width]]), tf.float32)
        pair = tf.image.resize(pair, (size, size), antialias=True) / 127.5 - 1.0
        return tf.clip_by_value(pair, -1.0, 1.0)

    order = np.random.default_rng(seed).permutation(len(files)) if unpaired else range(len(files))
    photos = tf.data.Dataset.from_tensor_slices(files).map(lambda f: halves(f)[0])
    labels = tf.data.Dataset.from_tensor_slices([files[i] for i in order]).map(lambda f: halves(f)[1])
    return tf.data.Dataset.zip((photos, labels))


#: The classes of the facades label maps: index 0 for pixels the CMP facade
#: database leaves unlabelled, then its 12 classes in the order of their label
#: ids 1-12.
FACADE_CLASSES = ("unlabelled", "background", "facade", "window", "door", "cornice", "sill",
                  "balcony", "blind", "deco", "molding", "pillar", "shop")

#: The colour of each class in the label maps of the pix2pix facades files:
#: matplotlib's ``jet`` colour map at ``i / 12`` for class ``i``. Checked on
#: files 0-399 (``tests/test_facades_extractor.py``): the label-map pixels lie
#: within a median of 8.5 (RGB units) of their nearest palette colour at full
#: size (``jet(i / 11)`` with 12 colours fits worse, 11.8); JPEG blurs the
#: edges between regions.
FACADE_PALETTE = np.array([
    (0, 0, 128), (0, 0, 223), (0, 40, 255), (0, 128, 255), (0, 212, 255), (54, 255, 193),
    (125, 255, 122), (193, 255, 54), (255, 230, 0), (255, 148, 0), (255, 71, 0), (223, 0, 0),
    (128, 0, 0),
], dtype="float32")


def facade_classes(label_maps):
    """Class indices ``(n, h, w)`` int32 (0-12, ``FACADE_CLASSES``) of colour-coded label maps.

    Each pixel takes the class of the nearest colour of
    ``FACADE_PALETTE`` (Euclidean distance in RGB), so the colours JPEG
    compression blurred at the edges between regions go to the closer class.

    Args:
        label_maps: ``(n, h, w, 3)`` RGB label maps in ``[-1, 1]`` (as
            ``facades`` returns them) or ``[0, 255]`` (uint8).
    """
    return colour_classes(label_maps, FACADE_PALETTE)


def colour_classes(label_maps, palette):
    """Class indices ``(n, h, w)`` int32 of colour-coded label maps: each pixel's nearest colour.

    Args:
        label_maps: ``(n, h, w, 3)`` RGB maps in ``[-1, 1]`` or ``[0, 255]`` (uint8).
        palette: ``(classes, 3)`` RGB colours in ``[0, 255]``, class ``i``'s in row ``i``.
    """
    maps = np.asarray(label_maps)
    palette = np.asarray(palette, dtype="float32")
    if maps.ndim != 4 or maps.shape[-1] != 3:
        raise ValueError(f"expected RGB label maps (n, h, w, 3), got shape {maps.shape}")
    if palette.ndim != 2 or palette.shape[-1] != 3:
        raise ValueError(f"expected a palette of RGB colours (classes, 3), got shape "
                         f"{palette.shape}")
    rgb = maps.astype("float32") if maps.dtype == np.uint8 else (maps.astype("float32") + 1) * 127.5
    distances = ((rgb[..., None, :] - palette) ** 2).sum(-1)
    return distances.argmin(-1).astype("int32")


def image_folder(path, size, channels=3, labels="inferred"):
    """Any folder of images; one subfolder per class gives the labels.

    Uses ``keras.utils.image_dataset_from_directory``.

    Args:
        path: the folder.
        size: images are resized to ``size x size``.
        channels: 1 (grey) or 3 (RGB).
        labels: ``"inferred"`` (from subfolders, in alphabetical order) or
            ``None`` (images only).

    Returns:
        Dataset of ``(image, label)`` or of images, ``(size, size, channels)`` in [-1, 1].
    """
    import keras

    if not os.path.isdir(path):
        raise FileNotFoundError(f"no folder {path!r}")
    mode = {1: "grayscale", 3: "rgb"}.get(channels)
    if mode is None:
        raise ValueError(f"expected channels 1 or 3, got {channels}")
    _check_images_readable(path)
    if labels == "inferred" and not any(
            os.path.isdir(os.path.join(path, d)) for d in os.listdir(path)):
        raise ValueError(f"{path} has no subfolders, so no labels can be inferred: pass "
                         "labels=None for a flat folder of unlabelled images")
    ds = keras.utils.image_dataset_from_directory(
        path, labels=labels, image_size=(size, size), color_mode=mode, batch_size=None,
        shuffle=False, verbose=False,
    )
    if labels is None:
        return ds.map(lambda x: x / 127.5 - 1.0)
    return ds.map(lambda x, y: (x / 127.5 - 1.0, tf.cast(y, tf.int32)))


def _check_images_readable(path):
    """Fail now, naming the files, if any image under ``path`` is truncated or corrupt.

    Without this, a bad file surfaces mid-training as a TensorFlow decode error
    that names no file.
    """
    from PIL import Image

    bad = []
    for root, _, files in os.walk(path):
        for name in sorted(files):
            if not name.lower().endswith((".png", ".jpg", ".jpeg", ".bmp", ".gif")):
                continue
            file = os.path.join(root, name)
            try:
                with Image.open(file) as image:
                    image.load()  # decodes every pixel: catches truncated files
            except Exception as error:  # PIL raises several types for bad data
                bad.append(f"{file} ({error})")
    if bad:
        raise ValueError(
            f"{len(bad)} file(s) in {path} cannot be read as images: {'; '.join(bad[:3])}"
            f"{' ...' if len(bad) > 3 else ''}; expected PNG, JPEG, BMP or GIF files: "
            "remove or replace them"
        )


def tfds(name, split="train", data_dir=None, download=True, size=None,
         image_key="image", label_key="label"):
    """A tensorflow-datasets data set as ``(image, label)`` pairs in [-1, 1].

    Args:
        name: the tfds name, e.g. ``"mnist"`` or ``"cifar10"``.
        split: the tfds split, e.g. ``"train"`` or ``"test[:2000]"``.
        data_dir: where tfds keeps its data.
        download: let tfds download and prepare the data if it is missing
            (needs the network; ``False`` reads only what ``data_dir`` holds).
        size: resize to ``size x size``.
        image_key, label_key: feature names; ``label_key=None`` gives images only.
    """
    try:
        import tensorflow_datasets
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError(
            "kgz.data.tfds needs tensorflow-datasets: pip install 'keras-gan-zoo[data]'"
        ) from None
    ds = tensorflow_datasets.load(name, split=split, data_dir=data_dir, download=download)

    def convert(example):
        image = tf.cast(example[image_key], tf.float32)
        if size is not None:
            image = tf.image.resize(image, (size, size), antialias=True)
        image = tf.clip_by_value(image / 127.5 - 1.0, -1.0, 1.0)
        if label_key is None:
            return image
        return image, tf.cast(example[label_key], tf.int32)

    return ds.map(convert)


def to_arrays(dataset, batch_size=4096):
    """Materialise a (small) unbatched dataset as NumPy arrays, element structure kept."""
    parts = [batch for batch in dataset.batch(batch_size).as_numpy_iterator()]
    if not parts:
        raise ValueError("the dataset is empty")
    if isinstance(parts[0], tuple):
        return tuple(np.concatenate([p[i] for p in parts]) for i in range(len(parts[0])))
    return np.concatenate(parts)


#: The categories of ``emoji``'s labels, in label order: Unicode's emoji
#: groups as the emoji-data files name them, without "Component" (five skin
#: tone swatches and hair parts, not emoji of their own).
EMOJI_CATEGORIES = ("Smileys & Emotion", "People & Body", "Animals & Nature", "Food & Drink",
                    "Travel & Places", "Activities", "Objects", "Symbols", "Flags")
EMOJI_STYLES = ("twemoji", "noto")


def emoji_records(path):
    """One dict per emoji file of the emoji folder: ``file``, ``name``, ``category``,
    ``subcategory``, ``base`` (index of its base emoji in sort order) and ``label``.

    Skin-tone variants share their base emoji's name, category and ``base``.
    "Component" emoji are left out (``EMOJI_CATEGORIES``).
    """
    import json

    index = os.path.join(path, "emoji.json")
    if not os.path.isfile(index):
        raise FileNotFoundError(f"no emoji.json in {path!r}; expected the emoji folder of "
                                f"the project's shared data (emoji.json, {', '.join(EMOJI_STYLES)})")
    with open(index) as file:
        bases = sorted((r for r in json.load(file) if r["category"] in EMOJI_CATEGORIES),
                       key=lambda r: r["sort_order"])
    records = []
    for i, base in enumerate(bases):
        for name in [base["image"], *base.get("skin_variations", [])]:
            records.append({"file": name, "name": base["name"], "category": base["category"],
                            "subcategory": base["subcategory"], "base": i,
                            "label": EMOJI_CATEGORIES.index(base["category"])})
    return records


def emoji(path, style="twemoji", size=64, background="white", split="all"):
    """The emoji data set: 64x64 RGBA emoji in two styles, composited on a background.

    Read from the folder of ``emoji.json`` with ``twemoji/`` and
    ``noto/`` (the project's shared data; Twemoji CC-BY 4.0, Noto Emoji
    Apache 2.0), streamed file by file.

    Args:
        path: the emoji folder.
        style: ``"twemoji"`` or ``"noto"``.
        size: side of the returned images (antialiased resize of the
            alpha-premultiplied image, so edges do not darken).
        background: the colour under transparent pixels (``"white"``,
            ``"black"``, ``"grey"`` or ``"R,G,B"``); white is the convention.
        split: ``"all"``; ``"train"`` or ``"test"``: the project's split by
            base emoji, every fifth base emoji in sort order (with its skin
            variants) held out for ``"test"``, so the two never share an emoji.

    Returns:
        Dataset of ``(image, label)``: ``(size, size, 3)`` in [-1, 1] and the
        index of the emoji's category in ``EMOJI_CATEGORIES`` (int32), in
        sort order.
    """
    from keras_gan_zoo.data.stream import parse_colour

    if style not in EMOJI_STYLES:
        raise ValueError(f"unknown emoji style {style!r}; expected one of {', '.join(EMOJI_STYLES)}")
    if split not in ("all", "train", "test"):
        raise ValueError(f"unknown split {split!r}; expected 'train', 'test' or 'all'")
    records = [r for r in emoji_records(path)
               if split == "all" or (r["base"] % 5 == 4) == (split == "test")]
    folder = os.path.join(path, style)
    missing = [r["file"] for r in records if not os.path.isfile(os.path.join(folder, r["file"]))]
    if missing:
        raise FileNotFoundError(f"{len(missing)} emoji files of emoji.json are missing from "
                                f"{folder} (first: {missing[0]})")
    colour = tf.constant(np.asarray(parse_colour(background), "float32") / 127.5 - 1.0)

    def read(file, label):
        rgba = tf.cast(tf.io.decode_png(tf.io.read_file(file), channels=4), tf.float32) / 255.0
        alpha = rgba[..., 3:]
        premultiplied = tf.concat([rgba[..., :3] * alpha, alpha], -1)
        if size != 64:
            premultiplied = tf.image.resize(premultiplied, (size, size), antialias=True)
        rgb, alpha = premultiplied[..., :3] * 2.0 - premultiplied[..., 3:], premultiplied[..., 3:]
        # premultiplied colour in [-1, 1] units is 2 rgb a - a; add the background under 1 - a
        image = rgb + colour * (1.0 - alpha)
        return tf.clip_by_value(tf.ensure_shape(image, (size, size, 3)), -1.0, 1.0), label

    files = [os.path.join(folder, r["file"]) for r in records]
    labels = np.asarray([r["label"] for r in records], "int32")
    return tf.data.Dataset.from_tensor_slices((files, labels)).map(
        read, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

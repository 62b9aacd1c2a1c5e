"""Data sets read on demand: the one input path of ``train``, ``evaluate`` and ``fit_resumable``.

A ``Source`` is a list of examples that are read when a batch needs
them, never all at once: image files in a folder (flat, one subfolder per
class, nested, or with a labels file), the members of a ``.zip``, the records
of TFRecord shards or of a prepared tensorflow-datasets split, the rows of a
memory-mapped ``.npy`` file, or arrays already in memory. Its memory does not
grow with the number of examples beyond their index (a file name and a label
each).

Batches come from ``Source.batches``: the order is a stateless shuffle of
the example *indices* keyed by ``(seed, epoch)``, so batch ``k`` of an epoch
is the same in any process, after any crash, and on any number of replicas.
Files are read, decoded, cropped and resized by ``tf.data`` in parallel, with
prefetch; pixels stay ``uint8`` until the batch, which is cast to float32 in
``[-1, 1]``.

Example:
    >>> source = kgz.data.open_source("photos/", size=128, crop="center", mirror=True)
    >>> print(source.describe())    # 3,000 images from photos/ (flat folder), 128x128x3
    >>> for x in source.batches(64, seed=0, epoch=0).take(1): ...
"""

import csv
import hashlib
import json
import os
import threading
import zipfile

import numpy as np
import tensorflow as tf

__all__ = ["IMAGE_ENDINGS", "READS_IN_FLIGHT", "ImageOptions", "Source", "ArraySource", "RepeatSource", "ImageSource", "PairSource",
           "BadImageError", "open_source", "describe_layout"]

#: The image files a folder or a zip may hold (TIFF is decoded by Pillow, the rest by TensorFlow).
IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
_PIL_ONLY = (".tif", ".tiff")
LABEL_FILES = ("labels.csv", "labels.json", "dataset.json")
#: A folder's texts, one per image (what a text-to-image variant trains on).
TEXT_FILES = ("texts.csv", "texts.json")
_AUTOTUNE = tf.data.AUTOTUNE
#: Files read at once by a streamed source (reads wait on the disk, not on the CPU).
READS_IN_FLIGHT = 16


class BadImageError(ValueError):
    """A file of a data set could not be decoded as an image; its message names the file."""

    def __init__(self, path, reason):
        self.path, self.reason = path, reason
        super().__init__(
            f"{path} cannot be decoded as an image ({reason}); remove or replace it, pass "
            "--skip-bad (skip_bad=True) to skip unreadable files, or run `keras-gan-zoo "
            "prepare` once, which lists every unreadable file")


# -------------------------------------------------------------------- options
class ImageOptions:
    """How each image becomes a training example.

    Args:
        size: side of the square examples (``None``: the source's own size,
            which must then be the same for every image).
        channels: 1 (grey) or 3 (RGB); ``None``: 3 for files, the source's own
            for arrays.
        crop: ``"center"`` (the largest centred square, then resize),
            ``"random"`` (a random square of the short side, a new one each
            epoch) or ``"none"`` (resize the whole image; its aspect is not kept).
        mirror: flip each image left-right with probability 1/2, a new draw
            each epoch (StyleGAN2-ADA's ``--mirror``).
        background: RGB colour ``(r, g, b)`` in ``[0, 255]`` that transparent
            pixels (RGBA, grey+alpha, palette with transparency) are composited
            on; white by default.
    """

    CROPS = ("center", "random", "none")

    def __init__(self, size=None, channels=None, crop="center", mirror=False,
                 background=(255, 255, 255)):
        if size is not None and (isinstance(size, bool) or int(size) < 1):
            raise ValueError(f"expected a positive image size, got {size!r}")
        if channels not in (None, 1, 3):
            raise ValueError(f"expected channels 1 (grey) or 3 (RGB), got {channels!r}")
        if crop not in self.CROPS:
            raise ValueError(f"unknown crop {crop!r}; expected one of {', '.join(self.CROPS)}")
        background = parse_colour(background)
        self.size = None if size is None else int(size)
        self.channels, self.crop, self.mirror, self.background = channels, crop, bool(mirror), background

    def describe(self):
        parts = [f"crop {self.crop}"]
        if self.mirror:
            parts.append("mirrored")
        return ", ".join(parts)


def parse_colour(value):
    """``"white"``, ``"black"``, ``"grey"``, ``"R,G,B"`` or a 3-tuple -> ``(r, g, b)`` ints in [0, 255]."""
    names = {"white": (255, 255, 255), "black": (0, 0, 0), "grey": (128, 128, 128),
             "gray": (128, 128, 128)}
    if isinstance(value, str):
        if value.lower() in names:
            return names[value.lower()]
        try:
            value = tuple(int(v) for v in value.split(","))
        except ValueError:
            value = None
    if value is None or len(tuple(value)) != 3 or not all(0 <= int(v) <= 255 for v in value):
        raise ValueError(f"expected a background colour white, black, grey or R,G,B with values "
                         f"in [0, 255] (e.g. 255,255,255), got {value!r}")
    return tuple(int(v) for v in value)


# --------------------------------------------------------------------- order
def epoch_order(n, seed, epoch, stream=0):
    """The shuffled indices ``[0, n)`` of one epoch: a function of (seed, epoch, stream) only."""
    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
    if stream:
        key = tf.random.experimental.stateless_fold_in(key, stream)
    return tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64), seed=key)


def _worker_share(positions, batch_size, input_context):
    """This input pipeline's columns of each global batch (contiguous, replica order)."""
    if input_context is None or input_context.num_input_pipelines == 1:
        return positions, batch_size
    workers, worker = input_context.num_input_pipelines, input_context.input_pipeline_id
    if batch_size % workers:
        raise ValueError(f"the global batch size {batch_size} does not divide among {workers} "
                         "workers; choose a multiple of the number of workers")
    share = batch_size // workers
    grid = tf.reshape(positions, [-1, batch_size])[:, worker * share:(worker + 1) * share]
    return tf.reshape(grid, [-1]), share


# -------------------------------------------------------------------- sources
class Source:
    """A data set of examples read on demand, batched in an order keyed by ``(seed, epoch)``.

    Attributes:
        n: number of examples.
        shape: shape of one example as batches give it, e.g. ``(64, 64, 3)``.
        labels: int32 class of each example, or ``None``.
        class_names: the names of the classes (``None`` without labels).
        texts: the text of each example (a folder's ``texts.csv``), or ``None``.
        targets: what batches carry beside the examples instead of the labels
            (``with_targets``: a text's word ids), or ``None``.
        name: where the examples come from, for messages.
        layout: how the source was read (``"flat folder"``, ``"zip"``, ...).
        ignored: files that were not read, ``{reason: count}`` (e.g. not images).
    """

    layout = "arrays"

    def __init__(self, name, n, shape, labels=None, class_names=None, ignored=None):
        if n < 1:
            raise ValueError(f"{name}: no examples found")
        self.name, self.n, self.shape = str(name), int(n), tuple(int(s) for s in shape)
        self.labels = None if labels is None else np.asarray(labels, dtype="int32")
        if self.labels is not None and class_names is None:
            class_names = [str(i) for i in range(int(self.labels.max()) + 1)]
        self.class_names = None if class_names is None else list(class_names)
        self.ignored = dict(ignored or {})
        self.texts = None
        self.targets = None

    def with_targets(self, targets):
        """This source with ``targets`` (one row per example, e.g. the word ids of its text)
        beside each example in its batches, instead of its labels: ``(x, targets)``."""
        targets = np.asarray(targets)
        if len(targets) != self.n:
            raise ValueError(f"{self.name}: {self.n} examples but {len(targets)} targets")
        copy = __import__("copy").copy(self)
        copy.targets = targets
        return copy
    @property
    def num_classes(self):
        return None if self.class_names is None else len(self.class_names)

    def __len__(self):
        return self.n

    def describe(self):
        """One line for a person: how many, from where, what shape, classes, what was left out."""
        shape = "x".join(map(str, self.shape))
        text = f"{self.n:,} examples of shape {shape} from {self.name} ({self.layout})"
        if self.class_names is not None:
            names = ", ".join(self.class_names[:6]) + (", ..." if self.num_classes > 6 else "")
            text += f", {self.num_classes} classes ({names})"
        if self.texts is not None:
            text += f", a text each (e.g. {self.texts[0]!r})"
        if self.ignored:
            text += "; not read: " + ", ".join(f"{count} {why}" for why, count in self.ignored.items())
        return text

    def fingerprint(self):
        """What a resumed run must find again: count, shape, classes (and texts)."""
        facts = {"examples": self.n, "shape": list(self.shape), "classes": self.num_classes}
        if self.texts is not None:
            facts["texts"] = _list_hash(self.texts)
        return facts

    # ----------------------------------------------------------- batches
    def steps_per_epoch(self, batch_size):
        steps = self.n // batch_size
        if steps < 1:
            raise ValueError(f"the batch size {batch_size} is larger than the data ({self.n} "
                             f"examples) of {self.name}; use a batch size of at most {self.n}")
        return steps

    def batches(self, batch_size, seed=0, epoch=0, skip=0, shuffle=True, input_context=None,
                drop_remainder=True):
        """One epoch of float32 batches in ``[-1, 1]`` (``x``, or ``(x, labels)``).

        Args:
            batch_size: the global batch size.
            seed, epoch: the order is a stateless shuffle keyed by both.
            skip: leave out the first ``skip`` batches (a resumed epoch); the
                skipped files are not read.
            shuffle: ``False`` keeps the source's own order (evaluation).
            input_context: a ``tf.distribute.InputContext``: this worker's
                share of each global batch, batched per replica.
            drop_remainder: every batch full (training).
        """
        positions = epoch_order(self.n, seed, epoch) if shuffle else tf.range(self.n, dtype=tf.int64)
        steps = self.n // batch_size if drop_remainder else -(-self.n // batch_size)
        if drop_remainder:
            positions = positions[: steps * batch_size]
        positions = positions[skip * batch_size:]
        return self._read(positions, batch_size, seed, epoch, input_context, drop_remainder)

    def _read(self, positions, batch_size, seed, epoch, input_context, drop_remainder):
        """Batches of the examples at ``positions`` (this worker's share of each global batch)."""
        share = batch_size
        if input_context is not None and input_context.num_input_pipelines > 1:
            positions, share = _worker_share(positions, batch_size, input_context)
        per_replica = share
        if input_context is not None:
            per_replica = input_context.get_per_replica_batch_size(batch_size)
        key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
        return self._batched(positions, per_replica, key, drop_remainder)

    def _batched(self, positions, batch_size, key, drop_remainder):
        raise NotImplementedError

    def _finish_batch(self, images, indices):
        x = tf.cast(images, tf.float32) / 127.5 - 1.0 if images.dtype == tf.uint8 else images
        beside = self.labels if self.targets is None else self.targets
        if beside is None:
            return x
        return x, tf.gather(tf.constant(beside), indices)

    def epochs(self, first, last, batch_size, seed=0, skip=0, input_context=None):
        """Epochs ``first .. last - 1`` as one dataset, the first without its ``skip`` batches."""
        first_epoch = self.batches(batch_size, seed, first, skip, input_context=input_context)
        if first + 1 >= last:
            return first_epoch
        rest = tf.data.Dataset.range(first + 1, last).flat_map(
            lambda e: self.batches(batch_size, seed, e, input_context=input_context))
        return first_epoch.concatenate(rest)

    def arrays(self, n=None, batch_size=256):
        """The first ``n`` examples in the source's order as NumPy (for small evaluations)."""
        n = self.n if n is None else min(int(n), self.n)
        parts = [b for b in self.batches(batch_size, shuffle=False, drop_remainder=False)
                 .take(-(-n // batch_size)).as_numpy_iterator()]
        if isinstance(parts[0], tuple):
            return tuple(np.concatenate([p[i] for p in parts])[:n] for i in range(2))
        return np.concatenate(parts)[:n]


class RepeatSource(Source):
    """A source's few examples (one image, for SinGAN) repeated: ``steps`` full batches an
    epoch, each filled by cycling through the examples in order.

    Nothing is copied: batches read the inner source's examples by position.
    """

    def __init__(self, inner, steps):
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"expected steps >= 1 (batches an epoch), got {steps!r}")
        self.inner, self.steps, self.layout = inner, steps, f"{inner.layout}, repeated"
        super().__init__(inner.name, inner.n, inner.shape, inner.labels, inner.class_names,
                         inner.ignored)

    def describe(self):
        return f"{self.inner.describe()}, repeated for {self.steps:,} batches an epoch"

    def fingerprint(self):
        return {**self.inner.fingerprint(), "steps_per_epoch": self.steps}

    def steps_per_epoch(self, batch_size):
        return self.steps

    def batches(self, batch_size, seed=0, epoch=0, skip=0, shuffle=True, input_context=None,
                drop_remainder=True):
        positions = tf.range(skip * batch_size, self.steps * batch_size, dtype=tf.int64) % self.n
        return self._read(positions, batch_size, seed, epoch, input_context, drop_remainder)

    def _batched(self, positions, batch_size, key, drop_remainder):
        return self.inner._batched(positions, batch_size, key, drop_remainder)


class ArraySource(Source):
    """Examples already in an array (or a memory-mapped ``.npy``): rows are read batch by batch.

    Float arrays are taken as they are (``[-1, 1]``); ``uint8`` images are
    scaled at the batch. With ``size``, images are resized at the batch.
    """

    def __init__(self, x, y=None, name="arrays", size=None, layout="arrays", class_names=None):
        x = x if isinstance(x, np.memmap) else np.asarray(x)
        if x.ndim < 2 or len(x) == 0:
            raise ValueError(f"{name}: expected an array of examples (n, ...), got shape {x.shape}")
        if y is not None and len(y) != len(x):
            raise ValueError(f"{name}: {len(x)} examples but {len(y)} labels")
        self._x, self.layout, self._size = x, layout, size
        shape = x.shape[1:]
        if size is not None and x.ndim == 4 and shape[:2] != (size, size):
            shape = (size, size, shape[-1])
        else:
            self._size = None
        super().__init__(name, len(x), shape, y, class_names)

    def _rows(self, indices):
        order = np.argsort(indices)  # memory-mapped reads in file order, then back
        rows = np.empty((len(indices),) + self._x.shape[1:], self._x.dtype)
        rows[order] = self._x[indices[order]]
        if rows.dtype not in (np.uint8, np.float32):
            rows = rows.astype("float32")
        return rows

    def _batched(self, positions, batch_size, key, drop_remainder):
        dtype = tf.uint8 if self._x.dtype == np.uint8 else tf.float32

        def read(indices):
            rows = tf.numpy_function(self._rows, [indices], dtype, stateful=False)
            rows.set_shape((None,) + tuple(self._x.shape[1:]))
            if self._size is not None:
                rows = tf.cast(tf.image.resize(tf.cast(rows, tf.float32), (self._size, self._size),
                                               antialias=True), tf.float32)
                if dtype == tf.uint8:
                    rows = tf.cast(tf.clip_by_value(tf.round(rows), 0, 255), tf.uint8)
                else:
                    rows = tf.clip_by_value(rows, -1.0, 1.0)
            return self._finish_batch(rows, indices)

        ds = tf.data.Dataset.from_tensor_slices(positions).batch(batch_size, drop_remainder)
        return ds.map(read, num_parallel_calls=_AUTOTUNE, deterministic=True).prefetch(_AUTOTUNE)


class ImageSource(Source):
    """Encoded images (files, zip members or records), decoded and shaped by ``tf.data``.

    Subclasses give ``_encoded`` (graph: index -> the file's bytes) and
    ``path`` (index -> a name for messages).
    """

    def __init__(self, name, n, options, labels=None, class_names=None, ignored=None,
                 skip_bad=False, native_shape=None):
        self.options = options
        channels = options.channels or 3
        size = options.size
        if size is None:
            if native_shape is None:
                size = self._probe_size()
            else:
                size = native_shape[0]
            options.size = size
        self.skip_bad = bool(skip_bad)
        self.bad = set()  # indices found unreadable (skip_bad)
        self._lock = threading.Lock()
        super().__init__(name, n, (size, size, channels), labels, class_names, ignored)

    # subclasses
    def path(self, index):
        raise NotImplementedError

    def _encoded(self, index):
        raise NotImplementedError

    def read_bytes(self, index):
        """The encoded bytes of example ``index`` (eagerly)."""
        return self._encoded(tf.constant(index, tf.int64)).numpy()

    def _probe_size(self):
        from PIL import Image
        import io

        with Image.open(io.BytesIO(self.read_bytes(0))) as image:
            w, h = image.size
        if w != h:
            raise ValueError(f"{self.path(0)} is {w}x{h}: pass size= (--size) to train on "
                             "non-square images (with crop center, random or none)")
        return w

    # decoding
    def decode_eager(self, index):
        """Decode example ``index`` now; raises ``BadImageError`` naming its file."""
        data = self.read_bytes(index)
        path = self.path(index)
        try:
            if path.lower().endswith(_PIL_ONLY):
                return _pil_decode(data)
            return tf.io.decode_image(data, channels=0, expand_animations=False, dtype=tf.uint8).numpy()
        except Exception as error:  # TensorFlow or Pillow: the file is what matters
            reason = str(error).split("\n")[0].split("}}")[-1].split(" [Op:")[0].strip()[:200]
            reason = reason or type(error).__name__
            raise BadImageError(path, reason) from None

    def _guarded(self, index):
        """Pixels of ``index``, or a 1x1 placeholder and ``False`` if the file is unreadable."""
        try:
            return self.decode_eager(int(index)), True
        except BadImageError:
            with self._lock:
                self.bad.add(int(index))
            return np.zeros((1, 1, 3), np.uint8), False

    def _pixels(self, index, data=None):
        """``(uint8 pixels (h, w, native channels), ok)`` of ``index`` (its bytes, if read already)."""
        if self.skip_bad:
            image, ok = tf.numpy_function(self._guarded, [index], (tf.uint8, tf.bool),
                                          stateful=False)
            image.set_shape([None, None, None])
            ok.set_shape([])
            return image, ok
        data = self._encoded(index) if data is None else data
        if self._needs_pil:
            image = tf.numpy_function(_pil_decode, [data], tf.uint8, stateful=False)
            image.set_shape([None, None, None])
        else:
            image = tf.io.decode_image(data, channels=0, expand_animations=False, dtype=tf.uint8)
        return image, tf.constant(True)

    _needs_pil = False

    def shape_pixels(self, image, key):
        """Decoded pixels -> this source's example: channels, crop, resize (uint8)."""
        image = to_channels(image, self.shape[-1], self.options.background)
        return crop_and_resize(image, self.shape[0], self.options.crop, key)

    def _example(self, index, key, data=None):
        """(uint8 example, index, ok) of one index: channels, crop, resize, mirror."""
        image, ok = self._pixels(index, data)
        # keyed by (seed, epoch, example): the same crop and flip after a resume, on any
        # number of replicas or workers
        element_key = tf.random.experimental.stateless_fold_in(key, index)
        image = self.shape_pixels(image, element_key)
        if self.options.mirror:
            image = tf.image.stateless_random_flip_left_right(
                image, tf.random.experimental.stateless_fold_in(element_key, 1))
        return image, index, ok

    def _batched(self, positions, batch_size, key, drop_remainder):
        ds = tf.data.Dataset.from_tensor_slices(positions)
        if self.skip_bad:  # read and decode in one guarded call
            ds = ds.map(lambda i: self._example(i, key), num_parallel_calls=_AUTOTUNE,
                        deterministic=True)
        else:
            # reading waits on the disk, decoding on the CPU: many reads in flight (a cold
            # folder of small files on a virtual disk gave ~170 reads/s one at a time), as
            # many decodes as tf.data finds useful
            ds = ds.map(lambda i: (i, self._encoded(i)), num_parallel_calls=READS_IN_FLIGHT,
                        deterministic=True)
            ds = ds.map(lambda i, data: self._example(i, key, data),
                        num_parallel_calls=_AUTOTUNE, deterministic=True)
        ds = ds.batch(batch_size, drop_remainder)

        def finish(images, indices, ok):
            if self.skip_bad:
                # an unreadable file's slot takes the batch's first readable image: the
                # batch stays full and the same after a resume
                first = tf.argmax(tf.cast(ok, tf.int32))
                images = tf.where(ok[:, None, None, None], images, images[first][None])
            return self._finish_batch(images, indices)

        return ds.map(finish, num_parallel_calls=_AUTOTUNE, deterministic=True).prefetch(_AUTOTUNE)

    def find_bad(self, indices):
        """The first of ``indices`` whose file cannot be decoded, as a ``BadImageError``."""
        for index in indices:
            try:
                self.decode_eager(int(index))
            except BadImageError as error:
                return error
        return None

    def order(self, seed, epoch, stream=0):
        """The indices of an epoch in the order they are read (as ``batches``)."""
        return epoch_order(self.n, seed, epoch, stream).numpy()


def _pil_decode(data):
    """Pixels of the formats TensorFlow does not decode (TIFF), uint8, native channels."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(bytes(data))) as image:
        if image.mode in ("I;16", "I;16B", "I"):
            array = (np.asarray(image, dtype="float64") / 257.0).round().clip(0, 255)
            return array.astype(np.uint8)[..., None]
        mode = {"1": "L", "L": "L", "LA": "LA", "RGB": "RGB", "RGBA": "RGBA"}.get(image.mode, None)
        if mode is None:
            mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
        array = np.asarray(image.convert(mode), dtype=np.uint8)
    return array if array.ndim == 3 else array[..., None]


def to_channels(image, channels, background):
    """uint8 ``(h, w, c)`` with c in 1-4 -> ``channels`` (1 or 3), alpha composited on ``background``."""
    static = image.shape[-1]
    if static == channels:  # known already (a tfds feature, a prepared set): nothing to do
        return image
    back = tf.constant(background, tf.float32)

    def over(colour, alpha):
        alpha = tf.cast(alpha, tf.float32) / 255.0
        return tf.cast(tf.round(tf.cast(colour, tf.float32) * alpha + back * (1.0 - alpha)),
                       tf.uint8)

    grey = lambda: tf.tile(image[..., :1], [1, 1, 3])  # noqa: E731
    branches = [grey, lambda: over(grey(), image[..., 1:2]), lambda: image[..., :3],
                lambda: over(image[..., :3], image[..., 3:4])]
    if static is not None:  # the one branch, chosen while tracing
        rgb_image = branches[min(max(static, 1), 4) - 1]()
    else:
        rgb_image = tf.switch_case(tf.clip_by_value(tf.shape(image)[-1] - 1, 0, 3), branches)
    rgb_image = tf.ensure_shape(rgb_image, [None, None, 3])
    if channels == 3:
        return rgb_image
    return tf.cast(tf.round(tf.image.rgb_to_grayscale(tf.cast(rgb_image, tf.float32))), tf.uint8)


def crop_and_resize(image, size, crop, key):
    """A ``size x size`` uint8 image: centred or random square crop (or none), antialiased resize."""
    h, w = tf.shape(image)[0], tf.shape(image)[1]
    if crop != "none":
        side = tf.minimum(h, w)
        if crop == "center":
            top, left = (h - side) // 2, (w - side) // 2
        else:
            top = tf.random.stateless_uniform([], key, 0, h - side + 1, dtype=tf.int32)
            left = tf.random.stateless_uniform(
                [], tf.random.experimental.stateless_fold_in(key, 2), 0, w - side + 1, dtype=tf.int32)
        image = image[top:top + side, left:left + side]

    def resize():
        resized = tf.image.resize(tf.cast(image, tf.float32), (size, size), antialias=True)
        return tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)

    same = tf.logical_and(tf.shape(image)[0] == size, tf.shape(image)[1] == size)
    image = tf.cond(same, lambda: image, resize)
    return tf.ensure_shape(image, [size, size, image.shape[-1]])


# ------------------------------------------------------------ folders and zips
class FolderSource(ImageSource):
    """Image files under a folder, read with ``tf.io.read_file``."""

    def __init__(self, root, files, options, labels=None, class_names=None, ignored=None,
                 layout="flat folder", skip_bad=False):
        self.root, self.files, self.layout = root, list(files), layout
        self._paths = tf.constant([os.path.join(root, f) for f in self.files]) if files else None
        self._needs_pil = any(f.lower().endswith(_PIL_ONLY) for f in self.files)
        super().__init__(root, len(self.files), options, labels, class_names, ignored, skip_bad)

    def path(self, index):
        return os.path.join(self.root, self.files[int(index)])

    def _encoded(self, index):
        return tf.io.read_file(tf.gather(self._paths, index))

    def fingerprint(self):
        return {**super().fingerprint(), "files": _list_hash(self.files)}


class ZipSource(ImageSource):
    """The image members of a ``.zip`` (as ``keras-gan-zoo prepare`` or StyleGAN2-ADA's tool write)."""

    layout = "zip"

    def __init__(self, path, members, options, labels=None, class_names=None, ignored=None,
                 skip_bad=False, manifest=None):
        self.zip_path, self.members, self.manifest = path, list(members), manifest
        self._spans = _stored_spans(path, self.members)  # (offset, size) of stored members
        self._archive, self._archive_lock = None, threading.Lock()
        self._needs_pil = any(m.lower().endswith(_PIL_ONLY) for m in self.members)
        native = None
        if manifest and manifest.get("resolution"):
            native = (manifest["resolution"],) * 2
        super().__init__(path, len(self.members), options, labels, class_names, ignored, skip_bad,
                         native_shape=native)

    def path(self, index):
        return f"{self.zip_path}:{self.members[int(index)]}"

    def _member(self, index):
        index = int(index)
        if self._spans is not None:  # stored (not deflated): one positioned read, no lock
            offset, size = self._spans[index]
            fd = os.open(self.zip_path, os.O_RDONLY)
            try:
                return os.pread(fd, int(size), int(offset))
            finally:
                os.close(fd)
        with self._archive_lock:  # compressed members: one shared ZipFile
            if self._archive is None:
                self._archive = zipfile.ZipFile(self.zip_path)
            return self._archive.read(self.members[index])

    def _encoded(self, index):
        data = tf.numpy_function(self._member, [index], tf.string, stateful=False)
        data.set_shape([])
        return data

    def fingerprint(self):
        return {**super().fingerprint(), "files": _list_hash(self.members)}


class RecordSource(ImageSource):
    """Images in TFRecord shards (``tf.train.Example`` with an encoded image), read by offset.

    The shards are indexed once (record offsets, 12 bytes read per record), so
    any record is read directly: the order and the resume work as for files.
    """

    layout = "TFRecord"

    def __init__(self, name, shards, options, image_key="image", label_key="label",
                 class_names=None, skip_bad=False, decode_example=None, native_shape=None,
                 labels=None):
        self.shards = list(shards)
        index = [(i, offset, length) for i, shard in enumerate(self.shards)
                 for offset, length in _record_offsets(shard)]
        if not index:
            raise ValueError(f"{name}: the TFRecord files hold no records")
        self._index = np.asarray(index, dtype=np.int64)
        self.image_key, self.label_key, self._decode_example = image_key, label_key, decode_example
        if labels is None and label_key is not None:
            # records without a labels file beside them (tfds, foreign shards): one pass
            # that parses the labels only (no image is decoded)
            labels = self._read_labels()
        super().__init__(name, len(index), options, labels, class_names, None, skip_bad,
                         native_shape=native_shape)

    def path(self, index):
        shard, offset, _ = self._index[int(index)]
        return f"{self.shards[shard]} (record at byte {offset})"

    def _record(self, index):
        shard, offset, length = (int(v) for v in self._index[int(index)])
        fd = os.open(self.shards[shard], os.O_RDONLY)  # a positioned read: safe from any thread
        try:
            return os.pread(fd, length, offset + 12)
        finally:
            os.close(fd)

    def _features(self, serialized):
        if self._decode_example is not None:
            return self._decode_example(serialized)
        spec = {self.image_key: tf.io.FixedLenFeature([], tf.string)}
        if self.label_key is not None:
            spec[self.label_key] = tf.io.FixedLenFeature([], tf.int64)
        return tf.io.parse_single_example(serialized, spec)

    def _read_labels(self):
        labels = []
        ds = tf.data.TFRecordDataset(self.shards).map(
            lambda s: self._features(s)[self.label_key], num_parallel_calls=_AUTOTUNE)
        for batch in ds.batch(4096).as_numpy_iterator():
            labels.append(batch)
        return np.concatenate(labels).astype("int32")

    def _encoded(self, index):
        data = tf.numpy_function(self._record, [index], tf.string, stateful=False)
        data.set_shape([])
        image = self._features(data)[self.image_key]
        return image

    def _pixels(self, index, data=None):
        if self._decode_example is not None and not self.skip_bad:
            image = self._encoded(index) if data is None else data  # tfds decodes it itself
            return tf.cast(image, tf.uint8), tf.constant(True)
        return super()._pixels(index, data)

    def read_bytes(self, index):
        if self._decode_example is not None:
            return self._record(int(index))
        return super().read_bytes(index)


def _stored_spans(path, members):
    """``(data offset, size)`` of each member if all are stored uncompressed (as ``prepare``
    and StyleGAN2-ADA write them), else ``None``. Reads 30 bytes of local header a member."""
    with zipfile.ZipFile(path) as archive:
        infos = [archive.getinfo(m) for m in members]
    if any(info.compress_type != zipfile.ZIP_STORED for info in infos):
        return None
    spans = np.empty((len(infos), 2), dtype=np.int64)
    with open(path, "rb") as f:
        for i, info in enumerate(infos):
            f.seek(info.header_offset)
            header = f.read(30)
            if len(header) < 30 or header[:4] != b"PK\x03\x04":
                raise ValueError(f"{path}: the local header of {info.filename} is damaged")
            name_len = int.from_bytes(header[26:28], "little")
            extra_len = int.from_bytes(header[28:30], "little")
            spans[i] = (info.header_offset + 30 + name_len + extra_len, info.file_size)
    return spans


def _record_offsets(path):
    """``(offset, length)`` of each record of a TFRecord file (uncompressed)."""
    out = []
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        offset = 0
        while offset < size:
            header = f.read(12)
            if len(header) < 12:
                raise ValueError(f"{path}: truncated TFRecord file (a record header at byte "
                                 f"{offset} is cut off)")
            length = int.from_bytes(header[:8], "little")
            if offset + 16 + length > size:
                raise ValueError(f"{path}: truncated TFRecord file (the record at byte {offset} "
                                 f"declares {length} bytes; the file ends before)")
            out.append((offset, length))
            offset += 16 + length
            f.seek(offset)
    return out


def _list_hash(names):
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


# ------------------------------------------------------------ pairs
class PairSource(Source):
    """Two sources as ``(a, b)`` batches: paired (row ``i`` of both) or unpaired (each its own order).

    Unpaired epochs are as long as the larger set; the smaller one is read
    in its own shuffled order, wrapping around.
    """

    def __init__(self, a, b, paired, name=None):
        if paired and a.n != b.n:
            raise ValueError(f"paired data need as many B images as A images: {a.name} has "
                             f"{a.n}, {b.name} has {b.n}")
        self.a, self.b, self.paired = a, b, bool(paired)
        self.layout = "paired" if paired else "unpaired"
        super().__init__(name or f"{a.name} and {b.name}", max(a.n, b.n), a.shape)
        self.shape_b = b.shape

    def describe(self):
        kind = "pairs" if self.paired else "unpaired images"
        return (f"{self.n:,} {kind}: A {self.a.describe()}; B {self.b.describe()}")

    def fingerprint(self):
        return {"a": self.a.fingerprint(), "b": self.b.fingerprint(), "paired": self.paired}

    def batches(self, batch_size, seed=0, epoch=0, skip=0, shuffle=True, input_context=None,
                drop_remainder=True):
        n = self.n
        if shuffle:
            order_a = epoch_order(self.a.n, seed, epoch)
            order_b = order_a if self.paired else epoch_order(self.b.n, seed, epoch, stream=1)
        else:
            order_a = order_b = tf.range(n, dtype=tf.int64)
        steps = n // batch_size if drop_remainder else -(-n // batch_size)
        take = tf.range(steps * batch_size if drop_remainder else n, dtype=tf.int64)
        take = take[skip * batch_size:]
        pa = tf.gather(order_a, take % self.a.n)
        pb = tf.gather(order_b, take % self.b.n)
        share = batch_size
        if input_context is not None and input_context.num_input_pipelines > 1:
            pa, share = _worker_share(pa, batch_size, input_context)
            pb, _ = _worker_share(pb, batch_size, input_context)
        per_replica = share if input_context is None else input_context.get_per_replica_batch_size(
            batch_size)
        key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
        xa = self.a._batched(pa, per_replica, key, drop_remainder)
        # pairs share their crop and flip; unpaired sets draw their own
        key_b = key if self.paired else tf.random.experimental.stateless_fold_in(key, 1)
        xb = self.b._batched(pb, per_replica, key_b, drop_remainder)
        return tf.data.Dataset.zip((_images_only(xa), _images_only(xb)))


def _images_only(dataset):
    return dataset.map(lambda x, y: x) if isinstance(dataset.element_spec, tuple) else dataset


class SplitSource(ImageSource):
    """One half of side-by-side images (the pix2pix facades layout: A left, B right)."""

    def __init__(self, inner, half):
        self.inner, self.half = inner, half
        self.layout = f"{inner.layout}, {'left' if half == 0 else 'right'} halves"
        options = ImageOptions(inner.options.size, inner.options.channels, inner.options.crop,
                               inner.options.mirror, inner.options.background)
        super().__init__(inner.name, inner.n, options, inner.labels, inner.class_names,
                         inner.ignored, inner.skip_bad, native_shape=(inner.shape[0],) * 2)

    def path(self, index):
        return self.inner.path(index)

    def _encoded(self, index):
        return self.inner._encoded(index)

    def read_bytes(self, index):
        return self.inner.read_bytes(index)

    def _pixels(self, index, data=None):
        image, ok = self.inner._pixels(index, data)
        width = tf.shape(image)[1] // 2
        return image[:, self.half * width:(self.half + 1) * width], ok


# ------------------------------------------------------------ opening
def describe_layout(folder):
    """``(images at the top, {subfolder: images under it}, other files)`` of a folder."""
    top, sub, other = [], {}, {}
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            files = _images_under(entry.path, other)
            if files:
                sub[entry.name] = files
        elif entry.name.lower().endswith(IMAGE_ENDINGS):
            top.append(entry.name)
        elif entry.name not in LABEL_FILES + TEXT_FILES:
            ending = os.path.splitext(entry.name)[1].lower() or "(no ending)"
            other[ending] = other.get(ending, 0) + 1
    return top, sub, other


def _images_under(folder, other):
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = os.path.relpath(root, folder)
        for name in sorted(files):
            if name.startswith("."):
                continue
            if name.lower().endswith(IMAGE_ENDINGS):
                found.append(name if rel == "." else os.path.join(rel, name))
            elif name not in LABEL_FILES + TEXT_FILES:
                ending = os.path.splitext(name)[1].lower() or "(no ending)"
                other[ending] = other.get(ending, 0) + 1
    return found


def _ignored(other):
    if not other:
        return {}
    kinds = ", ".join(f"{count} {ending}" for ending, count in sorted(other.items()))
    return {f"files that are not images ({kinds})": sum(other.values())}


def read_labels_file(path, names, what="label"):
    """``{file: class name}`` from ``labels.csv`` (``file,label`` rows), ``labels.json``
    (``{file: label}``) or StyleGAN2-ADA's ``dataset.json`` (``{"labels": [[file, label], ...]}``);
    with ``what="text"``, ``{file: text}`` from ``texts.csv`` or ``texts.json``."""
    try:
        if path.endswith(".csv"):
            with open(path, newline="") as f:
                rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
            if rows and rows[0][0].strip().lower() in ("file", "filename", "path", "image"):
                rows = rows[1:]
            mapping = {r[0].strip(): r[1].strip() for r in rows if len(r) >= 2}
        else:
            with open(path) as f:
                raw = json.load(f)
            if isinstance(raw, dict) and "labels" in raw:
                raw = raw["labels"] or []
            mapping = dict(raw) if isinstance(raw, list) else raw
            mapping = {str(k): str(v) for k, v in mapping.items()}
    except (OSError, ValueError, TypeError, IndexError) as error:
        raise ValueError(f"{path}: expected rows 'file,{what}' ({what}s.csv) or a JSON object "
                         f"{{file: {what}}} ({what}s.json); cannot read it ({error})") from None
    missing = [n for n in names if n not in mapping and n.replace(os.sep, "/") not in mapping]
    if missing:
        raise ValueError(f"{path} gives no {what} for {len(missing)} of the {len(names)} images "
                         f"(e.g. {missing[0]}); expected one row per image file")
    return {n: mapping.get(n, mapping.get(n.replace(os.sep, "/"))) for n in names}


def _class_indices(values):
    """Class names (sorted; numerically if all are integers) and each value's index."""
    names = sorted(set(values), key=lambda v: (0, int(v), "") if v.lstrip("-").isdigit() else (1, 0, v))
    lookup = {name: i for i, name in enumerate(names)}
    return names, np.asarray([lookup[v] for v in values], dtype="int32")


def open_folder(folder, options, labels="auto", skip_bad=False):
    """A ``FolderSource`` for ``folder`` with the labels rule of ``labels`` (``_open_folder``),
    and the images' texts if a ``texts.csv`` or ``texts.json`` is beside them."""
    source = _open_folder(folder, options, labels, skip_bad)
    found = [os.path.join(folder, f) for f in TEXT_FILES if os.path.isfile(os.path.join(folder, f))]
    if found:
        source.texts = list(read_labels_file(found[0], source.files, what="text").values())
        source.layout += f", texts from {os.path.basename(found[0])}"
    return source


def _open_folder(folder, options, labels="auto", skip_bad=False):
    """A ``FolderSource`` for ``folder`` with the labels rule of ``labels``.

    ``labels``: ``"auto"`` (a labels file if there is one; else subfolders as
    classes if all images are in subfolders; else none), ``"folders"``,
    ``"none"`` (every image under the folder, unlabelled) or the path of a
    labels file.
    """
    top, sub, other = describe_layout(folder)
    label_file = None
    if labels not in ("auto", "folders", "none"):
        label_file = os.fspath(labels)
        if not os.path.isfile(label_file):
            raise FileNotFoundError(f"no labels file {label_file}; expected labels.csv or "
                                    "labels.json mapping each image file to its class")
    elif labels == "auto":
        found = [os.path.join(folder, f) for f in LABEL_FILES if os.path.isfile(os.path.join(folder, f))]
        label_file = found[0] if found else None
    nested = [os.path.join(d, f) for d, files in sub.items() for f in files]
    if label_file is not None:
        files = top + nested
        if not files:
            raise ValueError(f"no images in {folder}: expected {', '.join(IMAGE_ENDINGS)} files")
        names, y = _class_indices(list(read_labels_file(label_file, files).values()))
        return FolderSource(folder, files, options, y, names, _ignored(other),
                            f"labels from {os.path.basename(label_file)}", skip_bad)
    if not top and not sub:
        raise ValueError(f"no images in {folder}: expected {', '.join(IMAGE_ENDINGS)} files in it, "
                         "or in subfolders (one per class)")
    if labels == "none":
        layout = "flat folder" if not sub else "all images under the folder, unlabelled"
        return FolderSource(folder, top + nested, options, None, None, _ignored(other), layout,
                            skip_bad)
    if labels == "folders" or (labels == "auto" and sub and not top):
        if top:
            raise ValueError(
                f"{folder} has {len(top)} images at its top level beside the class subfolders "
                f"({', '.join(list(sub)[:4])}); with --labels folders every image must be in "
                "a class subfolder: move them there, or pass --labels none to train on all "
                f"{len(top) + len(nested)} unlabelled")
        if not sub:
            raise ValueError(f"--labels folders: {folder} has no subfolders of images; pass "
                             "--labels none for a flat folder")
        if len(sub) == 1 and labels == "auto":
            return FolderSource(folder, nested, options, None, None, _ignored(other),
                                f"nested in {next(iter(sub))}/", skip_bad)
        names = list(sub)
        y = np.concatenate([np.full(len(files), i, "int32") for i, files in enumerate(sub.values())])
        return FolderSource(folder, nested, options, y, names, _ignored(other),
                            "one subfolder per class", skip_bad)
    if sub:  # images beside subfolders: never guess
        counts = ", ".join(f"{d}/ ({len(f)})" for d, f in list(sub.items())[:4])
        raise ValueError(
            f"{folder} mixes {len(top)} images at its top level with {len(nested)} in subfolders "
            f"({counts}); choose: --labels none trains on all {len(top) + len(nested)} without "
            "labels, --labels folders takes the subfolders as classes (move the top-level images "
            "into one), or point --data at one folder")
    return FolderSource(folder, top, options, None, None, _ignored(other), "flat folder",
                        skip_bad)


def open_zip(path, options, skip_bad=False):
    """A ``ZipSource``: its image members (in name order), labels from its ``dataset.json``."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            manifest = json.loads(archive.read("manifest.json")) if "manifest.json" in names else None
            labels_raw = json.loads(archive.read("dataset.json")) if "dataset.json" in names else None
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValueError(f"{path}: not a readable zip of images ({error})") from None
    members = sorted(n for n in names if n.lower().endswith(IMAGE_ENDINGS) and not n.endswith("/"))
    other = {}
    for n in names:
        if not n.endswith("/") and n not in members and n not in ("manifest.json", "dataset.json"):
            ending = os.path.splitext(n)[1].lower() or "(no ending)"
            other[ending] = other.get(ending, 0) + 1
    if not members:
        raise ValueError(f"no images in {path}: expected {', '.join(IMAGE_ENDINGS)} members")
    y = class_names = None
    if labels_raw and labels_raw.get("labels"):
        mapping = {str(k): v for k, v in labels_raw["labels"]}
        missing = [m for m in members if m not in mapping]
        if missing:
            raise ValueError(f"{path}: dataset.json gives no label for {len(missing)} images "
                             f"(e.g. {missing[0]})")
        y = np.asarray([int(mapping[m]) for m in members], dtype="int32")
        class_names = (manifest or {}).get("class_names") or [str(i) for i in range(int(y.max()) + 1)]
    if manifest and options.size is None:
        options.size = manifest.get("resolution")
    if manifest and options.channels is None:
        options.channels = manifest.get("channels")
    return ZipSource(path, members, options, y, class_names, _ignored(other), skip_bad, manifest)


def open_records(pattern, options, skip_bad=False):
    """A ``RecordSource`` for TFRecord files (a file, a glob, or a folder of ``*.tfrecord*``)."""
    if os.path.isdir(pattern):
        shards = sorted(os.path.join(pattern, f) for f in os.listdir(pattern) if ".tfrecord" in f)
    else:
        shards = sorted(tf.io.gfile.glob(pattern))
    if not shards:
        raise FileNotFoundError(f"no TFRecord files match {pattern}")
    manifest_path = os.path.join(os.path.dirname(shards[0]), "manifest.json")
    manifest = None
    if os.path.isfile(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    if manifest and options.size is None:
        options.size = manifest.get("resolution")
    if manifest and options.channels is None:
        options.channels = manifest.get("channels")
    has_labels = bool(manifest and manifest.get("classes"))
    if manifest is None:  # look at the first record for a label
        first = next(iter(tf.data.TFRecordDataset(shards[:1]).take(1)), None)
        if first is not None:
            example = tf.train.Example.FromString(first.numpy())
            has_labels = "label" in example.features.feature
    labels = None
    labels_path = os.path.join(os.path.dirname(shards[0]), "labels.json")
    if has_labels and os.path.isfile(labels_path):  # written by prepare: no pass over the records
        with open(labels_path) as f:
            labels = np.asarray(json.load(f), dtype="int32")
    return RecordSource(pattern, shards, options, label_key="label" if has_labels else None,
                        class_names=(manifest or {}).get("class_names"), skip_bad=skip_bad,
                        labels=labels)


def open_tfds(name, split, data_dir, options):
    """A prepared tensorflow-datasets split, read by record offset (never downloaded)."""
    try:
        import tensorflow_datasets
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError("tfds: sources need tensorflow-datasets: pip install "
                          "'keras-gan-zoo[data]'") from None
    try:
        builder = tensorflow_datasets.builder(name, data_dir=data_dir)
    except Exception as error:  # tfds raises its own types for unknown names
        raise ValueError(f"tfds:{name}: {error}") from None
    if not builder.is_prepared():
        raise FileNotFoundError(
            f"tfds:{name} is not prepared in {builder.data_dir_root}: download and prepare it on a "
            "machine with internet (tfds build, or tfds.load(..., download=True)) and copy the "
            "data directory here, or set TFDS_DATA_DIR")
    info = builder.info
    try:
        files = [str(f) for f in info.splits[split].filepaths]  # full paths (filenames are bare)
    except Exception:
        files = []
    if not files:
        files = [os.path.join(builder.data_dir, f) for f in sorted(os.listdir(builder.data_dir))
                 if f".{split}." in f or f"-{split}." in f]
    features = info.features
    image_key = "image" if "image" in features else next(iter(features))
    label_key = "label" if "label" in features else None
    names = None
    if label_key is not None and hasattr(features[label_key], "names"):
        names = list(features[label_key].names)
    shape = features[image_key].shape
    native = shape[:2] if shape and None not in shape[:2] else None
    if options.channels is None and shape and shape[-1] in (1, 3):
        options.channels = shape[-1]  # the set's own (grey digits stay grey)

    def decode_example(serialized):
        return features.deserialize_example(serialized)

    source = RecordSource(f"tfds:{name}:{split}", files, options, image_key=image_key,
                          label_key=label_key, class_names=names, decode_example=decode_example,
                          native_shape=native)
    source.layout = "tensorflow-datasets"
    return source


def open_image(path, options):
    """One image file as a one-example ``ArraySource`` (what single-image variants train on).

    Its aspect ratio is kept: ``options.size`` is the side of the *longer*
    edge it is resized to (antialiased; ``None`` keeps the file's size), and
    ``options.channels`` / ``options.background`` as for folders.
    """
    with open(path, "rb") as f:
        data = f.read()
    try:
        image = tf.io.decode_image(data, expand_animations=False).numpy()
    except tf.errors.InvalidArgumentError:
        image = _pil_decode(data)
    image = to_channels(tf.constant(image), options.channels or 3, options.background)
    height, width = image.shape[:2]
    if options.size is not None and max(height, width) != options.size:
        scale = options.size / max(height, width)
        size = (max(round(height * scale), 1), max(round(width * scale), 1))
        image = tf.image.resize(tf.cast(image, tf.float32), size, "bicubic", antialias=True)
        image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
    return ArraySource(np.asarray(image)[None], None, path, None, "one image")


def open_source(spec, size=None, channels=None, crop="center", mirror=False,
                background="white", labels="auto", split="train", skip_bad=False,
                data_dir=None, toy_size=20000, default_size=None):
    """Open a data source named by ``spec`` as a ``Source``, reading nothing but its index.

    Args:
        spec: a folder of images (flat, one subfolder per class, nested, or
            with ``labels.csv`` / ``labels.json``); a ``.zip`` of images
            (``keras-gan-zoo prepare``'s, or StyleGAN2-ADA's with its
            ``dataset.json``); TFRecord files (``*.tfrecord``, a glob, or a
            folder of them); ``tfds:NAME[:SPLIT]`` (a prepared
            tensorflow-datasets data set, never downloaded); a ``.npy`` file
            (memory-mapped) or ``.npz`` with ``x`` (and ``y``); a folder of
            MNIST IDX files; ``usps.h5``; ``digits``; ``ring8`` / ``grid25``.
            Read nothing but the index: file names, labels, counts.
        size: side of the square examples (image files: required unless they
            are all square and the same size; arrays: resized if given).
        channels: 1 or 3 (image files; default 3).
        crop, mirror, background: see ``ImageOptions``.
        labels: ``"auto"``, ``"folders"``, ``"none"`` or a labels file (folders).
        split: for MNIST, USPS and tfds (this project's MNIST split:
            t10k 0-7,999 train, 8,000-9,999 test).
        skip_bad: skip files that cannot be decoded (each slot then takes
            another image of its batch; the files are counted in ``bad``)
            instead of stopping with an error naming the file.
        default_size: the size of image folders when ``size`` is ``None``
            (``None``: their own, which must be square and the same for all).

    Raises:
        FileNotFoundError, ValueError: naming the source and what was expected.
    """
    from keras_gan_zoo import data

    spec = os.fspath(spec)
    options = ImageOptions(size, channels, crop, mirror, background)
    if spec == "digits":
        x, y = data.digits(return_labels=True)
        return ArraySource(x, y.astype("int32"), "the bundled digits", size, "bundled")
    if spec in data.TOY_SETS:
        return ArraySource(data.toy(spec, n=toy_size, seed=0), None, spec, None, "bundled")
    if spec.startswith("tfds:"):
        _, name, *rest = spec.split(":")
        return open_tfds(name, rest[0] if rest else split, data_dir, options)
    if spec.endswith(".npy"):
        if not os.path.isfile(spec):
            raise FileNotFoundError(f"no file {spec}")
        return ArraySource(np.load(spec, mmap_mode="r"), None, spec, size, "memory-mapped .npy")
    if spec.endswith(".npz"):
        if not os.path.isfile(spec):
            raise FileNotFoundError(f"no file {spec}")
        loaded = np.load(spec)
        if "x" not in loaded.files:
            raise ValueError(f"{spec}: expected arrays named x (and y) in the .npz, got "
                             f"{', '.join(loaded.files)}")
        y = loaded["y"].astype("int32") if "y" in loaded.files else None
        return ArraySource(loaded["x"], y, spec, size, ".npz")
    if spec.lower().endswith(".zip"):
        if not os.path.isfile(spec):
            raise FileNotFoundError(f"no file {spec}")
        return open_zip(spec, options, skip_bad)
    if ".tfrecord" in os.path.basename(spec) or (os.path.isdir(spec) and any(
            ".tfrecord" in f for f in os.listdir(spec))):
        return open_records(spec, options, skip_bad)
    if spec.endswith(".h5") or (os.path.isdir(spec) and "usps.h5" in os.listdir(spec)):
        x, y = data.to_arrays(data.usps(spec, "test" if split == "test" else "train", size=size))
        return ArraySource(x, y, spec, None, "USPS")
    if not os.path.exists(spec):
        raise FileNotFoundError(f"{spec}: no such file or folder; expected {data.SOURCES}")
    if os.path.isfile(spec) and spec.lower().endswith(IMAGE_ENDINGS):
        return open_image(spec, options)
    if not os.path.isdir(spec):
        raise ValueError(f"{spec}: not a data source; expected {data.SOURCES}")
    if any(name.startswith(("t10k-images", "train-images")) for name in os.listdir(spec)):
        x, y = data.to_arrays(data.mnist(spec, split=split, size=size))
        return ArraySource(x, y, spec, None, "MNIST IDX files")
    if options.size is None and default_size is not None:
        options.size = default_size
    return open_folder(spec, options, labels, skip_bad)


def probe_height(spec):
    """The height of the first image of a folder or zip (side-by-side pairs are 2:1)."""
    import io

    from PIL import Image

    if spec.lower().endswith(".zip"):
        with zipfile.ZipFile(spec) as archive:
            names = sorted(n for n in archive.namelist() if n.lower().endswith(IMAGE_ENDINGS))
            if not names:
                raise ValueError(f"no images in {spec}")
            data = archive.read(names[0])
    elif os.path.isdir(spec):
        top, sub, _ = describe_layout(spec)
        files = top + [os.path.join(d, f) for d, fs in sub.items() for f in fs]
        if not files:
            raise ValueError(f"no images in {spec}: expected {', '.join(IMAGE_ENDINGS)} files")
        with open(os.path.join(spec, files[0]), "rb") as f:
            data = f.read()
    else:
        raise ValueError(f"{spec}: side-by-side pairs are read from a folder or a .zip of images; "
                         "for two separate sets pass the B images with --data-b (data_b=)")
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size[1]
    except Exception as error:  # Pillow raises several types
        raise ValueError(f"the first image of {spec} cannot be read ({error})") from None


def side_by_side(source):
    """``(A, B)``: the left and right halves of each image of ``source`` (the pix2pix layout)."""
    if not isinstance(source, ImageSource):
        raise ValueError(f"{source.name}: side-by-side pairs are read from image files; pass "
                         "the B images with --data-b (data_b=)")
    return SplitSource(source, 0), SplitSource(source, 1)


def match_by_name(a, b):
    """Two folder sources restricted to the files both have (matched by relative path, any ending).

    Raises a ``ValueError`` naming unmatched files, so no image is dropped unsaid.
    """
    if not (isinstance(a, FolderSource) and isinstance(b, FolderSource)):
        raise ValueError("paired images in two places are matched by file name: pass two "
                         "folders, or side-by-side pairs in one")
    stem = lambda f: os.path.splitext(f)[0]  # noqa: E731
    names_b = {stem(f): f for f in b.files}
    common = [f for f in a.files if stem(f) in names_b]
    only_a = len(a.files) - len(common)
    only_b = len(b.files) - len(common)
    if only_a or only_b:
        example = next((f for f in a.files if stem(f) not in names_b), None) or next(
            f for f in b.files if stem(f) not in {stem(x) for x in a.files})
        raise ValueError(f"paired folders must hold the same file names: {only_a} of {a.name} "
                         f"and {only_b} of {b.name} have no partner (e.g. {example})")
    pa = FolderSource(a.root, common, a.options, layout=f"{a.layout}, paired by name",
                      skip_bad=a.skip_bad)
    pb = FolderSource(b.root, [names_b[stem(f)] for f in common], b.options,
                      layout=f"{b.layout}, paired by name", skip_bad=b.skip_bad)
    return pa, pb

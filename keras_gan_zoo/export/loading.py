"""Reading exports back: the metadata record of any format, and ``ExportedGenerator``,
which samples and translates with an export as the Keras variant does."""

import os

import numpy as np

from keras_gan_zoo.export.core import METADATA_KEY, REGISTRY, ExportError
from keras_gan_zoo.models.contract import Signature


def _format_of(path):
    """The registered format an existing ``path`` is written in, or ``None``."""
    ending = os.path.splitext(path.rstrip("/\\"))[1].lower()
    for fmt in REGISTRY.values():
        if (fmt.ending is None) == os.path.isdir(path) and fmt.ending in (None, ending):
            return fmt
    return None


def is_export(path):
    """Whether ``path`` names an export of a registered format (by its ending, or for a
    folder format by the metadata record inside)."""
    path = os.fspath(path)
    ending = os.path.splitext(path.rstrip("/\\"))[1].lower()
    if any(f.ending == ending for f in REGISTRY.values() if f.ending):
        return True
    return os.path.isdir(path) and os.path.isfile(
        os.path.join(path, "assets", METADATA_KEY + ".json"))


def read_metadata(path):
    """The metadata record stored in an export of any format (a dict).

    Args:
        path: an export written by this module: a file with one of the
            registered formats' endings (``.onnx``, ``.tflite``, ``.xml``) or a
            SavedModel folder.

    Raises:
        ExportError: the file is not one of these, or holds no record.
    """
    import json

    path = os.fspath(path)
    if not os.path.exists(path):
        raise ExportError(f"{path} does not exist")
    fmt = _format_of(path)
    if fmt is None:
        *most, last = [f.ending for f in REGISTRY.values() if f.ending]
        raise ExportError(f"{path} is not an export this module reads: expected a "
                          f"{', '.join(most)} or {last} file or a SavedModel folder")
    try:
        text = fmt.read_metadata(path)
    except ExportError:
        raise
    except Exception as error:  # each format's parser raises its own errors on a damaged file
        ending = fmt.ending or "SavedModel"
        raise ExportError(f"{path} is not a readable {ending} export (truncated "
                          f"or not one?): {str(error).splitlines()[0][:300]}") from error
    if text is None:
        raise ExportError(f"{path} holds no {METADATA_KEY} metadata: it was not written by "
                          "keras_gan_zoo.export")
    return json.loads(text)


class ExportedGenerator:
    """An exported generator run by its format's runtime, used as the variant is.

    ``generate`` and ``translate`` draw and check inputs exactly as the
    Keras model does (the same seed gives the same inputs), from the ports
    the file's metadata declares, so ``kgz.metrics`` and ``keras-gan-zoo
    evaluate`` measure the file a deployer ships, not the model it came
    from. Made by ``load``.

    Attributes:
        path: the export.
        metadata: its record (``read_metadata``).
        kind: ``"sampler"``, ``"translator"`` or ``"encoder"``.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.metadata = read_metadata(self.path)
        self._run = _format_of(self.path).runtime(self.path)
        self._signature = Signature.from_record(self.metadata, generator=self)
        self.kind = self._signature.kind

    def __repr__(self):
        return (f"ExportedGenerator({self.path!r}: {self.metadata['variant']} "
                f"{self.kind}, inputs {', '.join(p.name for p in self._signature.inputs)})")

    def signature(self, direction=None):
        """The ports the file takes and gives (a ``Signature``)."""
        return self._signature

    def __call__(self, arrays, batch_size=256):
        """The output for input ``arrays`` (in port order), computed ``batch_size`` at a time."""
        names = [p.name for p in self._signature.inputs]
        n = len(arrays[0])
        parts = [self._run({name: np.ascontiguousarray(a[i:i + batch_size])
                            for name, a in zip(names, arrays)}, self._signature.output.name)
                 for i in range(0, n, batch_size)]
        return np.concatenate(parts).astype("float32")

    def generate(self, n=None, seed=None, batch_size=256, truncation=None, **inputs):
        """``n`` samples, as ``AdversarialModel.generate`` draws them (same seed, same inputs)."""
        if self.kind != "sampler":
            raise TypeError(f"this export is a {self.kind} ({self.metadata['variant']}): "
                            "use translate(images)")
        return self(self._signature.make_inputs(n, np.random.default_rng(seed), truncation,
                                                **inputs), batch_size)

    def source_shape(self, direction=None):
        """``(h, w, c)`` of the images ``translate`` takes as the model was trained
        (the command line's ``--input`` size), or ``None`` for a sampler."""
        if self.kind == "sampler":
            return None
        trained = self.metadata.get("trained_image_shape")
        return tuple(trained) if trained else self._signature.inputs[0].shape

    def translate(self, images, direction=None, seed=None, batch_size=64, **codes):
        """The translations of ``images`` (n, h, w, c) in [-1, 1] as the file's input takes
        them; noise ports are drawn from ``seed``. ``direction``, if given, must be the
        one the file was exported in (a file holds one)."""
        if self.kind == "sampler":
            raise TypeError(f"this export samples ({self.metadata['variant']}): use generate(n)")
        held = self.metadata.get("direction")
        if direction is not None and direction != held:
            raise ValueError(f"{self.path} translates {held!r} only, not {direction!r}: export "
                             "the other direction to its own file")
        images = np.asarray(images, "float32")
        first, *others = self._signature.inputs
        rng = np.random.default_rng(seed)
        drawn = [codes[p.keyword] if p.keyword in codes else p.draw(len(images), rng)
                 for p in others]
        return self([images, *drawn], batch_size)


def load(path):
    """An export of any format (``.onnx``, ``.tflite``, OpenVINO ``.xml``, SavedModel folder),
    ready to sample or translate: an ``ExportedGenerator``.

    Example:
        >>> g = kgz.export.load("generator.onnx")
        >>> images = g.generate(1000, seed=0)          # as model.generate(1000, seed=0)
        >>> kgz.metrics.evaluate("fid", images, real_images)
    """
    return ExportedGenerator(path)

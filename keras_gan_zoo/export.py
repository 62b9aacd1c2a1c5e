"""Export a trained generator to a SavedModel or an ONNX file, verified against Keras.

What is exported is the **generator** of a variant (for a CycleGAN, one
direction), in float32, with a dynamic batch dimension and inputs and outputs
named by their role:

=============== ================================ ==========================
variant         inputs                           output
=============== ================================ ==========================
gan, wgan_gp    ``z`` float32 (batch, latent)     ``image`` (or ``sample``
                                                 for vector data) float32
conditional_gan ``z``, ``label`` int32 (batch,)   ``image``
infogan         ``z``, ``categorical`` int32      ``image``
                (batch,), ``continuous`` float32
                (batch, num_continuous)
cyclegan        ``image`` float32 (batch, h, w,   ``translated``
                c); h and w dynamic (multiples
                of 4 for the default networks)
=============== ================================ ==========================

Images are in ``[-1, 1]`` (``(x + 1) * 127.5`` gives pixels). Every export
carries a metadata record (:func:`metadata`): the variant, each input's shape,
dtype and meaning, the output's range, the class count or code sizes, and the
package version. ONNX files hold it in ``metadata_props`` (the whole record as
JSON under the key ``keras_gan_zoo``, plus flat keys); a SavedModel holds it
in a ``metadata`` signature and in ``assets/keras_gan_zoo.json``.

With ``verify=True`` (the default) the written file is run (onnxruntime; the
reloaded SavedModel) on random inputs at batch 1 and batch 7 and compared with
Keras; if the largest absolute difference exceeds ``tolerance`` (1e-4) the
export raises :class:`ExportVerificationError` with the numbers and writes
nothing. Files are written beside the target and moved into place only once
verified, so a failed export leaves what was there untouched.

A generator trained under a ``mixed_bfloat16`` or ``mixed_float16`` policy is
exported as a float32 copy of itself (same weights, float32 compute). It is
verified against that float32 copy; :attr:`ExportResult.policy_gap` reports
how far the mixed-precision Keras model itself is from it (bfloat16 keeps
about 3 significant digits, so expect ~1e-2 there, not 1e-4).

Example:
    >>> import keras_gan_zoo as kgz
    >>> result = kgz.export.to_onnx(model, "generator.onnx")
    >>> result.max_abs_diff            # {1: 2.4e-07, 7: 3.0e-07}
    >>> kgz.export.to_saved_model(model, "generator_savedmodel")
"""

import dataclasses
import json
import logging
import os
import shutil
import tempfile

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models import AdversarialModel
from keras_gan_zoo.models.contract import infer_signature

__all__ = [
    "FORMATS",
    "ExportError",
    "ExportResult",
    "ExportVerificationError",
    "export",
    "metadata",
    "to_onnx",
    "to_saved_model",
]

#: Formats :func:`export` writes.
FORMATS = ("onnx", "saved_model")
#: Largest absolute difference from Keras that verification accepts.
TOLERANCE = 1e-4
#: Name of the metadata file in a SavedModel's ``assets/`` and of the ONNX metadata key.
METADATA_KEY = "keras_gan_zoo"
#: Batch sizes verification runs at (one, and an odd one).
VERIFY_BATCHES = (1, 7)

class ExportError(ValueError):
    """The model or the arguments cannot be exported (nothing was written)."""


class ExportVerificationError(RuntimeError):
    """The exported file's outputs differ from Keras by more than the tolerance."""


@dataclasses.dataclass
class ExportResult:
    """What an export wrote and how closely it matches Keras.

    Attributes:
        path: the written file (ONNX) or directory (SavedModel).
        format: ``"onnx"`` or ``"saved_model"``.
        metadata: the record stored in the export (see :func:`metadata`).
        max_abs_diff: ``{batch size: largest |exported - Keras|}``, or empty
            when ``verify=False``.
        policy_gap: for a generator under a mixed-precision policy, the
            largest difference between it and the float32 export (batch 7);
            ``None`` otherwise.
    """

    path: str
    format: str
    metadata: dict
    max_abs_diff: dict
    policy_gap: float | None = None


# ------------------------------------------------------------------ plan
class _Plan:
    """The generator to export and its declared signature (what it takes and gives)."""

    def __init__(self, model, direction):
        if isinstance(model, AdversarialModel):
            directions = model.directions
            if direction is None:
                direction = directions[0]
            elif direction not in directions:
                raise ExportError(
                    (f"unknown direction {direction!r} for a {type(model).__name__}: expected one "
                     f"of {', '.join(map(repr, directions))}") if directions != (None,) else
                    f"a {type(model).__name__} has one generator: direction= applies to "
                    "translation models")
            self.signature = model.signature(direction)
        elif isinstance(model, keras.Model):
            if direction is not None:
                raise ExportError("direction= applies to a translation model, not to a network")
            try:
                self.signature = infer_signature(model)
            except ValueError as error:
                raise ExportError(str(error)) from None
        else:
            raise ExportError(
                f"expected a keras_gan_zoo variant (e.g. a trained kgz.GAN) or a generator "
                f"keras.Model, got {type(model).__name__}"
            )
        self.generator = self.signature.generator
        self.output = self.signature.output.name

    def specs(self):
        """The exported function's input ``TensorSpec``s, named by role."""
        return self.signature.specs()

    def function(self, generator):
        """A ``tf.function`` ``inputs -> {output name: float32 output}`` over ``generator``."""
        output = self.output

        @tf.function(input_signature=self.specs())
        def serve(*inputs):
            x = inputs[0] if len(inputs) == 1 else list(inputs)
            return {output: tf.cast(generator(x, training=False), tf.float32)}

        return serve

    def sample_inputs(self, batch, seed=0):
        """Random valid inputs at ``batch``: ``{name: array}`` (codes drawn at random too)."""
        rng = np.random.default_rng(seed)
        out = {}
        for port in self.signature.inputs:
            if port.kind == "categorical":
                out[port.name] = rng.integers(0, port.classes, batch).astype("int32")
            else:
                out[port.name] = port.draw(batch, rng)
        return out

    def metadata(self):
        from keras_gan_zoo import __version__

        record = {"producer": "keras_gan_zoo", "package_version": __version__,
                  **self.signature.metadata(),
                  "source_dtype_policy": self.generator.dtype_policy.name,
                  "keras_version": keras.__version__, "tensorflow_version": tf.__version__}
        return record


def metadata(model, direction=None):
    """The metadata record an export of ``model`` carries (a JSON-able dict)."""
    return _Plan(model, direction).metadata()


# ------------------------------------------------------------- float32
def _float32_copy(generator):
    """``generator`` itself if it computes in float32, else a float32 copy with its weights."""
    if all(layer.dtype_policy.name == "float32"
           for layer in generator._flatten_layers(include_self=False)):
        return generator

    def to_float32(node):
        if isinstance(node, dict):
            if node.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and "config" in node:
                return {**node, "config": {**node["config"], "name": "float32"}}
            return {k: to_float32(v) for k, v in node.items()}
        if isinstance(node, list):
            return [to_float32(v) for v in node]
        return node

    config = to_float32(keras.saving.serialize_keras_object(generator))
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(generator.get_weights())
    return copy


# ---------------------------------------------------------------- writers
def _prepare(model, path, fmt, overwrite, direction):
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    plan = _Plan(model, direction)
    path = os.fspath(path)
    _check_path_format(path, fmt)
    if os.path.lexists(path) and not overwrite:
        raise ExportError(f"{path} already exists; pass overwrite=True to replace it")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ExportError(f"the folder {parent} does not exist; create it first")
    return plan, path, parent


#: File endings that name a format, for the path/format check.
_ENDINGS = {".onnx": "onnx", ".tflite": "litert", ".keras": "keras", ".h5": "keras weights",
            ".pb": "a frozen graph", ".xml": "openvino"}


def _check_path_format(path, fmt):
    """Refuse a path whose ending names another format (``to_saved_model(m, "g.tflite")``)."""
    ending = os.path.splitext(path.rstrip("/\\"))[1].lower()
    if fmt == "onnx" and ending != ".onnx":
        raise ExportError(f"an ONNX export is one .onnx file; got the path {path!r}: name it "
                          "e.g. generator.onnx")
    if fmt == "saved_model" and ending in _ENDINGS:
        raise ExportError(f"a SavedModel is a folder, but {path!r} ends in {ending} (a "
                          f"{_ENDINGS[ending]} file): name a folder, e.g. generator_savedmodel, "
                          f"or use format=\"onnx\" for .onnx")


def _finish(plan, record, tmp, path, fmt, run, verify, tolerance, generator):
    """Verify the file at ``tmp`` with ``run(inputs) -> array`` and move it to ``path``."""
    diffs, gap = {}, None
    if verify:
        for batch in VERIFY_BATCHES:
            inputs = plan.sample_inputs(batch, seed=batch)
            expected = _keras_output(generator, plan, inputs)
            got = run(inputs)
            if got.shape != expected.shape:
                raise ExportVerificationError(
                    f"the exported {fmt} gives shape {got.shape} at batch {batch}, Keras "
                    f"{expected.shape}"
                )
            diffs[batch] = float(np.max(np.abs(got - expected)))
        worst = max(diffs.values())
        if not worst <= tolerance:
            raise ExportVerificationError(
                f"the exported {fmt} differs from Keras by up to {worst:.3g} (per batch size: "
                f"{', '.join(f'{b}: {d:.3g}' for b, d in diffs.items())}), more than the "
                f"tolerance {tolerance:g}; nothing was written to {path}"
            )
    if generator is not plan.generator:
        inputs = plan.sample_inputs(VERIFY_BATCHES[-1], seed=0)
        gap = float(np.max(np.abs(_keras_output(plan.generator, plan, inputs)
                                  - _keras_output(generator, plan, inputs))))
    if os.path.lexists(path):
        _remove(path)
    os.replace(tmp, path)
    return ExportResult(path=path, format=fmt, metadata=record, max_abs_diff=diffs,
                        policy_gap=gap)


def _keras_output(generator, plan, inputs):
    args = [inputs[s.name] for s in plan.specs()]
    out = generator(args[0] if len(args) == 1 else args, training=False)
    return keras.ops.convert_to_numpy(out).astype("float32")


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)


def to_onnx(model, path, opset=None, overwrite=False, verify=True, tolerance=TOLERANCE,
            direction=None):
    """Export ``model``'s generator to an ONNX file.

    Args:
        model: a trained variant (its generator is exported) or a generator.
        path: the ``.onnx`` file to write.
        opset: ONNX opset; ``None`` lets tf2onnx choose (15 with tf2onnx 1.17).
        overwrite: replace ``path`` if it exists (otherwise an error, and
            nothing is touched).
        verify: run the file with onnxruntime at batch 1 and 7 and compare
            with Keras.
        tolerance: largest accepted absolute difference.
        direction: ``"a_to_b"`` (default) or ``"b_to_a"`` for a CycleGAN.

    Returns:
        :class:`ExportResult`.

    Example:
        >>> kgz.export.to_onnx(model, "generator.onnx").max_abs_diff
        {1: 2.4e-07, 7: 3.0e-07}
    """
    try:
        import onnx
        import tf2onnx
    except ImportError as error:
        raise ExportError(
            f"ONNX export needs onnx, tf2onnx and onnxruntime ({error.name} is missing): "
            "pip install 'keras-gan-zoo[onnx]'"
        ) from None

    plan, path, parent = _prepare(model, path, "onnx", overwrite, direction)
    generator = _float32_copy(plan.generator)
    record = plan.metadata()
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    try:
        proto, _ = tf2onnx.convert.from_function(
            plan.function(generator), input_signature=plan.specs(), opset=opset
        )
    except Exception as error:  # tf2onnx raises many types; name the generator and re-raise
        raise ExportError(f"tf2onnx could not convert {plan.generator.name!r}: {error}") from error
    props = {METADATA_KEY: json.dumps(record), "variant": record["variant"],
             "package_version": record["package_version"],
             "output_range": json.dumps(record["outputs"][0]["range"])}
    for key in ("num_classes", "num_categories", "num_continuous", "direction"):
        if key in record:
            props[key] = str(record[key])
    for key, value in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.doc_string = f"keras_gan_zoo {record['variant']} generator {record['generator']!r}"
    fd, tmp = tempfile.mkstemp(suffix=".onnx", prefix=".kgz-export-", dir=parent)
    os.close(fd)
    try:
        onnx.save(proto, tmp)

        def run(inputs):
            import onnxruntime as ort

            session = ort.InferenceSession(tmp, providers=["CPUExecutionProvider"])
            return session.run([plan.output], inputs)[0]

        return _finish(plan, record, tmp, path, "onnx", run, verify, tolerance, generator)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def to_saved_model(model, path, overwrite=False, verify=True, tolerance=TOLERANCE,
                   direction=None):
    """Export ``model``'s generator to a TensorFlow SavedModel directory.

    The SavedModel has a ``serve`` (and ``serving_default``) signature with
    the role-named inputs and one output, a ``metadata`` signature returning
    the metadata JSON, and ``assets/keras_gan_zoo.json``.

    Args: as :func:`to_onnx`, without ``opset``.

    Example:
        >>> kgz.export.to_saved_model(model, "generator_savedmodel")
        >>> serve = tf.saved_model.load("generator_savedmodel").signatures["serve"]
        >>> serve(z=tf.random.normal((4, 64)))["image"].shape
        TensorShape([4, 28, 28, 1])
    """
    plan, path, parent = _prepare(model, path, "saved_model", overwrite, direction)
    generator = _float32_copy(plan.generator)
    record = plan.metadata()
    text = json.dumps(record, indent=2)

    @tf.function(input_signature=[])
    def read_metadata():
        return {"metadata": tf.constant(text)}

    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint("serve", plan.function(generator))
    archive.add_endpoint("metadata", read_metadata)
    tmp = tempfile.mkdtemp(prefix=".kgz-export-", dir=parent)
    try:
        archive.write_out(tmp, verbose=False)
        os.makedirs(os.path.join(tmp, "assets"), exist_ok=True)
        with open(os.path.join(tmp, "assets", METADATA_KEY + ".json"), "w") as f:
            f.write(text + "\n")

        def run(inputs):
            serve = tf.saved_model.load(tmp).signatures["serve"]
            return serve(**{k: tf.constant(v) for k, v in inputs.items()})[plan.output].numpy()

        return _finish(plan, record, tmp, path, "saved_model", run, verify, tolerance, generator)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)


def export(model, path, format="onnx", **kwargs):
    """Export ``model``'s generator as ``format`` (``"onnx"`` or ``"saved_model"``).

    ``kwargs`` go to :func:`to_onnx` or :func:`to_saved_model`.
    """
    if format not in FORMATS:
        raise ExportError(f"unknown export format {format!r}; expected one of {', '.join(FORMATS)}")
    writer = to_onnx if format == "onnx" else to_saved_model
    return writer(model, path, **kwargs)

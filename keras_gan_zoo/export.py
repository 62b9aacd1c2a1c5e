"""Export a trained generator to ONNX, a SavedModel, LiteRT or OpenVINO, verified against Keras.

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
carries a metadata record (``metadata``): the variant, each input's shape,
dtype and meaning, the output's range, the class count or code sizes, and the
package version. ONNX files hold it in ``metadata_props`` (the whole record as
JSON under the key ``keras_gan_zoo``, plus flat keys); a SavedModel holds it
in a ``metadata`` signature and in ``assets/keras_gan_zoo.json``; a LiteRT
(``.tflite``) file in its flatbuffer ``metadata`` under ``keras_gan_zoo``; an
OpenVINO model (``.xml`` + ``.bin``) in its ``rt_info`` under
``keras_gan_zoo``. ``read_metadata`` reads it back from any of them.

With ``verify=True`` (the default) the written file is run (onnxruntime; the
reloaded SavedModel; the LiteRT interpreter, ``ai-edge-litert``; the OpenVINO
runtime on the CPU in float32) on random inputs at batch 1 and batch 7 and compared with
Keras; if the largest absolute difference exceeds ``tolerance`` (1e-4) the
export raises ``ExportVerificationError`` with the numbers and writes
nothing. Files are written beside the target and moved into place only once
verified, so a failed export leaves what was there untouched. Written files
get the permissions of the user's umask (as ``open`` would give them).

A generator trained under a ``mixed_bfloat16`` or ``mixed_float16`` policy is
exported as a float32 copy of itself (same weights, float32 compute). It is
verified against that float32 copy; ``ExportResult.policy_gap`` reports
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
from keras_gan_zoo.models.contract import Signature, infer_signature

__all__ = [
    "FORMATS",
    "QUANTIZE",
    "ExportError",
    "ExportResult",
    "ExportVerificationError",
    "ExportedGenerator",
    "export",
    "load",
    "metadata",
    "read_metadata",
    "to_litert",
    "to_onnx",
    "to_openvino",
    "to_saved_model",
]

#: Formats ``export`` writes.
FORMATS = ("onnx", "saved_model", "litert", "openvino")
#: What each format's path is: the file ending it needs (``None``: a folder).
ENDINGS = {"onnx": ".onnx", "saved_model": None, "litert": ".tflite", "openvino": ".xml"}
#: Largest absolute difference from Keras that verification accepts.
TOLERANCE = 1e-4
#: Name of the metadata file in a SavedModel's ``assets/`` and of the ONNX metadata key.
METADATA_KEY = "keras_gan_zoo"
#: Batch sizes verification runs at (one, and an odd one).
VERIFY_BATCHES = (1, 7)
#: What ``to_onnx(..., quantize=...)`` makes: float16 weights and compute, or int8
#: weights and activations (static, QDQ, per output channel).
QUANTIZE = ("float16", "int8")
#: Largest *mean* absolute difference from Keras a quantized export's verification
#: accepts (a few pixels of an int8 file move far while the image does not change; what
#: it does to quality is measured by ``keras_gan_zoo.metrics.export_quality``).
QUANTIZED_TOLERANCE = {"float16": 1e-2, "int8": 5e-2}
#: Inputs an int8 export of a sampler is calibrated on (drawn as ``generate`` draws them).
CALIBRATION_SAMPLES = 256

class ExportError(ValueError):
    """The model or the arguments cannot be exported (nothing was written)."""


class ExportVerificationError(RuntimeError):
    """The exported file's outputs differ from Keras by more than the tolerance."""


@dataclasses.dataclass
class ExportResult:
    """What an export wrote and how closely it matches Keras.

    Attributes:
        path: the written file (ONNX, LiteRT, OpenVINO's ``.xml`` with its
            ``.bin`` beside it) or directory (SavedModel).
        format: one of ``FORMATS``.
        metadata: the record stored in the export (see ``metadata``).
        max_abs_diff: ``{batch size: largest |exported - Keras|}``, or empty
            when ``verify=False``.
        mean_abs_diff: ``{batch size: mean |exported - Keras|}`` (what a
            quantized export is verified on).
        quantize: ``None``, ``"float16"`` or ``"int8"``.
        policy_gap: for a generator under a mixed-precision policy, the
            largest difference between it and the float32 export (batch 7);
            ``None`` otherwise.
    """

    path: str
    format: str
    metadata: dict
    max_abs_diff: dict
    policy_gap: float | None = None
    mean_abs_diff: dict = dataclasses.field(default_factory=dict)
    quantize: str | None = None


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


_FORMAT_NAMES = {"onnx": "an ONNX export is one .onnx file",
                 "litert": "a LiteRT export is one .tflite file",
                 "openvino": "an OpenVINO export is an .xml file (its weights go beside it, "
                             "in the .bin of the same name)"}


def _check_path_format(path, fmt):
    """Refuse a path whose ending names another format (``to_saved_model(m, "g.tflite")``)."""
    ending = os.path.splitext(path.rstrip("/\\"))[1].lower()
    needed = ENDINGS[fmt]
    if needed is not None and ending != needed:
        raise ExportError(f"{_FORMAT_NAMES[fmt]}; got the path {path!r}: name it e.g. "
                          f"generator{needed}")
    if fmt == "saved_model" and ending in _ENDINGS:
        raise ExportError(f"a SavedModel is a folder, but {path!r} ends in {ending} (a "
                          f"{_ENDINGS[ending]} file): name a folder, e.g. generator_savedmodel, "
                          f"or use format=\"onnx\" for .onnx")


def _finish(plan, record, tmp, path, fmt, run, verify, tolerance, generator, place=None,
            quantize=None, verify_inputs=None):
    """Verify the file at ``tmp`` with ``run(inputs) -> array`` and move it to ``path``.

    ``place(tmp, path)`` moves a format of several files (OpenVINO) instead of
    one ``os.replace``. A quantized file is held to ``tolerance`` on the mean
    difference, on ``verify_inputs(batch)`` if given (a translator's
    calibration images) instead of random ones.
    """
    diffs, means, gap = {}, {}, None
    if verify:
        for batch in VERIFY_BATCHES:
            inputs = (verify_inputs or (lambda b: plan.sample_inputs(b, seed=b)))(batch)
            expected = _keras_output(generator, plan, inputs)
            got = run(inputs)
            if got.shape != expected.shape:
                raise ExportVerificationError(
                    f"the exported {fmt} gives shape {got.shape} at batch {batch}, Keras "
                    f"{expected.shape}"
                )
            diffs[batch] = float(np.max(np.abs(got - expected)))
            means[batch] = float(np.mean(np.abs(got - expected)))
        measured, what = (means, "on average") if quantize else (diffs, "by up to")
        worst = max(measured.values())
        if not worst <= tolerance:
            kind = f"{quantize} {fmt}" if quantize else fmt
            raise ExportVerificationError(
                f"the exported {kind} differs from Keras {what} {worst:.3g} (per batch size: "
                f"{', '.join(f'{b}: {d:.3g}' for b, d in measured.items())}), more than the "
                f"tolerance {tolerance:g}; nothing was written to {path}"
            )
    if generator is not plan.generator:
        inputs = plan.sample_inputs(VERIFY_BATCHES[-1], seed=0)
        gap = float(np.max(np.abs(_keras_output(plan.generator, plan, inputs)
                                  - _keras_output(generator, plan, inputs))))
    _with_umask_permissions(tmp)
    if place is not None:
        place(tmp, path)
    else:
        if os.path.lexists(path):
            _remove(path)
        os.replace(tmp, path)
    return ExportResult(path=path, format=fmt, metadata=record, max_abs_diff=diffs,
                        policy_gap=gap, mean_abs_diff=means, quantize=quantize)


def _keras_output(generator, plan, inputs):
    args = [inputs[s.name] for s in plan.specs()]
    out = generator(args[0] if len(args) == 1 else args, training=False)
    return keras.ops.convert_to_numpy(out).astype("float32")


def _with_umask_permissions(path):
    """Give ``path`` (and a folder's contents) what ``open``/``mkdir`` would under the umask.

    ``tempfile`` makes its files 0600 and folders 0700, which a server or a
    container reading the export as another user cannot open.
    """
    umask = os.umask(0)
    os.umask(umask)
    for root, dirs, files in (os.walk(path) if os.path.isdir(path) else [(None, [], [path])]):
        for name in files:
            os.chmod(name if root is None else os.path.join(root, name), 0o666 & ~umask)
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o777 & ~umask)
    if os.path.isdir(path):
        os.chmod(path, 0o777 & ~umask)


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)


def to_onnx(model, path, opset=None, overwrite=False, verify=True, tolerance=None,
            direction=None, quantize=None, calibration=None):
    """Export ``model``'s generator to an ONNX file, in float32 or quantized.

    Args:
        model: a trained variant (its generator is exported) or a generator.
        path: the ``.onnx`` file to write.
        opset: ONNX opset; ``None`` lets tf2onnx choose (15 with tf2onnx 1.17).
        overwrite: replace ``path`` if it exists (otherwise an error, and
            nothing is touched).
        verify: run the file with onnxruntime at batch 1 and 7 and compare
            with Keras.
        tolerance: largest accepted absolute difference (default
            ``TOLERANCE``); for a quantized file, largest accepted *mean*
            difference (default ``QUANTIZED_TOLERANCE``).
        direction: ``"a_to_b"`` (default) or ``"b_to_a"`` for a CycleGAN.
        quantize: ``None`` (float32), ``"float16"`` (weights and compute in
            float16 by onnxruntime's converter; inputs and outputs stay
            float32) or ``"int8"`` (onnxruntime's static quantization: QDQ,
            int8 weights per output channel and int8 activations, calibrated
            on the generator's own inputs).
        calibration: for ``quantize="int8"`` of a translator, source images
            ``(n, h, w, c)`` in ``[-1, 1]`` (e.g. a few dozen training inputs)
            to calibrate on and verify with; a sampler is calibrated on
            ``CALIBRATION_SAMPLES`` inputs drawn as ``generate`` draws them.

    Returns:
        ``ExportResult``.

    Example:
        >>> kgz.export.to_onnx(model, "generator.onnx").max_abs_diff
        {1: 2.4e-07, 7: 3.0e-07}
        >>> kgz.export.to_onnx(model, "generator_int8.onnx", quantize="int8").mean_abs_diff
    """
    try:
        import onnx
        import tf2onnx
    except ImportError as error:
        raise ExportError(
            f"ONNX export needs onnx, tf2onnx and onnxruntime ({error.name} is missing): "
            "pip install 'keras-gan-zoo[onnx]'"
        ) from None

    if quantize is not None and quantize not in QUANTIZE:
        raise ExportError(f"unknown quantize={quantize!r}; expected None (float32) or one of "
                          f"{', '.join(map(repr, QUANTIZE))}")
    plan, path, parent = _prepare(model, path, "onnx", overwrite, direction)
    feeds = _calibration(plan, quantize, calibration)
    if tolerance is None:
        tolerance = QUANTIZED_TOLERANCE[quantize] if quantize else TOLERANCE
    generator = _float32_copy(plan.generator)
    record = plan.metadata()
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    try:
        proto, _ = tf2onnx.convert.from_function(
            plan.function(generator), input_signature=plan.specs(), opset=opset
        )
    except Exception as error:  # tf2onnx raises many types; name the generator and re-raise
        raise ExportError(f"tf2onnx could not convert {plan.generator.name!r}: {error}") from error
    if quantize:
        proto = _quantized(proto, quantize, feeds, parent)
        record["quantization"] = _QUANTIZATION_RECORD[quantize] | (
            {"calibration": f"{sum(len(next(iter(f.values()))) for f in feeds)} "
                            + ("given source images" if calibration is not None
                               else "drawn inputs")} if feeds else {})
    del proto.metadata_props[:]
    props = {METADATA_KEY: json.dumps(record), "variant": record["variant"],
             "package_version": record["package_version"],
             "output_range": json.dumps(record["outputs"][0]["range"])}
    for key in ("num_classes", "num_categories", "num_continuous", "direction"):
        if key in record:
            props[key] = str(record[key])
    if quantize:
        props["quantization"] = quantize
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

        verify_inputs = None
        if calibration is not None:  # a translator's real images, not uniform noise
            verify_inputs = lambda batch: {k: v[:batch] for k, v in feeds[0].items()}  # noqa: E731
        return _finish(plan, record, tmp, path, "onnx", run, verify, tolerance, generator,
                       quantize=quantize, verify_inputs=verify_inputs)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


_QUANTIZATION_RECORD = {
    "float16": {"mode": "float16", "weights": "float16", "compute": "float16",
                "inputs_outputs": "float32", "tool": "onnxruntime.transformers.float16"},
    "int8": {"mode": "int8", "format": "QDQ", "weights": "int8 per output channel",
             "activations": "int8", "calibration_method": "MinMax",
             "tool": "onnxruntime.quantization.quantize_static"},
}


def _calibration(plan, quantize, calibration, batch=32):
    """The feeds an int8 export is calibrated on: ``[{input name: array}, ...]``."""
    if quantize != "int8":
        if calibration is not None:
            raise ExportError("calibration= applies to quantize=\"int8\" only")
        return None
    signature = plan.signature
    rng = np.random.default_rng(0)
    if signature.kind == "sampler":
        if calibration is not None:
            raise ExportError(
                f"a {signature.variant} sampler is calibrated on its own drawn inputs; "
                "calibration= takes source images, for a translator")
        arrays = signature.make_inputs(CALIBRATION_SAMPLES, rng)
    else:
        if calibration is None:
            raise ExportError(
                f"an int8 export of a {signature.variant} translator needs calibration "
                f"images: pass calibration= a batch of source images (n, h, w, "
                f"{signature.inputs[0].shape[-1]}) in [-1, 1], e.g. 64 of its training inputs")
        try:
            images = signature.inputs[0].check(calibration, len(np.asarray(calibration)))
        except ValueError as error:
            raise ExportError(f"calibration: {error}") from None
        if len(images) < max(VERIFY_BATCHES):
            raise ExportError(f"calibration: got {len(images)} images; expected at least "
                              f"{max(VERIFY_BATCHES)} (a few dozen calibrate better)")
        others = [p.draw(len(images), rng) for p in signature.inputs[1:]]
        arrays = [np.asarray(images, "float32"), *others]
        # feeds of a few images (the verification takes the first feed's): the calibration
        # session runs without graph optimisations, and one feed of 64 maps at 256 px takes
        # more than 24 GB there
        batch = max(VERIFY_BATCHES)
    names = [s.name for s in plan.specs()]
    n = len(arrays[0])
    return [{name: np.ascontiguousarray(a[i:i + batch]) for name, a in zip(names, arrays)}
            for i in range(0, n, batch)]


def _quantized(proto, quantize, feeds, parent):
    """``proto`` converted to float16 or quantized to int8 by onnxruntime's tools."""
    if quantize == "float16":
        from onnxruntime.transformers.float16 import convert_float_to_float16

        return convert_float_to_float16(proto, keep_io_types=True)
    import onnx
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self):
            self._feeds = iter(feeds)

        def get_next(self):
            return next(self._feeds, None)

    with tempfile.TemporaryDirectory(prefix=".kgz-quantize-", dir=parent) as work:
        source, prepared, target = (os.path.join(work, f"{n}.onnx")
                                    for n in ("float32", "prepared", "int8"))
        onnx.save(proto, source)
        quant_pre_process(source, prepared, skip_symbolic_shape=True)  # onnx.shape_inference is enough
        quantize_static(prepared, target, Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QInt8,
                        weight_type=QuantType.QInt8)
        return onnx.load(target)


def _write_saved_model(plan, generator, record, directory):
    """Write ``generator`` as a SavedModel with the ``serve`` and ``metadata`` endpoints."""
    text = json.dumps(record, indent=2)

    @tf.function(input_signature=[])
    def read_metadata():
        return {"metadata": tf.constant(text)}

    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint("serve", plan.function(generator))
    archive.add_endpoint("metadata", read_metadata)
    archive.write_out(directory, verbose=False)
    os.makedirs(os.path.join(directory, "assets"), exist_ok=True)
    with open(os.path.join(directory, "assets", METADATA_KEY + ".json"), "w") as f:
        f.write(text + "\n")


def to_saved_model(model, path, overwrite=False, verify=True, tolerance=TOLERANCE,
                   direction=None):
    """Export ``model``'s generator to a TensorFlow SavedModel directory.

    The SavedModel has a ``serve`` (and ``serving_default``) signature with
    the role-named inputs and one output, a ``metadata`` signature returning
    the metadata JSON, and ``assets/keras_gan_zoo.json``.

    Args: as ``to_onnx``, without ``opset``.

    Example:
        >>> kgz.export.to_saved_model(model, "generator_savedmodel")
        >>> serve = tf.saved_model.load("generator_savedmodel").signatures["serve"]
        >>> serve(z=tf.random.normal((4, 64)))["image"].shape
        TensorShape([4, 28, 28, 1])
    """
    plan, path, parent = _prepare(model, path, "saved_model", overwrite, direction)
    generator = _float32_copy(plan.generator)
    record = plan.metadata()
    tmp = tempfile.mkdtemp(prefix=".kgz-export-", dir=parent)
    try:
        _write_saved_model(plan, generator, record, tmp)

        def run(inputs):
            serve = tf.saved_model.load(tmp).signatures["serve"]
            return serve(**{k: tf.constant(v) for k, v in inputs.items()})[plan.output].numpy()

        return _finish(plan, record, tmp, path, "saved_model", run, verify, tolerance, generator)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)


def _staged_saved_model(plan, parent):
    """The float32 generator, its record, and a staging folder in ``parent`` holding its
    SavedModel (``staging/saved_model``), for the formats converted from it."""
    generator = _float32_copy(plan.generator)
    record = plan.metadata()
    staging = tempfile.mkdtemp(prefix=".kgz-export-", dir=parent)
    try:
        _write_saved_model(plan, generator, record, os.path.join(staging, "saved_model"))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return generator, record, staging


def _litert_interpreter(path):
    """The LiteRT interpreter (``ai-edge-litert``) on ``path``."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        raise ExportError("verifying a LiteRT export needs the LiteRT interpreter: "
                          "pip install 'keras-gan-zoo[litert]' (or verify=False)") from None
    return Interpreter(model_path=path)


def to_litert(model, path, overwrite=False, verify=True, tolerance=TOLERANCE, direction=None):
    """Export ``model``'s generator to a LiteRT (TensorFlow Lite) ``.tflite`` file.

    The file has one signature, ``serve``, with the role-named inputs (dynamic
    batch) and one output, and the metadata record in its flatbuffer
    ``metadata`` under ``keras_gan_zoo`` (``read_metadata``). It is
    converted by TensorFlow's LiteRT converter from the SavedModel
    ``to_saved_model`` writes, in float32 with the built-in operators,
    and verified in the LiteRT interpreter (``ai-edge-litert``).

    Args: as ``to_saved_model``.

    Example:
        >>> kgz.export.to_litert(model, "generator.tflite").max_abs_diff
        >>> from ai_edge_litert.interpreter import Interpreter
        >>> serve = Interpreter("generator.tflite").get_signature_runner("serve")
        >>> serve(z=np.random.normal(size=(4, 64)).astype("float32"))["image"].shape
        (4, 28, 28, 1)
    """
    from tensorflow.lite.tools import flatbuffer_utils

    plan, path, parent = _prepare(model, path, "litert", overwrite, direction)
    generator, record, staging = _staged_saved_model(plan, parent)
    tmp = os.path.join(staging, "generator.tflite")
    try:
        converter = tf.lite.TFLiteConverter.from_saved_model(
            os.path.join(staging, "saved_model"), signature_keys=["serve"])
        try:
            flat = converter.convert()
        except Exception as error:  # the converter raises ConverterError and others
            raise ExportError(f"the LiteRT converter could not convert "
                              f"{plan.generator.name!r}: {error}") from error
        tree = flatbuffer_utils.convert_bytearray_to_object(bytearray(flat))
        _add_litert_metadata(tree, json.dumps(record).encode())
        with open(tmp, "wb") as f:
            f.write(flatbuffer_utils.convert_object_to_bytearray(tree))

        def run(inputs):
            serve = _litert_interpreter(tmp).get_signature_runner("serve")
            return serve(**inputs)[plan.output]

        return _finish(plan, record, tmp, path, "litert", run, verify, tolerance, generator)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _add_litert_metadata(tree, data):
    """Append ``data`` to a LiteRT model object as its ``keras_gan_zoo`` metadata entry."""
    from tensorflow.lite.python import schema_py_generated as schema

    buffer = schema.BufferT()
    buffer.data = np.frombuffer(data, np.uint8)
    tree.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_KEY
    entry.buffer = len(tree.buffers) - 1
    tree.metadata = [*(tree.metadata or []), entry]


def _openvino():
    try:
        import openvino
    except ImportError:
        raise ExportError("OpenVINO export needs the openvino package: "
                          "pip install 'keras-gan-zoo[openvino]'") from None
    return openvino


def _openvino_float32(path):
    """``path`` compiled for the CPU in float32 (OpenVINO's CPU default is bf16 where it can)."""
    ov = _openvino()
    return ov.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})


def to_openvino(model, path, overwrite=False, verify=True, tolerance=TOLERANCE, direction=None):
    """Export ``model``'s generator to an OpenVINO model: ``path`` (``.xml``) and its ``.bin``.

    Converted by ``openvino.convert_model`` from the SavedModel
    ``to_saved_model`` writes, stored with float32 weights (OpenVINO
    would otherwise compress them to float16), the role-named inputs with a
    dynamic batch, and the metadata record in ``rt_info`` under
    ``keras_gan_zoo`` (``read_metadata``). Verified with the OpenVINO
    runtime on the CPU in float32: on CPUs with bfloat16 units OpenVINO
    computes in bfloat16 unless asked not to, so compile it with
    ``{"INFERENCE_PRECISION_HINT": "f32"}`` for these results.

    Args: as ``to_saved_model``.

    Example:
        >>> kgz.export.to_openvino(model, "generator.xml").max_abs_diff
        >>> import openvino as ov
        >>> g = ov.Core().compile_model("generator.xml", "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        >>> g({"z": np.random.normal(size=(4, 64)).astype("float32")})["image"].shape
        (4, 28, 28, 1)
    """
    ov = _openvino()
    plan, path, parent = _prepare(model, path, "openvino", overwrite, direction)
    weights = os.path.splitext(path)[0] + ".bin"
    if os.path.lexists(weights) and not overwrite:
        raise ExportError(f"{weights} already exists (the weights of {path} would go there); "
                          "pass overwrite=True to replace it")
    generator, record, staging = _staged_saved_model(plan, parent)
    tmp = os.path.join(staging, "generator.xml")
    try:
        try:
            converted = ov.convert_model(os.path.join(staging, "saved_model"))
        except Exception as error:
            raise ExportError(f"openvino.convert_model could not convert "
                              f"{plan.generator.name!r}: {error}") from error
        converted.set_rt_info(json.dumps(record), [METADATA_KEY])
        ov.save_model(converted, tmp, compress_to_fp16=False)

        def run(inputs):
            return _openvino_float32(tmp)(inputs)[plan.output]

        def place(staged, target):
            weights = os.path.splitext(target)[0] + ".bin"
            for old in (target, weights):
                if os.path.lexists(old):
                    _remove(old)
            os.replace(os.path.splitext(staged)[0] + ".bin", weights)
            os.replace(staged, target)

        _with_umask_permissions(os.path.splitext(tmp)[0] + ".bin")
        return _finish(plan, record, tmp, path, "openvino", run, verify, tolerance, generator,
                       place=place)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


_WRITERS = {"onnx": to_onnx, "saved_model": to_saved_model, "litert": to_litert,
            "openvino": to_openvino}


def export(model, path, format="onnx", **kwargs):
    """Export ``model``'s generator as ``format``: one of ``FORMATS``.

    ``kwargs`` go to ``to_onnx``, ``to_saved_model``,
    ``to_litert`` or ``to_openvino``.
    """
    if format not in FORMATS:
        raise ExportError(f"unknown export format {format!r}; expected one of {', '.join(FORMATS)}")
    for option in ("quantize", "calibration", "opset"):
        if kwargs.get(option) is not None and format != "onnx":
            raise ExportError(f"{option}= applies to format=\"onnx\", not {format!r}")
    return _WRITERS[format](model, path, **kwargs)


def read_metadata(path):
    """The metadata record stored in an export of any format (a dict).

    Args:
        path: an ``.onnx``, ``.tflite`` or OpenVINO ``.xml`` file, or a
            SavedModel folder, written by this module.

    Raises:
        ExportError: the file is not one of these, or holds no record.
    """
    path = os.fspath(path)
    ending = os.path.splitext(path.rstrip("/\\"))[1].lower()
    if not os.path.exists(path):
        raise ExportError(f"{path} does not exist")
    try:
        text = _metadata_text(path, ending)
    except ExportError:
        raise
    except Exception as error:  # each format's parser raises its own errors on a damaged file
        raise ExportError(f"{path} is not a readable {ending or 'SavedModel'} export (truncated "
                          f"or not one?): {str(error).splitlines()[0][:300]}") from error
    if text is None:
        raise ExportError(f"{path} holds no {METADATA_KEY} metadata: it was not written by "
                          "keras_gan_zoo.export")
    return json.loads(text)


def _metadata_text(path, ending):
    text = None
    if os.path.isdir(path):
        asset = os.path.join(path, "assets", METADATA_KEY + ".json")
        if os.path.isfile(asset):
            with open(asset) as f:
                text = f.read()
    elif ending == ".onnx":
        import onnx

        props = {p.key: p.value for p in onnx.load(path, load_external_data=False).metadata_props}
        text = props.get(METADATA_KEY)
    elif ending == ".tflite":
        from tensorflow.lite.tools import flatbuffer_utils

        tree = flatbuffer_utils.read_model(path)
        for entry in tree.metadata or []:
            name = entry.name.decode() if isinstance(entry.name, bytes) else entry.name
            if name == METADATA_KEY:
                text = bytes(tree.buffers[entry.buffer].data).decode()
    elif ending == ".xml":
        model = _openvino().Core().read_model(path)
        if model.has_rt_info([METADATA_KEY]):
            text = model.get_rt_info([METADATA_KEY]).astype(str)
    else:
        raise ExportError(f"{path} is not an export this module reads: expected a .onnx, "
                          ".tflite or .xml file or a SavedModel folder")
    return text


# ---------------------------------------------------------------- running
def _runtime(path, ending):
    """``feed {name: array} -> output array`` of an export, in its own runtime."""
    if os.path.isdir(path):
        serve = tf.saved_model.load(path).signatures["serve"]
        return lambda feed, output: serve(**{k: tf.constant(v) for k, v in feed.items()})[
            output].numpy()
    if ending == ".onnx":
        import onnxruntime as ort

        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        return lambda feed, output: session.run([output], feed)[0]
    if ending == ".tflite":
        runner = _litert_interpreter(path).get_signature_runner("serve")
        return lambda feed, output: runner(**feed)[output]
    compiled = _openvino_float32(path)
    return lambda feed, output: compiled(feed)[output]


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
        ending = os.path.splitext(self.path.rstrip("/\\"))[1].lower()
        self._run = _runtime(self.path, ending)
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

"""ONNX: one ``.onnx`` file by tf2onnx, in float32 or quantized (float16, int8) by
onnxruntime's tools, verified in onnxruntime.

The metadata record is in the file's ``metadata_props``: the whole record as
JSON under ``keras_gan_zoo``, plus flat keys a viewer such as Netron shows.
"""

import json
import logging
import os
import tempfile

import numpy as np

from keras_gan_zoo.export.core import (METADATA_KEY, TOLERANCE, VERIFY_BATCHES, ExportError,
                                       Format, conversion_error, float32_copy, finish, prepare,
                                       register)

#: What ``to_onnx(..., quantize=...)`` makes: float16 weights and compute, or int8
#: weights (static, QDQ, per output channel) and int8 activations, int16 ones where int8
#: would move the output further than the tolerance (the record says which).
QUANTIZE = ("float16", "int8")
#: Largest *mean* absolute difference from Keras a quantized export's verification
#: accepts (a few pixels of an int8 file move far while the image does not change; what
#: it does to quality is measured by ``keras_gan_zoo.metrics.export_quality``).
QUANTIZED_TOLERANCE = {"float16": 1e-2, "int8": 5e-2}
#: Inputs an int8 export of a sampler is calibrated on (drawn as ``generate`` draws them).
CALIBRATION_SAMPLES = 256
#: Most source images a translator's int8 export calibrates on (the first ones given).
#: onnxruntime's MinMax calibrator keeps every feed's activations until it computes the
#: ranges, so the peak memory grows with the images times the generator's activations:
#: ``pix2pix_facades`` (256 px, 13.6 MB of weights) peaks at 4.7 GB with 64.
CALIBRATION_IMAGES = 64
#: Inputs the calibration session runs at once. The ranges are the minimum and maximum over
#: all of them whatever the batch (a test checks the int8 file is the same at 8 and 32);
#: the session runs without graph optimisations, so its memory grows with the batch
#: (``resnet_gan_facades``: 3.4 GB peak at 32, 1.4 GB at 8).
CALIBRATION_BATCH = 8

_QUANTIZATION_RECORD = {
    "float16": {"mode": "float16", "weights": "float16", "compute": "float16",
                "inputs_outputs": "float32", "tool": "onnxruntime.transformers.float16"},
    "int8": {"mode": "int8", "format": "QDQ", "weights": "int8 per output channel",
             "activations": "int8", "calibration_method": "MinMax",
             "tool": "onnxruntime.quantization.quantize_static"},
}


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
            on the generator's own inputs; int16 activations where int8 ones
            would move the output further than ``tolerance``, as the record's
            ``quantization.activations`` says).
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
    plan, path, parent = prepare(model, path, "onnx", overwrite, direction)
    feeds = _calibration(plan, quantize, calibration)
    if tolerance is None:
        tolerance = QUANTIZED_TOLERANCE[quantize] if quantize else TOLERANCE
    generator = float32_copy(plan.generator)
    record = plan.metadata()
    logging.getLogger("tf2onnx").setLevel(logging.ERROR)
    try:
        proto, _ = tf2onnx.convert.from_function(
            plan.function(generator), input_signature=plan.specs(), opset=opset
        )
    except Exception as error:  # tf2onnx raises many types; name the generator and re-raise
        raise conversion_error("tf2onnx", plan.generator, error) from error
    if quantize:
        proto, chosen = _quantized(proto, quantize, feeds, parent, tolerance)
        record["quantization"] = _QUANTIZATION_RECORD[quantize] | chosen | (
            {"calibration": f"{sum(len(next(iter(f.values()))) for f in feeds)} "
                            + (f"given source images (of {len(calibration)})"
                               if calibration is not None else "drawn inputs")}
            if feeds else {})
    _write_metadata(proto, record, quantize)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", prefix=".kgz-export-", dir=parent)
    os.close(fd)
    try:
        onnx.save(proto, tmp)
        run = _runtime(tmp)
        verify_inputs = None
        if calibration is not None:  # a translator's real images, not uniform noise
            verify_inputs = lambda batch: {k: v[:batch] for k, v in feeds[0].items()}  # noqa: E731
        return finish(plan, record, tmp, path, "onnx", lambda inputs: run(inputs, plan.output),
                      verify, tolerance, generator, quantize=quantize,
                      verify_inputs=verify_inputs)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _write_metadata(proto, record, quantize):
    """The record as ``metadata_props``: whole under ``METADATA_KEY``, and flat keys."""
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


def _calibration(plan, quantize, calibration):
    """The feeds an int8 export is calibrated on: ``[{input name: array}, ...]``."""
    batch = CALIBRATION_BATCH
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
        images = images[:CALIBRATION_IMAGES]
        others = [p.draw(len(images), rng) for p in signature.inputs[1:]]
        arrays = [np.asarray(images, "float32"), *others]
        # feeds of a few images (the verification takes the first feed's, which must hold
        # its largest batch): one feed of 64 maps at 256 px takes more than 24 GB there
        batch = max(VERIFY_BATCHES)
    names = [s.name for s in plan.specs()]
    n = len(arrays[0])
    return [{name: np.ascontiguousarray(a[i:i + batch]) for name, a in zip(names, arrays)}
            for i in range(0, n, batch)]


def _quantized(proto, quantize, feeds, parent, tolerance):
    """``proto`` converted to float16, or quantized to int8 by onnxruntime's tools; for
    int8 what its activations are (a dict for the record)."""
    if quantize == "float16":
        from onnxruntime.transformers.float16 import convert_float_to_float16

        return convert_float_to_float16(_omit_empty_resize_inputs(proto),
                                        keep_io_types=True), {}
    import onnx
    from onnxruntime.quantization.shape_inference import quant_pre_process

    with tempfile.TemporaryDirectory(prefix=".kgz-quantize-", dir=parent) as work:
        source, prepared, target = (os.path.join(work, f"{n}.onnx")
                                    for n in ("float32", "prepared", "int8"))
        onnx.save(proto, source)
        quant_pre_process(source, prepared, skip_symbolic_shape=True)  # onnx.shape_inference is enough
        activations = _int8_with_fallback(prepared, target, feeds, tolerance)
        return onnx.load(target), {"activations": activations}


def _omit_empty_resize_inputs(proto):
    """``proto`` with each ``Resize``'s empty ``roi`` and ``scales`` given as omitted inputs.

    tf2onnx passes a resize to a computed size (SinGAN's upsampling between scales) an empty
    initializer as both ``roi`` and ``scales``. The float16 converter casts that initializer
    back to float32 for ``scales``, and onnxruntime, no longer seeing it empty, refuses the
    node for having both ``scales`` and ``sizes``. An omitted input (``""``) means the same
    and survives the conversion."""
    opset = max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")),
                default=0)
    if opset < 13:  # Resize-11 requires roi and scales (empty, not omitted)
        return proto
    empty = {i.name for i in proto.graph.initializer if 0 in i.dims}
    for node in proto.graph.node:
        if node.op_type == "Resize" and len(node.input) == 4 and node.input[3]:
            for k in (1, 2):
                if node.input[k] in empty:
                    node.input[k] = ""
    used = {name for node in proto.graph.node for name in node.input} | {
        v.name for v in (*proto.graph.input, *proto.graph.output)}
    unused = [i for i in proto.graph.initializer if i.name in empty and i.name not in used]
    for initializer in unused:  # or onnxruntime warns of each when it loads the file
        proto.graph.initializer.remove(initializer)
    return proto


def _int8_with_fallback(prepared, target, feeds, tolerance):
    """Quantize ``prepared`` to ``target``: int8 weights, and int8 activations unless they
    move the output further than ``tolerance``, int16 ones then. What the activations
    are, for the record (a string).

    Generators whose residual path is not normalised carry activations whose range
    grows from block to block while a batch norm later rescales each channel: in
    ``resnet_gan_facades`` one tensor spans +-260 while most of its channels stay
    within +-5, so one int8 range per tensor leaves the small channels a few levels
    and the image moves by 0.27 on average. Int16 activations keep the weights int8
    (the file is as small) and bring it within 0.005.
    """
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self._feeds = iter(feeds)

        def get_next(self):
            return next(self._feeds, None)

    check = feeds[0]
    expected = _session(prepared).run(None, check)[0]
    moved = {}
    for bits, activation in (("int8", QuantType.QInt8), ("int16", QuantType.QInt16)):
        quantize_static(prepared, target, Reader(), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=activation,
                        weight_type=QuantType.QInt8)
        moved[bits] = float(np.mean(np.abs(_session(target).run(None, check)[0] - expected)))
        if moved[bits] <= tolerance:
            break
    if bits == "int8":
        return "int8"
    return (f"int16 (int8 activations moved the output by {moved['int8']:.3g} on average, "
            f"more than the tolerance {tolerance:g})")


def _session(path):
    import onnxruntime as ort

    return ort.InferenceSession(path, providers=["CPUExecutionProvider"])


def _read_metadata(path):
    import onnx

    props = {p.key: p.value for p in onnx.load(path, load_external_data=False).metadata_props}
    return props.get(METADATA_KEY)


def _runtime(path):
    session = _session(path)
    return lambda feed, output: session.run([output], feed)[0]


FORMAT = register(Format(
    name="onnx", title="ONNX (float32, float16, int8)", ending=".onnx",
    path_rule="an ONNX export is one .onnx file", write=to_onnx,
    read_metadata=_read_metadata, runtime=_runtime,
    options=("opset", "quantize", "calibration")))

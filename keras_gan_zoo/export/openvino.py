"""OpenVINO: an ``.xml`` graph and its ``.bin`` weights converted from the SavedModel with
float32 weights, verified by the OpenVINO runtime on the CPU in float32.

The record is in the model's ``rt_info`` under ``keras_gan_zoo``.
"""

import json
import os
import shutil

from keras_gan_zoo.export import saved_model
from keras_gan_zoo.export.core import (METADATA_KEY, TOLERANCE, ExportError, Format,
                                       conversion_error, finish, prepare, register)


def _openvino():
    try:
        import openvino
    except ImportError:
        raise ExportError("OpenVINO export needs the openvino package: "
                          "pip install 'keras-gan-zoo[openvino]'") from None
    return openvino


def _weights(path):
    """The ``.bin`` an OpenVINO ``.xml`` keeps its weights in."""
    return [os.path.splitext(path)[0] + ".bin"]


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
    plan, path, parent = prepare(model, path, "openvino", overwrite, direction)
    generator, record, staging = saved_model.staged(plan, parent)
    tmp = os.path.join(staging, "generator.xml")
    try:
        try:
            converted = ov.convert_model(os.path.join(staging, "saved_model"))
        except Exception as error:
            raise conversion_error("openvino.convert_model", plan.generator, error) from error
        converted.set_rt_info(json.dumps(record), [METADATA_KEY])
        ov.save_model(converted, tmp, compress_to_fp16=False)

        def run(inputs):
            return _runtime(tmp)(inputs, plan.output)

        return finish(plan, record, tmp, path, "openvino", run, verify, tolerance, generator)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_metadata(path):
    model = _openvino().Core().read_model(path)
    if model.has_rt_info([METADATA_KEY]):
        return model.get_rt_info([METADATA_KEY]).astype(str)
    return None


def _runtime(path):
    """``path`` compiled for the CPU in float32 (OpenVINO's CPU default is bf16 where it can)."""
    compiled = _openvino().Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return lambda feed, output: compiled(feed)[output]


FORMAT = register(Format(
    name="openvino", title="OpenVINO", ending=".xml",
    path_rule=("an OpenVINO export is an .xml file (its weights go beside it, in the .bin of "
               "the same name)"),
    write=to_openvino, read_metadata=_read_metadata, runtime=_runtime, companions=_weights,
    companion_role="weights"))

"""Export a trained generator, verified against Keras, in every registered format.

What is exported is the **generator** of a variant (for a translator, one
direction), in float32, with a dynamic batch dimension and inputs and
outputs named by their role: the ports of `model.signature()` (`z`,
`label`, `categorical`, `continuous`, `image`, `noise` ... in, `image`,
`sample` or `translated` out). Each variant's ports are listed on the
docs' export guide, generated from the zoo.

Images are in `[-1, 1]` (`(x + 1) * 127.5` gives pixels). Every export
carries a metadata record (`metadata`): the variant, each input's shape,
dtype and meaning, the output's range, the class count or code sizes, and
the package version, which `read_metadata` reads back from any format.

With `verify=True` (the default) the written file is run in its own
runtime on random inputs at batch 1 and batch 7 and compared with Keras; if
the largest absolute difference exceeds `tolerance` (`TOLERANCE`) the
export raises `ExportVerificationError` with the numbers and writes
nothing. Files are written beside the target and moved into place only once
verified, so a failed export leaves what was there untouched. Written files
get the permissions of the user's umask (as `open` would give them).

A generator trained under a `mixed_bfloat16` or `mixed_float16` policy is
exported as a float32 copy of itself (same weights, float32 compute). It is
verified against that float32 copy; `ExportResult.policy_gap` reports how
far the mixed-precision Keras model itself is from it (bfloat16 keeps about
3 significant digits, so expect ~1e-2 there, not 1e-4).

Each format is one module of this package (`onnx`, `saved_model`,
`litert`, `openvino`) that registers a `Format` in `REGISTRY`; `export`,
`read_metadata`, `load` and the command line find formats there.

Example:
    >>> import keras_gan_zoo as kgz
    >>> result = kgz.export.to_onnx(model, "generator.onnx")
    >>> result.max_abs_diff            # {1: 2.4e-07, 7: 3.0e-07}
    >>> kgz.export.to_saved_model(model, "generator_savedmodel")
"""

from keras_gan_zoo.export.core import (METADATA_KEY, REGISTRY, TOLERANCE, VERIFY_BATCHES,
                                       ExportError, ExportResult, ExportVerificationError,
                                       Format, format_for, metadata, register)
# the formats, in the order the docs and `--format` list them; each registers itself
from keras_gan_zoo.export.onnx import (CALIBRATION_IMAGES, CALIBRATION_SAMPLES, QUANTIZE,
                                       QUANTIZED_TOLERANCE, to_onnx)
from keras_gan_zoo.export.saved_model import to_saved_model
from keras_gan_zoo.export.litert import to_litert
from keras_gan_zoo.export.openvino import to_openvino
from keras_gan_zoo.export.loading import ExportedGenerator, is_export, load, read_metadata

__all__ = [
    "FORMATS",
    "QUANTIZE",
    "REGISTRY",
    "ExportError",
    "ExportResult",
    "ExportVerificationError",
    "ExportedGenerator",
    "Format",
    "export",
    "is_export",
    "load",
    "metadata",
    "read_metadata",
    "register",
    "to_litert",
    "to_onnx",
    "to_openvino",
    "to_saved_model",
]

#: Formats ``export`` writes (the names in ``REGISTRY``).
FORMATS = tuple(REGISTRY)
#: What each format's path is: the file ending it needs (``None``: a folder).
ENDINGS = {name: fmt.ending for name, fmt in REGISTRY.items()}


def export(model, path, format="onnx", **kwargs):
    """Export ``model``'s generator as ``format``: one of ``FORMATS``.

    ``kwargs`` go to the format's writer (``to_onnx``, ``to_saved_model``,
    ``to_litert``, ``to_openvino``); options only one format takes (ONNX's
    ``quantize``, ``calibration``, ``opset``) are refused for the others.
    """
    fmt = format_for(format)
    for other in REGISTRY.values():
        for option in other.options:
            if kwargs.get(option) is not None and option not in fmt.options:
                raise ExportError(f"{option}= applies to format=\"{other.name}\", not "
                                  f"{format!r}")
    return fmt.write(model, path, **kwargs)

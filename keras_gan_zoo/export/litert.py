"""LiteRT (TensorFlow Lite): one ``.tflite`` file converted from the SavedModel, verified
in the LiteRT interpreter (``ai-edge-litert``).

The file has one signature, ``serve``, and the record in its flatbuffer
``metadata`` under ``keras_gan_zoo``.
"""

import json
import os
import shutil

import numpy as np
import tensorflow as tf

from keras_gan_zoo.export import saved_model
from keras_gan_zoo.export.core import (METADATA_KEY, TOLERANCE, ExportError, Format,
                                       conversion_error, finish, prepare, register)


def interpreter(path):
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

    plan, path, parent = prepare(model, path, "litert", overwrite, direction)
    generator, record, staging = saved_model.staged(plan, parent, static_upsampling=True)
    tmp = os.path.join(staging, "generator.tflite")
    try:
        converter = tf.lite.TFLiteConverter.from_saved_model(
            os.path.join(staging, "saved_model"), signature_keys=["serve"])
        try:
            flat = converter.convert()
        except Exception as error:  # the converter raises ConverterError and others
            raise conversion_error("the LiteRT converter", plan.generator, error) from error
        tree = flatbuffer_utils.convert_bytearray_to_object(bytearray(flat))
        _add_metadata(tree, json.dumps(record).encode())
        with open(tmp, "wb") as f:
            f.write(flatbuffer_utils.convert_object_to_bytearray(tree))

        def run(inputs):
            return _runtime(tmp)(inputs, plan.output)

        return finish(plan, record, tmp, path, "litert", run, verify, tolerance, generator)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _add_metadata(tree, data):
    """Append ``data`` to a LiteRT model object as its ``keras_gan_zoo`` metadata entry."""
    from tensorflow.lite.python import schema_py_generated as schema

    buffer = schema.BufferT()
    buffer.data = np.frombuffer(data, np.uint8)
    tree.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_KEY
    entry.buffer = len(tree.buffers) - 1
    tree.metadata = [*(tree.metadata or []), entry]


def _read_metadata(path):
    from tensorflow.lite.tools import flatbuffer_utils

    tree = flatbuffer_utils.read_model(path)
    for entry in tree.metadata or []:
        name = entry.name.decode() if isinstance(entry.name, bytes) else entry.name
        if name == METADATA_KEY:
            return bytes(tree.buffers[entry.buffer].data).decode()
    return None


def _runtime(path):
    runner = interpreter(path).get_signature_runner("serve")
    return lambda feed, output: runner(**feed)[output]


FORMAT = register(Format(
    name="litert", title="LiteRT", ending=".tflite",
    path_rule="a LiteRT export is one .tflite file", write=to_litert,
    read_metadata=_read_metadata, runtime=_runtime))

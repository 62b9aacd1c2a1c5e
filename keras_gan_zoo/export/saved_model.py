"""SavedModel: a TensorFlow folder written by ``keras.export.ExportArchive``, verified by
reloading it. LiteRT and OpenVINO convert from the same folder (``staged``).

The folder has a ``serve`` (and ``serving_default``) signature with the
role-named inputs and one output, a ``metadata`` signature returning the
record as JSON, and the record again in ``assets/keras_gan_zoo.json``.
"""

import json
import os
import shutil
import tempfile

import keras
import tensorflow as tf

from keras_gan_zoo.export.core import (METADATA_KEY, TOLERANCE, Format, float32_copy, finish,
                                       prepare, register)


def write(plan, generator, record, directory):
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
    plan, path, parent = prepare(model, path, "saved_model", overwrite, direction)
    generator = float32_copy(plan.generator)
    record = plan.metadata()
    tmp = tempfile.mkdtemp(prefix=".kgz-export-", dir=parent)
    try:
        write(plan, generator, record, tmp)
        run = _runtime(tmp)
        return finish(plan, record, tmp, path, "saved_model",
                      lambda inputs: run(inputs, plan.output), verify, tolerance, generator)
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp)


def staged(plan, parent, static_upsampling=False):
    """The float32 generator, its record, and a staging folder in ``parent`` holding its
    SavedModel (``staging/saved_model``), for the formats converted from it
    (``static_upsampling``: see ``float32_copy``)."""
    generator = float32_copy(plan.generator, static_upsampling)
    record = plan.metadata()
    staging = tempfile.mkdtemp(prefix=".kgz-export-", dir=parent)
    try:
        write(plan, generator, record, os.path.join(staging, "saved_model"))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return generator, record, staging


def _read_metadata(path):
    asset = os.path.join(path, "assets", METADATA_KEY + ".json")
    if not os.path.isfile(asset):
        return None
    with open(asset) as f:
        return f.read()


def _runtime(path):
    serve = tf.saved_model.load(path).signatures["serve"]
    return lambda feed, output: serve(**{k: tf.constant(v) for k, v in feed.items()})[
        output].numpy()


FORMAT = register(Format(
    name="saved_model", title="SavedModel", ending=None, path_rule="a SavedModel is a folder",
    write=to_saved_model, read_metadata=_read_metadata, runtime=_runtime))

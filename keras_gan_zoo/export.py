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

from keras_gan_zoo.models import AdversarialModel, ConditionalGAN, CycleGAN, InfoGAN
from keras_gan_zoo.models.conditional_gan import _classes_in

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

_MEANINGS = {
    "z": "latent noise, standard normal N(0, 1)",
    "label": "class of each sample, integer in [0, num_classes)",
    "categorical": "InfoGAN categorical code, integer in [0, num_categories)",
    "continuous": "InfoGAN continuous codes, uniform in [-1, 1] during training",
    "image": "source images in [-1, 1], channels last",
}


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


# ------------------------------------------------------------------ roles
class _Plan:
    """The generator to export, its input roles and its metadata."""

    def __init__(self, model, direction):
        self.variant, self.extra = None, {}
        if isinstance(model, AdversarialModel):
            self._from_variant(model, direction)
        elif isinstance(model, keras.Model):
            self._from_network(model)
        else:
            raise ExportError(
                f"expected a keras_gan_zoo variant (e.g. a trained kgz.GAN) or a generator "
                f"keras.Model, got {type(model).__name__}"
            )

    def _from_variant(self, model, direction):
        from keras_gan_zoo import VARIANTS

        self.variant = next((k for k, v in VARIANTS.items() if type(model) is v), None)
        self.variant = self.variant or type(model).__name__
        if isinstance(model, CycleGAN):
            if direction not in ("a_to_b", "b_to_a"):
                raise ExportError(
                    f"unknown direction {direction!r}; expected 'a_to_b' or 'b_to_a'"
                )
            self.generator = model.generator if direction == "a_to_b" else model.generator_ba
            shape = model.image_shape_a if direction == "a_to_b" else model.image_shape_b
            self.roles, self.output = ("image",), "translated"
            self.extra = {"direction": direction, "trained_image_shape": list(shape)}
            self.verify_shape = tuple(shape)
            return
        if direction is not None:
            raise ExportError(f"direction= is for CycleGAN only; {type(model).__name__} has one generator")
        self.generator = model.generator
        if isinstance(model, ConditionalGAN):
            self.roles = ("z", "label")
            self.extra = {"num_classes": int(model.num_classes)}
        elif isinstance(model, InfoGAN):
            self.roles = ("z", "categorical", "continuous")
            self.extra = {"num_categories": model.num_categories,
                          "num_continuous": model.num_continuous}
        else:
            self.roles = ("z",)
        self._check_generator(self.generator)
        self.output = "image" if len(self.generator.outputs[0].shape) == 4 else "sample"

    def _from_network(self, net):
        self._check_generator(net)
        self.generator = net
        ranks = [len(t.shape) for t in net.inputs]
        if ranks == [4]:
            self.variant, self.roles, self.output = "translator", ("image",), "translated"
            self.verify_shape = tuple(32 if s is None else s for s in net.inputs[0].shape[1:])
            return
        self.roles = {1: ("z",), 2: ("z", "label"), 3: ("z", "categorical", "continuous")}[len(ranks)]
        self.variant = {1: "generator", 2: "conditional_generator", 3: "infogan_generator"}[len(ranks)]
        self.output = "image" if len(net.outputs[0].shape) == 4 else "sample"
        if len(ranks) == 2:
            self.extra = {"num_classes": _one_hot_size(net)}
        elif len(ranks) == 3:
            self.extra = {"num_categories": _one_hot_size(net),
                          "num_continuous": int(net.inputs[2].shape[-1])}

    @staticmethod
    def _check_generator(net):
        if not net.built or not hasattr(net, "inputs") or not net.inputs:
            raise ExportError(
                f"the model {net.name!r} is not built: it has no known inputs. Export a "
                "functional generator (keras.Input -> ... -> image) or a trained variant; "
                "build a Sequential model with an Input first"
            )
        inputs, outputs = net.inputs, net.outputs
        ranks = [len(t.shape) for t in inputs]
        out_rank = len(outputs[0].shape)
        if len(outputs) != 1 or (ranks == [4] and out_rank != 4) or (
            len(ranks) > 1 and ranks[0] != 2
        ) or len(ranks) > 3:
            raise ExportError(
                f"{net.name!r} looks like a discriminator, not a generator: inputs "
                f"{[tuple(t.shape) for t in inputs]}, outputs {[tuple(t.shape) for t in outputs]}. "
                "Expected z (batch, latent) [+ label, or + categorical and continuous codes] "
                "-> one example, or image -> image"
            )

    # -------------------------------------------------------- signature
    def specs(self):
        """The exported function's input ``TensorSpec``s, named by role."""
        specs = []
        for role, tensor in zip(self.roles, self.generator.inputs):
            if role in ("label", "categorical"):
                specs.append(tf.TensorSpec((None,), tf.int32, name=role))
            elif role == "image":
                specs.append(tf.TensorSpec((None, None, None, tensor.shape[-1]), tf.float32,
                                           name=role))
            else:
                specs.append(tf.TensorSpec((None,) + tuple(tensor.shape[1:]), tf.float32,
                                           name=role))
        return specs

    def function(self, generator):
        """A ``tf.function`` ``inputs -> {output name: float32 output}`` over ``generator``."""
        output = self.output

        @tf.function(input_signature=self.specs())
        def serve(*inputs):
            x = inputs[0] if len(inputs) == 1 else list(inputs)
            return {output: tf.cast(generator(x, training=False), tf.float32)}

        return serve

    def sample_inputs(self, batch, seed=0):
        """Random valid inputs at ``batch``: ``{name: array}``."""
        rng = np.random.default_rng(seed)
        out = {}
        for spec in self.specs():
            if spec.name == "label":
                out["label"] = rng.integers(0, self.extra["num_classes"], batch).astype("int32")
            elif spec.name == "categorical":
                out["categorical"] = rng.integers(0, self.extra["num_categories"], batch).astype("int32")
            elif spec.name == "continuous":
                out["continuous"] = rng.uniform(-1, 1, (batch, spec.shape[-1])).astype("float32")
            elif spec.name == "image":
                out["image"] = rng.uniform(-1, 1, (batch,) + self.verify_shape).astype("float32")
            else:
                out["z"] = rng.standard_normal((batch,) + tuple(spec.shape[1:])).astype("float32")
        return out

    def metadata(self):
        from keras_gan_zoo import __version__

        inputs = []
        for spec in self.specs():
            entry = {"name": spec.name, "shape": [None if s is None else int(s) for s in spec.shape],
                     "dtype": spec.dtype.name, "meaning": _MEANINGS[spec.name]}
            inputs.append(entry)
        out_shape = list(self.generator.outputs[0].shape)
        if self.output == "translated":
            out_shape = [None, None, None, out_shape[-1]]
        value_range = _value_range(self.generator)
        record = {
            "producer": "keras_gan_zoo",
            "package_version": __version__,
            "variant": self.variant,
            "generator": self.generator.name,
            "inputs": inputs,
            "outputs": [{"name": self.output, "shape": out_shape, "dtype": "float32",
                         "range": value_range,
                         "meaning": "generated examples" if self.output != "translated"
                         else "translated images, channels last"}],
            "source_dtype_policy": self.generator.dtype_policy.name,
            "keras_version": keras.__version__,
            "tensorflow_version": tf.__version__,
        }
        record.update(self.extra)
        return record


def _one_hot_size(net):
    """Class count of a generator from its one-hot or embedding layer, if it has one."""
    declared = _classes_in(net)
    if len(declared) != 1:
        raise ExportError(
            f"cannot tell how many classes {net.name!r} takes (its one-hot or embedding layers "
            f"declare {sorted(declared) or 'none'}); export the trained variant instead of its "
            "generator"
        )
    return declared.pop()


def _value_range(net):
    """``[-1, 1]`` if the generator ends in tanh, else ``None`` (unbounded)."""
    layer = net.outputs[0]._keras_history.operation
    while isinstance(layer, keras.Model):
        layer = layer.outputs[0]._keras_history.operation
    activation = getattr(layer, "activation", None)
    return [-1.0, 1.0] if getattr(activation, "__name__", "") == "tanh" else None


def metadata(model, direction=None):
    """The metadata record an export of ``model`` carries (a JSON-able dict)."""
    return _Plan(model, _direction(model, direction)).metadata()


def _direction(model, direction):
    if direction is None and isinstance(model, CycleGAN):
        return "a_to_b"
    return direction


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
    plan = _Plan(model, _direction(model, direction))
    path = os.fspath(path)
    if os.path.lexists(path) and not overwrite:
        raise ExportError(f"{path} already exists; pass overwrite=True to replace it")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ExportError(f"the folder {parent} does not exist; create it first")
    return plan, path, parent


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

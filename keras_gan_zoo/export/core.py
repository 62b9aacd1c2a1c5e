"""What every export format shares: the plan (which generator, which ports), the
format registry, verification against Keras and the move into place.

A format is one module of this package that builds a ``Format`` and calls
``register``; ``keras_gan_zoo.export`` imports the modules, so the CLI, the
loader and the docs learn the formats from ``REGISTRY`` and never name one.
"""

import dataclasses
import os
import shutil
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from keras_gan_zoo.models import AdversarialModel
from keras_gan_zoo.models.contract import infer_signature

#: Largest absolute difference from Keras that verification accepts.
TOLERANCE = 1e-4
#: Name of the metadata record in every format (ONNX key, SavedModel asset, LiteRT entry,
#: OpenVINO ``rt_info``).
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


# ---------------------------------------------------------------- registry
@dataclasses.dataclass(frozen=True)
class Format:
    """One export format, as its module registers it.

    Attributes:
        name: what ``export(..., format=)`` and ``--format`` take.
        title: how the docs name it (``"ONNX (float32, float16, int8)"``).
        ending: the file ending its path needs, or ``None`` for a folder.
        path_rule: the sentence an error gives when a path has another ending.
        write: ``write(model, path, **options) -> ExportResult``.
        read_metadata: ``read_metadata(path) -> JSON text or None``.
        runtime: ``runtime(path) -> run(feed: {name: array}, output name) -> array``,
            in the format's own runtime.
        options: keyword arguments only this format takes (``quantize`` ...).
        companions: ``companions(path) -> [paths]`` of the other files an
            export writes beside ``path`` (OpenVINO's ``.bin``).
        companion_role: what those files hold, for errors (``"weights"``).
    """

    name: str
    title: str
    ending: str | None
    path_rule: str
    write: Callable
    read_metadata: Callable
    runtime: Callable
    options: tuple = ()
    companions: Callable = lambda path: []
    companion_role: str = "other files"


#: The registered formats by name, in registration order.
REGISTRY: dict[str, Format] = {}


def register(fmt):
    """Add ``fmt`` (a ``Format``) to ``REGISTRY``; returns it."""
    if fmt.name in REGISTRY:
        raise ValueError(f"an export format named {fmt.name!r} is already registered")
    REGISTRY[fmt.name] = fmt
    return fmt


def format_for(name):
    """The registered ``Format`` called ``name``, or an ``ExportError`` listing them."""
    if name not in REGISTRY:
        raise ExportError(f"unknown export format {name!r}; expected one of "
                          f"{', '.join(REGISTRY)}")
    return REGISTRY[name]


def conversion_error(converter, generator, error):
    """An ``ExportError`` for a converter's failure, in a few lines: converters print whole
    graphs in their messages (several KB); the full text stays in ``__cause__``."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    key = next((line for line in lines if line.startswith(("TF Select ops:", "Unsupported"))),
               lines[0] if lines else type(error).__name__)
    return ExportError(f"{converter} could not convert {generator.name!r}: {key[:400]} "
                       "(the converter's full message is in the exception's __cause__)")


# -------------------------------------------------------------------- plan
class Plan:
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

        return {"producer": "keras_gan_zoo", "package_version": __version__,
                **self.signature.metadata(),
                "source_dtype_policy": self.generator.dtype_policy.name,
                "keras_version": keras.__version__, "tensorflow_version": tf.__version__}

    def keras_output(self, generator, inputs):
        """``generator``'s float32 output for ``{name: array}`` inputs."""
        args = [inputs[s.name] for s in self.specs()]
        out = generator(args[0] if len(args) == 1 else args, training=False)
        return keras.ops.convert_to_numpy(out).astype("float32")


def metadata(model, direction=None):
    """The metadata record an export of ``model`` carries (a JSON-able dict)."""
    return Plan(model, direction).metadata()


def float32_copy(generator, static_upsampling=False):
    """``generator`` itself if it computes in float32, else a float32 copy with its weights.

    With ``static_upsampling`` (for the LiteRT converter), Keras's nearest
    ``UpSampling2D`` layers become ``NearestUpSampling2D``: the same pixels, in one op that
    keeps the static shape the converter needs to lower the convolution after it.
    """
    layers = generator._flatten_layers(include_self=False)
    if all(layer.dtype_policy.name == "float32" and not (
            static_upsampling and type(layer) is keras.layers.UpSampling2D) for layer in layers):
        return generator

    def to_float32(node):
        if isinstance(node, dict):
            if node.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and "config" in node:
                return {**node, "config": {**node["config"], "name": "float32"}}
            if static_upsampling and node.get("class_name") == "UpSampling2D" \
                    and node.get("module") == "keras.layers":
                return {**node, "module": None, "class_name": "NearestUpSampling2D",
                        "registered_name": "keras_gan_zoo>NearestUpSampling2D",
                        "config": to_float32(node["config"])}
            return {k: to_float32(v) for k, v in node.items()}
        if isinstance(node, list):
            return [to_float32(v) for v in node]
        return node

    import keras_gan_zoo.networks.layers  # noqa: F401  registers NearestUpSampling2D

    config = to_float32(keras.saving.serialize_keras_object(generator))
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(generator.get_weights())
    return copy


# ------------------------------------------------------------ the writing
#: Endings of files that are not exports of a format here, for the path check.
_OTHER_ENDINGS = {".keras": "keras", ".h5": "keras weights", ".pb": "a frozen graph"}


def prepare(model, path, fmt, overwrite, direction):
    """Check the arguments of an export as ``fmt``; returns ``(plan, path, parent folder)``."""
    fmt = format_for(fmt)
    plan = Plan(model, direction)
    path = os.fspath(path)
    _check_path_format(path, fmt)
    for target in (path, *fmt.companions(path)):
        if os.path.lexists(target) and not overwrite:
            what = "" if target == path else f" (the {fmt.companion_role} of {path} would go there)"
            raise ExportError(f"{target} already exists{what}; pass overwrite=True to replace it")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise ExportError(f"the folder {parent} does not exist; create it first")
    return plan, path, parent


def _check_path_format(path, fmt):
    """Refuse a path whose ending names another format (``to_saved_model(m, "g.tflite")``)."""
    ending = os.path.splitext(path.rstrip("/\\"))[1].lower()
    if fmt.ending is not None and ending != fmt.ending:
        raise ExportError(f"{fmt.path_rule}; got the path {path!r}: name it e.g. "
                          f"generator{fmt.ending}")
    named = {f.ending: f.name for f in REGISTRY.values() if f.ending} | _OTHER_ENDINGS
    if fmt.ending is None and ending in named:
        raise ExportError(f"{fmt.path_rule}, but {path!r} ends in {ending} (a {named[ending]} "
                          f"file): name a folder, e.g. generator_{fmt.name.replace('_', '')}, "
                          f"or use format=\"onnx\" for .onnx")


def finish(plan, record, tmp, path, fmt, run, verify, tolerance, generator, quantize=None,
           verify_inputs=None):
    """Verify the export staged at ``tmp`` with ``run(inputs) -> array`` and move it to ``path``.

    A quantized file is held to ``tolerance`` on the mean difference, on
    ``verify_inputs(batch)`` if given (a translator's calibration images)
    instead of random ones. The staged file's companions (``Format.companions``)
    move with it.
    """
    diffs, means, gap = {}, {}, None
    if verify:
        for batch in VERIFY_BATCHES:
            inputs = (verify_inputs or (lambda b: plan.sample_inputs(b, seed=b)))(batch)
            expected = plan.keras_output(generator, inputs)
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
        gap = float(np.max(np.abs(plan.keras_output(plan.generator, inputs)
                                  - plan.keras_output(generator, inputs))))
    companions = REGISTRY[fmt].companions
    for staged, target in [(tmp, path), *zip(companions(tmp), companions(path))]:
        with_umask_permissions(staged)
        if os.path.lexists(target):
            remove(target)
        os.replace(staged, target)
    return ExportResult(path=path, format=fmt, metadata=record, max_abs_diff=diffs,
                        policy_gap=gap, mean_abs_diff=means, quantize=quantize)


def with_umask_permissions(path):
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


def remove(path):
    """Delete a file or a folder."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)

"""The variant contract: what a generator takes and gives, declared once by its variant.

Every variant declares its generator's inputs as ``Port`` objects (name,
per-example shape, dtype, meaning, value range, and how a value is drawn when
the user gives none) and its output as one more port; ``Signature``
bundles them with the generator itself. Everything outside ``models/``
(export, the command line, the callbacks, the zoo) reads a variant's
``signature`` instead of
asking what type it is:

* a **sampler** (``signature.kind == "sampler"``: GAN, WGAN-GP, conditional
  GAN, InfoGAN, ...) turns noise and codes into samples with
  ``model.generate(n, seed=, **codes)``;
* a **translator** (``"translator"``: CycleGAN, ...) turns images into images
  with ``model.translate(images, direction=)``;
* an **encoder** (``"encoder"``: BiGAN's, VAE-GAN's) turns images into latent
  codes with ``model.encode(images)``. A variant with an encoder lists it
  among its ``directions``
  beside its generator, so export reaches it the same way
  (``direction="encoder"``).

Example:
    >>> sig = kgz.ConditionalGAN.for_shape((28, 28, 1), num_classes=10).signature()
    >>> [(p.name, p.shape, p.dtype) for p in sig.inputs]  # z (64,) float32, label () int32
    >>> sig.output.name, sig.output.range                 # "image", (-1.0, 1.0)
"""

import dataclasses
import difflib
import re

import numpy as np
import keras
import tensorflow as tf

__all__ = ["Port", "Recipe", "Signature", "Takes", "declared_classes", "infer_signature", "value_range"]

KINDS = ("normal", "uniform", "categorical", "image", "noise_map", "truncation", "text",
         "output")
#: A text port's words: lower-case runs of letters and digits ("Red heart!" -> red, heart).
WORD = re.compile(r"[a-z0-9]+")
#: A text port's first two vocabulary entries: padding, then any word not in the vocabulary.
PAD, UNKNOWN = "", "[UNK]"
#: How a port answers ``generate(..., truncation=psi)``: ``"redraw"`` draws again every
#: entry beyond ``psi`` (BigGAN's trick on z), ``"value"`` carries ``psi`` itself into the
#: generator (StyleGAN moves w toward its mean there); ``None``: the port ignores it.
TRUNCATIONS = ("redraw", "value", None)
# How errors speak of a port's values: (one, many).
_NOUNS = {"label": ("label", "labels"), "categorical": ("categorical code", "categorical codes"),
          "continuous": ("continuous code", "continuous codes")}


def _default_truncation(kind):
    """What ``truncation=psi`` does to a port of ``kind`` unless it declares otherwise."""
    return {"normal": "redraw", "truncation": "value"}.get(kind)


#: What a variant's ``fit`` can take, by kind, as the docs' variant table says it.
TAKES = {
    "examples": "examples",
    "labelled": "examples and their labels",
    "paired": "paired `(a, b)` images: two arrays or a dataset",
    "unpaired": "a dataset of unpaired `(a, b)` image batches",
    "one_image": "one image, learnt at several scales",
    "text": "images and a text for each",
}


@dataclasses.dataclass(frozen=True)
class Takes:
    """What a variant's ``fit`` takes: the one declaration the input checks, the
    command line's ``train``, the docs' variant table and the tests read.

    A variant sets it as a class attribute (``takes = Takes("labelled")``).

    Attributes:
        kind: a key of ``TAKES``: ``"examples"``, ``"labelled"``
            (examples and class labels), ``"paired"`` or ``"unpaired"``
            (``(a, b)`` images of two domains), ``"one_image"``, ``"text"``.
    """

    kind: str

    def __post_init__(self):
        if self.kind not in TAKES:
            raise ValueError(f"unknown kind of training data {self.kind!r}; expected one of "
                             f"{', '.join(map(repr, TAKES))}")

    @property
    def labelled(self):
        """Whether ``fit`` takes class labels beside the examples (``fit(x, y)``)."""
        return self.kind == "labelled"

    @property
    def pairs(self):
        """Whether ``fit`` takes images of two domains (``"paired"`` or ``"unpaired"``)."""
        return self.kind in ("paired", "unpaired")

    def describe(self):
        """What ``fit`` takes, for people."""
        return TAKES[self.kind]


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Named settings of a variant: what ``train VARIANT --recipe NAME`` uses.

    A variant lists its recipes in a ``RECIPES`` class attribute
    (``recipes``); the
    command line asks for them by name and never knows the variant.

    Attributes:
        summary: one line for people (``train``'s header and ``--help``).
        options: arguments of the variant's ``for_data`` / ``for_shape``
            (``network_kwargs``, ``loss``, ``augment``, ``ema``, ...); flags
            given on the command line win over them.
        generator_optimizer, discriminator_optimizer: Keras optimizer configs
            (``{"class_name": "Adam", "config": {...}}``), or ``None`` for the
            variant's default.
    """

    summary: str
    options: dict = dataclasses.field(default_factory=dict)
    generator_optimizer: dict = None
    discriminator_optimizer: dict = None

    def optimizers(self):
        """``{"generator_optimizer": ..., "discriminator_optimizer": ...}`` for ``compile``:
        fresh optimizers each call (an optimizer belongs to one model)."""
        return {key: keras.optimizers.get(config) for key, config in
                (("generator_optimizer", self.generator_optimizer),
                 ("discriminator_optimizer", self.discriminator_optimizer)) if config}


@dataclasses.dataclass(frozen=True)
class Port:
    """One input (or the output) of a generator, as its variant declares it.

    Attributes:
        name: the role and the exported input's name: ``"z"``, ``"label"``,
            ``"categorical"``, ``"continuous"``, ``"image"``; for outputs
            ``"image"``, ``"sample"`` or ``"translated"``.
        kind: how values are drawn and checked: ``"normal"`` (standard
            normal noise), ``"uniform"`` (uniform in ``range``),
            ``"categorical"`` (integers ``0 .. classes - 1``), ``"image"``
            (images in ``range``, height and width free), ``"noise_map"``
            (standard normal noise of shape ``(h, w, c)``, height and width
            free: SinGAN's per-scale noise, StyleGAN's noise inputs),
            ``"truncation"`` (the truncation ``psi`` itself, one float per
            sample, 1 when none is asked for), ``"text"`` (a text, given
            as a string and fed as ``shape[0]`` word ids of ``vocabulary``,
            0-padded), ``"output"``.
        shape: shape of one value (no batch axis); ``()`` for an integer code.
        dtype: ``"float32"`` or ``"int32"``.
        meaning: one line for people (metadata, model cards, errors).
        range: ``(low, high)`` of the values, or ``None`` (unbounded).
        classes: how many categories a ``"categorical"`` port takes.
        keyword: the argument of ``generate`` that sets it (``"labels"`` for
            the port ``"label"``); defaults to ``name``.
        fixed_size: for an ``"image"`` or ``"noise_map"`` port, whether height
            and width are fixed to ``shape`` (an encoder with dense layers) or
            free (a fully convolutional network).
        truncation: how the port answers ``truncation=psi`` (``TRUNCATIONS``):
            the variant's truncation hook, declared with its ports so that an
            export truncates as the Keras model does.
        vocabulary: a ``"text"`` port's words by id (``PAD`` and ``UNKNOWN``
            first); an export carries it, so that any runtime can turn a text
            into ids (``tokens``).
        examples: texts a ``"text"`` port cycles through when none is given
            (as a categorical port cycles its classes).
    """

    name: str
    kind: str
    shape: tuple
    dtype: str = "float32"
    meaning: str = ""
    range: tuple | None = None
    classes: int | None = None
    keyword: str | None = None
    fixed_size: bool = False
    truncation: str | None = "default"
    vocabulary: tuple | None = None
    examples: tuple | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown port kind {self.kind!r}; expected one of {KINDS}")
        if self.truncation == "default":
            object.__setattr__(self, "truncation", _default_truncation(self.kind))
        if self.truncation not in TRUNCATIONS:
            raise ValueError(f"unknown truncation {self.truncation!r} for port {self.name!r}; "
                             f"expected one of {TRUNCATIONS}")
        if self.keyword is None:
            object.__setattr__(self, "keyword", self.name)
        if self.kind == "text" and (not self.vocabulary or tuple(self.vocabulary[:2]) != (
                PAD, UNKNOWN) or not self.examples):
            raise ValueError(f"a text port needs a vocabulary that starts with {PAD!r}, "
                             f"{UNKNOWN!r} and at least one example text")

    # ------------------------------------------------------------ factories
    @classmethod
    def noise(cls, size, truncation="redraw"):
        """The standard normal latent input ``z`` of ``size`` entries; by default
        ``truncation=psi`` redraws its entries beyond ``psi`` (``None``: it does not)."""
        return cls("z", "normal", (int(size),), meaning="latent noise, standard normal N(0, 1)",
                   truncation=truncation)

    @classmethod
    def noise_map(cls, name, shape, meaning, fixed_size=False):
        """Standard normal noise of shape ``(h, w, c)``, height and width free unless
        ``fixed_size`` (a generator that samples at other sizes takes maps of that size)."""
        return cls(name, "noise_map", tuple(int(s) for s in shape), meaning=meaning,
                   fixed_size=fixed_size)

    @classmethod
    def truncation_psi(cls, meaning="truncation psi: 1 leaves the sample as drawn, toward 0 "
                                    "it moves to the average sample"):
        """The truncation ``psi`` as an input (one float per sample): for a generator that
        truncates inside its graph, e.g. StyleGAN's ``w = mean + psi * (w - mean)``."""
        return cls("psi", "truncation", (), meaning=meaning)

    @classmethod
    def categorical(cls, name, classes, meaning, keyword=None):
        """An integer code in ``0 .. classes - 1`` (a class label, InfoGAN's category)."""
        return cls(name, "categorical", (), "int32", meaning, (0, int(classes) - 1),
                   int(classes), keyword)

    @classmethod
    def uniform(cls, name, size, meaning, low=-1.0, high=1.0):
        """A float code drawn uniformly in ``[low, high]`` (InfoGAN's continuous codes)."""
        return cls(name, "uniform", (int(size),), meaning=meaning, range=(low, high))

    @classmethod
    def image(cls, shape, meaning="source images in [-1, 1], channels last", fixed_size=False):
        """An image input of the trained ``shape`` ``(h, w, c)``; exports free h and w
        unless ``fixed_size``."""
        return cls("image", "image", tuple(int(s) for s in shape), meaning=meaning,
                   range=(-1.0, 1.0), fixed_size=fixed_size)

    @classmethod
    def text(cls, length, vocabulary, examples, meaning="a text for each sample, as word ids "
                                                         "(0-padded)"):
        """A text input: ``length`` word ids of ``vocabulary`` a sample (``tokens``);
        ``generate(text="red heart")`` takes strings."""
        return cls("text", "text", (int(length),), "int32", meaning,
                   (0, len(vocabulary) - 1), vocabulary=tuple(vocabulary),
                   examples=tuple(examples))

    # ---------------------------------------------------------------- use
    def tokens(self, texts):
        """Word ids ``(len(texts), length)`` int32 of a text port: lower-case words (``WORD``),
        unknown words as 1, cut to ``length`` and 0-padded."""
        index = {word: i for i, word in enumerate(self.vocabulary)}
        length = self.shape[0]
        ids = np.zeros((len(texts), length), "int32")
        for row, text in enumerate(texts):
            words = [index.get(w, 1) for w in WORD.findall(str(text).lower())][:length]
            ids[row, :len(words)] = words
        return ids

    def unknown_words(self, texts):
        """The words of ``texts`` that a text port's vocabulary does not hold (sorted)."""
        known = set(self.vocabulary)
        return sorted({w for t in texts for w in WORD.findall(str(t).lower())} - known)

    def spec(self):
        """The ``tf.TensorSpec`` of a batch of values: dynamic batch (and image size)."""
        if self.kind in ("image", "noise_map") and not self.fixed_size:
            shape = (None, None, None, self.shape[-1])
        else:
            shape = (None,) + tuple(self.shape)
        return tf.TensorSpec(shape, tf.as_dtype(self.dtype), name=self.name)

    def draw(self, n, rng, truncation=None):
        """``n`` values as the variant draws them when the user gives none.

        Categorical codes are not random: they cycle ``0, 1, ..., classes - 1,
        0, ...`` so that a grid of ``n`` samples shows every class. With
        ``truncation=psi`` a ``"redraw"`` port draws again every entry whose
        magnitude exceeds ``psi`` (the BigGAN truncation trick: fewer, more
        typical samples) and a ``"truncation"`` port is ``psi`` for every sample.
        """
        if self.kind == "truncation":
            return np.full((n,), 1.0 if truncation is None else truncation, "float32")
        if self.kind == "noise_map":
            return rng.standard_normal((n,) + self.shape).astype("float32")
        if self.kind == "normal":
            values = rng.standard_normal((n,) + self.shape)
            if truncation is not None and self.truncation == "redraw":
                outside = np.abs(values) > truncation
                while outside.any():
                    values[outside] = rng.standard_normal(int(outside.sum()))
                    outside = np.abs(values) > truncation
            return values.astype("float32")
        if self.kind == "uniform":
            return rng.uniform(self.range[0], self.range[1], (n,) + self.shape).astype("float32")
        if self.kind == "categorical":
            return (np.arange(n) % self.classes).astype("int32")
        if self.kind == "text":
            return self.tokens([self.examples[i % len(self.examples)] for i in range(n)])
        if self.kind == "image":
            return rng.uniform(-1, 1, (n,) + self.shape).astype("float32")
        raise ValueError(f"the output port {self.name!r} is not drawn")

    @property
    def nouns(self):
        """How errors name one value and several: ``("label", "labels")``."""
        return _NOUNS.get(self.name, (self.name, self.name))

    def check(self, values, n, context=None):
        """``values`` given by the user for ``n`` samples, checked and broadcast to ``n`` rows.

        One value is repeated for all; a categorical port also takes one-hot
        rows ``(n, classes)``. Raises a ``ValueError`` that names the port,
        what was given and what was expected.
        """
        if self.kind == "text":
            return self._check_text(values, n)
        values = np.asarray(values)
        if self.kind == "categorical":
            return self._check_categorical(values, n)
        if self.kind in ("image", "noise_map"):
            expected = self.shape if self.fixed_size else (None, None, self.shape[-1])
            if values.ndim != 4 or not all(e is None or e == g
                                           for e, g in zip(expected, values.shape[1:])):
                what = ", ".join("h" if i == 0 and e is None else "w" if e is None else str(e)
                                 for i, e in enumerate(expected))
                raise ValueError(
                    f"expected a batch of {'images' if self.kind == 'image' else 'noise maps'} "
                    f"(n, {what}) for {context or self.keyword}, got {values.shape}")
            return values.astype("float32")
        many = self.nouns[1]
        if not np.issubdtype(values.dtype, np.number):
            raise ValueError(f"expected numbers for {many}, got dtype {values.dtype}")
        if values.shape not in (self.shape, (n,) + self.shape):
            raise ValueError(
                f"expected {many} of shape {self.shape} or ({n}, "
                f"{', '.join(map(str, self.shape))}), got {values.shape}")
        return np.broadcast_to(values.astype("float32"), (n,) + self.shape)

    def _check_text(self, values, n):
        if isinstance(values, str):
            values = [values]
        array = np.asarray(values)
        if array.dtype.kind in "iu" and array.ndim == 2 and array.shape[1] == self.shape[0]:
            texts = None  # word ids already
        elif array.ndim == 1 and array.dtype.kind in "UO" and all(
                isinstance(v, str) for v in array):
            texts, array = list(array), self.tokens(list(array))
        else:
            raise ValueError(f"expected a text or a list of texts (strings) for {self.keyword}, "
                             f"or word ids of shape (n, {self.shape[0]}); got "
                             f"{type(values).__name__} of shape {array.shape}")
        if len(array) not in (1, n):
            raise ValueError(f"got {n} samples but {len(array)} texts; give one text or {n}")
        known = (array > 1).any(axis=1)  # 0 pads, 1 is an unknown word
        if texts is not None and not known.all():
            empty = str(texts[int(np.argmin(known))])
            raise ValueError(f"the text {empty!r} has no word this model knows; its vocabulary "
                             f"holds {len(self.vocabulary) - 2:,} words, such as "
                             f"{', '.join(self.vocabulary[2:7])}")
        if array.min() < 0 or array.max() >= len(self.vocabulary):
            raise ValueError(f"word ids must lie in 0..{len(self.vocabulary) - 1}")
        return np.broadcast_to(array.astype("int32"), (n, self.shape[0]))

    def _check_categorical(self, values, n):
        k = self.classes
        one, many = self.nouns
        if values.ndim == 2 and values.shape[1] == k and k > 1:
            values = values.argmax(axis=1)
        elif values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim > 1:
            raise ValueError(
                f"expected {many} of shape (n,) or one-hot (n, {k}), got {values.shape}")
        if values.dtype.kind == "f" and not np.all(values == np.round(values)):
            raise ValueError(f"expected integer {many} in 0..{k - 1}, got fractional values")
        if values.dtype.kind not in "iuf":
            raise ValueError(f"expected integer {many} in 0..{k - 1}, got dtype {values.dtype}")
        if values.ndim == 1 and len(values) != n:
            raise ValueError(f"got {n} examples but {len(values)} {many}")
        if values.size and (values.min() < 0 or values.max() >= k):
            bad = values[(values < 0) | (values >= k)].flat[0]
            raise ValueError(f"{one} {bad} is out of range; expected {many} in 0..{k - 1}")
        return np.broadcast_to(values.astype("int32"), (n,))

    def describe(self):
        """The port as a JSON-able dict (export metadata, model cards); ``from_record``
        reads it back."""
        shape = [None] + [None if s is None else int(s) for s in self.spec().shape[1:]]
        record = {"name": self.name, "kind": self.kind, "shape": shape, "dtype": self.dtype,
                  "meaning": self.meaning}
        record["range"] = None if self.range is None else [float(v) for v in self.range]
        if self.classes is not None:
            record["classes"] = self.classes
        if self.keyword != self.name:
            record["keyword"] = self.keyword
        if self.truncation != _default_truncation(self.kind):
            record["truncation"] = self.truncation
        if self.kind == "noise_map":  # the size it was trained at, to draw maps of
            record["trained_shape"] = list(self.shape)
        if self.kind == "text":  # what a runtime needs to turn texts into ids
            record["vocabulary"] = list(self.vocabulary)
            record["examples"] = list(self.examples)
        return record

    @classmethod
    def from_record(cls, record):
        """The port a ``describe`` record (an export's metadata) declares.

        An image port's free height and width come back as ``None``. Records
        written before ports carried their ``kind`` (keras-gan-zoo 0.4 and
        older) get it from what they do carry: classes make a categorical
        code, ``z`` is normal noise, an image-shaped input an image, a
        bounded code uniform.
        """
        kind = record.get("kind")
        shape = tuple(record["shape"][1:])
        if kind is None:
            kind = ("categorical" if record.get("classes") else "normal" if record["name"] == "z"
                    else "image" if len(shape) == 3 else "uniform")
        keyword = record.get("keyword") or ("labels" if record["name"] == "label" and
                                            "kind" not in record else None)
        value_range = None if record.get("range") is None else tuple(record["range"])
        fixed_size = kind in ("image", "noise_map") and None not in shape
        if record.get("trained_shape"):
            shape = tuple(record["trained_shape"])
        truncation = record.get("truncation", "default")  # the kind's, when not written
        return cls(record["name"], kind, shape, record.get("dtype", "float32"),
                   record.get("meaning", ""), value_range, record.get("classes"), keyword,
                   fixed_size=fixed_size, truncation=truncation,
                   vocabulary=tuple(record["vocabulary"]) if "vocabulary" in record else None,
                   examples=tuple(record["examples"]) if "examples" in record else None)


@dataclasses.dataclass(frozen=True)
class Signature:
    """A generator with its declared inputs and output.

    Attributes:
        kind: ``"sampler"`` (noise and codes -> sample) or ``"translator"``
            (image -> image).
        generator: the functional ``keras.Model`` this describes.
        inputs: its input ports, in the order the generator takes them.
        output: its output port.
        info: what else a user of the generator needs to know, kept in export
            metadata (``num_classes``, ``direction``, ``trained_image_shape``...).
        variant: the registered name of the variant (``"gan"``), or
            ``"generator"`` / ``"translator"`` for a bare network.
    """

    kind: str
    generator: keras.Model
    inputs: tuple
    output: Port
    info: dict = dataclasses.field(default_factory=dict)
    variant: str = "generator"

    @classmethod
    def from_record(cls, record, generator=None):
        """The signature an export's metadata record declares (``metadata``).

        ``generator`` is what runs it (an exported file's runtime, or
        ``None``): ``make_inputs`` draws and checks inputs without it.
        """
        info = {k: v for k, v in record.items()
                if k not in ("variant", "kind", "generator", "inputs", "outputs", "producer",
                             "package_version", "source_dtype_policy", "keras_version",
                             "tensorflow_version")}
        return cls(record.get("kind", "sampler"), generator,
                   tuple(Port.from_record(r) for r in record["inputs"]),
                   Port.from_record({**record["outputs"][0], "kind": "output"}), info,
                   record.get("variant", "generator"))

    def port(self, keyword):
        """The input port that ``generate``'s argument ``keyword`` sets."""
        for port in self.inputs:
            if port.keyword == keyword:
                return port
        raise KeyError(keyword)

    @property
    def codes(self):
        """The inputs other than the noise ``z``: labels and codes a user may set."""
        return tuple(p for p in self.inputs if p.name != "z")

    def specs(self):
        """The ``tf.TensorSpec`` of each input (named by role)."""
        return [p.spec() for p in self.inputs]

    def make_inputs(self, n=None, rng=None, truncation=None, **given):
        """The generator's inputs for ``n`` samples: given values checked, the rest drawn.

        Draws happen in port order from one ``numpy.random.Generator``, so the
        same seed gives the same inputs. ``n`` may be left out when a value
        with a batch axis is given (e.g. ``z=``).
        """
        known = {p.keyword for p in self.inputs}
        unknown = sorted(set(given) - known)
        if unknown:
            raise TypeError(unknown_argument(unknown[0], known, f"a {self.variant} generator's"))
        if n is None:
            n = next((len(np.asarray(given[p.keyword])) for p in self.inputs
                      if p.keyword in given and np.ndim(given[p.keyword]) > len(p.shape)), None)
            if n is None:
                raise ValueError("expected the number of samples n (or an input with a batch axis, "
                                 "e.g. z of shape (n, latent_dim))")
        if truncation is not None:
            hooks = {p.truncation for p in self.inputs} - {None}
            if not hooks:
                raise ValueError(f"a {self.variant} generator takes no truncation: none of its "
                                 "inputs is truncated (truncation=None)")
            least = 0 if hooks == {"value"} else None
            if not isinstance(truncation, (int, float)) or isinstance(truncation, bool) or (
                    truncation < 0 if least == 0 else truncation <= 0):
                raise ValueError(
                    f"expected truncation {'>= 0 (psi: 0 is the average sample, 1 none)' if least == 0 else '> 0 (the largest |z| entry kept)'}, got {truncation!r}")
        rng = np.random.default_rng() if rng is None else rng
        return [p.check(given[p.keyword], n) if p.keyword in given and given[p.keyword] is not None
                else p.draw(n, rng, truncation) for p in self.inputs]

    def metadata(self):
        """The JSON-able record an export carries."""
        return {"variant": self.variant, "kind": self.kind, "generator": self.generator.name,
                "inputs": [p.describe() for p in self.inputs],
                "outputs": [self.output.describe()], **self.info}


def unknown_argument(name, known, what):
    """The message for an argument ``name`` that is not among ``known``."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.7)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (f"{name!r} is not one of {what} arguments ({', '.join(sorted(known)) or 'none'})"
            f"{hint}")


def declared_classes(model):
    """Class counts declared by the one-hot or embedding layers of ``model``."""
    found = set()
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.CategoryEncoding):
            found.add(int(layer.num_tokens))
        elif isinstance(layer, keras.layers.Embedding):
            found.add(int(layer.input_dim))
    return found


def value_range(net):
    """``(-1.0, 1.0)`` if the network's output goes through tanh last, the range its last layer
    declares (``output_range``, e.g. ``keras_gan_zoo.networks.layers.Clip``), else ``None``."""
    layer = net.outputs[0]._keras_history.operation
    while isinstance(layer, keras.Model):
        layer = layer.outputs[0]._keras_history.operation
    declared = getattr(layer, "output_range", None)
    if declared is not None:
        return tuple(float(v) for v in declared)
    activation = getattr(layer, "activation", None)
    return (-1.0, 1.0) if getattr(activation, "__name__", "") == "tanh" else None


def output_port(generator, translated=False):
    """The output port of ``generator``: ``image``/``sample``, or ``translated``."""
    shape = tuple(generator.outputs[0].shape[1:])
    if translated:
        return Port("translated", "output", shape, meaning="translated images, channels last",
                    range=value_range(generator))
    name = "image" if len(shape) == 3 else "sample"
    return Port(name, "output", shape, meaning="generated examples", range=value_range(generator))


def infer_signature(generator):
    """The signature of a bare generator network, read from its inputs.

    A variant declares its signature; a generator alone (``keras.Model``) is
    read by the ranks of its inputs: ``z``; ``z`` and a label; ``z``, a
    categorical and continuous codes; or one image (a translator).
    """
    if not generator.built or not getattr(generator, "inputs", None):
        raise ValueError(
            f"the model {generator.name!r} is not built: it has no known inputs. Use a "
            "functional generator (keras.Input -> ... -> image) or a trained variant; build a "
            "Sequential model with an Input first")
    inputs, outputs = generator.inputs, generator.outputs
    ranks = [len(t.shape) for t in inputs]
    if len(outputs) != 1 or (ranks == [4] and len(outputs[0].shape) != 4) or (
            len(ranks) > 1 and ranks[0] != 2) or len(ranks) > 3 or ranks[0] not in (2, 4):
        raise ValueError(
            f"{generator.name!r} looks like a discriminator, not a generator: inputs "
            f"{[tuple(t.shape) for t in inputs]}, outputs {[tuple(t.shape) for t in outputs]}. "
            "Expected z (batch, latent) [+ label, or + categorical and continuous codes] -> one "
            "example, or image -> image")
    if ranks == [4]:
        shape = tuple(32 if s is None else s for s in inputs[0].shape[1:])
        return Signature("translator", generator, (Port.image(shape),),
                         output_port(generator, translated=True), variant="translator")
    ports = [Port.noise(inputs[0].shape[-1])]
    if len(ranks) > 1:
        declared = declared_classes(generator)
        if len(declared) != 1:
            raise ValueError(
                f"cannot tell how many classes {generator.name!r} takes (its one-hot or embedding "
                f"layers declare {sorted(declared) or 'none'}); use the trained variant instead "
                "of its generator")
        classes = declared.pop()
        if len(ranks) == 2:
            ports.append(Port.categorical("label", classes, "class of each sample",
                                          keyword="labels"))
        else:
            ports.append(Port.categorical("categorical", classes, "InfoGAN categorical code"))
            ports.append(Port.uniform("continuous", inputs[2].shape[-1],
                                      "InfoGAN continuous codes, uniform in [-1, 1] in training"))
    info, variant = {}, "generator"
    if len(ranks) == 2:
        info, variant = {"num_classes": ports[1].classes}, "conditional_generator"
    elif len(ranks) == 3:
        info = {"num_categories": ports[1].classes, "num_continuous": int(ports[2].shape[0])}
        variant = "infogan_generator"
    return Signature("sampler", generator, tuple(ports), output_port(generator), info, variant)

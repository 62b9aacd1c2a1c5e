"""The base of every variant: its networks, optimizers, configs and contract.

``AdversarialModel`` is a ``keras.Model`` that owns named networks and
two optimizers and implements ``train_step``. It holds what every variant
needs and must get right once:

* ``compile(generator_optimizer=, discriminator_optimizer=)``, with the
  optimizers built on their variables inside the strategy scope (an unbuilt
  optimizer fails on its first distributed step);
* the **reduction rule** under ``tf.distribute``: Keras *sums* gradients over
  replicas, so per-example losses are summed and divided by the *global*
  batch size (``reduce_loss``); the ``Mean`` trackers get
  the unscaled per-replica mean, so logs do not depend on the number of
  replicas;
* noise that is **different on every replica**, reproducible, and the same
  for each example on one replica or many: stateless draws keyed by (model
  seed, stream, optimizer step) for the global batch, of which each replica
  keeps its slice (``replica_share``);
* logs that survive ``MultiWorkerMirroredStrategy``;
* **versioned configs**: ``get_config`` holds every constructor argument and
  a ``config_version``; a config of an older version loads with that
  version's defaults and names (``from_config``);
* the variant contract (``keras_gan_zoo.models.contract``): every variant
  declares its generators with ``signature``.

Two bases build on it, one per contract:

* ``GenerativeModel`` - noise (and codes) to samples:
  ``generate(n, seed=, **codes)``, written once from the declared ports;
* ``TranslationModel`` - images to images: ``translate(images,
  direction=)``.
"""

import copy
import inspect
import warnings

import numpy as np
import keras

from keras_gan_zoo.models.checks import InputChecks
from keras_gan_zoo.models.contract import unknown_argument
from keras_gan_zoo.models.distribution import DistributedStep
from keras_gan_zoo.models.registry import variant_name
from keras_gan_zoo.optimizers import FusedAdam

__all__ = ["AdversarialModel", "CONFIG_VERSION"]

#: Version of the configs this code writes. Version 1 is keras-gan-zoo 0.1.0,
#: whose configs had no ``config_version`` key.
CONFIG_VERSION = 2

_KERAS_KWARGS = ("name", "dtype", "trainable")


def _merged(cls, attribute):
    """A dict class attribute merged along the MRO (subclasses override bases)."""
    merged = {}
    for klass in reversed(cls.__mro__):
        merged.update(klass.__dict__.get(attribute, {}))
    return merged


def deprecated_argument(cls, kwargs, old, new, value):
    """``value`` of the argument ``new``, or what ``kwargs`` gives under its old name ``old``
    (popped, with a ``DeprecationWarning`` that names the new one)."""
    if old not in kwargs:
        return value
    warnings.warn(f"{cls.__name__}: {old}= is now {new}= (keras-gan-zoo 0.5); the old name "
                  "will stop working in 1.0", DeprecationWarning, stacklevel=3)
    return kwargs.pop(old)


class AdversarialModel(InputChecks, DistributedStep, keras.Model):
    """Base class of the variants: networks, optimizers, trackers, configs.

    Subclasses set their networks through ``networks=`` (in the order of
    ``network_names``), implement ``train_step`` with ``reduce_loss``,
    ``apply_gradients`` and ``logs``, declare their generators with
    ``signature``, and may declare ``default_optimizers()``.

    Class attributes a variant may declare:

    * ``network_names``: the constructor arguments that hold networks. An
      argument holds one ``keras.Model`` or, for a variable number of
      networks (a pyramid of scales), a list of them; configs, saving, the
      zoo and ``trained_networks`` (``"generators/0"``...) handle both.
    * ``training_only_networks``: those of them that only training uses (the
      discriminators); sampling, translating, encoding and the variant's own
      measures (``predict_codes``...) never call them, so a pretrained entry
      may leave them out (``kgz.zoo.save(..., training_networks=False)``).
    * ``training_only_state``: the model's own saved variables (keys of
      ``save_own_variables``) that only training uses, such as CycleGAN's
      history pools of fake images; left out with the training networks,
      they load back empty.
    * ``RENAMED``: ``{old argument: new argument}``; the old name gets an
      error that names the new one, and older configs are read with it.
    * ``DEPRECATED``: ``{old argument: new argument}`` renamed recently: the
      old name still works with a ``DeprecationWarning`` (the variant's
      ``__init__`` reads it with ``deprecated_argument``), and configs that
      carry it load under the new name.
    * ``OLD_DEFAULTS``: ``{config version: {argument: default}}``, the
      defaults of an older version that differ from today's. A config of that
      version that lacks the argument loads with that default, not today's.
      (Version 1 configs lack any argument added after them: its entry holds
      the value that behaves as the code did before the argument existed.)

    Args:
        networks: ``{name: keras.Model or [keras.Model, ...]}`` in the order of
            ``network_names``.
        seed: seed of the training noise. ``None`` draws one from NumPy's
            global generator (so ``keras.utils.set_random_seed`` fixes it).
        **kwargs: passed to ``keras.Model`` (``name``, ``dtype``).
    """

    network_names = ("generator", "discriminator")
    training_only_networks = ()
    training_only_state = ()
    RENAMED = {}
    DEPRECATED = {}
    OLD_DEFAULTS = {}

    def __init__(self, networks, seed=None, **kwargs):
        self._check_keywords(kwargs)
        super().__init__(**kwargs)
        seen = set()
        for role, value in networks.items():
            several = isinstance(value, (list, tuple))
            if several and not value:
                raise ValueError(f"expected at least one network in {role}, got an empty list")
            for i, net in enumerate(value if several else [value]):
                where = f"{role}[{i}]" if several else role
                if not isinstance(net, keras.Model):
                    raise TypeError(f"expected the {where} to be a keras.Model, got "
                                    f"{type(net).__name__}")
                if id(net) in seen:
                    raise ValueError(f"the networks must be distinct models; {where} is given "
                                     "twice")
                seen.add(id(net))
            setattr(self, role, list(value) if several else value)
        self.check_networks()
        if seed is None:
            seed = int(np.random.randint(0, 2**31 - 1))
        self.seed = int(seed)
        self.generator_optimizer = None
        self.discriminator_optimizer = None
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        # The networks are built functional models, so this wrapper is too.
        # Marking it built stops Keras from a symbolic build under a strategy.
        self.built = True

    @classmethod
    def _init_names(cls):
        """The arguments the constructors along the MRO take (with Keras's own)."""
        known = set(_KERAS_KWARGS)
        for klass in cls.__mro__:
            if "__init__" in klass.__dict__ and klass is not keras.Model:
                known |= set(inspect.signature(klass.__init__).parameters)
            if klass is AdversarialModel:
                break
        return known - {"self", "kwargs", "networks"}

    @classmethod
    def _check_keywords(cls, kwargs, builder=None):
        """Raise a ``TypeError`` naming the right argument for a renamed or unknown one.

        ``builder`` (e.g. ``cls.for_shape``) adds its own arguments to the known ones.
        """
        renamed = _merged(cls, "RENAMED")
        known = cls._init_names()
        if builder is not None:
            known |= set(inspect.signature(builder).parameters) - {"cls", "kwargs"}
        deprecated = _merged(cls, "DEPRECATED")
        for key in kwargs:
            if key in deprecated:
                continue
            if key in renamed:
                raise TypeError(f"{cls.__name__}: {key}= was renamed {renamed[key]}= in 0.2.0 "
                                "(see CHANGELOG.md)")
            if key not in _KERAS_KWARGS and (builder is None or key not in known):
                raise TypeError(unknown_argument(key, known, f"{cls.__name__}'s"))

    def check_networks(self):
        """Raise a ``ValueError`` if the networks do not fit together (variants extend it)."""

    # ------------------------------------------------------------ contract
    @property
    def variant_name(self):
        """The name this variant is registered under (``kgz.VARIANTS``), else its class name."""
        return variant_name(type(self))

    @property
    def directions(self):
        """The generators one can export: ``(None,)`` for one, direction names for several."""
        return (None,)

    def signature(self, direction=None):
        """The ``Signature`` of a generator of this variant."""
        raise NotImplementedError

    def generator_sources(self, images, direction=None):
        """``images`` as the generator of ``direction`` takes them in its image input: what
        ``translate`` (or ``encode``) turns its images into first. The export's input is the
        generator's, so an int8 export calibrates on these. Most variants take images as
        they are; GauGAN turns colour label maps into one-hot maps."""
        return np.asarray(images, "float32")

    def training_source(self, source):
        """The ``Source`` that ``fit_resumable`` and ``train`` read to train on ``source``.

        Most variants read their data as it is, an epoch a pass over it. One that
        trains on one image (SinGAN) repeats it for as many batches as an epoch
        of its own holds (``keras_gan_zoo.data.stream.RepeatSource``).
        """
        return source

    @property
    def default_epochs(self):
        """The epochs ``train`` runs when none are asked for, where the variant's epoch means
        something of its own (``None``: the command line's default)."""
        return None

    @property
    def kind(self):
        """``"sampler"`` (``generate``) or ``"translator"`` (``translate``)."""
        return self.signature(self.directions[0]).kind

    def networks_in(self, role):
        """The networks the argument ``role`` holds, as a list (empty for ``None``)."""
        value = getattr(self, role)
        return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]

    def trained_networks(self):
        """``{name: network}`` of every network training changes (what a test compares);
        a list argument's networks are ``"role/0"``, ``"role/1"``..."""
        networks = {}
        for role in self.network_names:
            value = getattr(self, role)
            if isinstance(value, (list, tuple)):
                networks.update({f"{role}/{i}": net for i, net in enumerate(value)})
            else:
                networks[role] = value
        return networks

    # ------------------------------------------------------- build and config
    @classmethod
    def for_shape(cls, shape, **kwargs):
        """The variant with default networks for examples of ``shape``."""
        raise NotImplementedError

    @classmethod
    def default_batch_size(cls, shape):
        """The batch ``train`` uses for examples of ``shape`` when none is given.

        64 for examples of up to 64x64 pixels, 32 up to 128x128, 16 above: a
        step's time and memory grow with the pixels of its batch (the docs'
        performance page measures each size).
        """
        pixels = int(shape[0]) * int(shape[1]) if len(shape) == 3 else 1
        return 64 if pixels <= 64 * 64 else 32 if pixels <= 128 * 128 else 16

    @classmethod
    def recipes(cls):
        """``{name: Recipe}``: named settings of this variant (``train --recipe NAME``).

        A variant lists its own in a ``RECIPES`` class attribute; a subclass
        does not inherit them (its losses or networks may not take them).
        """
        return dict(cls.__dict__.get("RECIPES", {}))

    @classmethod
    def from_preset(cls, preset, **kwargs):
        """Load a preset of this variant by handle: a zoo name, a folder, a ``.tar.gz`` or
        ``.zip``, an ``https://`` URL or ``hf://owner/repo[@revision]`` (``kgz.zoo.load``).

        ``kwargs`` (``sha256=``, ``cache_dir=``) go to
        ``keras_gan_zoo.zoo.load``.

        Example:
            >>> model = ConditionalGAN.from_preset("cgan_mnist")
        """
        from keras_gan_zoo import zoo
        from keras_gan_zoo.models.sampling import GenerativeModel
        from keras_gan_zoo.models.translation import TranslationModel

        model = zoo.load(preset, **kwargs)
        # exact class: a ConditionalGAN is a GAN subclass but not what GAN.from_preset means
        if cls not in (AdversarialModel, GenerativeModel, TranslationModel) and type(model) is not cls:
            raise zoo.PresetError(
                f"preset {preset!r} holds a {type(model).__name__}, not a {cls.__name__}; "
                f"use {type(model).__name__}.from_preset or keras_gan_zoo.zoo.load"
            )
        return model

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "seed": self.seed,
                  "config_version": CONFIG_VERSION}
        for key in self.network_names:
            value = getattr(self, key)
            config[key] = ([keras.saving.serialize_keras_object(net) for net in value]
                           if isinstance(value, (list, tuple))
                           else keras.saving.serialize_keras_object(value))
        return config

    @classmethod
    def upgrade_config(cls, config):
        """A config of any version as today's constructor takes it (a new dict).

        Arguments renamed since its version get their new names; arguments it
        lacks get the defaults of *its* version (``OLD_DEFAULTS``), so that a
        file loads with the settings it was saved with.
        """
        config = dict(config)
        for old, new in _merged(cls, "DEPRECATED").items():
            if old in config:
                config[new] = config.pop(old)
        version = int(config.pop("config_version", 1))
        if version > CONFIG_VERSION:
            raise ValueError(
                f"this config has config_version {version}, newer than this keras-gan-zoo "
                f"writes ({CONFIG_VERSION}); upgrade keras-gan-zoo to load it")
        if version < CONFIG_VERSION:
            for old, new in _merged(cls, "RENAMED").items():
                if old in config:
                    config[new] = config.pop(old)
            for klass in reversed(cls.__mro__):
                for key, value in klass.__dict__.get("OLD_DEFAULTS", {}).get(version, {}).items():
                    config.setdefault(key, value)
        return config

    @classmethod
    def from_config(cls, config):
        # Deep copy: deserialising a functional model consumes its config dict.
        config = cls.upgrade_config(copy.deepcopy(config))
        for key in cls.network_names:
            value = config[key]
            config[key] = ([keras.saving.deserialize_keras_object(net) for net in value]
                           if isinstance(value, list) else keras.saving.deserialize_keras_object(value))
        return cls(**config)

    # --------------------------------------------------------------- compile
    @classmethod
    def default_optimizers(cls):
        """``(generator_optimizer, discriminator_optimizer)`` used by ``compile()``."""
        return (
            FusedAdam(2e-4, beta_1=0.5),
            FusedAdam(2e-4, beta_1=0.5),
        )

    def compile(self, generator_optimizer=None, discriminator_optimizer=None, **kwargs):
        """Configure training.

        Args:
            generator_optimizer: optimizer of the generator.
            discriminator_optimizer: optimizer of the discriminator.
                Either one left out takes the variant's default
                (``default_optimizers``).
            **kwargs: passed to ``keras.Model.compile`` (``steps_per_execution``,
                ``run_eagerly``, ``jit_compile``). There is no ``loss``: the
                variant defines its own.
        """
        for arg in ("loss", "optimizer", "metrics"):
            if arg in kwargs:
                raise TypeError(
                    f"{type(self).__name__}.compile() takes no {arg}=; it takes "
                    "generator_optimizer= and discriminator_optimizer= (the "
                    "losses are set in the constructor)"
                )
        self._check_strategy("compile")
        default_g, default_d = self.default_optimizers()
        optimizers = {
            "generator_optimizer": generator_optimizer or default_g,
            "discriminator_optimizer": discriminator_optimizer or default_d,
        }
        super().compile(optimizer=None, **kwargs)
        policy = keras.mixed_precision.global_policy().name
        for key, opt in optimizers.items():
            opt = keras.optimizers.get(opt)
            if policy == "mixed_float16" and not isinstance(
                opt, keras.optimizers.LossScaleOptimizer
            ):
                opt = keras.optimizers.LossScaleOptimizer(opt)
            setattr(self, key, opt)
        # Build the optimizer slots now, inside the strategy's scope: left to
        # the first step, the build fails under tf.distribute.
        with self.distribute_strategy.scope():
            self.generator_optimizer.build(self.generator_variables)
            self.discriminator_optimizer.build(self.discriminator_variables)
    @property
    def generator_variables(self):
        """What the generator optimizer trains."""
        return self.generator.trainable_variables

    @property
    def discriminator_variables(self):
        """What the discriminator optimizer trains."""
        return self.discriminator.trainable_variables

    def get_compile_config(self):
        if self.generator_optimizer is None:
            return {}
        config = {
            "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer),
            "discriminator_optimizer": keras.saving.serialize_keras_object(
                self.discriminator_optimizer
            ),
        }
        if int(self.steps_per_execution or 1) != 1:  # a resumed run keeps its pace
            config["steps_per_execution"] = int(self.steps_per_execution)
        return config

    def compile_from_config(self, config):
        self.compile(
            generator_optimizer=keras.saving.deserialize_keras_object(config["generator_optimizer"]),
            discriminator_optimizer=keras.saving.deserialize_keras_object(
                config["discriminator_optimizer"]
            ),
            steps_per_execution=config.get("steps_per_execution", 1),
        )
    # ------------------------------------------------------------ the step
    @property
    def metrics(self):
        # Listed here so that Keras resets them at the start of every epoch.
        return [self.g_loss_tracker, self.d_loss_tracker]

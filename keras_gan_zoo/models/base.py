"""The shared bases of every variant.

:class:`AdversarialModel` is a ``keras.Model`` that owns named networks and
two optimizers and implements ``train_step``. It holds what every variant
needs and must get right once:

* ``compile(generator_optimizer=, discriminator_optimizer=)``, with the
  optimizers built on their variables inside the strategy scope (an unbuilt
  optimizer fails on its first distributed step);
* the **reduction rule** under ``tf.distribute``: Keras *sums* gradients over
  replicas, so per-example losses are summed and divided by the *global*
  batch size (:meth:`~AdversarialModel.reduce_loss`); the ``Mean`` trackers get
  the unscaled per-replica mean, so logs do not depend on the number of
  replicas;
* noise that is **different on every replica**, reproducible, and the same
  for each example on one replica or many: stateless draws keyed by (model
  seed, stream, optimizer step) for the global batch, of which each replica
  keeps its slice (:meth:`~AdversarialModel.replica_share`);
* logs that survive ``MultiWorkerMirroredStrategy``;
* **versioned configs**: ``get_config`` holds every constructor argument and
  a ``config_version``; a config of an older version loads with that
  version's defaults and names (:meth:`~AdversarialModel.from_config`);
* the variant contract (:mod:`keras_gan_zoo.models.contract`): every variant
  declares its generators with :meth:`~AdversarialModel.signature`.

Two bases build on it, one per contract:

* :class:`GenerativeModel` - noise (and codes) to samples:
  ``generate(n, seed=, **codes)``, written once from the declared ports;
* :class:`TranslationModel` - images to images: ``translate(images,
  direction=)``.
"""

import copy
import inspect
import logging

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models.contract import Port, Signature, output_port, unknown_argument
from keras_gan_zoo.networks.layers import replica_share
from keras_gan_zoo.optimizers import FusedAdam

__all__ = ["AdversarialModel", "CONFIG_VERSION", "EncodingModel", "GenerativeModel", "TranslationModel"]

#: Version of the configs this code writes. Version 1 is keras-gan-zoo 0.1.0,
#: whose configs had no ``config_version`` key.
CONFIG_VERSION = 2

# Independent random streams of one training step.
NOISE_STREAM_D = 0  # latent noise for the discriminator's fakes
NOISE_STREAM_G = 1  # latent noise for the generator's update
NOISE_STREAM_AUX = 2  # anything else a variant draws (e.g. the GP's alpha)
NOISE_STREAM_AUGMENT = 3  # the differentiable augmentations' draws

_KERAS_KWARGS = ("name", "dtype", "trainable")
_log = logging.getLogger("keras_gan_zoo")


def _multi_worker(strategy):
    return isinstance(
        strategy, tf.distribute.MultiWorkerMirroredStrategy
    ) and strategy.extended._in_multi_worker_mode()


def data_facts(x, y=None):
    """``(example shape, number of classes or None)`` of arrays or a data source."""
    if hasattr(x, "fingerprint"):  # a keras_gan_zoo.data.stream.Source
        return tuple(x.shape), x.num_classes
    classes = None if y is None or not len(y) else int(np.max(y)) + 1
    return tuple(np.shape(x)[1:]), classes


def _shape_str(shape):
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def _shapes_fit(expected, got):
    """Whether ``got`` fits ``expected``; ``None`` on either side fits anything."""
    if len(expected) != len(got):
        return False
    return all(e is None or g is None or e == g for e, g in zip(expected, got))


def _merged(cls, attribute):
    """A dict class attribute merged along the MRO (subclasses override bases)."""
    merged = {}
    for klass in reversed(cls.__mro__):
        merged.update(klass.__dict__.get(attribute, {}))
    return merged


class AdversarialModel(keras.Model):
    """Base class of the variants: networks, optimizers, trackers, configs.

    Subclasses set their networks through ``networks=`` (in the order of
    :attr:`network_names`), implement ``train_step`` with :meth:`reduce_loss`,
    :meth:`apply_gradients` and :meth:`logs`, declare their generators with
    :meth:`signature`, and may declare ``default_optimizers()``.

    Class attributes a variant may declare:

    * ``network_names``: the constructor arguments that hold networks.
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
    * ``OLD_DEFAULTS``: ``{config version: {argument: default}}``, the
      defaults of an older version that differ from today's. A config of that
      version that lacks the argument loads with that default, not today's.
      (Version 1 configs lack any argument added after them: its entry holds
      the value that behaves as the code did before the argument existed.)

    Args:
        networks: ``{name: keras.Model}`` in the order of ``network_names``.
        seed: seed of the training noise. ``None`` draws one from NumPy's
            global generator (so ``keras.utils.set_random_seed`` fixes it).
        **kwargs: passed to ``keras.Model`` (``name``, ``dtype``).
    """

    network_names = ("generator", "discriminator")
    training_only_networks = ()
    training_only_state = ()
    RENAMED = {}
    OLD_DEFAULTS = {}

    def __init__(self, networks, seed=None, **kwargs):
        self._check_keywords(kwargs)
        super().__init__(**kwargs)
        seen = set()
        for role, net in networks.items():
            if not isinstance(net, keras.Model):
                raise TypeError(f"expected the {role} to be a keras.Model, got {type(net).__name__}")
            if id(net) in seen:
                raise ValueError(f"the networks must be distinct models; {role} is given twice")
            seen.add(id(net))
            setattr(self, role, net)
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
        for key in kwargs:
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
        from keras_gan_zoo.models import VARIANTS

        return next((k for k, v in VARIANTS.items() if v is type(self)), type(self).__name__)

    @property
    def directions(self):
        """The generators one can export: ``(None,)`` for one, direction names for several."""
        return (None,)

    def signature(self, direction=None):
        """The :class:`~keras_gan_zoo.models.contract.Signature` of a generator of this variant."""
        raise NotImplementedError

    @property
    def kind(self):
        """``"sampler"`` (``generate``) or ``"translator"`` (``translate``)."""
        return self.signature(self.directions[0]).kind

    def trained_networks(self):
        """``{name: network}`` of every network training changes (what a test compares)."""
        return {role: getattr(self, role) for role in self.network_names}

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
        """Load a pretrained entry of this variant: a bundled name, a directory or a URL.

        ``kwargs`` (``sha256=``, ``cache_dir=``) go to
        :func:`keras_gan_zoo.zoo.load`.

        Example:
            >>> model = ConditionalGAN.from_preset("cgan_mnist")
        """
        from keras_gan_zoo import zoo

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
            config[key] = keras.saving.serialize_keras_object(getattr(self, key))
        return config

    @classmethod
    def upgrade_config(cls, config):
        """A config of any version as today's constructor takes it (a new dict).

        Arguments renamed since its version get their new names; arguments it
        lacks get the defaults of *its* version (``OLD_DEFAULTS``), so that a
        file loads with the settings it was saved with.
        """
        config = dict(config)
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
            config[key] = keras.saving.deserialize_keras_object(config[key])
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
                (:meth:`default_optimizers`).
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

    def _check_strategy(self, what):
        current = tf.distribute.get_strategy()
        # Keras records the strategy a model is created under (None outside any).
        if tf.distribute.has_strategy() and current is not self._distribute_strategy:
            raise RuntimeError(
                f"{type(self).__name__} was built outside the {type(current).__name__}'s scope "
                f"but {what}() runs inside it: build the model and compile it inside "
                "strategy.scope() (with strategy.scope(): model = ...; model.compile())")

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

    def random_seed(self, stream, counter):
        """A stateless ``(2,)`` seed for (model seed, stream, counter).

        ``counter`` is an optimizer's ``iterations``, so a resumed run draws
        the same noise as an uninterrupted one.
        """
        seed = tf.constant([self.seed, stream], dtype=tf.int64)
        return tf.random.experimental.stateless_fold_in(seed, tf.cast(counter, tf.int64))

    @staticmethod
    def replica_share(draw, batch_size):
        """This replica's rows of a draw for the global batch
        (:func:`keras_gan_zoo.networks.layers.replica_share`)."""
        return replica_share(draw, batch_size)

    def reduce_loss(self, per_example, network=None):
        """Reduce per-example losses for a distributed gradient step.

        Sums and divides by the **global** batch size (the per-replica batch
        times the number of replicas), because Keras sums the replicas'
        gradients. Adds the network's regularisation losses, divided by the
        number of replicas for the same reason.
        """
        loss = tf.nn.compute_average_loss(per_example)
        if network is not None and network.losses:
            loss += tf.nn.scale_regularization_loss(tf.add_n(network.losses))
        return loss

    @staticmethod
    def apply_gradients(optimizer, tape, loss, variables):
        """Apply the gradients of ``loss`` (recorded on ``tape``) to ``variables``.

        Under a ``mixed_float16`` policy the optimizer is a
        ``LossScaleOptimizer``: the loss is scaled on the same tape, and the
        optimizer unscales the gradients before applying them.
        """
        with tape:
            scaled = optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, variables)
        optimizer.apply_gradients(zip(grads, variables))

    def assign_everywhere(self, variables, update, *args):
        """``update(variable, *args_i)`` for each variable, alike on every replica.

        For what changes variables outside an optimizer inside the step (the
        WGAN's clipping, the generator's moving average): the assignment runs
        once per variable in the strategy's cross-replica context, so mirrored
        copies stay equal. ``args`` are lists parallel to ``variables``.
        """
        raw = lambda vs: [v.value if isinstance(v, keras.Variable) else v for v in vs]  # noqa: E731

        def apply(strategy, variables, *args):
            for i, variable in enumerate(variables):
                strategy.extended.update(variable, update, args=tuple(a[i] for a in args),
                                         group=False)

        tf.__internal__.distribute.interim.maybe_merge_call(
            apply, self.distribute_strategy, raw(variables), *[raw(a) for a in args])

    def logs(self):
        """The trackers' results, shaped to survive the strategy's reduction.

        Keras reduces the logs of a ``MultiWorkerMirroredStrategy`` step with
        ``strategy.reduce("MEAN", v, axis=0)``, which fails on the scalars every
        metric returns (tensorflow/tensorflow#72388). A ``(1,)`` tensor per
        replica reduces over that axis to the same scalar mean.
        """
        logs = {m.name: m.result() for m in self.metrics}
        if _multi_worker(tf.distribute.get_strategy()):
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, check_range=True, **kwargs):
        """``keras.Model.fit``, after checking that the data fit the networks.

        ``x`` is an array of examples, a batched ``tf.data.Dataset`` of
        examples (or of ``(examples, labels)``), or anything else ``fit``
        reads. Arrays are checked in full (float dtype, shape, finite values,
        not empty, value range), datasets by their element spec and first
        batch; other inputs are read as Keras reads them.

        Args:
            check_range: raise a ``ValueError`` when the data's values lie
                outside what the generator can make (images in ``[0, 255]``
                or ``[0, 1]`` for a generator that ends in tanh). ``False``
                warns instead.
        """
        if not self.compiled or self.generator_optimizer is None:
            raise RuntimeError(
                f"{type(self).__name__} is not compiled: call "
                "model.compile(generator_optimizer=..., discriminator_optimizer=...) "
                "(or model.compile() for the defaults) before fit()"
            )
        self._check_strategy("fit")
        self.check_data(x, y, check_range=check_range)
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    def check_data(self, x, y=None, check_range=True):
        """Raise a ``ValueError`` naming the problem if ``x`` cannot be trained on."""

    @staticmethod
    def _check_float(dtype):
        dtype = tf.as_dtype(dtype)
        if not dtype.is_floating:
            hint = ""
            if dtype == tf.uint8:
                hint = "; scale uint8 images to [-1, 1] first, e.g. x / 127.5 - 1"
            raise ValueError(f"expected float data, got dtype {dtype.name}{hint}")

    @staticmethod
    def _check_values(array, port, what, check_range):
        """Finite values, in the range a generator's ``port`` can make."""
        array = np.asarray(array)
        finite = np.isfinite(array)
        if not finite.all():
            bad = int(np.argwhere(~finite)[0][0])
            raise ValueError(
                f"the {what} contain {int((~finite).sum())} non-finite values "
                f"(NaN or Inf), the first in example {bad}; expected finite floats"
            )
        if port.range is None or not array.size:
            return
        low, high = float(array.min()), float(array.max())
        lo, hi = port.range
        slack = 1e-3 * (hi - lo)
        problem = None
        if low < lo - slack or high > hi + slack:
            problem = "outside"
        elif array.ndim == 4 and low >= 0 and high > 0.5 and (lo, hi) == (-1.0, 1.0):
            problem = "in [0, 1]"  # images scaled to [0, 1]: the tanh's lower half is never used
        if problem is None:
            return
        fix = "x / 127.5 - 1 for pixels in [0, 255], x * 2 - 1 for [0, 1]"
        message = (f"the {what} are in [{low:.4g}, {high:.4g}], {problem} the range "
                   f"[{lo:g}, {hi:g}] the generator's {port.name} output can take; scale them "
                   f"first ({fix}), or pass fit(..., check_range=False) to train anyway")
        if check_range:
            raise ValueError(message)
        _log.warning(message.split("; scale")[0] + " (check_range=False)")


class GenerativeModel(AdversarialModel):
    """A variant whose generator turns noise (and codes) into samples.

    Variants declare :meth:`generator_ports` (what the generator takes, in
    order); ``generate``, batched prediction, the export signature and the
    fit checks all follow from it.

    Args:
        generator: functional ``keras.Model``; its first input is the noise
            ``z`` of shape ``(batch, latent_dim)``.
        discriminator: functional ``keras.Model`` mapping an example (first
            input) to logits.
        ema: decay of an exponential moving average of the generator's
            weights (e.g. 0.999; ``None`` for none). :attr:`ema_generator`
            holds it; ``generate``, the sample grids, exports and the zoo use
            it. After generator step ``t`` the average moves by ``1 - beta_t``
            with ``beta_t = min(ema, (1 + t) / (10 + t))``, a ramp-up that
            lets the early average follow the fast-changing weights (as
            ``tf.train.ExponentialMovingAverage(num_updates=)``); batch-norm
            statistics are copied, as StyleGAN2 does. The average of the
            weights of a GAN's generator gives better samples than its last
            weights (Yazici et al. 2019, "The Unusual Effectiveness of
            Averaging in GAN Training"; Karras et al. 2018).
        seed, **kwargs: as :class:`AdversarialModel`.
    """

    #: Whether ``fit`` takes class labels (``fit(x, y)``).
    uses_labels = False

    def __init__(self, generator, discriminator, ema=None, seed=None, **kwargs):
        super().__init__({"generator": generator, "discriminator": discriminator}, seed=seed,
                         **kwargs)
        if ema is not None and (isinstance(ema, bool) or not isinstance(ema, (int, float))
                                or not 0.0 < ema < 1.0):
            raise ValueError(f"expected ema to be None or a decay in (0, 1) such as 0.999, "
                             f"got {ema!r}")
        self.ema = None if ema is None else float(ema)
        self.ema_generator = None
        if self.ema is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())

    def get_config(self):
        return {**super().get_config(), "ema": self.ema}

    @property
    def sampling_generator(self):
        """The generator that samples: the moving average when ``ema`` is on, else the generator."""
        return self.generator if self.ema_generator is None else self.ema_generator

    def trained_networks(self):
        networks = super().trained_networks()
        if self.ema_generator is not None:
            networks["ema_generator"] = self.ema_generator
        return networks

    def update_ema(self):
        """Move :attr:`ema_generator` toward the generator (after a generator update)."""
        if self.ema_generator is None:
            return
        with tf.name_scope("ema"):  # so that a profile names its ops
            t = tf.cast(self.generator_optimizer.iterations, tf.float32)
            beta = tf.minimum(self.ema, (1.0 + t) / (10.0 + t))
            averaged = self.ema_generator.trainable_weights
            source = self.generator.trainable_weights
            betas = [beta] * len(averaged)
            self.assign_everywhere(averaged, lambda e, g, b: e.assign(b * e + (1.0 - b) * g),
                                   source, betas)
            copied = self.ema_generator.non_trainable_weights
            if copied:
                self.assign_everywhere(copied, lambda e, g: e.assign(g),
                                       self.generator.non_trainable_weights)

    @classmethod
    def for_data(cls, x, y=None, **kwargs):
        """The variant with default networks for the examples ``x`` (and labels ``y``).

        What the command line's ``train`` calls; the variant reads what it
        needs from the data (a conditional variant its class count). ``x`` is
        an array or a :class:`~keras_gan_zoo.data.stream.Source` (its shape
        and classes are read from its index, not from its examples).
        """
        return cls.for_shape(data_facts(x, y)[0], **kwargs)

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """The variant with default networks for examples of ``shape``.

        Vectors ``(d,)`` get MLPs, square images ``(s, s, c)`` get DCGAN
        networks up to 64 px and ResNets (SNGAN style) up to 256 px; see
        :func:`keras_gan_zoo.networks.for_shape` (``network_kwargs=
        {"architecture": "resnet", "attention": 32, "spectral_norm": True}``).

        Args:
            shape: shape of one example, e.g. ``(2,)`` or ``(28, 28, 1)``.
            latent_dim: noise size (default
                :data:`keras_gan_zoo.networks.DEFAULT_LATENT_DIM`).
            network_kwargs: extra arguments of the network builders.
            **kwargs: arguments of the variant (``loss=``, ``seed=``, ...).

        Example:
            >>> model = WGANGP.for_shape((2,), latent_dim=2)
        """
        from keras_gan_zoo import networks

        cls._check_keywords(kwargs, builder=cls.for_shape)
        if latent_dim is None:
            latent_dim = networks.DEFAULT_LATENT_DIM
        generator, discriminator = networks.for_shape(
            shape, latent_dim=latent_dim, **(network_kwargs or {})
        )
        return cls(generator=generator, discriminator=discriminator, **kwargs)

    # ------------------------------------------------------------- contract
    @property
    def latent_dim(self):
        """Size of the generator's noise input ``z``."""
        return int(self.generator.inputs[0].shape[-1])

    @property
    def example_shape(self):
        """Shape of one example the discriminator accepts (``None`` = any)."""
        return tuple(self.discriminator.inputs[0].shape[1:])

    def generator_ports(self):
        """The generator's inputs as :class:`~keras_gan_zoo.models.contract.Port` (in order)."""
        return (Port.noise(self.latent_dim),)

    def signature_info(self):
        """Extra facts an export of the generator carries (class counts, code sizes)."""
        return {}

    def signature(self, direction=None):
        if direction is not None:
            raise ValueError(
                f"direction= is for translation models; {type(self).__name__} has one generator")
        generator = self.sampling_generator
        return Signature("sampler", generator, tuple(self.generator_ports()),
                         output_port(generator), self.signature_info(), self.variant_name)

    def check_networks(self):
        """The generator takes its ports, and makes what the discriminator reads."""
        inputs = self.generator.inputs
        if len(inputs[0].shape) != 2:
            raise ValueError(
                "expected a generator whose first input is z of shape (batch, latent_dim), got "
                f"inputs {[_shape_str(t.shape) for t in inputs]}")
        ports = self.generator_ports()
        if len(ports) != len(inputs):
            raise ValueError(
                f"expected a generator with inputs [{', '.join(p.name for p in ports)}], got "
                f"{len(inputs)} input(s) {[_shape_str(t.shape) for t in inputs]}")
        produced = tuple(self.generator.outputs[0].shape[1:])
        if not _shapes_fit(self.example_shape, produced):
            raise ValueError(
                f"the generator's output shape {_shape_str((None,) + produced)} "
                "does not fit the discriminator's input shape "
                f"{_shape_str((None,) + self.example_shape)}"
            )

    # ------------------------------------------------------------ the step
    def noise(self, batch_size, stream, counter):
        """Latent noise ``(batch_size, latent_dim)`` for one step of this replica."""
        seed = self.random_seed(stream, counter)
        return self.replica_share(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed=seed), batch_size
        )

    def unpack(self, data):
        """Split a training batch into ``(real examples, condition)``.

        Unconditional variants take ``x`` or ``(x, ...)`` and ignore the rest;
        conditional variants override this to return their labels.
        """
        real = data[0] if isinstance(data, (tuple, list)) else data
        return tf.cast(real, tf.float32), None

    def fake(self, z, condition=None, training=True):
        """Generated examples for noise ``z`` (and the condition, if any), in float32.

        The cast lets a user's generator end in a mixed-precision layer: its
        bfloat16 output meets the float32 data in the same discriminator call.
        """
        inputs = z if condition is None else [z, condition]
        return tf.cast(self.generator(inputs, training=training), tf.float32)

    def judge(self, examples, condition=None, training=True):
        """Discriminator outputs for ``examples``, and the condition if the discriminator reads one.

        A discriminator with one input judges the example alone (ACGAN's
        names the class instead of reading it).
        """
        reads_condition = condition is not None and len(self.discriminator.inputs) > 1
        inputs = [examples, condition] if reads_condition else examples
        return self.discriminator(inputs, training=training)

    def call(self, inputs, training=False):
        """``model(z)`` is ``model.sampling_generator(z)`` (the moving average, if any)."""
        return self.sampling_generator(inputs, training=training)

    # ------------------------------------------------------------------ fit
    def check_data(self, x, y=None, check_range=True):
        expected = self.example_shape
        port = output_port(self.generator)
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if isinstance(spec, (tuple, list)):
                spec = spec[0]
            if isinstance(spec, dict):
                raise ValueError("expected a dataset of examples or (examples, labels), got dicts")
            shape = tuple(spec.shape)
            if len(shape) == len(expected):
                raise ValueError(
                    f"expected a batched dataset of shape {_shape_str((None,) + expected)}, "
                    f"got unbatched elements of shape {_shape_str(shape)}; call "
                    "dataset.batch(batch_size) first"
                )
            self._check_example_shape(shape[1:], what="dataset elements")
            self._check_float(spec.dtype)
            if x.cardinality() == 0:
                raise ValueError("the dataset is empty: expected at least one batch of examples")
            first = next(iter(x.take(1)), None)
            if first is not None:
                first = first[0] if isinstance(first, (tuple, list)) else first
                self._check_values(first, port, "dataset's first batch", check_range)
            return
        if x is None:
            raise ValueError("expected training data x, got None")
        if not isinstance(x, (np.ndarray, tf.Tensor, list)):
            return  # a keras.utils.PyDataset or a generator: Keras reads it lazily
        array = np.asarray(x)
        if array.ndim == 0 or array.shape[0] == 0:
            raise ValueError(
                f"expected a non-empty array of examples of shape "
                f"{_shape_str((None,) + expected)}, got shape {array.shape}"
            )
        self._check_example_shape(array.shape[1:], what="data")
        self._check_float(array.dtype)
        self._check_values(array, port, "data", check_range)

    def _check_example_shape(self, shape, what):
        expected = self.example_shape
        if not _shapes_fit(expected, tuple(shape)):
            raise ValueError(
                f"the {what} have examples of shape {_shape_str(shape)}, but the "
                f"discriminator expects {_shape_str(expected)}"
            )

    # -------------------------------------------------------------- sample
    def generate(self, n=None, seed=None, batch_size=256, truncation=None, use_ema=True,
                 **inputs):
        """Draw ``n`` samples as a float32 NumPy array.

        Args:
            n: number of samples (may be left out when ``z=`` is given).
            seed: integer seed of the inputs that are drawn; the same seed
                gives the same samples, in any process. ``None`` draws fresh.
            batch_size: how many samples the generator makes at once.
            truncation: draw the noise from a normal truncated to
                ``[-truncation, truncation]`` (entries outside are redrawn; the
                BigGAN truncation trick trades variety for typical samples).
            **inputs: values for the generator's inputs, by their
                ``generate`` keyword (:meth:`generator_ports`): ``z=`` (``(n,
                latent_dim)``) for every variant, ``labels=`` for a
                conditional GAN, ``categorical=`` and ``continuous=`` for an
                InfoGAN. One value applies to all samples; what is left out
                is drawn (noise from N(0, 1), codes as the variant trains
                them, classes cycling 0, 1, 2, ...).
            use_ema: sample with the moving average of the generator's
                weights when the model keeps one (``ema=``); ``False`` uses the
                generator's own, last weights.

        Example:
            >>> images = model.generate(64, seed=0)  # (64, 28, 28, 1) in [-1, 1]
        """
        if n is not None:
            n = self.check_count(n)
        arrays = self.signature().make_inputs(n, np.random.default_rng(seed), truncation,
                                              **inputs)
        network = self.sampling_generator if use_ema else self.generator
        return _predict(network, arrays, batch_size)

    @staticmethod
    def check_count(n):
        """``n`` as an int, or a ``ValueError`` if it is not a positive integer."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"expected a positive integer number of samples, got {n!r}")
        return int(n)

    def predict_generator(self, inputs, batch_size=256):
        """Run the sampling generator in inference mode over ``inputs`` in batches."""
        return _predict(self.sampling_generator, inputs, batch_size)


class EncodingModel(GenerativeModel):
    """A sampling variant with an encoder beside its generator (BiGAN, VAE-GAN).

    The encoder maps images back to latent codes. It is a network of the
    model (saved, compared, exported) and a direction of the contract: its
    signature has ``kind == "encoder"``, an image input of the trained size
    and the code as output, so ``kgz.export.to_onnx(model, path,
    direction="encoder")`` writes it. One optimizer, the generator's, trains
    the generator and the encoder. Variants implement ``train_step`` and may
    override :meth:`encoding_network` (VAE-GAN's gives the posterior mean).
    """

    network_names = ("generator", "encoder", "discriminator")
    training_only_networks = ("discriminator",)
    #: the builder in :mod:`keras_gan_zoo.networks` that ``for_shape`` calls:
    #: ``(shape, latent_dim, **network_kwargs) -> (generator, encoder, discriminator)``
    networks_builder = None

    def __init__(self, generator, encoder, discriminator, ema=None, seed=None, **kwargs):
        if not isinstance(encoder, keras.Model):
            raise TypeError(f"expected the encoder to be a keras.Model, got "
                            f"{type(encoder).__name__}")
        if encoder is generator or encoder is discriminator:
            raise ValueError("the networks must be distinct models; encoder is given twice")
        object.__setattr__(self, "_unchecked_encoder", encoder)  # for check_networks, untracked
        super().__init__(generator, discriminator, ema=ema, seed=seed, **kwargs)
        object.__delattr__(self, "_unchecked_encoder")
        self.encoder = encoder

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """The variant with its default networks for square images ``shape``
        (built by ``keras_gan_zoo.networks.<networks_builder>``)."""
        from keras_gan_zoo import networks

        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, encoder, discriminator = getattr(networks, cls.networks_builder)(
            shape, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM, **(network_kwargs or {}))
        return cls(generator, encoder, discriminator, **kwargs)

    def check_networks(self):
        """The encoder reads the discriminator's images and gives codes of the generator's size."""
        encoder = self._unchecked_encoder
        shape = tuple(self.discriminator.inputs[0].shape[1:])
        if len(shape) != 3:
            raise ValueError(f"{type(self).__name__} encodes images (h, w, c); the discriminator "
                             f"reads examples of shape {shape}")
        if len(encoder.inputs) != 1 or tuple(encoder.inputs[0].shape[1:]) != shape:
            raise ValueError(f"expected an encoder image {shape} -> code, got inputs "
                             f"{[tuple(t.shape[1:]) for t in encoder.inputs]}")
        super().check_networks()

    @property
    def example_shape(self):
        return tuple(self.discriminator.inputs[0].shape[1:])

    @property
    def generator_variables(self):
        """The generator's and the encoder's: one optimizer trains both."""
        return self.generator.trainable_variables + self.encoder.trainable_variables

    def encoding_network(self):
        """The network ``image -> code`` that :meth:`encode` runs and export writes."""
        return self.encoder

    @property
    def directions(self):
        return (None, "encoder")

    def signature(self, direction=None):
        if direction != "encoder":
            return super().signature(direction)
        network = self.encoding_network()
        return Signature(
            "encoder", network,
            (Port.image(self.example_shape, "images in [-1, 1], channels last", fixed_size=True),),
            Port("z", "output", (self.latent_dim,), meaning="the encoder's latent code of x"),
            {"direction": "encoder"}, self.variant_name)

    def encode(self, images, batch_size=256):
        """The latent codes of ``images``, float32 ``(n, latent_dim)``."""
        signature = self.signature("encoder")
        images = signature.inputs[0].check(images, None, context="encode")
        return _predict(signature.generator, images, batch_size)

    def reconstruct(self, images, batch_size=256, use_ema=True):
        """``G(encode(images))``: the images as the generator redraws them from their codes."""
        return self.generate(z=self.encode(images, batch_size), batch_size=batch_size,
                             use_ema=use_ema)


def _predict(network, inputs, batch_size):
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    n = len(inputs[0])
    out = []
    for start in range(0, n, batch_size):
        chunk = [np.asarray(a[start : start + batch_size]) for a in inputs]
        chunk = chunk[0] if len(chunk) == 1 else chunk
        out.append(keras.ops.convert_to_numpy(network(chunk, training=False)))
    return np.concatenate(out).astype("float32")


class TranslationModel(AdversarialModel):
    """A variant whose generators turn images into images.

    Variants declare :meth:`translators`: ``{direction: (generator, trained
    input shape)}``. ``translate``, the export signature and the CLI follow.
    """

    def translators(self):
        """``{direction: (generator, (h, w, c) of the images it was trained on)}``."""
        raise NotImplementedError

    @classmethod
    def for_data(cls, x, y=None, **kwargs):
        """Default networks for a :class:`~keras_gan_zoo.data.stream.PairSource` of ``(a, b)``
        images, or for two arrays ``x`` (A) and ``y`` (B)."""
        shape_b = getattr(x, "shape_b", None)
        if shape_b is not None:
            return cls.for_shape(tuple(x.shape), tuple(shape_b), **kwargs)
        if y is not None and np.ndim(x) == 4 and np.ndim(y) == 4:
            return cls.for_shape(tuple(np.shape(x)[1:]), tuple(np.shape(y)[1:]), **kwargs)
        raise ValueError(f"{cls.__name__} translates between two image sets: expected (a, b) "
                         "pairs (keras_gan_zoo.data.PairSource, or two arrays of images); on the "
                         "command line --data A --data-b B, or side-by-side pairs in --data")

    @property
    def directions(self):
        return tuple(self.translators())

    def signature(self, direction=None):
        translators = self.translators()
        direction = self.directions[0] if direction is None else direction
        if direction not in translators:
            raise ValueError(f"unknown direction {direction!r}; expected one of "
                             f"{', '.join(map(repr, translators))}")
        generator, shape = translators[direction]
        return Signature("translator", generator, (Port.image(shape),),
                         output_port(generator, translated=True),
                         {"direction": direction, "trained_image_shape": list(shape)},
                         self.variant_name)

    #: What one training batch ``(a, b)`` is: ``"unpaired"`` (two independent
    #: sets, a dataset only) or ``"paired"`` (``b`` belongs with ``a``: a
    #: dataset or two arrays, ``fit(a, b)``).
    pairing = "unpaired"

    def unpack(self, data):
        """The ``(a, b)`` images of one training batch."""
        if isinstance(data, (tuple, list)) and len(data) == 3 and data[2] is None:
            data = data[:2]  # fit(a, b) gives (a, b, None)
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(f"{type(self).__name__} trains on {self.pairing} (a, b) batches: "
                             "fit a dataset of (a, b)")
        return data[0], data[1]

    def check_data(self, x, y=None, check_range=True):
        name, paired = type(self).__name__, self.pairing == "paired"
        how = ("fit(a, b) with two arrays of pairs, or a tf.data.Dataset of (a, b) batches"
               if paired else "a tf.data.Dataset of unpaired (a, b) batches, e.g. "
               "tf.data.Dataset.zip((a, b)).batch(16)")
        port_a = self.signature(self.directions[0]).inputs[0]
        port_b = output_port(self.generator, translated=True)
        if paired and not isinstance(x, tf.data.Dataset) and y is not None:
            a, b = np.asarray(x), np.asarray(y)
            if len(a) != len(b):
                raise ValueError(f"{name} trains on pairs: expected as many B images as A "
                                 f"images, got {len(a)} A and {len(b)} B")
            if not len(a):
                raise ValueError("no training pairs: expected at least one (a, b)")
            for domain, array, port in (("A", a, port_a), ("B", b, port_b)):
                self._check_domain(domain, array.shape, array.dtype)
                self._check_values(array, port, f"{domain} images", check_range)
            return
        if not isinstance(x, tf.data.Dataset):
            raise ValueError(f"{name} trains on {how}")
        spec = x.element_spec
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise ValueError(f"expected a dataset of (a, b) image batches: {name} trains on {how}")
        for domain, s in zip("AB", spec):
            self._check_domain(domain, s.shape, s.dtype)
        if x.cardinality() == 0:
            raise ValueError("the dataset is empty: expected at least one batch of (a, b)")
        first = next(iter(x.take(1)), None)
        for domain, batch, port in zip("AB", first or (), (port_a, port_b)):
            self._check_values(batch, port, f"{domain} images of the first batch", check_range)

    def _check_domain(self, domain, shape, dtype):
        expected = self.image_shape_a if domain == "A" else self.image_shape_b
        got = tuple(shape[1:])
        if len(got) != 3 or any(e is not None and g is not None and e != g
                                for e, g in zip(expected, got)):
            raise ValueError(f"the {domain} images have shape {_shape_str((None,) + got)}, but the "
                             f"networks expect {_shape_str((None,) + tuple(expected))}")
        self._check_float(dtype)

    def source_shape(self, direction=None):
        """``(h, w, c)`` of the image files :meth:`translate` reads (the command line's
        ``--input``), or ``None`` if its inputs are not images a file holds."""
        return self.signature(direction).inputs[0].shape

    def translate(self, images, direction=None, batch_size=64):
        """Translate a batch of images (NumPy in, NumPy out) in one of :attr:`directions`.

        Example:
            >>> usps_like = model.translate(mnist_images, direction="a_to_b")
        """
        signature = self.signature(direction)
        images = signature.inputs[0].check(images, None, context=signature.info["direction"])
        return _predict(signature.generator, images, batch_size)

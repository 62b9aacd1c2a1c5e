"""The shared base of every variant: ``AdversarialModel``.

A variant is a ``keras.Model`` that owns its networks (``generator``,
``discriminator``) and two optimizers, and implements ``train_step``. This base
holds what every variant needs and must get right once:

* ``compile(generator_optimizer=, discriminator_optimizer=)``, with the
  optimizers built on their variables inside the strategy scope (an unbuilt
  optimizer fails on its first distributed step);
* the **reduction rule** under ``tf.distribute``: Keras *sums* gradients over
  replicas, so per-example losses are summed and divided by the *global*
  batch size (:meth:`reduce_loss`); the ``Mean`` trackers get the unscaled
  per-replica mean, so logs do not depend on the number of replicas;
* noise that is **different on every replica**, reproducible, and the same
  for each example on one replica or many: stateless draws keyed by (model
  seed, stream, optimizer step) for the global batch, of which each replica
  keeps its slice (:meth:`replica_share`);
* logs that survive ``MultiWorkerMirroredStrategy`` (see :meth:`logs`);
* ``generate(n, seed=)``, input validation in ``fit``, and ``.keras``
  saving (``get_config``/``from_config``, compile config with both
  optimizers).
"""

import copy

import numpy as np
import keras
import tensorflow as tf

__all__ = ["AdversarialModel"]

# Independent random streams of one training step.
NOISE_STREAM_D = 0  # latent noise for the discriminator's fakes
NOISE_STREAM_G = 1  # latent noise for the generator's update
NOISE_STREAM_AUX = 2  # anything else a variant draws (e.g. the GP's alpha)


def _multi_worker(strategy):
    return isinstance(
        strategy, tf.distribute.MultiWorkerMirroredStrategy
    ) and strategy.extended._in_multi_worker_mode()


def _shape_str(shape):
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def _shapes_fit(expected, got):
    """Whether ``got`` fits ``expected``; ``None`` on either side fits anything."""
    if len(expected) != len(got):
        return False
    return all(e is None or g is None or e == g for e, g in zip(expected, got))


class AdversarialModel(keras.Model):
    """Base class of the GAN variants: networks, optimizers, trackers, sampling.

    Subclasses implement ``train_step`` with :meth:`noise`, :meth:`reduce_loss`,
    :meth:`apply_gradients` and :meth:`logs`, and declare
    ``default_optimizers()``.

    Args:
        generator: functional ``keras.Model`` mapping ``z`` of shape
            ``(batch, latent_dim)`` to an example.
        discriminator: functional ``keras.Model`` mapping an example to
            logits, ``(batch, 1)`` or any ``(batch, ...)``.
        seed: seed of the training noise. ``None`` draws one from NumPy's
            global generator (so ``keras.utils.set_random_seed`` fixes it).
        **kwargs: passed to ``keras.Model`` (``name``, ``dtype``).
    """

    #: Constructor arguments that hold networks (serialised as Keras objects).
    network_names = ("generator", "discriminator")

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(**kwargs)
        for role, net in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(net, keras.Model):
                raise TypeError(
                    f"expected the {role} to be a keras.Model, got "
                    f"{type(net).__name__}"
                )
        if generator is discriminator:
            raise ValueError("the generator and the discriminator must be two models")
        self.generator = generator
        self.discriminator = discriminator
        self._check_networks()
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

    # ------------------------------------------------------------------ shape
    @property
    def latent_dim(self):
        """Size of the generator's noise input."""
        return int(self.generator.inputs[0].shape[-1])

    @property
    def example_shape(self):
        """Shape of one example the discriminator accepts (``None`` = any)."""
        return tuple(self.discriminator.inputs[0].shape[1:])

    def _check_networks(self):
        if len(self.generator.inputs) != 1 or len(self.generator.inputs[0].shape) != 2:
            raise ValueError(
                "expected a generator with one input z of shape (batch, latent_dim), "
                f"got inputs {[_shape_str(t.shape) for t in self.generator.inputs]}"
            )
        if len(self.discriminator.inputs) != 1:
            raise ValueError(
                "expected a discriminator with one input (the example), got "
                f"{len(self.discriminator.inputs)} inputs"
            )
        produced = tuple(self.generator.outputs[0].shape[1:])
        if not _shapes_fit(self.example_shape, produced):
            raise ValueError(
                f"the generator's output shape {_shape_str((None,) + produced)} "
                "does not fit the discriminator's input shape "
                f"{_shape_str((None,) + self.example_shape)}"
            )

    # ------------------------------------------------------- build and config
    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """The variant with default networks for examples of ``shape``.

        Vectors ``(d,)`` get MLPs, square images ``(s, s, c)`` (8 <= s <= 64)
        get DCGAN networks; see :func:`keras_gan_zoo.networks.for_shape`.

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

        if latent_dim is None:
            latent_dim = networks.DEFAULT_LATENT_DIM
        generator, discriminator = networks.for_shape(
            shape, latent_dim=latent_dim, **(network_kwargs or {})
        )
        return cls(generator=generator, discriminator=discriminator, **kwargs)

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
        if cls is not AdversarialModel and type(model) is not cls:
            raise zoo.PresetError(
                f"preset {preset!r} holds a {type(model).__name__}, not a {cls.__name__}; "
                f"use {type(model).__name__}.from_preset or keras_gan_zoo.zoo.load"
            )
        return model

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "seed": self.seed}
        for key in self.network_names:
            config[key] = keras.saving.serialize_keras_object(getattr(self, key))
        return config

    @classmethod
    def from_config(cls, config):
        # Deep copy: deserialising a functional model consumes its config dict.
        config = copy.deepcopy(config)
        for key in cls.network_names:
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    # --------------------------------------------------------------- compile
    @classmethod
    def default_optimizers(cls):
        """``(generator_optimizer, discriminator_optimizer)`` used by ``compile()``."""
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5),
            keras.optimizers.Adam(2e-4, beta_1=0.5),
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
        return {
            "generator_optimizer": keras.saving.serialize_keras_object(self.generator_optimizer),
            "discriminator_optimizer": keras.saving.serialize_keras_object(
                self.discriminator_optimizer
            ),
        }

    def compile_from_config(self, config):
        self.compile(
            generator_optimizer=keras.saving.deserialize_keras_object(config["generator_optimizer"]),
            discriminator_optimizer=keras.saving.deserialize_keras_object(
                config["discriminator_optimizer"]
            ),
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
        """This replica's rows of a draw made for the whole global batch.

        ``draw(n)`` must return ``n`` rows from a fixed stateless seed. Every
        replica draws the rows of the *global* batch and keeps its own slice,
        in the order the strategy splits the data (replica 0 takes the first
        rows). So replicas never share noise, and the noise that meets each
        real example is the same on one replica or many: training does not
        depend on the number of replicas. (Only a last, uneven batch, split
        into unequal shares, can give two replicas overlapping rows.)
        """
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        if replicas == 1:
            return draw(batch_size)
        start = context.replica_id_in_sync_group * batch_size
        return draw(batch_size * replicas)[start : start + batch_size]

    def noise(self, batch_size, stream, counter):
        """Latent noise ``(batch_size, latent_dim)`` for one step of this replica."""
        seed = self.random_seed(stream, counter)
        return self.replica_share(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed=seed), batch_size
        )

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

    def unpack(self, data):
        """Split a training batch into ``(real examples, condition)``.

        Unconditional variants take ``x`` or ``(x, ...)`` and ignore the rest;
        conditional variants override this to return their labels.
        """
        if isinstance(data, (tuple, list)):
            return data[0], None
        return data, None

    def fake(self, z, condition=None, training=True):
        """Generated examples for noise ``z`` (and the condition, if any)."""
        inputs = z if condition is None else [z, condition]
        return self.generator(inputs, training=training)

    def judge(self, examples, condition=None, training=True):
        """Discriminator logits for ``examples`` (and the condition, if any)."""
        inputs = examples if condition is None else [examples, condition]
        return self.discriminator(inputs, training=training)

    def call(self, inputs, training=False):
        """``model(z)`` is ``model.generator(z)``."""
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, **kwargs):
        """``keras.Model.fit``, after checking that the data fit the networks.

        ``x`` is an array of examples, a batched ``tf.data.Dataset`` of
        examples (or of ``(examples, labels)``), or anything else ``fit``
        reads. Arrays are checked in full (float dtype, shape, finite values,
        not empty), datasets by their element spec; other inputs are read as
        Keras reads them.
        """
        if not self.compiled or self.generator_optimizer is None:
            raise RuntimeError(
                f"{type(self).__name__} is not compiled: call "
                "model.compile(generator_optimizer=..., discriminator_optimizer=...) "
                "(or model.compile() for the defaults) before fit()"
            )
        self.check_data(x, y)
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    def check_data(self, x, y=None):
        """Raise a ``ValueError`` naming the problem if ``x`` cannot be trained on."""
        expected = self.example_shape
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
        finite = np.isfinite(array)
        if not finite.all():
            bad = int(np.argwhere(~finite)[0][0])
            raise ValueError(
                f"the data contain {int((~finite).sum())} non-finite values "
                f"(NaN or Inf), the first in example {bad}; expected finite floats"
            )

    def _check_example_shape(self, shape, what):
        expected = self.example_shape
        if not _shapes_fit(expected, tuple(shape)):
            raise ValueError(
                f"the {what} have examples of shape {_shape_str(shape)}, but the "
                f"discriminator expects {_shape_str(expected)}"
            )

    @staticmethod
    def _check_float(dtype):
        dtype = tf.as_dtype(dtype)
        if not dtype.is_floating:
            hint = ""
            if dtype == tf.uint8:
                hint = "; scale uint8 images to [-1, 1] first, e.g. x / 127.5 - 1"
            raise ValueError(f"expected float data, got dtype {dtype.name}{hint}")

    # -------------------------------------------------------------- sample
    def generate(self, n, seed=None, batch_size=256):
        """Draw ``n`` samples as a float32 NumPy array.

        Args:
            n: number of samples.
            seed: integer seed of the latent noise; the same seed gives the
                same samples, in any process. ``None`` draws fresh noise.
            batch_size: how many samples the generator makes at once.

        Example:
            >>> images = model.generate(64, seed=0)  # (64, 28, 28, 1) in [-1, 1]
        """
        n = self.check_count(n)
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((int(n), self.latent_dim)).astype("float32")
        return self.predict_generator(z, batch_size=batch_size)

    @staticmethod
    def check_count(n):
        """``n`` as an int, or a ``ValueError`` if it is not a positive integer."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"expected a positive integer number of samples, got {n!r}")
        return int(n)

    def predict_generator(self, inputs, batch_size=256):
        """Run the generator in inference mode over ``inputs`` in batches."""
        inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        n = len(inputs[0])
        out = []
        for start in range(0, n, batch_size):
            chunk = [np.asarray(a[start : start + batch_size]) for a in inputs]
            chunk = chunk[0] if len(chunk) == 1 else chunk
            out.append(keras.ops.convert_to_numpy(self.generator(chunk, training=False)))
        return np.concatenate(out).astype("float32")

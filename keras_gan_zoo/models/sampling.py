"""Samplers: variants whose generator turns noise (and codes) into samples.

``GenerativeModel`` writes ``generate(n, seed=, **codes)``, batched
prediction, the export signature and the fit checks once, from the ports its
variant declares; it holds the generator's moving average (``ema=``).
"""

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models.adversarial import AdversarialModel
from keras_gan_zoo.models.checks import data_facts, shape_str, _shapes_fit
from keras_gan_zoo.models.contract import Port, Signature, Takes, output_port

__all__ = ["GenerativeModel", "predict_batches"]


def predict_batches(network, inputs, batch_size):
    """``network(inputs)`` in float32 NumPy, ``batch_size`` rows at a time (inference mode)."""
    inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    n = len(inputs[0])
    out = []
    for start in range(0, n, batch_size):
        chunk = [np.asarray(a[start : start + batch_size]) for a in inputs]
        chunk = chunk[0] if len(chunk) == 1 else chunk
        out.append(keras.ops.convert_to_numpy(network(chunk, training=False)))
    return np.concatenate(out).astype("float32")


class GenerativeModel(AdversarialModel):
    """A variant whose generator turns noise (and codes) into samples.

    Variants declare ``generator_ports`` (what the generator takes, in
    order); ``generate``, batched prediction, the export signature and the
    fit checks all follow from it.

    Args:
        generator: functional ``keras.Model``; its first input is the noise
            ``z`` of shape ``(batch, latent_dim)``.
        discriminator: functional ``keras.Model`` mapping an example (first
            input) to logits.
        ema: decay of an exponential moving average of the generator's
            weights (e.g. 0.999; ``None`` for none). ``ema_generator``
            holds it; ``generate``, the sample grids, exports and the zoo use
            it. After generator step ``t`` the average moves by ``1 - beta_t``
            with ``beta_t = min(ema, (1 + t) / (10 + t))``, a ramp-up that
            lets the early average follow the fast-changing weights (as
            ``tf.train.ExponentialMovingAverage(num_updates=)``); batch-norm
            statistics are copied, as StyleGAN2 does. The average of the
            weights of a GAN's generator gives better samples than its last
            weights (Yazici et al. 2019, "The Unusual Effectiveness of
            Averaging in GAN Training"; Karras et al. 2018).
        seed, **kwargs: as ``AdversarialModel``.
    """

    #: What ``fit`` takes (``Takes``).
    takes = Takes("examples")

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
        """Move ``ema_generator`` toward the generator (after a generator update)."""
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
        an array or a ``Source`` (its shape
        and classes are read from its index, not from its examples).
        """
        return cls.for_shape(data_facts(x, y)[0], **kwargs)

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """The variant with default networks for examples of ``shape``.

        Vectors ``(d,)`` get MLPs, square images ``(s, s, c)`` get DCGAN
        networks up to 64 px and ResNets (SNGAN style) up to 256 px; see
        ``keras_gan_zoo.networks.for_shape`` (``network_kwargs=
        {"architecture": "resnet", "attention": 32, "spectral_norm": True}``).

        Args:
            shape: shape of one example, e.g. ``(2,)`` or ``(28, 28, 1)``.
            latent_dim: noise size (default
                ``keras_gan_zoo.networks.DEFAULT_LATENT_DIM``).
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
        """The generator's inputs as ``Port`` (in order)."""
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
                f"inputs {[shape_str(t.shape) for t in inputs]}")
        ports = self.generator_ports()
        if len(ports) != len(inputs):
            raise ValueError(
                f"expected a generator with inputs [{', '.join(p.name for p in ports)}], got "
                f"{len(inputs)} input(s) {[shape_str(t.shape) for t in inputs]}")
        produced = tuple(self.generator.outputs[0].shape[1:])
        if not _shapes_fit(self.example_shape, produced):
            raise ValueError(
                f"the generator's output shape {shape_str((None,) + produced)} "
                "does not fit the discriminator's input shape "
                f"{shape_str((None,) + self.example_shape)}"
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
                    f"expected a batched dataset of shape {shape_str((None,) + expected)}, "
                    f"got unbatched elements of shape {shape_str(shape)}; call "
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
                f"{shape_str((None,) + expected)}, got shape {array.shape}"
            )
        self._check_example_shape(array.shape[1:], what="data")
        self._check_float(array.dtype)
        self._check_values(array, port, "data", check_range)

    def _check_example_shape(self, shape, what):
        expected = self.example_shape
        if not _shapes_fit(expected, tuple(shape)):
            raise ValueError(
                f"the {what} have examples of shape {shape_str(shape)}, but the "
                f"discriminator expects {shape_str(expected)}"
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
                ``generate`` keyword (``generator_ports``): ``z=`` (``(n,
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
        return predict_batches(network, arrays, batch_size)

    @staticmethod
    def check_count(n):
        """``n`` as an int, or a ``ValueError`` if it is not a positive integer."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"expected a positive integer number of samples, got {n!r}")
        return int(n)

    def predict_generator(self, inputs, batch_size=256):
        """Run the sampling generator in inference mode over ``inputs`` in batches."""
        return predict_batches(self.sampling_generator, inputs, batch_size)

"""InfoGAN (Chen et al. 2016): a GAN whose latent codes learn to mean something.

The generator's input is noise ``z`` plus a categorical code ``c`` (one of
``num_categories``) and continuous codes ``u`` (``num_continuous``, uniform in
``[-1, 1]``). An auxiliary head Q on the discriminator's body predicts the
codes back from a generated image; maximising this mutual-information lower
bound makes the codes control distinct factors (on MNIST, ``c`` tends to pick
the digit and ``u`` its slant and width).

The discriminator is one functional model with three outputs
``[logit, categorical_logits, continuous_mean]``, so the body that D and Q
share is saved and exported once. The information loss is the cross-entropy
of the categorical code plus ``continuous_weight`` times the Gaussian negative
log-likelihood (unit variance: half the squared error) of the continuous
codes; the generator and the Q head minimise it, weighted by ``info_weight``.
By default (``info_trains_body=False``) it does not train the body that Q
shares with D: the body learns only to tell real from fake, and Q reads the
codes from those features, so the generator has to put its codes into what
the discriminator looks at. The Q head's own layers then learn in the
generator's step, with the generator's optimizer (as the common PyTorch ports
of the paper do: on MNIST that is 1e-3 instead of the discriminator's 2e-4).
With ``info_trains_body=True`` the information loss also trains the body,
in the discriminator's step, as in the paper's code. On MNIST with the
paper's networks, categorical-code accuracy at epochs 5/10/20/30: 47/63/78/87%
by default, 25/34/57/71% with ``info_trains_body=True`` (see the README).
The paper weights continuous codes less ("a smaller lambda ... to ensure
that the differential entropy is on the same scale"); with equal weights on
MNIST we measured the continuous codes taking over the digit identity
(categorical-code accuracy 40%).
"""

import functools

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import NOISE_STREAM_D, NOISE_STREAM_G, GenerativeModel
from keras_gan_zoo.models.contract import Port
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.infogan.networks import default_networks

__all__ = ["InfoGAN"]


@register_variant("infogan")
class InfoGAN(GenerativeModel):
    """InfoGAN trained with ``model.fit(images)`` (labels, if given, are ignored).

    Args:
        generator: functional model with inputs ``[z, categorical, continuous]``.
        discriminator: functional model ``example -> [logit, categorical_logits,
            continuous_mean]``.
        info_weight: weight of the information loss (lambda of the paper).
        continuous_weight: weight of the continuous codes' term inside it.
        info_trains_body: whether the information loss also trains the
            discriminator's body that the Q head shares, in the
            discriminator's step (the paper's code does). By default it
            trains only the generator and the Q head's own layers
            (``q_head_variables``), both in the generator's step with
            the generator's optimizer.
        seed: seed of the training noise and codes.

    The code sizes are read from the networks (``num_categories``,
    ``num_continuous``).

    Example:
        >>> model = InfoGAN.for_shape((28, 28, 1))          # 10 categories, 2 continuous
        >>> model.compile()
        >>> model.fit(images, batch_size=64, epochs=20)
        >>> fours = model.generate(8, categorical=4, continuous=[[-1, 0]] * 8, seed=0)
        >>> category, continuous = model.predict_codes(images)
    """

    RENAMED = {"noise_dim": "latent_dim"}
    # 0.1.0 configs predate info_trains_body: the loss trained the body then.
    OLD_DEFAULTS = {1: {"info_trains_body": True}}

    def __init__(self, generator, discriminator, info_weight=1.0, continuous_weight=0.1,
                 info_trains_body=False, seed=None, **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if info_weight < 0 or continuous_weight < 0:
            raise ValueError(
                f"expected info_weight >= 0 and continuous_weight >= 0, got {info_weight} and "
                f"{continuous_weight}"
            )
        self.info_weight = float(info_weight)
        self.continuous_weight = float(continuous_weight)
        if not isinstance(info_trains_body, bool):
            raise ValueError(f"expected info_trains_body to be True or False, got {info_trains_body!r}")
        self.info_trains_body = info_trains_body
        self.info_tracker = keras.metrics.Mean(name="info_loss")

    @classmethod
    def for_shape(cls, shape, latent_dim=62, num_categories=10, num_continuous=2,
                  network_kwargs=None, **kwargs):
        """InfoGAN with default networks (62 noise dimensions, as the paper on MNIST).

        ``latent_dim`` is the size of the noise ``z`` (the codes come on top).
        ``network_kwargs`` go to ``keras_gan_zoo.variants.infogan.networks.default_networks`` (e.g.
        ``{"architecture": "dcgan", "base_filters": 32}``).
        """
        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, discriminator = default_networks(
            shape, latent_dim=latent_dim, num_categories=num_categories,
            num_continuous=num_continuous, **(network_kwargs or {}),
        )
        return cls(generator, discriminator, **kwargs)

    def get_config(self):
        return {**super().get_config(), "info_weight": self.info_weight,
                "continuous_weight": self.continuous_weight,
                "info_trains_body": self.info_trains_body}

    @property
    def num_categories(self):
        return int(self.discriminator.outputs[1].shape[-1])

    @property
    def num_continuous(self):
        return int(self.discriminator.outputs[2].shape[-1])

    def generator_ports(self):
        return (Port.noise(self.latent_dim),
                Port.categorical("categorical", self.num_categories,
                                 "InfoGAN categorical code, integer in [0, num_categories)"),
                Port.uniform("continuous", self.num_continuous,
                             "InfoGAN continuous codes, uniform in [-1, 1] during training"))

    def signature_info(self):
        return {"num_categories": self.num_categories, "num_continuous": self.num_continuous}

    def check_networks(self):
        g_in, d_out = self.generator.inputs, self.discriminator.outputs
        if len(g_in) != 3:
            raise ValueError(
                "expected an InfoGAN generator with inputs [z, categorical, continuous], got "
                f"{len(g_in)} input(s)"
            )
        if len(d_out) != 3:
            raise ValueError(
                "expected an InfoGAN discriminator with outputs [logit, categorical_logits, "
                f"continuous_mean], got {len(d_out)} output(s)"
            )
        if int(g_in[2].shape[-1]) != int(d_out[2].shape[-1]):
            raise ValueError(
                f"the generator takes {g_in[2].shape[-1]} continuous codes but the Q head "
                f"predicts {d_out[2].shape[-1]}"
            )
        super().check_networks()

    @property
    def metrics(self):
        return super().metrics + [self.info_tracker]

    # -------------------------------------------------------------- the step
    def codes(self, batch_size, stream, counter):
        """Noise, categorical and continuous codes for one step (stateless, per replica)."""
        seed = self.random_seed(stream, counter)
        fold = tf.random.experimental.stateless_fold_in
        z = self.noise(batch_size, stream, counter)
        categorical = self.replica_share(lambda n: tf.random.stateless_uniform(
            [n], seed=fold(seed, 1), maxval=self.num_categories, dtype=tf.int32), batch_size)
        continuous = self.replica_share(lambda n: tf.random.stateless_uniform(
            [n, self.num_continuous], seed=fold(seed, 2), minval=-1.0, maxval=1.0), batch_size)
        return z, categorical, continuous

    def info_loss(self, categorical, continuous, categorical_logits, continuous_mean):
        """Per-example information loss: cross-entropy + weighted Gaussian NLL (unit variance)."""
        ce = keras.losses.sparse_categorical_crossentropy(
            categorical, categorical_logits, from_logits=True
        )
        nll = 0.5 * tf.reduce_sum(tf.square(continuous - continuous_mean), axis=-1)
        return ce + self.continuous_weight * nll

    @functools.cached_property
    def _logit_only(self):
        # Built once (not per train-step trace or eager step). cached_property
        # stores it in __dict__, past Keras's attribute tracking, so it adds
        # no weights to the model and nothing to its saved file.
        return keras.Model(self.discriminator.inputs, self.discriminator.outputs[0])

    @property
    def q_head_variables(self):
        """The Q head's own variables: the discriminator's that its logit does not use."""
        shared = {id(v) for v in self._logit_only.trainable_variables}
        return [v for v in self.discriminator.trainable_variables if id(v) not in shared]

    @property
    def generator_variables(self):
        if self.info_trains_body:
            return self.generator.trainable_variables
        return self.generator.trainable_variables + self.q_head_variables

    @property
    def discriminator_variables(self):
        if self.info_trains_body:
            return self.discriminator.trainable_variables
        q_head = {id(v) for v in self.q_head_variables}
        return [v for v in self.discriminator.trainable_variables if id(v) not in q_head]

    def judge(self, examples, condition=None, training=True):
        """``[logit, categorical_logits, continuous_mean]`` in float32 (a user's heads may be mixed)."""
        return [tf.cast(out, tf.float32) for out in self.discriminator(examples, training=training)]

    def train_step(self, data):
        real, _ = self.unpack(data)
        batch_size = tf.shape(real)[0]
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer

        z, categorical, continuous = self.codes(batch_size, NOISE_STREAM_D, d_opt.iterations)
        with tf.GradientTape() as tape:
            fake = self.fake([z, categorical, continuous])
            real_logit = self.judge(real)[0]
            fake_logit, cat_logits, cont_mean = self.judge(fake)
            adversarial = losses.minimax_discriminator_loss(real_logit, fake_logit)
            d_loss = adversarial
            if self.info_trains_body:
                d_loss += self.info_weight * self.info_loss(categorical, continuous, cat_logits,
                                                            cont_mean)
            d_loss = self.reduce_loss(d_loss, self.discriminator)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)
        self.d_loss_tracker.update_state(tf.reduce_mean(adversarial), sample_weight=batch_size)

        z, categorical, continuous = self.codes(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with tf.GradientTape() as tape:
            fake = self.fake([z, categorical, continuous])
            fake_logit, cat_logits, cont_mean = self.judge(fake)
            info = self.info_loss(categorical, continuous, cat_logits, cont_mean)
            adversarial = losses.non_saturating_generator_loss(fake_logit)
            g_loss = self.reduce_loss(adversarial + self.info_weight * info, self.generator)
        # With info_trains_body=False the Q head's own layers are among the
        # generator's variables: they learn here, with the generator's optimizer.
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)
        self.update_ema()
        self.g_loss_tracker.update_state(tf.reduce_mean(adversarial), sample_weight=batch_size)
        self.info_tracker.update_state(tf.reduce_mean(info), sample_weight=batch_size)
        return self.logs()

    # ------------------------------------------------------------ sampling
    def predict_codes(self, images, batch_size=256):
        """The Q head's reading of ``images``: ``(categorical (n,), continuous (n, C))``.

        The categorical code is the arg-max category; match categories to
        classes with ``keras_gan_zoo.metrics.best_matching_accuracy``.
        """
        images = np.asarray(images, dtype="float32")
        cats, conts = [], []
        for start in range(0, len(images), batch_size):
            _, cat_logits, cont = self.discriminator(images[start:start + batch_size], training=False)
            cats.append(np.asarray(cat_logits).argmax(-1))
            conts.append(np.asarray(cont))
        return np.concatenate(cats), np.concatenate(conts)

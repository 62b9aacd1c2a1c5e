"""The original GAN (Goodfellow et al. 2014), with a choice of losses.

One ``train_step`` is one iteration of Algorithm 1 of the paper: ``k``
discriminator updates (``discriminator_steps``), then one generator update.
Each discriminator update draws fresh noise; all ``k`` of them see the real
batch of this step (the keras-io convention; pass a larger batch to see more
data per generator update).
"""

import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import NOISE_STREAM_D, NOISE_STREAM_G, AdversarialModel

__all__ = ["GAN"]


def _check_pack(pack):
    if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
        raise ValueError(f"expected pack to be an integer >= 1, got {pack!r}")
    return pack


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class GAN(AdversarialModel):
    """A GAN trained with ``model.fit`` on a dataset of examples.

    Args:
        generator: functional ``keras.Model``, ``z -> example``.
        discriminator: functional ``keras.Model``, ``example -> logit``.
        loss: ``"non_saturating"`` (default; the paper's practical choice),
            ``"minimax"`` (the saturating original), ``"least_squares"`` or
            ``"hinge"``. See :mod:`keras_gan_zoo.losses`.
        discriminator_steps: discriminator updates per generator update
            (``k`` of the paper).
        label_smoothing: one-sided label smoothing of the real targets
            (minimax, non-saturating and least-squares losses).
        reuse_fakes: the generator update reuses the fakes (and the noise)
            of the last discriminator update, judged again by the updated
            discriminator, instead of drawing new ones: one generator forward
            pass fewer per step, as the PyTorch DCGAN example does. Measured
            by ``benchmarks/throughput.py``; off by default.
        pack: PacGAN packing (Lin et al. 2018): the discriminator judges
            ``pack`` examples at once, stacked along the last axis, so its
            input has ``pack`` times the channels (``GAN.for_shape(shape,
            pack=2)`` builds it so). Packing penalises a generator that
            collapses to few modes. The batch size must be a multiple of it.
        seed: seed of the training noise.

    Example:
        >>> model = GAN.for_shape((28, 28, 1))      # DCGAN networks
        >>> model.compile()                          # Adam(2e-4, beta_1=0.5)
        >>> model.fit(images, batch_size=64, epochs=10)
        >>> samples = model.generate(64, seed=0)
    """

    LOSSES = ("non_saturating", "minimax", "least_squares", "hinge")

    def __init__(
        self,
        generator,
        discriminator,
        loss="non_saturating",
        discriminator_steps=1,
        label_smoothing=0.0,
        pack=1,
        reuse_fakes=False,
        seed=None,
        **kwargs,
    ):
        self.pack = _check_pack(pack)  # before the base checks the networks: it sets the example shape
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if loss not in self.LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(self.LOSSES)}")
        if not isinstance(discriminator_steps, int) or discriminator_steps < 1:
            raise ValueError(
                f"expected discriminator_steps to be an integer >= 1, got {discriminator_steps!r}"
            )
        if label_smoothing and loss == "hinge":
            raise ValueError("label_smoothing applies to the minimax, non-saturating and "
                             "least-squares losses, not to hinge")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"expected label_smoothing in [0, 1), got {label_smoothing}")
        self.loss_name = loss
        self.discriminator_steps = discriminator_steps
        self.label_smoothing = float(label_smoothing)
        if not isinstance(reuse_fakes, bool):
            raise ValueError(f"expected reuse_fakes to be True or False, got {reuse_fakes!r}")
        self.reuse_fakes = reuse_fakes
        self._generator_loss, self._discriminator_loss = losses.get(loss)

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, pack=1, **kwargs):
        """Default networks for ``shape``; with ``pack > 1`` the discriminator reads packs."""
        if _check_pack(pack) == 1:
            return super().for_shape(shape, latent_dim, network_kwargs, **kwargs)
        from keras_gan_zoo import networks

        shape = tuple(shape)
        packed = shape[:-1] + (shape[-1] * pack,)
        generator = networks.generator_for_shape(
            shape, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM, **(network_kwargs or {}))
        discriminator = networks.discriminator_for_shape(packed, **(network_kwargs or {}))
        return cls(generator, discriminator, pack=pack, **kwargs)

    @property
    def example_shape(self):
        shape = tuple(self.discriminator.inputs[0].shape[1:])
        if self.pack == 1 or shape[-1] is None:
            return shape
        if shape[-1] % self.pack:
            raise ValueError(
                f"pack={self.pack} needs a discriminator whose last input axis is a multiple "
                f"of {self.pack}, got {shape[-1]}"
            )
        return shape[:-1] + (shape[-1] // self.pack,)

    def judge(self, examples, condition=None, training=True):
        if self.pack == 1:
            return super().judge(examples, condition, training)
        check = tf.debugging.assert_equal(
            tf.shape(examples)[0] % self.pack, 0,
            message=f"pack={self.pack}: the batch size (per replica) must be a multiple of it")
        with tf.control_dependencies([check]):
            shape = tf.shape(examples)
        # (B, ..., c) -> (B / pack, ..., pack * c): consecutive examples side by side
        grouped = tf.reshape(examples, tf.concat([[-1, self.pack], shape[1:]], 0))
        rank = len(examples.shape)
        order = [0] + list(range(2, rank)) + [1, rank]
        grouped = tf.transpose(grouped, order)
        packed = tf.reshape(grouped, tf.concat([[-1], shape[1:-1], [self.pack * shape[-1]]], 0))
        packed = tf.ensure_shape(packed, [None] + list(examples.shape[1:-1])
                                 + [self.pack * examples.shape[-1]])
        return super().judge(packed, condition, training)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, **kwargs):
        if self.pack > 1 and batch_size is not None and batch_size % self.pack:
            raise ValueError(
                f"pack={self.pack}: expected a batch size that is a multiple of {self.pack}, "
                f"got {batch_size}"
            )
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "loss": self.loss_name,
            "discriminator_steps": self.discriminator_steps,
            "label_smoothing": self.label_smoothing,
            "pack": self.pack,
            "reuse_fakes": self.reuse_fakes,
        }

    def discriminator_loss(self, real_logits, fake_logits):
        """Per-example discriminator loss of the configured ``loss``."""
        if self.label_smoothing:
            return self._discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        return self._discriminator_loss(real_logits, fake_logits)

    def train_step(self, data):
        real, condition = self.unpack(data)
        batch_size = tf.shape(real)[0]
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer

        # k discriminator updates, each on fresh fakes. With reuse_fakes the
        # generator's forward pass of the last one is recorded on g_tape, so
        # that the generator update can backpropagate through it.
        g_tape = tf.GradientTape()
        for k in range(self.discriminator_steps):
            z = self.noise(batch_size, NOISE_STREAM_D, d_opt.iterations)
            if self.reuse_fakes and k == self.discriminator_steps - 1:
                with g_tape:
                    fake = self.fake(z, condition)
            else:
                fake = self.fake(z, condition)
            with tf.GradientTape() as tape:
                per_example = self.discriminator_loss(
                    self.judge(real, condition), self.judge(tf.stop_gradient(fake), condition)
                )
                d_loss = self.reduce_loss(per_example, self.discriminator)
            self.apply_gradients(d_opt, tape, d_loss, self.discriminator.trainable_variables)
            self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)

        # One generator update against the updated discriminator.
        if not self.reuse_fakes:
            z = self.noise(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with g_tape:
            if not self.reuse_fakes:
                fake = self.fake(z, condition)
            per_example = self._generator_loss(self.judge(fake, condition))
            g_loss = self.reduce_loss(per_example, self.generator)
        self.apply_gradients(g_opt, g_tape, g_loss, self.generator.trainable_variables)
        self.g_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
        return self.logs()

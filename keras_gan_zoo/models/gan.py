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
        seed=None,
        **kwargs,
    ):
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
        self._generator_loss, self._discriminator_loss = losses.get(loss)

    def get_config(self):
        return {
            **super().get_config(),
            "loss": self.loss_name,
            "discriminator_steps": self.discriminator_steps,
            "label_smoothing": self.label_smoothing,
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

        # k discriminator updates, each on fresh fakes.
        for _ in range(self.discriminator_steps):
            z = self.noise(batch_size, NOISE_STREAM_D, d_opt.iterations)
            with tf.GradientTape() as tape:
                fake = self.fake(z, condition)
                per_example = self.discriminator_loss(
                    self.judge(real, condition), self.judge(fake, condition)
                )
                d_loss = self.reduce_loss(per_example, self.discriminator)
            self.apply_gradients(d_opt, tape, d_loss, self.discriminator.trainable_variables)
            self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)

        # One generator update against the updated discriminator.
        z = self.noise(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with tf.GradientTape() as tape:
            fake_logits = self.judge(self.fake(z, condition), condition)
            per_example = self._generator_loss(fake_logits)
            g_loss = self.reduce_loss(per_example, self.generator)
        self.apply_gradients(g_opt, tape, g_loss, self.generator.trainable_variables)
        self.g_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
        return self.logs()

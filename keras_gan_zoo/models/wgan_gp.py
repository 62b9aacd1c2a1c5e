"""WGAN-GP: Wasserstein GAN with gradient penalty (Gulrajani et al. 2017).

The critic minimises ``D(G(z)) - D(x) + gp_weight * (||grad D(x_hat)|| - 1)^2``
with ``x_hat`` a uniform random interpolation of a real and a fake example;
the generator minimises ``-D(G(z))``. One ``train_step`` runs
``critic_steps`` critic updates (fresh noise and interpolation weights each,
on this step's real batch) and one generator update, with the paper's
defaults ``critic_steps=5``, ``gp_weight=10`` and Adam(1e-4, 0.5, 0.9).
"""

import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import (
    NOISE_STREAM_AUX,
    NOISE_STREAM_D,
    NOISE_STREAM_G,
    AdversarialModel,
)

__all__ = ["WGANGP"]


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class WGANGP(AdversarialModel):
    """WGAN-GP trained with ``model.fit``.

    The critic must not use batch normalisation (the penalty is per example);
    the default networks have none.

    Args:
        generator: functional ``keras.Model``, ``z -> example``.
        discriminator: the critic, functional ``keras.Model``, ``example -> score``.
        critic_steps: critic updates per generator update.
        gp_weight: weight of the gradient penalty (lambda of the paper).
        seed: seed of the training noise.

    Example:
        >>> model = WGANGP.for_shape((2,), latent_dim=2)
        >>> model.compile()                  # Adam(1e-4, beta_1=0.5, beta_2=0.9)
        >>> model.fit(kgz.data.toy("ring8"), batch_size=256, epochs=5)
    """

    def __init__(self, generator, discriminator, critic_steps=5, gp_weight=10.0, seed=None,
                 **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if not isinstance(critic_steps, int) or critic_steps < 1:
            raise ValueError(f"expected critic_steps to be an integer >= 1, got {critic_steps!r}")
        if gp_weight < 0:
            raise ValueError(f"expected gp_weight >= 0, got {gp_weight}")
        self.critic_steps = critic_steps
        self.gp_weight = float(gp_weight)
        self.gp_tracker = keras.metrics.Mean(name="gp")

    @classmethod
    def default_optimizers(cls):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
        )

    def get_config(self):
        return {**super().get_config(), "critic_steps": self.critic_steps,
                "gp_weight": self.gp_weight}

    @property
    def metrics(self):
        return super().metrics + [self.gp_tracker]

    def train_step(self, data):
        real, condition = self.unpack(data)
        batch_size = tf.shape(real)[0]
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer

        for _ in range(self.critic_steps):
            z = self.noise(batch_size, NOISE_STREAM_D, d_opt.iterations)
            with tf.GradientTape() as tape:
                fake = self.fake(z, condition)
                wasserstein = losses.wasserstein_discriminator_loss(
                    self.judge(real, condition), self.judge(fake, condition)
                )
                alpha_seed = self.random_seed(NOISE_STREAM_AUX, d_opt.iterations)
                alpha = self.replica_share(
                    lambda n: tf.random.stateless_uniform([n], seed=alpha_seed), batch_size
                )
                penalty = losses.wasserstein_gradient_penalty(
                    lambda x, training: self.judge(x, condition, training), real, fake,
                    alpha=alpha,
                )
                per_example = wasserstein + self.gp_weight * penalty
                d_loss = self.reduce_loss(per_example, self.discriminator)
            self.apply_gradients(d_opt, tape, d_loss, self.discriminator.trainable_variables)
            self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
            self.gp_tracker.update_state(tf.reduce_mean(penalty), sample_weight=batch_size)

        z = self.noise(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with tf.GradientTape() as tape:
            per_example = losses.wasserstein_generator_loss(
                self.judge(self.fake(z, condition), condition)
            )
            g_loss = self.reduce_loss(per_example, self.generator)
        self.apply_gradients(g_opt, tape, g_loss, self.generator.trainable_variables)
        self.g_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
        return self.logs()

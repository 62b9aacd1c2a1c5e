"""VAE-GAN (Larsen et al. 2016): a VAE whose reconstructions are judged by a discriminator.

A variational autoencoder (encoder ``q(z | x)``, decoder = the generator)
measured in pixels blurs, because a pixel-wise error rewards the average of
the plausible images. VAE-GAN measures the reconstruction instead in the
features of a discriminator layer, ``||Dis_l(x) - Dis_l(G(z))||^2`` with
``z ~ q(z | x)``, and trains that discriminator as a GAN's, to tell real
images from reconstructions and from samples of the prior. The three
updates, as in the paper:

* encoder: KL prior term + feature reconstruction;
* decoder (generator): ``reconstruction_weight`` x feature reconstruction
  + ``gan_weight`` x the non-saturating loss of reconstructions and prior
  samples;
* discriminator: real against reconstructions and prior samples (the two
  kinds of fakes weighted half each).

With ``gan_weight=0, reconstruction="pixels"`` this file is a plain VAE (the
Gaussian log-likelihood in pixels), the paper's baseline.
"""

import functools

import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import (NOISE_STREAM_AUX, NOISE_STREAM_D, NOISE_STREAM_G,
                                       EncodingModel, shape_str)
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.vaegan.networks import default_networks

__all__ = ["VAEGAN"]

RECONSTRUCTIONS = ("discriminator", "pixels")


@register_variant("vaegan")
class VAEGAN(EncodingModel):
    """VAE-GAN trained with ``model.fit(images)`` (labels, if given, are ignored).

    Args:
        generator: the decoder, functional ``keras.Model`` ``z -> image``.
        encoder: functional ``keras.Model`` ``image -> [mean, log_variance]``
            of the Gaussian posterior (each ``(batch, latent_dim)``).
        discriminator: functional ``keras.Model`` ``image -> [logit,
            features]``: the features are the layer reconstructions are
            measured in.
        reconstruction: ``"discriminator"`` (the paper: squared error of the
            discriminator's features) or ``"pixels"`` (a plain VAE's).
        reconstruction_weight: ``gamma`` of the paper, the weight of the
            reconstruction in the decoder's loss against the GAN term.
        kl_weight: weight of the KL prior term in the encoder's loss.
        gan_weight: weight of the GAN terms; 0 trains no discriminator (a
            plain VAE, with ``reconstruction="pixels"``).
        ema, seed: as for ``GAN``.

    The reconstruction terms are sums over pixels or features, the KL term a
    sum over the latent dimensions (the Gaussian log-likelihoods as the
    paper writes them, without constants).

    Example:
        >>> model = VAEGAN.for_shape((28, 28, 1))
        >>> model.compile()
        >>> model.fit(images, batch_size=64, epochs=20)
        >>> again = model.reconstruct(images[:8])     # G(mean of q(z | x))
        >>> vae = VAEGAN.for_shape((28, 28, 1), gan_weight=0.0, reconstruction="pixels")
    """

    default_networks = staticmethod(default_networks)

    def __init__(self, generator, encoder, discriminator, reconstruction="discriminator",
                 reconstruction_weight=1.0, kl_weight=1.0, gan_weight=1.0, ema=None, seed=None,
                 **kwargs):
        super().__init__(generator, encoder, discriminator, ema=ema, seed=seed, **kwargs)
        if reconstruction not in RECONSTRUCTIONS:
            raise ValueError(f"unknown reconstruction {reconstruction!r}; expected one of "
                             f"{', '.join(map(repr, RECONSTRUCTIONS))}")
        for key, value in (("reconstruction_weight", reconstruction_weight),
                           ("kl_weight", kl_weight), ("gan_weight", gan_weight)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"expected {key} >= 0 (a weight), got {value!r}")
        if not gan_weight and reconstruction == "discriminator":
            raise ValueError("gan_weight=0 trains no discriminator, so its features cannot "
                             "measure reconstructions: pass reconstruction='pixels' for a plain VAE")
        self.reconstruction = reconstruction
        self.reconstruction_weight = float(reconstruction_weight)
        self.kl_weight, self.gan_weight = float(kl_weight), float(gan_weight)
        self.vae_trackers = {name: keras.metrics.Mean(name=name)
                             for name in ("reconstruction_loss", "kl_loss")}

    def get_config(self):
        return {**super().get_config(), "reconstruction": self.reconstruction,
                "reconstruction_weight": self.reconstruction_weight,
                "kl_weight": self.kl_weight, "gan_weight": self.gan_weight}

    def check_networks(self):
        encoder, latent = self._unchecked_encoder, self.generator.inputs[0].shape[-1]
        if len(encoder.outputs) != 2 or any(t.shape[-1] != latent for t in encoder.outputs):
            raise ValueError(
                f"expected an encoder image -> [mean (batch, {latent}), log_variance (batch, "
                f"{latent})], got outputs {[shape_str(t.shape) for t in encoder.outputs]}")
        if len(self.discriminator.outputs) != 2:
            raise ValueError("expected a VAE-GAN discriminator image -> [logit, features], got "
                             f"{len(self.discriminator.outputs)} output(s)")
        super().check_networks()

    @property
    def metrics(self):
        return super().metrics + list(self.vae_trackers.values())

    def trained_networks(self):
        networks = super().trained_networks()
        if not self.gan_weight:  # a plain VAE: the discriminator is kept but never trained
            networks.pop("discriminator")
        return networks

    @functools.cached_property
    def _mean_encoder(self):
        # Built once, kept out of Keras's tracking (see InfoGAN._logit_only).
        return keras.Model(self.encoder.inputs[0], self.encoder.outputs[0], name="encoder_mean")

    def encoding_network(self):
        """The posterior mean ``image -> E[z | x]`` (what ``encode`` gives and export writes)."""
        return self._mean_encoder

    # ---------------------------------------------------------------- step
    def posterior(self, images, counter, salt):
        """``(z, kl)``: a reparameterised draw from ``q(z | images)`` and the KL term per example."""
        mean, log_variance = (tf.cast(t, tf.float32) for t in self.encoder(images, training=True))
        seed = tf.random.experimental.stateless_fold_in(
            self.random_seed(NOISE_STREAM_AUX, counter), salt)
        eps = self.replica_share(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed=seed),
            tf.shape(images)[0])
        z = mean + tf.exp(0.5 * log_variance) * eps
        kl = 0.5 * tf.reduce_sum(tf.square(mean) + tf.exp(log_variance) - log_variance - 1.0, -1)
        return z, kl

    def _judge(self, images):
        logit, features = self.discriminator(images, training=True)
        return tf.cast(logit, tf.float32), tf.cast(features, tf.float32)

    def reconstruction_error(self, real, again, real_features=None, again_features=None):
        """Per-example squared error of the reconstructions, in pixels or the discriminator's features."""
        if self.reconstruction == "pixels":
            a, b = real, again
        else:
            a, b = tf.stop_gradient(real_features), again_features
        return tf.reduce_sum(tf.reshape(tf.square(a - b), [tf.shape(a)[0], -1]), -1)

    def train_step(self, data):
        real, _ = self.unpack(data)
        batch_size = tf.shape(real)[0]
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer

        if self.gan_weight:
            z_prior = self.noise(batch_size, NOISE_STREAM_D, d_opt.iterations)
            z, _ = self.posterior(real, d_opt.iterations, 0)
            with tf.GradientTape() as tape:
                again, sample = self.fake(z), self.fake(z_prior)
                real_logit = self._judge(real)[0]
                again_logit = self._judge(tf.stop_gradient(again))[0]
                sample_logit = self._judge(tf.stop_gradient(sample))[0]
                per_example = (losses.minimax_discriminator_loss(real_logit, again_logit)
                               + losses.minimax_discriminator_loss(real_logit, sample_logit)) / 2
                d_loss = self.reduce_loss(self.gan_weight * per_example, self.discriminator)
            self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)
            self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)

        z_prior = self.noise(batch_size, NOISE_STREAM_G, g_opt.iterations)
        e_vars, g_vars = self.encoder.trainable_variables, self.generator.trainable_variables
        with tf.GradientTape(persistent=True) as tape:
            z, kl = self.posterior(real, g_opt.iterations, 1)
            again = self.fake(z)
            gan = tf.zeros_like(kl)
            real_features = again_features = None
            if self.gan_weight:
                _, real_features = self._judge(real)
                again_logit, again_features = self._judge(again)
                sample_logit = self._judge(self.fake(z_prior))[0]
                gan = (losses.non_saturating_generator_loss(again_logit)  # half each, as in D
                       + losses.non_saturating_generator_loss(sample_logit)) / 2
            error = self.reconstruction_error(real, again, real_features, again_features)
            e_loss = self.reduce_loss(self.kl_weight * kl + error, self.encoder)
            g_loss = self.reduce_loss(self.reconstruction_weight * error + self.gan_weight * gan,
                                      self.generator)
            scaled = [g_opt.scale_loss(e_loss), g_opt.scale_loss(g_loss)]
        grads = tape.gradient(scaled[0], e_vars) + tape.gradient(scaled[1], g_vars)
        del tape
        g_opt.apply_gradients(zip(grads, e_vars + g_vars))
        self.update_ema()
        self.g_loss_tracker.update_state(tf.reduce_mean(gan), sample_weight=batch_size)
        self.vae_trackers["reconstruction_loss"].update_state(tf.reduce_mean(error),
                                                              sample_weight=batch_size)
        self.vae_trackers["kl_loss"].update_state(tf.reduce_mean(kl), sample_weight=batch_size)
        return self.logs()

"""VAE-GAN networks (Larsen et al. 2016): encoder, decoder (the generator), discriminator.

The encoder gives the mean and log-variance of ``q(z | x)``; the decoder is
the default generator; the discriminator gives its logit and the features it
computes the logit from (its body's output), in which VAE-GAN measures
reconstructions.
"""

import keras
from keras import layers


def vae_encoder(shape, latent_dim=64, name="encoder", **kwargs):
    """``image -> [mean, log_variance]`` of the posterior, on the default discriminator's body."""
    from keras_gan_zoo.networks import discriminator_for_shape

    kwargs.pop("spectral_norm", None)  # a discriminator option
    body = discriminator_for_shape(shape, features_only=True, name="encoder_body", **kwargs)
    x = keras.Input(tuple(shape), name="image")
    h = body(x)
    mean = layers.Dense(latent_dim, dtype="float32", name="mean")(h)
    log_variance = layers.Dense(latent_dim, dtype="float32", name="log_variance",
                                kernel_initializer="zeros")(h)
    return keras.Model(x, [mean, log_variance], name=name)


def vaegan_discriminator(shape, name="discriminator", **kwargs):
    """``image -> [logit, features]``: the default discriminator that also shows its features."""
    from keras_gan_zoo.networks import discriminator_for_shape

    body = discriminator_for_shape(shape, features_only=True, name="discriminator_body", **kwargs)
    x = keras.Input(tuple(shape), name="image")
    features = body(x)
    logit = layers.Dense(1, dtype="float32", name="logit")(features)
    shown = layers.Activation("linear", dtype="float32", name="features")(features)
    return keras.Model(x, [logit, shown], name=name)


def default_networks(shape, latent_dim=64, **kwargs):
    """Default ``(generator, encoder, discriminator)`` of a VAE-GAN for square images ``shape``."""
    from keras_gan_zoo.networks import generator_for_shape

    shape = tuple(int(s) for s in shape)
    if len(shape) != 3:
        raise ValueError(f"VAE-GAN's default networks are for images (s, s, c), got shape {shape}")
    return (generator_for_shape(shape, latent_dim=latent_dim, **kwargs),
            vae_encoder(shape, latent_dim, **dict(kwargs)),
            vaegan_discriminator(shape, **kwargs))

"""BiGAN / ALI networks (Donahue et al. 2017; Dumoulin et al. 2017): generator, encoder, joint discriminator.

The generator maps ``z`` to an image, the encoder an image to ``z``; the
discriminator judges pairs ``(x, z)``: the image through the default
discriminator's body, the code through a dense layer, both joined by two
dense layers into one logit (the BiGAN paper's joint discriminator). No
batch normalisation in the encoder or the discriminator: each pair is
judged on its own.
"""

import keras
from keras import layers


def bigan_encoder(shape, latent_dim=64, name="encoder", **kwargs):
    """An encoder ``image -> z``: the default discriminator's body and a linear code layer."""
    from keras_gan_zoo.networks import discriminator_for_shape

    body = discriminator_for_shape(shape, features_only=True, name="encoder_body", **kwargs)
    x = keras.Input(tuple(shape), name="image")
    z = layers.Dense(latent_dim, dtype="float32", name="z")(body(x))
    return keras.Model(x, z, name=name)


def bigan_discriminator(shape, latent_dim=64, units=512, name="discriminator", **kwargs):
    """A joint discriminator ``[image, z] -> logit``."""
    from keras_gan_zoo.networks import discriminator_for_shape

    body = discriminator_for_shape(shape, features_only=True, name="image_body", **kwargs)
    x = keras.Input(tuple(shape), name="image")
    z = keras.Input((latent_dim,), name="z")
    code = layers.LeakyReLU(0.2)(layers.Dense(units)(z))
    h = layers.Concatenate()([body(x), code])
    h = layers.LeakyReLU(0.2)(layers.Dense(units)(h))
    logit = layers.Dense(1, dtype="float32", name="logit")(h)
    return keras.Model([x, z], logit, name=name)


def default_networks(shape, latent_dim=64, units=512, **kwargs):
    """Default ``(generator, encoder, discriminator)`` of a BiGAN for square images ``shape``.

    ``kwargs`` go to the image networks (``base_filters=``, ``architecture=``,
    ``spectral_norm=`` for the discriminator).
    """
    from keras_gan_zoo.networks import generator_for_shape

    shape = tuple(int(s) for s in shape)
    if len(shape) != 3:
        raise ValueError(f"BiGAN's default networks are for images (s, s, c), got shape {shape}")
    kwargs = dict(kwargs)
    spectral_norm = kwargs.pop("spectral_norm", None)
    d_kwargs = dict(kwargs) if spectral_norm is None else dict(kwargs, spectral_norm=spectral_norm)
    return (generator_for_shape(shape, latent_dim=latent_dim, **kwargs),
            bigan_encoder(shape, latent_dim, **kwargs),
            bigan_discriminator(shape, latent_dim, units, **d_kwargs))

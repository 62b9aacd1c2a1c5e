"""DCGAN networks (Radford et al. 2016) for square images of 8 to 64 pixels."""

import keras
from keras import layers

from keras_gan_zoo.networks.layers import (FusedBatchNormalization, LeakyReLU,
                                          MinibatchStdDev, SpectralConv2D, SpectralDense)


def _check_image_shape(image_shape, any_channels=False):
    shape = tuple(int(s) for s in image_shape)
    channels_ok = shape[-1] >= 1 if any_channels else shape[-1] in (1, 3)
    if len(shape) != 3 or shape[0] != shape[1] or not 8 <= shape[0] <= 64 or not channels_ok:
        allowed = "c >= 1" if any_channels else "c in {1, 3}"
        raise ValueError(
            "DCGAN networks: expected a square image shape (s, s, c) with "
            f"8 <= s <= 64 and {allowed}, got {image_shape}"
        )
    return shape


def _num_upsamplings(size):
    """How many stride-2 stages lead from a >= 4 pixel seed to ``size``."""
    k = 0
    while k < 4 and size % 2 ** (k + 1) == 0 and size // 2 ** (k + 1) >= 4:
        k += 1
    return k


def dcgan_generator(image_shape, latent_dim=64, base_filters=64, name="generator"):
    """A DCGAN generator ``z -> image`` in ``[-1, 1]``.

    ``z`` is projected to a small feature map (4x4 for 8, 16, 32, 64 pixels;
    7x7 for 28) and doubled in size by transposed convolutions with batch
    normalisation and ReLU, ending in ``tanh``. Batch normalisation is
    *synchronized* across replicas, so the batch statistics, and so the
    training, do not change with the number of replicas.

    Args:
        image_shape: ``(s, s, c)``, ``8 <= s <= 64``, ``c`` in {1, 3}.
        latent_dim: size of the noise input ``z``.
        base_filters: filters of the last hidden stage; each earlier stage
            has twice as many.
        name: model name.
    """
    size, _, channels = _check_image_shape(image_shape)
    k = _num_upsamplings(size)
    seed_size = size // 2**k
    filters = base_filters * 2 ** max(k - 1, 0)

    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(seed_size * seed_size * filters, use_bias=False)(z)
    x = FusedBatchNormalization(synchronized=True)(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((seed_size, seed_size, filters))(x)
    for _ in range(k - 1):
        filters //= 2
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x)
        x = FusedBatchNormalization(synchronized=True)(x)
        x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(channels, 4, strides=2 if k else 1, padding="same")(x)
    image = layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model(z, image, name=name)


def dcgan_discriminator(image_shape, base_filters=64, name="discriminator", features_only=False,
                        minibatch_std=0, spectral_norm=False):
    """A DCGAN discriminator ``image -> logit``.

    Strided convolutions with LeakyReLU(0.2) halve the image down to the
    generator's seed size, then a dense layer gives one logit. There is no
    batch normalisation, so the same network serves as a WGAN-GP critic (the
    gradient penalty is per example).

    Args:
        image_shape: ``(s, s, c)``, ``8 <= s <= 64``, any ``c`` (packed
            inputs of PacGAN have ``pack`` times the image's channels).
        base_filters: filters of the first stage; each later stage doubles.
        name: model name.
        features_only: return the flattened features instead of a logit
            (the body that conditional and InfoGAN heads share).
        minibatch_std: if > 0, a
            ``MinibatchStdDev`` channel over
            groups of this many examples is appended before the last
            features, as in ProGAN (Karras et al. 2018).
        spectral_norm: spectrally normalise the convolutions and the logit
            layer (``SpectralConv2D``).
    """
    size, _, channels = _check_image_shape(image_shape, any_channels=True)  # packs: c * pack
    k = max(_num_upsamplings(size), 1)
    image = keras.Input((size, size, channels), name="image")
    conv = SpectralConv2D if spectral_norm else layers.Conv2D
    x = image
    filters = base_filters
    for _ in range(k):
        x = conv(filters, 4, strides=2, padding="same")(x)
        x = LeakyReLU(0.2)(x)
        filters *= 2
    if minibatch_std:
        x = MinibatchStdDev(minibatch_std)(x)
    x = layers.Flatten()(x)
    if features_only:
        return keras.Model(image, x, name=name)
    dense = SpectralDense if spectral_norm else layers.Dense
    logit = dense(1, dtype="float32", name="logit")(x)
    return keras.Model(image, logit, name=name)

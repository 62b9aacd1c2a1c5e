"""Multilayer perceptrons for vector data (the toy 2-D mixtures, tabular data)."""

import keras
from keras import layers

from keras_gan_zoo.networks.layers import MinibatchStdDev


def mlp_generator(output_dim, latent_dim=64, hidden=(256, 256, 256), name="generator"):
    """An MLP generator ``z -> x`` with ReLU hidden layers and a linear output.

    The output is linear, not ``tanh``: vector data such as ``grid25`` spans
    ``[-4, 4]``.

    Args:
        output_dim: size of one generated example.
        latent_dim: size of the noise input ``z``.
        hidden: widths of the hidden layers.
        name: model name.
    """
    z = keras.Input((latent_dim,), name="z")
    x = z
    for units in hidden:
        x = layers.Dense(units, activation="relu")(x)
    x = layers.Dense(output_dim, dtype="float32", name="sample")(x)
    return keras.Model(z, x, name=name)


def mlp_discriminator(input_dim, hidden=(256, 256, 256), name="discriminator",
                      features_only=False, minibatch_std=0):
    """An MLP discriminator ``x -> logit`` with LeakyReLU(0.2) hidden layers.

    No normalisation layer: batch statistics would couple the examples of a
    batch, which breaks the per-example gradient penalty of WGAN-GP.
    ``features_only=True`` returns the last hidden layer instead of a logit.
    ``minibatch_std=g`` (> 0) appends a
    ``MinibatchStdDev`` feature over
    groups of ``g`` examples before the logit.
    """
    x_in = keras.Input((input_dim,), name="x")
    x = x_in
    for units in hidden:
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(0.2)(x)
    if minibatch_std:
        x = MinibatchStdDev(minibatch_std)(x)
    if features_only:
        return keras.Model(x_in, x, name=name)
    logit = layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(x_in, logit, name=name)

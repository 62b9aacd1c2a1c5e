"""The InfoGAN paper's MNIST networks (Chen et al. 2016, appendix C.1).

Unlike the DCGAN networks, the generator starts with two dense layers and the
discriminator ends with one, and the discriminator has batch normalisation:

* generator: ``z`` -> Dense 1024 -> Dense (s/4 * s/4 * 2f) -> ConvT f 4x4 /2
  -> ConvT c 4x4 /2 -> tanh, each hidden layer with batch norm and ReLU;
* discriminator body: Conv f 4x4 /2 -> Conv 2f 4x4 /2 -> Dense 1024, with
  LeakyReLU(0.1) and batch norm after every layer but the first.

``f`` is ``base_filters`` (64 in the paper) and 1024 is ``dense_units``. All
batch normalisation is *synchronized* across replicas, so training does not
change with their number. On MNIST these networks let the categorical code
find the digits where the DCGAN networks stall (see the README's quality
table).
"""

import keras
from keras import layers

from keras_gan_zoo.networks.layers import FusedBatchNormalization


def _check_infogan_shape(image_shape):
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 3 or shape[0] != shape[1] or shape[0] % 4 or not 8 <= shape[0] <= 64:
        raise ValueError(
            "InfoGAN paper networks: expected a square image shape (s, s, c) with s a multiple "
            f"of 4 from 8 to 64, got {image_shape}; pass architecture='dcgan' for other sizes"
        )
    return shape


def _norm_act(x, act):
    x = FusedBatchNormalization(synchronized=True)(x)
    return layers.ReLU()(x) if act == "relu" else layers.LeakyReLU(0.1)(x)


def infogan_generator(image_shape, latent_dim=74, base_filters=64, dense_units=1024,
                      name="generator"):
    """The paper's generator ``z -> image`` in ``[-1, 1]`` (see the module docstring)."""
    size, _, channels = _check_infogan_shape(image_shape)
    seed = size // 4
    z = keras.Input((latent_dim,), name="z")
    x = _norm_act(layers.Dense(dense_units, use_bias=False)(z), "relu")
    x = _norm_act(layers.Dense(seed * seed * 2 * base_filters, use_bias=False)(x), "relu")
    x = layers.Reshape((seed, seed, 2 * base_filters))(x)
    x = layers.Conv2DTranspose(base_filters, 4, strides=2, padding="same", use_bias=False)(x)
    x = _norm_act(x, "relu")
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same")(x)
    image = layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model(z, image, name=name)


def infogan_discriminator_body(image_shape, base_filters=64, dense_units=1024,
                               name="discriminator_body"):
    """The paper's discriminator without its heads: ``image -> features (dense_units,)``."""
    size, _, channels = _check_infogan_shape(image_shape)
    image = keras.Input((size, size, channels), name="image")
    x = layers.LeakyReLU(0.1)(layers.Conv2D(base_filters, 4, strides=2, padding="same")(image))
    x = layers.Conv2D(2 * base_filters, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.Flatten()(_norm_act(x, "leaky"))
    x = _norm_act(layers.Dense(dense_units, use_bias=False)(x), "leaky")
    return keras.Model(image, x, name=name)

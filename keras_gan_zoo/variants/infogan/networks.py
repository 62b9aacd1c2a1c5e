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


def default_networks(shape, latent_dim=62, num_categories=10, num_continuous=2,
                     architecture=None, **kwargs):
    """Default InfoGAN networks for examples of ``shape``.

    Args:
        shape: one example's shape: an image ``(s, s, c)`` or a vector ``(d,)``.
        latent_dim, num_categories, num_continuous: sizes of the latent parts
            (``latent_dim`` is the noise ``z``'s, without the codes).
        architecture: ``"infogan"`` (the default for images whose side is a
            multiple of 4: the paper's MNIST networks, see
            ``infogan_generator``; options ``base_filters``,
            ``dense_units``), ``"dcgan"`` (the DCGAN networks of the other
            variants; options ``base_filters``, ``minibatch_std``) or
            ``"mlp"`` (the default and only choice for vectors; option
            ``hidden``).
        **kwargs: the chosen architecture's options.

    Returns:
        ``(generator, discriminator)``: the generator has inputs ``[z
        (batch, latent_dim), categorical (batch,) int32, continuous (batch,
        num_continuous)]``; the discriminator maps an example to
        ``[logit (batch, 1), categorical_logits (batch, K), continuous (batch, C)]``.
        The Q head (Dense 128, LeakyReLU, then the two code outputs) shares
        the discriminator's body; with the paper's networks it has batch
        normalisation and LeakyReLU(0.1) as in the paper.
    """
    from keras_gan_zoo import networks

    shape = tuple(int(s) for s in shape)
    choices = ("mlp",) if len(shape) == 1 else ("infogan", "dcgan")
    if architecture is None:
        architecture = "dcgan" if len(shape) == 3 and shape[0] % 4 else choices[0]
    if architecture not in choices:
        raise ValueError(
            f"expected architecture in {choices} for examples of shape {shape}, got "
            f"{architecture!r}"
        )
    if "noise_dim" in kwargs:
        raise TypeError("InfoGAN's default_networks: noise_dim= was renamed latent_dim= in 0.2.0")
    noise_dim = latent_dim
    latent_dim = noise_dim + num_categories + num_continuous
    if architecture == "infogan":
        body = infogan_generator(shape, latent_dim=latent_dim, name="generator_body", **kwargs)
        features = infogan_discriminator_body(shape, **kwargs)
    else:
        minibatch_std = kwargs.pop("minibatch_std", 0)  # a discriminator option
        body = networks.generator_for_shape(shape, latent_dim=latent_dim, name="generator_body",
                                            **kwargs)
        features = networks.discriminator_for_shape(shape, features_only=True,
                                                    name="discriminator_body",
                                                    minibatch_std=minibatch_std, **kwargs)
    z = keras.Input((noise_dim,), name="z")
    categorical = keras.Input((), dtype="int32", name="categorical")
    continuous = keras.Input((num_continuous,), name="continuous")
    one_hot = layers.CategoryEncoding(num_categories, output_mode="one_hot")(categorical)
    example = body(layers.Concatenate()([z, one_hot, continuous]))
    generator = keras.Model([z, categorical, continuous], example, name="generator")

    x = keras.Input(shape, name="example")
    phi = features(x)
    logit = layers.Dense(1, dtype="float32", name="logit")(phi)
    if architecture == "infogan":
        q = layers.Dense(128, use_bias=False, name="q_hidden")(phi)
        q = layers.LeakyReLU(0.1)(FusedBatchNormalization(synchronized=True)(q))
    else:
        q = layers.LeakyReLU(0.2)(layers.Dense(128, name="q_hidden")(phi))
    cat_logits = layers.Dense(num_categories, dtype="float32", name="categorical_logits")(q)
    cont_mean = layers.Dense(num_continuous, dtype="float32", name="continuous_mean")(q)
    discriminator = keras.Model(x, [logit, cat_logits, cont_mean], name="discriminator")
    return generator, discriminator

"""Class-conditional networks: a generator ``(z, label) -> example`` and a
projection discriminator ``(example, label) -> logit`` (Miyato and Koyama 2018).

The generator feeds ``concat(z, one_hot(label))`` to the unconditional
default generator. The discriminator computes features ``phi(x)`` with the
unconditional body and returns ``w . phi(x) + embed(label) . phi(x)``: the
label enters as an inner product with the features, which trains more
stably than concatenating it to the input.

Labels are int32 of shape ``(batch,)``.
"""

import keras
from keras import layers


def conditional_generator(shape, num_classes, latent_dim=64, **kwargs):
    """The generator ``[z, label] -> example``: the unconditional default on ``concat(z, one_hot)``.

    ``kwargs`` go to ``keras_gan_zoo.networks.generator_for_shape``.
    """
    from keras_gan_zoo.networks import generator_for_shape

    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"expected num_classes to be an integer >= 2, got {num_classes!r}")
    body = generator_for_shape(shape, latent_dim=latent_dim + num_classes,
                               name="generator_body", **kwargs)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot")(label)
    return keras.Model([z, label], body(layers.Concatenate()([z, one_hot])), name="generator")


def default_networks(shape, num_classes, latent_dim=64, **kwargs):
    """Default ``(generator, discriminator)`` for class-conditional data.

    Args:
        shape: shape of one example (``(d,)`` or ``(s, s, c)``).
        num_classes: number of classes; labels are ``0 .. num_classes - 1``.
        latent_dim: size of the noise input ``z``.
        **kwargs: passed to the unconditional builders (``hidden=``,
            ``base_filters=``).

    Returns:
        ``(generator, discriminator)``, functional models with inputs
        ``[z, label]`` and ``[example, label]``.
    """
    from keras_gan_zoo.networks import discriminator_for_shape

    minibatch_std = kwargs.pop("minibatch_std", 0)  # a discriminator option
    generator = conditional_generator(shape, num_classes, latent_dim, **kwargs)
    features = discriminator_for_shape(shape, features_only=True,
                                       name="discriminator_body", minibatch_std=minibatch_std, **kwargs)
    example = keras.Input(tuple(shape), name="example")
    d_label = keras.Input((), dtype="int32", name="label")
    phi = features(example)
    embedded = layers.Embedding(num_classes, phi.shape[-1], name="class_embedding")(d_label)
    projection = layers.Dot(axes=1)([embedded, phi])
    logit = layers.Add(dtype="float32", name="logit")(
        [layers.Dense(1, dtype="float32")(phi), layers.Activation("linear", dtype="float32")(projection)]
    )
    discriminator = keras.Model([example, d_label], logit, name="discriminator")
    return generator, discriminator

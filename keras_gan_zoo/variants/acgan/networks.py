"""ACGAN networks (Odena et al. 2017): the conditional generator and a two-headed discriminator.

The generator is the conditional one (``[z, label] -> example``, the label
one-hot encoded beside the noise). The discriminator does not see the label:
one body computes features of the example, and two heads read them, a
real-or-fake logit and ``num_classes`` class logits.
"""

import keras
from keras import layers

from keras_gan_zoo.variants.conditional_gan.networks import conditional_generator


def default_networks(shape, num_classes, latent_dim=64, **kwargs):
    """Default ``(generator, discriminator)`` of an ACGAN.

    Args:
        shape: shape of one example (``(d,)`` or ``(s, s, c)``).
        num_classes: number of classes.
        latent_dim: size of the noise input ``z``.
        **kwargs: passed to the unconditional builders (``base_filters=``,
            ``architecture=``, ``spectral_norm=``, ``minibatch_std=``).

    Returns:
        ``(generator, discriminator)``: ``[z, label] -> example`` and
        ``example -> [logit (batch, 1), class_logits (batch, num_classes)]``.
    """
    from keras_gan_zoo.networks import discriminator_for_shape

    minibatch_std = kwargs.pop("minibatch_std", 0)  # a discriminator option
    generator = conditional_generator(shape, num_classes, latent_dim, **kwargs)
    features = discriminator_for_shape(shape, features_only=True, name="discriminator_body",
                                       minibatch_std=minibatch_std, **kwargs)
    example = keras.Input(tuple(shape), name="example")
    phi = features(example)
    logit = layers.Dense(1, dtype="float32", name="logit")(phi)
    class_logits = layers.Dense(num_classes, dtype="float32", name="class_logits")(phi)
    return generator, keras.Model(example, [logit, class_logits], name="discriminator")

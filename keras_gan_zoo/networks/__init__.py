"""Builders of default generators and discriminators (functional Keras models).

Generators map a latent vector ``z`` of shape ``(latent_dim,)`` to an example;
discriminators map an example to one logit. Image generators end in ``tanh``:
images live in ``[-1, 1]``. Output layers are float32 so the networks can be
trained under a mixed-precision policy.

Example:
    >>> from keras_gan_zoo import networks
    >>> g, d = networks.for_shape((28, 28, 1), latent_dim=64)
    >>> g.output_shape, d.output_shape
    ((None, 28, 28, 1), (None, 1))
"""

from keras_gan_zoo.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gan_zoo.networks.mlp import mlp_discriminator, mlp_generator
from keras_gan_zoo.networks.conditional import conditional_for_shape
from keras_gan_zoo.networks.cyclegan import patch_discriminator, resnet_generator
from keras_gan_zoo.networks.infogan import infogan_discriminator_body, infogan_generator
from keras_gan_zoo.networks.layers import MinibatchStdDev

__all__ = [
    "DEFAULT_LATENT_DIM",
    "MinibatchStdDev",
    "conditional_for_shape",
    "discriminator_for_shape",
    "generator_for_shape",
    "dcgan_discriminator",
    "dcgan_generator",
    "for_shape",
    "infogan_discriminator_body",
    "infogan_generator",
    "mlp_discriminator",
    "mlp_generator",
    "patch_discriminator",
    "resnet_generator",
]

#: Latent size used by :func:`for_shape` when none is given.
DEFAULT_LATENT_DIM = 64


def _check_shape(shape):
    shape = tuple(int(s) for s in shape)
    if len(shape) not in (1, 3):
        raise ValueError(
            f"no default networks for examples of shape {shape}; expected a vector "
            "(d,) or a square image (s, s, c) with 8 <= s <= 64 and c in {1, 3}. "
            "Pass your own generator and discriminator instead."
        )
    return shape


def generator_for_shape(shape, latent_dim=DEFAULT_LATENT_DIM, **kwargs):
    """The default generator ``z -> example`` for ``shape`` (see :func:`for_shape`)."""
    shape = _check_shape(shape)
    if len(shape) == 1:
        return mlp_generator(shape[0], latent_dim=latent_dim, **kwargs)
    return dcgan_generator(shape, latent_dim=latent_dim, **kwargs)


def discriminator_for_shape(shape, features_only=False, **kwargs):
    """The default discriminator for ``shape``; ``features_only`` drops its logit layer."""
    shape = _check_shape(shape)
    if len(shape) == 1:
        return mlp_discriminator(shape[0], features_only=features_only, **kwargs)
    return dcgan_discriminator(shape, features_only=features_only, **kwargs)


def for_shape(shape, latent_dim=DEFAULT_LATENT_DIM, **kwargs):
    """Default ``(generator, discriminator)`` for examples of ``shape``.

    * ``(d,)`` vectors: MLPs (:func:`mlp_generator`, :func:`mlp_discriminator`).
    * ``(s, s, c)`` square images, ``8 <= s <= 64``, ``c`` in {1, 3}: DCGAN
      networks (:func:`dcgan_generator`, :func:`dcgan_discriminator`).

    Args:
        shape: shape of one example, without the batch dimension.
        latent_dim: size of the generator's noise input.
        **kwargs: passed to both builders (``hidden=`` for MLPs,
            ``base_filters=`` for DCGAN networks), except ``minibatch_std=``
            (discriminator only: see :class:`MinibatchStdDev`).

    Returns:
        ``(generator, discriminator)``, both functional ``keras.Model``.
    """
    minibatch_std = kwargs.pop("minibatch_std", 0)
    return (
        generator_for_shape(shape, latent_dim=latent_dim, **kwargs),
        discriminator_for_shape(shape, minibatch_std=minibatch_std, **kwargs),
    )

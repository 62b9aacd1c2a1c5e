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
from keras_gan_zoo.networks.translators import patch_discriminator, resnet_translator
from keras_gan_zoo.networks.layers import (FusedBatchNormalization, LeakyReLU, MinibatchStdDev,
                                          SeededDropout, SelfAttention, SpectralConv2D,
                                          SpectralDense)
from keras_gan_zoo.networks.resnet import sngan_discriminator, sngan_generator


def __getattr__(name):
    # the variants' own builders, here before they moved to their folders (0.4 and older)
    from keras_gan_zoo import legacy

    return legacy.attribute(__name__, name)


__all__ = [
    "architecture_for_shape",
    "ARCHITECTURES",
    "dcgan_discriminator",
    "dcgan_generator",
    "DEFAULT_LATENT_DIM",
    "discriminator_for_shape",
    "for_shape",
    "FusedBatchNormalization",
    "generator_for_shape",
    "LeakyReLU",
    "MinibatchStdDev",
    "mlp_discriminator",
    "mlp_generator",
    "patch_discriminator",
    "resnet_translator",
    "SeededDropout",
    "SelfAttention",
    "sngan_discriminator",
    "sngan_generator",
    "SpectralConv2D",
    "SpectralDense",
]

#: Latent size used by ``for_shape`` when none is given.
DEFAULT_LATENT_DIM = 64


#: The image architectures ``for_shape`` can build (``"auto"`` picks one by size).
ARCHITECTURES = ("auto", "dcgan", "resnet", "mlp")

#: Largest image size the DCGAN networks are built for; ``"auto"`` uses ResNets above it.
DCGAN_MAX_SIZE = 64


def _check_shape(shape):
    shape = tuple(int(s) for s in shape)
    if len(shape) not in (1, 3):
        raise ValueError(
            f"no default networks for examples of shape {shape}; expected a vector "
            "(d,) or a square image (s, s, c) with 8 <= s <= 256 and c in {1, 3}. "
            "Pass your own generator and discriminator instead."
        )
    return shape


def architecture_for_shape(shape, architecture="auto"):
    """The architecture ``for_shape`` builds: ``"mlp"``, ``"dcgan"`` or ``"resnet"``.

    ``"auto"`` takes MLPs for vectors, DCGAN networks for images up to 64 px
    and ResNets above.
    """
    shape = _check_shape(shape)
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {architecture!r}; expected one of "
                         f"{', '.join(map(repr, ARCHITECTURES))}")
    if (len(shape) == 1) != (architecture in ("auto", "mlp")) and architecture != "auto":
        kind = "images" if architecture != "mlp" else "vectors"
        raise ValueError(f"architecture={architecture!r} is for {kind}, not for examples of "
                         f"shape {shape} (leave architecture out)")
    if len(shape) == 1:
        return "mlp"
    if architecture == "auto":
        return "dcgan" if shape[0] <= DCGAN_MAX_SIZE and shape[0] == shape[1] else "resnet"
    return architecture


def _image_only(kwargs, architecture):
    for key in ("attention", "spectral_norm"):
        if kwargs.get(key) and architecture == "mlp":
            raise ValueError(f"{key}= is an option of the image networks, not of the MLPs")
    if kwargs.get("attention") is not None and architecture == "dcgan":
        raise ValueError("attention= is an option of the ResNet networks; pass "
                         'architecture="resnet" with it')


def generator_for_shape(shape, latent_dim=DEFAULT_LATENT_DIM, architecture="auto", **kwargs):
    """The default generator ``z -> example`` for ``shape`` (see ``for_shape``)."""
    architecture = architecture_for_shape(shape, architecture)
    kwargs.pop("spectral_norm", None)  # a discriminator option
    _image_only(kwargs, architecture)
    if architecture == "mlp":
        return mlp_generator(shape[0], latent_dim=latent_dim, **kwargs)
    if architecture == "resnet":
        return sngan_generator(shape, latent_dim=latent_dim, **kwargs)
    kwargs.pop("attention", None)
    return dcgan_generator(shape, latent_dim=latent_dim, **kwargs)


def discriminator_for_shape(shape, features_only=False, architecture="auto", **kwargs):
    """The default discriminator for ``shape``; ``features_only`` drops its logit layer.

    ``architecture`` is that of the images the generator makes: a packed
    PacGAN input (more channels) gets the same architecture.
    """
    architecture = architecture_for_shape(shape, architecture)
    _image_only(kwargs, architecture)
    if architecture == "mlp":
        kwargs.pop("spectral_norm", None)
        return mlp_discriminator(shape[0], features_only=features_only, **kwargs)
    if architecture == "resnet":
        if kwargs.get("spectral_norm") is None:
            kwargs.pop("spectral_norm", None)  # the ResNets' own default: on
        return sngan_discriminator(shape, features_only=features_only, **kwargs)
    kwargs.pop("attention", None)
    kwargs["spectral_norm"] = bool(kwargs.get("spectral_norm"))
    return dcgan_discriminator(shape, features_only=features_only, **kwargs)


def for_shape(shape, latent_dim=DEFAULT_LATENT_DIM, architecture="auto", **kwargs):
    """Default ``(generator, discriminator)`` for examples of ``shape``.

    * ``(d,)`` vectors: MLPs (``mlp_generator``, ``mlp_discriminator``).
    * ``(s, s, c)`` square images, ``c`` in {1, 3}: DCGAN networks
      (``dcgan_generator``, ``dcgan_discriminator``) up to 64 px,
      ResNets (``sngan_generator``, ``sngan_discriminator``, SNGAN
      style, up to 256 px) above; ``architecture=`` picks one by name.

    Args:
        shape: shape of one example, without the batch dimension.
        latent_dim: size of the generator's noise input.
        architecture: ``"auto"``, ``"dcgan"`` or ``"resnet"`` for images
            (``"mlp"`` for vectors).
        **kwargs: passed to both builders (``hidden=`` for MLPs,
            ``base_filters=`` for image networks, ``attention=`` (a
            resolution) for ResNets), except the discriminator's own
            ``minibatch_std=`` (see ``MinibatchStdDev``) and
            ``spectral_norm=`` (spectrally normalised discriminator layers:
            off for DCGAN networks, on for ResNets unless ``False``).

    Returns:
        ``(generator, discriminator)``, both functional ``keras.Model``.

    Example:
        >>> g, d = for_shape((128, 128, 3), attention=32)   # SAGAN-style ResNets
    """
    kwargs = dict(kwargs)
    d_only = {key: kwargs.pop(key) for key in ("minibatch_std", "spectral_norm") if key in kwargs}
    architecture = architecture_for_shape(shape, architecture)
    return (
        generator_for_shape(shape, latent_dim=latent_dim, architecture=architecture, **kwargs),
        discriminator_for_shape(shape, architecture=architecture, **kwargs, **d_only),
    )

"""SAGAN's networks (Zhang et al. 2019): ResNets with self-attention and spectral norm in both.

As the paper's official code builds them: the ResNet blocks of SNGAN, a
self-attention block (``SelfAttention``:
queries and keys of C/8 channels, values of C/2, keys and values max-pooled
2x2, the gate ``gamma`` starting at 0) after the block at 32x32 in the
generator and in the discriminator (the paper's best place, its table 1), and
spectral normalisation on every convolution and dense layer of *both* networks,
the attention's included (the paper's first stabiliser: SN in the generator
too). The generator keeps batch normalisation (synchronized across replicas,
so training does not change with their number).
"""

import math

import keras
from keras import layers

from keras_gan_zoo.networks.layers import (FusedBatchNormalization, SelfAttention,
                                          SpectralConv2D, SpectralDense)
from keras_gan_zoo.networks.resnet import (default_base_filters, resnet_stages,
                                           sngan_discriminator, stage_width, up_block)

__all__ = ["default_attention", "default_networks", "generator_attention", "sagan_generator"]


def default_attention(resolutions):
    """Where the self-attention block goes among a network's block ``resolutions``: at 32x32,
    the paper's best place (its table 1), or at the resolution nearest to it."""
    return min(resolutions, key=lambda r: (abs(math.log2(r / 32)), -r))


def generator_attention(resolutions, attention=None):
    """Where a generator's self-attention block goes among its blocks' ``resolutions``:
    ``default_attention`` when ``None``, else ``attention`` if a block ends there (a
    ``ValueError`` names the resolutions otherwise)."""
    attention = default_attention(resolutions) if attention is None else attention
    if attention not in resolutions:
        raise ValueError(f"attention={attention!r}: the generator's blocks end at resolutions "
                         f"{', '.join(map(str, resolutions))}; expected one of them")
    return attention


def sagan_generator(image_shape, latent_dim=128, base_filters=None, attention=None,
                    name="generator"):
    """SAGAN's generator ``z -> image`` in ``[-1, 1]``.

    Args:
        image_shape: ``(s, s, c)``, ``s`` 4 to 7 times a power of two up to 256.
        latent_dim: size of the noise ``z`` (the paper: 128).
        base_filters: channels of the last stage, 8 times as many at the first
            (default: the ResNets' default for the size).
        attention: resolution after whose block the self-attention block sits
            (default: 32, or the nearest block; ``default_attention``).
        name: model name.
    """
    size, channels, seed, k = resnet_stages(image_shape)
    resolutions = [seed * 2 ** (i + 1) for i in range(k)]
    attention = generator_attention(resolutions, attention)
    base_filters = base_filters or default_base_filters(size)
    z = keras.Input((latent_dim,), name="z")
    filters = stage_width(base_filters, size, seed)
    x = layers.Reshape((seed, seed, filters))(
        SpectralDense(seed * seed * filters, name="project")(z))
    for i, resolution in enumerate(resolutions):
        x = up_block(x, stage_width(base_filters, size, resolution), name=f"up{i}",
                     conv=SpectralConv2D)
        if resolution == attention:
            x = SelfAttention(spectral_norm=True, name=f"attention{resolution}")(x)
    x = layers.ReLU()(FusedBatchNormalization(synchronized=True, name="out_bn")(x))
    x = SpectralConv2D(channels, 3, padding="same", name="to_image")(x)
    image = layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model(z, image, name=name)


def default_networks(shape, latent_dim=128, base_filters=None, attention=None):
    """``(generator, discriminator)`` of SAGAN for square images ``shape``.

    The discriminator is SNGAN's ResNet discriminator (spectral norm on every
    layer) with a self-attention block. ``attention`` (a resolution) places
    both blocks; by default each network has its block at 32x32, or at its
    block nearest to that (``default_attention``).
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3:
        raise ValueError(f"SAGAN's networks are for square images (s, s, c), got shape {shape}")
    size, _, seed, k = resnet_stages(shape)
    generator = sagan_generator(shape, latent_dim=latent_dim, base_filters=base_filters,
                                attention=attention)
    d_attention = default_attention([seed * 2**i for i in range(k)]) if attention is None \
        else attention
    discriminator = sngan_discriminator(shape, base_filters=base_filters, attention=d_attention,
                                        spectral_norm=True)
    return generator, discriminator

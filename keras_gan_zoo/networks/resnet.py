"""ResNet generator and discriminator (SNGAN / BigGAN style) for square images up to 256 px.

The networks of Miyato et al. 2018 ("Spectral Normalization for GANs",
appendix B) and, with a self-attention block, of SAGAN (Zhang et al. 2019):

* the **generator** projects ``z`` to a small feature map (4 to 7 pixels) and
  doubles it in residual *up* blocks (BN, ReLU, nearest-neighbour upsampling,
  3x3 convolution, BN, ReLU, 3x3 convolution; the shortcut upsamples and
  applies a 1x1 convolution), then BN, ReLU, a 3x3 convolution and ``tanh``;
* the **discriminator** halves the image in residual *down* blocks (ReLU,
  3x3 convolution, ReLU, 3x3 convolution, 2x2 average pooling; the first
  block applies no ReLU to the image), then ReLU, a sum over positions and one
  dense logit. Its layers are spectrally normalised by default
  (``SpectralConv2D``).

Widths: the stage at resolution ``r`` of an ``s``-pixel network has
``base_filters * min(s // r, 8)`` channels, so the widest stage (at the
smallest resolution) has 8 times ``base_filters``. The default
``base_filters`` shrinks with the size (``default_base_filters``), so
that a step at 128 or 256 px stays affordable on a CPU.

The generator's batch normalisation is synchronized across replicas (as in
the DCGAN generator), so training does not change with the number of
replicas; the discriminator has none, so it judges examples one by one
(gradient penalties and WGAN critics need that).
"""

import keras
from keras import layers

from keras_gan_zoo.networks.layers import (FusedBatchNormalization, MinibatchStdDev,
                                          SelfAttention, SpectralConv2D, SpectralDense)

__all__ = ["default_base_filters", "resnet_stages", "sngan_discriminator", "sngan_generator",
           "stage_width", "up_block"]

MAX_SIZE = 256

#: the default ``base_filters`` by largest size: 32 up to 64 px, 16 up to 128, 8 above
DEFAULT_WIDTHS = ((64, 32), (128, 16), (MAX_SIZE, 8))


def default_base_filters(size):
    """The ResNets' default ``base_filters`` for ``size``-pixel images (``DEFAULT_WIDTHS``).

    32 up to 64 px; 16 at 128 px, the width of the small-data recipe that the
    docs' small-data page measured at 64 and 128 px; 8 at 256 px, where
    wider networks need several GB and minutes a step on a small CPU (the
    docs' performance page, "Step time per resolution", measures each).
    """
    return next(width for largest, width in DEFAULT_WIDTHS if size <= largest)


def resnet_stages(image_shape, any_channels=False):
    """``(size, channels, seed size, number of resolution doublings)`` for a square image.

    Sizes are ``seed * 2**k`` with ``4 <= seed <= 7`` and ``k >= 1``, up to
    256: 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, ..., 128, ..., 256.
    """
    shape = tuple(int(s) for s in image_shape)
    ok = len(shape) == 3 and shape[0] == shape[1] and 8 <= shape[0] <= MAX_SIZE
    channels_ok = ok and (shape[2] >= 1 if any_channels else shape[2] in (1, 3))
    if ok:
        size, k = shape[0], 0
        while size % 2 == 0 and size // 2 >= 4:
            size, k = size // 2, k + 1
        ok = size <= 7 and k >= 1
    if not (ok and channels_ok):
        allowed = "c >= 1" if any_channels else "c in {1, 3}"
        raise ValueError(
            f"ResNet networks: expected a square image shape (s, s, c) with s = 4..7 times a "
            f"power of two, 8 <= s <= {MAX_SIZE} (e.g. 32, 48, 64, 96, 128, 256) and {allowed}, "
            f"got {image_shape}; resize the images (kgz.data.load(..., size=128)) or pass your "
            "own networks")
    return shape[0], shape[2], size, k


def stage_width(base_filters, size, resolution):
    """Channels of the stage at ``resolution`` of a ``size``-pixel network."""
    return base_filters * min(size // resolution, 8)


def up_block(x, filters, name, conv=layers.Conv2D):
    """SNGAN's residual up block; ``conv`` is the convolution (``SpectralConv2D`` for SAGAN)."""
    h = layers.ReLU()(FusedBatchNormalization(synchronized=True, name=f"{name}_bn1")(x))
    h = layers.UpSampling2D(2, name=f"{name}_up")(h)
    h = conv(filters, 3, padding="same", name=f"{name}_conv1")(h)
    h = layers.ReLU()(FusedBatchNormalization(synchronized=True, name=f"{name}_bn2")(h))
    h = conv(filters, 3, padding="same", name=f"{name}_conv2")(h)
    shortcut = conv(filters, 1, name=f"{name}_shortcut")(
        layers.UpSampling2D(2, name=f"{name}_shortcut_up")(x))
    return layers.Add(name=f"{name}_out")([h, shortcut])


def sngan_generator(image_shape, latent_dim=128, base_filters=None, attention=None,
                     name="generator"):
    """A ResNet generator ``z -> image`` in ``[-1, 1]``.

    Args:
        image_shape: ``(s, s, c)``; see ``resnet_stages`` for the sizes.
        latent_dim: size of the noise input ``z``.
        base_filters: channels of the last stage; the first has 8 times as many
            (default: ``default_base_filters`` of the size).
        attention: resolution (e.g. 32) after whose block a
            ``SelfAttention`` block is
            placed (SAGAN); ``None`` for none.
        name: model name.
    """
    size, channels, seed, k = resnet_stages(image_shape)
    # the generator's blocks end at 2 * seed ... size
    _check_attention(attention, [seed * 2 ** (i + 1) for i in range(k)], "generator")
    base_filters = base_filters or default_base_filters(size)
    z = keras.Input((latent_dim,), name="z")
    filters = stage_width(base_filters, size, seed)
    x = layers.Reshape((seed, seed, filters))(layers.Dense(seed * seed * filters, name="project")(z))
    resolution = seed
    for i in range(k):
        resolution *= 2
        x = up_block(x, stage_width(base_filters, size, resolution), name=f"up{i}")
        if resolution == attention:
            x = SelfAttention(name=f"attention{resolution}")(x)
    x = layers.ReLU()(FusedBatchNormalization(synchronized=True, name="out_bn")(x))
    x = layers.Conv2D(channels, 3, padding="same", name="to_image")(x)
    image = layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model(z, image, name=name)


def _down_block(x, filters, first, conv, name):
    h = x if first else layers.ReLU()(x)
    h = conv(filters, 3, padding="same", name=f"{name}_conv1")(h)
    h = conv(filters, 3, padding="same", name=f"{name}_conv2")(layers.ReLU()(h))
    h = layers.AveragePooling2D(2, name=f"{name}_pool")(h)
    # The shortcut projects, then pools. SNGAN's optimised first block pools first, which
    # is the same map (a 1x1 convolution and an average commute), but there TensorFlow's
    # oneDNN remapper fuses that convolution into the sum and then fails on the next
    # block's gradient ("remapper failed: ... fanout ... for missing node"), logging an
    # error and leaving the whole step unfused.
    shortcut = layers.AveragePooling2D(2, name=f"{name}_shortcut_pool")(
        conv(filters, 1, name=f"{name}_shortcut")(x))
    return layers.Add(name=f"{name}_out")([h, shortcut])


def sngan_discriminator(image_shape, base_filters=None, attention=None, spectral_norm=True,
                         minibatch_std=0, features_only=False, name="discriminator"):
    """A ResNet discriminator ``image -> logit``.

    Args:
        image_shape: ``(s, s, c)``, any ``c`` (packed PacGAN inputs have
            ``pack`` times the image's channels).
        base_filters: channels of the first stage; the last has 8 times as many
            (default: ``default_base_filters`` of the size).
        attention: resolution of the feature map (e.g. 32) after whose block
            a self-attention block is placed; ``None`` for none.
        spectral_norm: spectrally normalise every convolution and the logit
            layer (SNGAN; on by default for these networks).
        minibatch_std: if > 0, a
            ``MinibatchStdDev`` channel
            over groups of this many examples before the last features.
        features_only: return the pooled features instead of a logit.
        name: model name.
    """
    size, channels, seed, k = resnet_stages(image_shape, any_channels=True)
    # the discriminator's blocks end at size / 2 ... seed
    _check_attention(attention, [seed * 2**i for i in range(k)], "discriminator")
    base_filters = base_filters or default_base_filters(size)
    conv = SpectralConv2D if spectral_norm else layers.Conv2D
    dense = SpectralDense if spectral_norm else layers.Dense
    image = keras.Input((size, size, channels), name="image")
    x, resolution = image, size
    for i in range(k):
        resolution //= 2
        x = _down_block(x, stage_width(base_filters, size, resolution), i == 0, conv,
                        name=f"down{i}")
        if resolution == attention:
            x = SelfAttention(spectral_norm=spectral_norm, name=f"attention{resolution}")(x)
    if minibatch_std:
        x = MinibatchStdDev(minibatch_std)(x)
    x = layers.ReLU()(x)
    # the sum over positions of SNGAN, as a mean times the (fixed) number of positions
    x = layers.Rescaling(float(seed * seed), name="sum_pool")(layers.GlobalAveragePooling2D()(x))
    if features_only:
        return keras.Model(image, x, name=name)
    logit = dense(1, dtype="float32", name="logit")(x)
    return keras.Model(image, logit, name=name)


def _check_attention(attention, resolutions, network):
    if attention is None:
        return
    if isinstance(attention, bool) or attention not in resolutions:
        raise ValueError(
            f"attention={attention!r}: the {network}'s blocks end at resolutions "
            f"{', '.join(map(str, sorted(resolutions)))}; expected one of them or None")

"""GauGAN networks (Park et al. 2019): a SPADE generator, a style encoder, multi-scale PatchGANs.

SPADE (spatially-adaptive denormalisation) normalises a feature map without
learned parameters and then scales and shifts it, pixel by pixel, by
``gamma`` and ``beta`` computed from the semantic map by a small
convolutional network: ``norm(x) * (1 + gamma(map)) + beta(map)``. Where a
generator fed the map at its input would wash the layout out with its own
normalisations, SPADE hands the layout to every block again. The generator
starts from a code ``z`` (random, or the style encoder's code of a photo)
on a coarse grid and upsamples through SPADE residual blocks.

The parameter-free normalisation is synchronised batch norm, as the paper
(the statistics of the global batch, so the same on one replica or many), or
instance norm (``norm="instance"``). The discriminators are PatchGANs on
the map and the image stacked, at full and half resolution; each returns its
intermediate feature maps for the feature-matching loss, its patch logits
last.
"""

import math

import keras
from keras import layers

from keras_gan_zoo.networks.layers import FusedBatchNormalization, SpectralConv2D


def _free_norm(norm):
    if norm == "batch":
        return FusedBatchNormalization(center=False, scale=False, synchronized=True)
    return layers.GroupNormalization(groups=-1, center=False, scale=False, epsilon=1e-5)


def _conv(spectral_norm, filters, kernel, **kwargs):
    return (SpectralConv2D if spectral_norm else layers.Conv2D)(filters, kernel, padding="same",
                                                                 **kwargs)


def spade(x, segmap, hidden=128, norm="batch"):
    """``norm(x) * (1 + gamma(map)) + beta(map)``, the map resized to ``x`` (nearest)."""
    size = x.shape[1:3]
    if tuple(segmap.shape[1:3]) != tuple(size):
        segmap = layers.Resizing(*size, interpolation="nearest")(segmap)
    shared = layers.Conv2D(hidden, 3, padding="same", activation="relu")(segmap)
    gamma = layers.Conv2D(x.shape[-1], 3, padding="same")(shared)
    beta = layers.Conv2D(x.shape[-1], 3, padding="same")(shared)
    normalized = _free_norm(norm)(x)
    return layers.Add()([normalized, layers.Multiply()([normalized, gamma]), beta])


def spade_block(x, segmap, filters, hidden=128, norm="batch", spectral_norm=True):
    """The SPADE residual block: two SPADE-LeakyReLU-conv steps and a learned shortcut
    when the channels change."""
    middle = min(x.shape[-1], filters)
    h = _conv(spectral_norm, middle, 3)(layers.LeakyReLU(0.2)(spade(x, segmap, hidden, norm)))
    h = _conv(spectral_norm, filters, 3)(layers.LeakyReLU(0.2)(spade(h, segmap, hidden, norm)))
    if x.shape[-1] != filters:
        x = _conv(spectral_norm, filters, 1, use_bias=False)(spade(x, segmap, hidden, norm))
    return layers.Add()([x, h])


def spade_generator(map_shape, channels_out=3, latent_dim=256, base_filters=64, hidden=128,
                    norm="batch", spectral_norm=True, name="generator"):
    """``[label map (b, h, w, classes), z (b, latent_dim)] -> image (b, h, w, channels_out)``.

    ``z`` is projected to a grid of at most 4 pixels on the shorter side (the
    number of 2x upsamplings: ``log2(min(h, w) / 4)``), then SPADE residual
    blocks take it to full size with the last of 16, 16, 8, 4, 2, 1 times
    ``base_filters`` channels, as the paper's "normal" generator.
    """
    h, w, classes = (int(s) for s in map_shape)
    ups = max(int(math.log2(min(h, w) // 4)) if min(h, w) >= 4 else 0, 0)
    if h % 2 ** ups or w % 2 ** ups:
        raise ValueError(f"GauGAN's generator doubles a coarse grid {ups} times: height and "
                         f"width must be divisible by {2 ** ups}, got {h}x{w}")
    segmap = keras.Input((h, w, classes), name="label_map")
    z = keras.Input((latent_dim,), name="z")
    gh, gw, top = h // 2 ** ups, w // 2 ** ups, 16 * base_filters
    x = layers.Reshape((gh, gw, top))(layers.Dense(gh * gw * top)(z))
    x = spade_block(x, segmap, top, hidden, norm, spectral_norm)
    widths = ([16] * max(ups - 6, 0) + [16, 16, 8, 4, 2, 1])[-ups:] if ups else []
    for width in widths:
        x = layers.UpSampling2D(2)(x)
        x = spade_block(x, segmap, width * base_filters, hidden, norm, spectral_norm)
    x = layers.Conv2D(channels_out, 3, padding="same")(layers.LeakyReLU(0.2)(x))
    out = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model([segmap, z], out, name=name)


def style_encoder(image_shape, latent_dim=256, base_filters=64, name="encoder"):
    """``image -> [mean, log-variance]`` of the style code (the paper's image encoder)."""
    h, w, c = (int(s) for s in image_shape)
    image = keras.Input((h, w, c), name="image")
    x = image
    for i in range(min(6, max(1, int(math.log2(min(h, w) // 4))))):
        x = layers.Conv2D(base_filters * 2 ** min(i, 3), 3, strides=2, padding="same",
                          use_bias=i == 0)(x)
        if i:
            x = layers.GroupNormalization(groups=-1, epsilon=1e-5)(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    mean = layers.Dense(latent_dim, dtype="float32", name="mean")(x)
    log_var = layers.Dense(latent_dim, dtype="float32", name="log_var")(x)
    return keras.Model(image, [mean, log_var], name=name)


def multiscale_discriminator(classes, channels=3, base_filters=64, num_layers=3, num_scales=2,
                             name="discriminator"):
    """``[label map, image] -> [scale 1: features..., logits, scale 2: ...]``.

    ``num_scales`` PatchGANs, the k-th on the inputs average-pooled ``k``
    times (3x3, stride 2). Each gives its ``num_layers + 1`` intermediate
    feature maps, then its patch logits.
    """
    segmap = keras.Input((None, None, classes), name="label_map")
    image = keras.Input((None, None, channels), name="image")
    x = layers.Concatenate()([segmap, image])
    outputs = []
    for scale in range(num_scales):
        if scale:
            x = layers.AveragePooling2D(3, strides=2, padding="same")(x)
        h = x
        for i in range(num_layers + 1):
            stride = 2 if i < num_layers else 1
            h = SpectralConv2D(base_filters * 2 ** min(i, 3), 4, strides=stride,
                               padding="same")(h)
            if i:
                h = layers.GroupNormalization(groups=-1, epsilon=1e-5)(h)
            h = layers.LeakyReLU(0.2)(h)
            outputs.append(layers.Activation("linear", dtype="float32")(h))
        outputs.append(layers.Conv2D(1, 4, padding="same", dtype="float32",
                                     name=f"patch_logits_{scale + 1}")(h))
    return keras.Model([segmap, image], outputs, name=name)


def default_networks(map_shape, image_channels=3, latent_dim=256, base_filters=64, hidden=128,
                     norm="batch", num_layers=3, num_scales=2, encoder=True):
    """Default ``(generator, discriminator, encoder or None)`` of a GauGAN for one-hot maps ``map_shape``."""
    map_shape = tuple(int(s) for s in map_shape)
    if len(map_shape) != 3 or map_shape[-1] < 2:
        raise ValueError(f"expected one-hot label maps (h, w, classes >= 2), got shape {map_shape}")
    if norm not in ("batch", "instance"):
        raise ValueError(f"expected norm 'batch' or 'instance', got {norm!r}")
    generator = spade_generator(map_shape, image_channels, latent_dim, base_filters, hidden, norm)
    discriminator = multiscale_discriminator(map_shape[-1], image_channels, base_filters,
                                             num_layers, num_scales)
    image_shape = map_shape[:2] + (image_channels,)
    return generator, discriminator, (style_encoder(image_shape, latent_dim, base_filters)
                                      if encoder else None)

"""pix2pix networks (Isola et al. 2017): a U-Net generator and a PatchGAN on (input, output) pairs.

The generator is an encoder-decoder whose decoder sees the encoder's
feature maps at every scale (skip connections), so fine structure of the
input, the edges of a label map, reaches the output directly. Its noise is
dropout (rate 0.5) in the three innermost decoder stages, as in the paper;
the dropout is ``SeededDropout``, whose
masks do not depend on the number of replicas, and it is off at inference,
so translation and export are deterministic. Instance normalisation
(``GroupNormalization(groups=-1)``) stands in for the paper's batch norm at
batch size 1: statistics per image, nothing couples the images of a batch.

The discriminator is the 70x70 PatchGAN of CycleGAN on the channels of the
input and the output stacked: it judges whether each patch of the output
goes with the same patch of the input.
"""

import keras
from keras import layers

from keras_gan_zoo.networks.translators import _norm, patch_discriminator
from keras_gan_zoo.networks.layers import SeededDropout


def unet_generator(channels_in, channels_out=3, base_filters=64, num_downs=8, dropout=0.5,
                   name="generator"):
    """The pix2pix U-Net ``(batch, h, w, channels_in) -> (batch, h, w, channels_out)``.

    Args:
        channels_in: channels of the input images (a label map, a sketch).
        channels_out: channels of the output images.
        base_filters: filters of the first stage; each later stage doubles,
            up to 8 times this (the paper: 64).
        num_downs: stride-2 stages (the paper: 8 for 256 px, down to 1x1);
            ``h`` and ``w`` must be divisible by ``2**num_downs``.
        dropout: rate of the dropout in the three innermost decoder stages
            (the generator's noise; 0 for none).
        name: model name.
    """
    if isinstance(num_downs, bool) or not isinstance(num_downs, int) or num_downs < 2:
        raise ValueError(f"expected num_downs to be an integer >= 2, got {num_downs!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"expected dropout in [0, 1), got {dropout}")
    image = keras.Input((None, None, channels_in), name="image")
    filters = [base_filters * 2 ** min(i, 3) for i in range(num_downs)]
    x, skips = image, []
    for i, f in enumerate(filters):
        innermost = i == num_downs - 1
        x = layers.Conv2D(f, 4, strides=2, padding="same", use_bias=i == 0 or innermost)(x)
        if 0 < i and not innermost:  # no norm on the input, none on the 1x1 bottleneck
            x = _norm()(x)
        x = layers.ReLU()(x) if innermost else layers.LeakyReLU(0.2)(x)
        skips.append(x)
    for depth, f in enumerate(reversed(filters[:-1])):
        x = layers.Conv2DTranspose(f, 4, strides=2, padding="same", use_bias=False)(x)
        x = _norm()(x)
        if dropout and depth < 3:
            x = SeededDropout(dropout)(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skips[num_downs - 2 - depth]])
    x = layers.Conv2DTranspose(channels_out, 4, strides=2, padding="same")(x)
    out = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(image, out, name=name)


def pair_discriminator(channels_in, channels_out=3, base_filters=64, num_layers=3,
                       name="discriminator"):
    """A PatchGAN judging pairs: ``[input (b, h, w, ci), output (b, h, w, co)] -> patch logits``."""
    source = keras.Input((None, None, channels_in), name="source")
    target = keras.Input((None, None, channels_out), name="target")
    patches = patch_discriminator(channels_in + channels_out, base_filters, num_layers,
                                  name="patches")
    logits = patches(layers.Concatenate()([source, target]))
    return keras.Model([source, target], logits, name=name)


def default_networks(shape_a, shape_b=None, base_filters=64, num_downs=None, dropout=0.5,
                      num_layers=3):
    """Default ``(generator, discriminator)`` of pix2pix for images ``shape_a -> shape_b``.

    ``num_downs`` defaults to as many halvings as the smaller side allows, at
    most 8 (256 px -> 1x1 as in the paper).
    """
    shape_a = tuple(int(s) for s in shape_a)
    shape_b = tuple(int(s) for s in shape_b) if shape_b is not None else shape_a
    if len(shape_a) != 3 or len(shape_b) != 3 or shape_a[:2] != shape_b[:2]:
        raise ValueError(f"pix2pix translates images to images of the same height and width, "
                         f"got shapes {shape_a} and {shape_b}")
    if num_downs is None:
        side, num_downs = min(shape_a[:2]), 0
        while side % 2 == 0 and side > 1 and num_downs < 8:
            side, num_downs = side // 2, num_downs + 1
    side = 2 ** num_downs
    if shape_a[0] % side or shape_a[1] % side:
        raise ValueError(f"the U-Net halves the image {num_downs} times: height and width must "
                         f"be divisible by {side}, got {shape_a[:2]}")
    return (unet_generator(shape_a[-1], shape_b[-1], base_filters, num_downs, dropout),
            pair_discriminator(shape_a[-1], shape_b[-1], base_filters, num_layers))

"""Image-to-image blocks of CycleGAN (Zhu et al. 2017), shared by the translation variants:
a ResNet-block translator and a PatchGAN discriminator, both fully convolutional,
with instance normalisation.

Instance normalisation is ``GroupNormalization(groups=-1)``: statistics per
image and channel, so nothing couples the images of a batch (and nothing
changes with the number of replicas). Height and width are free (``None``);
the generator needs them divisible by 4.
"""

import keras
from keras import layers


def _norm():
    return layers.GroupNormalization(groups=-1, epsilon=1e-5)


def resnet_translator(channels_in, channels_out=None, base_filters=32, num_blocks=6,
                     name="generator"):
    """Image-to-image generator: 2 stride-2 downsamplings, residual blocks, 2 upsamplings.

    Args:
        channels_in: channels of the input images.
        channels_out: channels of the output images (default: ``channels_in``).
        base_filters: filters of the first layer (the paper: 64).
        num_blocks: residual blocks (the paper: 6 for 128 px, 9 for 256 px).
        name: model name.

    Returns:
        A functional model ``(batch, h, w, channels_in) -> (batch, h, w,
        channels_out)`` in ``[-1, 1]``; ``h`` and ``w`` must be divisible by 4.
    """
    channels_out = channels_out or channels_in
    image = keras.Input((None, None, channels_in), name="image")
    x = layers.Conv2D(base_filters, 7, padding="same", use_bias=False)(image)
    x = layers.ReLU()(_norm()(x))
    for mult in (2, 4):
        x = layers.Conv2D(base_filters * mult, 3, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(_norm()(x))
    for _ in range(num_blocks):
        h = layers.Conv2D(base_filters * 4, 3, padding="same", use_bias=False)(x)
        h = layers.ReLU()(_norm()(h))
        h = layers.Conv2D(base_filters * 4, 3, padding="same", use_bias=False)(h)
        x = layers.Add()([x, _norm()(h)])
    for mult in (2, 1):
        x = layers.Conv2DTranspose(base_filters * mult, 3, strides=2, padding="same",
                                   use_bias=False)(x)
        x = layers.ReLU()(_norm()(x))
    x = layers.Conv2D(channels_out, 7, padding="same")(x)
    out = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(image, out, name=name)


def patch_discriminator(channels, base_filters=32, num_layers=3, name="discriminator"):
    """PatchGAN discriminator: one logit per overlapping patch (70x70 for 3 layers).

    Args:
        channels: channels of the images.
        base_filters: filters of the first layer (the paper: 64).
        num_layers: stride-2 layers (the paper: 3).
        name: model name.

    Returns:
        A functional model ``(batch, h, w, channels) -> (batch, h', w', 1)``.
    """
    image = keras.Input((None, None, channels), name="image")
    x = layers.Conv2D(base_filters, 4, strides=2, padding="same")(image)
    x = layers.LeakyReLU(0.2)(x)
    for i in range(1, num_layers + 1):
        stride = 2 if i < num_layers else 1
        x = layers.Conv2D(base_filters * 2 ** min(i, 3), 4, strides=stride, padding="same",
                          use_bias=False)(x)
        x = layers.LeakyReLU(0.2)(_norm()(x))
    logits = layers.Conv2D(1, 4, padding="same", dtype="float32", name="patch_logits")(x)
    return keras.Model(image, logits, name=name)

"""GANILLA's generator (Hicsonmez et al. 2020), with CycleGAN's PatchGAN discriminators.

The generator keeps content and style apart in two paths:

* **down** (a ResNet-18 body): a 7x7 convolution, instance norm, ReLU and a
  3x3 max-pooling by 2; then four layers of two blocks, ``base_filters``
  times 1, 2, 2 and 4 filters, the first block of the last three layers
  striding by 2. A block is two 3x3 convolutions with instance norm (ReLU
  between) whose output is **concatenated** with its input (a 1x1
  convolution and instance norm where the size or width changes), then a
  3x3 convolution back to the block's width, instance norm and ReLU: the
  concatenating skip that keeps low-level features in every layer.
* **up** (a feature pyramid): 1x1 lateral convolutions (2 x
  ``base_filters`` channels) of the four layers' outputs, summed into the
  nearest-upsampled coarser sum, from the deepest up; then a 2x nearest
  upsampling, a 3x3 convolution to ``base_filters`` channels and a 7x7
  convolution to the image, tanh.

Padding is reflection throughout, as the reference code's; the reference
pads its 7x7 convolutions by the number of channels (3), which is only the
right amount for colour images, so its generator cannot take grey ones. Here
they pad by 3 whatever the channels. Weights start from N(0, 0.02), as the
reference's. Instance norm has no learnt scale or
offset (the reference's default). Height and width must be divisible by 16
and at least 32 (the deepest features are mirrored at their borders).
"""

import keras
from keras import layers

from keras_gan_zoo.networks.layers import ReflectionPadding2D
from keras_gan_zoo.networks.translators import patch_discriminator

__all__ = ["default_networks", "ganilla_generator"]


def _norm():
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False)


def _conv(x, filters, kernel, strides=1, use_bias=False):
    if kernel > 1:
        x = ReflectionPadding2D(kernel // 2)(x)
    return layers.Conv2D(filters, kernel, strides=strides, use_bias=use_bias,
                         kernel_initializer=keras.initializers.RandomNormal(0, 0.02))(x)


def _block(x, filters, strides):
    out = layers.ReLU()(_norm()(_conv(x, filters, 3, strides)))
    out = _norm()(_conv(out, filters, 3))
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = _norm()(_conv(x, filters, 1, strides))
    joined = layers.Concatenate()([out, shortcut])
    return layers.ReLU()(_norm()(_conv(joined, filters, 3)))


def ganilla_generator(channels_in, channels_out=None, base_filters=32, name="generator"):
    """``(batch, h, w, channels_in) -> (batch, h, w, channels_out)`` in [-1, 1]; ``h`` and
    ``w`` divisible by 16."""
    channels_out = channels_out or channels_in
    image = keras.Input((None, None, channels_in), name="image")
    x = layers.ReLU()(_norm()(_conv(image, base_filters, 7, use_bias=True)))
    x = layers.MaxPooling2D(3, strides=2)(ReflectionPadding2D(1)(x))
    features = []
    for mult, strides in ((1, 1), (2, 2), (2, 2), (4, 2)):
        x = _block(x, base_filters * mult, strides)
        x = _block(x, base_filters * mult, 1)
        features.append(x)
    width = 2 * base_filters
    merged = layers.Conv2D(width, 1)(features[-1])
    for lower in reversed(features[:-1]):
        merged = layers.Add()([layers.UpSampling2D(2)(merged), layers.Conv2D(width, 1)(lower)])
    x = _conv(layers.UpSampling2D(2)(merged), base_filters, 3, use_bias=True)
    x = _conv(x, channels_out, 7, use_bias=True)
    out = layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(image, out, name=name)


def default_networks(shape_a, shape_b, base_filters=32):
    """``(generator_ab, generator_ba, discriminator_a, discriminator_b)`` for two domains of
    images ``(h, w, c)``, ``h`` and ``w`` divisible by 16, ``c`` 1 or 3."""
    for shape in (shape_a, shape_b):
        if len(shape) != 3 or shape[0] % 16 or shape[1] % 16 or min(shape[:2]) < 32:
            raise ValueError(f"GANILLA's generator halves its images four times and mirrors "
                             f"their borders: expected image shapes (h, w, c) with h and w "
                             f"divisible by 16 and at least 32, got {shape}")
    ca, cb = shape_a[-1], shape_b[-1]
    return (ganilla_generator(ca, cb, base_filters, name="generator_ab"),
            ganilla_generator(cb, ca, base_filters, name="generator_ba"),
            patch_discriminator(ca, base_filters, name="discriminator_a"),
            patch_discriminator(cb, base_filters, name="discriminator_b"))

"""SinGAN's networks (Shaham et al. 2019): one small fully convolutional generator and critic per
scale of a pyramid of one image.

For an ``h x w`` image the pyramid has ``N + 1`` scales, coarsest first:
scale ``N`` is the image itself and each coarser one is ``r`` times its
side, with ``N`` and ``r`` chosen (as the reference code does) so that the
coarsest short side is ``min_size`` pixels and ``r`` is the nearest to
``scale_factor`` that gets there (``pyramid_sizes``).

* **scale k's generator** (``scale{k}``) reads ``amplitude_k * noise_k +
  previous`` (its ``NoiseMix`` layer ``mix{k}`` holds the amplitude), pads
  it with zeros by 5 pixels, and five 3x3 convolutions (batch norm and leaky
  ReLU 0.2 after the first four, tanh after the last) make a **residual**
  that is added to ``previous``, the coarser scale's image upsampled
  (bilinear) to this scale's size. Scale 0 has no previous image: it draws
  from noise alone. The filters double every 4 scales, from ``base_filters``
  (32) up to ``max_filters`` (128). The last convolution starts at zero, so
  a scale that has not trained yet passes the coarser image through.
* **scale k's critic** (``critic{k}``) is the same five convolutions with
  no padding and one channel out: a score per 11 x 11 patch (a Markovian
  critic), in float32.
* the **generator** is the whole chain as one Keras model,
  ``[noise0, noise1, ..., noiseN] -> image``: noise maps of any size make an
  image of the matching size, which is how SinGAN retargets. Scale 0's noise
  has one channel, repeated over the colours (the reference code's); the
  others have one per colour. A ``Clip`` to [-1, 1] ends it; training reads
  each scale's own unclipped output, as the reference code does.
* the **discriminator** is one model holding the critics: inputs
  ``[image0, ..., imageN]``, one patch map per scale out.

Training reaches every part by its name (``scale_output`` runs one scale
exactly as the chain does).
"""

import math

import keras
from keras import layers

from keras_gan_zoo.networks.layers import Clip, FusedBatchNormalization, LeakyReLU

__all__ = ["NoiseMix", "ResizeLike", "default_networks", "pyramid_sizes", "scale_filters",
           "scale_output", "singan_discriminator", "singan_generator"]

#: Convolutions per scale network and the zero padding that keeps the generator's size.
LAYERS, PAD = 5, 5


def pyramid_sizes(height, width, min_size=25, scale_factor=0.75):
    """``[(h_0, w_0), ..., (h_N, w_N)]``: the size of each scale, coarsest first.

    ``N = ceil(log(min_size / min(h, w)) / log(scale_factor))`` downscalings,
    then the factor is set to ``(min_size / min(h, w)) ** (1 / N)`` so the
    coarsest short side is ``min_size``; sides round up.
    """
    height, width = int(height), int(width)
    if not 0.0 < scale_factor < 1.0:
        raise ValueError(f"expected a scale_factor in (0, 1) such as 0.75, got {scale_factor}")
    if min_size < PAD * 2 + 1:
        raise ValueError(f"expected min_size >= {PAD * 2 + 1} (the critics' patch), got "
                         f"{min_size}")
    short = min(height, width)
    if short < min_size:
        raise ValueError(f"SinGAN needs an image whose short side is at least min_size="
                         f"{min_size} pixels, got {height}x{width}")
    steps = math.ceil(math.log(min_size / short) / math.log(scale_factor)) if short > min_size \
        else 0
    factor = (min_size / short) ** (1.0 / steps) if steps else 1.0
    sizes = [(math.ceil(height * factor ** (steps - k) - 1e-9),
              math.ceil(width * factor ** (steps - k) - 1e-9)) for k in range(steps)]
    return sizes + [(height, width)]


def scale_filters(k, base_filters=32, max_filters=128):
    """Filters of scale ``k``'s networks: ``base_filters``, doubled every 4 scales, at most
    ``max_filters``."""
    return min(base_filters * 2 ** (k // 4), max_filters)


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class NoiseMix(keras.layers.Layer):
    """``amplitude * noise + previous`` (or ``amplitude * noise`` at the coarsest scale).

    ``amplitude`` is a non-trainable weight that training sets when the scale
    starts (SinGAN's per-scale noise amplitude), so an export carries it.
    """

    def build(self, input_shape):
        self.amplitude = self.add_weight(name="amplitude", shape=(), initializer="ones",
                                         trainable=False)

    def call(self, inputs):
        noise, previous = inputs if isinstance(inputs, (list, tuple)) else (inputs, None)
        mixed = keras.ops.cast(self.amplitude, noise.dtype) * noise
        return mixed if previous is None else mixed + keras.ops.cast(previous, noise.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[1] if isinstance(input_shape, (list, tuple)) and isinstance(
            input_shape[0], (list, tuple)) else input_shape


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class ResizeLike(keras.layers.Layer):
    """``[image, like] -> image`` resized (bilinear) to the height and width of ``like``: the
    upsampling between scales, to whatever size the next scale's noise has."""

    def call(self, inputs):
        import tensorflow as tf

        image, like = inputs
        resized = tf.image.resize(tf.cast(image, tf.float32), tf.shape(like)[1:3], "bilinear")
        return tf.cast(resized, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        image, like = input_shape
        return (image[0], like[1], like[2], image[3])


def _convs(x, filters, out_channels, last_activation, prefix, zero_last=False, last_dtype=None):
    for i in range(LAYERS - 1):
        x = layers.Conv2D(filters, 3, kernel_initializer=keras.initializers.RandomNormal(0, 0.02),
                          name=f"{prefix}conv{i}")(x)
        x = FusedBatchNormalization(synchronized=True, name=f"{prefix}bn{i}")(x)
        x = LeakyReLU(0.2)(x)
    initializer = "zeros" if zero_last else keras.initializers.RandomNormal(0, 0.02)
    return layers.Conv2D(out_channels, 3, activation=last_activation, kernel_initializer=initializer,
                         bias_initializer="zeros", dtype=last_dtype, name=f"{prefix}tail")(x)


def scale_generator(channels, filters, name):
    """Scale ``k``'s generator: ``mixed -> residual`` (zero padding by 5, five convolutions,
    tanh); the residual is added to the previous image outside (``scale_output``)."""
    mixed = keras.Input((None, None, channels), name="mixed")
    x = layers.ZeroPadding2D(PAD)(mixed)
    return keras.Model(mixed, _convs(x, filters, channels, "tanh", "", zero_last=True), name=name)


def scale_critic(channels, filters, name):
    """Scale ``k``'s critic: ``image -> (h - 10, w - 10, 1)`` patch scores, in float32."""
    image = keras.Input((None, None, channels), name="image")
    return keras.Model(image, _convs(image, filters, 1, None, "", last_dtype="float32"), name=name)


def scale_output(generator, k, noise, previous=None, training=False):
    """Scale ``k`` of the chain ``generator`` on ``noise`` (and the coarser image upsampled,
    ``previous``; ``None`` at scale 0): the scale's image before clipping, as the chain
    computes it."""
    if k == 0:
        if any(layer.name == "expand0" for layer in generator.layers):
            noise = generator.get_layer("expand0")([noise] * int(generator.outputs[0].shape[-1]))
        return generator.get_layer("scale0")(generator.get_layer("mix0")(noise),
                                             training=training)
    mixed = generator.get_layer(f"mix{k}")([noise, previous])
    residual = generator.get_layer(f"scale{k}")(mixed, training=training)
    return generator.get_layer(f"add{k}")([previous, residual])


def singan_generator(sizes, channels, base_filters=32, max_filters=128, scales=None):
    """The chain ``[noise0, ..., noiseN] -> image`` (``scales``: the scale generators, by
    default ``scale_generator`` for each); names ``mix{k}``, ``scale{k}``, ``up{k}``,
    ``add{k}``."""
    scales = scales or [scale_generator(channels, scale_filters(k, base_filters, max_filters),
                                        f"scale{k}") for k in range(len(sizes))]
    noises = [keras.Input((None, None, 1 if k == 0 else channels), name=f"noise{k}")
              for k in range(len(sizes))]
    expanded = noises[0]
    if channels > 1:
        expanded = layers.Concatenate(name="expand0")([noises[0]] * channels)
    x = scales[0](NoiseMix(name="mix0")(expanded))
    for k in range(1, len(sizes)):
        previous = ResizeLike(name=f"up{k}")([x, noises[k]])
        mixed = NoiseMix(name=f"mix{k}")([noises[k], previous])
        x = layers.Add(name=f"add{k}")([previous, scales[k](mixed)])
    image = Clip(name="image")(x)
    return keras.Model(noises, image, name="singan_generator")


def singan_discriminator(sizes, channels, base_filters=32, max_filters=128, critics=None):
    """One model holding a critic per scale: ``[image0, ..., imageN] -> [scores0, ...]``."""
    critics = critics or [scale_critic(channels, scale_filters(k, base_filters, max_filters),
                                       f"critic{k}") for k in range(len(sizes))]
    images = [keras.Input((None, None, channels), name=f"image{k}") for k in range(len(sizes))]
    return keras.Model(images, [critic(x) for critic, x in zip(critics, images)],
                       name="singan_discriminator")


def default_networks(shape, min_size=25, scale_factor=0.75, base_filters=32, max_filters=128):
    """``(generator, discriminator)`` for one image of ``shape`` ``(h, w, c)``."""
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3 or shape[2] not in (1, 3):
        raise ValueError(f"SinGAN trains on one image (h, w, 1 or 3), got shape {shape}")
    sizes = pyramid_sizes(shape[0], shape[1], min_size, scale_factor)
    return (singan_generator(sizes, shape[2], base_filters, max_filters),
            singan_discriminator(sizes, shape[2], base_filters, max_filters))

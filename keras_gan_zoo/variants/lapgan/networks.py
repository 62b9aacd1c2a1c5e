"""LAPGAN's networks (Denton et al. 2015): one generator and one discriminator per pyramid level.

For a ``s``-pixel image the levels are 8, 16, ..., ``s`` pixels a side:

* **level 0** draws the coarsest image, 8x8, from noise ``z``: the DCGAN
  generator and discriminator (``keras_gan_zoo.networks.for_shape``);
* **level k** (a *refiner*) takes the coarser image upsampled (bilinear) to
  its size and a plane of noise (the paper's extra input channel), and draws
  the **residual**: the detail that the upsampled image lacks (three 3x3
  convolutions, batch norm and ReLU between, a linear last one). Its
  discriminator judges the upsampled image plus a residual, given the
  upsampled image (two channels stacked, strided convolutions, leaky ReLU);
* the **generator** is the whole chain as one Keras model: level 0 from
  ``z``, then each refiner on the upsampled result plus its noise plane,
  clipped to [-1, 1] at the end. Sampling and export run this one graph;
  training reaches each level by its name (``level0``, ``level1``, ...);
* the **discriminator** is one model too, with every level's
  discriminator inside: inputs ``[image_0, image_1, coarse_1, ...]``, one
  logit per level out.

Each refiner's batch norm is synchronised across replicas, so training does
not change with their number; the discriminators have none.
"""

import math

import keras
from keras import layers

from keras_gan_zoo.networks.layers import Clip, FusedBatchNormalization

__all__ = ["BASE_SIZE", "default_networks", "lapgan_discriminator", "lapgan_generator",
           "level_sizes"]

#: The side of the coarsest level.
BASE_SIZE = 8


def level_sizes(shape):
    """The side of each level for square images ``shape`` (8, 16, ..., s): ``s`` is 8 times a
    power of two, 16 to 256."""
    shape = tuple(int(s) for s in shape)
    size = shape[0] if len(shape) == 3 and shape[0] == shape[1] else None
    levels = int(round(math.log2(size / BASE_SIZE))) if size else 0
    if not size or levels < 1 or BASE_SIZE * 2 ** levels != size or size > 256 \
            or shape[2] not in (1, 3):
        raise ValueError(f"LAPGAN's pyramid halves square images down to {BASE_SIZE}x{BASE_SIZE}: "
                         f"expected (s, s, 1 or 3) with s = 16, 32, 64, 128 or 256, got {shape}")
    return [BASE_SIZE * 2 ** k for k in range(levels + 1)]


def _refiner(size, channels, filters, name):
    coarse = keras.Input((size, size, channels), name="coarse")
    noise = keras.Input((size, size, 1), name="noise")
    x = layers.Concatenate()([coarse, noise])
    for i in range(2):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.ReLU()(FusedBatchNormalization(synchronized=True, name=f"bn{i}")(x))
    residual = layers.Conv2D(channels, 3, padding="same", dtype="float32", name="residual")(x)
    return keras.Model([coarse, noise], residual, name=name)


def _level_discriminator(size, channels, filters, name):
    image = keras.Input((size, size, channels), name="image")
    coarse = keras.Input((size, size, channels), name="coarse")
    x = layers.Concatenate()([image, coarse])
    while size > 4:
        x = layers.LeakyReLU(0.2)(layers.Conv2D(filters, 4, strides=2, padding="same")(x))
        size //= 2
        filters = min(filters * 2, 256)
    logit = layers.Dense(1, dtype="float32", name="logit")(layers.Flatten()(x))
    return keras.Model([image, coarse], logit, name=name)


def lapgan_generator(image_shape, latent_dim=100, base_filters=32, name="generator"):
    """The chain ``[z, noise1, noise2, ...] -> image``: level 0 from ``z``, each refiner's residual
    added to the upsampled image below it."""
    from keras_gan_zoo import networks

    sizes = level_sizes(image_shape)
    channels = int(image_shape[-1])
    base, _ = networks.for_shape((BASE_SIZE, BASE_SIZE, channels), latent_dim=latent_dim,
                                 base_filters=base_filters)
    base = keras.Model(base.inputs, base.outputs[0], name="level0")
    z = keras.Input((latent_dim,), name="z")
    planes = [keras.Input((s, s, 1), name=f"noise{k}") for k, s in enumerate(sizes) if k]
    x = base(z)
    for k, size in enumerate(sizes[1:], start=1):
        coarse = layers.UpSampling2D(2, interpolation="bilinear", name=f"up{k}")(x)
        residual = _refiner(size, channels, base_filters * 2, f"level{k}")([coarse, planes[k - 1]])
        x = layers.Add(name=f"sum{k}")([coarse, residual])
    return keras.Model([z, *planes], Clip(dtype="float32", name="image")(x), name=name)


def lapgan_discriminator(image_shape, base_filters=32, name="discriminator"):
    """Every level's discriminator in one model: ``[image_0, image_1, coarse_1, ...] -> [logit_0,
    logit_1, ...]``."""
    from keras_gan_zoo import networks

    sizes = level_sizes(image_shape)
    channels = int(image_shape[-1])
    _, base = networks.for_shape((BASE_SIZE, BASE_SIZE, channels), latent_dim=8,
                                 base_filters=base_filters)
    base = keras.Model(base.inputs, base.outputs[0], name="judge0")
    inputs = [keras.Input((BASE_SIZE, BASE_SIZE, channels), name="image0")]
    logits = [base(inputs[0])]
    for k, size in enumerate(sizes[1:], start=1):
        image = keras.Input((size, size, channels), name=f"image{k}")
        coarse = keras.Input((size, size, channels), name=f"coarse{k}")
        inputs += [image, coarse]
        logits.append(_level_discriminator(size, channels, base_filters, f"judge{k}")(
            [image, coarse]))
    return keras.Model(inputs, logits, name=name)


def default_networks(shape, latent_dim=100, base_filters=32):
    """``(generator, discriminator)`` of LAPGAN for square images ``shape``."""
    return (lapgan_generator(shape, latent_dim=latent_dim, base_filters=base_filters),
            lapgan_discriminator(shape, base_filters=base_filters))

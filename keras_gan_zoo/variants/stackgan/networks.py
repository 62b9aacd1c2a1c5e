"""StackGAN's networks (Zhang et al. 2017): two stages, each with conditioning augmentation.

For images of side ``s`` (32 to 256), stage I draws ``s/2`` pixels and stage II
``s``:

* **conditioning augmentation** (each stage its own): a linear map of the text
  embedding (a unit vector, scaled by sqrt(d) to entries of unit size), leaky ReLU, split into a mean and a log-variance; the condition is
  ``mu + exp(logvar / 2) * eps`` with ``eps`` a standard normal input, and the
  training adds ``KL(N(mu, sigma) || N(0, I))``;
* **stage I** (``stage1``): ``[z, condition]`` -> a 4x4 map (linear, batch norm,
  ReLU), then nearest-upsampling blocks (3x3 convolution, batch norm, ReLU),
  halving the filters, to ``s/2``; a 3x3 convolution and tanh;
* **stage II** (``stage2``): stage I's image, encoded to ``s/4`` (3x3 and a
  strided 4x4 convolution), joined with its condition replicated over the map,
  two residual blocks, two upsampling blocks to ``s``, tanh;
* **discriminators** (``judge1``, ``judge2``): strided 4x4 convolutions (batch
  norm but on the first, leaky ReLU 0.2) down to 4x4; the text embedding
  compressed by a linear map and leaky ReLU, replicated over the 4x4 map and
  joined; a 3x3 convolution and a 4x4 one to the logit. They read the
  embedding, not the condition: the paper compresses the text in the
  discriminator itself.

The **generator** is one Keras model: ``[z, text ids, noise of stage I's
condition, noise of stage II's] -> image``, the frozen text encoder
(``text_encoder``) inside, so sampling and export run one graph whose text
input is word ids. The **discriminator** is one model too: ``[small image,
image, text embedding] -> [logit of stage I, logit of stage II]``. Batch norm
is synchronised across replicas.
"""

import math

import keras
from keras import layers, ops

from keras_gan_zoo.networks.layers import FusedBatchNormalization

__all__ = ["ConditioningAugmentation", "default_networks", "stackgan_discriminator",
           "stackgan_generator", "stage_sizes"]


@keras.saving.register_keras_serializable("keras_gan_zoo")
class ConditioningAugmentation(layers.Layer):
    """``[stats (n, 2c), eps (n, c)] -> [condition, mu, logvar]`` with ``stats`` = ``[mu, logvar]``
    and ``condition = mu + exp(logvar / 2) * eps``."""

    def call(self, inputs):
        stats, eps = inputs
        mu, logvar = ops.split(stats, 2, axis=-1)
        return mu + ops.exp(0.5 * logvar) * eps, mu, logvar


def stage_sizes(shape):
    """``(stage I's side, stage II's side)`` for square images ``shape`` (32 to 256 px a side,
    a power of two, 1 or 3 channels)."""
    shape = tuple(int(s) for s in shape)
    size = shape[0] if len(shape) == 3 and shape[0] == shape[1] else 0
    if size < 32 or size > 256 or 2 ** int(round(math.log2(size))) != size or shape[2] not in (1, 3):
        raise ValueError("StackGAN draws square images of 32, 64, 128 or 256 px with 1 or 3 "
                         f"channels (stage I at half the side): expected (s, s, c), got {shape}")
    return size // 2, size


def _norm_act(x, act="relu"):
    x = FusedBatchNormalization(synchronized=True)(x)
    return layers.ReLU()(x) if act == "relu" else layers.LeakyReLU(0.2)(x)


def _up(x, filters):
    x = layers.UpSampling2D(2)(x)
    return _norm_act(layers.Conv2D(filters, 3, padding="same", use_bias=False)(x))


def _unit_entries(embedding, name):
    """The text encoder's unit vector scaled by sqrt(d): entries of unit size, so that from the
    first step the text moves a condition's mean as much as its noise moves it (a unit vector's
    entries are ~1/sqrt(d), and the condition's linear map would see almost nothing)."""
    return layers.Rescaling(math.sqrt(int(embedding.shape[-1])), name=name)(embedding)


def _condition(embedding, eps, c_dim, name):
    embedding = _unit_entries(embedding, f"{name}_text")
    stats = layers.LeakyReLU(0.2)(layers.Dense(2 * c_dim, name=f"{name}_stats")(embedding))
    return ConditioningAugmentation(name=name)([stats, eps])


def stage_one(size, channels, embedding_dim, latent_dim=100, c_dim=128, base_filters=32):
    """``[z, embedding, eps] -> [image (size), mu, logvar]``."""
    z = keras.Input((latent_dim,), name="z")
    embedding = keras.Input((embedding_dim,), name="embedding")
    eps = keras.Input((c_dim,), name="eps")
    condition, mu, logvar = _condition(embedding, eps, c_dim, "augment1")
    ups = int(math.log2(size // 4))
    filters = base_filters * 2 ** ups
    x = layers.Dense(4 * 4 * filters, use_bias=False)(layers.Concatenate()([condition, z]))
    x = layers.ReLU()(FusedBatchNormalization(synchronized=True)(layers.Reshape((4, 4, filters))(x)))
    for _ in range(ups):
        filters //= 2
        x = _up(x, filters)
    image = layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32")(x)
    return keras.Model([z, embedding, eps], [image, mu, logvar], name="stage1")


def _residual(x, filters):
    h = _norm_act(layers.Conv2D(filters, 3, padding="same", use_bias=False)(x))
    h = FusedBatchNormalization(synchronized=True)(
        layers.Conv2D(filters, 3, padding="same", use_bias=False)(h))
    return layers.ReLU()(layers.Add()([x, h]))


def _replicate(vector, side):
    """A vector ``(n, d)`` repeated over a ``side`` x ``side`` map."""
    x = layers.Reshape((1, 1, int(vector.shape[-1])))(vector)
    return layers.UpSampling2D(side)(x) if side > 1 else x


def stage_two(size, channels, embedding_dim, c_dim=128, base_filters=32, blocks=2):
    """``[stage I's image (size / 2), embedding, eps] -> [image (size), mu, logvar]``."""
    small = keras.Input((size // 2, size // 2, channels), name="small")
    embedding = keras.Input((embedding_dim,), name="embedding")
    eps = keras.Input((c_dim,), name="eps")
    condition, mu, logvar = _condition(embedding, eps, c_dim, "augment2")
    filters = base_filters * 4
    x = layers.ReLU()(layers.Conv2D(filters // 2, 3, padding="same")(small))
    x = _norm_act(layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=False)(x))
    x = layers.Concatenate()([x, _replicate(condition, size // 4)])
    x = _norm_act(layers.Conv2D(filters, 3, padding="same", use_bias=False)(x))
    for _ in range(blocks):
        x = _residual(x, filters)
    x = _up(_up(x, filters // 2), filters // 4)
    image = layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32")(x)
    return keras.Model([small, embedding, eps], [image, mu, logvar], name="stage2")


def judge(size, channels, embedding_dim, base_filters=32, compressed=128, name="judge"):
    """A matching-aware discriminator: ``[image (size), embedding] -> logit``."""
    image = keras.Input((size, size, channels), name="image")
    embedding = keras.Input((embedding_dim,), name="embedding")
    x, filters, side = image, base_filters, size
    while side > 4:
        x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=side != size)(x)
        x = layers.LeakyReLU(0.2)(x) if side == size else _norm_act(x, "leaky")
        side, filters = side // 2, filters * 2
    text = layers.LeakyReLU(0.2)(layers.Dense(compressed)(_unit_entries(embedding, "text")))
    x = layers.Concatenate()([x, _replicate(text, 4)])
    x = _norm_act(layers.Conv2D(filters // 2, 3, padding="same", use_bias=False)(x), "leaky")
    logit = layers.Flatten()(layers.Conv2D(1, 4, padding="valid", dtype="float32")(x))
    return keras.Model([image, embedding], logit, name=name)


def stackgan_generator(shape, text_encoder, latent_dim=100, c_dim=128, base_filters=32,
                       name="generator"):
    """The two stages as one model ``[z, text, eps1, eps2] -> image`` (``text``: word ids)."""
    small_side, side = stage_sizes(shape)
    channels = int(shape[-1])
    dim = int(text_encoder.outputs[0].shape[-1])
    first = stage_one(small_side, channels, dim, latent_dim, c_dim, base_filters)
    second = stage_two(side, channels, dim, c_dim, base_filters)
    z = keras.Input((latent_dim,), name="z")
    text = keras.Input(tuple(text_encoder.inputs[0].shape[1:]), dtype="int32", name="text")
    eps1 = keras.Input((c_dim,), name="eps1")
    eps2 = keras.Input((c_dim,), name="eps2")
    embedding = text_encoder(text)
    small, _, _ = first([z, embedding, eps1])
    image, _, _ = second([small, embedding, eps2])
    return keras.Model([z, text, eps1, eps2], image, name=name)


def stackgan_discriminator(shape, embedding_dim, base_filters=32, name="discriminator"):
    """Both stages' discriminators: ``[small image, image, embedding] -> [logit1, logit2]``."""
    small_side, side = stage_sizes(shape)
    channels = int(shape[-1])
    small = keras.Input((small_side, small_side, channels), name="small")
    image = keras.Input((side, side, channels), name="image")
    embedding = keras.Input((embedding_dim,), name="embedding")
    first = judge(small_side, channels, embedding_dim, base_filters, name="judge1")
    second = judge(side, channels, embedding_dim, base_filters, name="judge2")
    return keras.Model([small, image, embedding],
                       [first([small, embedding]), second([image, embedding])], name=name)


def default_networks(shape, text_encoder, latent_dim=100, c_dim=128, base_filters=32):
    """``(generator, discriminator)`` of StackGAN for square images ``shape``."""
    dim = int(text_encoder.outputs[0].shape[-1])
    return (stackgan_generator(shape, text_encoder, latent_dim, c_dim, base_filters),
            stackgan_discriminator(shape, dim, base_filters))

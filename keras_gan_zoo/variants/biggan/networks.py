"""BigGAN's networks (Brock et al. 2019): class-conditional ResNets with spectral norm in both.

The generator, as the paper and its reference code build it:

* **hierarchical z**: ``z`` is split into one chunk per block plus one; the
  first chunk is projected to the seed feature map, each other chunk goes to
  one block (``Chunk``);
* **shared class embedding**: one embedding of the label (not a separate one
  per layer), concatenated with the block's chunk of ``z``, conditions every
  batch norm of that block;
* **class-conditional batch norm** (``ClassConditionalBatchNorm``): the
  activations are normalised without a gain or bias of their own, then
  multiplied by ``1 + gain(c)`` and shifted by ``bias(c)``, ``gain`` and
  ``bias`` linear maps of the condition. The ``1 +`` is the detail that is
  easy to miss: a zero-centred gain starts every layer at the identity;
* residual up blocks (conditional BN, ReLU, upsampling, 3x3 convolution,
  conditional BN, ReLU, 3x3 convolution; an upsampled 1x1 shortcut), a
  self-attention block (at 32x32 by default), then BN, ReLU, a 3x3
  convolution and tanh;
* spectral norm on every convolution and linear map, orthogonal initial
  weights, and **orthogonal regularisation** ``beta * ||W W^T * (1 - I)||_F^2``
  on every weight matrix but the shared embedding (``OrthogonalRegularizer``,
  a Keras kernel regulariser: ``reduce_loss`` adds it to the generator's loss).

The discriminator is SNGAN's ResNet discriminator with a self-attention block
and a **projection** head: ``logit = w . phi(x) + embed(y) . phi(x)``, the
class embedding spectrally normalised too (a bias-free spectral-norm dense
layer on the one-hot label is exactly a normalised embedding).

Every batch norm is synchronised across replicas, so training does not change
with their number.
"""

import keras
from keras import layers, ops

from keras_gan_zoo.networks.layers import (FusedBatchNormalization, SelfAttention,
                                          SpectralConv2D, SpectralDense)
from keras_gan_zoo.networks.resnet import (default_base_filters, resnet_stages,
                                           sngan_discriminator, stage_width)
from keras_gan_zoo.variants.sagan.networks import default_attention, generator_attention

__all__ = ["Chunk", "ClassConditionalBatchNorm", "OrthogonalRegularizer", "biggan_discriminator",
           "biggan_generator", "default_networks"]

#: BigGAN's orthogonal regularisation strength (the paper's beta).
ORTHOGONAL_BETA = 1e-4


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class OrthogonalRegularizer(keras.regularizers.Regularizer):
    """BigGAN's orthogonal regularisation: ``beta * ||W W^T * (1 - I)||_F^2``.

    ``W`` is the kernel as a matrix with one row per output unit (a
    convolution's kernel flattened over its window and inputs). Only the
    off-diagonal products are penalised: the rows are pushed toward
    orthogonality but keep their norms (the paper's relaxed form, section
    3.1). ``keras.regularizers.OrthogonalRegularizer`` normalises the rows and
    sums absolute values, a different penalty.

    Example:
        >>> layers.Conv2D(64, 3, kernel_regularizer=OrthogonalRegularizer(1e-4))
    """

    def __init__(self, beta=ORTHOGONAL_BETA):
        self.beta = float(beta)

    def __call__(self, kernel):
        w = ops.cast(kernel, "float32")
        w = ops.transpose(ops.reshape(w, (-1, w.shape[-1])))        # (units, fan_in)
        gram = ops.matmul(w, ops.transpose(w))
        off = gram * (1.0 - ops.eye(gram.shape[0], dtype="float32"))
        return self.beta * ops.sum(ops.square(off))

    def get_config(self):
        return {"beta": self.beta}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class Chunk(keras.layers.Layer):
    """The ``index``-th of ``count`` equal slices of the last axis (hierarchical z)."""

    def __init__(self, index, count, **kwargs):
        super().__init__(**kwargs)
        self.index, self.count = int(index), int(count)

    def call(self, x):
        size = x.shape[-1] // self.count
        return x[..., self.index * size:(self.index + 1) * size]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] // self.count,)

    def get_config(self):
        return {**super().get_config(), "index": self.index, "count": self.count}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class ClassConditionalBatchNorm(keras.layers.Layer):
    """BigGAN's conditional batch norm: ``norm(x) * (1 + gain(c)) + bias(c)``.

    ``norm`` is batch normalisation without a gain or bias of its own,
    its statistics synchronised across replicas; ``gain`` and ``bias`` are
    linear maps (spectrally normalised, orthogonally regularised) of the
    condition ``c``: the shared class embedding and the block's chunk of z.
    Called on ``[x, c]``.
    """

    def __init__(self, spectral_norm=True, beta=ORTHOGONAL_BETA, momentum=0.99, epsilon=1e-4,
                 **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm, self.beta = bool(spectral_norm), float(beta)
        self.momentum, self.epsilon = float(momentum), float(epsilon)

    def build(self, input_shape):
        x_shape, c_shape = input_shape
        channels = int(x_shape[-1])
        dense = SpectralDense if self.spectral_norm else layers.Dense
        regularizer = OrthogonalRegularizer(self.beta) if self.beta else None
        self.norm = FusedBatchNormalization(center=False, scale=False, synchronized=True,
                                            momentum=self.momentum, epsilon=self.epsilon,
                                            name="norm")
        self.gain = dense(channels, kernel_initializer="orthogonal",
                          kernel_regularizer=regularizer, name="gain")
        self.bias = dense(channels, kernel_initializer="orthogonal",
                          kernel_regularizer=regularizer, name="bias")
        self.norm.build(x_shape)
        self.gain.build(c_shape)
        self.bias.build(c_shape)

    def call(self, inputs, training=False):
        x, c = inputs
        h = self.norm(x, training=training)
        gain = 1.0 + ops.cast(self.gain(c, training=training), h.dtype)
        bias = ops.cast(self.bias(c, training=training), h.dtype)
        return h * gain[:, None, None, :] + bias[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "spectral_norm": self.spectral_norm, "beta": self.beta,
                "momentum": self.momentum, "epsilon": self.epsilon}


def _up_block(x, c, filters, name, beta):
    """BigGAN's residual up block, each batch norm conditioned on ``c``."""
    conv = dict(kernel_initializer="orthogonal",
                kernel_regularizer=OrthogonalRegularizer(beta) if beta else None)
    h = layers.ReLU()(ClassConditionalBatchNorm(beta=beta, name=f"{name}_cbn1")([x, c]))
    h = layers.UpSampling2D(2, name=f"{name}_up")(h)
    h = SpectralConv2D(filters, 3, padding="same", name=f"{name}_conv1", **conv)(h)
    h = layers.ReLU()(ClassConditionalBatchNorm(beta=beta, name=f"{name}_cbn2")([h, c]))
    h = SpectralConv2D(filters, 3, padding="same", name=f"{name}_conv2", **conv)(h)
    shortcut = SpectralConv2D(filters, 1, name=f"{name}_shortcut", **conv)(
        layers.UpSampling2D(2, name=f"{name}_shortcut_up")(x))
    return layers.Add(name=f"{name}_out")([h, shortcut])


def default_latent_dim(image_shape, per_block=20):
    """BigGAN's z: ``per_block`` (the paper's 20) entries for each block and for the seed."""
    return per_block * (resnet_stages(image_shape)[3] + 1)


def biggan_generator(image_shape, num_classes, latent_dim=None, base_filters=None,
                     shared_dim=128, attention=None, beta=ORTHOGONAL_BETA, name="generator"):
    """BigGAN's generator ``[z, label] -> image`` in ``[-1, 1]``.

    Args:
        image_shape: ``(s, s, c)``, ``s`` 4 to 7 times a power of two up to 256.
        num_classes: labels are ``0 .. num_classes - 1``.
        latent_dim: size of ``z``, a multiple of the number of blocks + 1
            (``default_latent_dim``: 20 for each).
        base_filters: channels of the last stage, 8 times as many at the first
            (default: the ResNets' default for the size).
        shared_dim: size of the shared class embedding (the paper's 128).
        attention: resolution after whose block the self-attention block sits
            (default 32, or the nearest block; ``None`` picks it).
        beta: the orthogonal regularisation's strength (0: none).
        name: model name.
    """
    size, channels, seed, k = resnet_stages(image_shape)
    latent_dim = latent_dim or default_latent_dim(image_shape)
    if latent_dim % (k + 1):
        raise ValueError(f"BigGAN splits z into {k + 1} equal chunks ({k} blocks and the seed) "
                         f"at {size} px; latent_dim={latent_dim} is not a multiple of {k + 1}")
    resolutions = [seed * 2 ** (i + 1) for i in range(k)]
    attention = generator_attention(resolutions, attention)
    base_filters = base_filters or default_base_filters(size)
    regularizer = OrthogonalRegularizer(beta) if beta else None
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    shared = layers.Embedding(num_classes, shared_dim, embeddings_initializer="orthogonal",
                              name="shared_embedding")(label)
    chunks = [Chunk(i, k + 1, name=f"z{i}")(z) for i in range(k + 1)]
    filters = stage_width(base_filters, size, seed)
    x = SpectralDense(seed * seed * filters, kernel_initializer="orthogonal",
                      kernel_regularizer=regularizer, name="project")(chunks[0])
    x = layers.Reshape((seed, seed, filters))(x)
    for i, resolution in enumerate(resolutions):
        condition = layers.Concatenate(name=f"condition{i}")([shared, chunks[i + 1]])
        x = _up_block(x, condition, stage_width(base_filters, size, resolution), f"up{i}", beta)
        if resolution == attention:
            x = SelfAttention(spectral_norm=True, kernel_initializer="orthogonal",
                              kernel_regularizer=regularizer, name=f"attention{resolution}")(x)
    x = layers.ReLU()(FusedBatchNormalization(synchronized=True, epsilon=1e-4, name="out_bn")(x))
    x = SpectralConv2D(channels, 3, padding="same", kernel_initializer="orthogonal",
                       kernel_regularizer=regularizer, name="to_image")(x)
    image = layers.Activation("tanh", dtype="float32", name="image")(x)
    return keras.Model([z, label], image, name=name)


def biggan_discriminator(image_shape, num_classes, base_filters=None, attention=None,
                         name="discriminator"):
    """BigGAN's projection discriminator ``[image, label] -> logit``.

    SNGAN's ResNet body (spectral norm on every layer) with a self-attention
    block (at 32x32 by default), ``phi(x)`` its features summed over
    positions; ``logit = w . phi(x) + e(y) . phi(x)``, ``e`` a spectrally
    normalised class embedding.
    """
    size, _, seed, k = resnet_stages(image_shape, any_channels=True)
    if attention is None:
        attention = default_attention([seed * 2 ** i for i in range(k)])
    body = sngan_discriminator(image_shape, base_filters=base_filters, attention=attention,
                               spectral_norm=True, features_only=True, name="discriminator_body")
    image = keras.Input(tuple(int(s) for s in image_shape), name="image")
    label = keras.Input((), dtype="int32", name="label")
    phi = body(image)
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot")(label)
    embedded = SpectralDense(phi.shape[-1], use_bias=False, name="class_embedding")(one_hot)
    projection = layers.Dot(axes=1, dtype="float32")([embedded, phi])
    logit = layers.Add(dtype="float32", name="logit")(
        [SpectralDense(1, dtype="float32", name="linear")(phi), projection])
    return keras.Model([image, label], logit, name=name)


def default_networks(shape, num_classes, latent_dim=None, base_filters=None, shared_dim=128,
                     attention=None, beta=ORTHOGONAL_BETA):
    """``(generator, discriminator)`` of BigGAN for square images ``shape`` and ``num_classes``."""
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3:
        raise ValueError(f"BigGAN's networks are for square images (s, s, c), got shape {shape}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"expected num_classes to be an integer >= 2, got {num_classes!r}")
    generator = biggan_generator(shape, num_classes, latent_dim=latent_dim,
                                 base_filters=base_filters, shared_dim=shared_dim,
                                 attention=attention, beta=beta)
    discriminator = biggan_discriminator(shape, num_classes, base_filters=base_filters,
                                         attention=attention)
    return generator, discriminator

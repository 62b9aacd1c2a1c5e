"""NICE-GAN's networks (Chen et al. 2020): the discriminator's front is the encoder.

Per domain there are three networks:

* **encoder** ``image -> [z, cam_logit]``: the discriminator's first two
  4x4 convolutions (stride 2, spectral norm, leaky ReLU 0.2, reflection
  padding), then the class-activation block: the global average and maximum
  of the features go through one spectrally normalised weight per channel
  to the ``cam_logit`` (a third opinion of real against fake), the features
  weighted by the same (raw) weights go through a 1x1 convolution, and a
  learnt ``lambda`` (0 at the start) mixes them back in. ``z`` (2 x
  ``base_filters`` channels at a quarter of the size) is what the other
  domain's decoder draws from.
* **classifier** ``z -> [local, global]``: a shared 4x4 stride-2
  convolution, then a local head (two stride-1 convolutions: patch logits)
  and a global head (stride-2 convolutions, up to two, then two stride-1:
  logits of larger patches).
* **decoder** ``z -> image`` (the generator): a 3x3 convolution to 4 x
  ``base_filters`` channels with layer-instance norm (ILN) and ReLU,
  ``num_blocks`` residual blocks with adaptive ILN whose scale and offset
  come from an MLP of the features' global average (NICE-GAN's "light"
  version), two sub-pixel upsamplings (a 3x3 convolution, ILN, ReLU, a 1x1
  convolution to four times the channels, depth-to-space, ILN, ReLU) and a
  7x7 convolution with tanh.

ILN mixes instance and layer normalisation with weights ``softmax(rho)``
per channel (``rho`` learnt, starting at 1 and 3.2; adaptive ILN at 3.2 and
1), the variances unbiased as the reference code's.
"""

import math

import keras
from keras import layers, ops

from keras_gan_zoo.networks.layers import ReflectionPadding2D, SpectralConv2D, SpectralDense

__all__ = ["ClassActivation", "LayerInstanceNorm", "default_networks", "nicegan_classifier",
           "nicegan_decoder", "nicegan_encoder"]

_EPS = 1e-5


def _moments(x, axes):
    n = math.prod(x.shape[a] for a in axes) if all(x.shape[a] for a in axes) else None
    mean = ops.mean(x, axis=axes, keepdims=True)
    var = ops.mean(ops.square(x - mean), axis=axes, keepdims=True)
    if n is None:
        shape = ops.shape(x)
        n = ops.cast(ops.prod(ops.stack([shape[a] for a in axes])), x.dtype)
    return mean, var * n / (n - 1)  # unbiased, as torch.var


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class LayerInstanceNorm(keras.layers.Layer):
    """Layer-instance normalisation: ``softmax(rho)``-weighted instance and layer norm.

    Called on ``x`` it learns its own ``gamma`` and ``beta`` (ILN); called on
    ``[x, gamma, beta]`` (``adaptive=True``) it takes them per sample (adaptive
    ILN, ``(batch, channels)`` each).
    """

    def __init__(self, adaptive=False, **kwargs):
        super().__init__(**kwargs)
        self.adaptive = bool(adaptive)

    def build(self, input_shape):
        shape = input_shape[0] if self.adaptive else input_shape
        channels = int(shape[-1])
        start = (3.2, 1.0) if self.adaptive else (1.0, 3.2)
        self.rho = self.add_weight(name="rho", shape=(channels, 2),
                                   initializer=keras.initializers.Constant([list(start)] * channels))
        if not self.adaptive:
            self.gamma = self.add_weight(name="gamma", shape=(channels,), initializer="ones")
            self.beta = self.add_weight(name="beta", shape=(channels,), initializer="zeros")

    def call(self, inputs):
        x, gamma, beta = inputs if self.adaptive else (inputs, None, None)
        x = ops.cast(x, "float32")
        in_mean, in_var = _moments(x, (1, 2))
        ln_mean, ln_var = _moments(x, (1, 2, 3))
        rho = ops.softmax(ops.cast(self.rho, "float32"), axis=-1)
        out = (rho[:, 0] * (x - in_mean) / ops.sqrt(in_var + _EPS)
               + rho[:, 1] * (x - ln_mean) / ops.sqrt(ln_var + _EPS))
        if self.adaptive:
            gamma = ops.cast(gamma, "float32")[:, None, None, :]
            beta = ops.cast(beta, "float32")[:, None, None, :]
        else:
            gamma, beta = ops.cast(self.gamma, "float32"), ops.cast(self.beta, "float32")
        return ops.cast(out * gamma + beta, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0] if self.adaptive else input_shape

    def get_config(self):
        return {**super().get_config(), "adaptive": self.adaptive}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class ClassActivation(keras.layers.Layer):
    """NICE-GAN's class-activation block: ``x -> [z, cam_logit]``.

    ``cam_logit`` is a spectrally normalised linear map of the features'
    global average and maximum; ``z = leaky_relu(lambda * conv1x1([x, x] *
    w) + x)`` with ``w`` that map's raw weights (as the reference code reads
    them) and ``lambda`` learnt from 0.
    """

    def build(self, input_shape):
        channels = int(input_shape[-1])
        self.fc = SpectralDense(1, use_bias=False, name="cam_fc", dtype=self.dtype_policy)
        self.fc.build((None, 2 * channels))
        self.conv = layers.Conv2D(channels, 1, name="cam_conv", dtype=self.dtype_policy)
        self.conv.build((None, None, None, 2 * channels))
        self.lamda = self.add_weight(name="lamda", shape=(), initializer="zeros")

    def call(self, x, training=False):
        pooled = ops.concatenate([ops.mean(x, axis=(1, 2)), ops.max(x, axis=(1, 2))], axis=-1)
        cam_logit = ops.cast(self.fc(pooled, training=training), "float32")
        weight = ops.cast(ops.reshape(self.fc.kernel, (-1,)), x.dtype)
        weighted = self.conv(ops.concatenate([x, x], axis=-1) * weight)
        z = ops.leaky_relu(ops.cast(self.lamda, x.dtype) * weighted + x, 0.2)
        return z, cam_logit

    def compute_output_shape(self, input_shape):
        return input_shape, (input_shape[0], 1)


def _sn_conv(x, filters, strides, activate=True):
    x = SpectralConv2D(filters, 4, strides=strides)(ReflectionPadding2D(1)(x))
    return layers.LeakyReLU(0.2)(x) if activate else x


def nicegan_encoder(channels, base_filters=32, name="encoder"):
    """``image -> [z, cam_logit]``: z has ``2 * base_filters`` channels at a quarter of the
    size."""
    image = keras.Input((None, None, channels), name="image")
    x = _sn_conv(_sn_conv(image, base_filters, 2), 2 * base_filters, 2)
    z, cam_logit = ClassActivation(name="cam")(x)
    return keras.Model(image, [z, layers.Activation("linear", dtype="float32", name="cam_logit")(
        cam_logit)], name=name)


def global_downsamplings(size):
    """Stride-2 layers of the global head for ``size``-pixel images: to 4x4 before its last
    two layers, at most 2 (the reference's at 256 px)."""
    return int(min(2, max(0, math.floor(math.log2(size / 32)))))


def nicegan_classifier(base_filters=32, size=64, name="classifier"):
    """``z -> [local logits, global logits]`` for images of ``size`` pixels (the short side)."""
    z = keras.Input((None, None, 2 * base_filters), name="z")
    x = _sn_conv(z, 4 * base_filters, 2)
    local = _sn_conv(_sn_conv(x, 8 * base_filters, 1), 1, 1, activate=False)
    g, filters = x, 4 * base_filters
    for _ in range(global_downsamplings(size)):
        filters *= 2
        g = _sn_conv(g, filters, 2)
    g = _sn_conv(_sn_conv(g, 2 * filters, 1), 1, 1, activate=False)
    return keras.Model(z, [layers.Activation("linear", dtype="float32", name="local")(local),
                           layers.Activation("linear", dtype="float32", name="global")(g)],
                       name=name)


def _conv(x, filters, kernel, use_bias=False):
    if kernel > 1:
        x = ReflectionPadding2D(kernel // 2)(x)
    return layers.Conv2D(filters, kernel, use_bias=use_bias)(x)


def nicegan_decoder(channels_out, base_filters=32, num_blocks=6, name="decoder"):
    """``z -> image``: the generator, from another domain's encoder features."""
    width = 4 * base_filters
    z = keras.Input((None, None, 2 * base_filters), name="z")
    x = layers.ReLU()(LayerInstanceNorm()(_conv(z, width, 3, use_bias=True)))
    h = layers.GlobalAveragePooling2D()(x)
    for _ in range(2):
        h = layers.Dense(width, activation="relu", use_bias=False)(h)
    gamma = layers.Dense(width, use_bias=False, name="gamma")(h)
    beta = layers.Dense(width, use_bias=False, name="beta")(h)
    for _ in range(num_blocks):
        r = layers.ReLU()(LayerInstanceNorm(adaptive=True)([_conv(x, width, 3), gamma, beta]))
        r = LayerInstanceNorm(adaptive=True)([_conv(r, width, 3), gamma, beta])
        x = layers.Add()([x, r])
    for _ in range(2):
        width //= 2
        x = layers.ReLU()(LayerInstanceNorm()(_conv(x, width, 3)))
        x = layers.Conv2D(4 * width, 1)(x)
        x = layers.ReLU()(LayerInstanceNorm()(_DepthToSpace()(x)))
    x = _conv(x, channels_out, 7)
    return keras.Model(z, layers.Activation("tanh", dtype="float32", name="translated")(x),
                       name=name)


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class _DepthToSpace(keras.layers.Layer):
    """Sub-pixel upsampling by 2 (PyTorch's ``PixelShuffle(2)``, TensorFlow's depth-to-space)."""

    def call(self, x):
        import tensorflow as tf

        return tf.nn.depth_to_space(x, 2)

    def compute_output_shape(self, input_shape):
        grow = lambda s: None if s is None else 2 * s  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]), input_shape[3] // 4)


def default_networks(shape_a, shape_b, base_filters=32, num_blocks=6):
    """``(encoder_a, encoder_b, decoder_ab, decoder_ba, classifier_a, classifier_b)``."""
    for shape in (shape_a, shape_b):
        if len(shape) != 3 or shape[0] % 16 or shape[1] % 16 or min(shape[:2]) < 32:
            raise ValueError(f"NICE-GAN's discriminators halve the images 3 to 5 times: expected "
                             f"image shapes (h, w, c) with h and w divisible by 16 and at least "
                             f"32, got {shape}")
    ca, cb = shape_a[-1], shape_b[-1]
    return (nicegan_encoder(ca, base_filters, "encoder_a"),
            nicegan_encoder(cb, base_filters, "encoder_b"),
            nicegan_decoder(cb, base_filters, num_blocks, "decoder_ab"),
            nicegan_decoder(ca, base_filters, num_blocks, "decoder_ba"),
            nicegan_classifier(base_filters, min(shape_a[:2]), "classifier_a"),
            nicegan_classifier(base_filters, min(shape_b[:2]), "classifier_b"))

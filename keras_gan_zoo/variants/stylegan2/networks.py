"""StyleGAN2's networks (Karras et al. 2020), written so that exporters take them.

The **generator** is one Keras model ``[z, psi, noise0, noise1, ...] -> image``
with three parts inside, which the training step also calls on their own
(style mixing):

* ``mapping``: ``z`` normalised to unit second moment, then ``mapping_layers``
  dense layers (leaky ReLU, learning rate x 0.01) to the style ``w``;
* ``truncate`` (``TruncateTowardMean``): ``w_avg + psi (w - w_avg)``, ``w_avg``
  a moving average of ``w`` kept by training;
* ``synthesis``: ``[ws, noise maps] -> image`` from a learned 4x4 constant:
  at each resolution two **modulated convolutions** (the first after a
  bilinear 2x upsampling), each followed by **noise** (a per-pixel map times a
  learned strength per layer), a bias and leaky ReLU; a ``to_rgb`` 1x1
  modulated convolution at every resolution, summed upsampled into the
  output (the **skip** generator). Each layer reads its own row of ``ws``
  (``num_ws`` rows), which is where styles mix;
* ``image`` (``Clip``): what samples and exports give, in [-1, 1] (training
  reads the synthesis unclipped, as the reference code does).

**Modulation scales activations, not weights.** Modulating the weights per
sample needs a grouped convolution with per-sample kernels, which ONNX, LiteRT
and OpenVINO converters do not take. The same result, the paper's equation 1 to
3, comes from scaling the input channels by the style ``s``, one shared
convolution, and scaling the output channels by the demodulation
``1 / sqrt(s^2 @ sum_k w^2 + eps)`` (the reference code's
``fused_modconv=False`` path): three ops every converter knows.

The **discriminator** is the residual one: ``from_rgb`` at full size, then
residual blocks (two 3x3 convolutions and a 2x2 average pooling; a pooled 1x1
shortcut; the sum scaled by ``1/sqrt(2)``) down to 4x4, the minibatch
standard deviation, a 3x3 convolution and two dense layers.

Every weight uses the **equalised learning rate** (``EqualDense``,
``EqualConv2D``): stored at unit scale, multiplied by ``1/sqrt(fan_in)`` at
run time. Upsampling is bilinear where the reference code uses a [1, 3, 3, 1]
FIR filter with a transposed convolution: close, cheaper, and exportable.
"""

import math

import keras
from keras import layers, ops

from keras_gan_zoo.networks.layers import Clip, MinibatchStdDev
from keras_gan_zoo.networks.resnet import default_base_filters

__all__ = ["EqualConv2D", "EqualDense", "ModulatedConv2D", "NoiseInjection", "StyleBroadcast",
           "TruncateTowardMean", "default_networks", "noise_sizes", "stylegan2_discriminator",
           "stylegan2_generator", "stylegan2_sizes"]

_SQRT2 = math.sqrt(2.0)


def _lrelu(x):
    """Leaky ReLU (0.2) with StyleGAN's gain sqrt(2), which keeps the activations' scale."""
    return ops.leaky_relu(x, 0.2) * _SQRT2


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class EqualDense(keras.layers.Layer):
    """A dense layer with the equalised learning rate (``lr_mul``: the mapping network's 0.01)."""

    def __init__(self, units, lr_mul=1.0, bias_init=0.0, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.lr_mul, self.bias_init = int(units), float(lr_mul), float(bias_init)
        self.activation = activation

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            name="kernel", shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_mul))
        self.bias = self.add_weight(name="bias", shape=(self.units,),
                                    initializer=keras.initializers.Constant(
                                        self.bias_init / self.lr_mul))
        self.scale = self.lr_mul / math.sqrt(fan_in)

    def call(self, x):
        y = ops.matmul(x, ops.cast(self.kernel, x.dtype) * self.scale)
        y = y + ops.cast(self.bias, x.dtype) * self.lr_mul
        return _lrelu(y) if self.activation == "lrelu" else y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "lr_mul": self.lr_mul,
                "bias_init": self.bias_init, "activation": self.activation}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class EqualConv2D(keras.layers.Layer):
    """A convolution with the equalised learning rate; ``down`` average-pools 2x2 after it."""

    def __init__(self, filters, kernel_size, use_bias=True, activation=None, down=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), int(kernel_size)
        self.use_bias, self.activation, self.down = bool(use_bias), activation, bool(down)

    def build(self, input_shape):
        fan_in = int(input_shape[-1]) * self.kernel_size ** 2
        self.kernel = self.add_weight(
            name="kernel", shape=(self.kernel_size, self.kernel_size, int(input_shape[-1]),
                                  self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0))
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros") \
            if self.use_bias else None
        self.scale = 1.0 / math.sqrt(fan_in)

    def call(self, x):
        y = ops.conv(x, ops.cast(self.kernel, x.dtype) * self.scale, padding="same")
        if self.down:
            y = ops.average_pool(y, 2, 2, padding="valid")
        if self.bias is not None:
            y = y + ops.cast(self.bias, y.dtype)
        return _lrelu(y) if self.activation == "lrelu" else y

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        if self.down:
            h, w = (None if h is None else h // 2), (None if w is None else w // 2)
        return (n, h, w, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "use_bias": self.use_bias,
                "activation": self.activation, "down": self.down}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class ModulatedConv2D(keras.layers.Layer):
    """StyleGAN2's modulated (and demodulated) convolution, called on ``[x, w]``.

    The style ``s = affine(w)`` (bias 1: every layer starts unmodulated)
    scales the input channels; one convolution shared by the batch follows;
    with ``demodulate`` the output channels are divided by the norm the
    modulated kernel would have, ``sqrt(s^2 @ sum_k W^2 + 1e-8)``: the
    paper's weight demodulation, computed on activations so that every
    exporter takes it. ``up`` upsamples the input 2x (bilinear) first.
    """

    def __init__(self, filters, kernel_size, demodulate=True, up=False, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), int(kernel_size)
        self.demodulate, self.up = bool(demodulate), bool(up)

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        channels = int(x_shape[-1])
        self.affine = EqualDense(channels, bias_init=1.0, name="affine")
        self.affine.build(w_shape)
        self.kernel = self.add_weight(
            name="kernel", shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(0.0, 1.0))
        self.scale = 1.0 / math.sqrt(channels * self.kernel_size ** 2)

    def call(self, inputs):
        x, w = inputs
        styles = ops.cast(self.affine(w), x.dtype)                 # (n, in)
        if not self.demodulate:  # to_rgb: the reference code scales the style instead
            styles = styles * self.scale
        x = x * styles[:, None, None, :]
        if self.up:
            size = (x.shape[1] * 2, x.shape[2] * 2)
            x = ops.image.resize(x, size, interpolation="bilinear")
        kernel = ops.cast(self.kernel, x.dtype) * (self.scale if self.demodulate else 1.0)
        y = ops.conv(x, kernel, padding="same")
        if self.demodulate:
            energy = ops.sum(ops.square(ops.cast(kernel, "float32")), axis=(0, 1))  # (in, out)
            norm = ops.matmul(ops.square(ops.cast(styles, "float32")), energy)       # (n, out)
            y = y * ops.cast(ops.rsqrt(norm + 1e-8), y.dtype)[:, None, None, :]
        return y

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape[0]
        if self.up:
            h, w = h * 2, w * 2
        return (n, h, w, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "demodulate": self.demodulate, "up": self.up}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class NoiseInjection(keras.layers.Layer):
    """``x + strength * noise`` (a noise map per sample, one learned strength per layer, 0 at
    first), then a bias and leaky ReLU: called on ``[x, noise]``."""

    def build(self, input_shape):
        self.strength = self.add_weight(name="strength", shape=(), initializer="zeros")
        self.bias = self.add_weight(name="bias", shape=(int(input_shape[0][-1]),),
                                    initializer="zeros")

    def call(self, inputs):
        x, noise = inputs
        x = x + ops.cast(self.strength, x.dtype) * ops.cast(noise, x.dtype)
        return _lrelu(x + ops.cast(self.bias, x.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class TruncateTowardMean(keras.layers.Layer):
    """``w_avg + psi (w - w_avg)`` on ``[w, psi]``: the truncation trick in w space.

    ``w_avg`` is a non-trainable moving average of the mapped styles that the
    training step updates (``update``), saved with the weights.
    """

    def build(self, input_shape):
        self.w_avg = self.add_weight(name="w_avg", shape=(int(input_shape[0][-1]),),
                                     initializer="zeros", trainable=False)

    def call(self, inputs):
        w, psi = inputs
        mean = ops.cast(self.w_avg, w.dtype)
        return mean + ops.cast(ops.reshape(psi, (-1, 1)), w.dtype) * (w - mean)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class StyleBroadcast(keras.layers.Layer):
    """One style ``w`` ``(n, d)`` for each of the ``num_ws`` layers: ``(n, num_ws, d)``."""

    def __init__(self, num_ws, **kwargs):
        super().__init__(**kwargs)
        self.num_ws = int(num_ws)

    def call(self, w):
        return ops.repeat(w[:, None, :], self.num_ws, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_ws, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "num_ws": self.num_ws}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class _NormaliseZ(keras.layers.Layer):
    """``z / sqrt(mean(z^2) + 1e-8)``: the mapping network's first step."""

    def call(self, z):
        return z * ops.rsqrt(ops.mean(ops.square(z), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class _Style(keras.layers.Layer):
    """Row ``index`` of ``ws``."""

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, ws):
        return ws[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class _Constant(keras.layers.Layer):
    """The learned 4x4 input of the synthesis network, repeated over the batch of ``ws``."""

    def __init__(self, channels, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)

    def build(self, input_shape):
        self.const = self.add_weight(name="const", shape=(4, 4, self.channels),
                                     initializer=keras.initializers.RandomNormal(0.0, 1.0))

    def call(self, ws):
        n = ops.shape(ws)[0]
        return ops.broadcast_to(ops.cast(self.const, ws.dtype)[None], (n, 4, 4, self.channels))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 4, 4, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


def stylegan2_sizes(image_shape):
    """The resolutions of the blocks, 4 up to the image's side (a power of two, 8 to 256)."""
    shape = tuple(int(s) for s in image_shape)
    size = shape[0] if len(shape) == 3 and shape[0] == shape[1] else 0
    if size < 8 or size > 256 or size & (size - 1) or shape[2] not in (1, 3):
        raise ValueError(f"StyleGAN2's networks are for square images (s, s, 1 or 3) with s a "
                         f"power of two from 8 to 256, got {image_shape}")
    return [2 ** k for k in range(2, int(math.log2(size)) + 1)]


def noise_sizes(image_shape):
    """The side of each noise map, in the generator's input order."""
    sizes = stylegan2_sizes(image_shape)
    return [4] + [r for r in sizes[1:] for _ in range(2)]


def _width(base_filters, size, resolution):
    return base_filters * min(size // resolution, 8)


def _mapping(latent_dim, w_dim, layers_count):
    z = keras.Input((latent_dim,), name="z")
    x = _NormaliseZ()(z)
    for i in range(layers_count):
        x = EqualDense(w_dim, lr_mul=0.01, activation="lrelu", name=f"dense{i}")(x)
    return keras.Model(z, x, name="mapping")


def _synthesis(image_shape, w_dim, base_filters):
    sizes = stylegan2_sizes(image_shape)
    size, channels = sizes[-1], int(image_shape[-1])
    num_ws = 2 * len(sizes)
    ws = keras.Input((num_ws, w_dim), name="ws")
    maps = [keras.Input((s, s, 1), name=f"noise{i}") for i, s in enumerate(noise_sizes(image_shape))]
    noise = iter(maps)

    # block j's convolutions read rows 2j - 1 and 2j, its to_rgb row 2j + 1, which the next
    # block's first convolution reads too (the reference code's layout: 2 rows a block)
    def layer(x, filters, up, row, name):
        x = ModulatedConv2D(filters, 3, up=up, name=f"{name}_conv")([x, _Style(row)(ws)])
        return NoiseInjection(name=f"{name}_noise")([x, next(noise)])

    def to_rgb(x, row, name):
        return ModulatedConv2D(channels, 1, demodulate=False, name=name)([x, _Style(row)(ws)])

    x = _Constant(_width(base_filters, size, 4), name="const")(ws)
    x = layer(x, _width(base_filters, size, 4), False, 0, "b4_1")
    rgb = to_rgb(x, 1, "b4_rgb")
    for j, r in enumerate(sizes[1:], start=1):
        filters = _width(base_filters, size, r)
        x = layer(x, filters, True, 2 * j - 1, f"b{r}_0")
        x = layer(x, filters, False, 2 * j, f"b{r}_1")
        rgb = layers.Add(name=f"b{r}_skip")([
            layers.UpSampling2D(2, interpolation="bilinear", name=f"b{r}_rgb_up")(rgb),
            to_rgb(x, 2 * j + 1, f"b{r}_rgb")])
    image = layers.Activation("linear", dtype="float32", name="rgb")(rgb)
    return keras.Model([ws, *maps], image, name="synthesis")


def stylegan2_generator(image_shape, latent_dim=256, w_dim=256, mapping_layers=8,
                        base_filters=None, name="generator"):
    """StyleGAN2's generator ``[z, psi, noise0, ...] -> image`` (mapping, truncation, synthesis).

    Args:
        image_shape: ``(s, s, c)``, ``s`` a power of two from 8 to 256.
        latent_dim, w_dim: sizes of ``z`` and of the style ``w`` (the paper:
            512 and 512).
        mapping_layers: dense layers of the mapping network (the paper: 8).
        base_filters: channels at full size; 8 times as many from 1/8 of it
            down (default: the ResNets' default for the size).
    """
    sizes = stylegan2_sizes(image_shape)
    base_filters = base_filters or default_base_filters(sizes[-1])
    mapping = _mapping(latent_dim, w_dim, mapping_layers)
    synthesis = _synthesis(image_shape, w_dim, base_filters)
    z = keras.Input((latent_dim,), name="z")
    psi = keras.Input((), name="psi")
    maps = [keras.Input((s, s, 1), name=f"noise{i}") for i, s in enumerate(noise_sizes(image_shape))]
    w = TruncateTowardMean(name="truncate")([mapping(z), psi])
    ws = StyleBroadcast(2 * len(sizes), name="broadcast")(w)
    # training reads the synthesis unclipped; what samples and exports give is in [-1, 1]
    image = Clip(dtype="float32", name="image")(synthesis([ws, *maps]))
    return keras.Model([z, psi, *maps], image, name=name)


def stylegan2_discriminator(image_shape, base_filters=None, mbstd_group=4, name="discriminator"):
    """StyleGAN2's residual discriminator ``image -> logit``."""
    sizes = stylegan2_sizes(image_shape)
    size = sizes[-1]
    base_filters = base_filters or default_base_filters(size)
    image = keras.Input(tuple(int(s) for s in image_shape), name="image")
    x = EqualConv2D(_width(base_filters, size, size), 1, activation="lrelu", name="from_rgb")(image)
    for r in reversed(sizes[1:]):
        out = _width(base_filters, size, r // 2)
        skip = EqualConv2D(out, 1, use_bias=False, down=True, name=f"b{r}_skip")(x)
        h = EqualConv2D(_width(base_filters, size, r), 3, activation="lrelu", name=f"b{r}_conv0")(x)
        h = EqualConv2D(out, 3, activation="lrelu", down=True, name=f"b{r}_conv1")(h)
        x = layers.Rescaling(1.0 / _SQRT2, name=f"b{r}_out")(layers.Add()([skip, h]))
    x = MinibatchStdDev(mbstd_group)(x)
    x = EqualConv2D(_width(base_filters, size, 4), 3, activation="lrelu", name="b4_conv")(x)
    x = EqualDense(_width(base_filters, size, 4), activation="lrelu", name="b4_dense")(
        layers.Flatten()(x))
    logit = EqualDense(1, dtype="float32", name="logit")(x)
    return keras.Model(image, logit, name=name)


def default_networks(shape, latent_dim=256, w_dim=256, mapping_layers=8, base_filters=None):
    """``(generator, discriminator)`` of StyleGAN2 for square images ``shape``."""
    return (stylegan2_generator(shape, latent_dim=latent_dim, w_dim=w_dim,
                                mapping_layers=mapping_layers, base_filters=base_filters),
            stylegan2_discriminator(shape, base_filters=base_filters))


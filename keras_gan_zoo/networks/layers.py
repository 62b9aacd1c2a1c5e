"""Layers the default networks are made of, beyond Keras's own.

* ``MinibatchStdDev`` - the ProGAN layer against mode collapse.
* ``SpectralConv2D`` and ``SpectralDense`` - spectrally normalised
  convolution and dense layers in the form of the SNGAN paper.
* ``SelfAttention`` - the SAGAN attention block.
* ``SeededDropout`` - dropout whose masks do not change with the number
  of replicas (the pix2pix generator's noise).
* ``FusedBatchNormalization`` - ``keras.layers.BatchNormalization``
  whose training call is TensorFlow's fused kernel on one replica.
* ``LeakyReLU`` - ``keras.layers.LeakyReLU`` whose gradient reads its
  output, so that TensorFlow can fuse it into the convolution before it.
* ``NearestUpSampling2D`` - ``keras.layers.UpSampling2D`` (nearest) as one
  resize op that keeps the static shape, which converters need (exports
  use it in place of Keras's).
"""

import contextlib

import keras
from keras import ops

__all__ = ["Clip", "FusedBatchNormalization", "LeakyReLU", "MinibatchStdDev", "NearestUpSampling2D",
           "SeededDropout", "SelfAttention", "SpectralConv2D", "SpectralDense",
           "dropout_seed", "replica_share"]


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class Clip(keras.layers.Layer):
    """Clips its input to ``[low, high]``: the last layer of a generator whose output is a sum
    (LAPGAN's chain), where a tanh would bend the sum. It declares ``output_range``, which
    the variant contract reads as the generator's value range, as it reads a last tanh."""

    def __init__(self, low=-1.0, high=1.0, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = float(low), float(high)

    @property
    def output_range(self):
        return (self.low, self.high)

    def call(self, x):
        return ops.clip(x, self.low, self.high)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by ``padding`` pixels, mirroring the image at its edges (PyTorch's
    ``ReflectionPad2d``; a ``MirrorPad`` every exporter takes): the translators of CycleGAN's
    lineage pad so, which keeps borders free of the zero frame a ``"same"`` convolution sees."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        import tensorflow as tf

        p = self.padding
        return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

    def compute_output_shape(self, input_shape):
        grow = lambda s: None if s is None else s + 2 * self.padding  # noqa: E731
        return (input_shape[0], grow(input_shape[1]), grow(input_shape[2]), input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class NearestUpSampling2D(keras.layers.UpSampling2D):
    """``keras.layers.UpSampling2D`` with nearest interpolation, computed as one resize.

    Keras repeats the rows, then the columns, and under TensorFlow each
    repeat loses the static shape of the tensor (``?x?x?x?``); the LiteRT
    converter then cannot lower the convolution that follows. A nearest
    resize by an integer factor (half-pixel centres) picks the same pixels,
    so the output is the same, and its static shape survives. Exports
    replace Keras's layer by this one (same configuration, no weights).
    """

    def call(self, inputs):
        if self.interpolation != "nearest" or self.data_format != "channels_last":
            return super().call(inputs)
        static = inputs.shape
        if static[1] is None or static[2] is None:  # a fully convolutional network: any size
            import tensorflow as tf

            size = tf.shape(inputs)[1:3] * tf.constant(self.size, tf.int32)
            return tf.cast(tf.image.resize(inputs, size, method="nearest"), inputs.dtype)
        return ops.image.resize(inputs, (static[1] * self.size[0], static[2] * self.size[1]),
                                interpolation="nearest", data_format="channels_last")


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class MinibatchStdDev(keras.layers.Layer):
    """Minibatch standard deviation (Karras et al. 2018, "Progressive Growing of GANs", 3).

    Splits the batch into groups of ``group_size`` consecutive examples,
    takes the standard deviation of every feature over each group, averages
    it over the features, and appends that one number to every example of the
    group as an extra channel (images) or feature (vectors). A generator that
    collapses makes its batches unusually uniform, which the discriminator
    can then see. The simpler successor of minibatch discrimination
    (Salimans et al. 2016).

    A batch (per replica) that is not a multiple of ``group_size`` (smaller
    than it, or the last, short batch of an epoch) is one group. Groups never cross replicas,
    and since a strategy splits the global batch into consecutive slices,
    results do not change with the number of replicas as long as the
    per-replica batch is a multiple of ``group_size``.

    Args:
        group_size: examples per group (ProGAN: 4).
        epsilon: added to the variance before the square root.

    Example:
        >>> x = keras.Input((7, 7, 128))
        >>> y = MinibatchStdDev(4)(x)          # (None, 7, 7, 129)
    """

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1:
            raise ValueError(f"expected group_size to be an integer >= 1, got {group_size!r}")
        self.group_size = group_size
        self.epsilon = float(epsilon)

    def call(self, x):
        shape = ops.shape(x)
        batch = shape[0]
        group = ops.where(ops.equal(batch % self.group_size, 0), self.group_size, batch)
        # (B/G, G, ...): group j holds examples jG .. jG + G - 1 (consecutive, so
        # a replica's slice of the global batch holds whole groups)
        grouped = ops.cast(ops.reshape(x, (-1, group) + tuple(shape[1:])), "float32")
        std = ops.sqrt(ops.var(grouped, axis=1) + self.epsilon)                  # (B/G, ...)
        std = ops.mean(std, axis=tuple(range(1, len(x.shape))), keepdims=True)  # (B/G, 1, ...)
        std = ops.repeat(std, group, axis=0)                                      # (B, 1, ...)
        std = ops.broadcast_to(std, tuple(shape[:-1]) + (1,))
        return ops.concatenate([x, ops.cast(std, x.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        last = None if input_shape[-1] is None else input_shape[-1] + 1
        return tuple(input_shape[:-1]) + (last,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}


# ------------------------------------------------------- spectral normalization
def _unit(x, epsilon=1e-12):
    return x / ops.sqrt(ops.sum(ops.square(x)) + epsilon)


class _SpectralNorm:
    """The power iteration and the normalised kernel, shared by the two layers.

    The forward pass uses ``W / sigma(W)``, where ``sigma`` is the largest
    singular value of the kernel reshaped to ``(fan_in, units)``, estimated by
    power iteration from a persistent vector ``u`` (Miyato et al. 2018,
    Algorithm 1). ``u`` and ``v`` are held constant in the gradient, but
    ``sigma = v^T W u`` is not, so the gradient reaches the kernel *through*
    the normalisation, as in the paper and in PyTorch's ``spectral_norm``.

    ``keras.layers.SpectralNormalization`` differs: it writes ``W / sigma``
    back into the kernel variable on every training call, so the gradient
    misses the sigma term and the stored weights change outside the optimizer
    (``tests/test_networks.py`` shows the difference).

    ``u`` is updated by one power-iteration step per training call; in
    inference (and in exports) the stored ``u`` is used as it is, so a model
    gives the same output each time it is called. The computation runs in
    float32 under a mixed-precision policy.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("autocast", False)  # the normalisation runs in float32
        super().__init__(*args, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        self._build_u()

    def call(self, inputs, training=False):
        kernel = ops.cast(self.normalized_kernel(training), self.compute_dtype)
        outputs = self._linear(ops.cast(inputs, self.compute_dtype), kernel)
        if self.use_bias:
            outputs = ops.add(outputs, ops.cast(self.bias, self.compute_dtype))
        return outputs if self.activation is None else self.activation(outputs)

    def _build_u(self):
        # Every replica computes the same u from the same (mirrored) kernel, so
        # each keeps its own copy ("on_read"): the update needs no cross-replica
        # step, and so it is allowed inside control flow (lazy R1's tf.cond).
        units = self.kernel.shape[-1]
        self.u = keras.Variable(
            keras.initializers.RandomNormal(0.0, 1.0), shape=(1, units), dtype="float32",
            trainable=False, autocast=False, aggregation="only_first_replica",
            synchronization="on_read", name="sn_u")

    # Conv and Dense save only their kernel and bias; the generic form saves u too.
    def save_own_variables(self, store):
        keras.layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        keras.layers.Layer.load_own_variables(self, store)

    def sigma(self, training=False):
        """The estimate of the kernel's largest singular value (float32, a tensor).

        A training call takes one power-iteration step and stores the new ``u``.
        """
        w = ops.cast(self.kernel, "float32")
        w = ops.reshape(w, (-1, w.shape[-1]))                      # (fan_in, units)
        u = ops.cast(self.u, "float32")                            # (1, units)
        v = _unit(ops.matmul(u, ops.transpose(w)))                  # (1, fan_in)
        if training:
            u = _unit(ops.matmul(v, w))
            self.u.assign(u)
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        return ops.sum(ops.matmul(v, w) * u)

    def normalized_kernel(self, training=False):
        """The kernel divided by ``sigma`` (float32)."""
        return ops.cast(self.kernel, "float32") / self.sigma(training)


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class SpectralConv2D(_SpectralNorm, keras.layers.Conv2D):
    """``keras.layers.Conv2D`` whose kernel is spectrally normalised (SNGAN form).

    Takes the arguments of ``Conv2D``. The forward pass uses ``W / sigma(W)``
    with ``sigma`` estimated by one power-iteration step per training call
    (``u`` and ``v`` held constant in the gradient, ``sigma`` not), as in
    Miyato et al. 2018 and PyTorch's ``spectral_norm``; unlike
    ``keras.layers.SpectralNormalization``, which writes ``W / sigma`` back into
    the kernel and so leaves the sigma term out of the gradient. Inference
    calls leave ``u`` as it is. ``sigma`` reads the estimate.

    Example:
        >>> conv = SpectralConv2D(64, 3, padding="same")
    """

    def _linear(self, inputs, kernel):
        return self.convolution_op(inputs, kernel)


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class SpectralDense(_SpectralNorm, keras.layers.Dense):
    """``keras.layers.Dense`` whose kernel is spectrally normalised (SNGAN form, as
    ``SpectralConv2D``)."""

    def _linear(self, inputs, kernel):
        return ops.matmul(inputs, kernel)


# -------------------------------------------------------------- self-attention
@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class SelfAttention(keras.layers.Layer):
    """The self-attention block of SAGAN (Zhang et al. 2019, section 3).

    Every position of the feature map attends to every other: queries and
    keys of ``channels / 8`` and values of ``channels / 2`` from 1x1
    convolutions (keys and values max-pooled 2x2, as in the BigGAN code, so
    the attention map is ``HW x HW / 4``), the attended values mapped back to
    ``channels`` and added to the input scaled by ``gamma``. ``gamma`` starts
    at 0, so the block begins as the identity and the network learns how much
    non-local evidence to use.

    Args:
        spectral_norm: spectrally normalise the 1x1 convolutions (SAGAN does,
            in both networks).
        kernel_initializer, kernel_regularizer: of the four 1x1
            convolutions (BigGAN: orthogonal, and orthogonally regularised).

    Example:
        >>> x = keras.Input((32, 32, 64))
        >>> y = SelfAttention()(x)            # (None, 32, 32, 64)
    """

    def __init__(self, spectral_norm=False, kernel_initializer="glorot_uniform",
                 kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = bool(spectral_norm)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        if channels < 8:
            raise ValueError(f"SelfAttention needs at least 8 channels, got {channels}")
        layer = SpectralConv2D if self.spectral_norm else keras.layers.Conv2D

        def conv(filters, name):
            return layer(filters, 1, use_bias=False, kernel_initializer=self.kernel_initializer,
                         kernel_regularizer=self.kernel_regularizer, name=name)

        self.query = conv(channels // 8, "query")
        self.key = conv(channels // 8, "key")
        self.value = conv(channels // 2, "value")
        self.out = conv(channels, "out")
        self.pool = keras.layers.MaxPooling2D(2)
        self.query.build(input_shape)
        self.key.build(input_shape)
        self.value.build(input_shape)
        self.out.build(tuple(input_shape[:-1]) + (channels // 2,))
        self.gamma = self.add_weight(name="gamma", shape=(), initializer="zeros")

    def call(self, x, training=False):
        shape = ops.shape(x)
        h, w = shape[1], shape[2]
        q = self.query(x, training=training)
        k = self.pool(self.key(x, training=training))
        v = self.pool(self.value(x, training=training))
        q = ops.reshape(q, (shape[0], -1, q.shape[-1]))               # (B, HW, C/8)
        k = ops.reshape(k, (shape[0], -1, k.shape[-1]))               # (B, HW/4, C/8)
        v = ops.reshape(v, (shape[0], -1, v.shape[-1]))               # (B, HW/4, C/2)
        attention = ops.softmax(ops.matmul(q, ops.transpose(k, (0, 2, 1))), axis=-1)
        o = ops.reshape(ops.matmul(attention, v), (shape[0], h, w, v.shape[-1]))
        return x + ops.cast(self.gamma, x.dtype) * self.out(o, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = {**super().get_config(), "spectral_norm": self.spectral_norm}
        # written only when set, so files of earlier versions and their configs stay alike
        if not isinstance(self.kernel_initializer, keras.initializers.GlorotUniform):
            config["kernel_initializer"] = keras.initializers.serialize(self.kernel_initializer)
        if self.kernel_regularizer is not None:
            config["kernel_regularizer"] = keras.regularizers.serialize(self.kernel_regularizer)
        return config


# ------------------------------------------------------- batch normalisation
@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class FusedBatchNormalization(keras.layers.BatchNormalization):
    """``keras.layers.BatchNormalization`` whose training call is one fused op.

    Keras 3 normalises a training batch with separate reductions, squares,
    casts and multiplies (and, with ``synchronized=True``, an all-reduce of
    sums and of a tensor of ones), forward and backward: a large share of the
    DCGAN step on a CPU (the docs' performance page profiles it). Where nothing needs
    that path - on one replica, channels last, no mask, no renorm - this
    layer calls TensorFlow's ``FusedBatchNormV3`` instead: one op forward and
    one backward, in the input's dtype (bfloat16 under a mixed policy, with
    float32 statistics). The statistics are the same (the moving variance is
    the biased batch variance, as Keras keeps it); results differ from
    Keras's at float32 rounding. On several replicas with
    ``synchronized=True`` it is Keras's layer, so the statistics still cover
    the global batch. Inference (``training=False``) is Keras's layer.
    """

    def _fused(self, inputs, training, mask):
        import tensorflow as tf

        if not (training and self.trainable) or mask is not None or self.renorm:
            return False
        if self.epsilon < 1.001e-5:  # the kernel's smallest epsilon
            return False
        if keras.backend.backend() != "tensorflow" or len(inputs.shape) not in (2, 4):
            return False
        if self.axis not in (-1, len(inputs.shape) - 1):
            return False
        context = tf.distribute.get_replica_context()
        return not (self.synchronized and context is not None
                    and context.num_replicas_in_sync > 1)

    def call(self, inputs, training=None, mask=None):
        if not self._fused(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        import tensorflow as tf

        x = inputs if inputs.dtype in (tf.float32, tf.bfloat16, tf.float16) else \
            tf.cast(inputs, tf.float32)
        channels = x.shape[-1]
        flat = len(x.shape) == 2
        if flat:  # (n, c) as (n, 1, 1, c): the kernel takes NHWC (a reshape: no copy)
            x = tf.reshape(x, [-1, 1, 1, channels])
        scale = tf.cast(self.gamma, tf.float32) if self.scale else tf.ones([channels])
        offset = tf.cast(self.beta, tf.float32) if self.center else tf.zeros([channels])
        y, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
            x=x, scale=scale, offset=offset, mean=tf.constant([], tf.float32),
            variance=tf.constant([], tf.float32), epsilon=self.epsilon,
            is_training=True)
        # the kernel returns the Bessel-corrected variance; Keras keeps the biased one
        n = tf.cast(tf.size(x) // channels, tf.float32)
        variance = variance * (n - 1.0) / tf.maximum(n, 1.0)
        momentum = self.momentum
        self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
        self.moving_variance.assign(
            self.moving_variance * momentum + variance * (1.0 - momentum))
        if flat:
            y = tf.reshape(y, [-1, channels])
        return tf.cast(y, self.compute_dtype)


# ------------------------------------------------------- leaky ReLU
def _leaky_relu_from_output(x, alpha):
    """``leaky_relu(x)`` whose gradient reads the output, not the input."""
    import tensorflow as tf

    @tf.custom_gradient
    def leaky(x):
        y = tf.nn.leaky_relu(x, alpha)

        def grad(dy):
            # for alpha > 0, y has x's sign: the kernel's mask from y is the one from x
            return tf.raw_ops.LeakyReluGrad(gradients=dy, features=y, alpha=alpha)

        return y, grad

    return leaky(x)


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class LeakyReLU(keras.layers.LeakyReLU):
    """``keras.layers.LeakyReLU`` whose gradient is computed from its output.

    The same function and gradient. TensorFlow's own gradient reads the
    layer's input, the output of the convolution before it, which keeps
    Grappler's remapper from fusing convolution, bias and activation into one
    kernel (it fails on the graph with "LeakyReluGrad exist for missing node
    BiasAdd"); reading the output leaves the fusion free. Other backends, and
    a negative slope of 0 or less, use Keras's layer.
    """

    def call(self, inputs):
        if keras.backend.backend() != "tensorflow" or not self.negative_slope > 0:
            return super().call(inputs)
        return _leaky_relu_from_output(inputs, float(self.negative_slope))


# ------------------------------------------------------- replica-invariant dropout
def replica_share(draw, batch_size):
    """This replica's rows of a draw made for the whole global batch.

    ``draw(n)`` must return ``n`` rows from a fixed stateless seed. Every
    replica draws the rows of the *global* batch and keeps its own slice,
    in the order the strategy splits the data (replica 0 takes the first
    rows). So replicas never share noise, and the noise that meets each
    real example is the same on one replica or many: training does not
    depend on the number of replicas. (Only a last, uneven batch, split
    into unequal shares, can give two replicas overlapping rows.)
    """
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas == 1:
        return draw(batch_size)
    start = context.replica_id_in_sync_group * batch_size
    return draw(batch_size * replicas)[start : start + batch_size]


_DROPOUT_SEEDS = []  # the seeds of the enclosing dropout_seed() blocks, innermost last


@contextlib.contextmanager
def dropout_seed(seed):
    """Make every ``SeededDropout`` called inside draw its masks from ``seed``.

    A variant's ``train_step`` wraps its generator calls in this block with a
    stateless seed of its own (model seed, stream, step). The k-th dropout
    call in the block folds in k (a network calls its layers in the same
    order every time), draws the masks of the *global* batch and keeps its
    replica's rows, so an example meets the same mask on one replica or
    many, and a resumed run the same masks as an uninterrupted one.
    """
    _DROPOUT_SEEDS.append([seed, 0])
    try:
        yield
    finally:
        _DROPOUT_SEEDS.pop()


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class SeededDropout(keras.layers.Dropout):
    """``keras.layers.Dropout`` whose masks do not depend on the number of replicas.

    Inside a ``dropout_seed`` block the mask of each example is a
    stateless draw of (seed, the layer's turn in the block, the example's
    place in the global batch); outside one it is Keras' own dropout. At inference
    (``training=False``) it is the identity, so exported generators are
    deterministic.
    """

    def call(self, inputs, training=False):
        if not training or self.rate == 0 or not _DROPOUT_SEEDS:
            return super().call(inputs, training=training)
        import tensorflow as tf

        block = _DROPOUT_SEEDS[-1]
        block[1] += 1
        seed = tf.random.experimental.stateless_fold_in(tf.cast(block[0], tf.int64), block[1])
        shape = tf.shape(inputs)

        def draw(n):
            return tf.random.stateless_uniform(tf.concat([[n], shape[1:]], 0), seed=seed)

        keep = replica_share(draw, shape[0]) >= self.rate
        scale = tf.cast(1.0 / (1.0 - self.rate), inputs.dtype)
        return tf.where(keep, inputs * scale, tf.zeros_like(inputs))

"""Layers that discriminators can use against mode collapse."""

import keras
from keras import ops

__all__ = ["MinibatchStdDev"]


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

    The batch (per replica) must be a multiple of ``group_size``, or smaller
    than it (then the whole batch is one group). Groups never cross replicas,
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
        group = ops.minimum(self.group_size, batch)
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

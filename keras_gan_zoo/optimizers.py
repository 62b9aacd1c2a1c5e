"""Optimizers the variants train with by default.

``FusedAdam`` is ``keras.optimizers.Adam`` with each variable's update
done by TensorFlow's fused ``ResourceApplyAdam`` kernel: one op per variable
instead of Keras's eight or so (two slot updates, a square, a square root, a
division, casts, the assignment). The arithmetic is Adam's as Keras writes it
(bias-corrected step ``lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``, epsilon
added to ``sqrt(v)``), the slots are Keras's (so checkpoints of either load
in the other), and everything the Keras base class does around the update
(weight decay, clipping, loss scaling, gradient accumulation, the moving
average of weights) is unchanged. AMSGrad, sparse gradients (an
``Embedding``'s) and variables in other dtypes than float32 / float64 take
Keras's own update.

What it saves on a CPU is measured on the docs' performance page (the
profile of the DCGAN step).
"""

import keras

__all__ = ["FusedAdam"]


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class FusedAdam(keras.optimizers.Adam):
    """``keras.optimizers.Adam``, each variable updated by one fused kernel.

    Takes Keras's ``Adam`` arguments. Example:
        >>> model.compile(kgz.optimizers.FusedAdam(2e-4, beta_1=0.5),
        ...               kgz.optimizers.FusedAdam(2e-4, beta_1=0.5))
    """

    def update_step(self, gradient, variable, learning_rate):
        import tensorflow as tf

        if (self.amsgrad or keras.backend.backend() != "tensorflow"
                or isinstance(gradient, tf.IndexedSlices)  # Keras updates sparse rows its way
                or variable.dtype not in (tf.float32, tf.float64)):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        index = self._get_variable_index(variable)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle, m=self._momentums[index].handle,
            v=self._velocities[index].handle, beta1_power=tf.pow(beta_1, step),
            beta2_power=tf.pow(beta_2, step), lr=tf.cast(learning_rate, dtype), beta1=beta_1,
            beta2=beta_2, epsilon=tf.cast(self.epsilon, dtype), grad=tf.cast(gradient, dtype))

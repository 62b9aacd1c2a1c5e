"""What a training step needs to be right under ``tf.distribute``: one mixin of the bases.

* the **reduction rule**: Keras *sums* gradients over replicas, so per-example
  losses are summed and divided by the *global* batch size
  (``DistributedStep.reduce_loss``);
* pairs **across the global batch** (an image with another example's text):
  ``DistributedStep.global_roll`` pairs each example with the one before it in
  the global batch, whichever replica holds it;
* noise that is **different on every replica**, reproducible, and the same for
  each example on one replica or many: stateless draws keyed by (model seed,
  stream, optimizer step) for the global batch, of which each replica keeps its
  slice (``DistributedStep.replica_share``);
* assignments outside an optimizer that stay equal on every replica
  (``DistributedStep.assign_everywhere``);
* logs that survive ``MultiWorkerMirroredStrategy`` (``DistributedStep.logs``).

See the docs' design note on replica invariance.
"""

import keras
import tensorflow as tf

from keras_gan_zoo.networks.layers import replica_share

__all__ = ["DistributedStep", "NOISE_STREAM_AUGMENT", "NOISE_STREAM_AUX", "NOISE_STREAM_D",
           "NOISE_STREAM_G"]

# Independent random streams of one training step.
NOISE_STREAM_D = 0  # latent noise for the discriminator's fakes
NOISE_STREAM_G = 1  # latent noise for the generator's update
NOISE_STREAM_AUX = 2  # anything else a variant draws (e.g. the GP's alpha)
NOISE_STREAM_AUGMENT = 3  # the differentiable augmentations' draws


def _multi_worker(strategy):
    return isinstance(
        strategy, tf.distribute.MultiWorkerMirroredStrategy
    ) and strategy.extended._in_multi_worker_mode()


class DistributedStep:
    """The step's tools that keep training the same on one replica or many (a mixin of
    ``AdversarialModel``)."""

    def _check_strategy(self, what):
        current = tf.distribute.get_strategy()
        # Keras records the strategy a model is created under (None outside any).
        if tf.distribute.has_strategy() and current is not self._distribute_strategy:
            raise RuntimeError(
                f"{type(self).__name__} was built outside the {type(current).__name__}'s scope "
                f"but {what}() runs inside it: build the model and compile it inside "
                "strategy.scope() (with strategy.scope(): model = ...; model.compile())")

    def random_seed(self, stream, counter):
        """A stateless ``(2,)`` seed for (model seed, stream, counter).

        ``counter`` is an optimizer's ``iterations``, so a resumed run draws
        the same noise as an uninterrupted one.
        """
        seed = tf.constant([self.seed, stream], dtype=tf.int64)
        return tf.random.experimental.stateless_fold_in(seed, tf.cast(counter, tf.int64))

    @staticmethod
    def replica_share(draw, batch_size):
        """This replica's rows of a draw for the global batch
        (``keras_gan_zoo.networks.layers.replica_share``)."""
        return replica_share(draw, batch_size)

    @staticmethod
    def global_roll(values):
        """``values`` of this replica's examples, each replaced by the previous example's in the
        *global* batch (the first by the last): the same pairs on one replica or many.

        StackGAN's mismatched texts use it: each real image meets the text of another
        example. Rolling only this replica's rows would pair other examples on two
        replicas than on one. Assumes equal shares, as ``replica_share`` does.
        """
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        if replicas == 1:
            return tf.roll(values, 1, axis=0)
        everything = tf.roll(context.all_gather(values, axis=0), 1, axis=0)
        size = tf.shape(values)[0]
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * size
        return everything[start:start + size]

    def reduce_loss(self, per_example, network=None):
        """Reduce per-example losses for a distributed gradient step.

        Sums and divides by the **global** batch size (the per-replica batch
        times the number of replicas), because Keras sums the replicas'
        gradients. Adds the network's regularisation losses, divided by the
        number of replicas for the same reason.
        """
        loss = tf.nn.compute_average_loss(per_example)
        if network is not None and network.losses:
            loss += tf.nn.scale_regularization_loss(tf.add_n(network.losses))
        return loss

    @staticmethod
    def apply_gradients(optimizer, tape, loss, variables):
        """Apply the gradients of ``loss`` (recorded on ``tape``) to ``variables``.

        Under a ``mixed_float16`` policy the optimizer is a
        ``LossScaleOptimizer``: the loss is scaled on the same tape, and the
        optimizer unscales the gradients before applying them.
        """
        with tape:
            scaled = optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, variables)
        optimizer.apply_gradients(zip(grads, variables))

    def assign_everywhere(self, variables, update, *args):
        """``update(variable, *args_i)`` for each variable, alike on every replica.

        For what changes variables outside an optimizer inside the step (the
        WGAN's clipping, the generator's moving average): the assignment runs
        once per variable in the strategy's cross-replica context, so mirrored
        copies stay equal. ``args`` are lists parallel to ``variables``.
        """
        raw = lambda vs: [v.value if isinstance(v, keras.Variable) else v for v in vs]  # noqa: E731

        def apply(strategy, variables, *args):
            for i, variable in enumerate(variables):
                strategy.extended.update(variable, update, args=tuple(a[i] for a in args),
                                         group=False)

        tf.__internal__.distribute.interim.maybe_merge_call(
            apply, self.distribute_strategy, raw(variables), *[raw(a) for a in args])

    def logs(self):
        """The trackers' results, shaped to survive the strategy's reduction.

        Keras reduces the logs of a ``MultiWorkerMirroredStrategy`` step with
        ``strategy.reduce("MEAN", v, axis=0)``, which fails on the scalars every
        metric returns (tensorflow/tensorflow#72388). A ``(1,)`` tensor per
        replica reduces over that axis to the same scalar mean.
        """
        logs = {m.name: m.result() for m in self.metrics}
        if _multi_worker(tf.distribute.get_strategy()):
            logs = {k: tf.reshape(v, [1]) for k, v in logs.items()}
        return logs

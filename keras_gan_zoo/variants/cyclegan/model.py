"""CycleGAN (Zhu et al. 2017): unpaired image-to-image translation.

Two generators translate A -> B and B -> A; two discriminators judge real
against translated images of each domain. The generators minimise

    LSGAN(D_B(G_AB(a))) + LSGAN(D_A(G_BA(b)))
    + cycle_weight * (|G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|)
    + identity_weight * cycle_weight * (|G_AB(b) - b| + |G_BA(a) - a|)

with the paper's weights (cycle 10, identity half of it). The discriminators
see translated images drawn from a history pool of the last ``pool_size``
translations (Shrivastava et al. 2017), which damps oscillation, and their
least-squares loss is halved, as in the paper. An optional linear learning-rate decay to zero
over the second half of training is set up by ``CycleGAN.linear_decay``.

One ``train_step`` takes a batch of unpaired ``(a, b)`` images.
"""

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import NOISE_STREAM_AUX, TranslationModel, shape_str
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.cyclegan.networks import default_networks

__all__ = ["CycleGAN"]


def _l1(x, y):
    """Per-example mean absolute error."""
    return tf.reduce_mean(tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32)),
                          axis=list(range(1, len(x.shape))))


class _ImagePool:
    """A per-replica buffer of past translations, saved with the model (see
    ``CycleGAN.save_own_variables``).

    While it fills, images pass through and are stored. Once full, each image
    is, with probability 1/2, swapped for a random stored one (which it
    replaces) and otherwise passed through. The random draws use the model's
    stateless seeds, so training stays reproducible.
    """

    def __init__(self, size, shape):
        self.size = size
        on_read = dict(trainable=False, synchronization=tf.VariableSynchronization.ON_READ,
                       aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        self.images = tf.Variable(tf.zeros((size,) + tuple(shape)), **on_read)
        self.count = tf.Variable(0, dtype=tf.int32, **on_read)

    def query(self, images, seed):
        images = tf.cast(images, tf.float32)
        n = tf.shape(images)[0]
        # 1. fill the free slots with the first images, which pass through
        free = tf.minimum(self.size - self.count, n)
        slots = tf.range(free) + self.count
        stored = tf.tensor_scatter_nd_update(self.images, slots[:, None], images[:free])
        # 2. the other images swap, each with probability 1/2, with distinct stored ones
        rest = n - free
        order = tf.argsort(tf.random.stateless_uniform([self.size], seed=seed))
        take = tf.minimum(rest, self.size)
        picked = order[:take]
        swap = tf.random.stateless_uniform([take], seed=seed + 1) < 0.5
        candidates = images[free:free + take]
        returned = tf.where(swap[:, None, None, None], tf.gather(stored, picked), candidates)
        stored = tf.tensor_scatter_nd_update(
            stored, tf.boolean_mask(picked, swap)[:, None], tf.boolean_mask(candidates, swap)
        )
        self.images.assign(stored)
        self.count.assign(self.count + free)
        return tf.concat([images[:free], returned, images[free + take:]], axis=0)


@register_variant("cyclegan")
class CycleGAN(TranslationModel):
    """CycleGAN trained with ``model.fit`` on a dataset of unpaired ``(a, b)`` batches.

    Args:
        generator_ab, generator_ba: image-to-image models A -> B and B -> A.
        discriminator_a, discriminator_b: models image -> logits (a PatchGAN
            map or one logit), for domains A and B.
        cycle_weight: weight of the cycle-consistency L1 loss (paper: 10).
        identity_weight: weight of the identity loss as a fraction of
            ``cycle_weight`` (paper: 0.5); needs the same channels in A and B.
        pool_size: size of each history pool (paper: 50; 0 disables it).
        image_shape_a, image_shape_b: ``(h, w, c)`` of the training images,
            needed to size the pools when the networks are fully convolutional.
        seed: seed of the pool's random draws.

    Example:
        >>> model = CycleGAN.for_shape((32, 32, 1), (32, 32, 1))
        >>> model.compile()           # Adam(2e-4, beta_1=0.5) for both, as the paper
        >>> model.fit(tf.data.Dataset.zip((mnist, usps)).batch(16), epochs=10)
        >>> usps_like = model.translate(mnist_images, direction="a_to_b")
    """

    network_names = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
    training_only_networks = ("discriminator_a", "discriminator_b")
    training_only_state = ("pool_a_images", "pool_a_count", "pool_b_images", "pool_b_count")

    def __init__(self, generator_ab, generator_ba, discriminator_a, discriminator_b,
                 cycle_weight=10.0, identity_weight=0.5, pool_size=50, image_shape_a=None,
                 image_shape_b=None, seed=None, **kwargs):
        # Attribute names as in 0.1.0 (generator = A -> B, discriminator = B's),
        # which the weights' paths in saved files follow.
        super().__init__({"generator": generator_ab, "discriminator": discriminator_b,
                          "generator_ba": generator_ba, "discriminator_a": discriminator_a},
                         seed=seed, **kwargs)
        if cycle_weight < 0 or identity_weight < 0:
            raise ValueError(
                f"expected cycle_weight >= 0 and identity_weight >= 0, got {cycle_weight} "
                f"and {identity_weight}"
            )
        if not isinstance(pool_size, (int, np.integer)) or pool_size < 0:
            raise ValueError(f"expected pool_size to be an integer >= 0, got {pool_size!r}")
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        self.pool_size = int(pool_size)
        self.image_shape_a = self._image_shape(image_shape_a, generator_ab, "a")
        self.image_shape_b = self._image_shape(image_shape_b, generator_ba, "b")
        if self.identity_weight and self.image_shape_a[-1] != self.image_shape_b[-1]:
            raise ValueError(
                f"the identity loss needs the same channels in A and B, got "
                f"{self.image_shape_a[-1]} and {self.image_shape_b[-1]}; pass identity_weight=0"
            )
        self.cycle_tracker = keras.metrics.Mean(name="cycle_loss")
        self._pools = None
        if self.pool_size:
            self._pools = (_ImagePool(self.pool_size, self.image_shape_a),
                           _ImagePool(self.pool_size, self.image_shape_b))

    @staticmethod
    def _image_shape(shape, generator, domain):
        shape = tuple(shape) if shape is not None else tuple(generator.inputs[0].shape[1:])
        if len(shape) != 3 or None in shape:
            raise ValueError(
                f"the networks do not fix the size of the {domain.upper()} images; pass "
                f"image_shape_{domain}=(h, w, c)"
            )
        return tuple(int(s) for s in shape)

    # The history pools are saved with the model (and so in the training
    # checkpoint, so that a resumed run goes on with the same pool); files
    # written before they were saved load with empty pools.
    def save_own_variables(self, store):
        super().save_own_variables(store)
        for name, pool in zip("ab", self._pools or ()):
            store[f"pool_{name}_images"] = np.asarray(pool.images.read_value())
            store[f"pool_{name}_count"] = np.asarray(pool.count.read_value())

    def load_own_variables(self, store):
        keys = list(store.keys())
        super().load_own_variables({k: store[k] for k in keys if not k.startswith("pool_")})
        for name, pool in zip("ab", self._pools or ()):
            if f"pool_{name}_images" in keys:
                pool.images.assign(np.asarray(store[f"pool_{name}_images"]))
                pool.count.assign(np.asarray(store[f"pool_{name}_count"]))

    @classmethod
    def for_shapes(cls, *args, **kwargs):
        """Renamed ``for_shape`` in 0.2.0."""
        raise TypeError("CycleGAN.for_shapes(shape_a, shape_b) was renamed "
                        "CycleGAN.for_shape(shape_a, shape_b) in 0.2.0 (see CHANGELOG.md)")

    @classmethod
    def for_shape(cls, shape_a, shape_b=None, base_filters=32, num_blocks=6, **kwargs):
        """CycleGAN with ResNet-block generators and PatchGAN discriminators.

        Args:
            shape_a, shape_b: ``(h, w, c)`` of the two domains; ``h`` and ``w``
                divisible by 4. ``shape_b`` defaults to ``shape_a``.
            base_filters: filters of the first layers (the paper: 64).
            num_blocks: residual blocks per generator (the paper: 6 at 128 px).
        """
        shape_b = shape_a if shape_b is None else shape_b
        return cls(
            *default_networks(shape_a, shape_b, base_filters, num_blocks),
            image_shape_a=tuple(shape_a), image_shape_b=tuple(shape_b), **kwargs,
        )

    @staticmethod
    def linear_decay(learning_rate, total_steps, constant_steps=None):
        """The paper's schedule: constant, then linearly to zero.

        Args:
            learning_rate: the initial rate.
            total_steps: optimizer steps of the whole run.
            constant_steps: steps at the initial rate (default: half).

        Example:
            >>> lr = CycleGAN.linear_decay(2e-4, total_steps=10_000)
            >>> model.compile(keras.optimizers.Adam(lr, 0.5), keras.optimizers.Adam(lr, 0.5))
        """
        constant_steps = total_steps // 2 if constant_steps is None else constant_steps
        return _LinearDecay(learning_rate, total_steps, constant_steps)

    def get_config(self):
        return {
            **super().get_config(),
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "image_shape_a": list(self.image_shape_a),
            "image_shape_b": list(self.image_shape_b),
        }

    def check_networks(self):
        pairs = [("generator_ab", self.generator, "discriminator_b", self.discriminator),
                 ("generator_ba", self.generator_ba, "discriminator_a", self.discriminator_a)]
        for g_name, g, d_name, d in pairs:
            for name, net in ((g_name, g), (d_name, d)):
                if not isinstance(net, keras.Model) or len(net.inputs) != 1:
                    raise ValueError(f"expected {name} to be a keras.Model with one image input")
            produced, accepted = g.outputs[0].shape[1:], d.inputs[0].shape[1:]
            if len(produced) != 3 or produced[-1] != accepted[-1]:
                raise ValueError(
                    f"{g_name} makes images of shape {shape_str(g.outputs[0].shape)} but "
                    f"{d_name} takes {shape_str(d.inputs[0].shape)}"
                )
        if self.generator.inputs[0].shape[-1] != self.generator_ba.outputs[0].shape[-1]:
            raise ValueError("generator_ab must take the images generator_ba makes (domain A)")

    @property
    def generator_ab(self):
        return self.generator

    @property
    def discriminator_b(self):
        return self.discriminator

    def translators(self):
        return {"a_to_b": (self.generator, self.image_shape_a),
                "b_to_a": (self.generator_ba, self.image_shape_b)}

    @property
    def generator_variables(self):
        return self.generator.trainable_variables + self.generator_ba.trainable_variables

    @property
    def discriminator_variables(self):
        return self.discriminator_a.trainable_variables + self.discriminator.trainable_variables

    @property
    def metrics(self):
        return super().metrics + [self.cycle_tracker]

    # -------------------------------------------------------------- the step
    def train_step(self, data):
        real_a, real_b = self.unpack(data)
        batch_size = tf.shape(real_a)[0]
        g_ab, g_ba, d_a, d_b = self.generator, self.generator_ba, self.discriminator_a, self.discriminator
        g_opt, d_opt = self.generator_optimizer, self.discriminator_optimizer

        with tf.GradientTape() as tape:
            fake_b, fake_a = g_ab(real_a, training=True), g_ba(real_b, training=True)
            # The paper's generator loss is (D(G(x)) - 1)^2, twice the 0.5-scaled
            # least-squares loss; the discriminator's 0.5 (D(x)-1)^2 + 0.5 D(G(x))^2
            # is already the paper's halved objective.
            adversarial = 2.0 * (losses.least_squares_generator_loss(d_b(fake_b, training=True))
                                 + losses.least_squares_generator_loss(d_a(fake_a, training=True)))
            cycle = (_l1(g_ba(fake_b, training=True), real_a)
                     + _l1(g_ab(fake_a, training=True), real_b))
            per_example = adversarial + self.cycle_weight * cycle
            if self.identity_weight:
                identity = _l1(g_ab(real_b, training=True), real_b) + _l1(g_ba(real_a, training=True), real_a)
                per_example += self.identity_weight * self.cycle_weight * identity
            g_loss = self.reduce_loss(per_example)
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)

        if self._pools is not None:
            seed = self.random_seed(NOISE_STREAM_AUX, g_opt.iterations)
            fake_a = self._pools[0].query(fake_a, seed)
            fake_b = self._pools[1].query(fake_b, seed + 2)
        with tf.GradientTape() as tape:
            per_d = (
                losses.least_squares_discriminator_loss(d_a(real_a, training=True), d_a(fake_a, training=True))
                + losses.least_squares_discriminator_loss(d_b(real_b, training=True), d_b(fake_b, training=True))
            )
            d_loss = self.reduce_loss(per_d)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)

        self.g_loss_tracker.update_state(tf.reduce_mean(adversarial), sample_weight=batch_size)
        self.d_loss_tracker.update_state(tf.reduce_mean(per_d), sample_weight=batch_size)
        self.cycle_tracker.update_state(tf.reduce_mean(cycle), sample_weight=batch_size)
        return self.logs()


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class _LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant for ``constant_steps``, then linear to zero at ``total_steps``."""

    def __init__(self, learning_rate, total_steps, constant_steps):
        self.learning_rate, self.total_steps, self.constant_steps = learning_rate, total_steps, constant_steps

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        fraction = (step - self.constant_steps) / max(self.total_steps - self.constant_steps, 1)
        return self.learning_rate * keras.ops.clip(1.0 - fraction, 0.0, 1.0)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "total_steps": self.total_steps,
                "constant_steps": self.constant_steps}

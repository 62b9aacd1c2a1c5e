"""pix2pix (Isola et al. 2017): paired image-to-image translation with a conditional GAN.

Where CycleGAN has only two unpaired sets, pix2pix learns from pairs
``(a, b)``: a label map and its photo, a sketch and its render. The
generator ``G: a -> b`` minimises

    -log D(a, G(a)) + l1_weight * |b - G(a)|

the non-saturating conditional GAN loss plus an L1 distance to the true
``b`` (weight 100 in the paper). L1 alone gives blurry but correct images;
the discriminator, a PatchGAN that judges every 70x70 patch of the
(input, output) pair, adds the high frequencies L1 averages away. The
discriminator's cross-entropy is halved, as in the paper, to slow it
relative to the generator. The generator's noise is the dropout inside it
(there is no ``z``), so a trained pix2pix is close to deterministic; at
inference the dropout is off.

One model translates one way; for the other, build it the other way round
(``Pix2Pix.for_shape(shape_b, shape_a)``) and fit it on ``(b, a)``.
"""

import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import NOISE_STREAM_G, TranslationModel, shape_str
from keras_gan_zoo.models.contract import Takes
from keras_gan_zoo.networks.layers import dropout_seed
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.pix2pix.networks import default_networks

__all__ = ["Pix2Pix"]


@register_variant("pix2pix")
class Pix2Pix(TranslationModel):
    """pix2pix trained with ``model.fit`` on paired ``(a, b)`` images.

    Args:
        generator: image-to-image model ``a -> b`` (the default: a U-Net).
        discriminator: model ``[a, b] -> logits`` (a PatchGAN map or one
            logit) judging whether ``b`` goes with ``a``.
        l1_weight: weight of the L1 distance to the true ``b`` (paper: 100).
        image_shape_a: ``(h, w, c)`` of the training inputs, needed when the
            generator is fully convolutional.
        seed: seed of the generator's dropout masks.

    Example:
        >>> model = Pix2Pix.for_shape((256, 256, 3), (256, 256, 3))
        >>> model.compile()           # Adam(2e-4, beta_1=0.5) for both, as the paper
        >>> model.fit(label_maps, photos, batch_size=1, epochs=200)
        >>> photos = model.translate(new_label_maps)
    """

    network_names = ("generator", "discriminator")
    training_only_networks = ("discriminator",)
    takes = Takes("paired")

    def __init__(self, generator, discriminator, l1_weight=100.0, image_shape_a=None, seed=None,
                 **kwargs):
        super().__init__({"generator": generator, "discriminator": discriminator}, seed=seed,
                         **kwargs)
        if isinstance(l1_weight, bool) or not isinstance(l1_weight, (int, float)) or l1_weight < 0:
            raise ValueError(f"expected l1_weight >= 0, got {l1_weight!r}")
        self.l1_weight = float(l1_weight)
        shape = image_shape_a if image_shape_a is not None else generator.inputs[0].shape[1:]
        if len(shape) != 3 or None in tuple(shape):
            raise ValueError("the generator does not fix the size of its input images; pass "
                             "image_shape_a=(h, w, c)")
        self.image_shape_a = tuple(int(s) for s in shape)
        self.l1_tracker = keras.metrics.Mean(name="l1_loss")

    @classmethod
    def for_shape(cls, shape_a, shape_b=None, base_filters=64, num_downs=None, dropout=0.5,
                  num_layers=3, **kwargs):
        """pix2pix with the paper's U-Net and 70x70 PatchGAN for ``shape_a -> shape_b``.

        Args:
            shape_a, shape_b: ``(h, w, c)`` of inputs and outputs (same ``h``
                and ``w``; ``shape_b`` defaults to ``shape_a``).
            base_filters: filters of the first layers (the paper: 64).
            num_downs: the U-Net's halvings (default: down to 1x1 or at most 8).
            dropout: the generator's dropout rate (the paper: 0.5).
            num_layers: the PatchGAN's stride-2 layers (3: 70x70 patches; 1:
                16x16, 2: 34x34, for small images).
        """

        generator, discriminator = default_networks(shape_a, shape_b, base_filters, num_downs,
                                                     dropout, num_layers)
        return cls(generator, discriminator, image_shape_a=tuple(shape_a), **kwargs)

    def get_config(self):
        return {**super().get_config(), "l1_weight": self.l1_weight,
                "image_shape_a": list(self.image_shape_a)}

    def check_networks(self):
        g, d = self.generator, self.discriminator
        if not isinstance(g, keras.Model) or len(g.inputs) != 1 or len(g.outputs[0].shape) != 4:
            raise ValueError("expected the generator to be a keras.Model image -> image")
        if not isinstance(d, keras.Model) or len(d.inputs) != 2:
            raise ValueError(
                "expected the discriminator to be a keras.Model [a, b] -> logits judging "
                f"(input, output) pairs, got inputs {[shape_str(t.shape) for t in d.inputs]}")
        wanted = (g.inputs[0].shape[-1], g.outputs[0].shape[-1])
        got = (d.inputs[0].shape[-1], d.inputs[1].shape[-1])
        if wanted != got:
            raise ValueError(f"the generator maps {wanted[0]} channels to {wanted[1]}, but the "
                             f"discriminator takes pairs of {got[0]} and {got[1]} channels")

    def translators(self):
        return {"a_to_b": (self.generator, self.image_shape_a)}

    @property
    def image_shape_b(self):
        return self.image_shape_a[:2] + (int(self.generator.outputs[0].shape[-1]),)

    @property
    def metrics(self):
        return super().metrics + [self.l1_tracker]

    # -------------------------------------------------------------- the step
    def train_step(self, data):
        real_a, real_b = self.unpack(data)
        batch_size = tf.shape(real_a)[0]
        g, d = self.generator, self.discriminator
        g_opt, d_opt = self.generator_optimizer, self.discriminator_optimizer

        with tf.GradientTape() as tape:
            with dropout_seed(self.random_seed(NOISE_STREAM_G, g_opt.iterations)):
                fake_b = g(real_a, training=True)
            adversarial = losses.non_saturating_generator_loss(
                d([real_a, fake_b], training=True))
            l1 = tf.reduce_mean(tf.abs(tf.cast(real_b, tf.float32) - tf.cast(fake_b, tf.float32)),
                                axis=[1, 2, 3])
            g_loss = self.reduce_loss(adversarial + self.l1_weight * l1, g)
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)

        with tf.GradientTape() as tape:
            fake_b = tf.stop_gradient(fake_b)
            per_d = 0.5 * losses.minimax_discriminator_loss(d([real_a, real_b], training=True),
                                                            d([real_a, fake_b], training=True))
            d_loss = self.reduce_loss(per_d, d)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)

        self.g_loss_tracker.update_state(tf.reduce_mean(adversarial), sample_weight=batch_size)
        self.d_loss_tracker.update_state(tf.reduce_mean(per_d), sample_weight=batch_size)
        self.l1_tracker.update_state(tf.reduce_mean(l1), sample_weight=batch_size)
        return self.logs()

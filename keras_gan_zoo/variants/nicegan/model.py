"""NICE-GAN (Chen et al. 2020): unpaired translation whose encoders are the front of the
discriminators, trained only by the discriminators' optimizer.

Each domain has a discriminator made of an **encoder** and a **classifier**
(``keras_gan_zoo.variants.nicegan.networks``) and a **decoder** that draws
its domain from the *other* domain's encoder features: ``A -> B`` is
``decoder_ab(encoder_a(a))``. The discriminators judge with three heads (a
local and a global patch classifier and the encoder's class-activation
logit), each with the least-squares loss. The generators' loss is the three
heads' adversarial loss, a cycle L1 (``cycle_weight`` 10) through the other
domain's encoder and the decoder back, and a reconstruction L1
(``reconstruction_weight`` 10) of each image decoded from its own encoder's
features. The generators' gradients pass through the encoders, but only the
decoders take them: the encoders move with the discriminators alone, the
paper's decoupled training. ``translate`` and the exports run encoder and
decoder as one graph.
"""

import keras
import tensorflow as tf

from keras_gan_zoo.models.checks import shape_str
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.models.translation import TranslationModel
from keras_gan_zoo.variants.nicegan.networks import default_networks

__all__ = ["NICEGAN"]


def _l1(x, y):
    return tf.reduce_mean(tf.abs(tf.cast(x, tf.float32) - tf.cast(y, tf.float32)), axis=[1, 2, 3])


def _squared(logits, target):
    logits = tf.cast(logits, tf.float32)
    return tf.reduce_mean(tf.square(logits - target), axis=list(range(1, len(logits.shape))))


@register_variant("nicegan")
class NICEGAN(TranslationModel):
    """NICE-GAN trained with ``model.fit`` on a dataset of unpaired ``(a, b)`` batches.

    Args:
        encoder_a, encoder_b: ``image -> [z, cam_logit]``, the front of each
            domain's discriminator.
        decoder_ab, decoder_ba: ``z -> image``: A's features to B, B's to A.
        classifier_a, classifier_b: ``z -> [logits, ...]``, the rest of each
            discriminator (its patch heads).
        cycle_weight, reconstruction_weight: weights of the cycle and
            reconstruction L1 terms (the paper: 10 and 10).
        adversarial_weight: weight of the adversarial terms (1).
        image_shape_a, image_shape_b: ``(h, w, c)`` of the training images.
        seed: seed of the model's random streams.

    Example:
        >>> model = NICEGAN.for_shape((64, 64, 3), (64, 64, 3))
        >>> model.compile()       # Adam(1e-4, 0.5, 0.999) on both sides, as the paper
        >>> model.fit(tf.data.Dataset.zip((twemoji, noto)).batch(4), epochs=20)
        >>> noto_like = model.translate(twemoji_images, direction="a_to_b")
    """

    network_names = ("encoder_a", "encoder_b", "decoder_ab", "decoder_ba", "classifier_a",
                     "classifier_b")
    training_only_networks = ("classifier_a", "classifier_b")

    def __init__(self, encoder_a, encoder_b, decoder_ab, decoder_ba, classifier_a, classifier_b,
                 cycle_weight=10.0, reconstruction_weight=10.0, adversarial_weight=1.0,
                 image_shape_a=None, image_shape_b=None, seed=None, **kwargs):
        self.image_shape_a = tuple(int(s) for s in image_shape_a or ())
        self.image_shape_b = tuple(int(s) for s in image_shape_b or ())
        super().__init__({"encoder_a": encoder_a, "encoder_b": encoder_b,
                          "decoder_ab": decoder_ab, "decoder_ba": decoder_ba,
                          "classifier_a": classifier_a, "classifier_b": classifier_b},
                         seed=seed, **kwargs)
        for name, value in (("cycle_weight", cycle_weight),
                            ("reconstruction_weight", reconstruction_weight),
                            ("adversarial_weight", adversarial_weight)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"expected {name} >= 0, got {value!r}")
        self.cycle_weight = float(cycle_weight)
        self.reconstruction_weight = float(reconstruction_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.cycle_tracker = keras.metrics.Mean(name="cycle_loss")

    @classmethod
    def for_shape(cls, shape_a, shape_b=None, base_filters=32, num_blocks=6, **kwargs):
        """NICE-GAN for two domains of images ``(h, w, c)`` (``h``, ``w`` divisible by 16, at
        least 32); ``base_filters`` the encoder's first filters (the paper: 64),
        ``num_blocks`` the decoders' residual blocks (6)."""
        shape_b = shape_a if shape_b is None else shape_b
        cls._check_keywords(kwargs, builder=cls.for_shape)
        return cls(*default_networks(shape_a, shape_b, base_filters, num_blocks),
                   image_shape_a=tuple(shape_a), image_shape_b=tuple(shape_b), **kwargs)

    def get_config(self):
        return {**super().get_config(), "cycle_weight": self.cycle_weight,
                "reconstruction_weight": self.reconstruction_weight,
                "adversarial_weight": self.adversarial_weight,
                "image_shape_a": list(self.image_shape_a),
                "image_shape_b": list(self.image_shape_b)}

    @classmethod
    def default_optimizers(cls):
        """Adam(1e-4, 0.5, 0.999) for the decoders and for the discriminators (the paper's;
        its L2 weight decay of 1e-4 is left out)."""
        return (keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999),
                keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999))

    def check_networks(self):
        for domain, shape in (("a", self.image_shape_a), ("b", self.image_shape_b)):
            if len(shape) != 3:
                raise ValueError(f"pass image_shape_{domain}=(h, w, c): the networks are fully "
                                 "convolutional and do not say the size of the images")
        pairs = (("encoder_a", "decoder_ab", "encoder_b"), ("encoder_b", "decoder_ba", "encoder_a"))
        for source, decoder, target in pairs:
            z = getattr(self, source).outputs[0].shape[-1]
            takes = getattr(self, decoder).inputs[0].shape[-1]
            makes = getattr(self, decoder).outputs[0].shape[-1]
            reads = getattr(self, target).inputs[0].shape[-1]
            if z != takes or makes != reads:
                raise ValueError(
                    f"{decoder} must take {source}'s features ({z} channels, it takes {takes}) "
                    f"and make what {target} reads ({reads} channels, it makes {makes}); got "
                    f"{shape_str(getattr(self, decoder).outputs[0].shape)}")

    # -------------------------------------------------------------- contract
    @property
    def example_shape(self):
        return tuple(self.image_shape_a)

    @property
    def generator(self):
        """The A -> B translator (encoder A and decoder AB as one model)."""
        return self.translators()["a_to_b"][0]

    def translators(self):
        """Each direction's encoder and decoder as one model (built on each call: a model
        held by the variant would be saved twice)."""
        found = {}
        for direction, encoder, decoder, shape in (
                ("a_to_b", self.encoder_a, self.decoder_ab, self.image_shape_a),
                ("b_to_a", self.encoder_b, self.decoder_ba, self.image_shape_b)):
            image = keras.Input(encoder.inputs[0].shape[1:], name="image")
            found[direction] = (keras.Model(image, decoder(encoder(image)[0]),
                                            name=f"translator_{direction}"), shape)
        return found

    @property
    def generator_variables(self):
        return self.decoder_ab.trainable_variables + self.decoder_ba.trainable_variables

    @property
    def discriminator_variables(self):
        return [v for net in (self.encoder_a, self.classifier_a, self.encoder_b,
                              self.classifier_b) for v in net.trainable_variables]

    @property
    def metrics(self):
        return super().metrics + [self.cycle_tracker]

    # -------------------------------------------------------------- the step
    def judge(self, domain, images, training=True):
        """``(z, [logits of the three heads])`` of a domain's discriminator on ``images``."""
        encoder, classifier = ((self.encoder_a, self.classifier_a) if domain == "a"
                               else (self.encoder_b, self.classifier_b))
        z, cam_logit = encoder(images, training=training)
        return z, [*classifier(z, training=training), cam_logit]

    def train_step(self, data):
        real_a, real_b = self.unpack(data)
        real_a, real_b = tf.cast(real_a, tf.float32), tf.cast(real_b, tf.float32)
        batch_size = tf.shape(real_a)[0]
        g_opt, d_opt = self.generator_optimizer, self.discriminator_optimizer
        w_adv = self.adversarial_weight

        with tf.GradientTape() as tape:
            z_a, real_a_logits = self.judge("a", real_a)
            z_b, real_b_logits = self.judge("b", real_b)
            fake_b = tf.stop_gradient(self.decoder_ab(z_a, training=True))
            fake_a = tf.stop_gradient(self.decoder_ba(z_b, training=True))
            _, fake_a_logits = self.judge("a", fake_a)
            _, fake_b_logits = self.judge("b", fake_b)
            per_d = w_adv * tf.add_n(
                [_squared(r, 1.0) + _squared(f, 0.0) for r, f in
                 zip(real_a_logits + real_b_logits, fake_a_logits + fake_b_logits)])
            d_loss = self.reduce_loss(per_d)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)

        with tf.GradientTape() as tape:
            z_a, _ = self.judge("a", real_a)
            z_b, _ = self.judge("b", real_b)
            fake_b = self.decoder_ab(z_a, training=True)
            fake_a = self.decoder_ba(z_b, training=True)
            z_fake_b, fake_b_logits = self.judge("b", fake_b)
            z_fake_a, fake_a_logits = self.judge("a", fake_a)
            cycle = (_l1(self.decoder_ba(z_fake_b, training=True), real_a)
                     + _l1(self.decoder_ab(z_fake_a, training=True), real_b))
            reconstruction = (_l1(self.decoder_ba(z_a, training=True), real_a)
                              + _l1(self.decoder_ab(z_b, training=True), real_b))
            adversarial = tf.add_n([_squared(f, 1.0) for f in fake_a_logits + fake_b_logits])
            per_g = (w_adv * adversarial + self.cycle_weight * cycle
                     + self.reconstruction_weight * reconstruction)
            g_loss = self.reduce_loss(per_g)
        # through the encoders, but only the decoders move: the encoders are the discriminators'
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)

        self.g_loss_tracker.update_state(tf.reduce_mean(adversarial), sample_weight=batch_size)
        self.d_loss_tracker.update_state(tf.reduce_mean(per_d), sample_weight=batch_size)
        self.cycle_tracker.update_state(tf.reduce_mean(cycle), sample_weight=batch_size)
        return self.logs()


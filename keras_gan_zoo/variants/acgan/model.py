"""ACGAN (Odena et al. 2017): a conditional GAN whose discriminator also names the class.

The generator draws an example of a given class, ``G(z, y)``, as in the
conditional GAN. The discriminator does not take the label: it has two heads
on one body, a real-or-fake logit and class logits. It is trained to tell
real from fake *and* to classify both real and generated examples
(``L_S + L_C``); the generator is trained to fool the first head and to make
examples the second head classifies as asked (``L_C - L_S``). The class
head turns the discriminator into a classifier of its own
(``ACGAN.predict_classes``); the paper reports that the class loss makes
samples more recognisable, and that the model can drift toward samples that
are easy to classify rather than varied.

Training is the shared GAN step (every option of ``GAN`` but packing
and feature matching) with these class terms added, weighted by
``class_weight``.
"""

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models.base import shape_str
from keras_gan_zoo.variants.conditional_gan.model import ConditionalGAN
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.acgan.networks import default_networks

__all__ = ["ACGAN"]


@register_variant("acgan")
class ACGAN(ConditionalGAN):
    """An auxiliary-classifier GAN trained with ``model.fit(images, labels)``.

    Args:
        generator: functional model with inputs ``[z (batch, latent_dim),
            label (batch,) int32]``.
        discriminator: functional model ``example -> [logit (batch, 1),
            class_logits (batch, num_classes)]``.
        num_classes: number of classes; read from the class head when omitted.
        class_weight: weight of the class cross-entropies in both updates
            (the paper weights them as the adversarial loss: 1).
        loss, discriminator_steps, label_smoothing, seed, **kwargs: as for
            ``GAN`` (``augment=``, ``ema=``, ``r1_weight=`` ... apply to
            the real-or-fake head).

    Example:
        >>> model = ACGAN.for_shape((28, 28, 1), num_classes=10)
        >>> model.compile()
        >>> model.fit(images, labels, batch_size=64, epochs=10)
        >>> sevens = model.generate(16, labels=7, seed=0)
        >>> model.predict_classes(images[:5])   # the discriminator's class head
    """

    def __init__(self, generator, discriminator, num_classes=None, class_weight=1.0,
                 loss="non_saturating", discriminator_steps=1, label_smoothing=0.0, seed=None,
                 **kwargs):
        if kwargs.get("feature_matching"):
            raise ValueError("ACGAN does not support feature_matching: its generator is "
                             "trained by the discriminator's two heads")
        if isinstance(class_weight, bool) or not isinstance(class_weight, (int, float)) \
                or not class_weight >= 0:
            raise ValueError(f"expected class_weight >= 0 (a weight), got {class_weight!r}")
        self.class_weight = float(class_weight)
        super().__init__(generator, discriminator, num_classes=num_classes, loss=loss,
                         discriminator_steps=discriminator_steps,
                         label_smoothing=label_smoothing, seed=seed, **kwargs)
        self.class_trackers = {"class_loss": keras.metrics.Mean(name="class_loss"),
                               "class_accuracy": keras.metrics.Mean(name="class_accuracy"),
                               "g_class_loss": keras.metrics.Mean(name="g_class_loss")}

    @staticmethod
    def _infer_classes(generator, discriminator, num_classes):
        outputs = getattr(discriminator, "outputs", None) or []
        if len(outputs) != 2 or len(outputs[1].shape) != 2:
            raise ValueError(
                "expected an ACGAN discriminator example -> [logit (batch, 1), class_logits "
                f"(batch, num_classes)], got outputs {[shape_str(t.shape) for t in outputs]}")
        head = int(outputs[1].shape[-1])
        if num_classes is not None and num_classes != head:
            raise ValueError(f"num_classes={num_classes} does not match the discriminator's "
                             f"class head, which has {head} outputs")
        return ConditionalGAN._infer_classes(generator, None, head)

    @classmethod
    def for_shape(cls, shape, num_classes, latent_dim=None, network_kwargs=None, **kwargs):
        """The ACGAN with default networks for ``shape`` and ``num_classes``.

        Example:
            >>> model = ACGAN.for_shape((28, 28, 1), num_classes=10)
        """
        from keras_gan_zoo import networks

        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, discriminator = default_networks(
            shape, num_classes, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM,
            **(network_kwargs or {}))
        return cls(generator, discriminator, num_classes=num_classes, **kwargs)

    def get_config(self):
        return {**super().get_config(), "class_weight": self.class_weight}

    def check_networks(self):
        g_in, d_in = self.generator.inputs, self.discriminator.inputs
        if len(g_in) != 2 or len(g_in[0].shape) != 2:
            raise ValueError(
                "expected a conditional generator with inputs [z (batch, latent_dim), "
                f"label (batch,)], got inputs {[shape_str(t.shape) for t in g_in]}")
        if len(d_in) != 1:
            raise ValueError(
                "expected an ACGAN discriminator that reads the example alone (its class head "
                f"names the class), got {len(d_in)} inputs")
        super(ConditionalGAN, self).check_networks()

    # ------------------------------------------------------- the two heads
    def adversarial_logits(self, outputs):
        return outputs[0]

    def class_loss(self, class_logits, labels):
        """Per-example cross-entropy of the class head against ``labels``."""
        return tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=tf.cast(class_logits, tf.float32))

    def discriminator_terms(self, real_outputs, fake_outputs, condition):
        (real_logits, real_classes), (fake_logits, fake_classes) = real_outputs, fake_outputs
        real_ce = self.class_loss(real_classes, condition)
        fake_ce = self.class_loss(fake_classes, condition)
        count = tf.shape(real_ce)[0]
        correct = tf.equal(tf.argmax(real_classes, -1, output_type=tf.int32), condition)
        self.class_trackers["class_loss"].update_state(tf.reduce_mean(real_ce), sample_weight=count)
        self.class_trackers["class_accuracy"].update_state(
            tf.reduce_mean(tf.cast(correct, tf.float32)), sample_weight=count)
        return (self.discriminator_loss(real_logits, fake_logits)
                + self.class_weight * (real_ce + fake_ce))

    def generator_terms(self, fake_outputs, condition):
        fake_logits, fake_classes = fake_outputs
        fake_ce = self.class_loss(fake_classes, condition)
        self.class_trackers["g_class_loss"].update_state(
            tf.reduce_mean(fake_ce), sample_weight=tf.shape(fake_ce)[0])
        return self._generator_loss(fake_logits) + self.class_weight * fake_ce

    @property
    def metrics(self):
        return super().metrics + list(self.class_trackers.values())

    def predict_classes(self, images, batch_size=256):
        """The class the discriminator's class head gives each image (int32 ``(n,)``).

        Example:
            >>> (model.predict_classes(test_images) == test_labels).mean()
        """
        images = np.asarray(images, dtype="float32")
        self._check_example_shape(images.shape[1:], what="images")
        logits = [keras.ops.convert_to_numpy(self.discriminator(images[i:i + batch_size],
                                                                training=False)[1])
                  for i in range(0, len(images), batch_size)]
        return np.concatenate(logits).argmax(-1).astype("int32")

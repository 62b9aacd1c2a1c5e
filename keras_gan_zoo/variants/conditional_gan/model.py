"""Conditional GAN (Mirza and Osindero 2014) with a projection discriminator.

The generator draws an example of a given class, ``G(z, y)``; the
discriminator judges ``(x, y)`` pairs. Training is the GAN's step with the
batch's labels fed to both networks: fakes are drawn for the same labels as
the real batch, so the class frequencies of the data are kept.

The default networks (``keras_gan_zoo.variants.conditional_gan.networks.default_networks``)
use a projection discriminator (Miyato and Koyama 2018): the label enters as
an inner product of a class embedding with the discriminator's features.
"""

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models.base import shape_str, data_facts
from keras_gan_zoo.models.contract import Port, Takes, declared_classes
from keras_gan_zoo.variants.gan.model import GAN
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.conditional_gan.networks import default_networks

__all__ = ["ConditionalGAN"]


@register_variant("conditional_gan")
class ConditionalGAN(GAN):
    """A class-conditional GAN trained with ``model.fit(images, labels)``.

    Args:
        generator: functional model with inputs ``[z (batch, latent_dim),
            label (batch,) int32]``.
        discriminator: functional model with inputs ``[example, label]``.
        num_classes: number of classes; inferred from the networks' one-hot
            or embedding layers when omitted.
        loss, discriminator_steps, label_smoothing, seed, **kwargs: as for
            ``GAN`` (every option of the shared step but ``pack``).

    Labels are integers ``0 .. num_classes - 1`` of shape ``(batch,)`` (or
    ``(batch, 1)``); one-hot labels ``(batch, num_classes)`` are accepted too.

    Example:
        >>> model = ConditionalGAN.for_shape((28, 28, 1), num_classes=10)
        >>> model.compile()
        >>> model.fit(images, labels, batch_size=64, epochs=10)
        >>> sevens = model.generate(16, labels=7, seed=0)
    """

    takes = Takes("labelled")

    def __init__(self, generator, discriminator, num_classes=None, loss="non_saturating",
                 discriminator_steps=1, label_smoothing=0.0, seed=None, **kwargs):
        if kwargs.get("pack", 1) != 1:
            raise ValueError("ConditionalGAN does not support packing (pack=); use GAN")
        # Set before the base checks the networks: the label port needs it.
        self.num_classes = self._infer_classes(generator, discriminator, num_classes)
        super().__init__(generator, discriminator, loss=loss,
                         discriminator_steps=discriminator_steps,
                         label_smoothing=label_smoothing, seed=seed, **kwargs)

    @staticmethod
    def _infer_classes(generator, discriminator, num_classes):
        declared = set()
        for net in (generator, discriminator):
            if isinstance(net, keras.Model):
                declared |= declared_classes(net)
        if num_classes is None:
            if len(declared) != 1:
                raise ValueError(
                    "could not infer num_classes from the networks (found "
                    f"{sorted(declared) or 'no one-hot or embedding layer'}); pass num_classes="
                )
            num_classes = declared.pop()
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
                or num_classes < 2:
            raise ValueError(f"expected num_classes to be an integer >= 2, got {num_classes!r}")
        if declared and declared != {num_classes}:
            raise ValueError(
                f"num_classes={num_classes} does not match the networks, which declare "
                f"{sorted(declared)} classes"
            )
        return int(num_classes)

    @classmethod
    def for_shape(cls, shape, num_classes, latent_dim=None, network_kwargs=None, **kwargs):
        """The conditional GAN with default networks for ``shape`` and ``num_classes``.

        Example:
            >>> model = ConditionalGAN.for_shape((28, 28, 1), num_classes=10)
        """
        from keras_gan_zoo import networks

        generator, discriminator = default_networks(
            shape, num_classes, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM,
            **(network_kwargs or {}),
        )
        return cls(generator, discriminator, num_classes=num_classes, **kwargs)

    @classmethod
    def for_data(cls, x, y=None, **kwargs):
        shape, classes = data_facts(x, y)
        if classes is None:
            raise ValueError(f"a {cls.__name__} trains on labelled examples; these data have no "
                             "labels (use a folder with one subfolder per class, or a labels "
                             "file: labels.csv / labels.json)")
        return cls.for_shape(shape, num_classes=classes, **kwargs)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}

    # ------------------------------------------------------------- contract
    def generator_ports(self):
        return (Port.noise(self.latent_dim),
                Port.categorical("label", self.num_classes,
                                 "class of each sample, integer in [0, num_classes)",
                                 keyword="labels"))

    def signature_info(self):
        return {"num_classes": self.num_classes}

    def check_networks(self):
        g_in, d_in = self.generator.inputs, self.discriminator.inputs
        if len(g_in) != 2 or len(g_in[0].shape) != 2:
            raise ValueError(
                "expected a conditional generator with inputs [z (batch, latent_dim), "
                f"label (batch,)], got inputs {[shape_str(t.shape) for t in g_in]}"
            )
        if len(d_in) != 2:
            raise ValueError(
                "expected a conditional discriminator with inputs [example, label], got "
                f"{len(d_in)} input(s)"
            )
        super().check_networks()

    # ----------------------------------------------------------------- labels
    def _labels_to_int(self, labels):
        """int32 ``(batch,)`` labels from integer or one-hot labels (in the graph)."""
        labels = tf.convert_to_tensor(labels)
        if labels.shape.rank == 2 and labels.shape[-1] == self.num_classes:
            labels = tf.argmax(labels, axis=-1)
        labels = tf.reshape(tf.cast(labels, tf.int32), [-1])
        checks = [
            tf.debugging.assert_non_negative(labels, message="labels must be >= 0"),
            tf.debugging.assert_less(
                labels, self.num_classes, message=f"labels must be < num_classes={self.num_classes}"
            ),
        ]
        with tf.control_dependencies(checks):
            return tf.identity(labels)

    def unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2 or data[1] is None:
            raise ValueError(
                "ConditionalGAN trains on (images, labels): call fit(images, labels) or fit a "
                "dataset of (image, label) pairs"
            )
        return tf.cast(data[0], tf.float32), self._labels_to_int(data[1])

    def check_data(self, x, y=None, check_range=True):
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if not isinstance(spec, (tuple, list)) or len(spec) < 2:
                raise ValueError(
                    "ConditionalGAN trains on (images, labels); the dataset yields images only"
                )
            if not (spec[1].dtype.is_integer or spec[1].dtype.is_floating):
                raise ValueError(f"expected integer or one-hot labels, got dtype {spec[1].dtype.name}")
            return super().check_data(x, check_range=check_range)
        if x is not None and isinstance(x, (np.ndarray, tf.Tensor, list)):
            if y is None:
                raise ValueError(
                    "ConditionalGAN trains on (images, labels): call fit(images, labels); "
                    "the labels are missing"
                )
            self.check_labels(y, expected_count=len(x))
        super().check_data(x, check_range=check_range)

    def check_labels(self, labels, expected_count=None):
        """Integer ``labels`` of shape ``(n,)`` in range (or one-hot ``(n, num_classes)``).

        Returns them as int32 ``(n,)``; raises a ``ValueError`` naming the problem.
        """
        labels = np.asarray(labels)
        if labels.ndim == 0:
            raise ValueError(f"expected labels of shape (n,) or one-hot (n, {self.num_classes}), "
                             "got one value")
        n = len(labels) if expected_count is None else expected_count
        if len(labels) != n:
            raise ValueError(f"got {n} examples but {len(labels)} labels")
        return self.signature().port("labels").check(labels, n)

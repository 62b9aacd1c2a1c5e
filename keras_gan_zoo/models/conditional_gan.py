"""Conditional GAN (Mirza and Osindero 2014) with a projection discriminator.

The generator draws an example of a given class, ``G(z, y)``; the
discriminator judges ``(x, y)`` pairs. Training is the GAN's step with the
batch's labels fed to both networks: fakes are drawn for the same labels as
the real batch, so the class frequencies of the data are kept.

The default networks (:func:`keras_gan_zoo.networks.conditional_for_shape`)
use a projection discriminator (Miyato and Koyama 2018): the label enters as
an inner product of a class embedding with the discriminator's features.
"""

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models.base import _shape_str
from keras_gan_zoo.models.gan import GAN

__all__ = ["ConditionalGAN"]


def _classes_in(model):
    """Class counts declared by one-hot or embedding layers of ``model``."""
    found = set()
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.CategoryEncoding):
            found.add(int(layer.num_tokens))
        elif isinstance(layer, keras.layers.Embedding):
            found.add(int(layer.input_dim))
    return found


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class ConditionalGAN(GAN):
    """A class-conditional GAN trained with ``model.fit(images, labels)``.

    Args:
        generator: functional model with inputs ``[z (batch, latent_dim),
            label (batch,) int32]``.
        discriminator: functional model with inputs ``[example, label]``.
        num_classes: number of classes; inferred from the networks' one-hot
            or embedding layers when omitted.
        loss, discriminator_steps, label_smoothing, seed: as for :class:`GAN`.

    Labels are integers ``0 .. num_classes - 1`` of shape ``(batch,)`` (or
    ``(batch, 1)``); one-hot labels ``(batch, num_classes)`` are accepted too.

    Example:
        >>> model = ConditionalGAN.for_shape((28, 28, 1), num_classes=10)
        >>> model.compile()
        >>> model.fit(images, labels, batch_size=64, epochs=10)
        >>> sevens = model.generate(16, labels=7, seed=0)
    """

    def __init__(self, generator, discriminator, num_classes=None, loss="non_saturating",
                 discriminator_steps=1, label_smoothing=0.0, seed=None, **kwargs):
        if kwargs.get("pack", 1) != 1:
            raise ValueError("ConditionalGAN does not support packing (pack=); use GAN")
        super().__init__(generator, discriminator, loss=loss,
                         discriminator_steps=discriminator_steps,
                         label_smoothing=label_smoothing, seed=seed, **kwargs)
        declared = _classes_in(generator) | _classes_in(discriminator)
        if num_classes is None:
            if len(declared) != 1:
                raise ValueError(
                    "could not infer num_classes from the networks (found "
                    f"{sorted(declared) or 'no one-hot or embedding layer'}); pass num_classes="
                )
            num_classes = declared.pop()
        if not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
            raise ValueError(f"expected num_classes to be an integer >= 2, got {num_classes!r}")
        if declared and declared != {num_classes}:
            raise ValueError(
                f"num_classes={num_classes} does not match the networks, which declare "
                f"{sorted(declared)} classes"
            )
        self.num_classes = int(num_classes)

    @classmethod
    def for_shape(cls, shape, num_classes, latent_dim=None, network_kwargs=None, **kwargs):
        """The conditional GAN with default networks for ``shape`` and ``num_classes``.

        Example:
            >>> model = ConditionalGAN.for_shape((28, 28, 1), num_classes=10)
        """
        from keras_gan_zoo import networks

        generator, discriminator = networks.conditional_for_shape(
            shape, num_classes, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM,
            **(network_kwargs or {}),
        )
        return cls(generator, discriminator, num_classes=num_classes, **kwargs)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}

    def _check_networks(self):
        g_in, d_in = self.generator.inputs, self.discriminator.inputs
        if len(g_in) != 2 or len(g_in[0].shape) != 2:
            raise ValueError(
                "expected a conditional generator with inputs [z (batch, latent_dim), "
                f"label (batch,)], got inputs {[_shape_str(t.shape) for t in g_in]}"
            )
        if len(d_in) != 2:
            raise ValueError(
                "expected a conditional discriminator with inputs [example, label], got "
                f"{len(d_in)} input(s)"
            )
        produced = tuple(self.generator.outputs[0].shape[1:])
        if tuple(d_in[0].shape[1:]) != produced and None not in produced:
            raise ValueError(
                f"the generator's output shape {_shape_str((None,) + produced)} does not fit "
                f"the discriminator's input shape {_shape_str(d_in[0].shape)}"
            )

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
        return data[0], self._labels_to_int(data[1])

    def check_data(self, x, y=None):
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
            if not isinstance(spec, (tuple, list)) or len(spec) < 2:
                raise ValueError(
                    "ConditionalGAN trains on (images, labels); the dataset yields images only"
                )
            if not (spec[1].dtype.is_integer or spec[1].dtype.is_floating):
                raise ValueError(f"expected integer or one-hot labels, got dtype {spec[1].dtype.name}")
            return super().check_data(x)
        if x is not None and isinstance(x, (np.ndarray, tf.Tensor, list)):
            if y is None:
                raise ValueError(
                    "ConditionalGAN trains on (images, labels): call fit(images, labels); "
                    "the labels are missing"
                )
            self.check_labels(y, expected_count=len(x))
        super().check_data(x)

    def check_labels(self, labels, expected_count=None):
        """Integer ``labels`` of shape ``(n,)`` in range (or one-hot ``(n, num_classes)``).

        Returns them as int32 ``(n,)``; raises a ``ValueError`` naming the problem.
        """
        labels = np.asarray(labels)
        if labels.ndim == 2 and labels.shape[1] == self.num_classes and self.num_classes > 1:
            labels = labels.argmax(axis=1)
        elif labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.ndim != 1:
            raise ValueError(
                f"expected labels of shape (n,) or one-hot (n, {self.num_classes}), got "
                f"{labels.shape}"
            )
        if labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
            raise ValueError("expected integer class labels, got fractional values")
        if labels.dtype.kind not in "iuf":
            raise ValueError(f"expected integer class labels, got dtype {labels.dtype}")
        if expected_count is not None and len(labels) != expected_count:
            raise ValueError(f"got {expected_count} examples but {len(labels)} labels")
        if len(labels) and (labels.min() < 0 or labels.max() >= self.num_classes):
            bad = labels[(labels < 0) | (labels >= self.num_classes)][0]
            raise ValueError(
                f"label {bad} is out of range; expected labels in 0..{self.num_classes - 1}"
            )
        return labels.astype("int32")

    # ----------------------------------------------------------------- sample
    def generate(self, n, labels=None, seed=None, batch_size=256):
        """Draw ``n`` samples of the given classes as a float32 NumPy array.

        Args:
            n: number of samples.
            labels: one class for all, ``n`` classes, or ``None`` for
                ``0, 1, ..., num_classes - 1, 0, 1, ...``.
            seed: seed of the latent noise; the same seed gives the same samples.
            batch_size: how many samples the generator makes at once.

        Example:
            >>> grid = model.generate(100, labels=np.repeat(np.arange(10), 10), seed=0)
        """
        n = self.check_count(n)
        if labels is None:
            labels = np.arange(n) % self.num_classes
        labels = np.asarray(labels)
        if labels.ndim == 0:
            labels = np.full(n, labels)
        labels = self.check_labels(labels, expected_count=n)
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((int(n), self.latent_dim)).astype("float32")
        return self.predict_generator([z, labels], batch_size=batch_size)

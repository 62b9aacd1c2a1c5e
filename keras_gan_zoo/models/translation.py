"""Translators: variants whose generators turn images into images (CycleGAN, pix2pix, GauGAN)."""

import numpy as np
import tensorflow as tf

from keras_gan_zoo.models.adversarial import AdversarialModel
from keras_gan_zoo.models.checks import shape_str
from keras_gan_zoo.models.contract import Port, Signature, Takes, output_port
from keras_gan_zoo.models.sampling import predict_batches

__all__ = ["TranslationModel"]


class TranslationModel(AdversarialModel):
    """A variant whose generators turn images into images.

    Variants declare ``translators``: ``{direction: (generator, trained
    input shape)}``. ``translate``, the export signature and the CLI follow.
    """

    def translators(self):
        """``{direction: (generator, (h, w, c) of the images it was trained on)}``."""
        raise NotImplementedError

    @classmethod
    def for_data(cls, x, y=None, **kwargs):
        """Default networks for a ``PairSource`` of ``(a, b)``
        images, or for two arrays ``x`` (A) and ``y`` (B)."""
        shape_b = getattr(x, "shape_b", None)
        if shape_b is not None:
            return cls.for_shape(tuple(x.shape), tuple(shape_b), **kwargs)
        if y is not None and np.ndim(x) == 4 and np.ndim(y) == 4:
            return cls.for_shape(tuple(np.shape(x)[1:]), tuple(np.shape(y)[1:]), **kwargs)
        raise ValueError(f"{cls.__name__} translates between two image sets: expected (a, b) "
                         "pairs (keras_gan_zoo.data.PairSource, or two arrays of images); on the "
                         "command line --data A --data-b B, or side-by-side pairs in --data")

    @property
    def directions(self):
        return tuple(self.translators())

    def signature(self, direction=None):
        translators = self.translators()
        direction = self.directions[0] if direction is None else direction
        if direction not in translators:
            raise ValueError(f"unknown direction {direction!r}; expected one of "
                             f"{', '.join(map(repr, translators))}")
        generator, shape = translators[direction]
        return Signature("translator", generator, (Port.image(shape),),
                         output_port(generator, translated=True),
                         {"direction": direction, "trained_image_shape": list(shape)},
                         self.variant_name)

    #: What one training batch ``(a, b)`` is: ``"unpaired"`` (two independent
    #: sets, a dataset only) or ``"paired"`` (``b`` belongs with ``a``: a
    #: dataset or two arrays, ``fit(a, b)``).
    takes = Takes("unpaired")

    def unpack(self, data):
        """The ``(a, b)`` images of one training batch."""
        if isinstance(data, (tuple, list)) and len(data) == 3 and data[2] is None:
            data = data[:2]  # fit(a, b) gives (a, b, None)
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError(f"{type(self).__name__} trains on {self.takes.kind} (a, b) batches: "
                             "fit a dataset of (a, b)")
        return data[0], data[1]

    def check_data(self, x, y=None, check_range=True):
        name, paired = type(self).__name__, self.takes.kind == "paired"
        how = ("fit(a, b) with two arrays of pairs, or a tf.data.Dataset of (a, b) batches"
               if paired else "a tf.data.Dataset of unpaired (a, b) batches, e.g. "
               "tf.data.Dataset.zip((a, b)).batch(16)")
        port_a = self.signature(self.directions[0]).inputs[0]
        port_b = output_port(self.generator, translated=True)
        if paired and not isinstance(x, tf.data.Dataset) and y is not None:
            a, b = np.asarray(x), np.asarray(y)
            if len(a) != len(b):
                raise ValueError(f"{name} trains on pairs: expected as many B images as A "
                                 f"images, got {len(a)} A and {len(b)} B")
            if not len(a):
                raise ValueError("no training pairs: expected at least one (a, b)")
            for domain, array, port in (("A", a, port_a), ("B", b, port_b)):
                self._check_domain(domain, array.shape, array.dtype)
                self._check_values(array, port, f"{domain} images", check_range)
            return
        if not isinstance(x, tf.data.Dataset):
            raise ValueError(f"{name} trains on {how}")
        spec = x.element_spec
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise ValueError(f"expected a dataset of (a, b) image batches: {name} trains on {how}")
        for domain, s in zip("AB", spec):
            self._check_domain(domain, s.shape, s.dtype)
        if x.cardinality() == 0:
            raise ValueError("the dataset is empty: expected at least one batch of (a, b)")
        first = next(iter(x.take(1)), None)
        for domain, batch, port in zip("AB", first or (), (port_a, port_b)):
            self._check_values(batch, port, f"{domain} images of the first batch", check_range)

    def _check_domain(self, domain, shape, dtype):
        expected = self.image_shape_a if domain == "A" else self.image_shape_b
        got = tuple(shape[1:])
        if len(got) != 3 or any(e is not None and g is not None and e != g
                                for e, g in zip(expected, got)):
            raise ValueError(f"the {domain} images have shape {shape_str((None,) + got)}, but the "
                             f"networks expect {shape_str((None,) + tuple(expected))}")
        self._check_float(dtype)

    def source_shape(self, direction=None):
        """``(h, w, c)`` of the image files ``translate`` reads (the command line's
        ``--input``), or ``None`` if its inputs are not images a file holds."""
        return self.signature(direction).inputs[0].shape

    def translate(self, images, direction=None, seed=None, batch_size=64):
        """Translate a batch of images (NumPy in, NumPy out) in one of ``directions``.

        Args:
            images: the source images, as the direction's first input takes them.
            direction: one of ``directions`` (default: the first).
            seed: the draw of anything else the translator takes (noise, a
                style code), so that the same seed gives the same
                translations; a translator that takes the images alone
                ignores it.
            batch_size: images per call of the generator.

        Example:
            >>> usps_like = model.translate(mnist_images, direction="a_to_b")
        """
        signature = self.signature(direction)
        images = signature.inputs[0].check(images, None, context=signature.info["direction"])
        if len(signature.inputs) == 1:
            return predict_batches(signature.generator, images, batch_size)
        rng = np.random.default_rng(seed)
        extra = [port.draw(len(images), rng) for port in signature.inputs[1:]]
        return predict_batches(signature.generator, [images, *extra], batch_size)

"""GANILLA (Hicsonmez et al. 2020): unpaired translation trained as CycleGAN, with a generator that
keeps low-level features (concatenating skips) and merges them on the way up.

The paper trains GANILLA exactly as CycleGAN (least-squares adversarial
loss, cycle L1 of weight 10, identity L1 of half that, a history pool of 50,
Adam 2e-4 with beta 0.5 decaying linearly over the second half); only the
generator differs (``keras_gan_zoo.variants.ganilla.networks``). So the
step, the pools and ``translate`` are CycleGAN's.
"""

from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.cyclegan.model import CycleGAN
from keras_gan_zoo.variants.ganilla.networks import default_networks

__all__ = ["GANILLA"]


@register_variant("ganilla")
class GANILLA(CycleGAN):
    """GANILLA trained with ``model.fit`` on a dataset of unpaired ``(a, b)`` batches.

    Args: as ``CycleGAN``; the generators are GANILLA's
    (``ganilla_generator``), the discriminators PatchGANs.

    Example:
        >>> model = GANILLA.for_shape((64, 64, 3), (64, 64, 3))
        >>> model.compile()
        >>> model.fit(tf.data.Dataset.zip((twemoji, noto)).batch(4), epochs=20)
        >>> noto_like = model.translate(twemoji_images, direction="a_to_b")
    """

    @classmethod
    def for_shape(cls, shape_a, shape_b=None, base_filters=32, **kwargs):
        """GANILLA for two domains of images ``(h, w, c)`` (``h``, ``w`` divisible by 16 and at
        least 32; ``c`` 1 or 3); ``base_filters`` the stem's filters (the paper: 64)."""
        shape_b = shape_a if shape_b is None else shape_b
        cls._check_keywords(kwargs, builder=cls.for_shape)
        return cls(*default_networks(shape_a, shape_b, base_filters),
                   image_shape_a=tuple(shape_a), image_shape_b=tuple(shape_b), **kwargs)

    @property
    def example_shape(self):
        """The A images' shape (the test driver sizes its images to it)."""
        return tuple(self.image_shape_a)

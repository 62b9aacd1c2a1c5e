"""SAGAN (Zhang et al. 2019): self-attention and spectral norm in both networks, hinge loss, TTUR.

The shared GAN step (``GAN``) with the
paper's settings: the hinge loss, one discriminator step per generator step,
and its two time-scale update rule (Adam with learning rates 1e-4 for the
generator and 4e-4 for the discriminator, betas 0 and 0.9), on ResNets with a
self-attention block at 32x32 and spectral normalisation in the generator as
well as the discriminator (``keras_gan_zoo.variants.sagan.networks``). Every
stabiliser of the GAN step (augmentation, R1, EMA, ...) is available; the paper
uses none of them. The paper trains class-conditional ImageNet models; this one
is unconditional.
"""

from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.optimizers import FusedAdam
from keras_gan_zoo.variants.gan.model import GAN
from keras_gan_zoo.variants.sagan.networks import default_networks

__all__ = ["SAGAN"]


@register_variant("sagan")
class SAGAN(GAN):
    """SAGAN trained with ``model.fit`` on a dataset of images.

    Args:
        generator, discriminator: functional ``keras.Model``; ``for_shape``
            builds the paper's (``default_networks``).
        loss: ``"hinge"`` (the paper's); any loss of ``GAN``.
        **kwargs: the other options of ``GAN`` (``ema=``, ``augment=``,
            ``r1_weight=``, ``seed=``, ...).

    Example:
        >>> model = SAGAN.for_shape((64, 64, 3))    # attention at 32x32
        >>> model.compile()                          # TTUR: 1e-4 / 4e-4, betas (0, 0.9)
    """

    default_networks = staticmethod(default_networks)

    def __init__(self, generator, discriminator, loss="hinge", **kwargs):
        super().__init__(generator, discriminator, loss=loss, **kwargs)

    @classmethod
    def default_optimizers(cls):
        """The paper's two time-scale update rule: Adam 1e-4 (G) and 4e-4 (D), betas (0, 0.9)."""
        return (FusedAdam(1e-4, beta_1=0.0, beta_2=0.9),
                FusedAdam(4e-4, beta_1=0.0, beta_2=0.9))

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """SAGAN with the paper's networks for square images ``shape``.

        Args:
            shape: ``(s, s, c)``, e.g. ``(64, 64, 3)``.
            latent_dim: noise size (the paper's 128 by default).
            network_kwargs: ``base_filters=``, ``attention=`` (a resolution).
            **kwargs: the variant's options.
        """
        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, discriminator = default_networks(shape, latent_dim=latent_dim or 128,
                                                    **(network_kwargs or {}))
        return cls(generator, discriminator, **kwargs)

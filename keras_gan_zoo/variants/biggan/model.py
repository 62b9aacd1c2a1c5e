"""BigGAN (Brock et al. 2019): class-conditional, shared embedding, hierarchical z, orthogonal regularisation.

The conditional GAN step (``ConditionalGAN``: fakes drawn for the real
batch's labels) with the paper's settings: the hinge loss, a projection
discriminator, spectral norm in both networks, the two time-scale update rule
(Adam 1e-4 for the generator and 4e-4 for the discriminator, betas 0 and
0.999, epsilon 1e-6, as the reference code's ImageNet runs), one
discriminator step per generator step, and a moving average of the generator's
weights that samples come from (``ema``, 0.999 here: the paper's 0.9999 is
for runs of 100,000 steps and more). The networks
(``keras_gan_zoo.variants.biggan.networks``) carry the rest: class-conditional
batch norm with a shared embedding, hierarchical z, self-attention and
orthogonal regularisation (a kernel regulariser, added to the generator's loss).

**Truncation**: ``generate(n, labels=..., truncation=psi)`` draws again every
entry of z beyond ``psi``: fewer, more typical samples, the paper's trade of
variety for quality.
"""

from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.optimizers import FusedAdam
from keras_gan_zoo.variants.biggan.networks import default_networks
from keras_gan_zoo.variants.conditional_gan.model import ConditionalGAN

__all__ = ["BigGAN"]


@register_variant("biggan")
class BigGAN(ConditionalGAN):
    """BigGAN trained with ``model.fit(images, labels)``.

    Args:
        generator, discriminator: functional ``keras.Model`` with inputs
            ``[z, label]`` and ``[image, label]``; ``for_shape`` builds the
            paper's (``default_networks``).
        num_classes: inferred from the networks when omitted.
        loss: ``"hinge"`` (the paper's); any loss of ``GAN``.
        ema: decay of the generator's moving average (samples come from it).
        **kwargs: the other options of ``ConditionalGAN`` (``augment=``,
            ``r1_weight=``, ``discriminator_steps=``, ``seed=``, ...).

    Example:
        >>> model = BigGAN.for_shape((64, 64, 3), num_classes=9)
        >>> model.compile()                        # TTUR: 1e-4 / 4e-4, betas (0, 0.999)
        >>> model.fit(images, labels, batch_size=32, epochs=50)
        >>> model.generate(16, labels=3, truncation=0.5, seed=0)
    """

    default_networks = staticmethod(default_networks)

    def __init__(self, generator, discriminator, num_classes=None, loss="hinge", ema=0.999,
                 **kwargs):
        super().__init__(generator, discriminator, num_classes=num_classes, loss=loss, ema=ema,
                         **kwargs)

    @classmethod
    def default_optimizers(cls):
        """The reference code's: Adam 1e-4 (G) and 4e-4 (D), betas (0, 0.999), epsilon 1e-6."""
        return (FusedAdam(1e-4, beta_1=0.0, beta_2=0.999, epsilon=1e-6),
                FusedAdam(4e-4, beta_1=0.0, beta_2=0.999, epsilon=1e-6))

    @classmethod
    def for_shape(cls, shape, num_classes, latent_dim=None, network_kwargs=None, **kwargs):
        """BigGAN with the paper's networks for square images ``shape``.

        Args:
            shape: ``(s, s, c)``, e.g. ``(64, 64, 3)``.
            num_classes: labels are ``0 .. num_classes - 1``.
            latent_dim: size of z, split among the blocks (default 20 each).
            network_kwargs: ``base_filters=``, ``shared_dim=``, ``attention=``,
                ``beta=`` (orthogonal regularisation).
            **kwargs: the variant's options.
        """
        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, discriminator = default_networks(shape, num_classes, latent_dim=latent_dim,
                                                    **(network_kwargs or {}))
        return cls(generator, discriminator, num_classes=num_classes, **kwargs)

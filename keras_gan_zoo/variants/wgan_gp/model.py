"""WGAN-GP: Wasserstein GAN with gradient penalty (Gulrajani et al. 2017).

The critic minimises ``D(G(z)) - D(x) + lambda * (||grad D(x_hat)|| - 1)^2``
with ``x_hat`` a uniform random interpolation of a real and a fake example;
the generator minimises ``-D(G(z))``. This is the shared GAN step configured
as ``GAN(loss="wasserstein", gradient_penalty_weight=10.0, discriminator_steps=5,
reuse_fakes=False)``: each step runs 5 critic updates (fresh noise and
interpolation weights each, on this step's real batch) and one generator
update on fresh noise, with the paper's Adam(1e-4, 0.5, 0.9).
"""


from keras_gan_zoo.variants.gan.model import GAN
from keras_gan_zoo.optimizers import FusedAdam
from keras_gan_zoo.models.registry import register_variant

__all__ = ["WGANGP"]


@register_variant("wgan_gp")
class WGANGP(GAN):
    """WGAN-GP trained with ``model.fit``: ``GAN`` with the paper's settings.

    The critic must not use batch normalisation (the penalty is per example);
    the default networks have none.

    Args:
        generator: functional ``keras.Model``, ``z -> example``.
        discriminator: the critic, functional ``keras.Model``, ``example -> score``.
        discriminator_steps: critic updates per generator update (paper: 5).
        gradient_penalty_weight: weight of the gradient penalty (lambda of the paper: 10;
            ``gradient_penalty=`` before 0.5).
        loss, reuse_fakes, seed, **kwargs: as ``GAN`` (``"wasserstein"``
            and ``False`` here).

    Example:
        >>> model = WGANGP.for_shape((2,), latent_dim=2)
        >>> model.compile()                  # Adam(1e-4, beta_1=0.5, beta_2=0.9)
        >>> model.fit(kgz.data.toy("ring8"), batch_size=256, epochs=5)
    """

    RENAMED = {"critic_steps": "discriminator_steps", "gp_weight": "gradient_penalty_weight"}

    def __init__(self, generator, discriminator, discriminator_steps=5,
                 gradient_penalty_weight=10.0, loss="wasserstein", reuse_fakes=False, seed=None,
                 **kwargs):
        super().__init__(generator, discriminator, loss=loss,
                         discriminator_steps=discriminator_steps,
                         gradient_penalty_weight=gradient_penalty_weight,
                         reuse_fakes=reuse_fakes, seed=seed, **kwargs)

    @classmethod
    def default_optimizers(cls):
        return (
            FusedAdam(1e-4, beta_1=0.5, beta_2=0.9),
            FusedAdam(1e-4, beta_1=0.5, beta_2=0.9),
        )

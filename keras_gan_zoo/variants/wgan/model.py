"""WGAN: the original Wasserstein GAN with weight clipping (Arjovsky et al. 2017).

The critic estimates the Wasserstein-1 distance ``E[D(x)] - E[D(G(z))]`` and
must stay K-Lipschitz; the paper enforces this crudely, by clipping every
critic weight into ``[-c, c]`` after each critic update (``c = 0.01``). It
trains the critic 5 times per generator update with RMSProp at 5e-5 (momentum
makes the clipped critic unstable, the paper reports). WGAN-GP
(``WGANGP``) later replaced the clipping
with a gradient penalty, because clipping biases the critic toward very
simple functions and makes training slow. This is the shared GAN step with
``loss="wasserstein"`` and the clipping after each critic update.
"""

import keras
import tensorflow as tf

from keras_gan_zoo.variants.gan.model import GAN
from keras_gan_zoo.models.registry import register_variant

__all__ = ["WGAN"]


@register_variant("wgan")
class WGAN(GAN):
    """WGAN with weight clipping, trained with ``model.fit``.

    Args:
        generator: functional ``keras.Model``, ``z -> example``.
        discriminator: the critic, ``example -> score`` (no sigmoid).
        clip_value: every critic weight is clipped into ``[-clip_value,
            clip_value]`` after each critic update (paper: 0.01).
        discriminator_steps: critic updates per generator update (paper: 5).
        loss, reuse_fakes, seed, **kwargs: as ``GAN`` (``"wasserstein"``
            and ``False`` here).

    Example:
        >>> model = WGAN.for_shape((28, 28, 1))
        >>> model.compile()                  # RMSprop(5e-5) for both, as the paper
        >>> model.fit(images, batch_size=64, epochs=10)
    """

    def __init__(self, generator, discriminator, clip_value=0.01, discriminator_steps=5,
                 loss="wasserstein", reuse_fakes=False, seed=None, **kwargs):
        super().__init__(generator, discriminator, loss=loss,
                         discriminator_steps=discriminator_steps, reuse_fakes=reuse_fakes,
                         seed=seed, **kwargs)
        if not clip_value > 0:
            raise ValueError(f"expected clip_value > 0 (critic weights lie in [-c, c]), got "
                             f"{clip_value}")
        self.clip_value = float(clip_value)

    @classmethod
    def default_optimizers(cls):
        return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}

    def after_discriminator_update(self):
        """Clip every critic weight into ``[-c, c]``, on every replica alike."""
        c = self.clip_value
        self.assign_everywhere(self.discriminator_variables,
                               lambda v: v.assign(tf.clip_by_value(v, -c, c)))

"""The original GAN (Goodfellow et al. 2014), with a choice of losses: the shared GAN step."""

from keras_gan_zoo.variants.gan.model import GAN

__all__ = ["GAN"]

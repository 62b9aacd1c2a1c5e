"""WGAN-GP: Wasserstein GAN with gradient penalty (Gulrajani et al. 2017)."""

from keras_gan_zoo.variants.wgan_gp.model import WGANGP

__all__ = ["WGANGP"]

"""WGAN: the original Wasserstein GAN with weight clipping (Arjovsky et al. 2017)."""

from keras_gan_zoo.variants.wgan.model import WGAN

__all__ = ["WGAN"]

"""InfoGAN (Chen et al. 2016): a GAN whose latent codes learn to mean something."""

from keras_gan_zoo.variants.infogan.model import InfoGAN

__all__ = ["InfoGAN"]

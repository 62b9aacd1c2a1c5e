"""ACGAN (Odena et al. 2017): a conditional GAN whose discriminator also names the class."""

from keras_gan_zoo.variants.acgan.model import ACGAN

__all__ = ["ACGAN"]

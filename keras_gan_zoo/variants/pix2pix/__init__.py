"""pix2pix (Isola et al. 2017): paired image-to-image translation with a conditional GAN."""

from keras_gan_zoo.variants.pix2pix.model import Pix2Pix

__all__ = ["Pix2Pix"]

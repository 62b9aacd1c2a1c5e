"""EBGAN (Zhao et al. 2017): the discriminator is an autoencoder, its reconstruction error an energy."""

from keras_gan_zoo.variants.ebgan.model import EBGAN

__all__ = ["EBGAN"]

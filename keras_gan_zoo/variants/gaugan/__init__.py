"""GauGAN (Park et al. 2019): photos drawn from semantic label maps, normalised by the map (SPADE)."""

from keras_gan_zoo.variants.gaugan.model import GauGAN

__all__ = ["GauGAN"]

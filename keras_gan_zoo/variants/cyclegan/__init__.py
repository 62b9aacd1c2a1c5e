"""CycleGAN (Zhu et al. 2017): unpaired image-to-image translation."""

from keras_gan_zoo.variants.cyclegan.model import CycleGAN

__all__ = ["CycleGAN"]

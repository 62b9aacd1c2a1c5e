"""NICE-GAN (Chen et al. 2020): unpaired translation whose encoders are the front of the
discriminators."""

from keras_gan_zoo.variants.nicegan.model import NICEGAN

__all__ = ["NICEGAN"]

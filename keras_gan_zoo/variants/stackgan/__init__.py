"""StackGAN (Zhang et al. 2017): text to image in two stages, each with conditioning augmentation
and a matching-aware discriminator."""

from keras_gan_zoo.variants.stackgan.model import StackGAN

__all__ = ["StackGAN"]

"""Conditional GAN (Mirza and Osindero 2014) with a projection discriminator."""

from keras_gan_zoo.variants.conditional_gan.model import ConditionalGAN

__all__ = ["ConditionalGAN"]

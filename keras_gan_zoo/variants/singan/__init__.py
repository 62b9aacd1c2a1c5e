"""SinGAN (Shaham et al. 2019): a pyramid of GANs learnt from one image, coarse to fine."""

from keras_gan_zoo.variants.singan.model import SinGAN

__all__ = ["SinGAN"]

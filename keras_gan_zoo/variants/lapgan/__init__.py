"""LAPGAN (Denton et al. 2015): a Laplacian pyramid of GANs, each level adding the detail of its
scale to the upsampled coarser image."""

from keras_gan_zoo.variants.lapgan.model import LAPGAN

__all__ = ["LAPGAN"]

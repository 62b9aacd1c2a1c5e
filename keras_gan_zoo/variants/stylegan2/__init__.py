"""StyleGAN2 (Karras et al. 2020): a style-modulated skip generator, a residual discriminator,
style mixing, lazy R1, path-length regularisation, exportable modulation."""

from keras_gan_zoo.variants.stylegan2.model import StyleGAN2

__all__ = ["StyleGAN2"]

"""VAE-GAN (Larsen et al. 2016): a VAE whose reconstructions are judged by a discriminator."""

from keras_gan_zoo.variants.vaegan.model import VAEGAN

__all__ = ["VAEGAN"]

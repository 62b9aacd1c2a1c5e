"""BiGAN / ALI (Donahue et al. 2017; Dumoulin et al. 2017): a GAN that also learns to encode."""

from keras_gan_zoo.variants.bigan.model import BiGAN

__all__ = ["BiGAN"]

"""BigGAN (Brock et al. 2019): a class-conditional SAGAN with shared embeddings, hierarchical z,
orthogonal regularisation and truncation."""

from keras_gan_zoo.variants.biggan.model import BigGAN

__all__ = ["BigGAN"]

"""SAGAN (Zhang et al. 2019): self-attention and spectral norm in both networks, hinge loss, TTUR."""

from keras_gan_zoo.variants.sagan.model import SAGAN

__all__ = ["SAGAN"]

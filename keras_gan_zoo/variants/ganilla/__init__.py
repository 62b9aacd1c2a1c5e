"""GANILLA (Hicsonmez et al. 2020): unpaired translation with a generator that keeps low-level
features (concatenating skips) and merges them on the way up."""

from keras_gan_zoo.variants.ganilla.model import GANILLA

__all__ = ["GANILLA"]

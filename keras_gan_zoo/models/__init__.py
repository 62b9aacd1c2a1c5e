"""The GAN variants, one file each, on the shared :class:`AdversarialModel`."""

from keras_gan_zoo.models.base import AdversarialModel
from keras_gan_zoo.models.gan import GAN
from keras_gan_zoo.models.infogan import InfoGAN
from keras_gan_zoo.models.conditional_gan import ConditionalGAN
from keras_gan_zoo.models.cyclegan import CycleGAN
from keras_gan_zoo.models.wgan_gp import WGANGP

__all__ = ["AdversarialModel", "ConditionalGAN", "CycleGAN", "GAN", "InfoGAN", "WGANGP"]

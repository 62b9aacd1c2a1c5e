"""The variants, one file each, on the shared bases of :mod:`keras_gan_zoo.models.base`.

:data:`VARIANTS` is the registry: a variant is its model file, its networks,
one line here and one entry in the test harness (``tests/harness.py``).
"""

from keras_gan_zoo.models.base import AdversarialModel, GenerativeModel, TranslationModel
from keras_gan_zoo.models.contract import Port, Signature
from keras_gan_zoo.models.gan import GAN
from keras_gan_zoo.models.wgan_gp import WGANGP
from keras_gan_zoo.models.conditional_gan import ConditionalGAN
from keras_gan_zoo.models.infogan import InfoGAN
from keras_gan_zoo.models.cyclegan import CycleGAN
from keras_gan_zoo.models.wgan import WGAN

#: The variants, by the name the command line, the zoo and exports use.
VARIANTS = {
    "gan": GAN,
    "wgan_gp": WGANGP,
    "conditional_gan": ConditionalGAN,
    "infogan": InfoGAN,
    "cyclegan": CycleGAN,
    "wgan": WGAN,
}

__all__ = ["AdversarialModel", "GenerativeModel", "Port", "Signature", "TranslationModel",
           "VARIANTS", *sorted(cls.__name__ for cls in VARIANTS.values())]

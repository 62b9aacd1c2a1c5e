"""The bases every variant builds on, the contract it declares, and the registry.

The variants themselves live one folder each in ``keras_gan_zoo.variants``
and register themselves with ``register_variant``; ``VARIANTS`` holds
them once ``keras_gan_zoo`` is imported.
"""

from keras_gan_zoo.models.base import AdversarialModel, EncodingModel, GenerativeModel, TranslationModel
from keras_gan_zoo.models.contract import Port, Recipe, Signature, Takes
from keras_gan_zoo.models.registry import VARIANTS, register_variant


def __getattr__(name):
    # the variants' classes and modules under their paths before the folders (0.4 and older)
    from keras_gan_zoo import legacy

    return legacy.attribute(__name__, name)


__all__ = ["AdversarialModel", "EncodingModel", "GenerativeModel", "Port", "Recipe", "Signature", "Takes",
           "TranslationModel", "VARIANTS", "register_variant"]

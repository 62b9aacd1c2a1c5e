"""The variants, one file each, on the shared bases of :mod:`keras_gan_zoo.models.base`.

:data:`VARIANTS` is the registry: a variant is its model file, its networks,
one line here and one entry in the test harness (``tests/harness.py``).
"""

from keras_gan_zoo.models.base import AdversarialModel, EncodingModel, GenerativeModel, TranslationModel
from keras_gan_zoo.models.contract import Port, Signature
from keras_gan_zoo.models.gan import GAN
from keras_gan_zoo.models.wgan_gp import WGANGP
from keras_gan_zoo.models.conditional_gan import ConditionalGAN
from keras_gan_zoo.models.infogan import InfoGAN
from keras_gan_zoo.models.cyclegan import CycleGAN
from keras_gan_zoo.models.pix2pix import Pix2Pix
from keras_gan_zoo.models.gaugan import GauGAN
from keras_gan_zoo.models.wgan import WGAN
from keras_gan_zoo.models.acgan import ACGAN
from keras_gan_zoo.models.ebgan import EBGAN
from keras_gan_zoo.models.bigan import BiGAN
from keras_gan_zoo.models.vaegan import VAEGAN

#: The variants, by the name the command line, the zoo and exports use.
VARIANTS = {
    "gan": GAN,
    "wgan": WGAN,
    "wgan_gp": WGANGP,
    "conditional_gan": ConditionalGAN,
    "acgan": ACGAN,
    "ebgan": EBGAN,
    "bigan": BiGAN,
    "vaegan": VAEGAN,
    "infogan": InfoGAN,
    "cyclegan": CycleGAN,
    "pix2pix": Pix2Pix,
    "gaugan": GauGAN,
}



def markdown_table():
    """The variant table of the README and the docs, from the registry (it cannot drift).

    One row per variant: its name, its class, the first line of its model
    file's docstring, and what ``fit`` takes.
    """
    import sys

    rows = ["| name | class | what it is | `fit` takes |", "| --- | --- | --- | --- |"]
    for name, cls in VARIANTS.items():
        summary = sys.modules[cls.__module__].__doc__.strip().splitlines()[0]
        takes = (("a dataset of unpaired `(a, b)` image batches" if cls.pairing == "unpaired"
                  else "paired `(a, b)` images: two arrays or a dataset")
                 if issubclass(cls, TranslationModel) else "examples and their labels" if cls.uses_labels else "examples")
        rows.append(f"| `{name}` | `kgz.{cls.__name__}` | {summary} | {takes} |")
    return "\n".join(rows)


__all__ = ["AdversarialModel", "EncodingModel", "GenerativeModel", "Port", "Signature", "TranslationModel",
           "VARIANTS", *sorted(cls.__name__ for cls in VARIANTS.values())]

"""keras-gan-zoo: Keras 3 GANs trained with ``model.fit``, correct under tf.distribute.

Example:
    >>> import keras_gan_zoo as kgz
    >>> x = kgz.data.toy("ring8", n=100_000)
    >>> model = kgz.WGANGP.for_shape((2,), latent_dim=2)
    >>> model.compile()
    >>> model.fit(x, batch_size=256, epochs=5)
    >>> samples = model.generate(2500, seed=0)
"""

from keras_gan_zoo import _backend  # noqa: F401  (must come first: checks the backend)
from keras_gan_zoo import callbacks, data, losses, metrics, networks, visualize
from keras_gan_zoo.models import (
    GAN,
    WGANGP,
    AdversarialModel,
    ConditionalGAN,
    CycleGAN,
    InfoGAN,
)
from keras_gan_zoo import export, training, zoo

__version__ = "0.1.0"

#: The variants, by the name the command line uses.
VARIANTS = {
    "gan": GAN,
    "wgan_gp": WGANGP,
    "conditional_gan": ConditionalGAN,
    "infogan": InfoGAN,
    "cyclegan": CycleGAN,
}

__all__ = [
    "ConditionalGAN",
    "CycleGAN",
    "GAN",
    "InfoGAN",
    "VARIANTS",
    "WGANGP",
    "AdversarialModel",
    "callbacks",
    "data",
    "export",
    "losses",
    "metrics",
    "networks",
    "training",
    "visualize",
    "zoo",
]

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
from keras_gan_zoo import callbacks, data, losses, metrics, networks, optimizers, visualize
from keras_gan_zoo import models
from keras_gan_zoo.models import *  # noqa: F403  (the bases, the contract, the registry)
from keras_gan_zoo import variants
from keras_gan_zoo.variants import *  # noqa: F403  (every registered variant's class)
from keras_gan_zoo import legacy as _legacy
from keras_gan_zoo import export, runtime, training, zoo

try:  # the version is pyproject.toml's, as installed
    from importlib.metadata import version as _version

    __version__ = _version("keras-gan-zoo")
except Exception:  # pragma: no cover - not installed (run from a source tree)
    __version__ = "0+unknown"

_legacy.install()

__all__ = [
    *models.__all__,
    *(name for name in variants.__all__ if name not in models.__all__),
    "callbacks",
    "data",
    "export",
    "losses",
    "metrics",
    "models",
    "networks",
    "optimizers",
    "runtime",
    "training",
    "variants",
    "visualize",
    "zoo",
]

"""The bases of the variants, in one place: what ``keras_gan_zoo.models.base`` held before
it was split by concern.

* ``adversarial``: ``AdversarialModel``, its
  networks, optimizers, versioned configs and contract;
* ``distribution``: the step's tools under
  ``tf.distribute`` (reduction, per-replica noise, mirrored assignments, logs);
* ``checks``: ``fit``'s checks of the data;
* ``sampling``: ``GenerativeModel`` (noise to samples);
* ``encoding``: ``EncodingModel`` (and images back to codes);
* ``translation``: ``TranslationModel`` (images to images).
"""

from keras_gan_zoo.models.adversarial import CONFIG_VERSION, AdversarialModel
from keras_gan_zoo.models.checks import data_facts, shape_str
from keras_gan_zoo.models.distribution import (NOISE_STREAM_AUGMENT, NOISE_STREAM_AUX,
                                               NOISE_STREAM_D, NOISE_STREAM_G, _multi_worker)  # noqa: F401
from keras_gan_zoo.models.encoding import EncodingModel
from keras_gan_zoo.models.sampling import GenerativeModel, predict_batches
from keras_gan_zoo.models.translation import TranslationModel

__all__ = ["AdversarialModel", "CONFIG_VERSION", "EncodingModel", "GenerativeModel",
           "NOISE_STREAM_AUGMENT", "NOISE_STREAM_AUX", "NOISE_STREAM_D", "NOISE_STREAM_G",
           "TranslationModel", "data_facts", "predict_batches", "shape_str"]

# the private names a variant written against 0.4 may have imported from here
_shape_str, _predict = shape_str, predict_batches

"""Fail early, and clearly, when Keras is not running on TensorFlow.

The training steps use ``tf.GradientTape`` and ``tf.distribute``, so the
package needs Keras 3 with the TensorFlow backend.
"""

try:
    import tensorflow  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError(
        "keras_gan_zoo needs TensorFlow, which is not installed. Install it "
        "with the package: pip install 'keras-gan-zoo[cpu]' (or '[gpu]')."
    ) from error

import keras

if not keras.__version__.startswith("3."):  # pragma: no cover
    raise ImportError(
        f"keras_gan_zoo needs Keras 3, found Keras {keras.__version__}; "
        "upgrade with: pip install 'keras>=3.8'"
    )

if keras.backend.backend() != "tensorflow":
    raise ImportError(
        "keras_gan_zoo needs the TensorFlow backend of Keras, but Keras is "
        f"configured for {keras.backend.backend()!r} (by the KERAS_BACKEND "
        "environment variable or ~/.keras/keras.json). Set "
        "KERAS_BACKEND=tensorflow before Python starts."
    )

"""Fail early, and clearly, when Keras is not set up to run on TensorFlow.

The training steps use ``tf.GradientTape`` and ``tf.distribute``, so the
package needs Keras 3 with the TensorFlow backend. The configured backend is
read before Keras is imported, because importing Keras for a backend that is
not installed fails with a message about that backend's package instead.
"""

import json
import os


def _configured_backend():
    """The backend Keras will pick: $KERAS_BACKEND, else keras.json, else TensorFlow."""
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "the KERAS_BACKEND environment variable"
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    path = os.path.join(home, "keras.json")
    try:
        with open(path) as f:
            return json.load(f).get("backend", "tensorflow"), path
    except (OSError, ValueError, AttributeError):
        return "tensorflow", None


def _wrong_backend(backend, source):
    return ImportError(
        "keras_gan_zoo needs the TensorFlow backend of Keras, but Keras is "
        f"configured for {backend!r} (by {source}). Set KERAS_BACKEND=tensorflow "
        "before Python starts."
    )


_backend, _source = _configured_backend()
if _backend != "tensorflow":
    raise _wrong_backend(_backend, _source)

try:
    import tensorflow  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError(
        "keras_gan_zoo needs TensorFlow, which is not installed. Install it "
        "with the package: pip install 'keras-gan-zoo[cpu]' (or '[gpu]')."
    ) from error

import keras  # noqa: E402

if not keras.__version__.startswith("3."):  # pragma: no cover
    raise ImportError(
        f"keras_gan_zoo needs Keras 3, found Keras {keras.__version__}; "
        "upgrade with: pip install 'keras>=3.8'"
    )
if keras.backend.backend() != "tensorflow":  # Keras was imported earlier, elsewhere
    raise _wrong_backend(keras.backend.backend(), "the Keras already imported")

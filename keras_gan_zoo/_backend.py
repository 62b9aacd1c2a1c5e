"""Fail early, and clearly, when Keras is not set up to run on TensorFlow.

The training steps use ``tf.GradientTape`` and ``tf.distribute``, so the
package needs Keras 3 with the TensorFlow backend. The configured backend is
read before Keras is imported, because importing Keras for a backend that is
not installed fails with a message about that backend's package instead.

On x86-64 it also asks TensorFlow for its oneDNN kernels before TensorFlow
loads (``_prefer_onednn``).
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

def _from_the_command_line():
    import sys

    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return program in ("keras-gan-zoo", "cli.py") and "tensorflow" not in sys.modules


def _import_tensorflow_quietly():
    """Import TensorFlow with its C++ start-up lines (absl's note, the CPU-feature note) kept
    off the terminal: they go to the process's stderr before any logging is set up, whatever
    ``TF_CPP_MIN_LOG_LEVEL`` says below 3. Only for the ``keras-gan-zoo`` command (library
    users keep TensorFlow's own behaviour); ``KGZ_TF_LOGS=1`` shows them.

    The command also keeps TensorFlow's C++ error log lines off the terminal
    (``TF_CPP_MIN_LOG_LEVEL=3``): failures reach it as Python exceptions, while
    those lines are notes such as the oneDNN remapper's "remapper failed" on
    some networks' gradients, after which TensorFlow runs the step unfused,
    correctly."""
    import sys

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _prefer_onednn():
    """Use TensorFlow's oneDNN kernels on every x86-64 CPU, unless the user chose.

    TensorFlow turns them on by itself only on CPUs with AVX-512 VNNI, AVX512-BF16
    or AMX; elsewhere (AVX2-only CPUs such as many AMD EPYCs) it runs Eigen's
    convolutions, which train slower there (the docs' performance page
    measures each variant both ways). The switch is read once, when
    TensorFlow loads: it is set only if TensorFlow is not imported yet and
    ``TF_ENABLE_ONEDNN_OPTS`` is unset (set it to 0 to keep Eigen's kernels).
    """
    import platform
    import sys

    if "tensorflow" in sys.modules or "TF_ENABLE_ONEDNN_OPTS" in os.environ:
        return
    if platform.machine().lower() in ("x86_64", "amd64"):
        os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"


try:
    _prefer_onednn()
    if _from_the_command_line() and not os.environ.get("KGZ_TF_LOGS"):
        _import_tensorflow_quietly()
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

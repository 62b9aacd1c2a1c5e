"""Test set-up: two logical CPU devices, so MirroredStrategy has two replicas.

The split must happen before TensorFlow initialises its devices, that is
before any test runs an op; conftest.py is imported first.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# the kernels keras-gan-zoo picks on x86-64 when it is imported before TensorFlow
# (keras_gan_zoo/_backend.py), so that the tests run what users run
if __import__("platform").machine().lower() in ("x86_64", "amd64"):
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import tensorflow as tf  # noqa: E402

_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _cpu, [tf.config.LogicalDeviceConfiguration()] * 2
)


import atexit  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from file_server import FileServer  # noqa: E402

# The zoo as users get it: the repository's entries (zoo/) served by a real HTTP server on
# 127.0.0.1, fetched by name into a cache of this test process (checked against the index's
# hashes on the way), as a user's first load fetches them from where they are published.
ZOO_SERVER = FileServer(Path(__file__).resolve().parents[1] / "zoo")
os.environ["KERAS_GAN_ZOO_SOURCE"] = ZOO_SERVER.url
os.environ["KERAS_GAN_ZOO_CACHE"] = tempfile.mkdtemp(prefix="kgz-test-cache-")
for _setting in ("KERAS_GAN_ZOO_OFFLINE", "HF_HUB_OFFLINE"):
    os.environ.pop(_setting, None)
atexit.register(shutil.rmtree, os.environ["KERAS_GAN_ZOO_CACHE"], ignore_errors=True)


@pytest.fixture(scope="session")
def zoo_server():
    """The server the tests fetch zoo entries from (``requests`` lists what it served)."""
    return ZOO_SERVER


@pytest.fixture(scope="session")
def two_replicas():
    """The one MirroredStrategy over the two logical CPUs, shared by every test.

    One per process: a second MirroredStrategy numbers its collective ops
    from the same instance keys as the first, and a synchronized batch norm's
    all-reduce then meets another model's ("Shape mismatch in the collective
    instance 100")."""
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) >= 2, "conftest.py should have made two logical CPUs"
    return tf.distribute.MirroredStrategy(devices[:2])


@pytest.fixture
def policy(request):
    """A global mixed-precision policy for one test (``indirect`` parametrisation), reset after."""
    import keras

    keras.mixed_precision.set_global_policy(request.param)
    try:
        yield request.param
    finally:
        keras.mixed_precision.set_global_policy("float32")

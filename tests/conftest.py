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


import pytest  # noqa: E402


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

"""MirroredStrategy over two logical CPUs gives the results of one replica.

Keras sums gradients across replicas, so a loss averaged per replica trains
with an N-times larger step on N replicas. These tests compare one step on two
replicas with one step on one replica, from the same weights and the same
global batch, with plain SGD (Adam would hide a wrong scale: it normalises the
gradient).
"""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.models.base import NOISE_STREAM_D, NOISE_STREAM_G

DIM = 3


def noise_free_generator(latent_dim=4):
    """A generator whose output ignores z, so only the reductions can differ.

    z -> frozen all-zero Dense -> trainable Dense: the output is the last
    bias, and no gradient depends on z.
    """
    z = keras.Input((latent_dim,))
    h = keras.layers.Dense(8, kernel_initializer="zeros", use_bias=False, trainable=False)(z)
    out = keras.layers.Dense(DIM, bias_initializer="random_normal")(h)
    return keras.Model(z, out)


def mlp_discriminator():
    x = keras.Input((DIM,))
    h = keras.layers.Dense(16, activation="tanh")(x)
    return keras.Model(x, keras.layers.Dense(1)(h))


def linear_critic():
    # A linear critic has the same gradient everywhere, so the gradient
    # penalty does not depend on the random interpolation weights.
    x = keras.Input((DIM,))
    return keras.Model(x, keras.layers.Dense(1)(x))


def noise_free_conditional_generator(latent_dim=4, num_classes=3):
    """(z, label) -> an example that depends on the label only."""
    z = keras.Input((latent_dim,))
    label = keras.Input((), dtype="int32")
    h = keras.layers.Dense(8, kernel_initializer="zeros", use_bias=False, trainable=False)(z)
    one_hot = keras.layers.CategoryEncoding(num_classes, output_mode="one_hot")(label)
    h = keras.layers.Concatenate()([h, one_hot])
    out = keras.layers.Dense(DIM, bias_initializer="random_normal")(h)
    return keras.Model([z, label], out)


def conditional_gan():
    _, d = kgz.networks.conditional_for_shape((DIM,), 3, latent_dim=4, hidden=(16,))
    return kgz.ConditionalGAN(noise_free_conditional_generator(), d, seed=1)


VARIANTS = {
    "conditional_gan": conditional_gan,
    "gan_non_saturating": lambda: kgz.GAN(noise_free_generator(), mlp_discriminator(),
                                          discriminator_steps=2, seed=1),
    "gan_least_squares": lambda: kgz.GAN(noise_free_generator(), mlp_discriminator(),
                                         loss="least_squares", seed=1),
    "wgan_gp": lambda: kgz.WGANGP(noise_free_generator(), linear_critic(), critic_steps=2,
                                  seed=1),
}


def train_one_step(strategy, make_model, weights, x):
    with strategy.scope():
        model = make_model()
        model.set_weights(weights)
        model.compile(
            generator_optimizer=keras.optimizers.SGD(0.5),
            discriminator_optimizer=keras.optimizers.SGD(0.5),
        )
    labels = np.arange(len(x)) % 3 if isinstance(model, kgz.ConditionalGAN) else None
    history = model.fit(x, labels, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    return model.get_weights(), history.history


@pytest.fixture(scope="module")
def two_replicas():
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) >= 2, "conftest.py should have made two logical CPUs"
    return tf.distribute.MirroredStrategy(devices[:2])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_two_replicas_match_one(name, two_replicas):
    keras.utils.set_random_seed(0)
    weights = VARIANTS[name]().get_weights()
    x = np.random.default_rng(0).normal(size=(16, DIM)).astype("float32")

    one_w, one_logs = train_one_step(tf.distribute.get_strategy(), VARIANTS[name], weights, x)
    two_w, two_logs = train_one_step(two_replicas, VARIANTS[name], weights, x)

    moved = max(np.abs(a - b).max() for a, b in zip(one_w, weights))
    assert moved > 1e-3, "the step should have changed the weights"
    diff = max(np.abs(a - b).max() for a, b in zip(one_w, two_w))
    assert diff <= 1e-5, f"two replicas moved the weights {diff:.2e} away from one replica"
    assert one_logs.keys() == two_logs.keys()
    for key in one_logs:
        assert one_logs[key][0] == pytest.approx(two_logs[key][0], rel=1e-6, abs=1e-5), key


def test_each_replica_draws_different_noise(two_replicas):
    with two_replicas.scope():
        model = kgz.GAN.for_shape((DIM,), latent_dim=5, seed=3)

    @tf.function
    def draw(stream, counter):
        return two_replicas.run(lambda: model.noise(64, stream, counter))

    for stream in (NOISE_STREAM_D, NOISE_STREAM_G):
        per_replica = two_replicas.experimental_local_results(
            draw(stream, tf.constant(7, tf.int64))
        )
        rows = np.concatenate([np.asarray(t) for t in per_replica])
        assert rows.shape == (128, 5)
        assert len(np.unique(rows, axis=0)) == 128, "replicas repeated latent rows"
    # And the same step draws the same noise again (resumable, reproducible).
    again = two_replicas.experimental_local_results(draw(NOISE_STREAM_D, tf.constant(7, tf.int64)))
    first = two_replicas.experimental_local_results(draw(NOISE_STREAM_D, tf.constant(7, tf.int64)))
    np.testing.assert_array_equal(np.asarray(again[1]), np.asarray(first[1]))


def test_default_networks_train_under_mirrored_strategy(two_replicas):
    """The DCGAN networks (synchronized batch norm) run a distributed fit."""
    with two_replicas.scope():
        model = kgz.GAN.for_shape((8, 8, 1), latent_dim=8, network_kwargs={"base_filters": 8})
        model.compile()
    history = model.fit(kgz.data.digits()[:64], batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])
    assert np.isfinite(history.history["d_loss"][0])

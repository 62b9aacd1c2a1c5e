"""The stabilisers against mode collapse: each does what its paper says, and round-trips.

Replica invariance of each is tested in tests/distributed/test_mirrored.py.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.networks import MinibatchStdDev

RING = kgz.data.toy("ring8", n=512, seed=0)
SMALL = {"hidden": (16,)}


# ------------------------------------------------------------ minibatch std
def test_minibatch_std_matches_numpy_on_consecutive_groups():
    x = np.random.default_rng(0).normal(size=(8, 3, 3, 2)).astype("float32")
    got = keras.ops.convert_to_numpy(MinibatchStdDev(4)(x))
    expected = np.sqrt(x.reshape(2, 4, 3, 3, 2).var(1) + 1e-8).mean(axis=(1, 2, 3))
    assert got.shape == (8, 3, 3, 3)
    np.testing.assert_array_equal(got[..., :2], x)
    np.testing.assert_allclose(got[:4, ..., 2], expected[0], rtol=1e-5)
    np.testing.assert_allclose(got[4:, ..., 2], expected[1], rtol=1e-5)


def test_minibatch_std_small_batch_is_one_group_and_vectors_work():
    v = np.random.default_rng(1).normal(size=(3, 5)).astype("float32")
    got = keras.ops.convert_to_numpy(MinibatchStdDev(4)(v))
    assert got.shape == (3, 6)
    np.testing.assert_allclose(got[:, 5], np.sqrt(v.var(0) + 1e-8).mean(), rtol=1e-5)
    # the short last batch of an epoch (27 of batch 32) is one group too, not an error
    w = np.random.default_rng(2).normal(size=(6, 2, 2, 1)).astype("float32")
    got = keras.ops.convert_to_numpy(MinibatchStdDev(4)(w))
    np.testing.assert_allclose(got[..., 1], np.sqrt(w.var(0) + 1e-8).mean(), rtol=1e-5)
    with pytest.raises(ValueError, match="group_size to be an integer >= 1, got 0"):
        MinibatchStdDev(0)


def test_minibatch_std_in_default_networks_and_saved(tmp_path):
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4,
                              network_kwargs={"base_filters": 4, "minibatch_std": 2}, seed=0)
    layers = [l for l in model.discriminator._flatten_layers() if isinstance(l, MinibatchStdDev)]
    assert len(layers) == 1 and layers[0].group_size == 2
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = kgz.data.digits()[:6, :8, :8]
    np.testing.assert_array_equal(model.discriminator(x), loaded.discriminator(x))


# ---------------------------------------------------------- feature matching
def test_feature_matching_loss_is_the_squared_distance_of_feature_means():
    model = kgz.GAN.for_shape((2,), network_kwargs=SMALL, feature_matching=True, seed=0)
    real, fake = RING[:32], RING[32:64] * 0.5
    features = model.discriminator_features()
    assert features.output_shape == (None, 16)
    expected = np.sum((np.asarray(features(real)).mean(0) - np.asarray(features(fake)).mean(0)) ** 2)
    got = float(model.feature_matching_loss(tf.constant(real), tf.constant(fake)))
    assert got == pytest.approx(expected, rel=1e-5)
    assert expected > 1e-4


def test_feature_matching_trains_and_reports_its_loss():
    model = kgz.GAN.for_shape((2,), network_kwargs=SMALL, feature_matching=True, seed=0)
    model.compile()
    history = model.fit(RING, batch_size=64, epochs=2, verbose=0).history
    assert all(np.isfinite(v).all() for v in history.values())
    assert history["g_loss"][-1] >= 0  # a squared distance, not a log-loss


def test_feature_matching_refuses_a_projection_discriminator():
    with pytest.raises(ValueError, match="last layer reads one feature tensor"):
        kgz.ConditionalGAN.for_shape((2,), num_classes=3, network_kwargs=SMALL,
                                     feature_matching=True)


# ------------------------------------------------------------ instance noise
def test_instance_noise_has_its_scale_and_anneals_to_zero():
    model = kgz.GAN.for_shape((2,), network_kwargs=SMALL, instance_noise=0.5,
                              instance_noise_steps=100, seed=0)
    model.compile()
    x = tf.zeros((20000, 2))
    assert float(tf.math.reduce_std(model.noisy(x, 0, 0))) == pytest.approx(0.5, rel=0.02)
    a, b = model.noisy(x, 0, 0), model.noisy(x, 0, 1)
    assert not np.allclose(a, b), "real and fake inputs must get different noise"
    model.generator_optimizer.iterations.assign(50)
    assert float(tf.math.reduce_std(model.noisy(x, 0, 0))) == pytest.approx(0.25, rel=0.02)
    model.generator_optimizer.iterations.assign(100)
    np.testing.assert_array_equal(model.noisy(x, 0, 0), x)


def test_no_instance_noise_leaves_inputs_alone():
    model = kgz.GAN.for_shape((2,), network_kwargs=SMALL, seed=0)
    x = tf.constant(RING[:4])
    assert model.noisy(x, 0, 0) is x


# ---------------------------------------------------- historical averaging
class _Record(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.trajectory = [self.model.generator.get_weights()]

    def on_train_batch_end(self, batch, logs=None):
        self.trajectory.append(self.model.generator.get_weights())


def test_historical_averages_are_the_mean_of_the_trajectory(tmp_path):
    model = kgz.GAN.for_shape((2,), network_kwargs=SMALL, historical_averaging=0.1, seed=0)
    model.compile()
    record = _Record()
    model.fit(RING[:256], batch_size=64, epochs=1, verbose=0, callbacks=[record])  # 4 steps
    assert len(record.trajectory) == 5
    trainable = [v.path for v in model.generator.trainable_variables]
    names = [v.path for v in model.generator.weights]
    for average, path in zip(model._averages["generator"], trainable):
        index = names.index(path)
        expected = np.mean([w[index] for w in record.trajectory], axis=0)
        np.testing.assert_allclose(average.numpy(), expected, rtol=1e-5, atol=1e-6)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(model._averages["discriminator"], loaded._averages["discriminator"]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_historical_averaging_pulls_parameters_back():
    def drift(weight):
        keras.utils.set_random_seed(0)
        model = kgz.GAN.for_shape((2,), network_kwargs=SMALL, historical_averaging=weight,
                                  discriminator_steps=2, seed=0)
        model.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                      discriminator_optimizer=keras.optimizers.SGD(0.05))
        start = model.discriminator.get_weights()
        model.fit(RING, batch_size=64, epochs=2, verbose=0)
        return sum(np.abs(a - b).sum() for a, b in zip(model.discriminator.get_weights(), start))

    assert drift(5.0) < 0.5 * drift(0.0)


# ------------------------------------------------------------- reuse fakes
class CountCalls(keras.layers.Layer):
    """Identity that counts its training-mode calls (in a variable, so it counts inside fit)."""

    def build(self, shape):
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")

    def call(self, x, training=False):
        if training:
            self.calls.assign_add(1.0)
        return x


def _counting_gan(**kwargs):
    z = keras.Input((2,))
    counter = CountCalls()
    generator = keras.Model(z, keras.layers.Dense(2)(counter(z)))
    discriminator = kgz.networks.mlp_discriminator(2, hidden=(8,))
    return kgz.GAN(generator, discriminator, seed=0, **kwargs), counter


@pytest.mark.parametrize("reuse, per_step", [(False, 2), (True, 1)])
def test_reuse_fakes_saves_one_generator_pass(reuse, per_step):
    model, counter = _counting_gan(reuse_fakes=reuse)
    model.compile()
    model.fit(RING[:192], batch_size=64, epochs=1, verbose=0)  # 3 steps
    assert float(counter.calls.numpy()) == 3 * per_step


# ---------------------------------------------------------------- arguments
@pytest.mark.parametrize("kwargs, message", [
    ({"feature_matching": 1}, "feature_matching to be True or False, got 1"),
    ({"reuse_fakes": "yes"}, "reuse_fakes to be True or False, got 'yes'"),
    ({"instance_noise": -0.1}, "instance_noise >= 0"),
    ({"instance_noise": 0.1, "instance_noise_steps": 0}, "instance_noise_steps to be None or an integer >= 1"),
    ({"historical_averaging": -1.0}, "historical_averaging >= 0"),
])
def test_bad_stabiliser_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kgz.GAN.for_shape((2,), network_kwargs=SMALL, **kwargs)


def test_stabilisers_round_trip_in_the_config():
    kwargs = dict(feature_matching=True, instance_noise=0.2, instance_noise_steps=7,
                  historical_averaging=0.5, reuse_fakes=True)
    model = kgz.GAN.for_shape((2,), network_kwargs=SMALL, **kwargs)
    config = model.get_config()
    assert {k: config[k] for k in kwargs} == kwargs
    again = kgz.GAN.from_config(config)
    assert {k: getattr(again, k) for k in kwargs} == kwargs

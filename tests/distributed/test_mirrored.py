"""MirroredStrategy over two logical CPUs gives the results of one replica: the GAN
step's options (every variant's default is checked by tests/test_variants.py).

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
from variant_checks import assert_two_replicas_match_one
from keras_gan_zoo.models.base import NOISE_STREAM_D, NOISE_STREAM_G

DIM = 3
MLP = {"hidden": (16,)}
VECTORS = np.random.default_rng(0).normal(size=(16, DIM)).astype("float32")
DIGITS, DIGIT_LABELS = kgz.data.digits(return_labels=True)

# Real default networks, whose output depends on the noise: each replica uses
# its slice of the global batch's noise, so even these must match one replica.
VARIANTS = {
    "gan_non_saturating": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, discriminator_steps=2, seed=1), VECTORS, None),
    "gan_least_squares": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, loss="least_squares", seed=1), VECTORS, None),
    # PacGAN: each replica packs consecutive pairs of its shard, the same pairs as one replica.
    "gan_pack2": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, pack=2, seed=1), VECTORS, None),
    # The stabilisers: batch means all-reduced (feature matching), per-example
    # noise drawn for the global batch (instance noise), running means updated
    # identically on each replica (historical averaging, from the 2nd D step),
    # groups of consecutive examples (minibatch std), fakes kept on the tape.
    "gan_feature_matching": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, feature_matching=True, seed=1), VECTORS, None),
    "gan_instance_noise": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, instance_noise=0.5, instance_noise_steps=10,
        seed=1), VECTORS, None),
    "gan_historical_averaging": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, historical_averaging=1.0,
        discriminator_steps=2, seed=1), VECTORS, None),
    "gan_minibatch_std": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs={**MLP, "minibatch_std": 4}, seed=1), VECTORS, None),
    # Zero-centred penalties: per-example input gradients, reduced like the loss.
    "gan_r1_r2": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, r1_weight=1.0, r2_weight=0.5, seed=1),
        VECTORS, None),
    "gan_reuse_fakes": lambda: (kgz.GAN.for_shape(
        (DIM,), latent_dim=4, network_kwargs=MLP, reuse_fakes=True, discriminator_steps=2,
        seed=1), VECTORS, None),
}


def train_one_step(strategy, name, weights):
    with strategy.scope():
        model, x, y = VARIANTS[name]()
        model.set_weights(weights)
        model.compile(
            generator_optimizer=keras.optimizers.SGD(0.05),
            discriminator_optimizer=keras.optimizers.SGD(0.05),
        )
    batch_size = None if isinstance(x, tf.data.Dataset) else len(x)
    history = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    return model.get_weights(), history.history


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_two_replicas_match_one(name, two_replicas):
    keras.utils.set_random_seed(0)
    weights = VARIANTS[name]()[0].get_weights()
    assert_two_replicas_match_one(lambda strategy, w: train_one_step(strategy, name, w), weights,
                                  two_replicas)


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
        # The replicas' shares, in order, are the one-replica draw of the global batch.
        single = model.noise(128, stream, tf.constant(7, tf.int64))
        np.testing.assert_array_equal(rows, np.asarray(single))
    # And the same step draws the same noise again (resumable, reproducible).
    again = two_replicas.experimental_local_results(draw(NOISE_STREAM_D, tf.constant(7, tf.int64)))
    first = two_replicas.experimental_local_results(draw(NOISE_STREAM_D, tf.constant(7, tf.int64)))
    np.testing.assert_array_equal(np.asarray(again[1]), np.asarray(first[1]))

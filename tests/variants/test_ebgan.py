"""kgz.EBGAN: energies, the margin loss, the pulling-away term, errors."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.ebgan.model import pulling_away
from variant_checks import SHAPE, SMALL, VariantChecks, user_generator

def user_autoencoder():
    """An EBGAN discriminator from plain layers: [energy, embedding] of a conv autoencoder."""
    x = keras.Input(SHAPE)
    code = keras.layers.Dense(8)(keras.layers.Flatten()(keras.layers.Conv2D(
        8, 4, strides=2, padding="same", activation="relu")(x)))
    h = keras.layers.Reshape((4, 4, 4))(keras.layers.Dense(64, activation="relu")(code))
    reconstruction = keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same",
                                                  activation="tanh")(h)
    error = keras.layers.Flatten()(keras.layers.Subtract()([reconstruction, x]))
    energy = keras.layers.Dense(1, use_bias=False, trainable=False, kernel_initializer="ones")(
        keras.layers.Multiply()([error, error]))  # the summed squared error
    return keras.Model(x, [energy, code])


class TestEBGANChecks(VariantChecks):
    variant = "ebgan"

    def build(self):
        return kgz.EBGAN.for_shape(SHAPE, latent_dim=4, pull_away=0.1, seed=1,
                                   network_kwargs={**SMALL, "embedding_dim": 8})

    def build_user(self):
        return kgz.EBGAN(user_generator(4), user_autoencoder(), pull_away=0.1, seed=1)


X = kgz.data.digits()


def small(**kwargs):
    return kgz.EBGAN.for_shape((8, 8, 1), latent_dim=8, **kwargs,
                               network_kwargs={"base_filters": 8, "embedding_dim": 16})


def paper_pt(s):
    """Eq. 4 of the paper as written: 1 / (N (N - 1)) sum_{i != j} cos(S_i, S_j)^2."""
    s = s / tf.norm(s, axis=1, keepdims=True)
    cos2 = tf.square(tf.matmul(s, s, transpose_b=True))
    n = tf.cast(tf.shape(s)[0], tf.float32)
    return (tf.reduce_sum(cos2) - tf.linalg.trace(cos2)) / (n * (n - 1))


def test_the_pulling_away_term_and_its_gradient_are_the_papers():
    s = tf.Variable(np.random.default_rng(0).normal(size=(6, 5)).astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        ours = tf.reduce_mean(pulling_away(s))
        theirs = paper_pt(s)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5)
    np.testing.assert_allclose(tape.gradient(ours, s).numpy(), tape.gradient(theirs, s).numpy(),
                               rtol=1e-4, atol=1e-6)
    assert float(tf.reduce_mean(pulling_away(tf.ones((4, 3))))) == pytest.approx(1.0)  # collapsed


def test_the_margin_loss_on_energies():
    model = small(margin=0.5, pull_away=0.1, seed=0)
    real = [tf.constant([[0.1], [0.7], [0.2]]), tf.zeros((3, 16))]
    fake = [tf.constant([[0.3], [0.9], [0.0]]), tf.eye(3, 16)]
    np.testing.assert_allclose(model.discriminator_terms(real, fake, None).numpy(),
                               [0.1 + 0.2, 0.7 + 0.0, 0.2 + 0.5], rtol=1e-6)
    # orthogonal embeddings: no pulling away, the generator's loss is the energy
    np.testing.assert_allclose(model.generator_terms(fake, None).numpy(), [0.3, 0.9, 0.0],
                               atol=1e-7)


def test_the_autoencoder_learns_low_energy_for_digits():
    keras.utils.set_random_seed(0)
    model = small(pull_away=0.1, seed=0)
    assert [t.shape[1:] for t in model.discriminator.outputs] == [(1,), (16,), (8, 8, 1)]
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                  discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    history = model.fit(X[:1500], batch_size=64, epochs=6, verbose=0)
    assert {"real_energy", "fake_energy", "pt"} <= set(history.history)
    held = model.energy(X[1500:])
    noise = model.energy(np.random.default_rng(0).uniform(-1, 1, (300, 8, 8, 1)))
    assert held.shape == (297,)
    assert held.mean() < 0.5 * noise.mean(), (held.mean(), noise.mean())  # 0.27 vs 1.23
    assert not model._batch_coupled()  # no batch norm: an energy is the example's own
    _, _, reconstruction = model.discriminator(X[1500:1508], training=False)
    assert np.mean((reconstruction.numpy() - X[1500:1508]) ** 2) == pytest.approx(
        held[:8].mean(), rel=1e-4)


@pytest.mark.parametrize("kwargs, message", [
    ({"loss": "hinge"}, "EBGAN takes no loss=: its losses are the margin loss"),
    ({"augment": "ada"}, "does not support augment='ada'.*use augment='diffaugment'"),
    ({"margin": 0.0}, "expected margin > 0"),
    ({"pull_away": -1.0}, "expected pull_away >= 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        small(**kwargs)


def test_a_discriminator_without_energy_and_embedding_is_named():
    generator, _ = kgz.networks.for_shape((8, 8, 1), latent_dim=8, base_filters=4)
    _, logit_only = kgz.networks.for_shape((8, 8, 1), latent_dim=8, base_filters=4)
    with pytest.raises(ValueError, match=r"expected an EBGAN discriminator example -> \[energy "
                                         r"\(batch, 1\), embedding"):
        kgz.EBGAN(generator, logit_only)

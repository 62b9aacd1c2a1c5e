"""The small-data recipe of the shared GAN step: augmentation, ADA's p, the generator EMA,
lazy R1 (the recipe checks in each variant's test file add 1-vs-2 replicas, save/load and export)."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo import augment

DIGITS = kgz.data.digits()[:64]


def _rgb(n=6, size=16, seed=0):
    rng = np.random.default_rng(seed)
    return np.tanh(rng.normal(size=(n, size, size, 3))).astype("float32")


# ------------------------------------------------------------ augmentations
@pytest.mark.parametrize("name", augment.AUGMENTS)
def test_augmentations_change_images_and_pass_the_gradient(name):
    x = tf.constant(_rgb())
    u = tf.random.stateless_uniform([6, augment.DRAWS[name]], seed=[0, 1])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = augment.augment(name, x, u, 1.0)
        loss = tf.reduce_sum(y * tf.cos(y))
    grad = tape.gradient(loss, x)
    assert y.shape == x.shape and np.isfinite(y.numpy()).all()
    assert np.abs(y.numpy() - x.numpy()).max() > 0.1
    assert grad is not None and np.abs(grad.numpy()).sum() > 0
    # a pure function of (images, u): the same draws give the same images
    np.testing.assert_array_equal(augment.augment(name, x, u, 1.0).numpy(), y.numpy())


def test_ada_with_p_zero_is_the_identity_exactly_and_p_one_moves_every_image():
    x = _rgb()
    u = tf.random.stateless_uniform([6, augment.DRAWS["ada"]], seed=[3, 4])
    np.testing.assert_array_equal(augment.ada(x, u, 0.0).numpy(), x)
    moved = np.abs(augment.ada(x, u, 1.0).numpy() - x).reshape(6, -1).max(1)
    assert (moved > 1e-3).all()
    grey = augment.ada(x[..., :1], u, 1.0).numpy()  # one channel: the colour transforms that
    assert grey.shape == (6, 16, 16, 1)           # need three are skipped


def test_ada_flip_and_quarter_turns_are_exact_pixel_moves():
    x = _rgb(n=2)
    u = np.full((2, augment.DRAWS["ada"]), 0.99, "float32")  # every gate closed (u >= p)...
    u[:, 0], u[:, 1] = 0.0, 0.9  # ...but the x-flip's
    flipped = augment.ada(x, u, 0.5).numpy()
    np.testing.assert_allclose(flipped, x[:, :, ::-1], atol=1e-5)
    u[:, 0] = 0.99
    u[:, 2], u[:, 3] = 0.0, 0.3  # one quarter turn
    turned = augment.ada(x, u, 0.5).numpy()
    assert min(np.abs(turned - np.rot90(x, k, axes=(1, 2))).max() for k in (1, 3)) < 1e-5


def test_diffaugment_translation_shifts_in_zeros_and_cutout_zeroes_a_square():
    x = np.ones((1, 16, 16, 1), "float32")
    u = np.array([[0.5, 0.5, 0.5, 0.99, 0.5, 0.5, 0.5]], "float32")  # colour off; rows +2
    y = augment.diffaugment(x, u).numpy()[0, ..., 0]
    assert (y[:2] == 0).all()               # two rows of zeros shifted in at the top
    assert (y == 0).sum() == 2 * 16 + 8 * 8  # and the cutout (8x8, centred) below them
    assert (y[4:12, 4:12] == 0).all()


# -------------------------------------------------------------------- ADA p
@pytest.mark.parametrize("bias, expected", [(100.0, 0.5 + 0.064), (-100.0, 0.5 - 0.064)])
def test_ada_moves_p_by_the_rule(bias, expected):
    """A discriminator that calls every real image real (r_t = 1 > 0.6) raises p; one that
    calls them all fake (r_t = -1) lowers it: by images / (ada_kimg * 1000) per adjustment."""
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4},
                              augment="ada", ada_p=0.5, ada_interval=2, ada_kimg=1, seed=1)
    model.discriminator.get_layer("logit").bias.assign([bias])
    model.compile()
    history = model.fit(DIGITS, batch_size=16, epochs=1, shuffle=False, verbose=0)
    # 4 updates of 16 images; adjustments after the 2nd and the 4th, of 32 images each
    assert history.history["r_t"][0] == pytest.approx(np.sign(bias))
    assert model.augment_probability == pytest.approx(expected, abs=1e-6)
    assert "augment_p" in history.history


def test_ada_p_is_saved_and_loaded(tmp_path):
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4},
                              augment="ada", ada_p=0.25, ada_kimg=0.01, ada_interval=1, seed=1)
    model.compile()
    model.fit(DIGITS, batch_size=32, epochs=1, verbose=0)
    p = model.augment_probability
    assert p != 0.25 and 0.0 <= p <= 1.0
    model.save(tmp_path / "m.keras")
    assert keras.models.load_model(tmp_path / "m.keras").augment_probability == p


# --------------------------------------------------------------------- EMA
def test_ema_follows_the_rule_and_is_what_generate_and_export_use(tmp_path):
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4},
                              ema=0.9, seed=1)
    model.compile()
    start = [w.copy() for w in model.generator.get_weights()]
    model.fit(DIGITS[:32], batch_size=32, epochs=1, verbose=0)
    beta = min(0.9, 2 / 11)  # after step t = 1
    trainable = {id(v) for v in model.generator.trainable_weights}
    for w0, w1, e, v in zip(start, model.generator.get_weights(),
                            model.ema_generator.get_weights(), model.generator.weights):
        expected = beta * w0 + (1 - beta) * w1 if id(v) in trainable else w1  # BN stats: copied
        np.testing.assert_allclose(e, expected, atol=1e-6)
    z = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    averaged = np.asarray(model.ema_generator(z, training=False))
    np.testing.assert_allclose(model.generate(z=z), averaged, atol=1e-6)
    assert np.abs(model.generate(z=z, use_ema=False) - averaged).max() > 1e-4
    assert model.signature().generator is model.ema_generator
    assert set(model.trained_networks()) == {"generator", "discriminator", "ema_generator"}


@pytest.mark.parametrize("ema", [0.0, 1.0, True, "0.99"])
def test_bad_ema_says_what_is_expected(ema):
    with pytest.raises(ValueError, match="expected ema to be None or a decay in \\(0, 1\\)"):
        kgz.GAN.for_shape((8, 8, 1), ema=ema)


# ----------------------------------------------------------------- lazy R1
def test_lazy_r1_is_the_full_penalty_at_due_steps_with_k_times_the_weight():
    def run(**kwargs):
        keras.utils.set_random_seed(0)
        model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4},
                                  seed=1, **kwargs)
        model.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                      discriminator_optimizer=keras.optimizers.SGD(0.05))
        model.fit(DIGITS[:32], batch_size=32, epochs=1, verbose=0)
        return model.get_weights()

    lazy = run(r1_weight=1.0, r_interval=4)   # step 0 is due: the penalty with 4x the weight
    eager = run(r1_weight=4.0)
    none = run()
    for a, b in zip(lazy, eager):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert max(np.abs(a - b).max() for a, b in zip(lazy, none)) > 1e-5


@pytest.mark.parametrize("kwargs, message", [
    ({"augment": "stylegan"}, "unknown augment 'stylegan'; expected None or one of 'diffaugment'"),
    ({"r_interval": 0}, "expected r_interval to be an integer >= 1"),
    ({"augment": "ada", "ada_target": 1.5}, r"expected ada_target in \(0, 1\)"),
])
def test_bad_recipe_options_say_what_is_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kgz.GAN.for_shape((8, 8, 1), **kwargs)


def test_augment_needs_images():
    with pytest.raises(ValueError, match=r"augment='diffaugment' augments images; the examples "
                                         r"here have shape \(2,\)"):
        kgz.GAN.for_shape((2,), augment="diffaugment")

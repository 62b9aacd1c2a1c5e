"""kgz.GAN: losses, discriminator steps, and learning on real data."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from variant_checks import (ADA, RECIPE, SHAPE, SMALL, RecipeChecks, VariantChecks,
                            user_discriminator, user_generator)


class TestGANChecks(VariantChecks):
    variant = "gan"

    def build(self):
        return kgz.GAN.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL, seed=1)

    def build_user(self):
        return kgz.GAN(user_generator(4), user_discriminator(), seed=1)


class TestGANWithResNetsAndDiffAugmentChecks(RecipeChecks):
    """The small-data recipe's parts: ResNets (other layers), hinge, DiffAugment, EMA, lazy R1."""

    variant = "gan"
    test_onnx_export_of_every_generator_matches_keras = (
        VariantChecks.test_onnx_export_of_every_generator_matches_keras)
    test_litert_and_openvino_exports_of_every_generator_match_keras = (
        VariantChecks.test_litert_and_openvino_exports_of_every_generator_match_keras)

    def build(self):
        return kgz.GAN.for_shape(SHAPE, latent_dim=4, loss="hinge", augment="diffaugment",
                                 network_kwargs={"architecture": "resnet", "base_filters": 4},
                                 seed=1, **RECIPE)

    def build_user(self):
        return kgz.GAN(user_generator(4), user_discriminator(), loss="hinge",
                       augment="diffaugment", seed=1, **RECIPE)


class TestGANWithADAChecks(RecipeChecks):
    variant = "gan"
    # spectral norm: other layers than the variant's own checks export
    test_onnx_export_of_every_generator_matches_keras = (
        VariantChecks.test_onnx_export_of_every_generator_matches_keras)

    def build(self):
        return kgz.GAN.for_shape(SHAPE, latent_dim=4, seed=1, **ADA, **RECIPE,
                                 network_kwargs={**SMALL, "spectral_norm": True})

    def build_user(self):
        return kgz.GAN(user_generator(4), user_discriminator(), seed=1, **ADA, **RECIPE)


class TestFGANChecks(RecipeChecks):
    variant = "gan"

    def build(self):
        return kgz.GAN.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL, seed=1,
                                 loss="f_divergence", divergence="reverse_kl")

    def build_user(self):
        return kgz.GAN(user_generator(4), user_discriminator(), seed=1, loss="f_divergence",
                       divergence="reverse_kl")


LOSSES = [(loss, None) for loss in kgz.GAN.LOSSES if loss != "f_divergence"] + [
    ("f_divergence", divergence) for divergence in kgz.losses.DIVERGENCES]


@pytest.mark.parametrize("loss, divergence", LOSSES)
def test_every_loss_trains(loss, divergence):
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (16,)}, loss=loss,
                              divergence=divergence)
    model.compile()
    history = model.fit(kgz.data.toy("ring8", n=256), batch_size=64, epochs=2, verbose=0)
    assert set(history.history) == {"g_loss", "d_loss"}
    assert all(np.isfinite(v).all() for v in history.history.values())


def test_an_f_gan_logs_its_divergences_loss_and_keeps_it_in_its_config():
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (16,)},
                              loss="f_divergence", divergence="pearson")
    model.compile()
    x = kgz.data.toy("ring8", n=64)
    z = model.noise(64, 0, model.discriminator_optimizer.iterations)
    real, fake = model.discriminator(x), model.discriminator(model.generator(z))
    expected = kgz.losses.f_divergence_discriminator_loss(real, fake, divergence="pearson")
    np.testing.assert_allclose(
        model.discriminator_loss(real, fake), expected, rtol=1e-6)
    assert model.get_config()["divergence"] == "pearson"
    clone = kgz.GAN.from_config(model.get_config())
    assert clone.divergence == "pearson" and clone.loss_name == "f_divergence"


def test_discriminator_steps_update_the_discriminator_k_times():
    model = kgz.GAN.for_shape((2,), network_kwargs={"hidden": (8,)}, discriminator_steps=3)
    model.compile()
    model.fit(kgz.data.toy("ring8", n=128), batch_size=32, epochs=1, verbose=0)  # 4 steps
    assert int(model.discriminator_optimizer.iterations) == 12
    assert int(model.generator_optimizer.iterations) == 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"loss": "wgan"}, "unknown loss 'wgan'; expected one of .*non_saturating"),
        ({"discriminator_steps": 0}, "discriminator_steps to be an integer >= 1, got 0"),
        ({"label_smoothing": 1.5}, r"label_smoothing in \[0, 1\), got 1.5"),
        ({"loss": "hinge", "label_smoothing": 0.1}, "not to hinge"),
        ({"loss": "f_divergence"}, "loss='f_divergence' needs divergence=, one of kl, reverse_kl"),
        ({"loss": "f_divergence", "divergence": "chi2"}, "unknown divergence 'chi2'; expected"),
        ({"divergence": "kl"}, "divergence= applies to loss='f_divergence', not to "
                               "loss='non_saturating'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kgz.GAN.for_shape((2,), **kwargs)


def test_dcgan_learns_the_digits_mean_image():
    """A short run brings the samples' mean image toward the digits' mean image.

    Measured as the RMS pixel difference of the two mean images; the
    untrained generator's is ~0.6 (outputs near 0 on a mostly -1 background).
    """
    keras.utils.set_random_seed(0)
    x = kgz.data.digits()
    model = kgz.GAN.for_shape(x.shape[1:], latent_dim=16, network_kwargs={"base_filters": 16})
    model.compile()

    def mean_image_gap():
        return float(np.sqrt(((model.generate(512, seed=0).mean(0) - x.mean(0)) ** 2).mean()))

    before = mean_image_gap()
    model.fit(x, batch_size=64, epochs=20, verbose=0)
    after = mean_image_gap()
    assert after < 0.5 * before, (before, after)


def test_packing_judges_pairs_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, pack=2, network_kwargs={"base_filters": 4})
    assert model.discriminator.inputs[0].shape[-1] == 2 and model.example_shape == (8, 8, 1)
    images = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)).astype("float32")
    # pairs of consecutive examples side by side on the channel axis
    packed_logits = model.judge(images, training=False)
    manual = np.concatenate([images[0::2], images[1::2]], axis=-1)
    np.testing.assert_allclose(packed_logits, model.discriminator(manual, training=False), atol=1e-6)
    model.compile()
    history = model.fit(images, batch_size=6, epochs=2, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    model.save(tmp_path / "p.keras")
    again = keras.models.load_model(tmp_path / "p.keras")
    assert again.pack == 2
    np.testing.assert_allclose(again.generate(4, seed=0), model.generate(4, seed=0))
    with pytest.raises(ValueError, match="pack to be an integer >= 1"):
        kgz.GAN.for_shape((8, 8, 1), pack=0)
    with pytest.raises(ValueError, match="multiple of 2, got 5"):
        model.fit(images[:5], batch_size=5, epochs=1, verbose=0)
    with pytest.raises(Exception, match="must be a multiple of it"):  # datasets: in the graph
        import tensorflow as tf

        model.fit(tf.data.Dataset.from_tensor_slices(images[:5]).batch(5), epochs=1, verbose=0)


def test_r1_and_r2_penalties_are_the_squared_input_gradients():
    import tensorflow as tf

    _, d = kgz.networks.for_shape((3,), latent_dim=2, hidden=(8,))
    x = tf.constant(np.random.default_rng(0).normal(size=(5, 3)), tf.float32)
    got = kgz.losses.zero_centred_gradient_penalty(lambda v, training: d(v, training=training), x)
    # by hand: one example at a time through its own tape
    expected = []
    for row in tf.unstack(x):
        row = row[None]
        with tf.GradientTape() as tape:
            tape.watch(row)
            out = tf.reduce_sum(d(row, training=True))
        expected.append(float(tf.reduce_sum(tf.square(tape.gradient(out, row)))))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5)


def test_r1_and_r2_train_and_are_logged():
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (16,)},
                              r1_weight=10.0, r2_weight=1.0)
    model.compile()
    history = model.fit(kgz.data.toy("ring8", n=128), batch_size=64, epochs=1, verbose=0)
    assert set(history.history) == {"g_loss", "d_loss", "r1", "r2"}
    assert all(v[0] > 0 and np.isfinite(v[0]) for k, v in history.history.items() if k[0] == "r")
    # The penalty is part of the discriminator's loss: a large R1 shrinks D's input gradient.
    assert model.get_config()["r1_weight"] == 10.0
    with pytest.raises(ValueError, match="expected r1_weight >= 0"):
        kgz.GAN.for_shape((2,), r1_weight=-1.0)


def test_the_old_spelling_of_the_zero_centred_penalty_still_works():
    with pytest.warns(DeprecationWarning, match="now zero_centred_gradient_penalty"):
        old = kgz.losses.zero_centered_gradient_penalty
    assert old is kgz.losses.zero_centred_gradient_penalty

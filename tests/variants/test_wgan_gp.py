"""kgz.WGANGP: critic steps, penalty logging, defaults, learning a toy mixture."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from variant_checks import SHAPE, SMALL, VariantChecks, user_discriminator, user_generator


class TestWGANGPChecks(VariantChecks):
    variant = "wgan_gp"

    def build(self):
        return kgz.WGANGP.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL,
                                    discriminator_steps=2, seed=1)

    def build_user(self):
        return kgz.WGANGP(user_generator(4), user_discriminator(), discriminator_steps=2, seed=1)


def test_critic_steps_and_logs():
    model = kgz.WGANGP.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (16,)})
    model.compile()
    history = model.fit(kgz.data.toy("grid25", n=128), batch_size=32, epochs=1, verbose=0)
    assert set(history.history) == {"g_loss", "d_loss", "gp"}
    assert int(model.discriminator_optimizer.iterations) == 4 * 5
    assert int(model.generator_optimizer.iterations) == 4
    assert history.history["gp"][0] >= 0


def test_paper_defaults():
    model = kgz.WGANGP.for_shape((2,))
    assert (model.discriminator_steps, model.gradient_penalty_weight) == (5, 10.0)
    assert (model.loss_name, model.reuse_fakes) == ("wasserstein", False)
    g_opt, d_opt = model.default_optimizers()
    assert float(g_opt.learning_rate) == pytest.approx(1e-4)
    assert (float(d_opt.beta_1), float(d_opt.beta_2)) == pytest.approx((0.5, 0.9))


@pytest.mark.parametrize("kwargs, message", [
    ({"discriminator_steps": 0}, "discriminator_steps to be an integer >= 1"),
    ({"gradient_penalty_weight": -1.0}, "gradient_penalty_weight >= 0"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kgz.WGANGP.for_shape((2,), **kwargs)


@pytest.mark.parametrize("old, new", [("critic_steps", "discriminator_steps"),
                                      ("gp_weight", "gradient_penalty_weight")])
def test_renamed_arguments_name_the_new_one(old, new):
    with pytest.raises(TypeError, match=f"{old}= was renamed {new}="):
        kgz.WGANGP.for_shape((2,), **{old: 1})


def test_the_old_name_of_the_penalty_weight_still_works_and_warns(tmp_path):
    with pytest.warns(DeprecationWarning, match="gradient_penalty= is now gradient_penalty_weight="):
        model = kgz.WGANGP.for_shape((2,), latent_dim=2, gradient_penalty=2.5)
    assert model.gradient_penalty_weight == 2.5
    # a config written by 0.4 (the old key) loads with its value under the new name
    config = model.get_config()
    config["gradient_penalty"] = config.pop("gradient_penalty_weight")
    assert kgz.WGANGP.from_config(config).gradient_penalty_weight == 2.5


def test_wgan_gp_is_a_configuration_of_the_gan_step():
    # The named variant and the shared step with the same settings are one model.
    a = kgz.WGANGP.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (8,)}, seed=3)
    b = kgz.GAN(a.generator, a.discriminator, loss="wasserstein", gradient_penalty_weight=10.0,
                discriminator_steps=5, reuse_fakes=False, seed=3)
    config = {k: v for k, v in a.get_config().items() if k not in ("name", "generator",
                                                                   "discriminator")}
    assert config == {k: v for k, v in b.get_config().items() if k in config}


def test_learns_the_ring():
    """After a short run most samples sit near the unit circle of ring8.

    gp_weight 0.1, as the WGAN-GP authors use on toy data; see
    benchmarks/toy_modes.py.
    """
    keras.utils.set_random_seed(0)
    model = kgz.WGANGP.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (64, 64)},
                                 gradient_penalty_weight=0.1)
    model.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9),
        steps_per_execution=32,
    )
    radius_before = np.linalg.norm(model.generate(1000, seed=0), axis=1)
    model.fit(kgz.data.toy("ring8", n=8192), batch_size=256, epochs=10, verbose=0)
    radius = np.linalg.norm(model.generate(1000, seed=0), axis=1)
    assert np.mean(np.abs(radius - 1) < 0.25) > 0.8, np.percentile(radius, [10, 50, 90])
    assert np.mean(np.abs(radius_before - 1) < 0.25) < 0.5

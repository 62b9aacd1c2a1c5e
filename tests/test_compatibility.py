"""Files saved by keras-gan-zoo 0.1.0 load with their settings, and the refactored steps
compute what 0.1.0 computed.

The fixtures (``tests/fixtures/v0_1``) were written by ``tests/fixtures/make_v0_1.py``
with the code before the variant contract: for each case a ``.keras`` file after a
few training steps, and an ``.npz`` with the training data's networks' weights before
and after those steps and the model's outputs. Here the current code

* loads each file, finds the settings it was saved with (0.1.0 names, the
  defaults 0.1.0 had), and gives the same ``generate`` / ``translate`` outputs;
* starts the same variant (built with today's API) from the "before" weights,
  trains the same steps on the same data, and ends at the "after" weights
  (both up to float32 rounding: see ``SAME`` and ``MOVE_SHARE``).
"""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz

FIXTURES = Path(__file__).parent / "fixtures" / "v0_1"
# The data, the training and the outputs of the script that wrote the fixtures.
_spec = importlib.util.spec_from_file_location("make_v0_1", FIXTURES.parent / "make_v0_1.py")
_made = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_made)
fit, outputs, MLP, SMALL = _made.fit, _made.outputs, _made.MLP, _made.SMALL
OLD_CONFIGS = json.loads((FIXTURES / "configs.json").read_text())["configs"]

# The same cases as make_v0_1.py, built with today's API (renamed arguments).
CASES = {
    "gan_dcgan": (lambda: kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs=SMALL,
                                            seed=1), "images"),
    "gan_least_squares_fresh": (lambda: kgz.GAN.for_shape(
        (3,), latent_dim=4, network_kwargs=MLP, loss="least_squares", reuse_fakes=False,
        discriminator_steps=2, label_smoothing=0.1, seed=1), "vectors"),
    "gan_pack_minibatch_std": (lambda: kgz.GAN.for_shape(
        (3,), latent_dim=4, network_kwargs={**MLP, "minibatch_std": 4}, pack=2, loss="hinge",
        seed=1), "vectors"),
    "gan_stabilisers": (lambda: kgz.GAN.for_shape(
        (3,), latent_dim=4, network_kwargs=MLP, feature_matching=True, instance_noise=0.5,
        instance_noise_steps=10, historical_averaging=0.5, seed=1), "vectors"),
    "wgan_gp": (lambda: kgz.WGANGP.for_shape((8, 8, 1), latent_dim=4, network_kwargs=SMALL,
                                             discriminator_steps=2, seed=1), "images"),
    "conditional_gan": (lambda: kgz.ConditionalGAN.for_shape(
        (8, 8, 1), num_classes=10, latent_dim=4, network_kwargs=SMALL, seed=1), "labelled"),
    "infogan": (lambda: kgz.InfoGAN.for_shape(
        (8, 8, 1), latent_dim=4, num_categories=3,
        network_kwargs={"base_filters": 4, "dense_units": 8}, seed=1), "images"),
    "infogan_trains_body": (lambda: kgz.InfoGAN.for_shape(
        (3,), latent_dim=4, num_categories=3, network_kwargs=MLP, info_trains_body=True, seed=1),
        "vectors"),
    "cyclegan": (lambda: kgz.CycleGAN.for_shape((8, 8, 1), (8, 8, 1), base_filters=4,
                                                num_blocks=1, seed=1), "unpaired"),
}
# "The same" up to float32 rounding. oneDNN picks its kernels by CPU (AVX-512, AMX), and
# the fused batch-norm and Adam kernels round differently from Keras's ops: outputs then
# differ by ~1e-6, and after a few Adam steps a weight whose gradient is near zero can move
# by a whole step either way (oneDNN's AVX2 kernels against the Eigen kernels that made the
# fixtures: one of a CycleGAN norm layer's 4 scales, 6% of that layer's move). So outputs
# are compared elementwise, and each trained network by its total distance from 0.1.0's
# weights against how far the steps moved them in all (measured: at most 1.8%); a wrong
# setting or loss moves every weight, by tens of percent.
SAME = {"rtol": 1e-4, "atol": 1e-5}
MOVE_SHARE = 0.05  # measured: at most 1.8% (CycleGAN's generator, oneDNN on AVX2)
# 0.1.0 argument -> today's, for comparing settings.
RENAMED = {"critic_steps": "discriminator_steps", "gp_weight": "gradient_penalty_weight"}


def test_every_case_has_a_fixture():
    assert sorted(CASES) == sorted(OLD_CONFIGS)
    for name in CASES:
        assert (FIXTURES / f"{name}.keras").is_file() and (FIXTURES / f"{name}.npz").is_file()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_0_1_file_loads_with_its_settings_and_outputs(name):
    model = keras.models.load_model(FIXTURES / f"{name}.keras")
    record = np.load(FIXTURES / f"{name}.npz")
    config = model.get_config()
    assert config["config_version"] == kgz.models.base.CONFIG_VERSION
    for key, value in OLD_CONFIGS[name].items():
        key = RENAMED.get(key, key)
        assert config[key] == (list(value) if isinstance(value, tuple) else value), key
    # Settings 0.1.0 had no argument for load as 0.1.0 trained.
    if isinstance(model, kgz.GAN) and "reuse_fakes" not in OLD_CONFIGS[name]:
        assert model.reuse_fakes is False
    if isinstance(model, kgz.InfoGAN) and "info_trains_body" not in OLD_CONFIGS[name]:
        assert model.info_trains_body is True
    for key, expected in outputs(model, CASES[name][1]).items():
        np.testing.assert_allclose(expected, record[key], err_msg=key, **SAME)
    # The optimizers' state came back: training goes on.
    assert int(model.generator_optimizer.iterations) > 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_training_step_computes_what_0_1_computed(name):
    build, kind = CASES[name]
    record = np.load(FIXTURES / f"{name}.npz")
    keras.utils.set_random_seed(0)
    model = build()
    networks = model.trained_networks()
    for role, net in networks.items():
        net.set_weights([record[f"before/{role}/{i}"] for i in range(len(net.weights))])
    model.compile()
    fit(model, kind)
    for role, net in networks.items():
        off = moved = 0.0
        for i, w in enumerate(net.get_weights()):
            after, before = record[f"after/{role}/{i}"], record[f"before/{role}/{i}"]
            off += np.abs(w - after).sum()
            moved += np.abs(after - before).sum()
        assert off <= MOVE_SHARE * moved + 1e-8, (
            f"{role}: {off:.2e} in all from 0.1.0's weights, which moved {moved:.2e}")

"""kgz.InfoGAN: codes drive the generator, the Q head reads them back, errors."""


import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.infogan.networks import default_networks
from variant_checks import SHAPE, RecipeChecks, VariantChecks, user_discriminator, user_generator

def user_infogan(**kwargs):
    return kgz.InfoGAN(user_generator(4, [("categorical", 3, "int32"),
                                          ("continuous", 2, "float32")]),
                       user_discriminator(heads=(1, 3, 2)), seed=1, **kwargs)


class TestInfoGANChecks(VariantChecks):
    variant = "infogan"

    def build(self):
        return kgz.InfoGAN.for_shape(SHAPE, latent_dim=4, num_categories=3, seed=1,
                                     network_kwargs={"base_filters": 4, "dense_units": 8})

    def build_user(self):
        return user_infogan()


class TestInfoGANWithEMAChecks(RecipeChecks):
    variant = "infogan"

    def build(self):
        return kgz.InfoGAN.for_shape(SHAPE, latent_dim=4, num_categories=3, ema=0.9, seed=1,
                                     network_kwargs={"base_filters": 4, "dense_units": 8})

    def build_user(self):
        return user_infogan(ema=0.9)


X = kgz.data.digits()[:256]


def small(**kwargs):
    return kgz.InfoGAN.for_shape((8, 8, 1), latent_dim=4, num_categories=5, num_continuous=2,
                                 network_kwargs={"base_filters": 4, "dense_units": 16}, **kwargs)


def test_trains_and_logs_the_information_loss():
    keras.utils.set_random_seed(0)
    model = small()
    model.compile()
    history = model.fit(X, batch_size=64, epochs=3, verbose=0)
    assert set(history.history) == {"g_loss", "d_loss", "info_loss"}
    info = history.history["info_loss"]
    assert all(np.isfinite(info))
    # The categorical part starts at log(5) = 1.61 and must fall as Q learns.
    assert info[-1] < info[0]


def test_q_head_learns_to_read_the_categorical_code():
    keras.utils.set_random_seed(0)
    model = kgz.InfoGAN.for_shape((2,), latent_dim=2, num_categories=3, num_continuous=1,
                                  network_kwargs={"hidden": (32, 32)})
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-3, 0.5),
                  discriminator_optimizer=keras.optimizers.Adam(1e-3, 0.5))
    model.fit(kgz.data.toy("ring8", n=4096), batch_size=128, epochs=4, verbose=0)
    codes = np.arange(300) % 3
    read, _ = model.predict_codes(model.generate(300, categorical=codes, seed=1))
    accuracy, _ = kgz.metrics.best_matching_accuracy(read, codes)
    assert accuracy > 0.9, accuracy


def one_step_discriminator(info_weight, info_trains_body=False):
    keras.utils.set_random_seed(0)
    model = small(info_weight=info_weight, info_trains_body=info_trains_body, seed=0)
    model.compile(generator_optimizer=keras.optimizers.SGD(0.1),
                  discriminator_optimizer=keras.optimizers.SGD(0.1))
    model.fit(X[:64], batch_size=64, epochs=1, verbose=0)
    d = model.discriminator
    q_only = {id(v) for name in ("q_hidden", "categorical_logits", "continuous_mean")
              for v in d.get_layer(name).trainable_variables}
    q_only |= {id(v) for layer in d.layers if "batch_norm" in layer.name
               for v in layer.trainable_variables}  # the Q head's batch norm
    assert {id(v) for v in model.q_head_variables} == q_only
    # By default the generator's optimizer trains the Q head; with
    # info_trains_body=True the discriminator's does.
    in_g = {id(v) for v in model.generator_variables}
    in_d = {id(v) for v in model.discriminator_variables}
    assert (q_only <= in_g, q_only <= in_d) == (not info_trains_body, info_trains_body)
    shared = [v.numpy() for v in d.trainable_variables if id(v) not in q_only]
    q = [v.numpy() for v in d.trainable_variables if id(v) in q_only]
    return shared, q


def test_information_loss_trains_the_q_head_and_by_choice_the_shared_body():
    shared0, q0 = one_step_discriminator(info_weight=0.0)
    shared1, q1 = one_step_discriminator(info_weight=1.0)
    body1, _ = one_step_discriminator(info_weight=1.0, info_trains_body=True)
    assert len(shared0) == 10 and len(q0) == 7  # body (8) + logit (2); Q head (7)
    # Default: the body and the logit move exactly as without the information loss ...
    for a, b in zip(shared0, shared1):
        np.testing.assert_array_equal(a, b)
    # ... while the Q head learns from it; with info_trains_body=True the body does too.
    assert max(np.abs(a - b).max() for a, b in zip(q0, q1)) > 1e-3
    assert max(np.abs(a - b).max() for a, b in zip(shared0[:8], body1[:8])) > 1e-3
    with pytest.raises(ValueError, match="info_trains_body to be True or False, got 1"):
        small(info_trains_body=1)


def test_codes_change_the_sample():
    model = small(seed=0)
    base = model.generate(4, categorical=1, continuous=[0.0, 0.0], seed=2)
    assert np.abs(base - model.generate(4, categorical=2, continuous=[0.0, 0.0], seed=2)).max() > 1e-5
    assert np.abs(base - model.generate(4, categorical=1, continuous=[1.0, 0.0], seed=2)).max() > 1e-5
    np.testing.assert_array_equal(base, model.generate(4, categorical=[1] * 4, continuous=[[0.0, 0.0]] * 4, seed=2))
    cats, conts = model.predict_codes(X[:7])
    assert cats.shape == (7,) and conts.shape == (7, 2) and cats.max() < 5


@pytest.mark.parametrize("kwargs, message", [
    ({"categorical": 5}, r"expected categorical codes in 0..4"),
    ({"categorical": 0.5}, "categorical codes"),
    ({"continuous": [0.0, 0.0, 0.0]}, r"continuous codes of shape \(2,\) or \(3, 2\), got \(3,\)"),
])
def test_wrong_code_sizes_and_ranges(kwargs, message):
    with pytest.raises(ValueError, match=message):
        small().generate(3, **kwargs)


def test_networks_must_agree_on_code_sizes():
    g, _ = default_networks((2,), latent_dim=2, num_continuous=3, hidden=(8,))
    _, d = default_networks((2,), latent_dim=2, num_continuous=2, hidden=(8,))
    with pytest.raises(ValueError, match="takes 3 continuous codes but the Q head predicts 2"):
        kgz.InfoGAN(g, d)
    plain_g, plain_d = kgz.networks.for_shape((2,))
    with pytest.raises(ValueError, match=r"inputs \[z, categorical, continuous\]"):
        kgz.InfoGAN(plain_g, d)


def test_architectures():
    # Images: the paper's networks by default (batch norm in the Q head), DCGAN on request.
    _, paper = default_networks((8, 8, 1), base_filters=4, dense_units=16)
    _, dcgan = default_networks((8, 8, 1), architecture="dcgan", base_filters=4)
    assert paper.get_layer("discriminator_body").output.shape[-1] == 16
    assert any("batch_norm" in layer.name for layer in paper.layers)
    assert not any("batch_norm" in layer.name for layer in dcgan.layers)
    for shape, architecture, choices in [((2,), "infogan", r"\('mlp',\)"),
                                         ((8, 8, 1), "mlp", r"\('infogan', 'dcgan'\)")]:
        with pytest.raises(ValueError, match=f"expected architecture in {choices} for examples "
                                             f"of shape .*, got '{architecture}'"):
            kgz.InfoGAN.for_shape(shape, network_kwargs={"architecture": architecture})


def test_best_matching_accuracy():
    accuracy, mapping = kgz.metrics.best_matching_accuracy([1, 1, 0, 0, 2, 2], [2, 2, 0, 1, 1, 1])
    assert mapping == {0: 0, 1: 2, 2: 1} and accuracy == pytest.approx(5 / 6)
    with pytest.raises(ValueError, match="same shape"):
        kgz.metrics.best_matching_accuracy([1, 2], [1])


def test_noise_size_is_latent_dim_as_for_every_variant():
    model = small()
    assert model.latent_dim == 4 and model.signature().port("z").shape == (4,)
    with pytest.raises(TypeError, match="noise_dim= was renamed latent_dim="):
        kgz.InfoGAN.for_shape((8, 8, 1), noise_dim=4)
    with pytest.raises(TypeError, match="for_shapes.*was renamed CycleGAN.for_shape"):
        kgz.CycleGAN.for_shapes((8, 8, 1), (8, 8, 1))

"""The shared bases: compile, generate, input errors (the per-variant checks are in
tests/test_variants.py)."""


import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz

def small(cls, shape=(2,), **kwargs):
    net = {"hidden": (16,)} if len(shape) == 1 else {"base_filters": 4}
    return cls.for_shape(shape, latent_dim=3, network_kwargs=net, **kwargs)


def test_generate_is_reproducible_and_batched():
    model = small(kgz.GAN, seed=0)
    a = model.generate(10, seed=5)
    b = model.generate(10, seed=5, batch_size=3)
    c = model.generate(10, seed=6)
    assert a.shape == (10, 2) and a.dtype == np.float32
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert not np.allclose(a, c)


def test_compile_defaults_and_call():
    model = small(kgz.WGANGP)
    model.compile()
    assert isinstance(model.generator_optimizer, keras.optimizers.Adam)
    assert float(model.generator_optimizer.beta_2) == pytest.approx(0.9)
    assert model.generator_optimizer.built and model.discriminator_optimizer.built
    z = np.zeros((4, 3), "float32")
    np.testing.assert_allclose(np.asarray(model(z)), np.asarray(model.generator(z)))


def test_compile_rejects_a_loss_argument():
    with pytest.raises(TypeError, match="takes no loss=.*generator_optimizer="):
        small(kgz.GAN).compile(loss="mse")


def test_fit_before_compile_says_what_to_do():
    with pytest.raises(RuntimeError, match="not compiled: call model.compile"):
        small(kgz.GAN).fit(kgz.data.toy("ring8", n=64), epochs=1, verbose=0)


@pytest.mark.parametrize(
    "data, message",
    [
        (np.zeros((16, 3), "float32"), r"examples of shape \(3\), but the discriminator expects \(2\)"),
        (np.zeros((16,), "float32"), r"examples of shape \(\), but the discriminator expects \(2\)"),
        (np.zeros((16, 2), "int32"), "expected float data, got dtype int32"),
        (np.zeros((16, 2), "uint8"), r"scale uint8 images to \[-1, 1\]"),
        (np.zeros((0, 2), "float32"), "non-empty array"),
        (np.array([[0.0, 1.0], [np.nan, 0.0]], "float32"), "1 non-finite values.*example 1"),
        (np.array([[np.inf, 1.0]], "float32"), "non-finite"),
        (None, "expected training data x, got None"),
    ],
)
def test_bad_arrays_are_rejected_before_training(data, message):
    model = small(kgz.GAN)
    model.compile()
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=message):
        model.fit(data, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_bad_datasets_are_rejected():
    model = small(kgz.GAN)
    model.compile()
    x = kgz.data.toy("ring8", n=64)
    with pytest.raises(ValueError, match="batched dataset.*call dataset.batch"):
        model.fit(tf.data.Dataset.from_tensor_slices(x), verbose=0)
    with pytest.raises(ValueError, match="the dataset is empty"):
        model.fit(tf.data.Dataset.from_tensor_slices(x).take(0).batch(8), verbose=0)
    with pytest.raises(ValueError, match=r"shape \(3\), but the discriminator expects \(2\)"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((8, 3), "float32")).batch(4), verbose=0)
    with pytest.raises(ValueError, match="expected float data, got dtype uint8"):
        model.fit(tf.data.Dataset.from_tensor_slices(np.zeros((8, 2), "uint8")).batch(4), verbose=0)
    # (examples, labels) datasets are fine: the labels are ignored.
    labelled = tf.data.Dataset.from_tensor_slices((x, np.zeros(64, "int32"))).batch(32)
    history = model.fit(labelled, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])


def test_generator_that_does_not_fit_the_discriminator():
    g, _ = kgz.networks.for_shape((3,), latent_dim=2)
    _, d = kgz.networks.for_shape((2,))
    with pytest.raises(ValueError, match=r"generator's output shape \(None, 3\) does not fit "
                                         r"the discriminator's input shape \(None, 2\)"):
        kgz.GAN(g, d)


def test_networks_must_be_keras_models():
    _, d = kgz.networks.for_shape((2,))
    with pytest.raises(TypeError, match="expected the generator to be a keras.Model, got function"):
        kgz.GAN(lambda z: z, d)


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_generate_rejects_bad_counts(n):
    with pytest.raises(ValueError, match="positive integer number of samples"):
        small(kgz.GAN).generate(n)


def test_a_py_dataset_is_read_as_keras_reads_it():
    class Batches(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return kgz.data.toy("ring8", n=16, seed=i)

    model = small(kgz.GAN)
    model.compile()
    history = model.fit(Batches(), epochs=1, verbose=0)
    assert int(model.generator_optimizer.iterations) == 2
    assert np.isfinite(history.history["d_loss"][0])


def test_unknown_arguments_suggest_the_right_one():
    with pytest.raises(TypeError, match=r"'latnt_dim' is not one of GAN's arguments .*did you mean "
                                        r"'latent_dim'\?"):
        kgz.GAN.for_shape((2,), latnt_dim=3)
    g, d = kgz.networks.for_shape((2,), latent_dim=2)
    with pytest.raises(TypeError, match=r"'los' is not one of GAN's arguments.*did you mean 'loss'"):
        kgz.GAN(g, d, los="hinge")
    with pytest.raises(TypeError, match=r"'labels' is not one of a gan generator's arguments \(z\)"):
        kgz.GAN(g, d).generate(3, labels=2)


def test_configs_from_the_future_are_refused():
    config = small(kgz.GAN).get_config()
    config["config_version"] = kgz.models.base.CONFIG_VERSION + 1
    with pytest.raises(ValueError, match="newer than this keras-gan-zoo writes .*upgrade"):
        kgz.GAN.from_config(config)


def test_generate_takes_explicit_inputs():
    model = small(kgz.GAN, seed=0)
    z = np.random.default_rng(1).standard_normal((5, 3)).astype("float32")
    np.testing.assert_array_equal(model.generate(z=z), model.predict_generator(z))
    assert model.generate(z=z[0], n=4).shape == (4, 2)  # one latent for all
    with pytest.raises(ValueError, match=r"expected z of shape \(3,\) or \(5, 3\)"):
        model.generate(5, z=np.zeros((5, 2)))


def test_truncation_redraws_large_latent_entries():
    model = small(kgz.GAN, seed=0)
    inputs = model.signature().make_inputs(2000, np.random.default_rng(0), truncation=0.5)
    assert np.abs(inputs[0]).max() <= 0.5 and inputs[0].std() < 0.35  # a narrow, truncated normal
    a = model.generate(50, seed=1, truncation=0.5)
    np.testing.assert_array_equal(a, model.generate(50, seed=1, truncation=0.5))
    assert not np.allclose(a, model.generate(50, seed=1))
    with pytest.raises(ValueError, match="expected truncation > 0"):
        model.generate(4, truncation=0)

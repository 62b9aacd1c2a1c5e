"""The contract's vocabulary for the systems still to come: truncation as a hook a variant
declares with its ports, noise maps of free size, and a variable number of networks."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from keras_gan_zoo.models import AdversarialModel, GenerativeModel, Port, Signature
from keras_gan_zoo.models.contract import output_port


def _styled_generator(latent=8):
    """z -> w by a mapping layer, then w = psi * w (the average w of this mapping is 0), then
    an image: truncation toward the mean inside the graph, as StyleGAN does it."""
    z = keras.Input((latent,), name="z")
    psi = keras.Input((), name="psi")
    w = keras.layers.Dense(8, name="mapping")(z)
    w = keras.layers.Lambda(lambda t: t[0] * t[1][:, None], name="truncate")([w, psi])
    x = keras.layers.Dense(4 * 4, activation="tanh")(w)
    return keras.Model([z, psi], keras.layers.Reshape((4, 4, 1))(x), name="styled")


@keras.saving.register_keras_serializable("test_contract")
class Styled(GenerativeModel):
    """A sampler whose truncation is an input of its generator (not a redraw of z)."""

    def generator_ports(self):
        return (Port.noise(self.latent_dim, truncation=None), Port.truncation_psi())

    @property
    def latent_dim(self):
        return int(self.generator.inputs[0].shape[-1])


def _styled():
    keras.utils.set_random_seed(0)
    discriminator = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
    return Styled(_styled_generator(), discriminator, seed=0)


def test_truncation_can_be_an_input_the_generator_applies():
    model = _styled()
    z, psi = model.signature().make_inputs(500, np.random.default_rng(0), truncation=0.5)
    assert np.abs(z).max() > 2  # this z is not redrawn: the hook is psi
    assert np.all(psi == 0.5)
    average = model.generate(6, seed=1, truncation=0.0)
    np.testing.assert_allclose(average, average[:1].repeat(6, 0), atol=1e-6)
    free = model.generate(6, seed=1)  # psi = 1 when no truncation is asked for
    assert free.std(axis=0).mean() > 10 * average.std(axis=0).mean()
    with pytest.raises(ValueError, match="expected truncation >= 0"):
        model.generate(2, truncation=-1.0)


def test_a_generator_without_truncation_says_so():
    z = keras.Input((3,), name="z")
    generator = keras.Model(z, keras.layers.Dense(2)(z))
    signature = Signature("sampler", generator, (Port.noise(3, truncation=None),),
                          output_port(generator))
    with pytest.raises(ValueError, match="takes no truncation"):
        signature.make_inputs(2, truncation=0.5)


def test_truncation_travels_with_the_export(tmp_path):
    model = _styled()
    result = kgz.export.to_onnx(model, tmp_path / "g.onnx")
    assert [p.get("truncation") for p in result.metadata["inputs"]] == [None, None]
    exported = kgz.export.load(tmp_path / "g.onnx")
    assert [p.truncation for p in exported.signature().inputs] == [None, "value"]
    np.testing.assert_allclose(exported.generate(5, seed=3, truncation=0.25),
                               model.generate(5, seed=3, truncation=0.25), atol=1e-5)


def test_ports_round_trip_through_their_records():
    ports = [Port.noise(4), Port.noise(4, truncation=None), Port.truncation_psi(),
             Port.noise_map("noise", (12, 20, 3), "noise of the coarsest scale"),
             Port.categorical("label", 5, "class", keyword="labels")]
    for port in ports:
        assert Port.from_record(port.describe()) == port
    # a record written before ports declared their truncation: its z redraws, as it did
    old = {"name": "z", "kind": "normal", "shape": [None, 4], "dtype": "float32"}
    assert Port.from_record(old).truncation == "redraw"


def test_noise_maps_have_a_free_size_and_are_checked_as_maps():
    port = Port.noise_map("noise", (12, 20, 3), "noise of the coarsest scale")
    assert tuple(port.spec().shape) == (None, None, None, 3)
    drawn = port.draw(2, np.random.default_rng(0))
    assert drawn.shape == (2, 12, 20, 3) and abs(drawn.std() - 1) < 0.2
    assert port.check(np.zeros((2, 30, 40, 3)), 2).shape == (2, 30, 40, 3)  # another size
    with pytest.raises(ValueError, match=r"expected a batch of noise maps \(n, h, w, 3\)"):
        port.check(np.zeros((2, 30, 40, 1)), 2)


@keras.saving.register_keras_serializable("test_contract")
class Refined(AdversarialModel):
    """A model with a list of refiners beside its generator (a pyramid's finer scales)."""

    network_names = ("generator", "discriminator", "refiners")

    def __init__(self, generator, discriminator, refiners, seed=None, **kwargs):
        super().__init__({"generator": generator, "discriminator": discriminator,
                          "refiners": refiners}, seed=seed, **kwargs)


def _net(inputs, outputs, name):
    x = keras.Input((inputs,))
    return keras.Model(x, keras.layers.Dense(outputs)(x), name=name)


def test_a_variable_number_of_networks_is_checked_named_saved_and_loaded(tmp_path):
    keras.utils.set_random_seed(0)
    generator, discriminator = _net(3, 2, "g"), _net(2, 1, "d")
    with pytest.raises(TypeError, match=r"expected the refiners\[1\] to be a keras.Model"):
        Refined(generator, discriminator, [_net(2, 2, "r0"), "not a network"])
    with pytest.raises(ValueError, match="at least one network in refiners"):
        Refined(generator, discriminator, [])
    model = Refined(generator, discriminator, [_net(2, 2, f"r{i}") for i in range(3)], seed=0)
    assert list(model.trained_networks()) == ["generator", "discriminator", "refiners/0",
                                              "refiners/1", "refiners/2"]
    assert [n.name for n in model.networks_in("refiners")] == ["r0", "r1", "r2"]
    model.save(tmp_path / "refined.keras")
    loaded = keras.saving.load_model(tmp_path / "refined.keras")
    assert type(loaded) is Refined and len(loaded.refiners) == 3
    for key, net in model.trained_networks().items():
        for a, b in zip(net.get_weights(), loaded.trained_networks()[key].get_weights()):
            np.testing.assert_array_equal(a, b)

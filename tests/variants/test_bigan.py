"""kgz.BiGAN: the encoder learns to invert the generator; its contract and errors."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from variant_checks import (ADA, SHAPE, SMALL, RecipeChecks, VariantChecks, fit, user_encoder,
                            user_generator)

def user_joint_discriminator(latent_dim):
    """A BiGAN discriminator from plain layers: [image, z] -> logit."""
    x, z = keras.Input(SHAPE), keras.Input((latent_dim,))
    h = keras.layers.Flatten()(keras.layers.Conv2D(8, 4, strides=2, padding="same",
                                                   activation="leaky_relu")(x))
    h = keras.layers.Dense(16, activation="leaky_relu")(keras.layers.Concatenate()([h, z]))
    return keras.Model([x, z], keras.layers.Dense(1)(h))


class TestBiGANChecks(VariantChecks):
    variant = "bigan"

    def build(self):
        return kgz.BiGAN.for_shape(SHAPE, latent_dim=4, seed=1,
                                   network_kwargs={**SMALL, "units": 16})

    def build_user(self):
        return kgz.BiGAN(user_generator(4), user_encoder(4), user_joint_discriminator(4), seed=1)


# The stabiliser parts of the GAN step, in BiGAN's step: R1 (lazy), EMA and DiffAugment; ADA.
PARTS = {"r1_weight": 1.0, "r_interval": 2, "ema": 0.9, "augment": "diffaugment"}


class TestBiGANWithR1EMAAndDiffAugmentChecks(RecipeChecks):
    variant = "bigan"

    def build(self):
        return kgz.BiGAN.for_shape(SHAPE, latent_dim=4, seed=1,
                                   network_kwargs={**SMALL, "units": 16}, **PARTS)

    def build_user(self):
        return kgz.BiGAN(user_generator(4), user_encoder(4), user_joint_discriminator(4), seed=1,
                         **PARTS)


class TestBiGANWithADAChecks(RecipeChecks):
    variant = "bigan"

    def build(self):
        return kgz.BiGAN.for_shape(SHAPE, latent_dim=4, seed=1,
                                   network_kwargs={**SMALL, "units": 16}, **ADA)

    def build_user(self):
        return kgz.BiGAN(user_generator(4), user_encoder(4), user_joint_discriminator(4), seed=1,
                         **ADA)


def test_the_parts_act_in_bigans_step():
    keras.utils.set_random_seed(0)
    model = kgz.BiGAN.for_shape(SHAPE, latent_dim=4, seed=1, network_kwargs={**SMALL, "units": 16},
                                r1_weight=1.0, **ADA)
    model.compile()
    history = fit(model, epochs=2)
    assert history.history["r1"][-1] > 0  # R1 logged where it is computed
    assert model.augment_probability != ADA["ada_p"]  # ADA moved p after its updates
    assert model.get_config()["r1_weight"] == 1.0 and model.get_config()["augment"] == "ada"
    plain = kgz.BiGAN.for_shape(SHAPE, latent_dim=4, seed=1, network_kwargs={**SMALL, "units": 16})
    assert plain.get_config()["augment"] is None and plain.get_config()["r1_weight"] == 0.0
    with pytest.raises(ValueError, match="expected r1_weight >= 0"):
        kgz.BiGAN.for_shape(SHAPE, latent_dim=4, r1_weight=-1.0)
    with pytest.raises(ValueError, match="unknown augment 'mixup'"):
        kgz.BiGAN.for_shape(SHAPE, latent_dim=4, augment="mixup")


X = kgz.data.digits()


def small(**kwargs):
    return kgz.BiGAN.for_shape((8, 8, 1), latent_dim=16, seed=0, **kwargs,
                               network_kwargs={"base_filters": 16, "units": 128})


def test_the_encoder_learns_to_invert_the_generator():
    keras.utils.set_random_seed(0)
    model = small()
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                  discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    held = X[1500:]
    before = np.mean((model.reconstruct(held) - held) ** 2)
    model.fit(X[:1500], batch_size=64, epochs=20, verbose=0)
    again = model.reconstruct(held)
    own, other = np.mean((again - held) ** 2), np.mean((again - held[::-1]) ** 2)
    # measured: 0.72 before training; after it 0.48 against 0.68 for another digit
    assert own < 0.8 * before and own < 0.8 * other, (before, own, other)
    assert model.encode(held).shape == (len(held), 16)


def test_the_encoder_is_a_declared_direction():
    model = small()
    assert model.directions == (None, "encoder") and model.kind == "sampler"
    signature = model.signature("encoder")
    assert signature.kind == "encoder" and signature.generator is model.encoder
    assert tuple(signature.inputs[0].spec().shape) == (None, 8, 8, 1)  # the dense layers fix it
    assert signature.output.shape == (16,)
    assert set(model.trained_networks()) == {"generator", "encoder", "discriminator"}
    model.compile()  # one optimizer trains the generator and the encoder
    ids = {id(v) for v in model.generator_variables}
    assert all(id(v) in ids for v in model.encoder.trainable_variables)
    with pytest.raises(ValueError, match=r"expected a batch of images \(n, 8, 8, 1\) for encode, "
                                         r"got \(2, 16, 16, 1\)"):
        model.encode(np.zeros((2, 16, 16, 1)))


def test_bad_networks_are_named():
    g, e, d = user_generator(4), user_encoder(4), user_joint_discriminator(4)
    with pytest.raises(ValueError, match="the latent sizes differ: generator's z 4, encoder's "
                                         "output 5, discriminator's z 4"):
        kgz.BiGAN(g, user_encoder(5), d)
    with pytest.raises(ValueError, match=r"expected a BiGAN discriminator with inputs \[image, z\]"):
        kgz.BiGAN(g, e, kgz.networks.for_shape((8, 8, 1), base_filters=4)[1])
    with pytest.raises(ValueError, match="the networks must be distinct models; encoder"):
        kgz.BiGAN(g, g, d)
    with pytest.raises(TypeError, match="expected the encoder to be a keras.Model"):
        kgz.BiGAN(g, None, d)
    with pytest.raises(ValueError, match="unknown loss 'hinge' for BiGAN; expected one of "
                                         "non_saturating, least_squares"):
        kgz.BiGAN(g, e, d, loss="hinge")
    with pytest.raises(ValueError, match=r"BiGAN's default networks are for images"):
        kgz.BiGAN.for_shape((2,))

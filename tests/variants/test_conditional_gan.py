"""kgz.ConditionalGAN: labels in every form, sampling by class, save/load, errors."""


import numpy as np
import pytest
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.conditional_gan.networks import default_networks as conditional_networks
from variant_checks import (ADA, RECIPE, SHAPE, SMALL, RecipeChecks, VariantChecks,
                            user_discriminator, user_generator)

X, Y = kgz.data.digits(return_labels=True)
X, Y = X[:128], Y[:128]


class TestConditionalGANChecks(VariantChecks):
    variant = "conditional_gan"

    def build(self):
        return kgz.ConditionalGAN.for_shape(SHAPE, num_classes=3, latent_dim=4,
                                            network_kwargs=SMALL, seed=1)

    def build_user(self):
        return kgz.ConditionalGAN(user_generator(4, [("label", 3, "int32")]),
                                  user_discriminator(label_classes=3), seed=1)


class TestConditionalGANWithADAChecks(RecipeChecks):
    variant = "conditional_gan"

    def build(self):
        return kgz.ConditionalGAN.for_shape(SHAPE, num_classes=3, latent_dim=4,
                                            network_kwargs=SMALL, seed=1, **ADA, **RECIPE)

    def build_user(self):
        return kgz.ConditionalGAN(user_generator(4, [("label", 3, "int32")]),
                                  user_discriminator(label_classes=3), seed=1, **ADA, **RECIPE)


def small(**kwargs):
    return kgz.ConditionalGAN.for_shape((8, 8, 1), num_classes=10, latent_dim=4,
                                        network_kwargs={"base_filters": 4}, **kwargs)


@pytest.mark.parametrize("form", ["int", "column", "one_hot", "dataset"])
def test_trains_on_every_label_form(form):
    model = small()
    model.compile()
    if form == "dataset":
        history = model.fit(tf.data.Dataset.from_tensor_slices((X, Y)).batch(32), epochs=1, verbose=0)
    else:
        labels = {"int": Y, "column": Y[:, None], "one_hot": np.eye(10, dtype="float32")[Y]}[form]
        history = model.fit(X, labels, batch_size=32, epochs=1, verbose=0)
    assert int(model.generator_optimizer.iterations) == 4
    assert all(np.isfinite(v[0]) for v in history.history.values())


def test_the_label_changes_the_sample():
    model = small(seed=0)
    a = model.generate(4, labels=1, seed=3)
    b = model.generate(4, labels=[1, 1, 1, 1], seed=3)
    c = model.generate(4, labels=2, seed=3)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-4
    assert model.generate(20, seed=0).shape == (20, 8, 8, 1)  # labels 0..9, 0..9


def test_num_classes_is_inferred_and_checked():
    g, d = conditional_networks((2,), 3, latent_dim=2, hidden=(8,))
    assert kgz.ConditionalGAN(g, d).num_classes == 3
    with pytest.raises(ValueError, match=r"num_classes=4 does not match the networks, which declare \[3\]"):
        kgz.ConditionalGAN(g, d, num_classes=4)


@pytest.mark.parametrize("labels, message", [
    (None, "the labels are missing"),
    (np.full(128, 10), r"label 10 is out of range; expected labels in 0..9"),
    (np.full(128, -1), "label -1 is out of range"),
    (Y[:100], "got 128 examples but 100 labels"),
    (np.full(128, 0.5), "fractional"),
    (np.zeros((128, 3)), r"expected labels of shape \(n,\) or one-hot \(n, 10\)"),
])
def test_bad_labels_are_rejected_before_training(labels, message):
    model = small()
    model.compile()
    with pytest.raises(ValueError, match=message):
        model.fit(X, labels, epochs=1, verbose=0)
    assert int(model.generator_optimizer.iterations) == 0


def test_datasets_need_labels_and_labels_are_checked_in_the_graph():
    model = small()
    model.compile()
    with pytest.raises(ValueError, match="the dataset yields images only"):
        model.fit(tf.data.Dataset.from_tensor_slices(X).batch(32), verbose=0)
    bad = tf.data.Dataset.from_tensor_slices((X, np.full(128, 12, "int32"))).batch(32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels must be < num_classes=10"):
        model.fit(bad, verbose=0)


def test_generate_rejects_bad_labels():
    with pytest.raises(ValueError, match="label 11 is out of range"):
        small().generate(3, labels=11)
    with pytest.raises(ValueError, match="got 3 examples but 2 labels"):
        small().generate(3, labels=[1, 2])


def test_networks_must_be_conditional():
    g, d = kgz.networks.for_shape((8, 8, 1))
    with pytest.raises(ValueError, match=r"expected a conditional generator with inputs \[z"):
        kgz.ConditionalGAN(g, d, num_classes=10)

"""kgz.ACGAN: the two-headed discriminator, its losses, its class head, errors."""

import numpy as np
import pytest
import keras
import tensorflow as tf
from keras import layers

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.acgan.networks import default_networks
from keras_gan_zoo.variants.conditional_gan.networks import default_networks as conditional_networks
from variant_checks import (ADA, RECIPE, SHAPE, SMALL, RecipeChecks, VariantChecks,
                            user_discriminator, user_generator)

X, Y = kgz.data.digits(return_labels=True)
class TestACGANChecks(VariantChecks):
    variant = "acgan"

    def build(self):
        return kgz.ACGAN.for_shape(SHAPE, num_classes=3, latent_dim=4, network_kwargs=SMALL,
                                   seed=1)

    def build_user(self):
        return kgz.ACGAN(user_generator(4, [("label", 3, "int32")]),
                         user_discriminator(heads=(1, 3)), seed=1)


class TestACGANWithDiffAugmentChecks(RecipeChecks):
    variant = "acgan"

    def build(self):
        return kgz.ACGAN.for_shape(SHAPE, num_classes=3, latent_dim=4, network_kwargs=SMALL,
                                   seed=1, augment="diffaugment", **RECIPE)

    def build_user(self):
        return kgz.ACGAN(user_generator(4, [("label", 3, "int32")]),
                         user_discriminator(heads=(1, 3)), seed=1, augment="diffaugment", **RECIPE)


class TestACGANWithADAAndR1Checks(RecipeChecks):
    variant = "acgan"

    def build(self):
        return kgz.ACGAN.for_shape(SHAPE, num_classes=3, latent_dim=4, network_kwargs=SMALL,
                                   seed=1, **ADA, **RECIPE)

    def build_user(self):
        return kgz.ACGAN(user_generator(4, [("label", 3, "int32")]),
                         user_discriminator(heads=(1, 3)), seed=1, **ADA, **RECIPE)


Y = Y.astype("int32")


def small(**kwargs):
    return kgz.ACGAN.for_shape((8, 8, 1), num_classes=10, latent_dim=8,
                               network_kwargs={"base_filters": 8}, **kwargs)


def test_the_discriminator_reads_the_example_alone_and_has_two_heads():
    model = small(seed=0)
    assert len(model.discriminator.inputs) == 1
    logit, classes = model.judge(tf.constant(X[:5]), tf.constant(Y[:5]))
    assert logit.shape == (5, 1) and classes.shape == (5, 10)
    assert model.num_classes == 10
    assert [p.name for p in model.signature().inputs] == ["z", "label"]


def test_the_losses_are_the_papers_sums_of_source_and_class_terms():
    model = small(seed=0, class_weight=0.5)
    rng = np.random.default_rng(0)
    real = [rng.normal(size=(4, 1)).astype("float32"), rng.normal(size=(4, 10)).astype("float32")]
    fake = [rng.normal(size=(4, 1)).astype("float32"), rng.normal(size=(4, 10)).astype("float32")]
    labels = tf.constant([0, 3, 9, 3])

    def ce(logits):
        log_p = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        return -log_p[np.arange(4), labels.numpy()]

    bce = lambda v, t: np.log1p(np.exp(v[:, 0])) - t * v[:, 0]  # noqa: E731
    d = model.discriminator_terms(real, fake, labels).numpy()
    np.testing.assert_allclose(d, bce(real[0], 1) + bce(fake[0], 0)
                               + 0.5 * (ce(real[1]) + ce(fake[1])), rtol=1e-5)
    g = model.generator_terms(fake, labels).numpy()
    np.testing.assert_allclose(g, bce(fake[0], 1) + 0.5 * ce(fake[1]), rtol=1e-5)


def test_the_class_head_learns_the_digits_and_is_logged():
    keras.utils.set_random_seed(0)
    model = small(seed=0)
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
                  discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5))
    history = model.fit(X[:1500], Y[:1500], batch_size=64, epochs=8, verbose=0)
    assert {"class_loss", "class_accuracy", "g_class_loss"} <= set(history.history)
    assert history.history["class_loss"][-1] < 0.5 * history.history["class_loss"][0]
    accuracy = np.mean(model.predict_classes(X[1500:]) == Y[1500:])
    assert accuracy > 0.6, accuracy  # held-out 8x8 digits, 10 classes (chance 0.1)


def test_bad_networks_and_arguments_are_named():
    generator, discriminator = default_networks((8, 8, 1), 10, latent_dim=4,
                                                            base_filters=4)
    one_head = keras.Model(discriminator.inputs, discriminator.outputs[0])
    with pytest.raises(ValueError, match=r"expected an ACGAN discriminator example -> \[logit "
                                         r"\(batch, 1\), class_logits"):
        kgz.ACGAN(generator, one_head)
    with pytest.raises(ValueError, match="num_classes=5 does not match the discriminator's class "
                                         "head, which has 10 outputs"):
        kgz.ACGAN(generator, discriminator, num_classes=5)
    _, projection = conditional_networks((8, 8, 1), 10, latent_dim=4, base_filters=4)
    x, label = keras.Input((8, 8, 1)), keras.Input((), dtype="int32")
    both = keras.Model([x, label], [projection([x, label]), layers.Dense(10)(layers.Flatten()(x))])
    with pytest.raises(ValueError, match="reads the example alone"):
        kgz.ACGAN(generator, both)
    with pytest.raises(ValueError, match="class_weight >= 0"):
        kgz.ACGAN(generator, discriminator, class_weight=-1.0)
    with pytest.raises(ValueError, match="does not support feature_matching"):
        kgz.ACGAN(generator, discriminator, feature_matching=True)
    model = kgz.ACGAN(generator, discriminator)
    with pytest.raises(ValueError, match=r"images have examples of shape \(8, 8, 3\)"):
        model.predict_classes(np.zeros((2, 8, 8, 3), "float32"))
    model.compile()
    with pytest.raises(ValueError, match="the labels are missing"):
        model.fit(X[:32], batch_size=32, verbose=0)

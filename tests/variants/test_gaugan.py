"""kgz.GauGAN: SPADE, styles, the optional perceptual loss, errors."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.pix2pix.networks import unet_generator
from variant_checks import SHAPE, VariantChecks

def user_spade_generator():
    """A GauGAN generator from plain layers: the map concatenated to the broadcast code."""
    label_map, z = keras.Input((8, 8, 3)), keras.Input((4,))
    code = keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64)(z))
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(
        keras.layers.Concatenate()([label_map, code]))
    return keras.Model([label_map, z],
                       keras.layers.Conv2D(1, 3, padding="same", activation="tanh")(h))


def user_multiscale_discriminator():
    """One scale: [map, image] -> [features, patch logits]."""
    label_map, image = keras.Input((None, None, 3)), keras.Input((None, None, 1))
    h = keras.layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(
        keras.layers.Concatenate()([label_map, image]))
    return keras.Model([label_map, image], [h, keras.layers.Conv2D(1, 3, padding="same")(h)])


def user_style_encoder():
    image = keras.Input(SHAPE)
    h = keras.layers.Flatten()(keras.layers.Conv2D(4, 4, strides=2, padding="same",
                                                   activation="relu")(image))
    return keras.Model(image, [keras.layers.Dense(4)(h), keras.layers.Dense(4)(h)])


class TestGauGANChecks(VariantChecks):
    variant = "gaugan"

    def build(self):
        return kgz.GauGAN.for_shape((8, 8, 3), 1, latent_dim=4, base_filters=2, hidden=4,
                                    num_layers=1, seed=1)

    def build_user(self):
        return kgz.GauGAN(user_spade_generator(), user_multiscale_discriminator(),
                          user_style_encoder(), num_scales=1, seed=1)


X = kgz.data.digits()
CLASSES = np.digitize((X[..., 0] + 1) / 2, [0.33, 0.66]).astype("int32")  # dark, grey, bright
MAPS = np.eye(3, dtype="float32")[CLASSES]


def small(**kwargs):
    return kgz.GauGAN.for_shape((8, 8, 3), 1, latent_dim=8, base_filters=4, hidden=8,
                                num_layers=1, **kwargs)


def test_it_draws_digits_from_their_maps_in_random_and_given_styles():
    keras.utils.set_random_seed(0)
    model = small(seed=0, norm="instance")
    model.compile(keras.optimizers.Adam(2e-3, 0.0, 0.999), keras.optimizers.Adam(4e-3, 0.0, 0.999))
    history = model.fit(MAPS[:1500], X[:1500], batch_size=32, epochs=10, verbose=0)
    assert {"d_loss", "g_loss", "feature_loss", "kl_loss"} == set(history.history)
    held_maps, held = MAPS[1500:], X[1500:]
    drawn = model.translate(held_maps, seed=0)
    np.testing.assert_array_equal(drawn, model.translate(held_maps, seed=0))
    assert not np.array_equal(drawn, model.translate(held_maps, seed=1))  # another style
    np.testing.assert_array_equal(model.translate(CLASSES[1500:], seed=0), drawn)  # class maps
    # the map, not the code, places the strokes: closer to its own digit than to another's
    own = np.abs(drawn - held).mean()
    other = np.abs(drawn - np.roll(held, 1, axis=0)).mean()
    print("L1 to the map's digit", own, "to another digit", other)
    assert own < 0.7 * other, (own, other)
    styled = model.translate(held_maps[:5], style=held[0])
    assert styled.shape == (5, 8, 8, 1)


def test_a_gaugan_without_encoder_draws_random_styles_only():
    model = small(seed=0, encoder=False)
    assert model.encoder is None and "encoder" not in model.trained_networks()
    model.compile()
    history = model.fit(MAPS[:64], X[:64], batch_size=32, epochs=1, verbose=0)
    assert "kl_loss" not in history.history
    with pytest.raises(ValueError, match="style= needs the style encoder"):
        model.translate(MAPS[:2], style=X[0])
    again = kgz.GauGAN.from_config(model.get_config())
    assert again.encoder is None


def test_the_defaults_are_the_papers():
    model = small(seed=0)
    g, d = model.default_optimizers()
    assert (float(g.learning_rate), float(d.learning_rate), g.beta_1) == pytest.approx(
        (1e-4, 4e-4, 0.0))
    assert (model.feature_weight, model.kl_weight, model.num_scales) == (10.0, 0.05, 2)
    assert model.signature().inputs[0].name == "label_map"
    assert [p.name for p in model.signature().inputs] == ["label_map", "z"]


@pytest.mark.slow
def test_user_supplied_vgg_weights_add_the_perceptual_loss(tmp_path):
    path = tmp_path / "vgg19_notop.weights.h5"
    keras.applications.VGG19(include_top=False, weights=None).save_weights(path)
    maps = np.eye(3, dtype="float32")[np.random.default_rng(0).integers(0, 3, (8, 32, 32))]
    photos = np.random.default_rng(1).uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    model = kgz.GauGAN.for_shape((32, 32, 3), latent_dim=8, base_filters=4, hidden=8,
                                 vgg_weights=str(path), seed=0)
    model.compile()
    history = model.fit(maps, photos, batch_size=4, epochs=1, verbose=0)
    assert history.history["vgg_loss"][0] > 0
    assert kgz.GauGAN.from_config(model.get_config()).vgg_weights == str(path)


@pytest.mark.parametrize("build, message", [
    (lambda: small(vgg_weights="/nowhere/vgg19.h5"), r"no VGG19 weights at '/nowhere/vgg19.h5'"),
    (lambda: kgz.GauGAN(small().generator, small().discriminator, num_scales=4),
     r"the discriminator's 6 outputs do not split into num_scales=4 scales"),
    (lambda: small(kl_weight=-1.0), r"expected kl_weight >= 0"),
    (lambda: small(palette=[[0, 0, 0]]),
     r"expected a palette of one RGB colour per class, shape \(3, 3\), got \(1, 3\)"),
    (lambda: kgz.GauGAN.for_shape((8, 8, 1)), r"one-hot label maps \(h, w, classes >= 2\)"),
    (lambda: kgz.GauGAN.for_shape((8, 8, 3), norm="layer"), r"expected norm 'batch' or"),
    (lambda: kgz.GauGAN(unet_generator(3, 1, 4, 3), small().discriminator),
     r"expected a GauGAN generator \[label map \(b, h, w, classes\), z \(b, d\)\] -> image"),
])
def test_bad_settings_are_named(build, message):
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        build()


def test_bad_maps_are_named():
    model = small(seed=0)
    model.compile()
    with pytest.raises(ValueError, match=r"expected a batch of images \(n, 8, 8, 3\) for "
                                         r"label_maps, got \(2, 8, 8, 4\)"):
        model.translate(np.zeros((2, 8, 8, 4), "float32"))
    with pytest.raises(ValueError, match=r"the A images are in \[0, 2\], outside the range "
                                         r"\[0, 1\]"):
        model.fit(2 * MAPS[:8], X[:8], batch_size=4)

"""kgz.CycleGAN: unpaired training, translation, the history pool, save/load, errors."""


import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.cyclegan.model import _ImagePool
from variant_checks import SHAPE, VariantChecks, user_translator

def user_patch_discriminator():
    x = keras.Input((None, None, 1))
    h = keras.layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(x)
    return keras.Model(x, keras.layers.Conv2D(1, 3, padding="same")(h))


class TestCycleGANChecks(VariantChecks):
    variant = "cyclegan"

    def build(self):
        return kgz.CycleGAN.for_shape(SHAPE, SHAPE, base_filters=4, num_blocks=1, seed=1)

    def build_user(self):
        return kgz.CycleGAN(user_translator(), user_translator(), user_patch_discriminator(),
                            user_patch_discriminator(), image_shape_a=SHAPE, image_shape_b=SHAPE,
                            seed=1)


RNG = np.random.default_rng(0)
A = RNG.uniform(-1, 1, (16, 16, 16, 1)).astype("float32")
B = RNG.uniform(-1, 1, (16, 16, 16, 1)).astype("float32")


def pairs(a=A, b=B, batch=4):
    return tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(a),
                                tf.data.Dataset.from_tensor_slices(b))).batch(batch)


def small(shape_a=(16, 16, 1), shape_b=(16, 16, 1), **kwargs):
    return kgz.CycleGAN.for_shape(shape_a, shape_b, base_filters=4, num_blocks=1, **kwargs)


def test_trains_and_translates_both_ways():
    keras.utils.set_random_seed(0)
    model = small(pool_size=6)
    model.compile()
    history = model.fit(pairs(), epochs=2, verbose=0)
    assert set(history.history) == {"g_loss", "d_loss", "cycle_loss"}
    assert history.history["cycle_loss"][1] < history.history["cycle_loss"][0]
    assert model.translate(A[:3]).shape == (3, 16, 16, 1)
    assert model.translate(B[:3], direction="b_to_a").shape == (3, 16, 16, 1)
    assert model.translate(np.zeros((1, 32, 24, 1), "float32")).shape == (1, 32, 24, 1)


def test_grey_to_rgb_needs_no_identity_loss():
    model = small((16, 16, 1), (16, 16, 3), identity_weight=0.0)
    assert model.translate(A[:2]).shape == (2, 16, 16, 3)
    with pytest.raises(ValueError, match="same channels in A and B, got 1 and 3"):
        small((16, 16, 1), (16, 16, 3))


def test_image_pool_fills_then_swaps():
    pool = _ImagePool(4, (1, 1, 1))
    first = tf.constant(np.arange(3, dtype="float32").reshape(3, 1, 1, 1))
    np.testing.assert_array_equal(pool.query(first, tf.constant([1, 2], tf.int64)), first)
    assert int(pool.count) == 3
    second = tf.constant(np.arange(10, 16, dtype="float32").reshape(6, 1, 1, 1))
    out = np.asarray(pool.query(second, tf.constant([3, 4], tf.int64))).ravel()
    assert out[0] == 10  # fills the last free slot and passes through
    assert int(pool.count) == 4
    stored = set(np.asarray(pool.images).ravel().tolist())
    # every returned image is its own input or was in the pool before the swap
    assert all(o == i or o in {0, 1, 2, 10} for o, i in zip(out[1:], range(11, 16)))
    assert len(stored) == 4 and stored <= {0, 1, 2, 10, 11, 12, 13, 14, 15}
    assert (out[1:] != np.arange(11, 16)).any()  # something was swapped (p = 1 - 2^-5)


@pytest.mark.parametrize("data, message", [
    (A, "a tf.data.Dataset of unpaired"),
    (tf.data.Dataset.from_tensor_slices(A).batch(4), r"dataset of \(a, b\)"),
    (pairs(A, RNG.uniform(-1, 1, (16, 12, 12, 1)).astype("float32")),
     r"the B images have shape \(None, 12, 12, 1\), but the networks expect \(None, 16, 16, 1\)"),
    (pairs(A, B.astype("float16").astype("int32")), "expected float data, got dtype int32"),
    (pairs().take(0), "the dataset is empty"),
])
def test_bad_data(data, message):
    model = small()
    model.compile()
    with pytest.raises(ValueError, match=message):
        model.fit(data, verbose=0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="divisible by 4"):
        small((18, 18, 1))
    with pytest.raises(ValueError, match="unknown direction 'up'"):
        small().translate(A[:1], direction="up")
    with pytest.raises(ValueError, match=r"expected a batch of images \(n, h, w, 1\) for a_to_b"):
        small().translate(np.zeros((2, 16, 16, 3), "float32"))
    # A translator has the translation contract only: no generate, no latent_dim.
    assert small().kind == "translator"
    assert not hasattr(small(), "generate") and not hasattr(small(), "latent_dim")
    g, g2 = (kgz.networks.resnet_translator(1, base_filters=4, num_blocks=1)
             for _ in range(2))
    d, d2 = (kgz.networks.patch_discriminator(1, base_filters=4) for _ in range(2))
    with pytest.raises(ValueError, match="pass image_shape_a"):
        kgz.CycleGAN(g, g2, d, d2)
    with pytest.raises(ValueError, match="distinct models; generator_ba is given twice"):
        kgz.CycleGAN(g, g, d, d2)


def test_linear_decay_schedule():
    lr = kgz.CycleGAN.linear_decay(2e-4, total_steps=100)
    values = [float(lr(step)) for step in (0, 49, 50, 75, 100, 150)]
    assert values == pytest.approx([2e-4, 2e-4, 2e-4, 1e-4, 0.0, 0.0])


def test_history_pool_is_saved_so_a_reloaded_model_trains_on_as_the_original(tmp_path):
    keras.utils.set_random_seed(0)
    model = small(pool_size=6, seed=1)
    model.compile()
    model.fit(pairs(), epochs=1, verbose=0)  # 4 batches of 4: the pools are full and swapping
    assert int(model._pools[0].count.numpy()) == 6
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    for old, new in zip(model._pools, again._pools):
        np.testing.assert_array_equal(new.images.numpy(), old.images.numpy())
        assert int(new.count.numpy()) == 6
    model.fit(pairs(), epochs=1, verbose=0)
    again.fit(pairs(), epochs=1, verbose=0)
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_files_without_the_pool_load_with_an_empty_one(tmp_path):
    model = small(pool_size=6, seed=1)
    model.compile()
    model.fit(pairs(), epochs=1, verbose=0)
    plain = small(pool_size=0, seed=1)  # a model without pools writes no pool entries
    plain.set_weights(model.get_weights())
    plain.save_weights(tmp_path / "w.weights.h5")
    loaded = small(pool_size=6, seed=1)
    loaded.load_weights(tmp_path / "w.weights.h5")
    assert int(loaded._pools[0].count.numpy()) == 0
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)

"""kgz.Pix2Pix: paired translation, its U-Net's seeded dropout, errors."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.pix2pix.networks import default_networks
from keras_gan_zoo.networks.layers import SeededDropout, dropout_seed
from variant_checks import SHAPE, VariantChecks, user_translator

def user_pair_discriminator():
    """A pix2pix discriminator from plain layers: [source, target] -> patch logits."""
    a, b = keras.Input((None, None, 1)), keras.Input((None, None, 1))
    h = keras.layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(
        keras.layers.Concatenate()([a, b]))
    return keras.Model([a, b], keras.layers.Conv2D(1, 3, padding="same")(h))


class TestPix2PixChecks(VariantChecks):
    variant = "pix2pix"

    def build(self):
        return kgz.Pix2Pix.for_shape(SHAPE, SHAPE, base_filters=4, num_layers=1, seed=1)

    def build_user(self):
        return kgz.Pix2Pix(user_translator(), user_pair_discriminator(), image_shape_a=SHAPE,
                           seed=1)


X = kgz.data.digits()
MIRRORED = np.ascontiguousarray(X[:, :, ::-1])


def small(**kwargs):
    return kgz.Pix2Pix.for_shape((8, 8, 1), (8, 8, 1), base_filters=8, num_layers=1, **kwargs)


def test_the_unet_matches_the_paper_at_256_px():
    generator, discriminator = default_networks((256, 256, 3), (256, 256, 3))
    convs = [l for l in generator.layers if type(l) is keras.layers.Conv2D]
    assert [l.filters for l in convs] == [64, 128, 256, 512, 512, 512, 512, 512]  # C64-...-C512
    assert sum(isinstance(l, SeededDropout) for l in generator.layers) == 3  # CD512 x 3
    logits = discriminator([tf.zeros((1, 256, 256, 3)), tf.zeros((1, 256, 256, 3))])
    assert logits.shape == (1, 32, 32, 1)  # 70x70 patches, stride 8


def test_seeded_dropout_masks_follow_the_seed_and_are_off_at_inference():
    layer = SeededDropout(0.5)
    x = tf.ones((4, 6, 6, 3))
    with dropout_seed(tf.constant([1, 2], tf.int64)):
        first, second = layer(x, training=True), layer(x, training=True)
    with dropout_seed(tf.constant([1, 2], tf.int64)):
        again = layer(x, training=True)
    np.testing.assert_array_equal(first, again)  # the same seed, the same masks
    assert not np.array_equal(first, second)  # the next call in a block, new masks
    assert set(np.unique(first.numpy())) == {0.0, 2.0}  # kept units scaled by 1 / (1 - rate)
    assert 0.3 < float(np.mean(first.numpy() == 0)) < 0.7
    np.testing.assert_array_equal(layer(x, training=False), x)


def test_it_learns_a_paired_mapping_and_translates_deterministically():
    keras.utils.set_random_seed(0)
    model = small(seed=0)
    model.compile(keras.optimizers.Adam(2e-3, 0.5), keras.optimizers.Adam(2e-3, 0.5))
    history = model.fit(X[:1500], MIRRORED[:1500], batch_size=32, epochs=8, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "l1_loss"}
    out = model.translate(X[1500:])
    np.testing.assert_array_equal(out, model.translate(X[1500:]))  # no dropout at inference
    error = np.abs(out - MIRRORED[1500:]).mean()
    identity = np.abs(X[1500:] - MIRRORED[1500:]).mean()
    print("L1 to the mirrored digits", error, "the input's own", identity)
    assert error < 0.5 * identity, (error, identity)


@pytest.mark.parametrize("call, message", [
    (lambda m: m.fit(X[:10], MIRRORED[:8], batch_size=4),
     r"trains on pairs: expected as many B images as A images, got 10 A and 8 B"),
    (lambda m: m.fit(X[:8], batch_size=4),
     r"Pix2Pix trains on fit\(a, b\) with two arrays of pairs, or a tf.data.Dataset"),
    (lambda m: m.fit(tf.data.Dataset.from_tensor_slices(X[:8]).batch(4)),
     r"expected a dataset of \(a, b\) image batches"),
    (lambda m: m.fit(X[:8], np.repeat(MIRRORED[:8], 3, axis=-1), batch_size=4),
     r"the B images have shape \(None, 8, 8, 3\), but the networks expect \(None, 8, 8, 1\)"),
])
def test_bad_pairs_are_named(call, message):
    model = small(seed=0)
    model.compile()
    with pytest.raises(ValueError, match=message):
        call(model)
    assert int(model.generator_optimizer.iterations) == 0


def test_bad_networks_and_sizes_are_named():
    generator, _ = default_networks((8, 8, 1), (8, 8, 3), base_filters=4)
    lone = kgz.networks.patch_discriminator(4, base_filters=4)
    with pytest.raises(ValueError, match=r"discriminator to be a keras.Model \[a, b\] -> logits"):
        kgz.Pix2Pix(generator, lone, image_shape_a=(8, 8, 1))
    _, other = default_networks((8, 8, 1), (8, 8, 1), base_filters=4)
    with pytest.raises(ValueError, match="maps 1 channels to 3, but the discriminator takes "
                                         "pairs of 1 and 1 channels"):
        kgz.Pix2Pix(generator, other, image_shape_a=(8, 8, 1))
    with pytest.raises(ValueError, match=r"divisible by 16, got \(24, 24\)"):
        kgz.Pix2Pix.for_shape((24, 24, 3), num_downs=4)
    with pytest.raises(ValueError, match="same height and width"):
        kgz.Pix2Pix.for_shape((32, 32, 3), (16, 16, 3))
    with pytest.raises(ValueError, match="expected l1_weight >= 0"):
        small(l1_weight=-1)


@pytest.mark.slow
def test_the_exported_unet_takes_other_sizes(tmp_path):
    import onnxruntime as ort

    model = small(seed=0)
    model.compile()
    model.fit(X[:32], MIRRORED[:32], batch_size=16, epochs=1, verbose=0)
    kgz.export.to_onnx(model, tmp_path / "p2p.onnx")
    session = ort.InferenceSession(str(tmp_path / "p2p.onnx"), providers=["CPUExecutionProvider"])
    wide = np.tile(X[:3], (1, 2, 3, 1))  # 16 x 24: any multiple of 2 ** num_downs = 8
    np.testing.assert_allclose(session.run(None, {"image": wide})[0], model.translate(wide),
                               atol=1e-4)

"""kgz.SinGAN: the pyramid of one image, scales trained one at a time, the chain that samples,
retargets and exports as one graph, exact resume, and the harness."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.singan.networks import (pyramid_sizes, scale_critic,
                                                    singan_discriminator, singan_generator)
from variant_checks import VariantChecks, training_data

SHAPE = (16, 16, 3)


def small(shape=SHAPE, steps_per_scale=1, **kwargs):
    return kgz.SinGAN.for_shape(shape, min_size=11, steps_per_scale=steps_per_scale,
                                network_kwargs={"base_filters": 4}, seed=1, **kwargs)


def user_scale(channels, name):
    """A user's scale generator from plain Keras layers: pad, two convolutions, tanh last."""
    mixed = keras.Input((None, None, channels))
    x = keras.layers.ZeroPadding2D(2)(mixed)
    x = keras.layers.Conv2D(4, 3, activation="relu")(x)
    return keras.Model(mixed, keras.layers.Conv2D(channels, 3, activation="tanh")(x), name=name)


class TestSinGANChecks(VariantChecks):
    variant = "singan"

    def build(self):
        return small()

    def build_user(self):
        sizes = pyramid_sizes(16, 16, min_size=11)
        generator = singan_generator(sizes, 3, scales=[user_scale(3, f"scale{k}")
                                                       for k in range(len(sizes))])
        discriminator = singan_discriminator(sizes, 3, critics=[
            scale_critic(3, 4, f"critic{k}") for k in range(len(sizes))])
        return kgz.SinGAN(generator, discriminator, sizes=sizes, steps_per_scale=1, seed=1)


def image(shape=SHAPE):
    return training_data(small(shape))[0]


def test_the_pyramid_goes_down_to_min_size_on_the_short_side():
    sizes = pyramid_sizes(107, 160)  # 160 px on the long side, the reference's min_size 25
    assert len(sizes) == 7 and sizes[-1] == (107, 160) and min(sizes[0]) == 25
    ratios = [b[0] / a[0] for a, b in zip(sizes, sizes[1:])]
    assert all(1.2 < r < 1.34 for r in ratios), ratios  # about 1 / 0.75, one factor throughout
    assert pyramid_sizes(25, 40) == [(25, 40)]
    with pytest.raises(ValueError, match=r"short side is at least min_size=25 pixels, got 20x40"):
        pyramid_sizes(20, 40)
    with pytest.raises(ValueError, match=r"scale_factor in \(0, 1\)"):
        pyramid_sizes(100, 100, scale_factor=1.5)
    model = small()
    assert [p.name for p in model.signature().inputs] == ["noise0", "noise1", "noise2"]
    assert [p.shape for p in model.signature().inputs] == [(11, 11, 1), (14, 14, 3), (16, 16, 3)]


def test_an_untrained_scale_passes_the_coarser_image_through():
    model = small()
    levels = model.scale_samples(2, seed=0)
    for k in (1, 2):
        up = model.generator.get_layer(f"up{k}")([levels[k - 1], tf.zeros((2, *model.sizes[k], 1))])
        np.testing.assert_allclose(levels[k], np.clip(up, -1, 1), atol=1e-6)


def test_scales_train_one_at_a_time_and_each_starts_from_the_one_below():
    keras.utils.set_random_seed(0)
    model = small(steps_per_scale=2)
    model.compile()
    x = image()
    before = {name: [w.copy() for w in model.generator.get_layer(name).get_weights()]
              for name in ("scale0", "scale1", "scale2")}
    model.fit(x, epochs=1, verbose=0)  # scale 0 only
    moved = {name: any(not np.array_equal(a, b) for a, b in zip(
        before[name], model.generator.get_layer(name).get_weights())) for name in before}
    assert moved == {"scale0": True, "scale1": False, "scale2": False}
    assert int(model.scales_started.numpy()) == 0 and model.noise_amplitudes()[0] == 1.0
    trained0 = model.generator.get_layer("scale0").get_weights()
    model.start_scale(1, x)  # what fit does when the second epoch begins
    for a, b in zip(trained0, model.generator.get_layer("scale1").get_weights()):
        np.testing.assert_array_equal(a, b)  # the same filters: scale 1 starts from scale 0
    reals = model.real_pyramid(tf.constant(x))
    up = model.upsample(model.reconstruct(0, 1), reals[1], 1)
    rmse = float(tf.sqrt(tf.reduce_mean(tf.square(reals[1] - up))))
    assert model.noise_amplitudes()[1] == pytest.approx(0.1 * rmse, rel=1e-5)
    assert model.noise_amplitudes()[1] > 0


def test_a_resumed_fit_lands_where_one_fit_does(tmp_path):
    def run(split):
        keras.utils.set_random_seed(0)
        model = small(steps_per_scale=2)
        model.compile()
        if split:  # saved at the end of scale 0; scale 1 starts in the loaded model
            model.fit(image(), epochs=1, verbose=0)
            model.save(tmp_path / "half.keras")
            model = keras.saving.load_model(tmp_path / "half.keras")
            model.fit(image(), epochs=2, initial_epoch=1, verbose=0)
        else:
            model.fit(image(), epochs=2, verbose=0)
        return model

    once, twice = run(False), run(True)
    assert int(twice.scales_started.numpy()) == 1
    assert once.noise_amplitudes() == twice.noise_amplitudes()
    for a, b in zip(once.generator.get_weights(), twice.generator.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # a scale that has started does not start again: a resumed run keeps its weights
    twice._real_image = image()
    twice.start_due_scale()  # the next step is scale 2's: it starts (as the next fit would)
    assert int(twice.scales_started.numpy()) == 2
    twice.save(tmp_path / "mid.keras")
    again = keras.saving.load_model(tmp_path / "mid.keras")
    again._real_image = image()
    again.start_due_scale()
    for a, b in zip(twice.generator.get_weights(), again.generator.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_retargeting_and_generation_from_a_scale():
    model = small()
    assert model.retarget(2, height=1.0, width=1.5, seed=0).shape == (2, 16, 24, 3)
    assert model.retarget(1, height=2.0, seed=0).shape == (1, 32, 16, 3)
    x = image()
    # an untrained finest scale adds nothing: what is left is the image's coarser version
    made = model.generate_from(2, 2, x, seed=0)
    reals = model.real_pyramid(tf.constant(x))
    up = model.upsample(reals[1], reals[2], 2)
    np.testing.assert_allclose(made, np.repeat(np.clip(up, -1, 1), 2, axis=0), atol=1e-6)
    with pytest.raises(ValueError, match=r"expected a scale in 1..2, got 0"):
        model.generate_from(1, 0, x)


def test_the_chain_exports_to_float16_onnx_and_samples_as_keras_does(tmp_path):
    """The upsampling between scales resizes to a computed size; the float16 converter once
    made that node invalid (both ``scales`` and ``sizes``) and onnxruntime refused the file."""
    model = small()
    rng = np.random.default_rng(0)
    for variable in model.generator.weights:  # the untrained chain draws zeros: draw something
        if "kernel" in variable.path:
            variable.assign(rng.normal(0, 0.3, variable.shape).astype("float32"))
    result = kgz.export.to_onnx(model, tmp_path / "g16.onnx", quantize="float16")
    assert 0 <= max(result.mean_abs_diff.values()) <= kgz.export.QUANTIZED_TOLERANCE["float16"]
    loaded = kgz.export.load(result.path)
    ours, theirs = model.generate(3, seed=4), loaded.generate(3, seed=4)
    assert ours.shape == theirs.shape == (3, *SHAPE) and ours.std() > 0.1
    assert np.abs(ours - theirs).mean() < kgz.export.QUANTIZED_TOLERANCE["float16"]


def test_more_than_one_image_is_refused():
    model = small()
    model.compile()
    with pytest.raises(ValueError, match=r"SinGAN trains on one image, got 2"):
        model.fit(np.repeat(image(), 2, axis=0))
    with pytest.raises(ValueError, match=r"SinGAN trains on one image, got 3"):
        kgz.SinGAN.for_data(np.zeros((3, 32, 32, 3), "float32"))

"""kgz.GANILLA: CycleGAN's training with GANILLA's generator, grey and colour, and the harness."""

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.variants.ganilla.networks import ganilla_generator
from variant_checks import VariantChecks, user_translator
from test_cyclegan import user_patch_discriminator

SHAPE = (32, 32, 1)


class TestGANILLAChecks(VariantChecks):
    variant = "ganilla"
    # The 7x7 stem feeds instance norm from N(0, 0.02) weights: its gradient is large
    # (the first SGD step moves it by tens) and the 16 images' terms nearly cancel, so one
    # replica and two differed by 2e-3 of that move on another x86 CPU. A wrong gradient
    # scale across replicas would be off by half the move.
    replica_rtol = 1e-2
    # The same conditioning makes its second Adam step chaotic at this size: nudging every
    # weight by one float32 ulp moves that step's result by up to 1.9 times the step itself
    # (CycleGAN's by 1e-3 of it), so only the step's losses are compared after a reload.
    next_step_conditioned = False

    def build(self):
        return kgz.GANILLA.for_shape(SHAPE, SHAPE, base_filters=4, seed=1)

    def build_user(self):
        return kgz.GANILLA(user_translator(), user_translator(), user_patch_discriminator(),
                           user_patch_discriminator(), image_shape_a=SHAPE, image_shape_b=SHAPE,
                           seed=1)


def test_the_generator_keeps_the_size_and_takes_grey_or_colour():
    for c_in, c_out in ((1, 1), (3, 3), (1, 3)):
        generator = ganilla_generator(c_in, c_out, base_filters=4)
        x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 48, c_in)).astype("float32")
        y = generator(x)
        assert y.shape == (2, 32, 48, c_out) and float(tf.reduce_max(tf.abs(y))) <= 1
    # four halvings: a side not divisible by 16 is refused before any network is built
    for shape in ((24, 24, 3), (16, 16, 3)):
        with pytest.raises(ValueError, match=rf"divisible by 16 and at least 32, got \({shape[0]}"):
            kgz.GANILLA.for_shape(shape)


def test_skips_concatenate_and_the_way_up_merges_every_layer():
    generator = ganilla_generator(3, base_filters=4)
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert kinds.count("Concatenate") == 8  # one per block, 4 layers of 2
    assert kinds.count("Add") == 3 and kinds.count("UpSampling2D") == 4  # C5..C2, then x2
    assert "ReflectionPadding2D" in kinds and "ZeroPadding2D" not in kinds


def test_trains_as_cyclegan_and_translates_both_ways():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    b = rng.uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    model = kgz.GANILLA.for_shape((32, 32, 3), base_filters=4, pool_size=4, seed=0)
    model.compile()
    pairs = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(a),
                                 tf.data.Dataset.from_tensor_slices(b))).batch(4)
    history = model.fit(pairs, epochs=2, verbose=0)
    assert set(history.history) == {"g_loss", "d_loss", "cycle_loss"}
    assert model.translate(b[:2], direction="b_to_a").shape == (2, 32, 32, 3)
    assert isinstance(model, kgz.CycleGAN) and model.variant_name == "ganilla"

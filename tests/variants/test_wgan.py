"""kgz.WGAN: the critic's weights stay clipped; the paper's defaults."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz
from variant_checks import SHAPE, SMALL, VariantChecks, user_discriminator, user_generator


class TestWGANChecks(VariantChecks):
    variant = "wgan"

    def build(self):
        return kgz.WGAN.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL,
                                  discriminator_steps=2, seed=1)

    def build_user(self):
        return kgz.WGAN(user_generator(4), user_discriminator(), discriminator_steps=2, seed=1)


def test_critic_weights_stay_in_the_clip_range():
    keras.utils.set_random_seed(0)
    model = kgz.WGAN.for_shape((2,), latent_dim=2, network_kwargs={"hidden": (16,)},
                               clip_value=0.05)
    model.compile(generator_optimizer=keras.optimizers.RMSprop(1e-2),
                  discriminator_optimizer=keras.optimizers.RMSprop(1e-2))
    # The initial weights reach past 0.05: the clipping, not the start, bounds them.
    assert max(np.abs(w).max() for w in model.discriminator.get_weights()) > 0.05
    model.fit(kgz.data.toy("ring8", n=256), batch_size=64, epochs=1, verbose=0)
    assert int(model.discriminator_optimizer.iterations) == 4 * 5
    weights = np.concatenate([w.ravel() for w in model.discriminator.get_weights()])
    assert np.abs(weights).max() <= 0.05 + 1e-7
    assert np.mean(np.isclose(np.abs(weights), 0.05)) > 0.1  # many sit on the bound
    # The generator is not clipped.
    assert max(np.abs(w).max() for w in model.generator.get_weights()) > 0.05


def test_paper_defaults_and_bad_clip_value():
    model = kgz.WGAN.for_shape((2,))
    assert (model.clip_value, model.discriminator_steps, model.loss_name) == (0.01, 5, "wasserstein")
    g_opt, d_opt = model.default_optimizers()
    assert isinstance(d_opt, keras.optimizers.RMSprop)
    assert float(g_opt.learning_rate) == pytest.approx(5e-5)
    with pytest.raises(ValueError, match="expected clip_value > 0"):
        kgz.WGAN.for_shape((2,), clip_value=0)

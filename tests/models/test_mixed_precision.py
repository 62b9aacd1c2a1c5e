"""Training under a mixed-precision policy: float32 outputs, scaled losses."""

import numpy as np
import pytest
import keras

import keras_gan_zoo as kgz


@pytest.fixture
def policy(request):
    keras.mixed_precision.set_global_policy(request.param)
    try:
        yield request.param
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"], indirect=True)
@pytest.mark.parametrize("cls", [kgz.GAN, kgz.WGANGP])
def test_trains_under_mixed_precision(policy, cls):
    model = cls.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4})
    model.compile()
    wrapped = isinstance(model.generator_optimizer, keras.optimizers.LossScaleOptimizer)
    assert wrapped == (policy == "mixed_float16")
    history = model.fit(kgz.data.digits()[:64], batch_size=32, epochs=1, verbose=0)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    samples = model.generate(4, seed=0)
    assert samples.dtype == np.float32 and np.abs(samples).max() <= 1
    assert model.generator.layers[1].compute_dtype != "float32"  # really mixed

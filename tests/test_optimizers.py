"""FusedAdam updates exactly as keras.optimizers.Adam, on one replica and on two."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo.optimizers import FusedAdam


def _train(optimizer, steps=5, **kwargs):
    """Weights and slots of three variables after ``steps`` updates on fixed gradients."""
    rng = np.random.default_rng(0)
    variables = [keras.Variable(rng.normal(size=s).astype("float32"), name=f"w{i}")
                 for i, s in enumerate([(3, 4), (4,), (2, 2, 3, 5)])]
    opt = optimizer(1e-2, beta_1=0.5, beta_2=0.9, **kwargs)
    opt.build(variables)
    grads = [[tf.constant(rng.normal(size=v.shape).astype("float32")) for v in variables]
             for _ in range(steps)]
    step = tf.function(lambda g: opt.apply_gradients(zip(g, variables)))
    for g in grads:
        step(g)
    slots = [v.numpy() for v in opt.variables if v.path != opt.iterations.path]
    fused = steps and any(op.type == "ResourceApplyAdam"
                          for op in step.get_concrete_function(grads[0]).graph.get_operations())
    return [v.numpy() for v in variables], slots, int(opt.iterations.numpy()), fused


@pytest.mark.parametrize("kwargs", [{}, {"weight_decay": 0.1, "clipnorm": 0.5}, {"amsgrad": True}])
def test_fused_adam_updates_as_keras_adam(kwargs):
    ours, our_slots, our_steps, fused = _train(FusedAdam, **kwargs)
    theirs, their_slots, their_steps, _ = _train(keras.optimizers.Adam, **kwargs)
    start, *_ = _train(FusedAdam, steps=0)
    assert fused == (not kwargs.get("amsgrad"))  # one fused kernel per variable (not AMSGrad)
    assert our_steps == their_steps == 5
    assert len(our_slots) == len(their_slots) >= 6  # m and v (and AMSGrad's v_hat) of each
    for a, b, s in zip(ours, theirs, start):
        assert np.abs(a - s).max() > 1e-3  # it moved
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(our_slots, their_slots):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def _fit(strategy):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x @ rng.normal(size=(6, 2))).astype("float32")
    keras.utils.set_random_seed(0)
    with strategy.scope():
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(2)])
        model.compile(FusedAdam(1e-2), loss="mse")
    start = [w.copy() for w in model.get_weights()]
    model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    return start, model.get_weights()


def test_fused_adam_on_two_replicas_matches_one(two_replicas):
    start, one = _fit(tf.distribute.get_strategy())
    _, two = _fit(two_replicas)
    for a, b, s in zip(one, two, start):
        assert np.abs(a - s).max() > 1e-2  # it trained
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_sparse_gradients_take_keras_adams_update():
    def train(optimizer):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((), dtype="int32"), keras.layers.Embedding(10, 4),
                                  keras.layers.Dense(1)])
        model.compile(optimizer(1e-2), loss="mse")
        labels = np.arange(32) % 3  # rows 3-9 of the embedding get no gradient
        model.fit(labels, np.ones(32), batch_size=8, epochs=2, verbose=0)
        return model.get_weights()

    for a, b in zip(train(FusedAdam), train(keras.optimizers.Adam)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_variants_train_with_fused_adam_and_it_round_trips():
    model = kgz.GAN.for_shape((28, 28, 1), seed=0)
    model.compile()
    assert isinstance(model.generator_optimizer, FusedAdam)
    again = keras.optimizers.deserialize(keras.optimizers.serialize(model.generator_optimizer))
    assert isinstance(again, FusedAdam)
    assert again.get_config()["beta_1"] == 0.5

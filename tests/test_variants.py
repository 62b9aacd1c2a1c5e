"""Every registered variant passes the same checks (entries in ``tests/harness.py``).

Config round trip, ``.keras`` save/load with optimizer state, one finite step,
bad-data errors, mixed precision (default and user-written networks), one
replica against two, and ONNX export with parity. A variant's own test file
holds only what is particular to it.
"""

import itertools
import json
import logging

import numpy as np
import pytest
import keras
import tensorflow as tf

import keras_gan_zoo as kgz
from harness import (ENTRIES as VARIANT_ENTRIES, IMAGES, RECIPES, assert_two_replicas_match_one,
                     fit, network_weights, outputs, translator_source)

ENTRIES = {**VARIANT_ENTRIES, **RECIPES}
NAMES = sorted(ENTRIES)
#: The entries whose generators differ in their layers: every variant, and the recipe that
#: swaps in ResNets. The other recipes change the training step (augmentation, penalties,
#: EMA, the loss), not the generator's layers; the ONNX test exports theirs too.
EXPORT_NAMES = sorted(VARIANT_ENTRIES) + ["gan+resnet+diffaugment"]


def as_json(config):
    # Compared as JSON, as a saved file holds it (tuples become lists).
    return json.dumps(config, sort_keys=True)


@pytest.fixture
def policy(request):
    keras.mixed_precision.set_global_policy(request.param)
    try:
        yield request.param
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_every_registered_variant_has_a_harness_entry():
    assert sorted(kgz.VARIANTS) == sorted(VARIANT_ENTRIES)
    assert {entry.variant for entry in RECIPES.values()} <= set(kgz.VARIANTS)


@pytest.mark.parametrize("name", NAMES)
def test_declares_its_generators(name):
    model = ENTRIES[name].build()
    assert model.variant_name == (ENTRIES[name].variant or name)
    assert model.kind in ("sampler", "translator")
    for direction in model.directions:
        signature = model.signature(direction)
        # the first generator makes the model's kind; an encoder may stand beside it
        assert signature.kind == (model.kind if direction == model.directions[0] else
                                  signature.kind) in ("sampler", "translator", "encoder")
        assert len(signature.inputs) == len(signature.generator.inputs)
        for port, tensor in zip(signature.inputs, signature.generator.inputs):
            assert port.spec().shape.rank == len(tensor.shape)
        if signature.kind != "encoder":
            assert signature.output.range == (-1.0, 1.0)  # the default networks end in tanh
    for key, values in outputs(model).items():
        assert values.dtype == np.float32, key
        if key != "encode":
            assert np.abs(values).max() <= 1, key


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trips_as_json(name):
    model = ENTRIES[name].build()
    config = keras.saving.serialize_keras_object(model)
    assert config["config"]["config_version"] == kgz.models.base.CONFIG_VERSION
    clone = keras.saving.deserialize_keras_object(config)
    assert type(clone) is type(model)
    assert as_json(keras.saving.serialize_keras_object(clone)) == as_json(config)


@pytest.mark.parametrize("name", NAMES)
def test_one_step_is_finite_and_moves_every_network(name):
    keras.utils.set_random_seed(0)
    model = ENTRIES[name].build()
    model.compile()
    before = [w.copy() for w in network_weights(model)]
    history = fit(model, ENTRIES[name])
    assert int(model.generator_optimizer.iterations) == 1
    assert {"g_loss", "d_loss"} <= set(history.history)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    for role, net in model.trained_networks().items():
        moved = max(np.abs(a - b).max() for a, b in zip(net.get_weights(), before))
        before = before[len(net.weights):]
        assert moved > 0, f"{role} did not train"


@pytest.mark.parametrize("name", NAMES)
def test_save_and_load_give_identical_samples_and_next_step(name, tmp_path):
    keras.utils.set_random_seed(0)
    entry = ENTRIES[name]
    model = entry.build()
    model.compile()
    fit(model, entry)
    model.save(tmp_path / "model.keras")
    again = keras.models.load_model(tmp_path / "model.keras")
    assert type(again) is type(model)
    assert as_json(again.get_config()) == as_json(model.get_config())
    for key, values in outputs(model).items():
        np.testing.assert_array_equal(outputs(again)[key], values, err_msg=key)
    for old, new in ((model.generator_optimizer, again.generator_optimizer),
                     (model.discriminator_optimizer, again.discriminator_optimizer)):
        assert int(new.iterations) == int(old.iterations)
        for v_old, v_new in zip(old.variables, new.variables):
            np.testing.assert_array_equal(np.asarray(v_old), np.asarray(v_new))
    assert int(again.generator_optimizer.iterations) > 0
    # One more step of each, from the same state, lands on the same weights.
    fit(model, entry)
    fit(again, entry)
    for a, b in zip(network_weights(model), network_weights(again)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_bad_data_are_refused_before_training_and_nothing_moves(name):
    entry = ENTRIES[name]
    model = entry.build()
    model.compile()
    before = [w.copy() for w in network_weights(model)]
    pixels = (IMAGES + 1) * 127.5  # [0, 255]: what a user's images are before scaling
    with pytest.raises(ValueError, match=r"are in \[0, 255\], outside the range \[-1, 1\].*"
                                         r"x / 127.5 - 1.*check_range=False"):
        fit(model, entry, images=pixels)
    with pytest.raises(ValueError, match=r"in \[0, 1\] the range \[-1, 1\]"):
        fit(model, entry, images=(IMAGES + 1) / 2)
    with pytest.raises(ValueError, match="expected float data, got dtype uint8"):
        fit(model, entry, images=pixels.astype("uint8"))
    with pytest.raises(ValueError, match=r"shape \(8, 8, 3\)|\(None, 8, 8, 3\)"):
        fit(model, entry, images=np.repeat(IMAGES, 3, axis=-1))
    for a, b in zip(before, network_weights(model)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(VARIANT_ENTRIES))  # the check is the variant's, not a recipe's
def test_check_range_false_trains_with_a_warning(name, caplog):
    model = ENTRIES[name].build()
    model.compile()
    with caplog.at_level(logging.WARNING, logger="keras_gan_zoo"):
        fit(model, ENTRIES[name], images=(IMAGES + 1) * 127.5, check_range=False)
    assert "check_range=False" in caplog.text
    assert int(model.generator_optimizer.iterations) == 1


@pytest.mark.parametrize("policy, networks", [("mixed_bfloat16", "default"),
                                               ("mixed_float16", "default"),
                                               ("mixed_float16", "user")], indirect=["policy"])
@pytest.mark.parametrize("name", NAMES)
def test_trains_under_mixed_precision(name, policy, networks):
    # user-written networks once, under float16: their last layer computes in low precision
    # and the loss scaling wraps the optimizers
    entry = ENTRIES[name]
    model = entry.build() if networks == "default" else entry.build_user()
    model.compile()
    wrapped = isinstance(model.generator_optimizer, keras.optimizers.LossScaleOptimizer)
    assert wrapped == (policy == "mixed_float16")
    history = fit(model, entry)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    generator = model.signature(model.directions[0]).generator
    if networks == "user":  # really mixed: the user's last layer computes in low precision
        assert generator.layers[-1].compute_dtype != "float32"
    for key, values in outputs(model).items():
        assert values.dtype == np.float32 and np.isfinite(values).all(), key


def _one_step(name):
    def step(strategy, weights):
        entry = ENTRIES[name]
        with strategy.scope():
            model = entry.build()
            model.set_weights(weights)
            model.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                          discriminator_optimizer=keras.optimizers.SGD(0.05))
        history = fit(model, entry)
        return model.get_weights(), history.history

    return step


@pytest.mark.parametrize("name", NAMES)
def test_two_replicas_match_one(name, two_replicas):
    keras.utils.set_random_seed(0)
    assert_two_replicas_match_one(_one_step(name), ENTRIES[name].build().get_weights(),
                                  two_replicas)


@pytest.mark.parametrize("name", NAMES)
def test_built_outside_the_strategy_scope_says_so(name, two_replicas):
    model = ENTRIES[name].build()
    with two_replicas.scope():
        with pytest.raises(RuntimeError, match=r"built outside the MirroredStrategy's scope.*"
                                               r"inside strategy.scope\(\)"):
            model.compile()


def _user_feed(model, signature, direction):
    """Inputs a user would give the exported file, by port name, and what the model gives."""
    if signature.kind == "translator":
        source = translator_source(signature, 3)
        arrays = [source] + signature.make_inputs(3, np.random.default_rng(0))[1:]
        feed = {p.name: a for p, a in zip(signature.inputs, arrays)}
        expected = keras.ops.convert_to_numpy(signature.generator(
            arrays if len(arrays) > 1 else source, training=False))
        if len(arrays) == 1:  # what translate() gives is what the file computes
            np.testing.assert_allclose(model.translate(source, direction), expected, atol=1e-6)
        return feed, expected
    if signature.kind == "encoder":
        return {"image": IMAGES[:3]}, model.encode(IMAGES[:3])
    arrays = signature.make_inputs(5, np.random.default_rng(0))
    return {p.name: a for p, a in zip(signature.inputs, arrays)}, model.predict_generator(arrays)


def _trained_model(name):
    keras.utils.set_random_seed(0)
    model = ENTRIES[name].build()
    model.compile()
    fit(model, ENTRIES[name])  # batch statistics move
    return model


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_onnx_export_of_every_generator_matches_keras(name, tmp_path):
    import onnxruntime as ort

    model = _trained_model(name)
    for direction in model.directions:
        path = tmp_path / f"{direction or 'generator'}.onnx"
        result = kgz.export.to_onnx(model, path, direction=direction)
        assert set(result.max_abs_diff) == {1, 7} and max(result.max_abs_diff.values()) <= 1e-4
        signature = model.signature(direction)
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        assert [i.name for i in session.get_inputs()] == [p.name for p in signature.inputs]
        assert result.metadata["variant"] == (ENTRIES[name].variant or name)
        feed, expected = _user_feed(model, signature, direction)  # what a user gives the file
        got = session.run(None, feed)[0]
        np.testing.assert_allclose(got, expected, atol=1e-4)


def _run_litert(path, feed):
    from ai_edge_litert.interpreter import Interpreter

    serve = Interpreter(model_path=str(path)).get_signature_runner("serve")
    return list(serve(**feed).values())[0]


def _run_openvino(path, feed):
    import openvino as ov

    compiled = ov.Core().compile_model(str(path), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return compiled(feed)[compiled.outputs[0]]


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPORT_NAMES)
def test_litert_and_openvino_exports_of_every_generator_match_keras(name, tmp_path):
    model = _trained_model(name)
    formats = [("litert", ".tflite", _run_litert), ("openvino", ".xml", _run_openvino)]
    # the first generator of each variant (the ONNX test above runs every direction; the
    # path from a direction to a SavedModel is the same for all formats)
    for (fmt, ending, run), direction in itertools.product(formats, model.directions[:1]):
        path = tmp_path / f"{direction or 'generator'}{ending}"
        result = kgz.export.export(model, path, format=fmt, direction=direction)
        assert set(result.max_abs_diff) == {1, 7} and max(result.max_abs_diff.values()) <= 1e-4
        record = kgz.export.read_metadata(path)
        assert record["variant"] == (ENTRIES[name].variant or name)
        assert [i["name"] for i in record["inputs"]] == [
            p.name for p in model.signature(direction).inputs]
        feed, expected = _user_feed(model, model.signature(direction), direction)
        np.testing.assert_allclose(run(path, feed), expected, atol=1e-4)

"""The checks every variant passes, as keras-hub's ``run_*_test`` helpers: one driver class.

A variant's own test file (``tests/variants/test_<name>.py``) subclasses
:class:`VariantChecks` once with its tiny networks, and adds what is
particular to it::

    class TestGANChecks(VariantChecks):
        variant = "gan"

        def build(self):  # default networks, small
            return kgz.GAN.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL, seed=1)

        def build_user(self):  # networks a user writes from plain Keras layers
            return kgz.GAN(user_generator(4), user_discriminator(), seed=1)

The checks: the generators it declares, config round trip, ``.keras`` save and
load with optimizer state, one finite step that moves every network, bad data
refused before training, mixed precision (default and user-written networks),
one replica against two, the strategy-scope error, and ONNX, LiteRT and
OpenVINO exports against Keras. What the data look like comes from the
variant's own declaration (``model.takes``), never from a list here. A
*recipe* of a variant (its step with stabilisers on) subclasses
:class:`RecipeChecks`: the same checks but the variant's own data checks.

All of them train on 32 of the bundled 8x8 digits (resized to the variant's
example shape where it needs larger images: ``images_for``), so the same data
checks (value range, dtype) apply to every variant.
"""

import itertools
import json
import logging
from pathlib import Path

import numpy as np
import pytest
import keras
import tensorflow as tf
from keras import layers

import keras_gan_zoo as kgz

DIGITS, DIGIT_LABELS = kgz.data.digits(return_labels=True)
IMAGES, LABELS = DIGITS[:32], (DIGIT_LABELS[:32] % 3).astype("int32")
# what a text-to-image variant reads beside each digit: its name
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEXTS = [f"the digit {DIGIT_WORDS[d]}" for d in DIGIT_LABELS[:32]]
SMALL = {"base_filters": 4}
SHAPE = (8, 8, 1)
# one-hot label maps of the digits (dark, grey, bright pixels): what GauGAN draws from
MAPS = np.eye(3, dtype="float32")[np.digitize((DIGITS[..., 0] + 1) / 2, [0.33, 0.66])]
# the stabilisers a recipe turns on (EMA, lazy R1; ADA with its own state)
RECIPE = {"ema": 0.9, "r1_weight": 1.0, "r_interval": 2}
ADA = {"augment": "ada", "ada_p": 0.5, "ada_kimg": 0.05, "ada_interval": 1}
VARIANT_TESTS = Path(__file__).parent / "variants"


# ----------------------------------------------------- user-written networks
def user_generator(latent_dim, extra_inputs=()):
    """The keras-io DCGAN shape: Dense, reshape, Conv2DTranspose, Conv2D(tanh) last."""
    z = keras.Input((latent_dim,), name="z")
    inputs, parts = [z], [z]
    for name, size, dtype in extra_inputs:
        x = keras.Input((), dtype=dtype, name=name) if dtype == "int32" else keras.Input(
            (size,), name=name)
        inputs.append(x)
        parts.append(layers.CategoryEncoding(size, output_mode="one_hot")(x) if dtype == "int32"
                     else x)
    h = layers.Concatenate()(parts) if len(parts) > 1 else z
    h = layers.Reshape((4, 4, 4))(layers.Dense(64, activation="relu")(h))
    h = layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(h)
    return keras.Model(inputs, layers.Conv2D(1, 3, padding="same", activation="tanh")(h))


def user_discriminator(heads=(1,), label_classes=None):
    """One conv layer and a dense head per entry of ``heads`` (and a label input if asked)."""
    x = keras.Input(SHAPE)
    inputs = [x]
    h = layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same",
                                       activation="leaky_relu")(x))
    if label_classes:
        label = keras.Input((), dtype="int32")
        inputs.append(label)
        h = layers.Concatenate()([h, layers.CategoryEncoding(label_classes,
                                                             output_mode="one_hot")(label)])
    outputs = [layers.Dense(units)(h) for units in heads]
    return keras.Model(inputs, outputs if len(outputs) > 1 else outputs[0])


def user_encoder(latent_dim, heads=1):
    """An image encoder from plain layers: ``heads`` dense codes of ``latent_dim``."""
    x = keras.Input(SHAPE)
    h = layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(x))
    codes = [layers.Dense(latent_dim)(h) for _ in range(heads)]
    return keras.Model(x, codes if heads > 1 else codes[0])


def user_translator():
    x = keras.Input((None, None, 1))
    h = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    return keras.Model(x, layers.Conv2D(1, 3, padding="same", activation="tanh")(h))


# ----------------------------------------------------------------- helpers
def images_for(model):
    """The 32 digits at the size and channels of the variant's examples (``example_shape``;
    8x8x1, the digits themselves, for most): a pyramid's coarsest level may be 8x8 itself."""
    shape = tuple(getattr(model, "example_shape", None) or SHAPE)
    if shape == SHAPE or len(shape) != 3 or None in shape:
        return IMAGES
    images = tf.image.resize(IMAGES, shape[:2]).numpy().clip(-1, 1)
    return np.repeat(images, shape[2], axis=-1) if shape[2] != 1 else images


def training_data(model, images=None):
    """``(x, y, batch_size)`` for ``fit``, from what the variant says it takes: the whole
    batch of 32 at once (one step an epoch)."""
    images = images_for(model) if images is None else images
    kind = model.takes.kind
    if kind == "unpaired":
        pairs = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(images[:16]),
                                     tf.data.Dataset.from_tensor_slices(images[16:])))
        return pairs.batch(16), None, None
    if kind == "labelled":
        return images, LABELS[: len(images)], len(images)
    if kind == "paired":
        if model.signature(model.directions[0]).inputs[0].range != (-1.0, 1.0):
            return MAPS[: len(images)], images, len(images)  # label maps to the digits
        return images, np.ascontiguousarray(images[:, :, ::-1]), len(images)  # digit -> mirror
    if kind == "text":  # each digit with its name ("the digit seven")
        return images, TEXTS[: len(images)], len(images)
    if kind == "one_image":  # the image of the widest range, against two noise draws a step
        widest = int(np.argmax(images.max(axis=(1, 2, 3)) - images.min(axis=(1, 2, 3))))
        return images[widest:widest + 1], None, 2
    if kind != "examples":
        raise NotImplementedError(f"no test data yet for a variant that takes {kind!r}")
    return images, None, len(images)


def fit(model, epochs=1, images=None, **kwargs):
    x, y, batch_size = training_data(model, images)
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0, **kwargs)


def outputs(model):
    """What a user gets from the model: samples (fixed seed), translations or codes, per direction."""
    if model.kind == "translator":
        return {d: model.translate(translator_source(model.signature(d), 4), direction=d, seed=3)
                for d in model.directions}
    made = {"generate": model.generate(6, seed=3)}
    if "encoder" in model.directions:
        made["encode"] = model.encode(IMAGES[:4])
    return made


def translator_source(signature, n):
    """What a translator translates: images in [-1, 1] (the digits at its trained size), or
    one-hot label maps."""
    if signature.inputs[0].range != (-1.0, 1.0):
        return MAPS[:n]
    shape = tuple(signature.inputs[0].shape)
    if shape[:2] == SHAPE[:2]:
        return IMAGES[:n]
    images = tf.image.resize(IMAGES[:n], shape[:2]).numpy().clip(-1, 1)
    return np.repeat(images, shape[2], axis=-1) if shape[2] != 1 else images


def network_weights(model):
    return [w for net in model.trained_networks().values() for w in net.get_weights()]


def assert_two_replicas_match_one(step, weights, two_replicas, rtol=0.0):
    """``step(strategy, weights) -> (weights, logs)`` on one replica and on two agree.

    Keras sums gradients across replicas, so a loss averaged per replica
    trains with an N-times larger step on N replicas; the steps take SGD,
    since Adam would hide a wrong scale (it normalises the gradient).

    Each weight agrees to 1e-5 of (1 + how far it moved), float32's agreement for one step,
    plus ``rtol`` of how far it moved for a variant whose first step is ill-conditioned
    (a wrong scale would be off by half or more of the move).
    """
    one_w, one_logs = step(tf.distribute.get_strategy(), weights)
    two_w, two_logs = step(two_replicas, weights)
    assert max(np.abs(a - b).max() for a, b in zip(one_w, weights)) > 1e-3, \
        "the step should have changed the weights"
    assert_weights_agree(one_w, two_w, weights, rtol=rtol, what="two replicas")
    assert one_logs.keys() == two_logs.keys()
    for key in one_logs:
        assert abs(one_logs[key][0] - two_logs[key][0]) <= 1e-5 + 1e-6 * abs(one_logs[key][0]), key


def assert_weights_agree(reference, other, start, rtol=0.0, what="the other run"):
    """After a step from ``start``, ``other``'s weights are ``reference``'s to 1e-5 of
    (1 + how far the reference moved), float32's agreement for one step, plus ``rtol`` of
    how far it moved."""
    moves = [np.abs(a - b).max() for a, b in zip(reference, start)]
    excess = [np.abs(a - b).max() / (1e-5 * (1.0 + moved) + rtol * moved)
              for a, b, moved in zip(reference, other, moves)]
    worst = int(np.argmax(excess))
    assert excess[worst] <= 1.0, (
        f"{what} moved weight {worst} {np.abs(reference[worst] - other[worst]).max():.2e} "
        f"away from the reference (which moved it {moves[worst]:.2e})")


def as_json(config):
    # Compared as JSON, as a saved file holds it (tuples become lists).
    return json.dumps(config, sort_keys=True)


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


def _run_litert(path, feed):
    from ai_edge_litert.interpreter import Interpreter

    serve = Interpreter(model_path=str(path)).get_signature_runner("serve")
    return list(serve(**feed).values())[0]


def _run_openvino(path, feed):
    import openvino as ov

    compiled = ov.Core().compile_model(str(path), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return compiled(feed)[compiled.outputs[0]]


# ------------------------------------------------------------------ the driver
class VariantChecks:
    """Today's checks on one variant; subclass it as ``Test<Name>Checks`` in its test file.

    Attributes to set: ``variant`` (the registered name), ``build()`` (default
    networks, small) and ``build_user()`` (networks from plain Keras layers,
    with no float32 output layer: under a mixed-precision policy the
    generator's output is in low precision). ``replica_rtol``: how far, as a
    fraction of a weight's move, one replica and two may differ after one step
    beyond float32's 1e-5 (0 unless the variant's first step is ill-conditioned).
    ``next_step_conditioned``: whether the harness's second Adam step is
    well-conditioned enough to compare the weights it lands on (see
    ``test_save_and_load_give_identical_samples_and_next_step``).
    """

    variant = None
    replica_rtol = 0.0
    next_step_conditioned = True

    def build(self):
        raise NotImplementedError

    def build_user(self):
        raise NotImplementedError

    def trained(self):
        keras.utils.set_random_seed(0)
        model = self.build()
        model.compile()
        fit(model)  # batch statistics move
        return model

    def test_is_registered_under_its_name(self):
        model = self.build()
        assert kgz.VARIANTS[self.variant] is type(model)
        assert model.variant_name == self.variant

    def test_declares_its_generators(self):
        model = self.build()
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

    def test_config_round_trips_as_json(self):
        model = self.build()
        config = keras.saving.serialize_keras_object(model)
        assert config["config"]["config_version"] == kgz.models.base.CONFIG_VERSION
        clone = keras.saving.deserialize_keras_object(config)
        assert type(clone) is type(model)
        assert as_json(keras.saving.serialize_keras_object(clone)) == as_json(config)

    def test_one_step_is_finite_and_moves_every_network(self):
        keras.utils.set_random_seed(0)
        model = self.build()
        model.compile()
        before = [w.copy() for w in network_weights(model)]
        history = fit(model)
        assert int(model.generator_optimizer.iterations) == 1
        assert {"g_loss", "d_loss"} <= set(history.history)
        assert all(np.isfinite(v[0]) for v in history.history.values())
        for role, net in model.trained_networks().items():
            moved = max(np.abs(a - b).max() for a, b in zip(net.get_weights(), before))
            before = before[len(net.weights):]
            assert moved > 0, f"{role} did not train"

    def test_save_and_load_give_identical_samples_and_next_step(self, tmp_path):
        keras.utils.set_random_seed(0)
        model = self.build()
        model.compile()
        fit(model)
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
        # One more step of each, from the same state: the same losses (they read the weights,
        # the noise and any pools before the update), and the same weights after it to float32's
        # agreement, not bit for bit: oneDNN picks an op's thread count when it runs (one thread
        # when called from a pool thread), so sums can round differently between two runs.
        start = network_weights(model)
        logs, logs_again = fit(model).history, fit(again).history
        assert logs.keys() == logs_again.keys()
        for key in logs:
            assert abs(logs[key][0] - logs_again[key][0]) <= 1e-6 * (1 + abs(logs[key][0])), key
        if self.next_step_conditioned:
            assert_weights_agree(network_weights(model), network_weights(again), start,
                                 what="the loaded model's next step")

    def test_bad_data_are_refused_before_training_and_nothing_moves(self):
        model = self.build()
        model.compile()
        before = [w.copy() for w in network_weights(model)]
        images = images_for(model)
        pixels = (images + 1) * 127.5  # [0, 255]: what a user's images are before scaling
        with pytest.raises(ValueError, match=r"are in \[0, 255\], outside the range \[-1, 1\].*"
                                             r"x / 127.5 - 1.*check_range=False"):
            fit(model, images=pixels)
        with pytest.raises(ValueError, match=r"in \[0, 1\] the range \[-1, 1\]"):
            fit(model, images=(images + 1) / 2)
        with pytest.raises(ValueError, match="expected float data, got dtype uint8"):
            fit(model, images=pixels.astype("uint8"))
        h, w = images.shape[1:3]
        other = np.repeat(images, 2, axis=-1) if images.shape[-1] != 1 else np.repeat(images, 3, -1)
        with pytest.raises(ValueError, match=rf"shape \({h}, {w}, {other.shape[-1]}\)"
                                             rf"|\(None, {h}, {w}, {other.shape[-1]}\)"):
            fit(model, images=other)
        for a, b in zip(before, network_weights(model)):
            np.testing.assert_array_equal(a, b)

    def test_check_range_false_trains_with_a_warning(self, caplog):
        model = self.build()
        model.compile()
        with caplog.at_level(logging.WARNING, logger="keras_gan_zoo"):
            fit(model, images=(images_for(model) + 1) * 127.5, check_range=False)
        assert "check_range=False" in caplog.text
        assert int(model.generator_optimizer.iterations) == 1

    @pytest.mark.parametrize("policy, networks", [("mixed_bfloat16", "default"),
                                                   ("mixed_float16", "default"),
                                                   ("mixed_float16", "user")],
                             indirect=["policy"])
    def test_trains_under_mixed_precision(self, policy, networks):
        # user-written networks once, under float16: their last layer computes in low
        # precision and the loss scaling wraps the optimizers
        model = self.build() if networks == "default" else self.build_user()
        model.compile()
        wrapped = isinstance(model.generator_optimizer, keras.optimizers.LossScaleOptimizer)
        assert wrapped == (policy == "mixed_float16")
        history = fit(model)
        assert all(np.isfinite(v[0]) for v in history.history.values())
        generator = model.signature(model.directions[0]).generator
        if networks == "user":  # really mixed: the user's last layer computes in low precision
            assert generator.layers[-1].compute_dtype != "float32"
        for key, values in outputs(model).items():
            assert values.dtype == np.float32 and np.isfinite(values).all(), key

    def test_two_replicas_match_one(self, two_replicas):
        def step(strategy, weights):
            with strategy.scope():
                model = self.build()
                model.set_weights(weights)
                model.compile(generator_optimizer=keras.optimizers.SGD(0.05),
                              discriminator_optimizer=keras.optimizers.SGD(0.05))
            history = fit(model)
            return model.get_weights(), history.history

        keras.utils.set_random_seed(0)
        assert_two_replicas_match_one(step, self.build().get_weights(), two_replicas,
                                      rtol=self.replica_rtol)

    def test_built_outside_the_strategy_scope_says_so(self, two_replicas):
        model = self.build()
        with two_replicas.scope():
            with pytest.raises(RuntimeError, match=r"built outside the MirroredStrategy's scope.*"
                                                   r"inside strategy.scope\(\)"):
                model.compile()

    @pytest.mark.slow
    def test_onnx_export_of_every_generator_matches_keras(self, tmp_path):
        import onnxruntime as ort

        model = self.trained()
        for direction in model.directions:
            path = tmp_path / f"{direction or 'generator'}.onnx"
            result = kgz.export.to_onnx(model, path, direction=direction)
            assert set(result.max_abs_diff) == {1, 7} and max(result.max_abs_diff.values()) <= 1e-4
            signature = model.signature(direction)
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            assert [i.name for i in session.get_inputs()] == [p.name for p in signature.inputs]
            assert result.metadata["variant"] == self.variant
            feed, expected = _user_feed(model, signature, direction)  # what a user gives the file
            got = session.run(None, feed)[0]
            np.testing.assert_allclose(got, expected, atol=1e-4)

    @pytest.mark.slow
    def test_litert_and_openvino_exports_of_every_generator_match_keras(self, tmp_path):
        model = self.trained()
        formats = [("litert", ".tflite", _run_litert), ("openvino", ".xml", _run_openvino)]
        # the first generator of each variant (the ONNX check runs every direction; the
        # path from a direction to a SavedModel is the same for all formats)
        for (fmt, ending, run), direction in itertools.product(formats, model.directions[:1]):
            path = tmp_path / f"{direction or 'generator'}{ending}"
            result = kgz.export.export(model, path, format=fmt, direction=direction)
            assert set(result.max_abs_diff) == {1, 7} and max(result.max_abs_diff.values()) <= 1e-4
            record = kgz.export.read_metadata(path)
            assert record["variant"] == self.variant
            assert [i["name"] for i in record["inputs"]] == [
                p.name for p in model.signature(direction).inputs]
            feed, expected = _user_feed(model, model.signature(direction), direction)
            np.testing.assert_allclose(run(path, feed), expected, atol=1e-4)


class RecipeChecks(VariantChecks):
    """The checks on a variant with stabilisers on (its step changes, not its layers).

    The data checks are the variant's own and run once, in its
    `VariantChecks`; so do the exports, which see the same layers there (a
    recipe that swaps the networks takes them back:
    ``test_onnx_export_... = VariantChecks.test_onnx_export_...``). Mixed
    precision runs once, in float16, where the loss scaling meets the
    stabilisers' extra gradients; bfloat16 and user-written networks are the
    variant's own checks.
    """

    test_check_range_false_trains_with_a_warning = None
    test_onnx_export_of_every_generator_matches_keras = None
    test_litert_and_openvino_exports_of_every_generator_match_keras = None

    @pytest.mark.parametrize("policy, networks", [("mixed_float16", "default")],
                             indirect=["policy"])
    def test_trains_under_mixed_precision(self, policy, networks):
        VariantChecks.test_trains_under_mixed_precision(self, policy, networks)

"""Export: every variant's generator to ONNX and SavedModel, checked independently."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import onnx
import onnxruntime as ort
import pytest
import tensorflow as tf

import keras_gan_zoo as kgz
from keras_gan_zoo import export
from keras_gan_zoo.cli import main as cli
from shared_data import shared_data

KIT = Path(__file__).resolve().parents[1] / "export" / "onnx_generate.py"
rng = np.random.default_rng(0)


def _images(n, size, channels=1):
    return rng.uniform(-1, 1, (n, size, size, channels)).astype("float32")


def _trained(name):
    """A tiny model of each variant after a few real training steps (BN statistics move)."""
    keras.utils.set_random_seed(0)
    small = {"base_filters": 8}
    if name == "gan":
        model, data = kgz.GAN.for_shape((16, 16, 1), latent_dim=8, network_kwargs=small), _images(32, 16)
    elif name == "wgan_gp":
        model, data = kgz.WGANGP.for_shape((2,), latent_dim=2, discriminator_steps=1), rng.normal(size=(64, 2)).astype("float32")
    elif name == "conditional_gan":
        model = kgz.ConditionalGAN.for_shape((16, 16, 1), num_classes=4, latent_dim=8,
                                             network_kwargs=small)
        data = (_images(32, 16), rng.integers(0, 4, 32))
    elif name == "infogan":
        model = kgz.InfoGAN.for_shape((16, 16, 1), latent_dim=8, num_categories=3, num_continuous=2,
                                      network_kwargs=small)
        data = _images(32, 16)
    else:
        model = kgz.CycleGAN.for_shape((16, 16, 1), (16, 16, 3), base_filters=4, num_blocks=1,
                                        identity_weight=0, pool_size=4)
        data = tf.data.Dataset.from_tensor_slices((_images(16, 16), _images(16, 16, 3))).batch(8)
    model.compile()
    if isinstance(data, tf.data.Dataset):
        model.fit(data, epochs=1, verbose=0)
    else:
        model.fit(*(data if isinstance(data, tuple) else (data,)), batch_size=16, epochs=1,
                  verbose=0)
    return model


VARIANTS = ("gan", "wgan_gp", "conditional_gan", "infogan", "cyclegan")


@pytest.fixture(scope="module")
def models():
    return {name: _trained(name) for name in VARIANTS}


def _feed(model, n):
    """Inputs by role, and the Keras output for them, computed here (not by the exporter)."""
    if isinstance(model, kgz.CycleGAN):
        feed = {"image": _images(n, 20)}  # not the training size: height and width are dynamic
        return feed, model.translate(feed["image"])
    z = rng.standard_normal((n, model.latent_dim)).astype("float32")
    if isinstance(model, kgz.ConditionalGAN):
        feed = {"z": z, "label": rng.integers(0, 4, n).astype("int32")}
        return feed, model.generator([feed["z"], feed["label"]], training=False).numpy()
    if isinstance(model, kgz.InfoGAN):
        feed = {"z": z, "categorical": rng.integers(0, 3, n).astype("int32"),
                "continuous": rng.uniform(-1, 1, (n, 2)).astype("float32")}
        return feed, model.predict_generator([feed["z"], feed["categorical"], feed["continuous"]])
    return {"z": z}, model.predict_generator(z)


EXPECTED_INPUTS = {
    "gan": [("z", [None, 8], "float32")],
    "wgan_gp": [("z", [None, 2], "float32")],
    "conditional_gan": [("z", [None, 8], "float32"), ("label", [None], "int32")],
    "infogan": [("z", [None, 8], "float32"), ("categorical", [None], "int32"),
                ("continuous", [None, 2], "float32")],
    "cyclegan": [("image", [None, None, None, 1], "float32")],
}


@pytest.mark.slow
@pytest.mark.parametrize("name", VARIANTS)
def test_onnx_export_metadata_and_dynamic_batch(models, tmp_path, name):
    model = models[name]
    result = export.to_onnx(model, tmp_path / "g.onnx")
    assert set(result.max_abs_diff) == {1, 7}
    assert max(result.max_abs_diff.values()) <= 1e-4
    meta = result.metadata
    assert meta["variant"] == name and meta["package_version"] == kgz.__version__
    assert [(i["name"], i["shape"], i["dtype"]) for i in meta["inputs"]] == EXPECTED_INPUTS[name]

    proto = onnx.load(str(tmp_path / "g.onnx"))
    props = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(props["keras_gan_zoo"]) == json.loads(json.dumps(meta))
    assert props["variant"] == name
    # batch 5 was never used by the verification: the batch dimension is dynamic
    session = ort.InferenceSession(str(tmp_path / "g.onnx"), providers=["CPUExecutionProvider"])
    feed, expected = _feed(model, 5)
    assert [i.name for i in session.get_inputs()] == list(feed)
    got = session.run(None, feed)[0]
    assert got.shape == expected.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-4)


@pytest.mark.parametrize("name", ["conditional_gan", "infogan", "cyclegan"])
def test_saved_model_export_matches_keras(models, tmp_path, name):
    model = models[name]
    result = export.to_saved_model(model, tmp_path / "sm")
    assert max(result.max_abs_diff.values()) <= 1e-4
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    assert {"serve", "serving_default", "metadata"} <= set(loaded.signatures)
    feed, expected = _feed(model, 5)
    output = result.metadata["outputs"][0]["name"]
    got = loaded.signatures["serve"](**{k: tf.constant(v) for k, v in feed.items()})[output]
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-4)
    signature_meta = json.loads(loaded.signatures["metadata"]()["metadata"].numpy())
    asset_meta = json.loads((tmp_path / "sm" / "assets" / "keras_gan_zoo.json").read_text())
    assert signature_meta == asset_meta == json.loads(json.dumps(result.metadata))


def test_metadata_says_what_a_deployer_needs(models):
    meta = export.metadata(models["conditional_gan"])
    assert meta["num_classes"] == 4
    assert meta["outputs"][0] == {"name": "image", "kind": "output", "shape": [None, 16, 16, 1],
                                  "dtype": "float32", "range": [-1.0, 1.0],
                                  "meaning": "generated examples"}
    # each input says how it is drawn, so a runtime can draw it as the model does
    assert [(i["name"], i["kind"], i.get("keyword", i["name"])) for i in meta["inputs"]] == [
        ("z", "normal", "z"), ("label", "categorical", "labels")]
    info = export.metadata(models["infogan"])
    assert (info["num_categories"], info["num_continuous"]) == (3, 2)
    toy = export.metadata(models["wgan_gp"])
    assert toy["outputs"][0]["name"] == "sample" and toy["outputs"][0]["range"] is None
    cycle = export.metadata(models["cyclegan"], direction="b_to_a")
    assert cycle["direction"] == "b_to_a" and cycle["inputs"][0]["shape"] == [None, None, None, 3]
    assert cycle["outputs"][0]["shape"] == [None, None, None, 1]


def test_cyclegan_directions_are_separate_generators(models, tmp_path):
    model = models["cyclegan"]
    export.to_onnx(model, tmp_path / "ba.onnx", direction="b_to_a")
    session = ort.InferenceSession(str(tmp_path / "ba.onnx"), providers=["CPUExecutionProvider"])
    colour = _images(3, 24, 3)
    np.testing.assert_allclose(session.run(["translated"], {"image": colour})[0],
                               model.translate(colour, "b_to_a"), atol=1e-4)


def test_a_bare_generator_exports_too(models, tmp_path):
    generator = models["conditional_gan"].generator
    result = export.to_onnx(generator, tmp_path / "g.onnx")
    assert result.metadata["variant"] == "conditional_generator"
    assert result.metadata["num_classes"] == 4


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_generator_exports_float32(tmp_path, policy):
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = kgz.GAN.for_shape((16, 16, 1), latent_dim=8, network_kwargs={"base_filters": 8})
        model.compile()
        model.fit(_images(32, 16), batch_size=16, epochs=1, verbose=0)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.generator.layers[1].dtype_policy.name == policy
    result = export.to_onnx(model, tmp_path / "g.onnx")
    assert max(result.max_abs_diff.values()) <= 1e-4
    assert result.metadata["source_dtype_policy"] == policy
    # the float32 export is close to, but not bit-equal to, the reduced-precision Keras model
    assert 0 < result.policy_gap < 0.1
    proto = onnx.load(str(tmp_path / "g.onnx"))
    float32 = onnx.TensorProto.FLOAT
    assert [i.type.tensor_type.elem_type for i in proto.graph.input] == [float32]
    assert [o.type.tensor_type.elem_type for o in proto.graph.output] == [float32]
    # the user's model is left as it was
    assert model.generator.layers[1].dtype_policy.name == policy


# ------------------------------------------------------------------ errors
def test_refuses_a_discriminator(models, tmp_path):
    for net in (models["gan"].discriminator, models["conditional_gan"].discriminator):
        with pytest.raises(export.ExportError, match="looks like a discriminator"):
            export.to_onnx(net, tmp_path / "d.onnx")
    assert list(tmp_path.iterdir()) == []


def test_refuses_an_unbuilt_model(tmp_path):
    with pytest.raises(export.ExportError, match="not built"):
        export.to_saved_model(keras.Sequential([keras.layers.Dense(4)]), tmp_path / "m")
    assert list(tmp_path.iterdir()) == []


def test_refuses_unknown_format_and_direction(models, tmp_path):
    with pytest.raises(export.ExportError, match="unknown export format 'tflite'.*litert"):
        export.export(models["gan"], tmp_path / "g", format="tflite")
    with pytest.raises(export.ExportError, match="unknown direction"):
        export.to_onnx(models["cyclegan"], tmp_path / "g.onnx", direction="sideways")
    with pytest.raises(export.ExportError, match="GAN has one generator"):
        export.to_onnx(models["gan"], tmp_path / "g.onnx", direction="b_to_a")
    with pytest.raises(export.ExportError, match="does not exist"):
        export.to_onnx(models["gan"], tmp_path / "missing" / "g.onnx")
    assert list(tmp_path.iterdir()) == []


def test_the_formats_come_from_one_registry():
    from keras_gan_zoo.cli import build_parser

    assert export.FORMATS == tuple(export.REGISTRY) == ("onnx", "saved_model", "litert",
                                                        "openvino")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["export"]
    assert tuple(next(a for a in sub._actions if a.dest == "format").choices) == export.FORMATS
    with pytest.raises(ValueError, match="'onnx' is already registered"):
        export.register(export.REGISTRY["onnx"])
    assert export.is_export("g.tflite") and not export.is_export("g.keras")


def test_options_of_one_format_are_refused_for_another(models, tmp_path):
    with pytest.raises(export.ExportError, match="quantize= applies to format=\"onnx\""):
        export.export(models["gan"], tmp_path / "g_sm", format="saved_model", quantize="int8")
    assert list(tmp_path.iterdir()) == []


def test_never_overwrites_without_permission(models, tmp_path):
    path = tmp_path / "g.onnx"
    path.write_bytes(b"the user's file")
    with pytest.raises(export.ExportError, match="already exists"):
        export.to_onnx(models["gan"], path)
    assert path.read_bytes() == b"the user's file"
    folder = tmp_path / "sm"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(export.ExportError, match="already exists"):
        export.to_saved_model(models["gan"], folder)
    assert (folder / "keep.txt").read_text() == "mine"
    export.to_onnx(models["gan"], path, overwrite=True)
    assert onnx.load(str(path)).graph.input[0].name == "z"


def test_openvino_never_overwrites_the_weights_file_beside_it(models, tmp_path):
    weights = tmp_path / "g.bin"
    weights.write_bytes(b"the user's weights")
    with pytest.raises(export.ExportError, match=r"g.bin already exists \(the weights of"):
        export.to_openvino(models["gan"], tmp_path / "g.xml")
    assert weights.read_bytes() == b"the user's weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.bin"]
    export.to_openvino(models["gan"], tmp_path / "g.xml", overwrite=True)
    assert export.read_metadata(tmp_path / "g.xml")["variant"] == "gan"


@pytest.mark.parametrize("fmt, name", [("onnx", "g.onnx"), ("saved_model", "g_sm"),
                                       ("litert", "g.tflite"), ("openvino", "g.xml")])
def test_exports_get_the_users_umask_permissions(models, tmp_path, fmt, name):
    old = os.umask(0o022)
    try:
        result = export.export(models["gan"], tmp_path / name, format=fmt)
    finally:
        os.umask(old)
    written = [tmp_path / name] + ([tmp_path / "g.bin"] if fmt == "openvino" else [])
    if fmt == "saved_model":
        written += list((tmp_path / name).rglob("*"))
    for path in written:
        expected = 0o755 if path.is_dir() else 0o644
        assert oct(path.stat().st_mode & 0o777) == oct(expected), path
    assert export.read_metadata(result.path) == result.metadata


def test_read_metadata_names_what_it_cannot_read(models, tmp_path):
    with pytest.raises(export.ExportError, match="does not exist"):
        export.read_metadata(tmp_path / "missing.onnx")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(export.ExportError, match=r"expected a .onnx, .tflite or .xml file"):
        export.read_metadata(tmp_path / "notes.txt")
    bare = onnx.helper.make_model(onnx.helper.make_graph([], "empty", [], []))
    onnx.save(bare, tmp_path / "other.onnx")
    with pytest.raises(export.ExportError, match="holds no keras_gan_zoo metadata"):
        export.read_metadata(tmp_path / "other.onnx")


@pytest.mark.parametrize("fmt, name", [("onnx", "g.onnx"), ("saved_model", "g_sm"),
                                       ("litert", "g.tflite"), ("openvino", "g.xml")])
def test_a_loaded_export_samples_and_translates_as_the_model_does(models, tmp_path, fmt, name):
    model = models["conditional_gan"]
    export.export(model, tmp_path / name, format=fmt)
    loaded = export.load(tmp_path / name)
    assert loaded.kind == "sampler" and "conditional_gan" in repr(loaded)
    # the same seed draws the same inputs as the Keras model's generate()
    np.testing.assert_allclose(loaded.generate(300, seed=4, labels=2),
                               model.generate(300, seed=4, labels=2), atol=1e-4)
    with pytest.raises(ValueError, match="label"):
        loaded.generate(3, labels=7)  # the file's metadata knows there are 4 classes
    cycle = models["cyclegan"]
    export.export(cycle, tmp_path / ("c" + name[1:]), format=fmt, direction="b_to_a")
    translator = export.load(tmp_path / ("c" + name[1:]))
    images = _images(5, 16, 3)
    np.testing.assert_allclose(translator.translate(images), cycle.translate(images, "b_to_a"),
                               atol=1e-4)
    with pytest.raises(ValueError, match="translates 'b_to_a' only"):
        translator.translate(images, "a_to_b")


def test_ports_read_back_from_metadata_written_before_they_had_kinds():
    from keras_gan_zoo.models.contract import Port

    old = [{"name": "z", "shape": [None, 8], "dtype": "float32", "meaning": "noise", "range": None},
           {"name": "label", "shape": [None], "dtype": "int32", "meaning": "class",
            "range": [0.0, 3.0], "classes": 4},
           {"name": "continuous", "shape": [None, 2], "dtype": "float32", "meaning": "codes",
            "range": [-1.0, 1.0]}]
    ports = [Port.from_record(r) for r in old]
    assert [(p.kind, p.keyword) for p in ports] == [("normal", "z"), ("categorical", "labels"),
                                                    ("uniform", "continuous")]
    for port in kgz.ConditionalGAN.for_shape((16, 16, 1), num_classes=4, latent_dim=8,
                                             network_kwargs={"base_filters": 4}).signature().inputs:
        assert Port.from_record(port.describe()) == port  # and today's records round-trip


def test_failed_verification_raises_with_numbers_and_writes_nothing(models, tmp_path):
    # onnxruntime's convolutions differ from TensorFlow's by ~1e-7: nonzero, so a
    # tolerance of 1e-12 must fail
    with pytest.raises(export.ExportVerificationError, match=r"differs from Keras by up to .*batch size: 1: "):
        export.to_onnx(models["cyclegan"], tmp_path / "g.onnx", tolerance=1e-12)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------- deployment kit and CLI
def _run_kit(*args, cwd):
    """Run the deployment kit where importing tensorflow (and so keras) fails."""
    blocker = cwd / "no_tf" / "tensorflow"
    blocker.mkdir(parents=True, exist_ok=True)
    (blocker / "__init__.py").write_text("raise ImportError('TensorFlow is not installed here')\n")
    env = {**os.environ, "PYTHONPATH": str(cwd / "no_tf")}
    check = subprocess.run([sys.executable, "-c", "import tensorflow"], env=env, capture_output=True)
    assert check.returncode != 0  # the blocker works
    return subprocess.run([sys.executable, str(KIT), *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True)


def test_deployment_kit_samples_without_tensorflow(models, tmp_path):
    model = models["conditional_gan"]
    export.to_onnx(model, tmp_path / "cgan.onnx")
    run = _run_kit("cgan.onnx", "-n", 6, "--seed", 3, "--label", 2, "-o", "grid.png",
                   "--npy", "out.npy", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    from PIL import Image

    assert Image.open(tmp_path / "grid.png").size[0] > 16 * 3
    z = np.random.default_rng(3).standard_normal((6, 8)).astype("float32")
    expected = model.predict_generator([z, np.full(6, 2, "int32")])
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, atol=1e-4)
    bad = _run_kit("cgan.onnx", "--label", 9, "-o", "bad.png", cwd=tmp_path)
    assert bad.returncode != 0 and "--label must be in 0..3" in bad.stderr
    assert not (tmp_path / "bad.png").exists()


def test_deployment_kit_translates_a_folder_without_tensorflow(models, tmp_path):
    from PIL import Image

    export.to_onnx(models["cyclegan"], tmp_path / "cycle.onnx")
    folder = tmp_path / "inputs"
    folder.mkdir()
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (30, 30), dtype=np.uint8)).save(folder / f"{i}.png")
    run = _run_kit("cycle.onnx", "--input", "inputs", "-o", "t.png", "--npy", "t.npy", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert np.load(tmp_path / "t.npy").shape == (3, 16, 16, 3)  # resized to the trained size
    assert "3 translations" in run.stdout


def test_cli_export(models, tmp_path, capsys):
    models["infogan"].save(tmp_path / "info.keras")
    assert cli(["export", str(tmp_path / "info.keras"), "--format", "onnx",
                "--out", str(tmp_path / "info.onnx")]) == 0
    assert "wrote" in capsys.readouterr().out
    session = ort.InferenceSession(str(tmp_path / "info.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["z", "categorical", "continuous"]
    # Errors: one line on stderr, exit status 2, no traceback.
    assert cli(["export", str(tmp_path / "info.keras"), "--out", str(tmp_path / "info.onnx")]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "Traceback" not in err and err.count("\n") == 1
    assert cli(["export", str(tmp_path / "nothing.keras")]) == 2
    assert "no model file" in capsys.readouterr().err
    # LiteRT and OpenVINO, named beside the model by default
    for fmt, written in (("litert", ["info.tflite"]), ("openvino", ["info.xml", "info.bin"])):
        assert cli(["export", str(tmp_path / "info.keras"), "--format", fmt]) == 0
        assert f"({fmt}, infogan" in capsys.readouterr().out
        assert all((tmp_path / w).is_file() for w in written)
    (tmp_path / "info.xml").unlink()  # the .bin alone is still the user's: not replaced
    assert cli(["export", str(tmp_path / "info.keras"), "--format", "openvino"]) == 2
    assert "info.bin already exists" in capsys.readouterr().err


@pytest.mark.parametrize("writer, path, message", [
    ("to_saved_model", "g.tflite", r"a SavedModel is a folder, but .*g.tflite' ends in .tflite"),
    ("to_saved_model", "g.onnx", r"ends in .onnx.*format=\"onnx\""),
    ("to_onnx", "generator_savedmodel", r"an ONNX export is one .onnx file"),
    ("to_onnx", "g.tflite", r"an ONNX export is one .onnx file"),
    ("to_litert", "g.onnx", r"a LiteRT export is one .tflite file.*generator.tflite"),
    ("to_openvino", "g_savedmodel", r"an OpenVINO export is an .xml file.*generator.xml"),
])
def test_a_path_that_names_another_format_is_refused(models, tmp_path, writer, path, message):
    with pytest.raises(export.ExportError, match=message):
        getattr(export, writer)(models["gan"], tmp_path / path)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ quantized ONNX
@pytest.fixture(scope="module")
def dcgan_mnist():
    return kgz.zoo.load("dcgan_mnist")  # bundled: real weights, offline


@pytest.mark.slow
def test_quantized_onnx_is_smaller_close_and_says_what_it_is(dcgan_mnist, tmp_path):
    full = export.to_onnx(dcgan_mnist, tmp_path / "g.onnx")
    size = os.path.getsize(full.path)
    for mode, smaller in (("float16", 1.9), ("int8", 3.0)):
        result = export.to_onnx(dcgan_mnist, tmp_path / f"g_{mode}.onnx", quantize=mode)
        assert size / os.path.getsize(result.path) > smaller, mode
        assert result.quantize == mode and result.metadata["quantization"]["mode"] == mode
        assert 0 < max(result.mean_abs_diff.values()) <= export.QUANTIZED_TOLERANCE[mode]
        loaded = export.load(result.path)
        assert loaded.metadata["quantization"]["mode"] == mode
        # the same seed gives the same inputs: the file's samples are the model's, nearly
        ours, theirs = dcgan_mnist.generate(16, seed=5), loaded.generate(16, seed=5)
        gap = np.abs(ours - theirs)
        assert gap.mean() < export.QUANTIZED_TOLERANCE[mode] and gap.max() > 1e-6
        session = ort.InferenceSession(result.path, providers=["CPUExecutionProvider"])
        assert session.get_inputs()[0].type == "tensor(float)"  # float32 in and out
        assert session.get_outputs()[0].type == "tensor(float)"
    int8_ops = {n.op_type for n in onnx.load(tmp_path / "g_int8.onnx").graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= int8_ops  # static QDQ: activations too
    assert export.read_metadata(tmp_path / "g_int8.onnx")["quantization"]["calibration"] == \
        f"{export.CALIBRATION_SAMPLES} drawn inputs"


@pytest.mark.slow
def test_int8_keeps_int16_activations_where_int8_ones_would_move_the_image(tmp_path):
    # one channel spans +-300 where the others stay within +-1, and a per-channel scale
    # (batch norm) evens them out after: one int8 range for the tensor rounds the small
    # channels away, as in a ResNet generator whose residual path is not normalised
    z = keras.Input((8,), name="z")
    wide = keras.layers.Dense(64, name="wide")
    scale = keras.layers.BatchNormalization(epsilon=0.0, name="scale")
    out = keras.layers.Dense(16, activation="tanh", name="out")
    image = keras.layers.Reshape((4, 4, 1))(out(scale(wide(z))))
    generator = keras.Model(z, image)
    kernel = rng.normal(0, 0.3, (8, 64)).astype("float32")
    kernel[:, 0] *= 1000  # channel 0 spans +-300 at the input
    wide.set_weights([kernel, np.zeros(64, "float32")])
    variance = np.ones(64, "float32")
    variance[0] = 1000.0**2
    scale.set_weights([np.ones(64, "float32"), np.zeros(64, "float32"),
                       np.zeros(64, "float32"), variance])
    out.set_weights([rng.normal(0, 0.5, (64, 16)).astype("float32"), np.zeros(16, "float32")])
    disc_in = keras.Input((4, 4, 1))
    model = kgz.GAN(generator, keras.Model(disc_in, keras.layers.Dense(1)(
        keras.layers.Flatten()(disc_in))))
    result = export.to_onnx(model, tmp_path / "g.onnx", quantize="int8")
    activations = result.metadata["quantization"]["activations"]
    assert activations.startswith("int16 (int8 activations moved the output by")
    moved = float(re.search(r"by ([0-9.e-]+) on average", activations).group(1))
    assert moved > export.QUANTIZED_TOLERANCE["int8"] > max(result.mean_abs_diff.values())
    types = {init.data_type for init in onnx.load(result.path).graph.initializer}
    assert onnx.TensorProto.INT8 in types and onnx.TensorProto.INT16 in types  # weights, zero points


@pytest.mark.slow
def test_int8_translator_is_calibrated_on_given_images(models, tmp_path):
    model = models["cyclegan"]
    with pytest.raises(export.ExportError, match=r"needs calibration images: pass calibration="):
        export.to_onnx(model, tmp_path / "c.onnx", quantize="int8")
    with pytest.raises(export.ExportError, match=r"calibration: .*expected"):
        export.to_onnx(model, tmp_path / "c.onnx", quantize="int8", calibration=_images(8, 16, 3))
    result = export.to_onnx(model, tmp_path / "c.onnx", quantize="int8",
                            calibration=_images(24, 16))
    assert result.metadata["quantization"]["calibration"] == "24 given source images (of 24)"
    many = export.CALIBRATION_IMAGES + 6  # more would only hold more memory: the first ones
    result = export.to_onnx(model, tmp_path / "c.onnx", quantize="int8", overwrite=True,
                            calibration=_images(many, 16))
    assert result.metadata["quantization"]["calibration"] == \
        f"{export.CALIBRATION_IMAGES} given source images (of {many})"
    assert [p.name for p in tmp_path.iterdir()] == ["c.onnx"]  # no work files left behind


def test_quantize_options_are_checked_before_anything_is_written(models, tmp_path):
    with pytest.raises(export.ExportError, match=r"unknown quantize='int4'"):
        export.to_onnx(models["gan"], tmp_path / "g.onnx", quantize="int4")
    with pytest.raises(export.ExportError, match=r"calibrated on its own drawn inputs"):
        export.to_onnx(models["gan"], tmp_path / "g.onnx", quantize="int8",
                       calibration=_images(8, 16))
    with pytest.raises(export.ExportError, match=r"calibration= applies to quantize=\"int8\""):
        export.to_onnx(models["gan"], tmp_path / "g.onnx", quantize="float16",
                       calibration=_images(8, 16))
    with pytest.raises(export.ExportError, match=r"quantize= applies to format=\"onnx\", not 'litert'"):
        export.export(models["gan"], tmp_path / "g.tflite", format="litert", quantize="int8")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_export_quality_measures_the_file_and_warns_past_the_threshold(dcgan_mnist, tmp_path):
    real, _ = kgz.data.load(str(shared_data("mnist")), split="test")
    real = real[:1000]
    export.to_onnx(dcgan_mnist, tmp_path / "g8.onnx", quantize="int8")
    quality = kgz.metrics.export_quality(dcgan_mnist, tmp_path / "g8.onnx", real, n=1000)
    fid_model = kgz.metrics.evaluate("fid", dcgan_mnist.generate(1000, seed=0), real)["fid"]
    assert quality["fid_model"] == pytest.approx(fid_model, rel=1e-6)
    assert quality["fid_export"] != quality["fid_model"]  # the int8 file's own samples
    assert quality["fid_change"] == pytest.approx(
        quality["fid_export"] / quality["fid_model"] - 1, rel=1e-9)
    assert abs(quality["fid_change"]) < 0.15
    with pytest.warns(kgz.metrics.ExportQualityWarning, match=r"\(int8\) is worse than its model: "
                      r"Fréchet distance [\d.]+ against [\d.]+ "):
        kgz.metrics.export_quality(dcgan_mnist, tmp_path / "g8.onnx", real, n=1000,
                                   threshold=-1.0)


@pytest.mark.slow
def test_cli_export_quantized_with_a_quality_report(tmp_path, capsys):
    mnist = str(shared_data("mnist"))
    out = tmp_path / "d8.onnx"
    assert cli(["export", "dcgan_mnist", "--quantize", "int8", "--out", str(out),
                "--reference", mnist, "-n", "500"]) == 0
    printed = capsys.readouterr().out
    assert "(int8 onnx, gan" in printed and "MB" in printed
    assert re.search(r"quality on 500 samples \(digits features, .*\): Fréchet distance "
                     r"[\d.]+ for the file, [\d.]+ for the model \([+-][\d.]+%\)", printed)
    assert export.read_metadata(out)["quantization"]["mode"] == "int8"
    for args, message in (
            (["--format", "litert", "--quantize", "int8"], "--quantize applies to --format onnx"),
            (["--reference", mnist], "--reference measures a quantized file"),
            (["--quantize", "float16", "--calibration", mnist], "--calibration applies to "
             "--quantize int8"),
            (["--quantize", "int8", "--reference", str(tmp_path / "none")],
             "--reference .*none: ")):
        assert cli(["export", "dcgan_mnist", "--out", str(tmp_path / "x.onnx"), *args]) == 2
        assert re.search(message, capsys.readouterr().err), message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d8.onnx"]


def test_nearest_upsampling_as_one_resize_gives_the_same_pixels():
    from keras_gan_zoo.networks.layers import NearestUpSampling2D

    x = rng.standard_normal((2, 5, 7, 3)).astype("float32")
    np.testing.assert_array_equal(NearestUpSampling2D(2)(x).numpy(),
                                  keras.layers.UpSampling2D(2)(x).numpy())
    assert NearestUpSampling2D(2)(keras.Input((5, 7, 3))).shape == (None, 10, 14, 3)


@pytest.mark.slow
@pytest.mark.parametrize("fmt, name", [("onnx", "g.onnx"), ("litert", "g.tflite"),
                                       ("openvino", "g.xml")])
def test_a_resnet_generator_with_upsampling_exports_to_every_format(tmp_path, fmt, name):
    # Keras's UpSampling2D loses the static shape under TensorFlow, and the LiteRT converter
    # then refused the convolution after it (ERROR_NEEDS_FLEX_OPS)
    keras.utils.set_random_seed(0)
    model = kgz.GAN.for_shape((16, 16, 3), latent_dim=8,
                              network_kwargs={"architecture": "resnet", "base_filters": 4})
    assert any(type(layer) is keras.layers.UpSampling2D
               for layer in model.generator._flatten_layers())
    result = export.export(model, tmp_path / name, format=fmt)
    assert max(result.max_abs_diff.values()) <= 1e-4
    np.testing.assert_allclose(export.load(tmp_path / name).generate(3, seed=1),
                               model.generate(3, seed=1), atol=1e-4)


def test_a_converters_failure_is_told_in_a_line_with_the_whole_text_kept():
    from keras_gan_zoo.export.core import conversion_error

    graph = "\n".join(f"loc(callsite ... op {i})" for i in range(500))  # what converters print
    cause = RuntimeError(f"Could not translate MLIR to FlatBuffer.\n{graph}\n"
                         "TF Select ops: Conv2D\nDetails:\n\ttf.Conv2D(tensor<?x?x?x?xf32>)")
    error = conversion_error("the LiteRT converter", keras.Sequential(name="g"), cause)
    assert str(error).startswith("the LiteRT converter could not convert 'g': TF Select ops: "
                                 "Conv2D") and len(str(error)) < 600


@pytest.mark.slow
def test_the_int8_calibration_batch_changes_memory_not_the_file(models, tmp_path, monkeypatch):
    # MinMax ranges are the extremes over every calibration input, however they are batched;
    # a smaller batch only bounds the calibration session's memory
    from keras_gan_zoo.export import onnx as onnx_format

    model = models["gan"]
    z = rng.standard_normal((32, model.latent_dim)).astype("float32")
    outputs = {}
    for batch in (8, 32):
        monkeypatch.setattr(onnx_format, "CALIBRATION_BATCH", batch)
        path = tmp_path / f"g{batch}.onnx"
        export.to_onnx(model, path, quantize="int8")
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        outputs[batch] = session.run(None, {"z": z})[0]
    np.testing.assert_array_equal(outputs[8], outputs[32])

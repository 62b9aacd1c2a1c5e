"""The command line, run as a user runs it: its ``main`` with the arguments a user types (the
installed console script where a test needs a process of its own; see ``run_cli``)."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import keras
import keras_gan_zoo as kgz


def run_cli(*args, cwd=None, env=None, process=False):
    """``keras-gan-zoo ARGS`` as a user runs it: its exit code, stdout and stderr.

    By default the command's ``main`` runs in this test process (no TensorFlow
    start-up: seconds saved on each of the many calls), with its output
    captured and the global state it sets (precision policy, op determinism)
    put back. It runs as the installed console script in a process of its
    own when it needs one: a working directory or environment of its own,
    devices split before TensorFlow starts (``--devices``), or
    ``process=True`` (signals, what TensorFlow writes to the C-level stderr).
    """
    if cwd is None and env is None and not process and "--devices" not in args:
        return _in_process(args)
    exe = shutil.which("keras-gan-zoo")
    command = [exe] if exe else [sys.executable, "-m", "keras_gan_zoo.cli"]
    return subprocess.run(command + list(args), capture_output=True, text=True, cwd=cwd,
                          timeout=600, env=None if env is None else {**os.environ, **env})


def _in_process(args):
    import contextlib
    import io
    import traceback

    from tensorflow.python.framework import config as tf_config

    from keras_gan_zoo import cli

    policy, deterministic = keras.mixed_precision.global_policy(), \
        tf_config.is_op_determinism_enabled()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as done:  # argparse's errors and --help
            code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
            if isinstance(done.code, str):
                print(done.code, file=sys.stderr)
        except BaseException:  # what the interpreter prints when --debug lets an error out
            traceback.print_exc()
            code = 1
        finally:
            keras.mixed_precision.set_global_policy(policy)
            if not deterministic:
                tf_config.disable_op_determinism()
    return subprocess.CompletedProcess(["keras-gan-zoo", *args], code, out.getvalue(),
                                       err.getvalue())


def test_quickstart_writes_pngs_and_a_model(tmp_path):
    out = tmp_path / "qs"
    result = run_cli("quickstart", "--epochs", "2", "--out", str(out), "--verbose", "2",
                     process=True)  # the README's first command, as the console script
    assert result.returncode == 0, result.stderr[-3000:]
    for name in ("samples.png", "losses.png", "model.keras"):
        assert str(out / name) in result.stdout, name
    grid = np.asarray(Image.open(out / "samples.png"))
    assert grid.ndim == 2 and min(grid.shape) >= 8 * 8 * 4  # 8x8 tiles, enlarged
    assert grid.std() > 10  # not blank
    assert Image.open(out / "losses.png").size[0] >= 400
    model = keras.models.load_model(out / "model.keras")
    assert isinstance(model, kgz.GAN)
    assert model.generate(4, seed=0).shape == (4, 8, 8, 1)
    assert "Epoch 2/2" in result.stdout  # progress is shown


def test_quickstart_refuses_to_overwrite(tmp_path):
    out = tmp_path / "qs"
    out.mkdir()
    (out / "samples.png").write_bytes(b"mine")
    result = run_cli("quickstart", "--epochs", "1", "--out", str(out))
    assert result.returncode != 0
    assert "already exist" in result.stderr and "--overwrite" in result.stderr
    assert (out / "samples.png").read_bytes() == b"mine"
    assert not (out / "model.keras").exists()


@pytest.mark.parametrize("args, message", [
    (["quickstart", "--epochs", "0"], "expected a positive integer, got 0"),
    (["quickstart", "--variant", "vae"], "invalid choice: 'vae'"),
    ([], "required: command"),
])
def test_bad_arguments(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr


def _digit_gan(tmp_path):
    """A tiny GAN after one epoch on the bundled digits, and 500 real digits in real.npy."""
    digits = kgz.data.digits()
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4})
    model.compile()
    model.fit(digits[:64], batch_size=32, epochs=1, verbose=0)
    np.save(tmp_path / "real.npy", digits[:500])
    return model, digits


@pytest.mark.slow
def test_evaluate_fid_and_modes(tmp_path):
    model, digits = _digit_gan(tmp_path)
    model.save(tmp_path / "gan.keras")
    result = run_cli("evaluate", str(tmp_path / "gan.keras"), "--metric", "fid", "--data",
                     str(tmp_path / "real.npy"), "-n", "500", "--json", str(tmp_path / "fid.json"))
    assert result.returncode == 0, result.stderr
    import json

    figures = json.loads((tmp_path / "fid.json").read_text())
    expected = kgz.metrics.frechet_distance(digits[:500], model.generate(500, seed=0))
    assert figures["fid"] == pytest.approx(expected, rel=1e-4)
    assert "fid" in result.stdout

    toy = kgz.WGANGP.for_shape((2,), latent_dim=2)
    toy.compile()
    toy.save(tmp_path / "toy.keras")
    result = run_cli("evaluate", str(tmp_path / "toy.keras"), "--metric", "modes", "--data", "ring8",
                     "-n", "2500")
    assert result.returncode == 0, result.stderr
    assert "num_modes: 8" in result.stdout

    bad = run_cli("evaluate", str(tmp_path / "toy.keras"), "--metric", "modes", "--data", "mnist")
    assert bad.returncode != 0 and "ring8, grid25 or stacked_mnist" in bad.stderr
    bad = run_cli("evaluate", str(tmp_path / "gan.keras"), "--metric", "kid", "--data",
                  str(tmp_path / "nowhere"))
    assert bad.returncode == 2 and "no such file or folder" in bad.stderr


@pytest.mark.slow
def test_evaluate_and_sample_an_exported_file_measure_the_file_itself(tmp_path):
    model, digits = _digit_gan(tmp_path)
    expected = kgz.metrics.frechet_distance(digits[:500], model.generate(500, seed=0))
    for fmt, name in (("onnx", "g.onnx"), ("litert", "g.tflite")):
        kgz.export.export(model, tmp_path / name, format=fmt)
        json_out = tmp_path / f"{fmt}.json"
        result = run_cli("evaluate", str(tmp_path / name), "--metric", "fid", "--data",
                         str(tmp_path / "real.npy"), "-n", "500", "--json", str(json_out))
        assert result.returncode == 0, result.stderr
        import json

        # the same seed draws the same inputs, so the file's FID is the model's (to parity)
        assert json.loads(json_out.read_text())["fid"] == pytest.approx(expected, rel=1e-3)
    result = run_cli("sample", str(tmp_path / "g.onnx"), "-n", "6", "--seed", "2",
                     "-o", str(tmp_path / "grid.png"), "--npy", str(tmp_path / "s.npy"))
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "s.npy"), model.generate(6, seed=2),
                               atol=1e-4)
    (tmp_path / "other.onnx").write_bytes(b"not an onnx file")
    bad = run_cli("evaluate", str(tmp_path / "other.onnx"), "--metric", "fid", "--data",
                  str(tmp_path / "real.npy"))
    assert bad.returncode == 2 and "other.onnx" in bad.stderr and "Traceback" not in bad.stderr


def _photos(folder, n=12, size=(40, 30), seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        Image.fromarray(rng.integers(0, 255, size + (3,), dtype=np.uint8)).save(folder / f"{i}.png")


def test_train_on_a_flat_image_folder_at_the_size_asked(tmp_path):
    _photos(tmp_path / "photos")
    out = tmp_path / "run"
    result = run_cli("train", "gan", "--data", str(tmp_path / "photos"), "--size", "16",
                     "--epochs", "1", "--batch-size", "4", "--out", str(out), "--verbose", "0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "12 examples of shape 16x16x3" in result.stdout
    model = keras.models.load_model(out / "model.keras")
    assert model.generate(2, seed=0).shape == (2, 16, 16, 3)
    assert (out / "samples.png").is_file()


@pytest.mark.slow
def test_train_128_px_with_the_recipe_writes_the_run_folder_every_epoch(tmp_path):
    _photos(tmp_path / "photos", n=8, size=(150, 140))
    out = tmp_path / "run"
    args = ["train", "gan", "--data", str(tmp_path / "photos"), "--size", "128", "--epochs", "2",
            "--batch-size", "4", "--augment", "ada", "--ema", "0.999", "--loss", "hinge",
            "--set", 'network_kwargs={"base_filters": 4}',  # the default ResNets, narrow
            "--tensorboard", "--out", str(out), "--verbose", "0"]
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "8 examples of shape 128x128x3" in result.stdout
    model = keras.models.load_model(out / "model.keras")
    assert type(model.discriminator.get_layer("logit")).__name__ == "SpectralDense"  # ResNet
    assert model.augment == "ada" and model.ema_generator is not None
    assert model.loss_name == "hinge"
    for name in ("samples/epoch_001.png", "samples/epoch_002.png", "losses.png", "samples.png"):
        assert (out / name).is_file(), name
    history = (out / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,augment_p") and len(history) == 3
    assert any(path.name.startswith("events.out.tfevents")
               for path in (out / "tensorboard").rglob("*"))
    # a second run into the same folder is refused, and nothing there changes
    before = (out / "history.csv").read_bytes()
    again = run_cli(*args)
    assert again.returncode == 2 and "--resume" in again.stderr
    assert (out / "history.csv").read_bytes() == before


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["acgan", "ebgan", "bigan", "vaegan"])
def test_the_newer_variants_train_sample_and_export_from_the_command_line(variant, tmp_path):
    from keras_gan_zoo.cli import main

    out = tmp_path / "run"  # trained in this process; sampled and exported by the console script
    assert main(["train", variant, "--data", "digits", "--epochs", "1", "--out", str(out),
                 "--verbose", "0"]) == 0
    model = keras.models.load_model(out / "model.keras")
    assert model.variant_name == variant
    sampled = run_cli("sample", str(out / "model.keras"), "-n", "4", "-o", str(tmp_path / "s.png"))
    assert sampled.returncode == 0 and (tmp_path / "s.png").is_file(), sampled.stderr[-2000:]
    for direction in [d for d in model.directions if d]:  # the encoder, where there is one
        exported = run_cli("export", str(out / "model.keras"), "--format", "onnx", "--direction",
                           direction, "--out", str(tmp_path / f"{direction}.onnx"))
        assert exported.returncode == 0, exported.stderr[-2000:]
        assert (tmp_path / f"{direction}.onnx").is_file()


def test_train_options_a_variant_does_not_take_are_named(tmp_path, capsys):
    from keras_gan_zoo.cli import main

    for variant, flags, message in (
            ("infogan", ["--augment", "ada"], "'augment' is not one of InfoGAN's arguments"),
            ("gan", ["--ema", "1.5"], "expected a decay between 0 and 1"),
            ("ebgan", ["--augment", "ada"], "EBGAN does not support augment='ada'")):
        out = tmp_path / variant
        try:
            code = main(["train", variant, "--data", "digits", *flags, "--out", str(out)])
        except SystemExit as exit:  # argparse's own errors (a flag's value) exit
            code = exit.code
        assert code == 2
        assert message in capsys.readouterr().err
        assert not (out / "model.keras").exists()


def test_train_a_conditional_gan_on_class_subfolders(tmp_path, capsys):
    for label in ("cats", "dogs"):
        _photos(tmp_path / "pets" / label, n=4, seed=len(label))
    result = run_cli("train", "conditional_gan", "--data", str(tmp_path / "pets"), "--size", "8",
                     "--channels", "1", "--epochs", "1", "--batch-size", "4",
                     "--out", str(tmp_path / "run"), "--verbose", "0")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "8 examples of shape 8x8x1" in result.stdout and "2 classes (cats, dogs)" in result.stdout
    # A flat folder has no labels: the error says so, on one line.
    _photos(tmp_path / "flat", n=4)
    from keras_gan_zoo.cli import main

    assert main(["train", "conditional_gan", "--data", str(tmp_path / "flat"), "--size", "8",
                 "--out", str(tmp_path / "run2")]) == 2
    err = capsys.readouterr().err
    assert "no labels" in err and "Traceback" not in err


def test_cli_errors_are_one_line_and_debug_shows_the_traceback(tmp_path):
    bad = run_cli("train", "cyclegan", "--data", "digits", "--out", str(tmp_path / "c"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    errors = [line for line in bad.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "side-by-side pairs" in errors[0] and "--data-b" in errors[0]
    debug = run_cli("--debug", "train", "cyclegan", "--data", "digits", "--out", str(tmp_path / "c"))
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_sample_interpolates_between_latents(tmp_path):
    model = kgz.ConditionalGAN.for_shape((8, 8, 1), num_classes=3, latent_dim=4,
                                         network_kwargs={"base_filters": 4}, seed=0)
    model.save(tmp_path / "c.keras")
    result = run_cli("sample", str(tmp_path / "c.keras"), "-n", "12", "--interpolate", "6",
                     "--label", "2", "-o", str(tmp_path / "walk.png"), "--npy",
                     str(tmp_path / "walk.npy"))
    assert result.returncode == 0, result.stderr[-2000:]
    walk = np.load(tmp_path / "walk.npy")
    assert walk.shape == (12, 8, 8, 1)
    # Each row walks from one sample to another; its ends are generate(z=...) of the ends.
    assert np.abs(walk[0] - walk[5]).max() > 1e-4
    truncated = run_cli("sample", str(tmp_path / "c.keras"), "-n", "4", "--truncation", "0.5",
                        "-o", str(tmp_path / "t.png"), "--npy", str(tmp_path / "t.npy"))
    assert truncated.returncode == 0, truncated.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "t.npy"),
                               model.generate(4, seed=0, truncation=0.5), atol=1e-6)
    bad = run_cli("sample", str(tmp_path / "c.keras"), "--categorical", "1", "-o",
                  str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "--categorical does not apply to a ConditionalGAN" in bad.stderr
    assert "(it takes --label)" in bad.stderr


@pytest.mark.slow
def test_sample_translates_a_folder_of_colour_label_maps(tmp_path):
    palette = np.array([[0, 0, 0], [255, 0, 0], [0, 0, 255]], "float32")
    model = kgz.GauGAN.for_shape((8, 8, 3), 1, latent_dim=4, base_filters=2, hidden=4,
                                 num_layers=1, palette=palette, seed=0)
    model.save(tmp_path / "gaugan.keras")
    kgz.GauGAN.for_shape((8, 8, 3), 1, latent_dim=4, base_filters=2, hidden=4, num_layers=1,
                         seed=0).save(tmp_path / "plain.keras")
    folder = tmp_path / "maps"
    folder.mkdir()
    classes = np.random.default_rng(0).integers(0, 3, (2, 8, 8))
    for i, c in enumerate(classes):
        Image.fromarray(palette[c].astype("uint8")).save(folder / f"{i}.png")
    out = [tmp_path / f"{k}.npy" for k in "abc"]
    for path, seed in zip(out, ("1", "1", "2")):
        result = run_cli("sample", str(tmp_path / "gaugan.keras"), "--input", str(folder),
                         "--seed", seed, "-o", str(path.with_suffix(".png")), "--npy", str(path))
        assert result.returncode == 0, result.stderr[-2000:]
    drawn = np.load(out[0])
    np.testing.assert_array_equal(drawn, np.load(out[1]))  # a seed is a style
    assert not np.array_equal(drawn, np.load(out[2]))
    # the files' colours are read back as the classes they were drawn from
    expected = model.translate(classes.astype("int32"), seed=1)
    np.testing.assert_allclose(drawn, expected, atol=1e-5)
    plain = run_cli("sample", str(tmp_path / "plain.keras"), "--input", str(folder), "-o",
                    str(tmp_path / "p.png"))
    assert plain.returncode == 2 and "no image file holds (one-hot label maps" in plain.stderr

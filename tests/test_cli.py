"""The command line, run as a user runs it: the installed console script."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import keras
import keras_gan_zoo as kgz


def run_cli(*args, cwd=None):
    exe = shutil.which("keras-gan-zoo")
    command = [exe] if exe else [sys.executable, "-m", "keras_gan_zoo.cli"]
    return subprocess.run(command + list(args), capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def test_quickstart_writes_pngs_and_a_model(tmp_path):
    out = tmp_path / "qs"
    result = run_cli("quickstart", "--epochs", "2", "--out", str(out), "--verbose", "2")
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


def test_evaluate_fid_and_modes(tmp_path):
    digits = kgz.data.digits()
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4})
    model.compile()
    model.fit(digits[:64], batch_size=32, epochs=1, verbose=0)
    model.save(tmp_path / "gan.keras")
    np.save(tmp_path / "real.npy", digits[:500])
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

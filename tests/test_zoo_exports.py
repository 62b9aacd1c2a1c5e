"""Exports inside presets: every zoo entry verified in every format, the carried files run
in their own runtimes against Keras, a deployer fetching only the file they run (by name from
a real HTTP server, by folder, from a loopback Hub), and what a preset does not carry made
once, in the cache."""

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_gan_zoo import export, zoo
from keras_gan_zoo.zoo import exports

from file_server import FileServer
from hf_loopback import HubServer
from test_cli import run_cli
from test_zoo_handles import CARD, ENTRIES, _files, _trained_gan

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))


def _tolerance(record):
    return export.QUANTIZED_TOLERANCE[record["quantize"]] if record["quantize"] else \
        export.TOLERANCE


# ----------------------------------------------------------------------- the zoo
def test_every_entry_is_verified_in_every_format_for_every_generator():
    for entry in zoo.list():
        meta = zoo.read_metadata(str(ENTRIES / entry["name"]))
        directions = [g.get("direction") for g in meta["generators"]]
        for direction in directions:
            for spec in exports.specs():
                record = exports.find(meta.get("exports"), spec, direction)
                assert record is not None, (entry["name"], spec, direction)
                measured = record["mean_abs_diff" if record["quantize"] else "max_abs_diff"]
                assert set(measured) == {"1", "7"}, (entry["name"], spec)
                assert max(measured.values()) <= _tolerance(record), (entry["name"], spec)
        carried = exports.carried(meta)
        assert sum(r["bytes"] for r in carried) + sum(
            f.stat().st_size for f in (ENTRIES / entry["name"]).iterdir() if f.is_file()) \
            <= 8e6, entry["name"]  # the zoo's budget for an entry
        listed = zoo.index.find(entry["name"]).get("exports", [])
        assert [r["file"] for r in listed] == [r["file"] for r in carried]


def _calibration_images(name, model, direction):
    import zoo_exports  # tools/: the entries' training sources, as the tool calibrates on them

    return zoo_exports.calibration(name, model)[direction]


@pytest.mark.slow
@pytest.mark.parametrize("name", [e["name"] for e in zoo.list()
                                  if zoo.index.find(e["name"]).get("exports")])
def test_the_exports_an_entry_carries_run_as_keras_does(name):
    """Each carried file, run by its own runtime, against the entry loaded in Keras."""
    model = zoo.load(name)
    folder = ENTRIES / name
    for record in exports.carried(zoo.read_metadata(str(folder))):
        path = exports.check(str(folder), record)
        loaded = export.load(path)
        direction = record["direction"]
        signature = model.signature(direction)
        if signature.kind == "sampler":
            ours, theirs = model.generate(7, seed=11), loaded.generate(7, seed=11)
        else:  # a translator's or an encoder's real sources, as the generator takes them
            images = model.generator_sources(
                _calibration_images(name, model, direction)[:7], direction)
            rng = np.random.default_rng(0)
            arrays = [images, *(p.draw(len(images), rng) for p in signature.inputs[1:])]
            ours = np.asarray(signature.generator(arrays if len(arrays) > 1 else images,
                                                  training=False))
            theirs = loaded(arrays)
        gap = np.abs(ours - theirs)
        worst = gap.mean() if record["quantize"] else gap.max()
        assert worst <= _tolerance(record), (name, record["spec"], direction, worst)


# ------------------------------------------------------------ a deployer's download
def test_a_carried_export_is_fetched_alone_checked_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GAN_ZOO_CACHE", str(tmp_path / "cache"))
    record = exports.find(zoo.index.find("dcgan_mnist")["exports"], "onnx-int8")
    with FileServer(ENTRIES) as mirror:
        monkeypatch.setenv("KERAS_GAN_ZOO_SOURCE", mirror.url)
        mirror.faults["/dcgan_mnist/" + record["file"]] = "truncate"
        with pytest.raises(zoo.PresetError, match="nothing was cached"):
            zoo.load("dcgan_mnist", format="onnx", quantize="int8")
        assert _files(tmp_path / "cache") == []
        mirror.faults.clear()
        generator = zoo.load("dcgan_mnist", format="onnx", quantize="int8")
        assert isinstance(generator, export.ExportedGenerator)
        assert generator.metadata["quantization"]["mode"] == "int8"
        assert mirror.requests == ["/dcgan_mnist/" + record["file"]] * 2  # not the weights
        path = zoo.export_path("dcgan_mnist", "onnx", quantize="int8")
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == record["sha256"]
        monkeypatch.setenv("KERAS_GAN_ZOO_OFFLINE", "1")
        again = zoo.load("dcgan_mnist", format="onnx", quantize="int8")
        assert len(mirror.requests) == 2  # a cache hit
        np.testing.assert_array_equal(again.generate(3, seed=1), generator.generate(3, seed=1))
        with pytest.raises(zoo.PresetError, match="`keras-gan-zoo download dcgan_mnist "
                                                  "--format onnx`"):
            zoo.load("dcgan_mnist", format="onnx")


def test_a_users_preset_carries_verified_exports(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GAN_ZOO_CACHE", str(tmp_path / "cache"))
    model = _trained_gan()
    folder = tmp_path / "my_gan"
    zoo.save(model, str(folder), card=CARD, exports=["onnx", "onnx-int8"])
    assert sorted(os.listdir(folder / "exports")) == ["generator.int8.onnx", "generator.onnx"]
    meta = json.loads((folder / "metadata.json").read_text())
    assert [r["spec"] for r in meta["exports"]] == ["onnx", "onnx-int8"]
    card = (folder / "README.md").read_text()
    assert "| export onnx-int8 | `exports/generator.int8.onnx`" in card
    generator = zoo.load(str(folder), format="onnx")
    np.testing.assert_allclose(generator.generate(5, seed=2), model.generate(5, seed=2),
                               atol=export.TOLERANCE)
    assert _files(tmp_path / "cache") == []  # read where it is, not copied
    # a damaged carried file is refused, and left as it was
    path = folder / "exports" / "generator.onnx"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(zoo.PresetError, match="generator.onnx fails its hash check"):
        zoo.load(str(folder), format="onnx")
    with pytest.raises(zoo.PresetError, match="unknown export spec 'onnx-int4': expected one "
                                              "of onnx, onnx-float16, onnx-int8"):
        zoo.load(str(folder), format="onnx", quantize="int4")


@pytest.mark.slow
def test_a_format_a_preset_does_not_carry_is_exported_once_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GAN_ZOO_CACHE", str(tmp_path / "cache"))
    model = _trained_gan()
    folder = tmp_path / "my_gan"
    zoo.save(model, str(folder), card=CARD)
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    path = zoo.export_path(str(folder), "litert")
    assert path.startswith(str(tmp_path / "cache")) and path.endswith("generator.tflite")
    made = os.stat(path).st_mtime_ns
    generator = zoo.load(str(folder), format="litert")
    assert os.stat(path).st_mtime_ns == made  # made once
    np.testing.assert_allclose(generator.generate(4, seed=0), model.generate(4, seed=0),
                               atol=export.TOLERANCE)
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before  # the user's, untouched


@pytest.mark.slow
def test_an_export_on_the_hub_is_downloaded_without_the_weights(tmp_path):
    model = _trained_gan()
    folder = tmp_path / "my_gan"
    zoo.save(model, str(folder), card=CARD, exports=["onnx"])
    with HubServer() as hub:
        env = {"HF_ENDPOINT": hub.endpoint, "HF_HOME": str(tmp_path / "hf"), "HF_TOKEN": "t",
               "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
               "KERAS_GAN_ZOO_CACHE": str(tmp_path / "cache")}
        assert run_cli("upload", str(folder), "hf://someone/my_gan", env=env).returncode == 0
        assert "exports/generator.onnx" in hub.files("someone/my_gan")
        served = len(hub.requests)
        result = run_cli("download", "hf://someone/my_gan", "--format", "onnx", env=env)
        assert result.returncode == 0, result.stderr[-3000:]
        path = result.stdout.strip().rsplit(": ", 1)[-1]
        fetched = [p for m, p in hub.requests[served:] if m == "GET" and "/resolve/" in p]
        assert fetched and all(p.endswith(("metadata.json", "generator.onnx")) for p in fetched)
        out = tmp_path / "s.npy"
        assert run_cli("sample", path, "-n", "4", "--seed", "3", "-o", str(tmp_path / "s.png"),
                       "--npy", str(out), env=env).returncode == 0
        np.testing.assert_allclose(np.load(out), model.generate(4, seed=3), atol=1e-5)

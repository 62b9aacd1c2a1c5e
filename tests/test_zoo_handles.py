"""Loading by handle: zoo names fetched from a real HTTP server into the cache and checked,
offline use, damaged downloads, archives, a user's own preset saved, uploaded to a loopback
Hugging Face Hub and loaded back by hf:// handle (with revision pinning and offline mode)."""

import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_gan_zoo as kgz
from keras_gan_zoo import zoo
from keras_gan_zoo.zoo import cache

from file_server import FileServer
from hf_loopback import HubServer
from test_cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = ROOT / "zoo"


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


def test_the_index_is_up_to_date_with_the_entries():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "zoo_index.py"), "--check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_named_entry_is_fetched_once_checked_and_then_loads_offline(tmp_path, monkeypatch,
                                                                      zoo_server):
    monkeypatch.setenv("KERAS_GAN_ZOO_CACHE", str(tmp_path / "cache"))
    files = zoo.index.find("fgan_mnist")["files"]
    before = zoo_server.count("/fgan_mnist/")
    assert not zoo.cached("fgan_mnist")
    model = zoo.load("fgan_mnist")
    assert isinstance(model, kgz.GAN)
    assert zoo_server.count("/fgan_mnist/") - before == len(files)  # each file once
    assert zoo.cached("fgan_mnist") and [e["cached"] for e in zoo.list()
                                         if e["name"] == "fgan_mnist"] == [True]
    zoo.load("fgan_mnist")
    monkeypatch.setenv("KERAS_GAN_ZOO_OFFLINE", "1")
    offline = zoo.load("fgan_mnist")
    assert zoo_server.count("/fgan_mnist/") - before == len(files)  # cache hits: no request
    np.testing.assert_array_equal(offline.generate(4, seed=2), model.generate(4, seed=2))
    with pytest.raises(zoo.PresetError, match="fetch it while online with `keras-gan-zoo "
                                              "download wgan_mnist`"):
        zoo.load("wgan_mnist")


@pytest.mark.parametrize("fault", ["corrupt", "truncate"])
def test_a_damaged_download_is_refused_and_nothing_is_cached(tmp_path, monkeypatch, fault):
    monkeypatch.setenv("KERAS_GAN_ZOO_CACHE", str(tmp_path / "cache"))
    with FileServer(ENTRIES) as mirror:
        monkeypatch.setenv("KERAS_GAN_ZOO_SOURCE", mirror.url)
        mirror.faults["/ebgan_mnist/model.weights.h5"] = fault
        with pytest.raises(zoo.PresetError, match="SHA-256 is .* expected .* nothing was cached"):
            zoo.load("ebgan_mnist")
        assert _files(tmp_path / "cache") == []  # no part, no half-made entry
        assert not zoo.cached("ebgan_mnist")
        mirror.faults.clear()  # the mirror is mended: the next load fetches and works
        assert isinstance(zoo.load("ebgan_mnist"), kgz.EBGAN)


def test_a_damaged_cache_is_fetched_again(tmp_path, monkeypatch, zoo_server):
    monkeypatch.setenv("KERAS_GAN_ZOO_CACHE", str(tmp_path / "cache"))
    folder = Path(zoo.download("dcgan_mnist"))
    (folder / "model.weights.h5").write_bytes(b"not weights")
    assert not zoo.cached("dcgan_mnist")
    before = zoo_server.count("/dcgan_mnist/")
    assert isinstance(zoo.load("dcgan_mnist"), kgz.GAN)
    assert zoo_server.count("/dcgan_mnist/") > before


def test_presets_load_from_a_folder_a_tar_gz_and_a_zip(tmp_path):
    reference = zoo.load(str(ENTRIES / "cgan_mnist")).generate(3, seed=1)
    tar = tmp_path / "cgan_mnist.tar.gz"
    zoo.pack(str(ENTRIES / "cgan_mnist"), str(tar))
    archive = zipfile.ZipFile(tmp_path / "cgan_mnist.zip", "w")
    for name in os.listdir(ENTRIES / "cgan_mnist"):
        archive.write(ENTRIES / "cgan_mnist" / name, f"cgan_mnist/{name}")
    archive.close()
    for handle in (tar, tmp_path / "cgan_mnist.zip"):
        model = zoo.load(str(handle), cache_dir=str(tmp_path / "cache"))
        np.testing.assert_array_equal(model.generate(3, seed=1), reference)
    with pytest.raises(zoo.PresetError, match="does not exist"):
        zoo.load(str(tmp_path / "missing.tar.gz"))
    with pytest.raises(zoo.PresetError, match="is not a folder"):
        zoo.load(str(tmp_path / "missing_folder/"))


def _tar_with(member_name):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(member_name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["../evil.txt", "/tmp/kgz-evil.txt", "preset/../../evil.txt"])
def test_an_archive_member_that_would_land_outside_its_folder_is_refused(tmp_path, member):
    tar = tmp_path / "bad.tar.gz"
    tar.write_bytes(_tar_with(member))
    with pytest.raises(zoo.PresetError, match="would land outside its folder"):
        zoo.load(str(tar), cache_dir=str(tmp_path / "cache"))
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(member, b"evil")
    with pytest.raises(zoo.PresetError, match="would land outside its folder"):
        zoo.load(str(archive), cache_dir=str(tmp_path / "cache"))
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/kgz-evil.txt").exists()
    assert [p for p in _files(tmp_path / "cache") if "evil" in p] == []


def test_handles_that_name_nothing_say_what_a_handle_is(tmp_path, monkeypatch):
    with pytest.raises(zoo.PresetError, match="neither a zoo name"):
        zoo.load("Not A Name")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my_gan").mkdir()
    with pytest.raises(zoo.PresetError, match=r"not a zoo name; .* give it as a path: ./my_gan"):
        zoo.load("my_gan")
    with pytest.raises(zoo.PresetError, match="expected hf://owner/repo"):
        zoo.load("hf://just-a-name")


def test_the_default_source_is_the_clone_or_where_entries_are_published(monkeypatch):
    monkeypatch.delenv("KERAS_GAN_ZOO_SOURCE")
    from_clone = Path(kgz.__file__).resolve().parents[1] == ROOT
    assert cache.source() == (str(ENTRIES) if from_clone else cache.DEFAULT_SOURCE)
    assert cache.location("cgan_mnist", "config.json", cache.DEFAULT_SOURCE).endswith(
        "/cgan_mnist/resolve/main/config.json")
    assert cache.location("cgan_mnist", "config.json", "https://mirror.example/zoo/") == \
        "https://mirror.example/zoo/cgan_mnist/config.json"


# ------------------------------------------------------------- your own presets
def _trained_gan(seed=0):
    keras.utils.set_random_seed(seed)
    model = kgz.GAN.for_shape((8, 8, 1), latent_dim=4, network_kwargs={"base_filters": 4},
                              seed=seed)
    model.compile()
    images = np.random.default_rng(seed).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    model.fit(images, batch_size=16, epochs=1, verbose=0)
    return model


CARD = {"description": "A tiny GAN on noise, to test sharing.", "data": "32 noise images",
        "datasets": ["ylecun/mnist"], "license": "mit", "tags": ["test"],
        "metrics": {"fd": 1.5}, "headline": "FD 1.5"}


def test_a_users_model_is_saved_with_a_hub_card_and_loads_back(tmp_path):
    model = _trained_gan()
    folder = tmp_path / "my_gan"
    zoo.save(model, str(folder), card=CARD, samples=model.generate(20, seed=0))
    readme = (folder / "README.md").read_text()
    front, body = readme.split("---\n")[1], readme.split("---\n", 2)[2]
    for line in ('library_name: "keras"', 'license: "mit"', '- "keras-gan-zoo"', '- "gan"',
                 '- "test"', 'pipeline_tag: "unconditional-image-generation"', '- "ylecun/mnist"'):
        assert line in front, line
    assert "A tiny GAN on noise" in body and "| fd | 1.5 |" in body and "samples.png" in body
    loaded = zoo.load(str(folder))
    np.testing.assert_array_equal(loaded.generate(5, seed=3), model.generate(5, seed=3))
    # nothing the user had is lost: an existing folder is kept unless overwrite=True
    before = (folder / "model.weights.h5").read_bytes()
    with pytest.raises(zoo.PresetError, match="already exists"):
        zoo.save(_trained_gan(seed=1), str(folder), card=CARD)
    assert (folder / "model.weights.h5").read_bytes() == before
    with pytest.raises(zoo.PresetError, match="invalid preset name 'My GAN'"):
        zoo.save(model, str(tmp_path / "My GAN"), card=CARD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_gan"]  # no staging left


@pytest.mark.slow
def test_download_all_then_list_says_every_entry_is_cached(tmp_path):
    env = {"KERAS_GAN_ZOO_CACHE": str(tmp_path / "cache")}
    assert "  no  " in run_cli("list", env=env).stdout
    result = run_cli("download", "all", "--verbose", "0", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    listed = run_cli("list", env={**env, "KERAS_GAN_ZOO_OFFLINE": "1"}).stdout
    rows = {line.split()[0]: line for line in listed.splitlines() if line.split()[:1] in
            [[e["name"]] for e in zoo.list()]}
    assert len(rows) == len(zoo.list()) and all("  yes  " in row for row in rows.values())
    for entry in zoo.list():  # each row gives the entry's headline
        assert entry["headline"] in rows[entry["name"]]


@pytest.mark.slow
def test_a_users_preset_goes_to_the_hub_and_loads_by_handle_pinned_and_offline(tmp_path):
    first = _trained_gan(seed=0)
    folder = tmp_path / "my_gan"
    zoo.save(first, str(folder), card=CARD)
    with HubServer() as hub:
        env = {"HF_ENDPOINT": hub.endpoint, "HF_HOME": str(tmp_path / "hf"), "HF_TOKEN": "t",
               "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
        result = run_cli("upload", str(folder), "hf://someone/my_gan", env=env)
        assert result.returncode == 0, result.stderr[-3000:]
        assert sorted(hub.files("someone/my_gan")) == sorted(os.listdir(folder))
        commits = [m for m, path in hub.requests if path.endswith("/commit/main")]
        assert commits == ["POST"]  # one commit through preupload + commit
        first_sha = result.stdout.strip().rsplit("/", 1)[-1]  # the commit URL it printed
        assert len(first_sha) == 40 and hub.files("someone/my_gan", first_sha)

        # a second version of the model, uploaded over the first
        second = _trained_gan(seed=1)
        zoo.save(second, str(folder), card=CARD, overwrite=True)
        assert run_cli("upload", str(folder), "hf://someone/my_gan", env=env).returncode == 0

        def sample(handle, extra_env=None):
            out = tmp_path / f"s{len(os.listdir(tmp_path))}"
            result = run_cli("sample", handle, "-n", "4", "--seed", "3", "-o",
                             str(out) + ".png", "--npy", str(out) + ".npy",
                             env={**env, **(extra_env or {})})
            assert result.returncode == 0, result.stderr[-3000:]
            return np.load(str(out) + ".npy")

        np.testing.assert_allclose(sample("hf://someone/my_gan"), second.generate(4, seed=3),
                                   atol=1e-5)
        np.testing.assert_allclose(sample(f"hf://someone/my_gan@{first_sha}"),
                                   first.generate(4, seed=3), atol=1e-5)
        served = len(hub.requests)
        offline = sample(f"hf://someone/my_gan@{first_sha}", {"HF_HUB_OFFLINE": "1"})
        np.testing.assert_allclose(offline, first.generate(4, seed=3), atol=1e-5)
        assert len(hub.requests) == served  # from the Hub's cache, without a request
        missing = run_cli("sample", "hf://someone/other", "-o", str(tmp_path / "x.png"),
                          env={**env, "HF_HUB_OFFLINE": "1"})
        assert missing.returncode == 2 and "not in the Hugging Face cache" in missing.stderr

"""The pretrained zoo: bundled entries load offline, sample, export; presets are checked."""

import hashlib
import json
import os
import shutil
from pathlib import Path

import keras
import tensorflow as tf
import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

import keras_gan_zoo as kgz
from keras_gan_zoo import zoo

from file_server import FileServer
from shared_data import shared_data
from test_cli import run_cli

#: Variants without a zoo entry yet (trained on the emoji data by the colour-image work).
NOT_YET_IN_THE_ZOO = {"sagan"}
#: Recipes whose entry is being trained (resumable, across sessions): no entry yet.
RECIPES_IN_TRAINING = set()
ENTRIES = Path(__file__).resolve().parents[1] / "zoo"


def _folder_bytes(directory):
    return sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory))


def test_one_entry_per_variant_with_a_card_within_the_size_budget():
    entries = zoo.list()
    assert {e["variant"] for e in entries} == set(kgz.VARIANTS) - NOT_YET_IN_THE_ZOO
    sizes = {e["name"]: _folder_bytes(ENTRIES / e["name"]) for e in entries}
    assert max(sizes.values()) <= 8e6, sizes  # every file of an entry, card and grid included
    for entry in entries:
        assert entry["headline"]
        meta = zoo.info(entry["name"])
        assert meta["command"].startswith("python tools/train_zoo.py " + entry["name"])
        assert meta["metrics"] and meta["training_minutes"] > 0
        directory = ENTRIES / entry["name"]
        for name in ("README.md", "samples.png", "config.json", "model.weights.h5"):
            assert os.path.isfile(os.path.join(directory, name))


def _recipes():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "zoo_recipes.py"
    spec = importlib.util.spec_from_file_location("zoo_recipes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_recipe_with_a_missing_or_unknown_field_says_which(tmp_path, monkeypatch):
    recipes = _recipes()
    monkeypatch.setattr(recipes, "RECIPES_DIR", tmp_path)
    good = (Path(__file__).resolve().parents[1] / "tools" / "recipes"
            / "dcgan_mnist.toml").read_text()
    (tmp_path / "typo.toml").write_text(good.replace("epochs =", "epoch ="))
    with pytest.raises(ValueError, match=r"missing epochs; unknown field\(s\) epoch"):
        recipes.load("typo")
    with pytest.raises(ValueError, match="no recipe for 'nothing'.*recipes: typo"):
        recipes.load("nothing")


def test_every_bundled_entry_has_a_recipe_and_every_recipe_an_entry():
    names = _recipes().names()
    assert sorted(set(names) - RECIPES_IN_TRAINING) == sorted(e["name"] for e in zoo.list())
    assert RECIPES_IN_TRAINING <= set(names)  # a recipe in training is a recipe
    for name in RECIPES_IN_TRAINING:  # that builds its model
        assert _recipes().build_model(_recipes().load(name)).variant_name in NOT_YET_IN_THE_ZOO


@pytest.mark.parametrize("name", [e["name"] for e in zoo.list()])
def test_bundled_entry_loads_with_the_settings_it_was_trained_with(name):
    # Every argument of the variant (not the networks, name or version) as the
    # entry's recipe (tools/recipes/NAME.toml) sets it, whatever today's defaults.
    recipes = _recipes()
    recipe = recipes.build_model(recipes.load(name)).get_config()
    loaded = zoo.load(name).get_config()
    skip = {"name", "config_version", *kgz.VARIANTS[zoo.info(name)["variant"]].network_names}
    settings = {k: v for k, v in recipe.items() if k not in skip}
    assert {k: loaded[k] for k in settings} == settings


@pytest.mark.parametrize("name", [e["name"] for e in zoo.list()])
def test_the_card_says_what_the_generator_takes_as_the_variant_declares(name):
    model = zoo.load(name)
    meta = zoo.info(name)
    assert meta["generators"] == json.loads(json.dumps(zoo.generators(model)))
    card = open(os.path.join(zoo.resolve(name), "README.md")).read()
    for port in model.signature(model.directions[0]).inputs:
        assert f"`{port.name}`" in card and port.meaning in card


@pytest.mark.parametrize("name", [e["name"] for e in zoo.list()])
def test_bundled_entry_loads_samples_and_exports_with_parity(name, tmp_path):
    meta = zoo.info(name)
    model = zoo.load(name)
    assert type(model) is kgz.VARIANTS[meta["variant"]]
    assert not model.compiled  # weights only; compile() to fine-tune
    if model.kind == "translator":  # images (or colour label maps) of what it reads from files
        images = np.random.default_rng(0).uniform(-1, 1, (2,) + model.source_shape())
        out = model.translate(images.astype("float32"))
    else:
        out = model.generate(4, seed=0)
        np.testing.assert_array_equal(out, model.generate(4, seed=0))
    assert np.isfinite(out).all() and out.min() >= -1 and out.max() <= 1
    if not any(r["spec"] == "onnx" for r in zoo.exports.carried(meta)):
        # an entry's carried ONNX files are run against Keras in test_zoo_exports.py; one
        # that carries none is converted here, as a user's `export` would
        result = kgz.export.to_onnx(model, tmp_path / "g.onnx")
        assert max(result.max_abs_diff.values()) <= 1e-4


def test_cgan_entry_makes_the_digit_asked_for():
    model = kgz.ConditionalGAN.from_preset("cgan_mnist")
    accuracy, _ = kgz.metrics.conditional_accuracy(model, n_per_class=20)
    card = zoo.info("cgan_mnist")["metrics"]["class_accuracy"]
    assert accuracy >= card - 0.1  # the card's number, up to sampling noise on 200 samples


def test_cyclegan_entry_keeps_the_labels_its_card_reports():
    # Held-out digits prepared as the card says the entry was trained:
    # deskewed MNIST, USPS in MNIST's framing, both 32x32.
    mnist = kgz.data.mnist(shared_data("mnist"), split="test", size=32, deskew=True)
    usps = kgz.data.usps(shared_data("usps"), "test", size=32, framing="mnist")
    (x, y), (u, uy) = (kgz.data.to_arrays(d.take(400)) for d in (mnist, usps))
    model = kgz.CycleGAN.from_preset("cyclegan_mnist_usps")
    card = zoo.info("cyclegan_mnist_usps")["metrics"]
    to_usps = np.mean(kgz.metrics.classify_digits(model.translate(x)) == y)
    to_mnist = np.mean(kgz.metrics.classify_digits(model.translate(u, "b_to_a")) == uy)
    # the card's numbers (2,000 / 2,007 digits), up to sampling noise on 400
    assert to_usps >= card["label_kept_mnist_to_usps"] - 0.06
    assert to_mnist >= card["label_kept_usps_to_mnist"] - 0.06


def test_from_preset_checks_the_variant():
    with pytest.raises(zoo.PresetError, match="holds a ConditionalGAN, not a GAN"):
        kgz.GAN.from_preset("cgan_mnist")


def test_unknown_names_suggest_the_closest():
    with pytest.raises(zoo.PresetError, match="did you mean cgan_mnist"):
        zoo.load("cgan_mnst")


@pytest.mark.parametrize("name", ["..", "../presets", "cgan_mnist/../dcgan_mnist", "/etc/passwd",
                                  "CGAN_MNIST"])
def test_names_cannot_escape_the_zoo(name):
    with pytest.raises(zoo.PresetError):
        zoo.load(name)


def _copy_preset(tmp_path, name="dcgan_mnist"):
    target = tmp_path / name
    shutil.copytree(ENTRIES / name, target)
    return target


def test_tampered_or_truncated_weights_are_refused(tmp_path):
    preset = _copy_preset(tmp_path)
    weights = preset / "model.weights.h5"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(zoo.PresetError, match="fails its hash check"):
        zoo.load(str(preset))
    weights.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(zoo.PresetError, match="truncated or has been modified"):
        zoo.load(str(preset))


def test_a_preset_cannot_run_code(tmp_path):
    """A config with a Lambda layer (code) is refused even when its hashes are right."""
    marker = tmp_path / "ran.txt"
    z = keras.Input((4,), name="z")
    side_effect = f"open({str(marker)!r}, 'w').write('ran') and None or x"
    x = keras.layers.Lambda(eval(f"lambda x: {side_effect}"))(z)  # noqa: S307 (the attack)
    marker.unlink()  # building the model ran it once, here, on purpose
    image = keras.layers.Reshape((2, 2, 1))(keras.layers.Dense(4, activation="tanh")(x))
    generator = keras.Model(z, image)
    disc_in = keras.Input((2, 2, 1))
    discriminator = keras.Model(disc_in, keras.layers.Dense(1)(keras.layers.Flatten()(disc_in)))
    model = kgz.GAN(generator, discriminator)
    # the attacker ships consistent hashes: only safe_mode stands in the way
    preset = tmp_path / "evil"
    preset.mkdir()
    (preset / "config.json").write_text(json.dumps(keras.saving.serialize_keras_object(model)))
    model.save_weights(preset / "model.weights.h5")
    files = {name: {"sha256": hashlib.sha256((preset / name).read_bytes()).hexdigest()}
             for name in ("config.json", "model.weights.h5")}
    (preset / "metadata.json").write_text(json.dumps({"name": "evil", "files": files}))
    with pytest.raises(Exception, match="safe_mode"):
        zoo.load(str(preset))
    assert not marker.exists()


def test_url_preset_downloads_once_and_checks_its_hash(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    sha = zoo.pack(str(ENTRIES / "cgan_mnist"), str(served / "cgan_mnist.tar.gz"))
    cache = tmp_path / "cache" / "not yet made"  # a cache folder that does not exist is made
    with FileServer(served) as server:
        url = f"{server.url}/cgan_mnist.tar.gz"
        model = zoo.load(url, sha256=sha, cache_dir=str(cache))
        assert isinstance(model, kgz.ConditionalGAN)
        assert (cache / "archives" / sha[:16]).is_dir()  # in that folder, nowhere else
        reference = zoo.load("cgan_mnist")
        np.testing.assert_array_equal(model.generate(3, seed=1), reference.generate(3, seed=1))
        zoo.load(url, sha256=sha, cache_dir=str(cache))
        assert server.count("cgan_mnist.tar.gz") == 1  # the second load came from the cache

        wrong = "0" * 64
        with pytest.raises(zoo.PresetError, match="expected 0000000000000000.*nothing was cached"):
            zoo.load(url, sha256=wrong, cache_dir=str(cache))
        assert not (cache / "archives" / wrong[:16]).exists()
        assert sorted(p.name for p in (cache / "downloads").iterdir()) == [sha + ".tar.gz"]
        with pytest.raises(zoo.PresetError, match="needs its SHA-256"):
            zoo.load(url, cache_dir=str(cache))


@pytest.mark.slow
def test_cli_sample_and_export(tmp_path):
    # (list: tests/test_zoo_handles.py::test_download_all_then_list_says_every_entry_is_cached)
    result = run_cli("sample", "cgan_mnist", "-n", "16", "--label", "3", "-o", str(tmp_path / "g.png"),
                     "--npy", str(tmp_path / "g.npy"))
    assert result.returncode == 0, result.stderr
    threes = np.load(tmp_path / "g.npy")
    assert np.mean(kgz.metrics.classify_digits(threes) == 3) >= 0.8

    result = run_cli("sample", "infogan_mnist", "-n", "8", "--categorical", "2", "--continuous",
                     "0.5,-0.5", "-o", str(tmp_path / "i.png"))
    assert result.returncode == 0, result.stderr

    folder = tmp_path / "digits"
    folder.mkdir()
    from PIL import Image

    for i, image in enumerate(kgz.data.digits()[:3]):
        Image.fromarray(((image[..., 0] + 1) * 127.5).astype("uint8")).save(folder / f"{i}.png")
    result = run_cli("sample", "cyclegan_mnist_usps", "--input", str(folder), "-o",
                     str(tmp_path / "c.png"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "c.png").exists()
    # --deskew shears the inputs upright first, as the entry's MNIST side was trained
    result = run_cli("sample", "cyclegan_mnist_usps", "--input", str(folder), "--deskew", "-o",
                     str(tmp_path / "d.png"), "--npy", str(tmp_path / "d.npy"))
    assert result.returncode == 0, result.stderr
    assert np.load(tmp_path / "d.npy").shape == (3, 32, 32, 1)

    result = run_cli("export", "cgan_mnist", "--format", "onnx", "--out", str(tmp_path / "c.onnx"))
    assert result.returncode == 0, result.stderr
    session = ort.InferenceSession(str(tmp_path / "c.onnx"), providers=["CPUExecutionProvider"])
    meta = json.loads(session.get_modelmeta().custom_metadata_map["keras_gan_zoo"])
    assert meta["variant"] == "conditional_gan" and meta["num_classes"] == 10


def test_cli_sample_names_what_an_entry_does_not_take(tmp_path, capsys):
    from keras_gan_zoo.cli import main

    for flags, message in ((["--label", "3"], "--label does not apply to a GAN"),
                           (["--deskew"], "--deskew does not apply to a GAN")):
        assert main(["sample", "dcgan_mnist", *flags, "-o", str(tmp_path / "x.png")]) == 2
        assert message in capsys.readouterr().err
    assert main(["sample", "dcgan_mnst"]) == 2
    assert "did you mean dcgan_mnist" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def _tiny_pix2pix():
    keras.utils.set_random_seed(3)
    model = kgz.Pix2Pix.for_shape((8, 8, 1), (8, 8, 1), base_filters=4, seed=3)
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
    model.fit(images, -images, batch_size=4, epochs=1, verbose=0)
    return model, images


def _meta(name):
    return {"name": name, "variant": "pix2pix", "data": "noise", "command": "none",
            "headline": "none"}


def test_a_preset_without_training_networks_leaves_out_the_training_state_too(tmp_path):
    import h5py

    keras.utils.set_random_seed(0)
    model = kgz.CycleGAN.for_shape((16, 16, 3), (16, 16, 3), base_filters=4, num_blocks=1,
                                   pool_size=8, seed=0)
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype("float32")
    model.fit(tf.data.Dataset.from_tensor_slices((images, images[::-1])).batch(4), epochs=1,
              verbose=0)  # the history pools fill
    meta = {"name": "cycle", "variant": "cyclegan", "data": "noise", "command": "none",
            "headline": "none"}
    full = zoo.save(model, str(tmp_path / "full"), meta)
    slim = zoo.save(model, str(tmp_path / "slim"), meta, training_networks=False)

    def own_variables(preset):
        with h5py.File(os.path.join(preset, "model.weights.h5")) as f:
            return sorted(f["vars"].keys()) if "vars" in f else []

    assert set(kgz.CycleGAN.training_only_state) <= set(own_variables(full))
    assert not set(kgz.CycleGAN.training_only_state) & set(own_variables(slim))
    pools = 2 * 8 * 16 * 16 * 3 * 4  # two pools of 8 float32 images
    assert (zoo.info(full)["files"]["model.weights.h5"]["bytes"]
            - zoo.info(slim)["files"]["model.weights.h5"]["bytes"]) > pools
    loaded = zoo.load(slim)
    np.testing.assert_array_equal(loaded.translate(images), model.translate(images))
    np.testing.assert_array_equal(loaded.translate(images, "b_to_a"),
                                  model.translate(images, "b_to_a"))


def test_a_float16_preset_without_discriminator_is_smaller_and_translates_as_saved(tmp_path):
    model, images = _tiny_pix2pix()
    full = zoo.save(model, str(tmp_path / "full"), _meta("full"))
    slim = zoo.save(model, str(tmp_path / "slim"), _meta("slim"), weights_dtype="float16",
                    training_networks=False)
    full_meta, slim_meta = zoo.info(full), zoo.info(slim)
    assert full_meta["stored_networks"] == ["generator", "discriminator"]
    assert slim_meta["stored_networks"] == ["generator"]
    assert slim_meta["weights_dtype"] == "float16"
    g_params = model.generator.count_params()
    d_params = model.discriminator.count_params()
    # the weights file shrinks by the dropped network and by half a float per weight
    growth = (full_meta["files"]["model.weights.h5"]["bytes"]
              - slim_meta["files"]["model.weights.h5"]["bytes"])
    assert growth > 4 * d_params + 2 * g_params * 0.9
    half = zoo.info(zoo.save(model, str(tmp_path / "half"), _meta("half"),
                             weights_dtype="float16"))
    saved = (full_meta["files"]["model.weights.h5"]["bytes"]
             - half["files"]["model.weights.h5"]["bytes"])
    assert saved >= 0.95 * 2 * (g_params + d_params)  # the file shrinks, not only its arrays
    assert "generator in float16 (computed in float32 when loaded)" in open(
        os.path.join(slim, "README.md")).read()

    loaded = zoo.load(slim)
    assert all(w.dtype == "float32" for w in loaded.generator.weights)
    for got, want in zip(loaded.generator.get_weights(), model.generator.get_weights()):
        np.testing.assert_array_equal(got, want.astype("float16").astype("float32"))
    made, want = loaded.translate(images), model.translate(images)
    assert 0 < np.abs(made - want).max() < 2e-2  # float16 rounding, nothing else
    # the discriminator was not stored: it is a fresh one, not the trained one
    fresh = loaded.discriminator.get_weights()[0]
    assert fresh.shape == model.discriminator.get_weights()[0].shape
    assert not np.allclose(fresh, model.discriminator.get_weights()[0])
    # and the full preset brings the trained discriminator back exactly
    for got, want in zip(zoo.load(full).discriminator.get_weights(),
                         model.discriminator.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_a_preset_weights_dtype_must_be_a_float_keras_can_widen(tmp_path):
    model, _ = _tiny_pix2pix()
    with pytest.raises(zoo.PresetError, match="expected weights_dtype 'float32' or 'float16', "
                                              "got 'int8'"):
        zoo.save(model, str(tmp_path / "p"), _meta("p"), weights_dtype="int8")
    assert not (tmp_path / "p").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in ("pix2pix_facades", "gaugan_facades")
                                  if n in {e["name"] for e in zoo.list()}])
def test_cli_draws_photos_from_real_facades_label_map_files_with_an_entry(name, tmp_path):
    # three held-out label maps, written as the PNG files a user would hand over
    photos, maps = kgz.data.to_arrays(kgz.data.facades(shared_data("facades"), size=256,
                                                       paired=True).skip(400).take(3))
    folder = tmp_path / "maps"
    folder.mkdir()
    for i, m in enumerate(maps):
        Image.fromarray(np.round((m + 1) * 127.5).astype("uint8")).save(folder / f"{i}.png")
    result = run_cli("sample", name, "--input", str(folder), "--seed", "0",
                     "-o", str(tmp_path / "grid.png"), "--npy", str(tmp_path / "out.npy"))
    assert result.returncode == 0, result.stderr[-2000:]
    drawn = np.load(tmp_path / "out.npy")
    assert drawn.shape == (3, 256, 256, 3) and Image.open(tmp_path / "grid.png").width > 256
    model = zoo.load(name)
    inputs = model.signature(model.directions[0]).inputs
    noise = {"seed": 0} if any(p.kind == "normal" for p in inputs) else {}
    read_back = np.stack([np.asarray(Image.open(folder / f"{i}.png"), "float32") / 127.5 - 1
                          for i in range(3)])
    np.testing.assert_allclose(drawn, model.translate(read_back, **noise), atol=1e-4)
    # and the bundled segmenter reads the drawn photos as the maps they were drawn from
    # (pix2pix_facades: 0.53 of pixels, the real photos 0.54), far more than as other maps
    # (0.21)
    own = kgz.metrics.fcn_score(drawn, maps)["pixel_accuracy"]
    other = kgz.metrics.fcn_score(drawn, np.roll(maps, 1, axis=0))["pixel_accuracy"]
    assert own > 0.4 and own > other + 0.15, (own, other)

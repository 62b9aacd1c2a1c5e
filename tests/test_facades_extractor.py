"""The facades label colours and the bundled facades extractor, on the real files."""

import importlib
import json

import numpy as np
import pytest
import tensorflow as tf

import keras_gan_zoo as kgz
from shared_data import shared_data
from test_cli import run_cli

FEATURES = importlib.import_module("keras_gan_zoo.metrics.features")  # the module, not the function


@pytest.fixture(scope="module")
def facades():
    pairs = kgz.data.facades(shared_data("facades"), size=64, unpaired=False)
    photos, maps = zip(*[(p.numpy(), m.numpy()) for p, m in pairs])
    return np.stack(photos), np.stack(maps)


def test_label_colours_map_to_the_classes(facades):
    _, maps = facades
    classes = kgz.data.facade_classes(maps[:100])
    assert classes.shape == (100, 64, 64) and classes.dtype == np.int32
    counts = np.bincount(classes.ravel(), minlength=13)
    assert (counts > 0).all()  # every class occurs in the first 100 files
    assert counts.argmax() == kgz.data.FACADE_CLASSES.index("facade")  # the wall is the most
    # the palette is where the colours are: the nearest palette colour is close
    rgb = (maps[:100].reshape(-1, 3) + 1) * 127.5
    nearest = np.sqrt(((rgb[:, None] - kgz.data.FACADE_PALETTE) ** 2).sum(-1).min(1))
    assert np.median(nearest) < 25  # at 64 px (resizing blends the colours at the edges)
    # uint8 maps give the same classes
    uint8 = np.clip(np.round((maps[:3] + 1) * 127.5), 0, 255).astype(np.uint8)
    assert (kgz.data.facade_classes(uint8) == classes[:3]).mean() > 0.99
    assert len(kgz.data.FACADE_CLASSES) == len(kgz.data.FACADE_PALETTE) == 13


def test_facade_classes_refuses_grey_maps():
    with pytest.raises(ValueError, match=r"expected RGB label maps \(n, h, w, 3\), got shape"):
        kgz.data.facade_classes(np.zeros((2, 8, 8, 1)))


def test_bundled_segmenter_reads_held_out_photos_as_its_card_says(facades):
    photos, maps = facades
    card = json.loads(open(FEATURES.FACADES_SEGMENTER.replace(".weights.h5", ".json")).read())
    predicted = FEATURES.segment_facades(photos[400:])
    accuracy = float(np.mean(predicted == kgz.data.facade_classes(maps[400:])))
    assert accuracy == pytest.approx(card["held_out"]["pixel_accuracy"], abs=0.01)
    majority = np.bincount(kgz.data.facade_classes(maps[:400]).ravel()).argmax()
    baseline = float(np.mean(kgz.data.facade_classes(maps[400:]) == majority))
    assert accuracy > baseline + 0.15  # well above calling every pixel the most frequent class


def test_facades_features_tell_photos_from_noise_and_blur(facades):
    photos, _ = facades
    train = kgz.metrics.features(photos[:400], extractor="facades")
    held = kgz.metrics.features(photos[400:], extractor="facades")
    blurred = kgz.metrics.features(np.asarray(tf.nn.avg_pool2d(photos[400:], 5, 1, "SAME")),
                                   extractor="facades")
    noise = kgz.metrics.features(
        np.random.default_rng(0).uniform(-1, 1, (100, 64, 64, 3)).astype("float32"),
        extractor="facades")
    fd = {name: kgz.metrics.frechet_distance(train, f)
          for name, f in (("held", held), ("blurred", blurred), ("noise", noise))}
    assert train.shape == (400, 352)
    assert fd["held"] * 5 < fd["blurred"] < fd["noise"]
    # any size is read (resized to 64x64): a photo at 128 px is nearest to itself at 64 px
    big = kgz.metrics.features(np.repeat(np.repeat(photos[:8], 2, 1), 2, 2), extractor="facades")
    nearest = ((big[:, None] - train[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(nearest, np.arange(8))


def test_facades_extractor_refuses_grey_images():
    with pytest.raises(ValueError, match="the facades extractor reads colour photos"):
        kgz.metrics.features(np.zeros((2, 64, 64, 1), "float32"), extractor="facades")


@pytest.mark.slow
def test_cli_evaluate_picks_the_extractor_by_channels_and_names_a_misfit(tmp_path, facades):
    photos, _ = facades
    model = kgz.GAN.for_shape((32, 32, 3), latent_dim=4, network_kwargs={"base_filters": 4})
    model.compile()
    model.save(tmp_path / "colour.keras")
    np.save(tmp_path / "photos.npy", photos[400:, ::2, ::2])
    result = run_cli("evaluate", str(tmp_path / "colour.keras"), "--metric", "kid", "--data",
                     str(tmp_path / "photos.npy"), "-n", "100")
    assert result.returncode == 0, result.stderr
    assert "extractor: facades" in result.stdout
    bad = run_cli("evaluate", str(tmp_path / "colour.keras"), "--metric", "kid", "--data",
                  str(tmp_path / "photos.npy"), "-n", "100", "--extractor", "digits")
    assert bad.returncode == 2
    assert "--extractor digits does not read images with 3 channel(s)" in bad.stderr
    assert "facades: colour photos" in bad.stderr and "Traceback" not in bad.stderr


def test_the_fcn_score_of_the_real_held_out_photos_is_the_segmenters_ceiling(facades):
    photos, maps = facades
    with open(FEATURES.FACADES_SEGMENTER.replace(".weights.h5", ".json")) as file:
        report = json.load(file)
    real = kgz.metrics.fcn_score(photos[400:], maps[400:])
    for key in ("pixel_accuracy", "mean_class_accuracy", "mean_iou"):
        assert real[key] == pytest.approx(report["held_out"][key], abs=2e-3), key
    # photos scored against another facade's map: what a generator that ignores its input gets
    shuffled = kgz.metrics.fcn_score(photos[400:], np.roll(maps[400:], 1, axis=0))
    assert shuffled["mean_iou"] < real["mean_iou"] - 0.03, (shuffled, real)
    # class maps in, the same score; larger photos are read at 64 px
    classes = kgz.data.facade_classes(maps[400:])
    assert kgz.metrics.fcn_score(photos[400:], classes) == real
    with pytest.raises(ValueError, match="one label map per photo, got 100 photos and 99 maps"):
        kgz.metrics.fcn_score(photos[400:], maps[401:])

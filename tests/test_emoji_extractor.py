"""The emoji data set and the bundled emoji extractor, on the real files."""

import importlib
import os

import numpy as np
import pytest

import keras_gan_zoo as kgz
from shared_data import shared_data

FEATURES = importlib.import_module("keras_gan_zoo.metrics.features")  # the module


@pytest.fixture(scope="module")
def twemoji():
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in
                           kgz.data.emoji(shared_data("emoji"), "twemoji")])
    return np.stack(images), np.asarray(labels)


def test_the_emoji_split_by_base_emoji_and_its_labels():
    folder = shared_data("emoji")
    records = kgz.data.emoji_records(folder)
    assert len(records) == 3786 - 5  # every file but the five Component swatches
    test = kgz.data.emoji(folder, "noto", split="test")
    train = kgz.data.emoji(folder, "noto", split="train")
    n_test, n_train = (sum(1 for _ in d) for d in (test, train))
    assert n_test + n_train == len(records)
    held_bases = {r["base"] for r in records if r["base"] % 5 == 4}
    # the split is by base emoji: a skin-tone variant sits with its base
    assert n_test == sum(r["base"] in held_bases for r in records)
    for r in records:
        if r["file"].count("-1f3f") and r["base"] in held_bases:
            break
    else:
        pytest.fail("no held-out skin-tone variant")
    labels = np.asarray([int(y) for _, y in train])
    assert set(labels.tolist()) == set(range(len(kgz.data.EMOJI_CATEGORIES)))
    assert np.bincount(labels).argmax() == kgz.data.EMOJI_CATEGORIES.index("People & Body")


def test_emoji_are_composited_on_the_background_asked_for(twemoji):
    images, _ = twemoji
    assert images.shape == (3781, 64, 64, 3) and images.dtype == np.float32
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1]]
    assert np.mean(np.all(corners == 1.0, axis=-1)) > 0.9  # white where transparent
    black = next(iter(kgz.data.emoji(shared_data("emoji"), background="black")))[0].numpy()
    assert np.all(black[0, 0] == -1.0)
    np.testing.assert_allclose(black[32, 32], images[0, 32, 32], atol=1e-6)  # opaque: the same
    small = next(iter(kgz.data.emoji(shared_data("emoji"), size=32)))[0].numpy()
    assert small.shape == (32, 32, 3) and small.min() >= -1 and small.max() <= 1


@pytest.mark.parametrize("call, message", [
    (lambda: kgz.data.emoji(shared_data("emoji"), "apple"),
     "unknown emoji style 'apple'; expected one of twemoji, noto"),
    (lambda: kgz.data.emoji(shared_data("emoji"), split="val"),
     "unknown split 'val'; expected 'train', 'test' or 'all'"),
    (lambda: kgz.data.emoji(shared_data("emoji", "noto")), "no emoji.json in"),
])
def test_bad_emoji_arguments_name_what_was_expected(call, message):
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        call()


def test_bundled_extractor_is_small_and_names_held_out_subcategories_as_its_card_says():
    report = FEATURES.emoji_extractor_report()
    assert os.path.getsize(FEATURES.EMOJI_EXTRACTOR) < 6e6
    folder = shared_data("emoji")
    records = [r for r in kgz.data.emoji_records(folder) if r["base"] % 5 == 4]
    images = np.stack([x.numpy() for x, _ in kgz.data.emoji(folder, "twemoji", split="test")])
    logits = np.asarray(FEATURES.emoji_extractor()(images, training=False)[0])
    guessed = [report["subcategories"][i] for i in logits.argmax(-1)]
    accuracy = np.mean([g == r["subcategory"] for g, r in zip(guessed, records)])
    assert accuracy == pytest.approx(report["held_out_accuracy"]["twemoji"]["subcategory"], abs=1e-6)
    chance = max(np.mean([r["subcategory"] == s for r in records]) for s in set(guessed))
    assert accuracy > chance + 0.3
    # the category of each image: what a conditional model's class accuracy reads
    categories = kgz.metrics.classify_emoji(images)
    truth = np.asarray([r["label"] for r in records])
    assert np.mean(categories == truth) == pytest.approx(
        report["held_out_accuracy"]["twemoji"]["category"], abs=1e-6)


def test_emoji_distances_rise_with_every_disturbance_and_halves_are_near(twemoji):
    images, _ = twemoji
    order = np.random.default_rng(0).permutation(len(images))
    a, b = images[order[:1200]], images[order[1200:2400]]
    fa = kgz.metrics.features(a, extractor="emoji")
    assert fa.shape == (1200, 512)
    halves = kgz.metrics.frechet_distance(fa, kgz.metrics.features(b, extractor="emoji"))
    for kind in kgz.metrics.DISTURBANCES:
        fd = [kgz.metrics.frechet_distance(fa, kgz.metrics.features(
            kgz.metrics.disturb(b, kind, level, seed=1), extractor="emoji"))
            for level in (0.5, 0.75, 1.0)]
        assert halves < fd[0] < fd[1] < fd[2], (kind, halves, fd)
    # the card's figures: every disturbance at half strength is far from the other half
    checks = FEATURES.emoji_extractor_report()["checks"]
    for kind, rows in checks["disturbances"].items():
        assert checks["halves"]["fd"] * 3 < rows[2]["fd"], kind
    assert all(checks["monotonic"].values())


def test_the_evaluate_metric_reads_emoji_by_name_and_refuses_grey(twemoji):
    images, _ = twemoji
    order = np.random.default_rng(1).permutation(len(images))  # sort order groups categories
    found = kgz.metrics.evaluate("density_coverage", images[order[:600]],
                                 real=images[order[600:1200]], extractor="emoji")
    assert set(found) == {"density", "coverage"} and found["coverage"] > 0.5
    smileys = kgz.metrics.evaluate("density_coverage", images[:600],  # one corner of the set
                                   real=images[order[600:1200]], extractor="emoji")
    assert smileys["coverage"] < found["coverage"] - 0.2
    with pytest.raises(ValueError, match=r"the emoji extractor reads colour images \(h, w, 3\)"):
        kgz.metrics.features(images[:2, ..., :1], extractor="emoji")
    assert kgz.metrics.extractor_for(3, "emoji") == "emoji"


def test_translation_against_truth_scores_the_truth_perfect_and_the_source_style_worse():
    noto, labels = zip(*[(x.numpy(), y.numpy()) for x, y in
                         kgz.data.emoji(shared_data("emoji"), "noto", split="test")])
    twemoji = np.stack([x.numpy() for x, _ in
                        kgz.data.emoji(shared_data("emoji"), "twemoji", split="test")])
    noto, labels = np.stack(noto), np.asarray(labels)
    classify = kgz.metrics.classify_emoji
    truth = kgz.metrics.translation_against_truth(noto, noto, classify=classify, labels=labels)
    assert truth["l1"] == 0 and abs(truth["fd"]) < 1e-3
    as_is = kgz.metrics.translation_against_truth(twemoji, noto, classify=classify, labels=labels)
    assert 0.2 < as_is["l1"] < 0.5 and as_is["fd"] > 5
    assert 0.5 < as_is["class_kept"] <= 1 and 0.5 < truth["class_kept"] <= 1  # either style
    shuffled = kgz.metrics.translation_against_truth(noto[::-1], noto)  # right set, wrong pairs
    assert shuffled["l1"] > as_is["l1"] and abs(shuffled["fd"]) < 1e-3
    assert "class_kept" not in shuffled
    with pytest.raises(ValueError, match="one true image per translation"):
        kgz.metrics.translation_against_truth(noto[:3], noto[:4])
    with pytest.raises(ValueError, match="classify and labels together"):
        kgz.metrics.translation_against_truth(noto[:3], noto[:3], classify=classify)

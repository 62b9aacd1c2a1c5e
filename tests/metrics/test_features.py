"""Feature extractors, the bundled digit classifier, Stacked MNIST and class accuracy, on real digits."""

import json
import os

import keras
import numpy as np
import pytest

import keras_gan_zoo as kgz
from keras_gan_zoo import metrics
from keras_gan_zoo.metrics.features import DIGIT_CLASSIFIER
from shared_data import shared_data


@pytest.fixture(scope="module")
def heldout():
    """MNIST t10k[8000:], the digits the bundled classifier never saw."""
    return kgz.data.to_arrays(kgz.data.mnist(shared_data("mnist"), split="test"))


def test_bundled_classifier_is_small_and_accurate(heldout):
    assert os.path.getsize(DIGIT_CLASSIFIER) < 2e6
    x, y = heldout
    accuracy = float(np.mean(metrics.classify_digits(x) == y))
    assert accuracy >= 0.98
    # the figure its card states is the figure it has
    card = json.load(open(DIGIT_CLASSIFIER.replace(".weights.h5", ".json")))
    assert card["mnist_heldout_accuracy"] == pytest.approx(accuracy, abs=1e-9)


def test_classifier_reads_other_sizes(heldout):
    x, y = heldout
    x32 = keras.ops.convert_to_numpy(keras.ops.image.resize(x[:500], (32, 32)))
    assert np.mean(metrics.classify_digits(x32) == y[:500]) >= 0.95


def test_digit_features_separate_real_from_noise(heldout):
    x, _ = heldout
    real_a, real_b = metrics.features(x[:1000]), metrics.features(x[1000:])
    assert real_a.shape == (1000, 128)
    noise = np.random.default_rng(0).uniform(-1, 1, (1000, 28, 28, 1)).astype("float32")
    same = metrics.frechet_distance(real_a, real_b)
    different = metrics.frechet_distance(real_a, metrics.features(noise))
    assert different > 20 * same
    # images go through the extractor when given directly
    assert metrics.frechet_distance(x[:1000], x[1000:]) == pytest.approx(same, rel=1e-6)


def test_features_in_batches_equal_one_pass(heldout):
    x = heldout[0][:100]
    np.testing.assert_allclose(metrics.features(x, batch_size=7), metrics.features(x, batch_size=100),
                               atol=1e-5)


def test_inception_path_with_a_stand_in_weights_file(tmp_path):
    # No ImageNet weights can be downloaded here: a randomly initialised
    # InceptionV3 saved by the test stands in for the real file.
    keras.utils.set_random_seed(0)
    stand_in = keras.applications.InceptionV3(include_top=False, weights=None, pooling="avg",
                                              input_shape=(299, 299, 3))
    path = tmp_path / "inception_stand_in.weights.h5"
    stand_in.save_weights(path)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 1)).astype("float32")
    got = metrics.features(images, "inception", inception_weights=path)
    assert got.shape == (3, 2048) and np.isfinite(got).all()
    resized = keras.ops.image.resize(np.repeat(images, 3, -1), (299, 299))
    expected = keras.ops.convert_to_numpy(stand_in(resized, training=False))
    np.testing.assert_allclose(got, expected, atol=1e-4)
    with pytest.raises(FileNotFoundError, match="cannot download"):
        metrics.features(images, "inception", inception_weights=tmp_path / "missing.h5")


@pytest.mark.slow
def test_stacked_mnist_modes_on_real_stacks(heldout):
    x, y = heldout
    # half the papers' 26,000 (PacGAN, VEEGAN): 13 a mode on average, so a missing mode has
    # odds e^-13 and the counts' own spread adds ~0.04 to the reverse KL
    stacked, modes = kgz.data.stacked_mnist(x, y, 13000, seed=0)
    assert stacked.shape == (13000, 28, 28, 3) and modes.max() < 1000
    result = metrics.stacked_mnist_modes(stacked)
    # real stacks cover (nearly) every mode, nearly uniformly; the classifier errs on ~1% per channel
    assert result["modes"] >= 995 and result["reverse_kl"] < 0.1
    assert result["counts"].sum() == 13000
    collapsed = metrics.stacked_mnist_modes(np.repeat(stacked[:1], 100, 0))
    assert collapsed["modes"] == 1 and collapsed["reverse_kl"] == pytest.approx(np.log(1000))


class _RealDigits:
    """A stand-in 'conditional model' that returns held-out digits of the asked class."""

    num_classes = 10

    def __init__(self, x, y):
        self.x, self.y = x, y

    def generate(self, n, labels, seed=0):
        rng = np.random.default_rng(seed)
        return np.stack([self.x[rng.choice(np.flatnonzero(self.y == c))] for c in labels])


def test_conditional_accuracy_of_real_digits_is_the_classifier_accuracy(heldout):
    accuracy, per_class = metrics.conditional_accuracy(_RealDigits(*heldout), n_per_class=50)
    assert per_class.shape == (10,)
    assert accuracy >= 0.97
    shuffled = _RealDigits(heldout[0], np.roll(heldout[1], 1))
    assert metrics.conditional_accuracy(shuffled, n_per_class=50)[0] < 0.3

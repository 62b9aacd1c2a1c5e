"""Inception Score / classifier score and Parzen-window log-likelihood, against independent computations."""

import keras
import numpy as np
import pytest
from scipy import stats

import keras_gan_zoo as kgz
from keras_gan_zoo import metrics
from shared_data import shared_data


@pytest.fixture(scope="module")
def heldout():
    return kgz.data.to_arrays(kgz.data.mnist(shared_data("mnist"), split="test"))


def test_score_extremes():
    confident_even = np.eye(10)[np.arange(1000) % 10]
    assert metrics.score_from_probabilities(confident_even, num_splits=10)[0] == pytest.approx(10, rel=1e-6)
    same = np.tile(np.random.default_rng(0).dirichlet(np.ones(10)), (500, 1))
    assert metrics.score_from_probabilities(same, num_splits=5)[0] == pytest.approx(1.0, abs=1e-9)


def test_score_matches_scipy_entropy_per_split():
    p = np.random.default_rng(1).dirichlet(np.full(7, 0.3), size=600)
    mean, std = metrics.score_from_probabilities(p, num_splits=3)
    expected = []
    for part in np.array_split(p, 3):
        marginal = part.mean(0)
        expected.append(np.exp(np.mean([stats.entropy(row, marginal) for row in part])))
    assert mean == pytest.approx(np.mean(expected), rel=1e-6)
    assert std == pytest.approx(np.std(expected), rel=1e-5)


def test_score_refuses_logits_and_bad_splits():
    with pytest.raises(ValueError, match="softmax outputs, not logits"):
        metrics.score_from_probabilities(np.random.default_rng(0).normal(size=(10, 3)))
    with pytest.raises(ValueError, match="num_splits"):
        metrics.score_from_probabilities(np.eye(3), num_splits=5)


def test_classifier_score_real_digits_near_ten_noise_low(heldout):
    x, _ = heldout
    real, _ = metrics.classifier_score(x)
    noise, _ = metrics.classifier_score(np.random.default_rng(0).uniform(-1, 1, x.shape).astype("float32"))
    assert real > 9.0, real
    assert noise < 3.0, noise


def test_inception_score_with_a_stand_in_weights_file(tmp_path):
    # A randomly initialised full InceptionV3 (with its top) stands in for the ImageNet file.
    keras.utils.set_random_seed(0)
    stand_in = keras.applications.InceptionV3(weights=None, classifier_activation=None)
    path = tmp_path / "inception_top.weights.h5"
    stand_in.save_weights(path)
    images = np.random.default_rng(0).uniform(-1, 1, (4, 32, 32, 1)).astype("float32")
    got = metrics.inception_score(images, path, num_splits=2, batch_size=3)
    resized = keras.ops.image.resize(np.repeat(images, 3, -1), (299, 299))
    probs = keras.ops.convert_to_numpy(keras.ops.softmax(stand_in(resized, training=False)))
    assert got == pytest.approx(metrics.score_from_probabilities(probs, num_splits=2), rel=1e-4)
    with pytest.raises(FileNotFoundError, match="cannot download"):
        metrics.inception_score(images, tmp_path / "missing.h5")


def test_parzen_log_likelihood_matches_a_mixture_of_gaussians():
    rng = np.random.default_rng(0)
    samples, data, sigma = rng.normal(size=(50, 3)), rng.normal(size=(7, 3)), 0.7
    got = metrics.parzen_log_likelihood(samples, data, sigma, batch_size=3)
    density = np.mean([stats.multivariate_normal(s, sigma ** 2 * np.eye(3)).pdf(data) for s in samples], axis=0)
    np.testing.assert_allclose(got, np.log(density), rtol=1e-9)


def test_parzen_window_picks_the_best_validation_bandwidth():
    rng = np.random.default_rng(0)
    samples, validation, test = (rng.normal(scale=0.3, size=(n, 4)) for n in (2000, 300, 300))
    result = metrics.parzen_window(samples, validation, test, sigmas=[0.01, 0.1, 0.2, 1.0, 3.0])
    assert result["sigma"] == max(result["validation"], key=result["validation"].get)
    assert result["sigma"] in (0.1, 0.2)  # neither tiny nor huge for data of scale 0.3
    assert result["log_likelihood"] == pytest.approx(
        metrics.parzen_log_likelihood(samples, test, result["sigma"]).mean())
    assert 0 < result["std_error"] < 1
    with pytest.raises(ValueError, match="dimensions"):
        metrics.parzen_window(samples, validation[:, :3], test)


def test_parzen_real_digits_score_above_noise(heldout):
    x, _ = heldout
    pixels = (x + 1) / 2
    rng = np.random.default_rng(0)
    real = metrics.parzen_window(pixels[:1000], pixels[1000:1500], pixels[1500:])
    noise = metrics.parzen_window(rng.uniform(0, 1, pixels[:1000].shape), pixels[1000:1500], pixels[1500:])
    assert real["log_likelihood"] > noise["log_likelihood"] + 100

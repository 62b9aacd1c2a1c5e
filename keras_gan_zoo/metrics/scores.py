"""The papers' own numbers: Inception Score, Parzen-window log-likelihood, the FCN score.

Both are here because users compare against the papers that report them.
Neither is a good measure of sample quality; the docstrings say why. Prefer
``frechet_distance`` and
``precision_recall`` for decisions.
"""

import numpy as np

from keras_gan_zoo.metrics.features import _cache, digit_classifier

__all__ = ["classifier_score", "fcn_score", "inception_score", "parzen_log_likelihood",
           "parzen_window", "score_from_probabilities", "segmentation_scores"]


def score_from_probabilities(probabilities, num_splits=10):
    """Inception Score of class probabilities ``p(y|x)`` ``(n, classes)``: ``(mean, std)``.

    ``exp(E_x KL(p(y|x) || p(y)))`` with ``p(y)`` the mean over each of
    ``num_splits`` equal splits (Salimans et al. 2016; their code's splits),
    mean and standard deviation over the splits. It lies between 1 (every
    sample the same class distribution) and the number of classes (confident
    predictions spread evenly over all classes).
    """
    p = np.asarray(probabilities, dtype="float64")
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"expected class probabilities of shape (n, classes), got {p.shape}")
    if (p < 0).any() or not np.allclose(p.sum(1), 1.0, atol=1e-3):
        raise ValueError("expected rows of class probabilities (non-negative, summing to 1); "
                         "pass softmax outputs, not logits")
    if not isinstance(num_splits, int) or not 1 <= num_splits <= len(p):
        raise ValueError(f"expected num_splits an integer in 1..{len(p)}, got {num_splits!r}")
    scores = []
    for part in np.array_split(p, num_splits):
        marginal = part.mean(0, keepdims=True)
        kl = np.sum(part * (np.log(part + 1e-12) - np.log(marginal + 1e-12)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def _probabilities(model, images, batch_size, prepare=None):
    import keras

    out = []
    for start in range(0, len(images), batch_size):
        batch = keras.ops.convert_to_tensor(images[start:start + batch_size], "float32")
        if prepare is not None:
            batch = prepare(batch)
        out.append(np.asarray(keras.ops.softmax(model(batch, training=False)), dtype="float64"))
    return np.concatenate(out)


def classifier_score(images, num_splits=10, batch_size=512):
    """Inception Score computed with the bundled digit classifier: ``(mean, std)``.

    The "classifier score" MNIST papers report in place of the Inception
    Score. Real MNIST test digits score about 9.9 of a maximum 10.
    """
    import keras

    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] != 1 or len(images) == 0:
        raise ValueError(f"expected grey digit images (n, h, w, 1), got shape {images.shape}")

    def prepare(batch):
        if tuple(batch.shape[1:3]) != (28, 28):
            batch = keras.ops.image.resize(batch, (28, 28), interpolation="bilinear")
        return batch

    return score_from_probabilities(_probabilities(digit_classifier(), images, batch_size, prepare),
                                    num_splits)


def inception_score(images, inception_weights, num_splits=10, batch_size=32):
    """Inception Score (Salimans et al. 2016) of images in [-1, 1]: ``(mean, std)``.

    Args:
        images: ``(n, h, w, c)``, c in {1, 3}; resized to 299x299, grey
            repeated to three channels.
        inception_weights: a Keras weights file of the full
            ``keras.applications.InceptionV3()`` (with its 1,000-class top,
            e.g. ``inception_v3_weights_tf_dim_ordering_tf_kernels.h5``).
            Nothing is downloaded.
        num_splits: splits of the samples (the original code: 10 of 5,000).

    It rewards confident, varied ImageNet classes: it ignores the real data
    (a generator that copies one sharp image per class scores high), and its
    value depends on the Inception weights and resizing used. Report FID too.
    """
    import os

    import keras

    weights = os.fspath(inception_weights)
    if not os.path.isfile(weights):
        raise FileNotFoundError(
            f"no Inception-v3 weights file at {weights}; this machine cannot download them: copy "
            "inception_v3_weights_tf_dim_ordering_tf_kernels.h5 (the full model, with its top) here")
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(f"expected images (n, h, w, 1 or 3) in [-1, 1], got shape {images.shape}")
    key = ("inception_top", os.path.abspath(weights))
    if key not in _cache:
        _cache[key] = keras.applications.InceptionV3(weights=weights, classifier_activation=None)

    def prepare(batch):
        if batch.shape[-1] == 1:
            batch = keras.ops.repeat(batch, 3, axis=-1)
        return keras.ops.image.resize(batch, (299, 299), interpolation="bilinear")

    return score_from_probabilities(_probabilities(_cache[key], images, batch_size, prepare),
                                    num_splits)


def _flat(x, name):
    x = np.asarray(x, dtype="float64")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"expected a non-empty batch of examples for {name}, got shape {x.shape}")
    return x.reshape(len(x), -1)


def parzen_log_likelihood(samples, data, sigma, batch_size=256):
    """Log-likelihood of each row of ``data`` under a Gaussian KDE on ``samples``.

    ``log p(x) = logsumexp_i(-||x - s_i||^2 / (2 sigma^2)) - log n - d/2 log(2 pi sigma^2)``,
    the estimator of Breuleux et al. (2011) that the GAN paper used. Returns
    an array ``(len(data),)`` in nats.
    """
    from scipy.special import logsumexp

    s, x = _flat(samples, "samples"), _flat(data, "data")
    if s.shape[1] != x.shape[1]:
        raise ValueError(f"samples have {s.shape[1]} dimensions but data {x.shape[1]}")
    if not sigma > 0:
        raise ValueError(f"expected a bandwidth sigma > 0, got {sigma}")
    n, d = s.shape
    s_sq = np.sum(s * s, axis=1)
    out = []
    for start in range(0, len(x), batch_size):
        xb = x[start:start + batch_size]
        sq = np.sum(xb * xb, axis=1)[:, None] + s_sq[None, :] - 2.0 * xb @ s.T
        out.append(logsumexp(-np.maximum(sq, 0.0) / (2 * sigma ** 2), axis=1))
    return np.concatenate(out) - np.log(n) - 0.5 * d * np.log(2 * np.pi * sigma ** 2)


def parzen_window(samples, validation, test, sigmas=None, batch_size=256):
    """Parzen-window log-likelihood of ``test``, bandwidth chosen on ``validation``.

    The protocol of Goodfellow et al. (2014), Table 1: fit a Gaussian kernel
    density on generated samples, pick the bandwidth that maximises the
    likelihood of a validation split, report the mean log-likelihood of the
    test split and its standard error. On MNIST the paper reports 225 +/- 2
    (pixels in [0, 1], 10,000 samples).

    This is a poor measure of sample quality, as the GAN paper itself notes
    ("somewhat high variance and does not perform well in high dimensional
    spaces") and Theis et al. (2016) show: in 784 dimensions a KDE on 10,000
    points is dominated by the nearest sample, so blurry samples can score
    higher than sharp ones and the training set itself scores below some
    models. Use it only to compare with the papers that report it.

    Args:
        samples: generated examples (any shape; flattened).
        validation: real examples that choose the bandwidth.
        test: real examples that are scored.
        sigmas: bandwidths to try (default: the GAN code's ``logspace(-1, 0, 10)``).

    Returns:
        ``{"log_likelihood", "std_error", "sigma", "validation": {sigma: mean}}``.
    """
    sigmas = np.logspace(-1, 0, 10) if sigmas is None else np.asarray(sigmas, dtype="float64")
    if sigmas.ndim != 1 or len(sigmas) == 0:
        raise ValueError(f"expected a non-empty list of bandwidths, got {sigmas}")
    on_validation = {float(s): float(np.mean(parzen_log_likelihood(samples, validation, s, batch_size)))
                     for s in sigmas}
    best = max(on_validation, key=on_validation.get)
    ll = parzen_log_likelihood(samples, test, best, batch_size)
    return {"log_likelihood": float(ll.mean()),
            "std_error": float(ll.std(ddof=1) / np.sqrt(len(ll))) if len(ll) > 1 else float("nan"),
            "sigma": best, "validation": on_validation}


def segmentation_scores(predicted, truth, num_classes):
    """Per-pixel accuracy, mean per-class accuracy and mean class IoU of class maps.

    The three numbers of the FCN score (Long et al. 2015, as the pix2pix and
    CycleGAN papers report it). Classes absent from ``truth`` are left out of
    the class means.

    Args:
        predicted: ``(n, h, w)`` integer class maps.
        truth: ``(n, h, w)`` integer class maps of the same shape.
        num_classes: number of classes.

    Returns:
        ``{"pixel_accuracy", "mean_class_accuracy", "mean_iou"}``, floats in [0, 1].
    """
    predicted, truth = np.asarray(predicted), np.asarray(truth)
    if predicted.shape != truth.shape:
        raise ValueError(f"expected predicted and true class maps of one shape, got "
                         f"{predicted.shape} and {truth.shape}")
    per_class, iou = [], []
    for c in range(num_classes):
        t, p = truth == c, predicted == c
        if t.any():
            per_class.append(float((p & t).sum() / t.sum()))
            iou.append(float((p & t).sum() / (p | t).sum()))
    return {"pixel_accuracy": float(np.mean(predicted == truth)),
            "mean_class_accuracy": float(np.mean(per_class)), "mean_iou": float(np.mean(iou))}


def fcn_score(photos, label_maps, batch_size=64):
    """The FCN score of facade photos against the label maps they were made from.

    Segments ``photos`` with the bundled facades segmenter
    (``segment_facades``, at 64x64) and compares
    the classes with those of ``label_maps`` (colour-coded maps in [-1, 1]
    or uint8, read by ``keras_gan_zoo.data.facade_classes`` after
    resizing to 64x64 by nearest neighbour; or class maps ``(n, h, w)``).
    A generator whose photos segment back into their maps scores high; real
    photos give the ceiling of the segmenter (0.586 pixel accuracy on the
    held-out files 400-499).

    Returns:
        ``{"pixel_accuracy", "mean_class_accuracy", "mean_iou"}``.
    """
    import tensorflow as tf

    from keras_gan_zoo.data import FACADE_CLASSES, facade_classes
    from keras_gan_zoo.metrics.features import segment_facades

    photos, label_maps = np.asarray(photos), np.asarray(label_maps)
    if len(photos) != len(label_maps):
        raise ValueError(f"expected one label map per photo, got {len(photos)} photos and "
                         f"{len(label_maps)} maps")
    if label_maps.ndim == 4:
        classes = facade_classes(label_maps)
    elif label_maps.ndim == 3 and np.issubdtype(label_maps.dtype, np.integer):
        classes = label_maps
    else:
        raise ValueError(f"expected colour label maps (n, h, w, 3) or class maps (n, h, w) of "
                         f"integers, got shape {label_maps.shape} and dtype {label_maps.dtype}")
    classes = tf.image.resize(classes[..., None], (64, 64), method="nearest")[..., 0].numpy()
    return segmentation_scores(segment_facades(photos, batch_size), classes, len(FACADE_CLASSES))


def translation_against_truth(translated, truth, extractor="emoji", classify=None, labels=None):
    """How close unpaired (or paired) translations come to their true counterparts.

    For data where every source image has a known target (the emoji data set
    draws each emoji in two styles), a translation can be judged against the
    truth rather than only for looking like the target style.

    Args:
        translated: ``(n, h, w, c)`` translations in [-1, 1].
        truth: ``(n, h, w, c)`` the true target of each, same order and shape.
        extractor: the feature extractor for the Fréchet distance (``features``).
        classify: optional function from images to class ids (e.g.
            ``classify_emoji``), with ``labels`` the true class of each image.

    Returns:
        ``{"l1", "fd"}`` and, with ``classify``, ``"class_kept"``: the mean
        absolute pixel difference (in units of the [-1, 1] range), the
        Fréchet distance of the translated set from the true set, and the
        share of translations classified as their image's true class.
    """
    from keras_gan_zoo.metrics.distances import frechet_distance
    from keras_gan_zoo.metrics.features import features

    translated, truth = np.asarray(translated, np.float32), np.asarray(truth, np.float32)
    if translated.shape != truth.shape:
        raise ValueError(f"expected one true image per translation, of the same shape; got "
                         f"{translated.shape} and {truth.shape}")
    if (classify is None) != (labels is None):
        raise ValueError("pass classify and labels together (the class of each true image)")
    scores = {"l1": float(np.abs(translated - truth).mean()),
              "fd": frechet_distance(features(truth, extractor=extractor, verbose=0),
                                     features(translated, extractor=extractor, verbose=0))}
    if classify is not None:
        labels = np.asarray(labels)
        if len(labels) != len(truth):
            raise ValueError(f"expected one label per image, got {len(labels)} for {len(truth)}")
        scores["class_kept"] = float(np.mean(np.asarray(classify(translated)) == labels))
    return scores

"""Accuracy of unsupervised codes against known classes."""

import numpy as np


def best_matching_accuracy(codes, labels, num_codes=None, num_classes=None):
    """Accuracy of ``codes`` as class predictions under the best one-to-one matching.

    InfoGAN's categorical code is learned without labels, so code 3 may mean
    digit 7. This finds the assignment of codes to classes that maximises
    the agreement (the Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``)
    and returns the accuracy under it.

    Args:
        codes: ``(n,)`` integer codes, e.g. from ``InfoGAN.predict_codes``.
        labels: ``(n,)`` integer classes.

    Returns:
        ``(accuracy, mapping)`` with ``mapping[code] = class``.

    Example:
        >>> best_matching_accuracy([2, 2, 0, 1], [0, 0, 1, 2])[0]
        1.0
    """
    from scipy.optimize import linear_sum_assignment

    codes, labels = np.asarray(codes).astype(int), np.asarray(labels).astype(int)
    if codes.shape != labels.shape or codes.ndim != 1 or len(codes) == 0:
        raise ValueError(
            f"expected codes and labels of the same shape (n,), got {codes.shape} and {labels.shape}"
        )
    num_codes = num_codes or codes.max() + 1
    num_classes = num_classes or labels.max() + 1
    counts = np.zeros((num_codes, num_classes), dtype=np.int64)
    np.add.at(counts, (codes, labels), 1)
    rows, cols = linear_sum_assignment(-counts)
    mapping = dict(zip(rows.tolist(), cols.tolist()))
    return float(counts[rows, cols].sum() / len(codes)), mapping


def conditional_accuracy(model, classify=None, n_per_class=100, seed=0):
    """Share of a conditional model's samples classified as the class asked for.

    Args:
        model: a trained ``keras_gan_zoo.ConditionalGAN``.
        classify: ``images -> (n,) classes``; default the bundled digit
            classifier (``keras_gan_zoo.metrics.classify_digits``).
        n_per_class: samples per class.
        seed: seed of the noise.

    Returns:
        ``(accuracy, per_class)``: overall share and a ``(num_classes,)`` array.

    Example:
        >>> conditional_accuracy(cgan)[0]      # 0.97 for the MNIST benchmark
    """
    if classify is None:
        from keras_gan_zoo.metrics.features import classify_digits as classify
    labels = np.repeat(np.arange(model.num_classes), n_per_class)
    predicted = np.asarray(classify(model.generate(len(labels), labels=labels, seed=seed)))
    hits = predicted == labels
    return float(hits.mean()), hits.reshape(model.num_classes, n_per_class).mean(1)

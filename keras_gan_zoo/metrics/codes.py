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


def text_accuracy(model, texts, classes, classify, n_per_text=4, seed=0):
    """Share of a text-to-image model's samples that ``classify`` puts in their text's class.

    Args:
        model: a trained text-to-image variant (``keras_gan_zoo.StackGAN``).
        texts, classes: a text and its class each (repeated pairs count once).
        classify: ``images -> (n,) classes``, e.g.
            ``keras_gan_zoo.metrics.classify_emoji`` for emoji categories.
        n_per_text: samples drawn for each text.
        seed: seed of the noise.

    Example:
        >>> text_accuracy(stackgan, held_out_names, held_out_categories, classify_emoji)
    """
    pairs = list(dict.fromkeys(zip(texts, np.asarray(classes).tolist())))
    asked = [t for t, _ in pairs for _ in range(n_per_text)]
    truth = np.repeat([c for _, c in pairs], n_per_text)
    predicted = np.asarray(classify(model.generate(len(asked), text=asked, seed=seed)))
    return float(np.mean(predicted == truth))


def nearest_neighbour_accuracy(train_codes, train_labels, codes, labels, chunk=500):
    """How often a code's nearest training code (Euclidean) has its label: the 1-NN accuracy
    the BiGAN paper reports for an encoder's codes.

    Args:
        train_codes, train_labels: ``(m, d)`` codes of labelled training images and their labels.
        codes, labels: ``(n, d)`` codes of held-out images and their labels.
        chunk: held-out codes compared at a time (memory grows with ``chunk * m``).

    Returns:
        The share of held-out codes classified right, in ``[0, 1]``.
    """
    train_codes, codes = np.asarray(train_codes), np.asarray(codes)
    train_labels, labels = np.asarray(train_labels), np.asarray(labels)
    if train_codes.ndim != 2 or codes.ndim != 2 or train_codes.shape[1] != codes.shape[1]:
        raise ValueError(f"expected codes (m, d) and (n, d) of the same width, got "
                         f"{train_codes.shape} and {codes.shape}")
    right = 0
    squared = (train_codes ** 2).sum(1)
    for i in range(0, len(codes), chunk):
        distances = squared[None] - 2 * codes[i:i + chunk] @ train_codes.T
        right += int((train_labels[distances.argmin(1)] == labels[i:i + chunk]).sum())
    return right / len(codes)


def linear_probe_accuracy(train_codes, train_labels, codes, labels, epochs=30, seed=0):
    """The held-out accuracy of a linear classifier (a ``keras.layers.Dense`` on standardised
    codes, Adam 1e-2, 30 epochs) trained on labelled codes: how linearly an encoder's codes
    separate the classes.

    Args: as ``nearest_neighbour_accuracy``; ``seed`` fixes the probe's initialisation.
    """
    import keras

    train_codes, codes = np.asarray(train_codes, "float32"), np.asarray(codes, "float32")
    train_labels = np.asarray(train_labels)
    classes = int(max(train_labels.max(), np.max(labels))) + 1
    keras.utils.set_random_seed(seed)
    mean, std = train_codes.mean(0), train_codes.std(0) + 1e-6
    probe = keras.Sequential([keras.Input(train_codes.shape[1:]), keras.layers.Dense(classes)])
    probe.compile(keras.optimizers.Adam(1e-2),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    probe.fit((train_codes - mean) / std, train_labels, batch_size=256, epochs=epochs, verbose=0)
    predicted = probe.predict((codes - mean) / std, verbose=0).argmax(-1)
    return float(np.mean(predicted == np.asarray(labels)))

"""Feature extractors for the distances: the bundled digit classifier, the bundled
facades segmenter and Inception-v3.

* ``"digits"``: a small CNN trained by the project on MNIST (see
  ``digit_classifier``), shipped in the package. Its 128-d pooled
  features give the "Fréchet distance in classifier features" for digit
  images; its predictions label generated digits.
* ``"facades"``: a small segmenter trained by the project on the CMP facades
  photos (see ``facades_segmenter``), shipped in the package, for colour
  photos of buildings (and, with care, other colour photos): its 352-d
  features pool four depths of its encoder.
* ``"emoji"``: a small CNN trained by the project to name the subcategory
  (e.g. "face-smiling", "animal-mammal") of Twemoji and Noto emoji (see
  ``emoji_extractor``), shipped in the package, for colour graphics on a
  plain background: its 512-d features pool five depths.
* ``"inception"``: Inception-v3 from ``keras.applications`` (2048-d pooled
  features, the features of FID/KID). Its ImageNet weights cannot be
  downloaded here: pass the path of a weights file you have
  (``inception_weights=``); the tests use a stand-in file they create.
* any ``keras.Model`` or callable mapping an image batch to ``(batch, d)``.
"""

import os

import numpy as np
import keras

from keras_gan_zoo.data.files import FACADE_CLASSES

__all__ = ["DIGIT_CLASSIFIER", "EMOJI_EXTRACTOR", "FACADES_SEGMENTER", "EXTRACTORS",
           "classify_emoji", "emoji_extractor", "emoji_extractor_network", "classify_digits",
           "generated_features", "stream_features",
           "digit_classifier", "digit_classifier_network", "facades_segmenter",
           "extractor_for", "facades_segmenter_network", "features", "inception_v3",
           "segment_facades"]

#: The bundled classifier's weights, trained by ``tools/train_digit_classifier.py``.
DIGIT_CLASSIFIER = os.path.join(os.path.dirname(__file__), "digit_classifier.weights.h5")

#: The bundled facades segmenter's weights, trained by ``tools/train_facades_segmenter.py``.
FACADES_SEGMENTER = os.path.join(os.path.dirname(__file__), "facades_segmenter.weights.h5")

#: The bundled emoji extractor's weights, trained by ``tools/train_emoji_extractor.py``.
EMOJI_EXTRACTOR = os.path.join(os.path.dirname(__file__), "emoji_extractor.weights.h5")

#: The named extractors, and the images each one reads.
EXTRACTORS = {
    "digits": "grey digits (h, w, 1), read at 28x28: MNIST-like images",
    "facades": "colour photos (h, w, 3), read at 64x64: facades-like photos",
    "emoji": "colour graphics on a plain background (h, w, 3), read at 64x64: emoji-like images",
    "inception": "any images, read at 299x299 (needs your Inception-v3 weights file)",
}

#: The channels each named extractor reads (``None``: any).
_CHANNELS = {"digits": 1, "facades": 3, "emoji": 3, "inception": None}

_cache = {}


def extractor_for(channels, name="auto"):
    """The extractor for images with ``channels``: ``"auto"`` picks by channels.

    Grey images get ``"digits"``, colour ones ``"facades"``. A named
    extractor that does not read such images raises a ``ValueError`` listing
    which extractor reads which images (``EXTRACTORS``).
    """
    if name == "auto":
        return "digits" if channels == 1 else "facades"
    if name not in _CHANNELS:
        raise ValueError(f"unknown extractor {name!r}; expected auto or one of "
                         f"{', '.join(_CHANNELS)}")
    if _CHANNELS[name] not in (None, channels):
        table = "; ".join(f"{key}: {text}" for key, text in EXTRACTORS.items())
        raise ValueError(f"extractor {name} does not read images with {channels} channel(s). "
                         f"The extractors: {table}")
    return name


def digit_classifier_network():
    """The architecture of the bundled digit classifier (untrained).

    ``(28, 28, 1)`` images in ``[-1, 1]`` -> 10 logits. Four 3x3
    convolutions (32, 32, 64, 64 filters, max-pooling after each pair), a
    128-filter convolution, global average pooling (the ``features``
    layer, 128-d) and a dense layer: 140k parameters.
    """
    inputs = keras.Input((28, 28, 1), name="image")
    x = inputs
    for filters in (32, 64):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(128, 3, padding="same", activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="features")(x)
    x = keras.layers.Dropout(0.2)(x)
    logits = keras.layers.Dense(10, name="logits")(x)
    return keras.Model(inputs, logits, name="digit_classifier")


def digit_classifier():
    """The bundled digit classifier: ``(n, 28, 28, 1)`` in [-1, 1] -> 10 logits.

    Trained by ``python tools/train_digit_classifier.py`` on MNIST
    t10k[0:8000] (the project's training split of the MNIST test file), with
    small random shifts, rotations and zooms. Its accuracy on the held-out
    t10k[8000:10000] and on USPS test digits (never seen) is in
    ``digit_classifier.json`` beside the weights, the figures of the shipped
    file (the docs' metrics page gives them).
    """
    if "digits" not in _cache:
        if not os.path.exists(DIGIT_CLASSIFIER):
            raise FileNotFoundError(
                f"the bundled digit classifier is missing ({DIGIT_CLASSIFIER}); reinstall "
                "keras-gan-zoo or run tools/train_digit_classifier.py"
            )
        model = digit_classifier_network()
        model.load_weights(DIGIT_CLASSIFIER)
        _cache["digits"] = model
    return _cache["digits"]


def facades_segmenter_network(size=64):
    """The architecture of the bundled facades segmenter (untrained).

    ``(size, size, 3)`` photos in ``[-1, 1]`` -> 13 class logits per pixel
    (``keras_gan_zoo.data.FACADE_CLASSES``). A small U-Net: three
    encoder stages (two 3x3 convolutions with batch norm and ReLU, 32, 64,
    128 filters, max-pooling between), a 128-filter bottleneck, and a decoder
    that upsamples with the encoder's features. The ``features`` layer
    concatenates the global averages of the three encoder stages and the
    bottleneck (32 + 64 + 128 + 128 = 352-d): colours, textures and the
    layout of a facade.
    """
    layers = keras.layers

    def block(x, filters, name):
        for i in range(2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{i}")(x)
            x = layers.ReLU()(layers.BatchNormalization(name=f"{name}_bn{i}")(x))
        return x

    inputs = keras.Input((size, size, 3), name="photo")
    skips, x = [], inputs
    for filters in (32, 64, 128):
        x = block(x, filters, f"enc{filters}")
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    x = block(x, 128, "bottleneck")
    pooled = [layers.GlobalAveragePooling2D()(t) for t in skips + [x]]
    features = layers.Concatenate(name="features")(pooled)
    for filters, skip in zip((128, 64, 32), reversed(skips)):
        x = layers.Concatenate()([layers.UpSampling2D()(x), skip])
        x = block(x, filters, f"dec{filters}")
    logits = layers.Conv2D(len(FACADE_CLASSES), 1, name="logits", dtype="float32")(x)
    return keras.Model(inputs, [logits, features], name="facades_segmenter")


def facades_segmenter():
    """The bundled facades segmenter: ``(n, 64, 64, 3)`` photos in [-1, 1] -> ``[logits, features]``.

    Trained by ``python tools/train_facades_segmenter.py`` on the
    photos of CMP facades files 0-399 (label maps turned into classes by
    ``keras_gan_zoo.data.facade_classes``), with horizontal flips;
    files 400-499 are held out. ``facades_segmenter.json`` beside the
    weights holds its held-out accuracy and the sanity checks of its
    features (held-out photos score near the training photos; noise and
    blurred photos score far).
    """
    return _bundled("facades", "facades segmenter", facades_segmenter_network, FACADES_SEGMENTER,
                    "train_facades_segmenter.py")


def _bundled(key, what, network, weights, tool):
    """A bundled network with its shipped weights, built once per process."""
    if key not in _cache:
        if not os.path.exists(weights):
            raise FileNotFoundError(f"the bundled {what} is missing ({weights}); reinstall "
                                    f"keras-gan-zoo or run tools/{tool}")
        model = network()
        model.load_weights(weights)
        _cache[key] = model
    return _cache[key]


def emoji_extractor_network(classes=None, size=64):
    """The architecture of the bundled emoji extractor (untrained).

    ``(size, size, 3)`` images in ``[-1, 1]`` -> ``[logits, features]``: a
    3x3 convolution of 32 filters at full size, then four stages of two 3x3
    convolutions (32, 64, 128, 256 filters) at a half, a quarter, an
    eighth and a sixteenth of the side, each convolution with batch norm
    and ReLU. The ``features`` layer concatenates the global average of
    the first convolution and of each stage (32 + 32 + 64 + 128 + 256 =
    512-d: colours and edges up to whole shapes); a dense layer gives one
    logit per emoji subcategory (``classes``; the bundled file's count when
    ``None``). 1.2M parameters, 65M multiply-adds an image.
    """
    layers = keras.layers
    if classes is None:
        classes = len(emoji_extractor_report()["subcategories"])

    def conv(x, filters, name):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
        return layers.ReLU()(layers.BatchNormalization(name=f"{name}_bn")(x))

    inputs = keras.Input((size, size, 3), name="image")
    x = conv(inputs, 32, "stem")
    pooled = [layers.GlobalAveragePooling2D()(x)]
    for i, filters in enumerate((32, 64, 128, 256)):
        x = layers.MaxPooling2D()(x)
        x = conv(conv(x, filters, f"s{i}a"), filters, f"s{i}b")
        pooled.append(layers.GlobalAveragePooling2D()(x))
    features = layers.Concatenate(name="features")(pooled)
    logits = layers.Dense(classes, name="logits", dtype="float32")(layers.Dropout(0.2)(features))
    return keras.Model(inputs, [logits, features], name="emoji_extractor")


def emoji_extractor_report():
    """The figures of the bundled emoji extractor (``emoji_extractor.json``): its
    subcategories, held-out accuracy and the disturbance checks of its features."""
    import json

    with open(EMOJI_EXTRACTOR.replace(".weights.h5", ".json")) as file:
        return json.load(file)


def emoji_extractor():
    """The bundled emoji extractor: ``(n, 64, 64, 3)`` in [-1, 1] -> ``[logits, features]``.

    Trained by ``python tools/train_emoji_extractor.py`` on both styles of
    the emoji data set (``kgz.data.emoji``, white background) to name each
    emoji's subcategory, with the project's split by base emoji (every
    fifth held out). ``emoji_extractor.json`` beside the weights holds the
    held-out accuracy and how its Fréchet distance grows under noise, blur,
    swirl and salt-and-pepper of rising strength.
    """
    return _bundled("emoji", "emoji extractor", emoji_extractor_network, EMOJI_EXTRACTOR,
                    "train_emoji_extractor.py")


def classify_emoji(images, batch_size=256):
    """The bundled emoji extractor's category (index in ``kgz.data.EMOJI_CATEGORIES``) of each
    colour image in [-1, 1]: its subcategory's category. For the class accuracy of a
    conditional model trained on emoji categories."""
    from keras_gan_zoo.data.files import EMOJI_CATEGORIES

    report = emoji_extractor_report()
    category = np.asarray([EMOJI_CATEGORIES.index(report["categories"][s])
                           for s in report["subcategories"]])
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"expected colour images (n, h, w, 3), got shape {images.shape}")
    net, out = emoji_extractor(), []
    for start in range(0, len(images), batch_size):
        batch = _colour_input(images[start:start + batch_size], "emoji", "colour images")
        out.append(keras.ops.convert_to_numpy(net(batch, training=False)[0]).argmax(-1))
    return category[np.concatenate(out)]


def _colour_input(images, name, reads):
    images = keras.ops.convert_to_tensor(images, "float32")
    if images.shape[-1] != 3:
        raise ValueError(
            f"the {name} extractor reads {reads} (h, w, 3), got {images.shape[-1]} "
            "channel(s); for grey digits use extractor='digits'")
    if tuple(images.shape[1:3]) != (64, 64):
        images = keras.ops.image.resize(images, (64, 64), interpolation="bilinear",
                                        antialias=True)
    return images


def _facade_input(images):
    return _colour_input(images, "facades", "colour photos")


def segment_facades(images, batch_size=64):
    """Class indices ``(n, 64, 64)`` (0-12, ``kgz.data.FACADE_CLASSES``) of photos, by the bundled segmenter."""
    net = facades_segmenter()
    out = []
    for start in range(0, len(images), batch_size):
        logits, _ = net(_facade_input(np.asarray(images[start:start + batch_size])), training=False)
        out.append(np.asarray(keras.ops.argmax(logits, axis=-1), dtype="int32"))
    return np.concatenate(out)


def inception_v3(weights):
    """Inception-v3 pooled features (2048-d) for images in [-1, 1] of any size.

    Args:
        weights: path of a Keras weights file of
            ``keras.applications.InceptionV3(include_top=False)`` (e.g. the
            ImageNet ``..._notop.h5`` you downloaded elsewhere). Nothing is
            downloaded.

    Images are resized to 299x299 (bilinear) and grey images repeated to 3
    channels; Inception's own preprocessing maps pixels to [-1, 1], which
    is where the generators' images already are.
    """
    weights = os.fspath(weights)
    if not os.path.isfile(weights):
        raise FileNotFoundError(
            f"no Inception-v3 weights file at {weights}; this machine cannot download them: "
            "copy inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5 here first"
        )
    key = ("inception", os.path.abspath(weights))
    if key not in _cache:
        _cache[key] = keras.applications.InceptionV3(
            include_top=False, weights=weights, pooling="avg", input_shape=(299, 299, 3)
        )
    backbone = _cache[key]

    def extract(images):
        images = keras.ops.convert_to_tensor(images, "float32")
        if images.shape[-1] == 1:
            images = keras.ops.repeat(images, 3, axis=-1)
        images = keras.ops.image.resize(images, (299, 299), interpolation="bilinear")
        return backbone(images, training=False)

    return extract


def _extractor(extractor, inception_weights=None):
    if extractor == "digits":
        if "digit_features" not in _cache:
            net = digit_classifier()
            _cache["digit_features"] = keras.Model(net.inputs, net.get_layer("features").output)
        body = _cache["digit_features"]

        def extract(images):
            images = keras.ops.convert_to_tensor(images, "float32")
            if images.shape[-1] != 1:
                raise ValueError(
                    f"the digit classifier reads grey images (h, w, 1), got {images.shape[-1]} "
                    "channels; for Stacked MNIST use keras_gan_zoo.metrics.stacked_mnist_modes"
                )
            if tuple(images.shape[1:3]) != (28, 28):
                images = keras.ops.image.resize(images, (28, 28), interpolation="bilinear")
            return body(images, training=False)

        return extract
    if extractor == "facades":
        def extract(images):
            images = _facade_input(images)  # the check first, then the network
            return facades_segmenter()(images, training=False)[1]

        return extract
    if extractor == "emoji":
        def extract(images):
            images = _colour_input(images, "emoji", "colour images")
            return emoji_extractor()(images, training=False)[1]

        return extract
    if extractor == "inception":
        if inception_weights is None:
            raise ValueError(
                "extractor='inception' needs inception_weights=PATH (a Keras InceptionV3 "
                "no-top weights file); nothing can be downloaded here"
            )
        return inception_v3(inception_weights)
    if callable(extractor):
        return extractor
    raise ValueError(
        f"unknown feature extractor {extractor!r}; expected 'digits', 'facades', 'emoji', 'inception' "
        "(with inception_weights=), a keras.Model or a callable"
    )


def features(images, extractor="digits", batch_size=256, verbose="auto", inception_weights=None):
    """Features ``(n, d)`` of ``images`` ``(n, h, w, c)`` in [-1, 1], in batches.

    Args:
        images: array of images in [-1, 1].
        extractor: ``"digits"`` (grey digits), ``"facades"`` (colour
            photos), ``"emoji"`` (colour graphics), ``"inception"``, a ``keras.Model`` or a callable ``batch
            -> (batch, d)`` (see ``EXTRACTORS``).
        batch_size: images per forward pass (bounds memory).
        verbose: a progress bar (``keras.utils.Progbar``) when 1, or when
            ``"auto"`` and there are more than 10 batches.
        inception_weights: weights file for ``extractor="inception"``.

    Example:
        >>> real = kgz.metrics.features(test_images)          # bundled digit classifier
        >>> fake = kgz.metrics.features(model.generate(10_000, seed=0))
        >>> kgz.metrics.frechet_distance(real, fake)
    """
    images = np.asarray(images)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"expected a non-empty batch of images (n, h, w, c), got shape {images.shape}")
    extract = _extractor(extractor, inception_weights)
    steps = -(-len(images) // batch_size)
    bar = keras.utils.Progbar(steps, unit_name="batch") if (
        verbose == 1 or (verbose == "auto" and steps > 10)) else None
    out = []
    for i, start in enumerate(range(0, len(images), batch_size)):
        batch = images[start:start + batch_size].astype("float32")
        out.append(np.asarray(keras.ops.convert_to_numpy(extract(batch)), dtype="float32"))
        if bar is not None:
            bar.update(i + 1)
    return np.concatenate(out).reshape(len(images), -1)


def stream_features(batches, extractor="digits", inception_weights=None, total=None):
    """Features ``(n, d)`` of images that arrive a batch at a time (memory: one batch).

    Args:
        batches: an iterable of image batches ``(b, h, w, c)`` in [-1, 1]
            (or of ``(images, labels)``), e.g. a data source's
            ``source.batches(256, shuffle=False)``.
        extractor, inception_weights: as ``features``.
        total: stop after this many images.
    """
    extract = _extractor(extractor, inception_weights)
    out, seen = [], 0
    for batch in batches:
        batch = batch[0] if isinstance(batch, (tuple, list)) else batch
        batch = np.asarray(batch, dtype="float32")
        if total is not None:
            batch = batch[: total - seen]
        if not len(batch):
            break
        out.append(np.asarray(keras.ops.convert_to_numpy(extract(batch)), dtype="float32")
                   .reshape(len(batch), -1))
        seen += len(batch)
        if total is not None and seen >= total:
            break
    if not out:
        raise ValueError("expected at least one image to measure, got none")
    return np.concatenate(out)


def generated_features(model, n, seed=0, extractor="digits", batch_size=256,
                       inception_weights=None, **codes):
    """Features of ``model.generate(n, seed=seed)``'s samples, made and measured a batch at a time.

    The samples are those ``generate`` gives (its inputs are drawn at once:
    ``n`` noise vectors, a few kB each); the images exist a batch at a time,
    so memory does not grow with ``n``. Works for a variant and for an
    exported generator (``keras_gan_zoo.export.load``).
    """
    signature = model.signature()
    inputs = signature.make_inputs(n, np.random.default_rng(seed), None, **codes)
    keywords = [p.keyword for p in signature.inputs]

    def batches():
        for start in range(0, n, batch_size):
            yield model.generate(**{k: a[start:start + batch_size] for k, a in zip(keywords, inputs)})

    return stream_features(batches(), extractor, inception_weights)


def classify_digits(images, batch_size=512):
    """The bundled classifier's digit (0-9) for each grey image in [-1, 1]."""
    net = digit_classifier()
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] != 1:
        raise ValueError(f"expected grey digit images (n, h, w, 1), got shape {images.shape}")
    labels = []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        if batch.shape[1:3] != (28, 28):
            batch = keras.ops.image.resize(batch, (28, 28), interpolation="bilinear")
        labels.append(keras.ops.convert_to_numpy(net(batch, training=False)).argmax(-1))
    return np.concatenate(labels)

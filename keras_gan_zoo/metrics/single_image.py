"""Measures of a model learnt from one image (SinGAN): SIFID and diversity.

**SIFID** (Shaham et al. 2019) is the Fréchet distance between the *internal*
statistics of two images: every spatial position of an early feature map is
one sample, so one real image and one generated image are compared by the
distribution of their local patches. The paper reads Inception-v3's features
before its second pooling layer (64 channels). No Inception weights ship
here, so ``patch_features`` reads the layer at the same place in the bundled
facades segmenter: its second encoder stage, 64 channels at half the
resolution, each position seeing a 14 x 14 pixel patch, trained on real
photos (``keras_gan_zoo.metrics.facades_segmenter``). The figures are on
that scale, not Inception's; the docs' SinGAN page checks that it rises with
blur and noise and is near zero between two halves of one texture.

**Diversity** (the SinGAN paper's): the standard deviation of each pixel over
the generated samples, averaged over pixels and colours, divided by the
standard deviation of the real image's pixels.
"""

import numpy as np
import keras

from keras_gan_zoo.metrics.distances import frechet_distance
from keras_gan_zoo.metrics.features import (FACADES_SEGMENTER, _cache,
                                            facades_segmenter_network)

__all__ = ["diversity", "patch_features", "sifid"]


def _patch_network():
    """The first two encoder stages of the bundled facades segmenter, for images of any size."""
    if "patches" not in _cache:
        full = facades_segmenter_network(size=None)
        full.load_weights(FACADES_SEGMENTER)
        norm = full.get_layer("enc64_bn1")
        relu = next(layer for layer in full.layers if isinstance(layer, keras.layers.ReLU)
                    and layer.input is norm.output)
        _cache["patches"] = keras.Model(full.input, relu.output, name="patch_features")
    return _cache["patches"]


def patch_features(image):
    """``(positions, 64)`` features of one image ``(h, w, 3)`` or ``(1, h, w, 3)`` in [-1, 1]:
    one row per position of the feature map (half the image's resolution)."""
    image = np.asarray(image, "float32")
    image = image[None] if image.ndim == 3 else image
    if image.ndim != 4 or len(image) != 1 or image.shape[-1] not in (1, 3):
        raise ValueError(f"expected one image (h, w, 1 or 3) in [-1, 1], got shape {image.shape}")
    if min(image.shape[1:3]) < 8:
        raise ValueError(f"expected an image of at least 8x8 pixels, got {image.shape[1:3]}")
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    h, w = (s - s % 2 for s in image.shape[1:3])  # the segmenter pools by 2
    maps = _patch_network()(image[:, :h, :w], training=False)
    return np.asarray(maps, "float64").reshape(-1, maps.shape[-1])


def sifid(real, fakes):
    """SIFID of each generated image against the real one, and their mean: ``(mean, values)``.

    Args:
        real: the training image ``(h, w, c)`` or ``(1, h, w, c)`` in [-1, 1].
        fakes: generated images ``(n, h', w', c)`` (any size).
    """
    real_f = patch_features(real)
    values = np.asarray([frechet_distance(real_f, patch_features(fake)) for fake in fakes])
    return float(values.mean()), values


def diversity(real, fakes):
    """The SinGAN paper's diversity of ``fakes`` ``(n, h, w, c)`` (same size as ``real``):
    the mean over pixels of their standard deviation over samples, over the real image's
    standard deviation."""
    real = np.asarray(real, "float64").reshape(np.shape(fakes)[1:])
    fakes = np.asarray(fakes, "float64")
    if len(fakes) < 2:
        raise ValueError(f"expected at least 2 generated images, got {len(fakes)}")
    return float(fakes.std(axis=0).mean() / real.std())

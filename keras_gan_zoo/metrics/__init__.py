"""Quality measures of generated samples.

Distances between real and generated samples (features ``(n, d)`` or images
``(n, h, w, c)`` in [-1, 1], which go through a feature extractor first):

* ``frechet_distance`` - FID on Inception features, "Fréchet distance in
  classifier features" on the bundled digit classifier's.
* ``kernel_distance`` - KID: unbiased MMD² with a cubic kernel, mean and
  standard deviation over subsets.
* ``precision_recall`` - improved precision and recall (k-NN manifolds).
* ``density_coverage`` - density and coverage (Naeem et al. 2020): the
  same question asked of the real k-NN balls only, robust to outliers.
* ``intra_class_frechet_distance`` - the Fréchet distance within each
  class of a conditional model, and their mean.

One image and its samples (SinGAN): ``sifid`` (single-image FID, the
Fréchet distance of local patch features) and ``diversity`` (the spread of
each pixel over samples).

``disturb`` damages images (noise, blur, swirl, salt and pepper) at rising
strength, to check that an extractor's distances grow with the damage.

Feature extractors: ``features``, ``digit_classifier``, ``facades_segmenter``
and ``emoji_extractor`` (bundled),
``inception_v3`` (your weights file), ``classify_digits``.

Modes and codes:

* ``mode_coverage`` - modes covered, high-quality share and reverse KL on
  the toy mixtures (the PacGAN / VEEGAN protocol).
* ``stacked_mnist_modes`` - modes covered (of 1,000) and KL to uniform
  on Stacked MNIST.
* ``best_matching_accuracy`` - accuracy of unsupervised codes (InfoGAN's
  categorical code) under the best one-to-one matching to classes.
* ``text_accuracy`` - share of a text-to-image model's samples that a classifier puts in
  their text's class;
* ``conditional_accuracy`` - share of class-conditional samples that a
  classifier assigns to the class asked for.
* ``nearest_neighbour_accuracy``, ``linear_probe_accuracy`` - how well an
  encoder's codes (BiGAN, VAE-GAN) keep the class: 1-NN and a linear probe.

The first papers' numbers (poor measures of quality, kept for comparison):

* ``inception_score`` (your Inception-v3 weights), ``classifier_score``
  (the same score in the bundled digit classifier), ``score_from_probabilities``.
* ``parzen_window`` - Parzen-window log-likelihood of held-out data, the
  bandwidth chosen on a validation split (Goodfellow et al. 2014, Table 1).

Translation with a known truth: ``translation_against_truth`` - L1, Fréchet distance
and class kept of translations against their true counterparts.

Exports: ``export_quality`` - the Fréchet distance of a model's and of
its exported (e.g. int8) file's samples from the same inputs, with an
``ExportQualityWarning`` past ``QUALITY_THRESHOLD``.

By name (``METRICS``): ``evaluate`` computes ``fid``, ``kid``,
``precision_recall`` or ``modes`` for generated samples; the command line's
``evaluate`` and ``keras_gan_zoo.callbacks.MetricLogger`` (during
``fit``) use it.
"""

from keras_gan_zoo.metrics.codes import (
    best_matching_accuracy,
    conditional_accuracy,
    text_accuracy,
    linear_probe_accuracy,
    nearest_neighbour_accuracy,
)
from keras_gan_zoo.metrics.disturb import DISTURBANCE_LEVELS, DISTURBANCES, disturb
from keras_gan_zoo.metrics.distances import (
    density_coverage,
    feature_statistics,
    frechet_distance,
    intra_class_frechet_distance,
    kernel_distance,
    kid_subset_size,
    precision_recall,
)
from keras_gan_zoo.metrics.features import (
    EXTRACTORS,
    classify_digits,
    classify_emoji,
    digit_classifier,
    emoji_extractor,
    extractor_for,
    facades_segmenter,
    features,
    generated_features,
    inception_v3,
    segment_facades,
    stream_features,
)
from keras_gan_zoo.metrics.exported import QUALITY_THRESHOLD, ExportQualityWarning, export_quality
from keras_gan_zoo.metrics.modes import mode_coverage, stacked_mnist_modes
from keras_gan_zoo.metrics.registry import METRICS, evaluate
from keras_gan_zoo.metrics.single_image import diversity, patch_features, sifid
from keras_gan_zoo.metrics.scores import (
    classifier_score,
    fcn_score,
    inception_score,
    parzen_log_likelihood,
    parzen_window,
    score_from_probabilities,
    segmentation_scores,
    translation_against_truth,
)

__all__ = [
    "sifid",
    "diversity",
    "patch_features",
    "DISTURBANCES",
    "DISTURBANCE_LEVELS",
    "density_coverage",
    "disturb",
    "emoji_extractor",
    "intra_class_frechet_distance",
    "kid_subset_size",
    "generated_features",
    "stream_features",
    "METRICS",
    "QUALITY_THRESHOLD",
    "ExportQualityWarning",
    "export_quality",
    "best_matching_accuracy",
    "classifier_score",
    "EXTRACTORS",
    "classify_digits",
    "classify_emoji",
    "conditional_accuracy",
    "text_accuracy",
    "digit_classifier",
    "extractor_for",
    "facades_segmenter",
    "fcn_score",
    "evaluate",
    "feature_statistics",
    "features",
    "segment_facades",
    "segmentation_scores",
    "translation_against_truth",
    "frechet_distance",
    "inception_score",
    "inception_v3",
    "kernel_distance",
    "linear_probe_accuracy",
    "nearest_neighbour_accuracy",
    "mode_coverage",
    "parzen_log_likelihood",
    "parzen_window",
    "precision_recall",
    "score_from_probabilities",
    "stacked_mnist_modes",
]

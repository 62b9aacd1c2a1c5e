"""Quality measures of generated samples.

* :func:`mode_coverage` - modes covered and high-quality share on the toy
  mixtures (the PacGAN / VEEGAN protocol).
* :func:`best_matching_accuracy` - accuracy of unsupervised codes (InfoGAN's
  categorical code) under the best one-to-one matching to classes.
"""

from keras_gan_zoo.metrics.codes import best_matching_accuracy
from keras_gan_zoo.metrics.modes import mode_coverage

__all__ = ["best_matching_accuracy", "mode_coverage"]

"""Quality measures of generated samples.

* :func:`mode_coverage` - modes covered and high-quality share on the toy
  mixtures (the PacGAN / VEEGAN protocol).
"""

from keras_gan_zoo.metrics.modes import mode_coverage

__all__ = ["mode_coverage"]

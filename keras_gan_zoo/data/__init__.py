"""Data that ships with the package, in the value ranges the networks expect.

* :func:`toy` - the 2-D Gaussian mixtures of the mode-collapse literature.
* :func:`digits` - real 8x8 handwritten digits, images in ``[-1, 1]``.
"""

from keras_gan_zoo.data.digits import digits
from keras_gan_zoo.data.toy import TOY_SETS, toy, toy_modes

__all__ = ["TOY_SETS", "digits", "toy", "toy_modes"]

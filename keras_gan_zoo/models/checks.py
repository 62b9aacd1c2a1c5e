"""Input checks: data that cannot train are refused before the first step, naming the problem.

``InputChecks`` is the bases' ``fit``: it checks that the model is
compiled in the right strategy scope and that the data fit the networks
(dtype, shape, finite values, value range), then calls ``keras.Model.fit``.
Each base extends ``InputChecks.check_data`` for what its variants take.
"""

import logging

import numpy as np
import tensorflow as tf

__all__ = ["InputChecks", "data_facts", "shape_str"]

_log = logging.getLogger("keras_gan_zoo")


def data_facts(x, y=None):
    """``(example shape, number of classes or None)`` of arrays or a data source."""
    if hasattr(x, "fingerprint"):  # a keras_gan_zoo.data.stream.Source
        return tuple(x.shape), x.num_classes
    classes = None if y is None or not len(y) else int(np.max(y)) + 1
    return tuple(np.shape(x)[1:]), classes


def shape_str(shape):
    """A shape as errors print it: ``(None, 28, 28, 1)``."""
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def _shapes_fit(expected, got):
    """Whether ``got`` fits ``expected``; ``None`` on either side fits anything."""
    if len(expected) != len(got):
        return False
    return all(e is None or g is None or e == g for e, g in zip(expected, got))


class InputChecks:
    """``fit`` after checking the data (a mixin of
    ``AdversarialModel``)."""

    def fit(self, x=None, y=None, batch_size=None, epochs=1, check_range=True, **kwargs):
        """``keras.Model.fit``, after checking that the data fit the networks.

        ``x`` is an array of examples, a batched ``tf.data.Dataset`` of
        examples (or of ``(examples, labels)``), or anything else ``fit``
        reads. Arrays are checked in full (float dtype, shape, finite values,
        not empty, value range), datasets by their element spec and first
        batch; other inputs are read as Keras reads them.

        Args:
            check_range: raise a ``ValueError`` when the data's values lie
                outside what the generator can make (images in ``[0, 255]``
                or ``[0, 1]`` for a generator that ends in tanh). ``False``
                warns instead.
        """
        if not self.compiled or self.generator_optimizer is None:
            raise RuntimeError(
                f"{type(self).__name__} is not compiled: call "
                "model.compile(generator_optimizer=..., discriminator_optimizer=...) "
                "(or model.compile() for the defaults) before fit()"
            )
        self._check_strategy("fit")
        self.check_data(x, y, check_range=check_range)
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    def check_data(self, x, y=None, check_range=True):
        """Raise a ``ValueError`` naming the problem if ``x`` cannot be trained on."""

    @staticmethod
    def _check_float(dtype):
        dtype = tf.as_dtype(dtype)
        if not dtype.is_floating:
            hint = ""
            if dtype == tf.uint8:
                hint = "; scale uint8 images to [-1, 1] first, e.g. x / 127.5 - 1"
            raise ValueError(f"expected float data, got dtype {dtype.name}{hint}")

    @staticmethod
    def _check_values(array, port, what, check_range):
        """Finite values, in the range a generator's ``port`` can make."""
        array = np.asarray(array)
        finite = np.isfinite(array)
        if not finite.all():
            bad = int(np.argwhere(~finite)[0][0])
            raise ValueError(
                f"the {what} contain {int((~finite).sum())} non-finite values "
                f"(NaN or Inf), the first in example {bad}; expected finite floats"
            )
        if port.range is None or not array.size:
            return
        low, high = float(array.min()), float(array.max())
        lo, hi = port.range
        slack = 1e-3 * (hi - lo)
        problem = None
        if low < lo - slack or high > hi + slack:
            problem = "outside"
        elif array.ndim == 4 and low >= 0 and high > 0.5 and (lo, hi) == (-1.0, 1.0):
            problem = "in [0, 1]"  # images scaled to [0, 1]: the tanh's lower half is never used
        if problem is None:
            return
        fix = "x / 127.5 - 1 for pixels in [0, 255], x * 2 - 1 for [0, 1]"
        message = (f"the {what} are in [{low:.4g}, {high:.4g}], {problem} the range "
                   f"[{lo:g}, {hi:g}] the generator's {port.name} output can take; scale them "
                   f"first ({fix}), or pass fit(..., check_range=False) to train anyway")
        if check_range:
            raise ValueError(message)
        _log.warning(message.split("; scale")[0] + " (check_range=False)")

"""Adversarial losses as pure functions of discriminator logits.

Every function returns one value **per example** (shape ``(batch,)``) and
leaves the reduction to the caller. Under ``tf.distribute`` the right
reduction is a sum divided by the *global* batch size, which only the training
step knows; a function that already took a per-replica mean would silently
scale the gradients with the number of replicas.

Logits of any rank are accepted: a PatchGAN discriminator's ``(batch, h, w, 1)``
map is averaged over its non-batch axes to one value per example.

Names follow TF-GAN (``minimax_discriminator_loss``,
``wasserstein_gradient_penalty``, ...). ``label_smoothing`` is one-sided
(Salimans et al. 2016): only the targets of real examples move from 1 to
``1 - label_smoothing``.

Example:
    >>> import numpy as np
    >>> from keras_gan_zoo import losses
    >>> losses.non_saturating_generator_loss(np.array([0.0])).numpy()  # log 2
    array([0.6931472], dtype=float32)
"""

import functools

import tensorflow as tf
from keras import ops

__all__ = [
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
    "wasserstein_gradient_penalty",
    "zero_centred_gradient_penalty",
    "f_divergence_discriminator_loss",
    "f_divergence_generator_loss",
    "DIVERGENCES",
    "get",
]


def _per_example(values):
    """Mean over every axis but the first: one float32 value per example."""
    values = ops.cast(ops.convert_to_tensor(values), "float32")
    if len(values.shape) == 0:
        raise ValueError(
            "expected logits with a batch dimension, got a scalar; pass one "
            "logit per example, shape (batch,) or (batch, ...)"
        )
    if len(values.shape) == 1:
        return values
    return ops.mean(values, axis=tuple(range(1, len(values.shape))))


def _check_smoothing(label_smoothing):
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(
            f"expected label_smoothing in [0, 1), got {label_smoothing}"
        )


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Binary cross-entropy of the discriminator (Goodfellow et al. 2014).

    ``-log D(x) - log(1 - D(G(z)))`` per example, with ``D = sigmoid(logits)``.

    Args:
        real_logits: discriminator logits on real examples, ``(batch, ...)``.
        fake_logits: logits on generated examples, same batch size.
        label_smoothing: one-sided smoothing; real targets become
            ``1 - label_smoothing``.

    Returns:
        ``(batch,)`` float32 losses.
    """
    _check_smoothing(label_smoothing)
    real = _per_example_bce(real_logits, 1.0 - label_smoothing)
    fake = _per_example_bce(fake_logits, 0.0)
    return real + fake


def _per_example_bce(logits, target):
    # BCE with logits: softplus(x) - t * x, stable for large |x|.
    logits = ops.cast(ops.convert_to_tensor(logits), "float32")
    return _per_example(ops.softplus(logits) - target * logits)


def minimax_generator_loss(fake_logits):
    """The original, saturating generator loss: ``log(1 - D(G(z)))``.

    Its gradient vanishes when the discriminator confidently rejects the
    samples, which is why ``non_saturating_generator_loss`` is the usual
    choice. Returned per example, shape ``(batch,)``.
    """
    return -_per_example_bce(fake_logits, 0.0)


def non_saturating_generator_loss(fake_logits):
    """The "modified" generator loss ``-log D(G(z))`` (Goodfellow et al. 2014).

    Same fixed point as the minimax loss, but strong gradients early in
    training. Returned per example, shape ``(batch,)``.
    """
    return _per_example_bce(fake_logits, 1.0)


def least_squares_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """LSGAN discriminator loss (Mao et al. 2017), targets a=0, b=1.

    ``0.5 * (D(x) - b)^2 + 0.5 * D(G(z))^2`` per example, on raw outputs.
    """
    _check_smoothing(label_smoothing)
    target = 1.0 - label_smoothing
    real = _per_example(ops.square(ops.cast(real_logits, "float32") - target))
    fake = _per_example(ops.square(ops.cast(fake_logits, "float32")))
    return 0.5 * (real + fake)


def least_squares_generator_loss(fake_logits):
    """LSGAN generator loss ``0.5 * (D(G(z)) - 1)^2`` per example."""
    return 0.5 * _per_example(ops.square(ops.cast(fake_logits, "float32") - 1.0))


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge discriminator loss (Lim and Ye 2017; Miyato et al. 2018).

    ``relu(1 - D(x)) + relu(1 + D(G(z)))`` per example.
    """
    real = _per_example(ops.relu(1.0 - ops.cast(real_logits, "float32")))
    fake = _per_example(ops.relu(1.0 + ops.cast(fake_logits, "float32")))
    return real + fake


def hinge_generator_loss(fake_logits):
    """Hinge generator loss ``-D(G(z))`` per example."""
    return -_per_example(fake_logits)


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Critic loss of WGAN (Arjovsky et al. 2017): ``D(G(z)) - D(x)``.

    Minimising it maximises the critic's estimate of the Wasserstein-1
    distance; it needs a Lipschitz constraint such as
    ``wasserstein_gradient_penalty``.
    """
    return _per_example(fake_logits) - _per_example(real_logits)


def wasserstein_generator_loss(fake_logits):
    """Generator loss of WGAN: ``-D(G(z))`` per example."""
    return -_per_example(fake_logits)


def wasserstein_gradient_penalty(
    discriminator, real, fake, alpha=None, seed=None, epsilon=1e-10, training=True
):
    """Two-sided gradient penalty of WGAN-GP (Gulrajani et al. 2017).

    The critic is evaluated at ``x = real + alpha * (fake - real)`` with
    ``alpha ~ U[0, 1]`` drawn once per example (a *uniform* weight, as in the
    paper), and the penalty is ``(||grad_x D(x)||_2 - 1)^2``. ``epsilon`` sits
    inside the square root so that the gradient of the norm is finite where
    the critic's gradient is zero.

    Args:
        discriminator: callable mapping a batch of examples to logits.
        real: real examples, ``(batch, ...)``.
        fake: generated examples, same shape as ``real``.
        alpha: optional interpolation weights, shape ``(batch,)``; drawn from
            ``U[0, 1]`` with ``seed`` when omitted.
        seed: a ``(2,)`` integer tensor for ``tf.random.stateless_uniform``,
            or ``None`` for a stateful draw.
        epsilon: added to the squared norm before the square root.
        training: passed to the discriminator.

    Returns:
        ``(batch,)`` float32 penalties (multiply by ``gp_weight`` yourself).
    """
    real = tf.cast(real, tf.float32)
    fake = tf.cast(fake, tf.float32)
    batch = tf.shape(real)[0]
    if alpha is None:
        if seed is None:
            alpha = tf.random.uniform([batch])
        else:
            alpha = tf.random.stateless_uniform([batch], seed=seed)
    alpha = tf.reshape(tf.cast(alpha, tf.float32), [-1] + [1] * (len(real.shape) - 1))
    interpolated = real + alpha * (fake - real)
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        logits = discriminator(interpolated, training=training)
        # Summing per-example logits gives each example its own gradient.
        total = tf.reduce_sum(tf.cast(logits, tf.float32))
    grads = tape.gradient(total, interpolated, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    axes = list(range(1, len(grads.shape)))
    norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=axes) + epsilon)
    return tf.square(norm - 1.0)


def zero_centred_gradient_penalty(discriminator, examples, training=True):
    """``||grad_x D(x)||^2`` per example: R1 on real examples, R2 on generated ones.

    Mescheder et al. 2018 ("Which Training Methods for GANs do actually
    Converge?") penalise the discriminator's gradient on the data toward zero
    (R1, with weight gamma / 2), which keeps it from pushing the generator
    around a converged point; StyleGAN2 and R3GAN use R1 (and R2 on fakes).

    Args:
        discriminator: callable ``(examples, training) -> logits``.
        examples: ``(batch, ...)``.
        training: passed to the discriminator.

    Returns:
        ``(batch,)`` float32 squared gradient norms (multiply by gamma / 2 yourself).
    """
    examples = tf.cast(examples, tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(examples)
        total = tf.reduce_sum(tf.cast(discriminator(examples, training=training), tf.float32))
    grads = tape.gradient(total, examples, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return tf.reduce_sum(tf.square(grads), axis=list(range(1, len(grads.shape))))


# ------------------------------------------------------------------- f-GAN
_LOG2 = 0.6931471805599453

# Nowozin et al. 2016, "f-GAN: Training Generative Neural Samplers using
# Variational Divergence Minimization", table 2 (arXiv v1 table 6). For each
# f-divergence: the output activation g_f, which maps the discriminator's raw
# output v into the domain of the conjugate f*, and f*(g_f(v)) written so
# that it stays finite for large |v| (the table's forms are in the comments).
_F_DIVERGENCES = {
    # KL: g(v) = v, f*(t) = exp(t - 1)
    "kl": (lambda v: v, lambda v: _exp(v - 1.0)),
    # reverse KL: g(v) = -exp(-v), f*(t) = -1 - log(-t)
    "reverse_kl": (lambda v: -_exp(-v), lambda v: v - 1.0),
    # Pearson chi^2: g(v) = v, f*(t) = t^2 / 4 + t
    "pearson": (lambda v: v, lambda v: 0.25 * ops.square(v) + v),
    # Neyman chi^2: g(v) = 1 - exp(-v), f*(t) = 2 - 2 sqrt(1 - t)
    "neyman": (lambda v: 1.0 - _exp(-v), lambda v: 2.0 - 2.0 * _exp(-0.5 * v)),
    # squared Hellinger: g(v) = 1 - exp(-v), f*(t) = t / (1 - t)
    "squared_hellinger": (lambda v: 1.0 - _exp(-v), lambda v: _exp(v) - 1.0),
    # Jensen-Shannon: g(v) = log 2 - log(1 + exp(-v)), f*(t) = -log(2 - exp(t))
    "jensen_shannon": (lambda v: _LOG2 - ops.softplus(-v), lambda v: ops.softplus(v) - _LOG2),
    # the GAN divergence: g(v) = -log(1 + exp(-v)), f*(t) = -log(1 - exp(t))
    "gan": (lambda v: -ops.softplus(-v), lambda v: ops.softplus(v)),
}

# Where a term is exp(v), an unbounded discriminator output overflows float32
# (exp(89) is inf) and one inf turns the whole step into NaN. Such outputs
# happen: on a mode the generator has dropped, the KL and reverse-KL bounds
# push V without limit. Beyond _EXP_LINEAR the exponential is continued by
# its tangent line, so values and gradients stay finite and keep their sign;
# below it (density ratios up to e^30) the terms are exactly the paper's.
_EXP_LINEAR = 30.0


def _exp(x):
    capped = ops.minimum(x, _EXP_LINEAR)
    return ops.exp(capped) * (1.0 + x - capped)


#: The f-divergences of ``f_divergence_discriminator_loss`` (``GAN(loss="f_divergence",
#: divergence=...)``).
DIVERGENCES = tuple(_F_DIVERGENCES)


def _divergence(name):
    try:
        return _F_DIVERGENCES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown divergence {name!r}; expected one of "
                         f"{', '.join(DIVERGENCES)}") from None


def f_divergence_discriminator_loss(real_logits, fake_logits, divergence="jensen_shannon"):
    """f-GAN discriminator loss (Nowozin et al. 2016), per example.

    The discriminator maximises the variational lower bound of the
    f-divergence ``D_f(P_data || P_G)``,
    ``E_real[g_f(V(x))] - E_fake[f*(g_f(V(G(z))))]``, where ``V`` is its raw
    output, ``g_f`` the divergence's output activation and ``f*`` the Fenchel
    conjugate of its generator function ``f`` (the paper's table 2). This
    returns the negated bound per example: ``f*(g_f(V(G(z)))) - g_f(V(x))``.
    At the optimal discriminator ``-mean(loss)`` is the divergence itself.

    The exponentials of the table (KL, reverse KL, Neyman, squared
    Hellinger) are exact up to ``exp(30)`` and continued by their tangent
    line beyond, so that a diverging discriminator (the KL bounds push ``V``
    without limit on modes the generator has dropped) gives large but
    finite losses and gradients instead of ``inf`` and NaN weights.

    Args:
        real_logits: raw discriminator outputs on real examples.
        fake_logits: raw outputs on generated examples, same batch size.
        divergence: one of ``DIVERGENCES``: ``"kl"``, ``"reverse_kl"``,
            ``"pearson"`` (chi-squared), ``"neyman"`` (chi-squared),
            ``"squared_hellinger"``, ``"jensen_shannon"`` or ``"gan"``
            (``2 JS - log 4``, whose loss is the minimax cross-entropy).

    Returns:
        ``(batch,)`` float32 losses.
    """
    activation, conjugate = _divergence(divergence)
    real = _per_example(activation(ops.cast(real_logits, "float32")))
    fake = _per_example(conjugate(ops.cast(fake_logits, "float32")))
    return fake - real


def f_divergence_generator_loss(fake_logits, divergence="jensen_shannon"):
    """f-GAN generator loss: ``-g_f(V(G(z)))`` per example.

    The paper's practical objective (section 3.2): instead of minimising the
    bound's ``-f*(g_f(V(G(z))))``, the generator maximises ``g_f(V(G(z)))``,
    which has the same fixed point and strong gradients early in training
    (for ``"gan"`` it is the non-saturating loss).
    """
    activation, _ = _divergence(divergence)
    return -_per_example(activation(ops.cast(fake_logits, "float32")))


_PAIRS = {
    # name: (generator loss, discriminator loss)
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (non_saturating_generator_loss, minimax_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "f_divergence": (f_divergence_generator_loss, f_divergence_discriminator_loss),
}

#: Loss names accepted by ``get`` and by ``GAN(loss=...)``.
NAMES = tuple(_PAIRS)


def get(name, divergence=None):
    """Return ``(generator_loss, discriminator_loss)`` for a loss name.

    ``"f_divergence"`` takes the ``divergence`` (one of ``DIVERGENCES``);
    the other losses take none.

    Example:
        >>> g_loss, d_loss = get("hinge")
        >>> g_loss, d_loss = get("f_divergence", divergence="kl")
    """
    try:
        pair = _PAIRS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown loss {name!r}; expected one of {', '.join(NAMES)}"
        ) from None
    if name != "f_divergence":
        if divergence is not None:
            raise ValueError(f"divergence= applies to loss='f_divergence', not to loss={name!r}")
        return pair
    if divergence is None:
        raise ValueError(f"loss='f_divergence' needs divergence=, one of {', '.join(DIVERGENCES)}")
    _divergence(divergence)
    g_loss, d_loss = pair
    return (functools.partial(g_loss, divergence=divergence),
            functools.partial(d_loss, divergence=divergence))



def __getattr__(name):
    # spelt "centered" before 0.5, beside ZeroCentredPenalties and the docs' "centred"
    if name == "zero_centered_gradient_penalty":
        import warnings

        warnings.warn("keras_gan_zoo.losses.zero_centered_gradient_penalty is now "
                      "zero_centred_gradient_penalty (keras-gan-zoo 0.5)", DeprecationWarning,
                      stacklevel=2)
        return zero_centred_gradient_penalty
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Golden values of the losses, computed by hand on fixed logits.

With sigmoid(0) = 1/2, log 2 = 0.693147..., softplus(x) = log(1 + e^x):
softplus(2) = 2.126928, softplus(-2) = 0.126928, softplus(1) = 1.313262,
softplus(-1) = 0.313262.
"""

import numpy as np
import pytest
import keras
import tensorflow as tf

from keras_gan_zoo import losses

LOG2 = np.log(2.0)
SP = {x: np.log1p(np.exp(x)) for x in (-2.0, -1.0, 0.0, 1.0, 2.0)}

REAL = np.array([[0.0], [2.0], [-1.0]], dtype="float32")
FAKE = np.array([[0.0], [-2.0], [1.0]], dtype="float32")


def close(value, expected):
    np.testing.assert_allclose(np.asarray(value), np.asarray(expected, "float32"), rtol=1e-5, atol=1e-6)


def test_minimax_discriminator_loss():
    # -log sigmoid(r) - log(1 - sigmoid(f)) = softplus(-r) + softplus(f)
    close(losses.minimax_discriminator_loss(REAL, FAKE),
          [2 * LOG2, SP[-2.0] + SP[-2.0], SP[1.0] + SP[1.0]])


def test_one_sided_label_smoothing_moves_only_the_real_target():
    # target 0.9 on reals: softplus(r) - 0.9 r; fakes unchanged.
    close(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=0.1),
          [2 * LOG2, (SP[2.0] - 1.8) + SP[-2.0], (SP[-1.0] + 0.9) + SP[1.0]])
    close(losses.least_squares_discriminator_loss(REAL, FAKE, label_smoothing=0.1),
          [0.5 * (0.81 + 0), 0.5 * (1.21 + 4), 0.5 * (3.61 + 1)])


def test_generator_losses():
    close(losses.minimax_generator_loss(FAKE), [-LOG2, -SP[-2.0], -SP[1.0]])
    close(losses.non_saturating_generator_loss(FAKE), [LOG2, SP[2.0], SP[-1.0]])
    close(losses.least_squares_generator_loss(FAKE), [0.5, 4.5, 0.0])
    close(losses.hinge_generator_loss(FAKE), [0.0, 2.0, -1.0])
    close(losses.wasserstein_generator_loss(FAKE), [0.0, 2.0, -1.0])


def test_least_squares_hinge_and_wasserstein_discriminator_losses():
    close(losses.least_squares_discriminator_loss(REAL, FAKE), [0.5, 0.5 * (1 + 4), 0.5 * (4 + 1)])
    # relu(1 - r) + relu(1 + f)
    close(losses.hinge_discriminator_loss(REAL, FAKE), [2.0, 0.0 + 0.0, 2.0 + 2.0])
    close(losses.wasserstein_discriminator_loss(REAL, FAKE), [0.0, -4.0, 2.0])


def test_non_saturating_is_stable_for_extreme_logits():
    value = losses.non_saturating_generator_loss(np.array([-200.0, 200.0], "float32"))
    close(value, [200.0, 0.0])


def test_patch_logits_are_averaged_per_example():
    patch = np.stack([np.zeros((2, 2, 1)), np.full((2, 2, 1), 2.0)]).astype("float32")
    close(losses.hinge_generator_loss(patch), [0.0, -2.0])


def test_gradient_penalty_of_a_linear_critic():
    # D(x) = w . x has gradient w everywhere: penalty = (sqrt(|w|^2 + eps) - 1)^2.
    w = np.array([[3.0], [4.0]], "float32")  # |w| = 5
    critic = lambda x, training=True: tf.matmul(x, w)  # noqa: E731
    real = np.zeros((4, 2), "float32")
    fake = np.ones((4, 2), "float32")
    close(losses.wasserstein_gradient_penalty(critic, real, fake, seed=tf.constant([1, 2])),
          [16.0] * 4)


def test_gradient_penalty_depends_on_the_interpolation_point():
    # D(x) = sum(x^2)/2 has gradient x: the penalty is (|x_hat| - 1)^2 with
    # x_hat = real + alpha (fake - real) = alpha * fake for real = 0.
    critic = lambda x, training=True: 0.5 * tf.reduce_sum(x**2, axis=1, keepdims=True)  # noqa: E731
    real = np.zeros((3, 2), "float32")
    fake = np.full((3, 2), 2.0, "float32")
    alpha = np.array([0.0, 0.5, 1.0], "float32")
    norms = alpha * np.sqrt(8.0)
    close(losses.wasserstein_gradient_penalty(critic, real, fake, alpha=alpha),
          (np.sqrt(norms**2 + 1e-10) - 1) ** 2)


def test_gradient_penalty_draws_uniform_weights_per_example():
    # With D(x) = sum(x^2)/2, real = 0 and fake = e1: penalty = (alpha - 1)^2,
    # so alpha = 1 - sqrt(penalty) is recoverable and must look U[0, 1].
    critic = lambda x, training=True: 0.5 * tf.reduce_sum(x**2, axis=1, keepdims=True)  # noqa: E731
    n = 20000
    fake = np.zeros((n, 2), "float32")
    fake[:, 0] = 1.0
    penalty = losses.wasserstein_gradient_penalty(critic, np.zeros_like(fake), fake,
                                                  seed=tf.constant([3, 4]))
    alpha = 1.0 - np.sqrt(np.asarray(penalty))
    assert alpha.min() >= -1e-4 and alpha.max() <= 1 + 1e-4  # a normal would leave [0, 1]
    assert abs(alpha.mean() - 0.5) < 0.01 and abs(alpha.var() - 1 / 12) < 0.005
    assert len(np.unique(np.round(alpha, 5))) > n // 2  # one weight per example


def test_gradient_penalty_is_finite_at_zero_gradient():
    # D(x) = v * sum(x) with v = 0: grad_x D = 0, where the norm's own
    # gradient is 0/0 without the epsilon inside the square root.
    v = tf.Variable(0.0)
    critic = lambda x, training=True: v * tf.reduce_sum(x, axis=1, keepdims=True)  # noqa: E731
    x = np.ones((2, 2), "float32")
    with tf.GradientTape() as tape:
        penalty = losses.wasserstein_gradient_penalty(critic, x, x * 2, alpha=np.array([0.5, 0.5]))
        total = tf.reduce_sum(penalty)
    close(penalty, [(np.sqrt(1e-10) - 1) ** 2] * 2)
    grad = tape.gradient(total, v)
    assert np.isfinite(float(grad)), grad


def test_get_and_errors():
    assert losses.get("hinge") == (losses.hinge_generator_loss, losses.hinge_discriminator_loss)
    with pytest.raises(ValueError, match="unknown loss 'wasserstien'.*expected one of"):
        losses.get("wasserstien")
    with pytest.raises(ValueError, match="label_smoothing in \\[0, 1\\)"):
        losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=1.0)
    with pytest.raises(ValueError, match="batch dimension"):
        losses.hinge_generator_loss(np.float32(1.0))


def test_losses_run_inside_a_keras_graph():
    fn = tf.function(lambda r, f: losses.minimax_discriminator_loss(r, f))
    close(fn(keras.ops.convert_to_tensor(REAL), keras.ops.convert_to_tensor(FAKE))[0], 2 * LOG2)


# ------------------------------------------------------------------- f-GAN
# The paper's table 2 (Nowozin et al. 2016) as written there: the output
# activation g_f(v), the conjugate f*(t), the generator function f(u) and its
# derivative f'(u) (the optimal T = f'(p / q)), and the inverse of g_f.
E = np.exp
TABLE = {
    "kl": (lambda v: v, lambda t: E(t - 1), lambda u: u * np.log(u), lambda u: 1 + np.log(u),
           lambda t: t),
    "reverse_kl": (lambda v: -E(-v), lambda t: -1 - np.log(-t), lambda u: -np.log(u),
                   lambda u: -1 / u, lambda t: -np.log(-t)),
    "pearson": (lambda v: v, lambda t: t ** 2 / 4 + t, lambda u: (u - 1) ** 2,
                lambda u: 2 * (u - 1), lambda t: t),
    "neyman": (lambda v: 1 - E(-v), lambda t: 2 - 2 * np.sqrt(1 - t),
               lambda u: (1 - u) ** 2 / u, lambda u: 1 - 1 / u ** 2, lambda t: -np.log(1 - t)),
    "squared_hellinger": (lambda v: 1 - E(-v), lambda t: t / (1 - t),
                          lambda u: (np.sqrt(u) - 1) ** 2, lambda u: 1 - 1 / np.sqrt(u),
                          lambda t: -np.log(1 - t)),
    "jensen_shannon": (lambda v: np.log(2) - np.log1p(E(-v)), lambda t: -np.log(2 - E(t)),
                       lambda u: -(u + 1) * np.log((1 + u) / 2) + u * np.log(u),
                       lambda u: np.log(2 * u / (1 + u)), lambda t: -np.log(2 * E(-t) - 1)),
    "gan": (lambda v: -np.log1p(E(-v)), lambda t: -np.log(1 - E(t)),
            lambda u: u * np.log(u) - (u + 1) * np.log(u + 1), lambda u: np.log(u / (u + 1)),
            lambda t: t - np.log(1 - E(t))),
}
V_REAL = np.array([0.0, 2.0, -1.0, 0.5], "float64")
V_FAKE = np.array([0.0, -2.0, 1.0, -0.5], "float64")


def test_the_divergence_table_is_the_papers():
    assert set(losses.DIVERGENCES) == set(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_f_divergence_losses_match_the_papers_table(name):
    g, conjugate = TABLE[name][:2]
    d = losses.f_divergence_discriminator_loss(V_REAL[:, None], V_FAKE[:, None], divergence=name)
    close(d, conjugate(g(V_FAKE)) - g(V_REAL))  # -(g(V(x)) - f*(g(V(G(z)))))
    close(losses.f_divergence_generator_loss(V_FAKE, divergence=name), -g(V_FAKE))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_at_the_optimal_discriminator_the_bound_is_the_divergence(name):
    # Two distributions on three points; T*(x) = f'(p(x) / q(x)) attains the
    # bound, so -E[loss] (reals weighted by p, fakes by q) is D_f(P || Q).
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    f, derivative, inverse = TABLE[name][2:]
    v = inverse(derivative(p / q))  # the raw output whose activation is T*
    real_part = -losses.f_divergence_generator_loss(v, divergence=name).numpy()  # g(v)
    fake_part = (losses.f_divergence_discriminator_loss(np.zeros(3), v, divergence=name).numpy()
                 + TABLE[name][0](np.zeros(3)))  # f*(g(v))
    bound = np.sum(p * real_part) - np.sum(q * fake_part)
    np.testing.assert_allclose(bound, np.sum(q * f(p / q)), rtol=1e-5)
    assert bound > (-np.log(4) if name == "gan" else 0)  # the GAN's is 2 JS - log 4


def test_the_gan_divergence_is_the_minimax_loss():
    close(losses.f_divergence_discriminator_loss(REAL, FAKE, divergence="gan"),
          losses.minimax_discriminator_loss(REAL, FAKE))
    close(losses.f_divergence_generator_loss(FAKE, divergence="gan"),
          losses.non_saturating_generator_loss(FAKE))


@pytest.mark.parametrize("name", losses.DIVERGENCES)
def test_f_divergence_losses_and_gradients_stay_finite_where_exp_overflows(name):
    # exp(200) is inf in float32; a diverging discriminator reaches such outputs
    v = tf.constant([-200.0, -40.0, 40.0, 200.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(v)
        d = losses.f_divergence_discriminator_loss(v, -v, divergence=name)
        g = losses.f_divergence_generator_loss(v, divergence=name)
    for value in (d, g, tape.gradient(d, v), tape.gradient(g, v)):
        assert np.isfinite(value.numpy()).all(), (name, value)
    # the tangent continuation keeps the direction: the generator still
    # gains by raising V wherever g_f is not flat
    assert (tape.gradient(g, v).numpy()[:2] <= 0).all()


def test_the_exponential_terms_are_exact_below_the_continuation():
    v = np.linspace(-25.0, 25.0, 11).astype("float32")
    close(losses.f_divergence_discriminator_loss(np.zeros(11), v, divergence="kl"), np.exp(v - 1.0))
    close(losses.f_divergence_generator_loss(v, divergence="reverse_kl"), np.exp(-v))


def test_f_divergence_names_are_checked():
    with pytest.raises(ValueError, match="unknown divergence 'js'; expected one of kl, "):
        losses.f_divergence_discriminator_loss(REAL, FAKE, divergence="js")
    with pytest.raises(ValueError, match="loss='f_divergence' needs divergence=, one of kl"):
        losses.get("f_divergence")
    with pytest.raises(ValueError, match="divergence= applies to loss='f_divergence', not to "
                                         "loss='hinge'"):
        losses.get("hinge", divergence="kl")
    g_loss, d_loss = losses.get("f_divergence", divergence="pearson")
    close(g_loss(V_FAKE), -V_FAKE)

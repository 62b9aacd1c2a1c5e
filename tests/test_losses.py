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

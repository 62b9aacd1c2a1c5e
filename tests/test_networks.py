"""Default networks: shapes, ranges, and clear errors."""

import numpy as np
import pytest
import keras
import tensorflow as tf

from keras_gan_zoo import networks
from keras_gan_zoo.variants.infogan.networks import infogan_discriminator_body, infogan_generator


@pytest.mark.parametrize("size", [8, 16, 28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes_and_range(size, channels):
    g, d = networks.for_shape((size, size, channels), latent_dim=5, base_filters=4)
    z = np.random.default_rng(0).normal(size=(3, 5)).astype("float32") * 10
    images = np.asarray(g(z))
    assert images.shape == (3, size, size, channels)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    assert np.asarray(d(images)).shape == (3, 1)


def test_mlp_shapes_and_linear_output():
    g, d = networks.for_shape((2,), latent_dim=3, hidden=(8,))
    out = np.asarray(g(np.full((4, 3), 100.0, "float32")))
    assert out.shape == (4, 2)
    assert np.abs(out).max() > 1  # linear output: grid25 spans [-4, 4]
    assert d.output_shape == (None, 1)


def test_discriminators_have_no_batch_norm():
    for shape in [(2,), (16, 16, 3)]:
        _, d = networks.for_shape(shape)
        assert not [layer for layer in d.layers if "batch_norm" in layer.name]


def test_generator_batch_norm_is_synchronized():
    g, _ = networks.for_shape((16, 16, 1))
    bns = [layer for layer in g.layers if "batch_norm" in layer.name]
    assert bns and all(layer.synchronized for layer in bns)


@pytest.mark.parametrize("shape", [(4, 4, 1), (100, 100, 3), (512, 512, 3), (32, 16, 1),
                                   (32, 32, 2), (2, 3)])
def test_unsupported_shapes_say_what_is_expected(shape):
    with pytest.raises(ValueError, match="expected"):
        networks.for_shape(shape)


@pytest.mark.parametrize("size", [8, 28, 32])
def test_infogan_paper_networks(size):
    g = infogan_generator((size, size, 1), latent_dim=6, base_filters=4, dense_units=8)
    d = infogan_discriminator_body((size, size, 1), base_filters=4, dense_units=8)
    images = np.asarray(g(np.random.default_rng(0).normal(size=(3, 6)).astype("float32") * 10))
    assert images.shape == (3, size, size, 1) and np.abs(images).max() <= 1
    assert np.asarray(d(images)).shape == (3, 8)
    # Batch norm in both (the paper's discriminator has it), all of it synchronized.
    for net in (g, d):
        bns = [layer for layer in net.layers if "batch_norm" in layer.name]
        assert len(bns) == 3 - (net is d) and all(layer.synchronized for layer in bns)


@pytest.mark.parametrize("shape", [(30, 30, 1), (68, 68, 1), (28, 32, 1), (4,)])
def test_infogan_paper_networks_say_which_shapes_fit(shape):
    with pytest.raises(ValueError, match="multiple of 4 from 8 to 64, got"):
        infogan_generator(shape)


def test_cyclegan_networks_are_fully_convolutional():
    from keras_gan_zoo.networks.translators import patch_discriminator, resnet_translator

    g = resnet_translator(1, 3, base_filters=4, num_blocks=1)
    d = patch_discriminator(3, base_filters=4)
    for h, w in [(32, 32), (64, 48)]:
        out = np.asarray(g(np.random.default_rng(0).normal(size=(2, h, w, 1)).astype("float32")))
        assert out.shape == (2, h, w, 3) and np.abs(out).max() <= 1
        assert np.asarray(d(out)).shape == (2, h // 8, w // 8, 1)  # one logit per patch


# ------------------------------------------------------------------ ResNets
@pytest.mark.parametrize("size, attention", [(8, None), (32, 16), (48, None), (128, 32), (256, None)])
def test_resnet_shapes_range_and_attention(size, attention):
    kwargs = {"architecture": "resnet", "base_filters": 8, "attention": attention}
    g, d = networks.for_shape((size, size, 3), latent_dim=5, **kwargs)
    images = np.asarray(g(np.random.default_rng(0).normal(size=(2, 5)).astype("float32") * 10))
    assert images.shape == (2, size, size, 3) and np.abs(images).max() <= 1
    assert np.asarray(d(images)).shape == (2, 1)
    attention_layers = [layer.name for net in (g, d) for layer in net.layers
                        if isinstance(layer, networks.SelfAttention)]
    assert attention_layers == ([] if attention is None else [f"attention{attention}"] * 2)
    # spectrally normalised by default; the generator's batch norm is synchronized
    assert any(isinstance(layer, networks.SpectralConv2D) for layer in d.layers)
    assert all(layer.synchronized for layer in g.layers
               if isinstance(layer, keras.layers.BatchNormalization))


def test_auto_architecture_is_dcgan_up_to_64_px_and_resnet_above():
    assert networks.architecture_for_shape((64, 64, 3)) == "dcgan"
    assert networks.architecture_for_shape((96, 96, 3)) == "resnet"
    assert networks.architecture_for_shape((2,)) == "mlp"
    g, _ = networks.for_shape((128, 128, 1), base_filters=4)
    assert g.output_shape == (None, 128, 128, 1) and "up4_conv1" in [l.name for l in g.layers]


@pytest.mark.parametrize("kwargs, message", [
    ({"architecture": "resnet", "attention": 12}, r"attention=12: the generator's blocks end at "
                                                  r"resolutions 8, 16, 32"),
    ({"attention": 16}, 'attention= is an option of the ResNet networks; pass architecture="resnet"'),
    ({"architecture": "stylegan"}, "unknown architecture 'stylegan'; expected one of 'auto'"),
])
def test_bad_network_options_say_what_is_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        networks.for_shape((32, 32, 3), **kwargs)


def test_spectral_norm_option_of_the_dcgan_discriminator():
    _, plain = networks.for_shape((16, 16, 1), base_filters=4)
    _, normed = networks.for_shape((16, 16, 1), base_filters=4, spectral_norm=True)
    kinds = lambda d: {type(layer).__name__ for layer in d.layers}  # noqa: E731
    assert "SpectralConv2D" not in kinds(plain)
    assert {"SpectralConv2D", "SpectralDense"} <= kinds(normed)


# ----------------------------------------------------- spectral normalization
def _kernel_matrix(layer):
    kernel = np.asarray(layer.kernel)
    return kernel.reshape(-1, kernel.shape[-1])


@pytest.mark.parametrize("make, x_shape", [
    (lambda: networks.SpectralConv2D(6, 3, padding="same"), (4, 8, 8, 3)),
    (lambda: networks.SpectralDense(5), (4, 12)),
])
def test_spectral_norm_matches_a_direct_svd(make, x_shape):
    # a fixed kernel: power iteration converges as (sigma_2 / sigma_1)^(2k), slowly for a
    # kernel whose two largest singular values are close, as a random one may be
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=x_shape).astype("float32")
    layer = make()
    layer(x)
    for _ in range(200):  # power iterations: one per training call
        layer(x, training=True)
    top = np.linalg.svd(_kernel_matrix(layer), compute_uv=False)[0]
    np.testing.assert_allclose(float(layer.sigma()), top, rtol=1e-4)
    normed = np.asarray(layer.normalized_kernel()).reshape(-1, layer.kernel.shape[-1])
    np.testing.assert_allclose(np.linalg.svd(normed, compute_uv=False)[0], 1.0, rtol=1e-4)
    # inference calls leave u alone: the same output twice
    u = np.asarray(layer.u).copy()
    np.testing.assert_array_equal(np.asarray(layer(x)), np.asarray(layer(x)))
    np.testing.assert_array_equal(np.asarray(layer.u), u)


def test_spectral_norm_gradient_goes_through_sigma_unlike_keras_layer():
    """The paper's gradient: d/dW of f(W / sigma(W)) includes the sigma term.

    Checked against autodiff of the same function with sigma from a direct SVD
    (whose gradient is u v^T at convergence). Keras's SpectralNormalization
    writes W / sigma into the variable and differentiates only through the
    layer's plain kernel: its gradient lacks the term, so it differs.
    """
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 6)).astype("float32")
    target = rng.normal(size=(8, 4)).astype("float32")
    layer = networks.SpectralDense(4, use_bias=False)
    layer(x)
    for _ in range(200):
        layer(x, training=True)
    w = tf.Variable(np.asarray(layer.kernel))

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(layer(x, training=True) - target))
    ours = tape.gradient(loss, layer.kernel.value)
    with tf.GradientTape() as tape:
        sigma = tf.linalg.svd(w, compute_uv=False)[0]
        reference = tf.reduce_sum(tf.square(x @ (w / sigma) - target))
    expected = tape.gradient(reference, w)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(expected), atol=1e-4)

    keras_layer = keras.layers.SpectralNormalization(keras.layers.Dense(4, use_bias=False))
    keras_layer(x)
    keras_layer.layer.kernel.assign(np.asarray(w))
    keras_layer.vector_u.assign(np.asarray(layer.u))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(keras_layer(x, training=True) - target))
    theirs = tape.gradient(loss, keras_layer.layer.kernel.value)
    assert np.abs(np.asarray(theirs) - np.asarray(expected)).max() > 1e-2


@pytest.mark.parametrize("shape", [(32, 48), (16, 6, 6, 8)])
@pytest.mark.parametrize("policy", ["float32", "mixed_bfloat16"])
def test_fused_batch_norm_trains_as_keras_batch_norm(shape, policy):
    x = tf.random.normal(shape, seed=1) * 2.0 + 0.5
    weights = None
    results = []
    for layer_class in (keras.layers.BatchNormalization, networks.FusedBatchNormalization):
        layer = layer_class(synchronized=True, dtype=policy)
        layer.build(shape)
        if weights is None:
            weights = [np.random.default_rng(0).uniform(0.5, 1.5, w.shape).astype("float32")
                       for w in layer.get_weights()]
        layer.set_weights(weights)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
            loss = tf.reduce_sum(tf.cast(y, tf.float32) * tf.cos(x))
        grads = tape.gradient(loss, [x, layer.gamma, layer.beta])
        results.append([tf.cast(y, tf.float32).numpy()] + [g.numpy() for g in grads]
                       + [layer.moving_mean.numpy(), layer.moving_variance.numpy()])
        inference = layer(x, training=False)  # Keras's own path, from the moving statistics
        results[-1].append(tf.cast(inference, tf.float32).numpy())
    tolerance = 1e-5 if policy == "float32" else 2e-2  # bfloat16 outputs: 8 bits of mantissa
    for ours, theirs in zip(results[1], results[0]):
        scale = np.abs(theirs).max()
        assert np.abs(ours - theirs).max() <= tolerance * scale


def test_fused_batch_norm_is_keras_s_layer_on_several_replicas(two_replicas):
    with two_replicas.scope():
        layer = networks.FusedBatchNormalization(synchronized=True)
        layer.build((8, 4))

    @tf.function
    def ops_in_step(x):
        return two_replicas.run(lambda v: layer(v, training=True), args=(x,))

    graph = ops_in_step.get_concrete_function(tf.TensorSpec((8, 4))).graph
    types = {op.type for op in graph.get_operations()}
    assert "FusedBatchNormV3" not in types  # the synchronized statistics: Keras's path
    alone = networks.FusedBatchNormalization(synchronized=True)
    alone.build((8, 4))
    single = tf.function(lambda x: alone(x, training=True)).get_concrete_function(
        tf.TensorSpec((8, 4))).graph
    assert "FusedBatchNormV3" in {op.type for op in single.get_operations()}

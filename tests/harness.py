"""The test harness: one entry per registered variant; ``tests/test_variants.py`` runs
the same checks on every entry (in the spirit of keras-hub's ``run_*_test`` helpers).

An entry says how to build a small model of the variant with its default
networks (``build``) and with networks a user writes from plain Keras layers
(``build_user``: no float32 output layer, so under a mixed-precision policy the
generator's output is bfloat16), and how it trains (``kind``: ``"examples"``,
``"labelled"``, ``"unpaired"``, ``"paired"`` or ``"semantic"``: label maps to
images). Adding a variant adds one entry here.

All entries train on the bundled 8x8 digits, so the same data checks (value
range, dtype) apply to every variant.
"""

import dataclasses
from typing import Callable

import numpy as np
import keras
import tensorflow as tf
from keras import layers

import keras_gan_zoo as kgz

DIGITS, DIGIT_LABELS = kgz.data.digits(return_labels=True)
IMAGES, LABELS = DIGITS[:32], (DIGIT_LABELS[:32] % 3).astype("int32")
SMALL = {"base_filters": 4}
SHAPE = (8, 8, 1)
# one-hot label maps of the digits (dark, grey, bright pixels): what GauGAN draws from
MAPS = np.eye(3, dtype="float32")[np.digitize((DIGITS[..., 0] + 1) / 2, [0.33, 0.66])]


@dataclasses.dataclass
class Entry:
    build: Callable  # () -> model with default networks
    build_user: Callable  # () -> model with user-written networks (plain Keras layers)
    kind: str = "examples"  # "examples" | "labelled" | "unpaired" | "paired" | "semantic"
    variant: str = None  # for a recipe entry: the registered variant it configures


# ----------------------------------------------------- user-written networks
def user_generator(latent_dim, extra_inputs=()):
    """The keras-io DCGAN shape: Dense, reshape, Conv2DTranspose, Conv2D(tanh) last."""
    z = keras.Input((latent_dim,), name="z")
    inputs, parts = [z], [z]
    for name, size, dtype in extra_inputs:
        x = keras.Input((), dtype=dtype, name=name) if dtype == "int32" else keras.Input(
            (size,), name=name)
        inputs.append(x)
        parts.append(layers.CategoryEncoding(size, output_mode="one_hot")(x) if dtype == "int32"
                     else x)
    h = layers.Concatenate()(parts) if len(parts) > 1 else z
    h = layers.Reshape((4, 4, 4))(layers.Dense(64, activation="relu")(h))
    h = layers.Conv2DTranspose(8, 4, strides=2, padding="same", activation="relu")(h)
    return keras.Model(inputs, layers.Conv2D(1, 3, padding="same", activation="tanh")(h))


def user_discriminator(heads=(1,), label_classes=None):
    x = keras.Input(SHAPE)
    inputs = [x]
    h = layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same",
                                       activation="leaky_relu")(x))
    if label_classes:
        label = keras.Input((), dtype="int32")
        inputs.append(label)
        h = layers.Concatenate()([h, layers.CategoryEncoding(label_classes,
                                                             output_mode="one_hot")(label)])
    outputs = [layers.Dense(units)(h) for units in heads]
    return keras.Model(inputs, outputs if len(outputs) > 1 else outputs[0])


def user_autoencoder():
    """An EBGAN discriminator from plain layers: [energy, embedding] of a conv autoencoder."""
    x = keras.Input(SHAPE)
    code = layers.Dense(8)(layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same",
                                                          activation="relu")(x)))
    h = layers.Reshape((4, 4, 4))(layers.Dense(64, activation="relu")(code))
    reconstruction = layers.Conv2DTranspose(1, 4, strides=2, padding="same",
                                            activation="tanh")(h)
    error = layers.Flatten()(layers.Subtract()([reconstruction, x]))
    energy = layers.Dense(1, use_bias=False, trainable=False, kernel_initializer="ones")(
        layers.Multiply()([error, error]))  # the summed squared error
    return keras.Model(x, [energy, code])


def user_encoder(latent_dim):
    x = keras.Input(SHAPE)
    h = layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(x))
    return keras.Model(x, layers.Dense(latent_dim)(h))


def user_joint_discriminator(latent_dim):
    x, z = keras.Input(SHAPE), keras.Input((latent_dim,))
    h = layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(x))
    h = layers.Dense(16, activation="leaky_relu")(layers.Concatenate()([h, z]))
    return keras.Model([x, z], layers.Dense(1)(h))


def user_vae_encoder(latent_dim):
    x = keras.Input(SHAPE)
    h = layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(x))
    return keras.Model(x, [layers.Dense(latent_dim)(h), layers.Dense(latent_dim)(h)])


def user_feature_discriminator():
    x = keras.Input(SHAPE)
    h = layers.Flatten()(layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(x))
    return keras.Model(x, [layers.Dense(1)(h), h])


def user_translator():
    x = keras.Input((None, None, 1))
    h = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    return keras.Model(x, layers.Conv2D(1, 3, padding="same", activation="tanh")(h))


def user_pair_discriminator():
    """A pix2pix discriminator from plain layers: [source, target] -> patch logits."""
    a, b = keras.Input((None, None, 1)), keras.Input((None, None, 1))
    h = layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(
        layers.Concatenate()([a, b]))
    return keras.Model([a, b], layers.Conv2D(1, 3, padding="same")(h))


def user_spade_generator():
    """A GauGAN generator from plain layers: the map concatenated to the broadcast code."""
    label_map, z = keras.Input((8, 8, 3)), keras.Input((4,))
    code = layers.Reshape((8, 8, 1))(layers.Dense(64)(z))
    h = layers.Conv2D(8, 3, padding="same", activation="relu")(
        layers.Concatenate()([label_map, code]))
    return keras.Model([label_map, z], layers.Conv2D(1, 3, padding="same", activation="tanh")(h))


def user_multiscale_discriminator():
    """One scale: [map, image] -> [features, patch logits]."""
    label_map, image = keras.Input((None, None, 3)), keras.Input((None, None, 1))
    h = layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(
        layers.Concatenate()([label_map, image]))
    return keras.Model([label_map, image], [h, layers.Conv2D(1, 3, padding="same")(h)])


def user_style_encoder():
    image = keras.Input(SHAPE)
    h = layers.Flatten()(layers.Conv2D(4, 4, strides=2, padding="same", activation="relu")(image))
    return keras.Model(image, [layers.Dense(4)(h), layers.Dense(4)(h)])


def user_patch_discriminator():
    x = keras.Input((None, None, 1))
    h = layers.Conv2D(8, 4, strides=2, padding="same", activation="leaky_relu")(x)
    return keras.Model(x, layers.Conv2D(1, 3, padding="same")(h))


# ---------------------------------------------------------------- entries
ENTRIES = {
    "gan": Entry(
        lambda: kgz.GAN.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL, seed=1),
        lambda: kgz.GAN(user_generator(4), user_discriminator(), seed=1)),
    "wgan_gp": Entry(
        lambda: kgz.WGANGP.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL,
                                     discriminator_steps=2, seed=1),
        lambda: kgz.WGANGP(user_generator(4), user_discriminator(), discriminator_steps=2,
                           seed=1)),
    "conditional_gan": Entry(
        lambda: kgz.ConditionalGAN.for_shape(SHAPE, num_classes=3, latent_dim=4,
                                             network_kwargs=SMALL, seed=1),
        lambda: kgz.ConditionalGAN(user_generator(4, [("label", 3, "int32")]),
                                   user_discriminator(label_classes=3), seed=1),
        kind="labelled"),
    "acgan": Entry(
        lambda: kgz.ACGAN.for_shape(SHAPE, num_classes=3, latent_dim=4, network_kwargs=SMALL,
                                    seed=1),
        lambda: kgz.ACGAN(user_generator(4, [("label", 3, "int32")]),
                          user_discriminator(heads=(1, 3)), seed=1),
        kind="labelled"),
    "ebgan": Entry(
        lambda: kgz.EBGAN.for_shape(SHAPE, latent_dim=4, pull_away=0.1, seed=1,
                                    network_kwargs={**SMALL, "embedding_dim": 8}),
        lambda: kgz.EBGAN(user_generator(4), user_autoencoder(), pull_away=0.1, seed=1)),
    "bigan": Entry(
        lambda: kgz.BiGAN.for_shape(SHAPE, latent_dim=4, seed=1,
                                    network_kwargs={**SMALL, "units": 16}),
        lambda: kgz.BiGAN(user_generator(4), user_encoder(4), user_joint_discriminator(4),
                          seed=1)),
    "vaegan": Entry(
        lambda: kgz.VAEGAN.for_shape(SHAPE, latent_dim=4, seed=1, network_kwargs=SMALL),
        lambda: kgz.VAEGAN(user_generator(4), user_vae_encoder(4), user_feature_discriminator(),
                           seed=1)),
    "infogan": Entry(
        lambda: kgz.InfoGAN.for_shape(SHAPE, latent_dim=4, num_categories=3,
                                      network_kwargs={"base_filters": 4, "dense_units": 8},
                                      seed=1),
        lambda: kgz.InfoGAN(user_generator(4, [("categorical", 3, "int32"),
                                               ("continuous", 2, "float32")]),
                            user_discriminator(heads=(1, 3, 2)), seed=1)),
    "wgan": Entry(
        lambda: kgz.WGAN.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL,
                                   discriminator_steps=2, seed=1),
        lambda: kgz.WGAN(user_generator(4), user_discriminator(), discriminator_steps=2, seed=1)),
    "cyclegan": Entry(
        lambda: kgz.CycleGAN.for_shape(SHAPE, SHAPE, base_filters=4, num_blocks=1, seed=1),
        lambda: kgz.CycleGAN(user_translator(), user_translator(), user_patch_discriminator(),
                             user_patch_discriminator(), image_shape_a=SHAPE,
                             image_shape_b=SHAPE, seed=1),
        kind="unpaired"),
    "pix2pix": Entry(
        lambda: kgz.Pix2Pix.for_shape(SHAPE, SHAPE, base_filters=4, num_layers=1, seed=1),
        lambda: kgz.Pix2Pix(user_translator(), user_pair_discriminator(), image_shape_a=SHAPE,
                            seed=1),
        kind="paired"),
    "gaugan": Entry(
        lambda: kgz.GauGAN.for_shape((8, 8, 3), 1, latent_dim=4, base_filters=2, hidden=4,
                                     num_layers=1, seed=1),
        lambda: kgz.GauGAN(user_spade_generator(), user_multiscale_discriminator(),
                           user_style_encoder(), num_scales=1, seed=1),
        kind="semantic"),
}


# The training recipe for small data sets (ResNets, spectral norm, augmentation,
# EMA, lazy R1) goes through the same checks, on the variants whose step has it.
RECIPE = {"ema": 0.9, "r1_weight": 1.0, "r_interval": 2}
ADA = {"augment": "ada", "ada_p": 0.5, "ada_kimg": 0.05, "ada_interval": 1}
RESNET = {"architecture": "resnet", "base_filters": 4}
RECIPES = {
    "gan+resnet+diffaugment": Entry(
        lambda: kgz.GAN.for_shape(SHAPE, latent_dim=4, network_kwargs=RESNET, loss="hinge",
                                  augment="diffaugment", seed=1, **RECIPE),
        lambda: kgz.GAN(user_generator(4), user_discriminator(), loss="hinge",
                        augment="diffaugment", seed=1, **RECIPE),
        variant="gan"),
    "gan+ada": Entry(
        lambda: kgz.GAN.for_shape(SHAPE, latent_dim=4, seed=1, **ADA, **RECIPE,
                                  network_kwargs={**SMALL, "spectral_norm": True}),
        lambda: kgz.GAN(user_generator(4), user_discriminator(), seed=1, **ADA, **RECIPE),
        variant="gan"),
    "conditional_gan+ada": Entry(
        lambda: kgz.ConditionalGAN.for_shape(SHAPE, num_classes=3, latent_dim=4,
                                             network_kwargs=SMALL, seed=1, **ADA, **RECIPE),
        lambda: kgz.ConditionalGAN(user_generator(4, [("label", 3, "int32")]),
                                   user_discriminator(label_classes=3), seed=1, **ADA, **RECIPE),
        kind="labelled", variant="conditional_gan"),
    "gan+f_divergence": Entry(
        lambda: kgz.GAN.for_shape(SHAPE, latent_dim=4, network_kwargs=SMALL, seed=1,
                                  loss="f_divergence", divergence="reverse_kl"),
        lambda: kgz.GAN(user_generator(4), user_discriminator(), seed=1, loss="f_divergence",
                        divergence="reverse_kl"),
        variant="gan"),
    "acgan+ada+r1": Entry(
        lambda: kgz.ACGAN.for_shape(SHAPE, num_classes=3, latent_dim=4, network_kwargs=SMALL,
                                    seed=1, **ADA, **RECIPE),
        lambda: kgz.ACGAN(user_generator(4, [("label", 3, "int32")]),
                          user_discriminator(heads=(1, 3)), seed=1, **ADA, **RECIPE),
        kind="labelled", variant="acgan"),
    "vaegan+pixels (a plain VAE)": Entry(
        lambda: kgz.VAEGAN.for_shape(SHAPE, latent_dim=4, seed=1, network_kwargs=SMALL,
                                     gan_weight=0.0, reconstruction="pixels", ema=0.9),
        lambda: kgz.VAEGAN(user_generator(4), user_vae_encoder(4), user_feature_discriminator(),
                           gan_weight=0.0, reconstruction="pixels", ema=0.9, seed=1),
        variant="vaegan"),
    "infogan+ema": Entry(
        lambda: kgz.InfoGAN.for_shape(SHAPE, latent_dim=4, num_categories=3, ema=0.9,
                                      network_kwargs={"base_filters": 4, "dense_units": 8},
                                      seed=1),
        lambda: kgz.InfoGAN(user_generator(4, [("categorical", 3, "int32"),
                                               ("continuous", 2, "float32")]),
                            user_discriminator(heads=(1, 3, 2)), ema=0.9, seed=1),
        variant="infogan"),
}


# ----------------------------------------------------------------- helpers
def training_data(entry, images=IMAGES):
    """``(x, y, batch_size)`` for ``fit``: the whole batch of 32 at once (one step an epoch)."""
    if entry.kind == "unpaired":
        pairs = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(images[:16]),
                                     tf.data.Dataset.from_tensor_slices(images[16:])))
        return pairs.batch(16), None, None
    if entry.kind == "labelled":
        return images, LABELS[: len(images)], len(images)
    if entry.kind == "paired":  # each digit with its own mirror image
        return images, np.ascontiguousarray(images[:, :, ::-1]), len(images)
    if entry.kind == "semantic":  # the label map of each digit, and the digit
        return MAPS[: len(images)], images, len(images)
    return images, None, len(images)


def fit(model, entry, epochs=1, images=IMAGES, **kwargs):
    x, y, batch_size = training_data(entry, images)
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0, **kwargs)


def outputs(model):
    """What a user gets from the model: samples (fixed seed), translations or codes, per direction."""
    if model.kind == "translator":
        return {d: model.translate(translator_source(model.signature(d), 4), direction=d,
                                   **({"seed": 3} if len(model.signature(d).inputs) > 1 else {}))
                for d in model.directions}
    made = {"generate": model.generate(6, seed=3)}
    if "encoder" in model.directions:
        made["encode"] = model.encode(IMAGES[:4])
    return made


def translator_source(signature, n):
    """What a translator translates: images in [-1, 1], or one-hot label maps."""
    return IMAGES[:n] if signature.inputs[0].range == (-1.0, 1.0) else MAPS[:n]


def network_weights(model):
    return [w for net in model.trained_networks().values() for w in net.get_weights()]


def assert_two_replicas_match_one(step, weights, two_replicas):
    """``step(strategy, weights) -> (weights, logs)`` on one replica and on two agree.

    Keras sums gradients across replicas, so a loss averaged per replica
    trains with an N-times larger step on N replicas; the steps take SGD,
    since Adam would hide a wrong scale (it normalises the gradient).
    """
    one_w, one_logs = step(tf.distribute.get_strategy(), weights)
    two_w, two_logs = step(two_replicas, weights)
    moved = max(np.abs(a - b).max() for a, b in zip(one_w, weights))
    assert moved > 1e-3, "the step should have changed the weights"
    diff = max(np.abs(a - b).max() for a, b in zip(one_w, two_w))
    assert diff <= 1e-5, f"two replicas moved the weights {diff:.2e} away from one replica"
    assert one_logs.keys() == two_logs.keys()
    for key in one_logs:
        assert abs(one_logs[key][0] - two_logs[key][0]) <= 1e-5 + 1e-6 * abs(one_logs[key][0]), key

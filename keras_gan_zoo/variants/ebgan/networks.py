"""EBGAN networks (Zhao et al. 2017): the default generator and an autoencoder discriminator.

The discriminator is an autoencoder whose reconstruction error is the
energy of an example: ``D(x) = mean((Dec(Enc(x)) - x)^2)``, low on data,
high elsewhere. Its encoder is the default discriminator's body followed by a
dense embedding; its decoder mirrors the DCGAN generator (transposed
convolutions; an MLP for vectors) without batch normalisation, so that an
example's energy does not depend on the rest of its batch, and with
LeakyReLU and a linear output: with ReLU and tanh, as in the generator, the
decoder saturated early on MNIST, its energy of real digits stopped moving
and the generator won the game (sample FD 333 against 100 with this decoder,
``benchmarks/family_mnist.py ebgan``). It gives ``[energy (batch, 1), embedding (batch, d),
reconstruction]``: the embedding feeds the pulling-away term, the
reconstruction is there to look at.
"""

import keras
from keras import layers


def ebgan_discriminator(shape, embedding_dim=64, architecture="auto", name="discriminator",
                        **kwargs):
    """An autoencoder discriminator ``example -> [energy, embedding, reconstruction]``.

    Args:
        shape: shape of one example: ``(d,)`` or a square image ``(s, s, c)``.
        embedding_dim: size of the code between encoder and decoder.
        architecture: as ``keras_gan_zoo.networks.for_shape``.
        **kwargs: options of the chosen networks (``base_filters=``,
            ``hidden=``, ``spectral_norm=`` for the encoder).
    """
    from keras_gan_zoo.networks import architecture_for_shape, discriminator_for_shape

    if isinstance(embedding_dim, bool) or not isinstance(embedding_dim, int) or embedding_dim < 1:
        raise ValueError(f"expected embedding_dim to be an integer >= 1, got {embedding_dim!r}")
    body = discriminator_for_shape(shape, features_only=True, architecture=architecture,
                                   name="encoder_body", **kwargs)
    architecture = architecture_for_shape(shape, architecture)
    decoder = _decoder(shape, embedding_dim, architecture, **kwargs)
    x = keras.Input(tuple(shape), name="example")
    embedding = layers.Dense(embedding_dim, name="embedding")(body(x))
    reconstruction = layers.Activation("linear", dtype="float32", name="reconstruction")(
        decoder(embedding))
    error = layers.Subtract()([reconstruction, layers.Activation("linear", dtype="float32")(x)])
    squared = layers.Flatten()(layers.Multiply()([error, error]))
    energy = layers.GlobalAveragePooling1D(dtype="float32", name="energy")(
        layers.Reshape((-1, 1))(squared))
    embedding = layers.Activation("linear", dtype="float32", name="embedding_out")(embedding)
    return keras.Model(x, [energy, embedding, reconstruction], name=name)


def _decoder(shape, embedding_dim, architecture, base_filters=64, hidden=(256, 256, 256),
             **_):
    code = keras.Input((embedding_dim,), name="embedding")
    if architecture == "mlp":
        x = code
        for units in hidden:
            x = layers.LeakyReLU(0.2)(layers.Dense(units)(x))
        return keras.Model(code, layers.Dense(shape[0])(x), name="decoder")
    from keras_gan_zoo.networks.dcgan import _num_upsamplings

    size, channels = shape[0], shape[-1]
    k = _num_upsamplings(size)
    seed = size // 2**k
    filters = base_filters * 2 ** max(k - 1, 0)
    x = layers.Reshape((seed, seed, filters))(
        layers.LeakyReLU(0.2)(layers.Dense(seed * seed * filters)(code)))
    for _ in range(k - 1):
        filters //= 2
        x = layers.LeakyReLU(0.2)(
            layers.Conv2DTranspose(filters, 4, strides=2, padding="same")(x))
    x = layers.Conv2DTranspose(channels, 4, strides=2 if k else 1, padding="same")(x)
    return keras.Model(code, x, name="decoder")


def default_networks(shape, latent_dim=64, embedding_dim=64, **kwargs):
    """Default ``(generator, discriminator)`` of an EBGAN for examples of ``shape``."""
    from keras_gan_zoo.networks import generator_for_shape

    kwargs = dict(kwargs)
    kwargs.pop("minibatch_std", None)  # an autoencoder judges examples one by one
    generator = generator_for_shape(shape, latent_dim=latent_dim, **kwargs)
    return generator, ebgan_discriminator(shape, embedding_dim=embedding_dim, **kwargs)

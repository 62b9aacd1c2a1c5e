"""Samplers with an encoder beside the generator (BiGAN, VAE-GAN): images back to codes."""

import keras

from keras_gan_zoo.models.contract import Port, Signature
from keras_gan_zoo.models.sampling import GenerativeModel, predict_batches

__all__ = ["EncodingModel"]


class EncodingModel(GenerativeModel):
    """A sampling variant with an encoder beside its generator (BiGAN, VAE-GAN).

    The encoder maps images back to latent codes. It is a network of the
    model (saved, compared, exported) and a direction of the contract: its
    signature has ``kind == "encoder"``, an image input of the trained size
    and the code as output, so ``kgz.export.to_onnx(model, path,
    direction="encoder")`` writes it. One optimizer, the generator's, trains
    the generator and the encoder. Variants implement ``train_step`` and may
    override ``encoding_network`` (VAE-GAN's gives the posterior mean).
    """

    network_names = ("generator", "encoder", "discriminator")
    training_only_networks = ("discriminator",)
    #: the variant's builder of its default networks, which ``for_shape`` calls:
    #: ``(shape, latent_dim, **network_kwargs) -> (generator, encoder, discriminator)``
    default_networks = None

    def __init__(self, generator, encoder, discriminator, ema=None, seed=None, **kwargs):
        if not isinstance(encoder, keras.Model):
            raise TypeError(f"expected the encoder to be a keras.Model, got "
                            f"{type(encoder).__name__}")
        if encoder is generator or encoder is discriminator:
            raise ValueError("the networks must be distinct models; encoder is given twice")
        object.__setattr__(self, "_unchecked_encoder", encoder)  # for check_networks, untracked
        super().__init__(generator, discriminator, ema=ema, seed=seed, **kwargs)
        object.__delattr__(self, "_unchecked_encoder")
        self.encoder = encoder

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """The variant with its default networks for square images ``shape``
        (built by the variant's ``default_networks``)."""
        from keras_gan_zoo import networks

        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, encoder, discriminator = cls.default_networks(
            shape, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM, **(network_kwargs or {}))
        return cls(generator, encoder, discriminator, **kwargs)

    def check_networks(self):
        """The encoder reads the discriminator's images and gives codes of the generator's size."""
        encoder = self._unchecked_encoder
        shape = tuple(self.discriminator.inputs[0].shape[1:])
        if len(shape) != 3:
            raise ValueError(f"{type(self).__name__} encodes images (h, w, c); the discriminator "
                             f"reads examples of shape {shape}")
        if len(encoder.inputs) != 1 or tuple(encoder.inputs[0].shape[1:]) != shape:
            raise ValueError(f"expected an encoder image {shape} -> code, got inputs "
                             f"{[tuple(t.shape[1:]) for t in encoder.inputs]}")
        super().check_networks()

    @property
    def example_shape(self):
        return tuple(self.discriminator.inputs[0].shape[1:])

    @property
    def generator_variables(self):
        """The generator's and the encoder's: one optimizer trains both."""
        return self.generator.trainable_variables + self.encoder.trainable_variables

    def encoding_network(self):
        """The network ``image -> code`` that ``encode`` runs and export writes."""
        return self.encoder

    @property
    def directions(self):
        return (None, "encoder")

    def signature(self, direction=None):
        if direction != "encoder":
            return super().signature(direction)
        network = self.encoding_network()
        return Signature(
            "encoder", network,
            (Port.image(self.example_shape, "images in [-1, 1], channels last", fixed_size=True),),
            Port("z", "output", (self.latent_dim,), meaning="the encoder's latent code of x"),
            {"direction": "encoder"}, self.variant_name)

    def encode(self, images, batch_size=256):
        """The latent codes of ``images``, float32 ``(n, latent_dim)``."""
        signature = self.signature("encoder")
        images = signature.inputs[0].check(images, None, context="encode")
        return predict_batches(signature.generator, images, batch_size)

    def reconstruct(self, images, batch_size=256, use_ema=True):
        """``G(encode(images))``: the images as the generator redraws them from their codes."""
        return self.generate(z=self.encode(images, batch_size), batch_size=batch_size,
                             use_ema=use_ema)

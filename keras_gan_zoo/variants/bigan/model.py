"""BiGAN / ALI (Donahue et al. 2017; Dumoulin et al. 2017): a GAN that also learns to encode.

Beside the generator ``G: z -> x`` an encoder ``E: x -> z`` is trained, and
the discriminator judges *pairs*: ``(x, E(x))`` for real images against
``(G(z), z)`` for generated ones. At the optimum the two joint distributions
match, so ``E`` inverts ``G``: ``G(E(x))`` reconstructs ``x`` (in content,
not pixel for pixel) and ``E(x)`` is a representation learned without
labels. The generator and the encoder are trained together, with the
generator's optimizer, on the discriminator's loss with the labels swapped
(the papers' practical objective, the analogue of the non-saturating loss).

``model.encode(images)`` gives codes, ``model.reconstruct(images)`` gives
``G(E(x))``; the encoder is exported like the generator
(``kgz.export.to_onnx(model, path, direction="encoder")``).
"""

import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import NOISE_STREAM_D, NOISE_STREAM_G, EncodingModel
from keras_gan_zoo.models.stabilisers import Augmentation, ZeroCentredPenalties
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.bigan.networks import default_networks

__all__ = ["BiGAN"]

_LOSSES = ("non_saturating", "least_squares")


@register_variant("bigan")
class BiGAN(EncodingModel):
    """BiGAN (ALI) trained with ``model.fit(images)`` (labels, if given, are ignored).

    Args:
        generator: functional ``keras.Model``, ``z -> image``.
        encoder: functional ``keras.Model``, ``image -> z`` (same latent size).
        discriminator: functional ``keras.Model``, ``[image, z] -> logit``.
        loss: ``"non_saturating"`` (cross-entropy; generator and encoder
            minimise it with the labels swapped) or ``"least_squares"``.
        ema: a moving average of the generator (see ``GAN``).
        r1_weight, r_interval: R1 on the real images (the gradient of the
            discriminator with respect to the image, the code held fixed),
            lazily every ``r_interval`` updates; the parts of the GAN step
            (``ZeroCentredPenalties``).
        augment, ada_target, ada_interval, ada_kimg, ada_p: differentiable
            augmentation of the images the discriminator reads, their codes
            unchanged (``Augmentation``);
            off by default, as in the papers.
        seed: seed of the training noise.

    Example:
        >>> model = BiGAN.for_shape((28, 28, 1))
        >>> model.compile()                 # Adam(2e-4, 0.5): G and E share one
        >>> model.fit(images, batch_size=64, epochs=20)
        >>> codes = model.encode(images)    # (n, 64)
        >>> again = model.reconstruct(images)
    """

    default_networks = staticmethod(default_networks)

    def __init__(self, generator, encoder, discriminator, loss="non_saturating", ema=None,
                 r1_weight=0.0, r_interval=1, augment=None, ada_target=0.6, ada_interval=4,
                 ada_kimg=100, ada_p=0.0, seed=None, **kwargs):
        super().__init__(generator, encoder, discriminator, ema=ema, seed=seed, **kwargs)
        if loss not in _LOSSES:
            raise ValueError(f"unknown loss {loss!r} for BiGAN; expected one of "
                             f"{', '.join(_LOSSES)}")
        self.loss_name = loss
        _, self._discriminator_loss = losses.get(loss)
        self._penalties = ZeroCentredPenalties(r1_weight, 0.0, r_interval)
        self._augmentation = Augmentation(self, augment, ada_target, ada_interval, ada_kimg,
                                          ada_p)
        # listed so that Keras resets them every epoch
        self.part_trackers = {**self._penalties.trackers, **self._augmentation.trackers}

    def get_config(self):
        penalties = self._penalties.config()
        del penalties["r2_weight"]
        return {**super().get_config(), "loss": self.loss_name, **penalties,
                **self._augmentation.config()}

    @property
    def metrics(self):
        return super().metrics + list(self.part_trackers.values())

    @property
    def augment_probability(self):
        """ADA's current augmentation probability ``p`` (0 when ADA is off)."""
        return self._augmentation.probability

    def check_networks(self):
        d_in = self.discriminator.inputs
        if len(d_in) != 2:
            raise ValueError("expected a BiGAN discriminator with inputs [image, z], got "
                             f"{len(d_in)} input(s)")
        sizes = {"generator's z": self.generator.inputs[0].shape[-1],
                 "encoder's output": self._unchecked_encoder.outputs[0].shape[-1],
                 "discriminator's z": d_in[1].shape[-1]}
        if len(set(sizes.values())) != 1:
            raise ValueError("the latent sizes differ: " + ", ".join(
                f"{name} {size}" for name, size in sizes.items()))
        super().check_networks()

    # ---------------------------------------------------------------- step
    def train_step(self, data):
        real, _ = self.unpack(data)
        batch_size = tf.shape(real)[0]
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer

        # 1. The discriminator judges (x, E(x)) against (G(z), z): the images augmented
        #    (when on), R1 on the real images (when on), then ADA adapts its p.
        counter = tf.identity(d_opt.iterations)  # updates done before this one
        z = self.noise(batch_size, NOISE_STREAM_D, d_opt.iterations)
        with tf.GradientTape() as tape:
            fake, code = self.fake(z), tf.cast(self.encoder(real, training=True), tf.float32)
            seen_real = self._augmentation.apply(real, counter, 0)
            seen_fake = self._augmentation.apply(tf.stop_gradient(fake), counter, 1)
            real_logits = self.judge(seen_real, tf.stop_gradient(code))
            fake_logits = self.judge(seen_fake, z)
            per_example = self._discriminator_loss(real_logits, fake_logits)
            judged = lambda x, training: self.judge(x, tf.stop_gradient(code), training)  # noqa: E731
            penalties = self._penalties.terms(judged, seen_real, seen_fake, counter)
            per_example = self._penalties.add(per_example, penalties)
            d_loss = self.reduce_loss(per_example, self.discriminator)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)
        self._augmentation.adapt(real_logits, d_opt.iterations)
        self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
        self._penalties.track(penalties, counter, batch_size)

        # 2. The generator and the encoder, with the labels swapped: (G(z), z) should look
        #    real, (x, E(x)) generated; then the moving average of the generator.
        z = self.noise(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with tf.GradientTape() as tape:
            fake, code = self.fake(z), tf.cast(self.encoder(real, training=True), tf.float32)
            fake = self._augmentation.apply(fake, g_opt.iterations, 2)
            seen_real = self._augmentation.apply(real, g_opt.iterations, 3)
            per_example = self._discriminator_loss(self.judge(fake, z),
                                                   self.judge(seen_real, code))
            g_loss = self.reduce_loss(per_example, self.generator)
            if self.encoder.losses:  # its regularisation, per replica's share
                g_loss += tf.nn.scale_regularization_loss(tf.add_n(self.encoder.losses))
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)
        self.update_ema()
        self.g_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
        return self.logs()

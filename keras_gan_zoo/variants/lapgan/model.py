"""LAPGAN (Denton et al. 2015): a Laplacian pyramid of GANs, each level trained on its own residual.

A real batch of ``s``-pixel images becomes a Gaussian-style pyramid (2x2
averages down to 8x8). Level 0 is a GAN on the 8x8 images. Level ``k`` is a
conditional GAN on the residual between the level's image and the coarser
image upsampled: its generator draws a residual from the upsampled *real*
coarser image and a noise plane, and its discriminator judges ``upsampled +
residual`` given the upsampled image. So the levels train independently, as
in the paper, all in one step (their losses share no weights; one optimizer
each side keeps each weight's own state). Sampling chains them: level 0 draws
an 8x8 image, each refiner adds its detail to the upsampled result; the
generator *is* that chain (``keras_gan_zoo.variants.lapgan.networks``), so
``generate``, export (one graph) and the zoo treat it as any generator.
"""

import numpy as np
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import NOISE_STREAM_D, NOISE_STREAM_G, GenerativeModel, shape_str
from keras_gan_zoo.models.contract import Port
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.lapgan.networks import default_networks

__all__ = ["LAPGAN"]


@register_variant("lapgan")
class LAPGAN(GenerativeModel):
    """LAPGAN trained with ``model.fit`` on a dataset of images.

    Args:
        generator: the chain model ``[z, noise1, noise2, ...] -> image`` whose
            levels are named ``level0`` (``z -> 8x8``) and ``level1``...
            (``[upsampled, noise plane] -> residual``).
        discriminator: ``[image_0, image_1, coarse_1, ...] -> [logit_0, ...]``.
        loss: ``"non_saturating"`` (the paper's) or another loss of
            ``keras_gan_zoo.losses``, the same at every level.
        ema: decay of a moving average of the generator (``None``: none).
        seed: seed of the training noise.

    Example:
        >>> model = LAPGAN.for_shape((64, 64, 3))   # levels at 8, 16, 32, 64
        >>> model.compile()
        >>> model.fit(images, batch_size=64, epochs=20)
        >>> model.generate(16, seed=0)
    """

    LOSSES = losses.NAMES
    default_networks = staticmethod(default_networks)

    def __init__(self, generator, discriminator, loss="non_saturating", ema=None, seed=None,
                 **kwargs):
        if loss not in self.LOSSES or loss == "f_divergence":
            raise ValueError(f"unknown loss {loss!r}; expected one of "
                             f"{', '.join(n for n in self.LOSSES if n != 'f_divergence')}")
        super().__init__(generator, discriminator, ema=ema, seed=seed, **kwargs)
        self.loss_name = loss
        self._generator_loss, self._discriminator_loss = losses.get(loss)

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """LAPGAN with default networks for square images ``shape`` (16 to 256 px).

        Args:
            shape: ``(s, s, c)``, ``s`` 8 times a power of two.
            latent_dim: size of level 0's ``z`` (the paper's 100).
            network_kwargs: ``base_filters=``.
        """
        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, discriminator = default_networks(shape, latent_dim=latent_dim or 100,
                                                    **(network_kwargs or {}))
        return cls(generator, discriminator, **kwargs)

    def get_config(self):
        return {**super().get_config(), "loss": self.loss_name}

    # ------------------------------------------------------------- contract
    @property
    def sizes(self):
        """The side of each level, coarsest first."""
        return [int(t.shape[1]) for t in self.discriminator.inputs[::2]]

    @property
    def example_shape(self):
        return tuple(self.generator.outputs[0].shape[1:])

    def generator_ports(self):
        return (Port.noise(self.latent_dim),
                *(Port.noise_map(f"noise{k}", (s, s, 1), f"noise plane of level {k} ({s}x{s})",
                                 fixed_size=True)
                  for k, s in enumerate(self.sizes) if k))

    def check_networks(self):
        levels = len(self.discriminator.outputs)
        names = [f"level{k}" for k in range(levels)]
        missing = [n for n in names if n not in {layer.name for layer in self.generator.layers}]
        if missing or len(self.generator.inputs) != levels:
            raise ValueError(
                f"expected a LAPGAN generator with inputs [z, noise1 .. noise{levels - 1}] and "
                f"levels named {', '.join(names)} (one per discriminator output), got inputs "
                f"{[shape_str(t.shape) for t in self.generator.inputs]}"
                + (f" and no {', '.join(missing)}" if missing else ""))
        if len(self.discriminator.inputs) != 2 * levels - 1:
            raise ValueError(f"expected a LAPGAN discriminator with inputs [image_0, image_1, "
                             f"coarse_1, ...] ({2 * levels - 1} for {levels} levels), got "
                             f"{len(self.discriminator.inputs)}")
        super().check_networks()

    # ------------------------------------------------------------ the step
    def pyramid(self, images):
        """``([image_0, ..., image_K], [coarse_1, ..., coarse_K])``: the images at each level
        (2x2 averages) and each level's coarser image upsampled to its size."""
        levels = [images]
        for _ in self.sizes[1:]:
            levels.insert(0, tf.nn.avg_pool2d(levels[0], 2, 2, "VALID"))
        coarse = [self.generator.get_layer(f"up{k}")(levels[k - 1])
                  for k in range(1, len(levels))]
        return levels, [tf.cast(c, tf.float32) for c in coarse]

    def _draws(self, batch_size, stream, counter):
        """Level 0's z and every refiner's noise plane, for this replica."""
        seed = self.random_seed(stream, counter)
        z = self.replica_share(
            lambda n: tf.random.stateless_normal([n, self.latent_dim], seed=seed), batch_size)
        planes = []
        for k, s in enumerate(self.sizes[1:], start=1):
            plane_seed = tf.random.experimental.stateless_fold_in(seed, k)
            planes.append(self.replica_share(
                lambda n, s=s, plane_seed=plane_seed: tf.random.stateless_normal(
                    [n, s, s, 1], seed=plane_seed), batch_size))
        return z, planes

    def fakes(self, z, planes, coarse, training=True):
        """Each level's fake image: level 0 from ``z``; level ``k`` the real coarse image plus
        its refiner's residual (so the levels train independently)."""
        out = [tf.cast(self.generator.get_layer("level0")(z, training=training), tf.float32)]
        for k, (plane, up) in enumerate(zip(planes, coarse), start=1):
            residual = self.generator.get_layer(f"level{k}")([up, plane], training=training)
            out.append(up + tf.cast(residual, tf.float32))
        return out

    def judge_levels(self, images, coarse, training=True):
        inputs = [images[0]]
        for image, up in zip(images[1:], coarse):
            inputs += [image, up]
        return [tf.cast(x, tf.float32) for x in self.discriminator(inputs, training=training)]

    def train_step(self, data):
        """Every level's discriminator update, then every level's generator update."""
        real, _ = self.unpack(data)
        batch_size = tf.shape(real)[0]
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer
        images, coarse = self.pyramid(real)

        z, planes = self._draws(batch_size, NOISE_STREAM_D, d_opt.iterations)
        fakes = [tf.stop_gradient(f) for f in self.fakes(z, planes, coarse)]
        with tf.GradientTape() as tape:
            real_logits = self.judge_levels(images, coarse)
            fake_logits = self.judge_levels(fakes, coarse)
            per_example = tf.add_n([self._discriminator_loss(r, f)
                                    for r, f in zip(real_logits, fake_logits)])
            d_loss = self.reduce_loss(per_example, self.discriminator)
        self.apply_gradients(d_opt, tape, d_loss, self.discriminator_variables)
        self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)

        z, planes = self._draws(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with tf.GradientTape() as tape:
            logits = self.judge_levels(self.fakes(z, planes, coarse), coarse)
            per_example = tf.add_n([self._generator_loss(f) for f in logits])
            g_loss = self.reduce_loss(per_example, self.generator)
        self.apply_gradients(g_opt, tape, g_loss, self.generator_variables)
        self.update_ema()
        self.g_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
        return self.logs()

    def level_samples(self, n, seed=None):
        """The chain's image at every level for ``n`` samples (coarsest first), in NumPy: what
        each refiner adds, for pictures."""
        arrays = self.signature().make_inputs(n, np.random.default_rng(seed))
        z, planes = tf.constant(arrays[0]), [tf.constant(a) for a in arrays[1:]]
        generator = self.sampling_generator
        x = generator.get_layer("level0")(z, training=False)
        out = [np.asarray(x)]
        for k, plane in enumerate(planes, start=1):
            up = generator.get_layer(f"up{k}")(x)
            x = up + generator.get_layer(f"level{k}")([up, plane], training=False)
            out.append(np.clip(np.asarray(x), -1, 1))
        return out

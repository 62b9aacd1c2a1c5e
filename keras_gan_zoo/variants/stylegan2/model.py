"""StyleGAN2 (Karras et al. 2020): style-modulated synthesis, style mixing, lazy R1, path-length regularisation.

The shared GAN step (``GAN``) with the paper's settings and two parts of its own:

* **style mixing**: each fake is drawn from two latents; with probability
  ``style_mixing`` (0.9) the layers from a random cut-off on read the
  second one's style (``noise`` draws both and the cut-off, ``fake``
  mixes);
* **path-length regularisation** (``generator_penalty``): every
  ``pl_interval`` (4) generator updates, on half the batch, the Jacobian
  of the image with respect to the styles, seen through random image-space
  directions, is pulled toward a running mean of its length
  (``pl_weight`` 2 times the interval), so a fixed step in ``w`` moves the
  image by a fixed amount.

From the shared step: the non-saturating loss, **lazy R1** (``r1_weight``
gamma every ``r_interval`` = 16 discriminator updates, the weight scaled up
by the interval; the default gamma is 0.0002 s^2 / 32 for s-pixel images,
StyleGAN2-ADA's rule for a batch of 32), a moving average of the generator
(``ema``, 0.998: a half-life of about 10,000 images at batch 32) that
samples come from, and **ADA** (``augment="ada"``) or DiffAugment. Adam 0.002
with betas (0, 0.99), each side's rate and betas adjusted for its lazy
regulariser as the paper does (c = interval / (interval + 1)).

**Truncation** moves the style toward the average style ``w_avg`` (kept by
training): ``generate(n, truncation=0.7)`` passes psi to the generator, and
every export takes psi as an input.
"""

import math

import keras
import tensorflow as tf

from keras_gan_zoo.models.base import NOISE_STREAM_AUX
from keras_gan_zoo.models.contract import Port
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.optimizers import FusedAdam
from keras_gan_zoo.variants.gan.model import GAN
from keras_gan_zoo.variants.stylegan2.networks import default_networks, noise_sizes

__all__ = ["StyleGAN2"]


@register_variant("stylegan2")
class StyleGAN2(GAN):
    """StyleGAN2 trained with ``model.fit`` on a dataset of images.

    Args:
        generator: ``[z, psi, noise0, ...] -> image`` with the layers
            ``mapping``, ``truncate`` and ``synthesis`` inside
            (``keras_gan_zoo.variants.stylegan2.networks``).
        discriminator: ``image -> logit``.
        r1_weight: R1's gamma (``None``: 0.0002 s^2 / 32).
        r_interval: discriminator updates between R1 computations (16).
        pl_weight: path-length regularisation weight (2; 0 turns it off).
        pl_interval: generator updates between its computations (4).
        pl_decay: the running mean's rate (0.01).
        pl_batch_shrink: the share of the batch it is computed on (1/2).
        style_mixing: probability of mixing two styles in a fake (0.9).
        w_avg_beta: decay of the average style truncation moves toward (0.995).
        ema: decay of the generator's moving average (samples come from it).
        **kwargs: the other options of ``GAN`` (``augment="ada"``, ...).

    Example:
        >>> model = StyleGAN2.for_shape((64, 64, 3), augment="ada")
        >>> model.compile()
        >>> model.fit(images, batch_size=32, epochs=100)
        >>> model.generate(16, seed=0, truncation=0.7)
    """

    default_networks = staticmethod(default_networks)

    def __init__(self, generator, discriminator, loss="non_saturating", r1_weight=None,
                 r_interval=16, pl_weight=2.0, pl_interval=4, pl_decay=0.01, pl_batch_shrink=2,
                 style_mixing=0.9, w_avg_beta=0.995, ema=0.998, **kwargs):
        if r1_weight is None:
            size = int(generator.outputs[0].shape[1])
            r1_weight = 0.0002 * size ** 2 / 32
        for key, value, low in (("pl_weight", pl_weight, 0.0), ("pl_decay", pl_decay, 0.0),
                                ("style_mixing", style_mixing, 0.0),
                                ("w_avg_beta", w_avg_beta, 0.0)):
            if not (isinstance(value, (int, float)) and not isinstance(value, bool)
                    and value >= low and (key == "pl_weight" or value <= 1)):
                raise ValueError(f"expected {key} to be a number in [0, 1]"
                                 f"{' (or above, a weight)' if key == 'pl_weight' else ''}, "
                                 f"got {value!r}")
        for key, value in (("pl_interval", pl_interval), ("pl_batch_shrink", pl_batch_shrink)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"expected {key} to be an integer >= 1, got {value!r}")
        super().__init__(generator, discriminator, loss=loss, r1_weight=r1_weight,
                         r_interval=r_interval, ema=ema, **kwargs)
        self.pl_weight, self.pl_interval = float(pl_weight), int(pl_interval)
        self.pl_decay, self.pl_batch_shrink = float(pl_decay), int(pl_batch_shrink)
        self.style_mixing, self.w_avg_beta = float(style_mixing), float(w_avg_beta)
        self.pl_mean = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                       name="pl_mean", aggregation="only_first_replica")
        self.pl_tracker = keras.metrics.Mean(name="pl_penalty")

    @classmethod
    def default_optimizers(cls):
        """Adam 0.002, betas (0, 0.99), each side adjusted for its lazy regulariser (the paper's
        c = k / (k + 1) on the rate and as the betas' power: k = 4 for G, 16 for D)."""
        def adam(interval):
            c = interval / (interval + 1)
            return FusedAdam(0.002 * c, beta_1=0.0, beta_2=0.99 ** c, epsilon=1e-8)

        return adam(4), adam(16)

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """StyleGAN2 with default networks for square images ``shape`` (8 to 256 px).

        Args:
            shape: ``(s, s, c)``, ``s`` a power of two.
            latent_dim: size of ``z`` (256 here; the paper's 512).
            network_kwargs: ``w_dim=``, ``mapping_layers=``, ``base_filters=``.
            **kwargs: the variant's options.
        """
        cls._check_keywords(kwargs, builder=cls.for_shape)
        options = dict(network_kwargs or {})
        latent_dim = latent_dim or 256
        options.setdefault("w_dim", latent_dim)
        generator, discriminator = default_networks(shape, latent_dim=latent_dim, **options)
        return cls(generator, discriminator, **kwargs)

    def get_config(self):
        return {**super().get_config(), "pl_weight": self.pl_weight,
                "pl_interval": self.pl_interval, "pl_decay": self.pl_decay,
                "pl_batch_shrink": self.pl_batch_shrink, "style_mixing": self.style_mixing,
                "w_avg_beta": self.w_avg_beta}

    @property
    def metrics(self):
        return super().metrics + [self.pl_tracker]

    # ------------------------------------------------------------- contract
    @property
    def num_ws(self):
        """How many style rows the synthesis network reads (two per resolution)."""
        return int(self.generator.get_layer("synthesis").inputs[0].shape[1])

    def generator_ports(self):
        sizes = noise_sizes(self.example_shape)
        return (Port.noise(self.latent_dim, truncation=None), Port.truncation_psi(),
                *(Port.noise_map(f"noise{i}", (s, s, 1), f"noise of synthesis layer {i} "
                                 f"({s}x{s})", fixed_size=True) for i, s in enumerate(sizes)))

    def check_networks(self):
        names = {layer.name for layer in self.generator.layers}
        missing = [n for n in ("mapping", "truncate", "synthesis") if n not in names]
        if missing:
            raise ValueError(f"expected a StyleGAN2 generator with the layers mapping, truncate "
                             f"and synthesis inside (as stylegan2_generator builds it); it has "
                             f"no {', '.join(missing)}")
        super().check_networks()

    # ------------------------------------------------------------ the step
    def noise(self, batch_size, stream, counter):
        """What one batch of fakes is drawn from, for this replica: two latents, the layer from
        which the second one's style is read (``num_ws``: not mixed), and the noise maps."""
        seed = self.random_seed(stream, counter)

        def part(i, draw):
            key = tf.random.experimental.stateless_fold_in(seed, i)
            return self.replica_share(lambda n: draw(n, key), batch_size)

        def cutoff(n, key):
            mix, layer = tf.unstack(tf.random.experimental.stateless_split(key, 2))
            mixed = tf.random.stateless_uniform([n], mix) < self.style_mixing
            cut = tf.random.stateless_uniform([n], layer, 1, self.num_ws, dtype=tf.int32)
            return tf.where(mixed, cut, self.num_ws)

        draws = {"z": part(0, lambda n, k: tf.random.stateless_normal([n, self.latent_dim], k)),
                 "z2": part(1, lambda n, k: tf.random.stateless_normal([n, self.latent_dim], k)),
                 "cutoff": part(2, cutoff)}
        draws["maps"] = [part(3 + i, lambda n, k, s=s: tf.random.stateless_normal([n, s, s, 1], k))
                         for i, s in enumerate(noise_sizes(self.example_shape))]
        return draws

    def _styles(self, draws, training):
        mapping = self.generator.get_layer("mapping")
        w1 = mapping(draws["z"], training=training)
        w2 = mapping(draws["z2"], training=training)
        layer = tf.range(self.num_ws)[None, :, None]
        ws = tf.where(layer < tf.reshape(draws["cutoff"], [-1, 1, 1]), w1[:, None], w2[:, None])
        return w1, ws

    def fake(self, draws, condition=None, training=True):
        """Fakes with mixed styles; in training the average style moves toward this batch's."""
        w, ws = self._styles(draws, training)
        if training:
            self._track_average_style(w)
        synthesis = self.generator.get_layer("synthesis")
        return tf.cast(synthesis([ws, *draws["maps"]], training=training), tf.float32)

    def _track_average_style(self, w):
        context = tf.distribute.get_replica_context()
        w = tf.cast(tf.stop_gradient(w), tf.float32)
        count = context.all_reduce("SUM", tf.cast(tf.shape(w)[0], tf.float32))
        mean = context.all_reduce("SUM", tf.reduce_sum(w, 0)) / count
        average = self.generator.get_layer("truncate").w_avg
        beta = self.w_avg_beta
        self.assign_everywhere([average], lambda v, m: v.assign(beta * v + (1.0 - beta) * m),
                               [mean])

    def generator_penalty(self, batch_size, counter):
        """Path-length regularisation every ``pl_interval`` updates (0 at the others)."""
        if not self.pl_weight:
            return 0.0
        n = tf.maximum(batch_size // self.pl_batch_shrink, 1)
        draws = self.noise(n, NOISE_STREAM_AUX, counter)
        due = tf.equal(counter % self.pl_interval, 0)
        synthesis = self.generator.get_layer("synthesis")
        seed = tf.random.experimental.stateless_fold_in(
            self.random_seed(NOISE_STREAM_AUX, counter), 99)

        def lengths():
            w = self.generator.get_layer("mapping")(draws["z"], training=True)
            ws = tf.repeat(w[:, None], self.num_ws, axis=1)
            with tf.GradientTape() as tape:
                tape.watch(ws)
                images = tf.cast(synthesis([ws, *draws["maps"]], training=True), tf.float32)
                h, w_ = images.shape[1], images.shape[2]
                directions = self.replica_share(
                    lambda m: tf.random.stateless_normal(
                        tf.concat([[m], tf.shape(images)[1:]], 0), seed), n)
                projected = tf.reduce_sum(images * directions / math.sqrt(h * w_))
            grads = tf.cast(tape.gradient(projected, ws), tf.float32)
            return tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(grads), 2), 1) + 1e-8)

        found = lengths() if self.pl_interval == 1 else tf.cond(due, lengths,
                                                                 lambda: tf.zeros([n]))
        context = tf.distribute.get_replica_context()
        total = context.all_reduce("SUM", tf.reduce_sum(tf.stop_gradient(found)))
        count = context.all_reduce("SUM", tf.cast(n, tf.float32))
        due_f = tf.cast(due, tf.float32)
        mean = self.pl_mean + self.pl_decay * (total / count - self.pl_mean)
        self.assign_everywhere([self.pl_mean], lambda v, m: v.assign(m),
                               [due_f * mean + (1.0 - due_f) * self.pl_mean])
        penalty = tf.square(found - tf.stop_gradient(mean)) * due_f
        self.pl_tracker.update_state(tf.reduce_sum(penalty) / tf.cast(n, tf.float32),
                                     sample_weight=due_f)
        return self.pl_weight * self.pl_interval * tf.nn.compute_average_loss(penalty)

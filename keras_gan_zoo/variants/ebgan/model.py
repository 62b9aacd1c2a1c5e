"""EBGAN (Zhao et al. 2017): the discriminator is an autoencoder, its reconstruction error an energy.

Instead of a probability of being real, the discriminator assigns each
example an energy ``D(x)``, the mean squared error of an autoencoder's
reconstruction: it learns to reconstruct data well (low energy) and
generated examples badly, up to a margin ``m``. The discriminator minimises
``D(x) + max(0, m - D(G(z)))``, the generator ``D(G(z))``. The margin bounds
what the discriminator gains from pushing fakes up, so the two do not race
to infinity. An autoencoder judges an example by all its pixels, which gives
the generator richer gradients than a single logit.

The generator's loss can add the pulling-away term (``pull_away=``, 0.1 in
the paper): the mean squared cosine similarity of the encoder's embeddings of
different generated examples in a batch, which pushes them apart and fights
mode collapse. It is taken over the global batch (the embeddings of all
replicas), so it does not change with the number of replicas.

Training is the shared GAN step (every option of ``GAN`` but ADA,
whose heuristic reads the sign of a logit, label smoothing and feature
matching) with these energy terms in place of a loss on logits.
"""

import keras
import tensorflow as tf

from keras_gan_zoo.models.base import shape_str
from keras_gan_zoo.variants.gan.model import GAN
from keras_gan_zoo.optimizers import FusedAdam
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.ebgan.networks import default_networks

__all__ = ["EBGAN", "pulling_away"]


def pulling_away(embeddings):
    """The pulling-away term per example, over the global batch (Zhao et al. 2017, eq. 4).

    ``f_PT = 1 / (N (N - 1)) sum_{i != j} cos(S_i, S_j)^2`` over the ``N``
    embeddings of a batch. Example ``i``'s share is ``mean_{j != i}
    cos(S_i, S_j)^2`` against the embeddings of every replica; its value is
    that share and its gradient is the full term's gradient with respect to
    ``S_i`` (the other examples' embeddings are held fixed and the share
    counted twice, as the symmetric sum has it), so that summing the shares
    of all replicas gives the term and its gradient on one replica or many.

    Returns:
        ``(batch,)`` float32 values whose mean is ``f_PT``.
    """
    s = tf.reshape(tf.cast(embeddings, tf.float32), [tf.shape(embeddings)[0], -1])
    s = tf.math.l2_normalize(s, axis=-1, epsilon=1e-12)
    context = tf.distribute.get_replica_context()
    others = tf.stop_gradient(context.all_gather(s, axis=0))
    total = tf.cast(tf.shape(others)[0], tf.float32)
    cosines = tf.square(tf.matmul(s, others, transpose_b=True))  # (local, global)
    self_term = tf.square(tf.reduce_sum(s * tf.stop_gradient(s), axis=-1))
    share = (tf.reduce_sum(cosines, axis=-1) - self_term) / tf.maximum(total - 1.0, 1.0)
    return tf.stop_gradient(share) + (2.0 * share - tf.stop_gradient(2.0 * share))


@register_variant("ebgan")
class EBGAN(GAN):
    """An energy-based GAN trained with ``model.fit(images)``.

    Args:
        generator: functional ``keras.Model``, ``z -> example``.
        discriminator: functional ``keras.Model``, ``example -> [energy
            (batch, 1), embedding (batch, d), ...]``: the energy first (an
            autoencoder's reconstruction error), the encoder's embedding
            second (for the pulling-away term); more outputs (the
            reconstruction) are kept for users and ignored in training.
        margin: ``m`` of the discriminator's hinge on generated examples'
            energies. Its scale is that of the energies: with the default
            per-pixel mean squared error on images in ``[-1, 1]`` the energy
            of a poor reconstruction is near 0.5, and the default 1.0 keeps
            the hinge active; the paper searched ``m`` in {1, 2, 4, 8, 16}
            for its summed errors.
        pull_away: weight of the pulling-away term in the generator's loss
            (paper: 0.1); 0 turns it off.
        discriminator_steps, seed, **kwargs: as for ``GAN``
            (``augment="diffaugment"``, ``ema=``, ``r1_weight=`` ...).

    Example:
        >>> model = EBGAN.for_shape((28, 28, 1), pull_away=0.1)
        >>> model.compile()
        >>> model.fit(images, batch_size=64, epochs=10)
        >>> energy, _, reconstruction = model.discriminator(images[:8])
    """

    def __init__(self, generator, discriminator, margin=1.0, pull_away=0.0,
                 discriminator_steps=1, seed=None, **kwargs):
        for key in ("loss", "divergence", "label_smoothing", "feature_matching"):
            if kwargs.get(key):
                raise ValueError(f"EBGAN takes no {key}=: its losses are the margin loss on "
                                 "the discriminator's energies")
            kwargs.pop(key, None)
        if kwargs.get("augment") == "ada":
            raise ValueError("EBGAN does not support augment='ada': ADA's heuristic reads the "
                             "sign of a logit, and an energy has none; use augment="
                             "'diffaugment'")
        for key, value in (("margin", margin), ("pull_away", pull_away)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"expected {key} >= 0, got {value!r}")
        if not margin > 0:
            raise ValueError(f"expected margin > 0 (the energy above which fakes cost the "
                             f"discriminator nothing), got {margin}")
        self.margin, self.pull_away = float(margin), float(pull_away)
        super().__init__(generator, discriminator, discriminator_steps=discriminator_steps,
                         seed=seed, **kwargs)
        self.energy_trackers = {"real_energy": keras.metrics.Mean(name="real_energy"),
                                "fake_energy": keras.metrics.Mean(name="fake_energy")}
        if self.pull_away:
            self.energy_trackers["pt"] = keras.metrics.Mean(name="pt")

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, **kwargs):
        """EBGAN with the default generator and an autoencoder discriminator for ``shape``.

        ``network_kwargs`` go to ``keras_gan_zoo.variants.ebgan.networks.default_networks``
        (``embedding_dim=``, ``base_filters=``, ``hidden=``, ``architecture=``).
        """
        from keras_gan_zoo import networks

        cls._check_keywords(kwargs, builder=cls.for_shape)
        generator, discriminator = default_networks(
            shape, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM,
            **(network_kwargs or {}))
        return cls(generator, discriminator, **kwargs)

    @classmethod
    def default_optimizers(cls):
        """Adam(2e-4, 0.5) for the generator, Adam(1e-3, 0.5) for the autoencoder.

        An autoencoder learns to reconstruct more slowly than a classifier
        learns to separate; at 2e-4 the generator finds the images the
        autoencoder reconstructs best and the game collapses (MNIST, 10
        epochs: sample FD 99.9 with 2e-4, 77.7 with 1e-3,
        ``benchmarks/family_mnist.py ebgan``).
        """
        return (FusedAdam(2e-4, beta_1=0.5),
                FusedAdam(1e-3, beta_1=0.5))

    def get_config(self):
        config = super().get_config()
        for key in ("loss", "divergence", "label_smoothing", "feature_matching"):
            config.pop(key)
        return {**config, "margin": self.margin, "pull_away": self.pull_away}

    def check_networks(self):
        outputs = self.discriminator.outputs
        if len(outputs) < 2 or tuple(outputs[0].shape[1:]) not in ((1,), ()):
            raise ValueError(
                "expected an EBGAN discriminator example -> [energy (batch, 1), embedding "
                f"(batch, d), ...], got outputs {[shape_str(t.shape) for t in outputs]}")
        super().check_networks()

    # ---------------------------------------------------------- energies
    def adversarial_logits(self, outputs):
        """The energies (what R1, R2 and the gradient penalty differentiate)."""
        return outputs[0]

    def discriminator_terms(self, real_outputs, fake_outputs, condition):
        real = tf.reshape(tf.cast(real_outputs[0], tf.float32), [-1])
        fake = tf.reshape(tf.cast(fake_outputs[0], tf.float32), [-1])
        count = tf.shape(real)[0]
        self.energy_trackers["real_energy"].update_state(tf.reduce_mean(real), sample_weight=count)
        self.energy_trackers["fake_energy"].update_state(tf.reduce_mean(fake), sample_weight=count)
        return real + tf.nn.relu(self.margin - fake)

    def generator_terms(self, fake_outputs, condition):
        per_example = tf.reshape(tf.cast(fake_outputs[0], tf.float32), [-1])
        if self.pull_away:
            pt = pulling_away(fake_outputs[1])
            self.energy_trackers["pt"].update_state(tf.reduce_mean(pt),
                                                    sample_weight=tf.shape(pt)[0])
            per_example += self.pull_away * pt
        return per_example

    @property
    def metrics(self):
        return super().metrics + list(self.energy_trackers.values())

    def energy(self, examples, batch_size=256):
        """The discriminator's energy of each example (float32 ``(n,)``; low = like the data)."""
        import numpy as np

        examples = np.asarray(examples, dtype="float32")
        self._check_example_shape(examples.shape[1:], what="examples")
        return np.concatenate([
            keras.ops.convert_to_numpy(self.discriminator(examples[i:i + batch_size],
                                                          training=False)[0]).reshape(-1)
            for i in range(0, len(examples), batch_size)])

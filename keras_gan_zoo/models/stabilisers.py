"""Stabilisers as parts any variant's step uses: augmentation and the zero-centred penalties.

Each part is off at its zero setting, owns its state and its trackers, and
offers the hooks of the phase it acts in (in the spirit of StyleGAN2-ADA's
loss phases and augment pipe):

* ``Augmentation`` - before the discriminator reads an image (``apply``),
  and after a discriminator update (``adapt``, ADA's probability);
* ``ZeroCentredPenalties`` - R1 / R2 added to a discriminator update
  (``terms``), lazily every ``interval`` updates, and their logs (``track``).

The generator's moving average (``ema=``) lives in every sampler
(``GenerativeModel``). A variant builds
its parts in its constructor from its own arguments (so its config and saved
files say which are on) and calls their hooks in its ``train_step``; the GAN
step (``GAN``) and BiGAN's use them.
"""

import keras
import tensorflow as tf

from keras_gan_zoo import augment as augmentations
from keras_gan_zoo import losses
from keras_gan_zoo.models.distribution import NOISE_STREAM_AUGMENT, NOISE_STREAM_AUX

__all__ = ["Augmentation", "GradientPenalty", "InstanceNoise", "ZeroCentredPenalties"]


class Augmentation:
    """Differentiable augmentation of what the discriminator sees: DiffAugment (Zhao et al.
    2020) or ADA (Karras et al. 2020), whose probability ``p`` adapts to the
    discriminator's overfitting.

    Args:
        model: the variant it serves (its random streams and its saved state).
        augment: ``None`` (off), ``"diffaugment"`` or ``"ada"``
            (``keras_gan_zoo.augment.AUGMENTS``).
        target: ADA's target of ``r_t = E[sign(D(real))]``.
        interval: discriminator updates between two adjustments of ``p``.
        kimg: thousands of images for ``p`` to move from 0 to 1.
        p: ``p`` at the start.
        pack: examples per judged pack (PacGAN), to count images.

    ADA's state (``p`` and the sums since the last adjustment) is saved with the
    model, so a resumed run goes on with the same ``p``.
    """

    def __init__(self, model, augment=None, target=0.6, interval=4, kimg=100, p=0.0, pack=1):
        if augment is not None and augment not in augmentations.AUGMENTS:
            raise ValueError(f"unknown augment {augment!r}; expected None or one of "
                             f"{', '.join(map(repr, augmentations.AUGMENTS))}")
        if augment is not None and len(model.example_shape) != 3:
            raise ValueError(f"augment={augment!r} augments images; the examples here have "
                             f"shape {model.example_shape}")
        if not 0.0 < target < 1.0:
            raise ValueError(f"expected ada_target in (0, 1), got {target}")
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f"expected ada_interval to be an integer >= 1, got {interval!r}")
        if not kimg > 0:
            raise ValueError(f"expected ada_kimg > 0 (thousands of images), got {kimg}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"expected ada_p in [0, 1], got {p}")
        self.model, self.kind, self.pack = model, augment, pack
        self.target, self.interval, self.kimg, self.p = float(target), interval, float(kimg), float(p)
        self.trackers = {}
        self.state = None
        if augment != "ada":
            return
        state = lambda name, value: model.add_weight(  # noqa: E731
            shape=(), initializer=keras.initializers.Constant(value), trainable=False,
            name=name, aggregation="only_first_replica")
        # p, and the sums of sign(D(real)) and of examples since the last adjustment
        self.state = [state("augment_p", p), state("ada_signs", 0.0), state("ada_count", 0.0)]
        self.trackers = {"augment_p": keras.metrics.Mean(name="augment_p"),
                         "r_t": keras.metrics.Mean(name="r_t")}

    def config(self):
        """The arguments as the variant's config holds them."""
        return {"augment": self.kind, "ada_target": self.target, "ada_interval": self.interval,
                "ada_kimg": self.kimg, "ada_p": self.p}

    @property
    def probability(self):
        """ADA's current ``p`` (a float; 0 when ADA is off)."""
        return float(self.state[0].numpy()) if self.kind == "ada" else 0.0

    def apply(self, images, counter, salt):
        """``images`` as the discriminator sees them: augmented when the part is on.

        The random draws are made for the global batch from the step's
        augmentation stream (keyed by ``counter`` and ``salt``, one salt per
        place in the step) and each replica keeps its rows, so every example
        meets the same augmentation on one replica or many.
        """
        if self.kind is None:
            return images
        with tf.name_scope("augment"):  # so that a profile names its ops
            seed = tf.random.experimental.stateless_fold_in(
                self.model.random_seed(NOISE_STREAM_AUGMENT, counter), salt)
            draws = augmentations.DRAWS[self.kind]
            u = self.model.replica_share(
                lambda n: tf.random.stateless_uniform([n, draws], seed=seed), tf.shape(images)[0])
            p = self.state[0] if self.kind == "ada" else None
            return augmentations.augment(self.kind, images, u, p)

    def adapt(self, real_logits, counter):
        """ADA's adjustment of ``p`` after a discriminator update (``counter``: updates done).

        ``r_t = E[sign(D(real))]`` is summed over all replicas' examples since
        the last adjustment; every ``interval`` updates ``p`` moves by
        ``sign(r_t - target) * images / (kimg * 1000)``, within [0, 1].
        """
        if self.kind != "ada":
            return
        p, signs, count = self.state
        context = tf.distribute.get_replica_context()
        logits = tf.reshape(tf.cast(real_logits, tf.float32), [-1])
        signs.assign_add(context.all_reduce("SUM", tf.reduce_sum(tf.sign(logits))))
        count.assign_add(context.all_reduce("SUM", tf.cast(tf.size(logits), tf.float32)))
        r_t = signs / tf.maximum(count, 1.0)
        due = tf.cast(tf.equal(counter % self.interval, 0), tf.float32)
        step = tf.sign(r_t - self.target) * count * self.pack / (self.kimg * 1000.0)
        p.assign(tf.clip_by_value(p + due * step, 0.0, 1.0))
        self.trackers["r_t"].update_state(r_t)
        signs.assign(signs * (1.0 - due))
        count.assign(count * (1.0 - due))
        self.trackers["augment_p"].update_state(p)


class ZeroCentredPenalties:
    """R1 and R2 (Mescheder et al. 2018): ``gamma / 2 * ||grad D(x)||^2`` on real (R1) and
    generated (R2) examples, added to the discriminator's per-example loss.

    Args:
        r1_weight, r2_weight: their ``gamma`` (0: off).
        interval: compute them at every ``interval``-th discriminator update
            only, with ``interval`` times the weight (StyleGAN2's lazy
            regularisation); 1 computes them at every update.
    """

    def __init__(self, r1_weight=0.0, r2_weight=0.0, interval=1):
        for key, value in (("r1_weight", r1_weight), ("r2_weight", r2_weight)):
            if not value >= 0:
                raise ValueError(f"expected {key} >= 0 (a weight), got {value}")
        if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
            raise ValueError(f"expected r_interval to be an integer >= 1, got {interval!r}")
        self.r1_weight, self.r2_weight, self.interval = float(r1_weight), float(r2_weight), interval
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name, weight in (("r1", self.r1_weight), ("r2", self.r2_weight))
                         if weight}

    def config(self):
        return {"r1_weight": self.r1_weight, "r2_weight": self.r2_weight,
                "r_interval": self.interval}

    def terms(self, judged, real, fake, counter, pack=1):
        """``{"r1": (weight, ||grad D(real)||^2), "r2": ...}`` for the penalties that are on.

        ``judged``: ``(examples, training) -> logits`` (the discriminator with
        everything else it reads held fixed). With ``interval = k > 1`` they
        are computed at every k-th update (``counter``: updates done before
        this one) with ``k`` times the weight, and are zero (not computed) at
        the others. One term per judged pack of ``pack`` examples.
        """
        def penalty(x):
            values = losses.zero_centred_gradient_penalty(judged, x)
            return tf.reduce_sum(tf.reshape(values, [-1, pack]), axis=1)

        terms = {}
        for name, weight, x in (("r1", self.r1_weight, real), ("r2", self.r2_weight, fake)):
            if not weight:
                continue
            if self.interval == 1:
                terms[name] = (weight, penalty(x))
                continue
            due = tf.equal(counter % self.interval, 0)
            values = tf.cond(due, lambda x=x: penalty(x),
                             lambda x=x: tf.zeros([tf.shape(x)[0] // pack]))
            terms[name] = (weight * self.interval, values)
        return terms

    @staticmethod
    def add(per_example, terms):
        """``per_example`` plus ``weight / 2`` times each term."""
        for weight, values in terms.values():
            per_example += 0.5 * weight * values
        return per_example

    def track(self, terms, counter, batch_size):
        """Log each term's mean; lazily computed ones over the updates that computed them."""
        for name, (_, values) in terms.items():
            weight = batch_size
            if self.interval > 1:
                weight *= tf.cast(tf.equal(counter % self.interval, 0), tf.int32)
            self.trackers[name].update_state(tf.reduce_mean(values), sample_weight=weight)


class GradientPenalty:
    """WGAN-GP's two-sided penalty ``(||grad D(x_hat)|| - 1)^2`` at uniform random
    interpolates of real and generated examples (Gulrajani et al. 2017).

    Args:
        model: the variant it serves (its random streams).
        weight: the penalty's weight (``lambda``, 10 in the paper; 0: off).

    The interpolation weights are drawn for the global batch from the step's
    auxiliary stream, so each example meets the same weight on one replica or
    many.
    """

    def __init__(self, model, weight=0.0):
        if not weight >= 0:
            raise ValueError(f"expected gradient_penalty_weight >= 0 (a weight), got {weight}")
        self.model, self.weight = model, float(weight)
        self.tracker = keras.metrics.Mean(name="gp") if self.weight else None

    def term(self, judged, real, fake, counter):
        """The per-example penalty (not yet weighted), or ``None`` when off."""
        if not self.weight:
            return None
        alpha_seed = self.model.random_seed(NOISE_STREAM_AUX, counter)
        alpha = self.model.replica_share(
            lambda n: tf.random.stateless_uniform([n], seed=alpha_seed), tf.shape(real)[0])
        return losses.wasserstein_gradient_penalty(judged, real, fake, alpha=alpha)


class InstanceNoise:
    """Gaussian noise on every example the discriminator reads (Arjovsky and Bottou 2017),
    its standard deviation annealed linearly to 0 over ``steps`` generator steps.

    Args:
        model: the variant it serves (its random streams and generator optimizer).
        sigma: the noise's standard deviation at the start (0: off).
        steps: generator steps over which it falls to 0 (``None``: kept).
    """

    def __init__(self, model, sigma=0.0, steps=None):
        if not sigma >= 0:
            raise ValueError(f"expected instance_noise >= 0 (a standard deviation), got {sigma}")
        if steps is not None and (not isinstance(steps, int) or steps < 1):
            raise ValueError(
                f"expected instance_noise_steps to be None or an integer >= 1, got {steps!r}")
        self.model, self.sigma, self.steps = model, float(sigma), steps

    def apply(self, examples, counter, salt):
        """``examples`` plus this step's noise (unchanged when off)."""
        if not self.sigma:
            return examples
        sigma = tf.constant(self.sigma, tf.float32)
        if self.steps:
            done = tf.cast(self.model.generator_optimizer.iterations, tf.float32) / self.steps
            sigma *= tf.maximum(0.0, 1.0 - done)
        seed = tf.random.experimental.stateless_fold_in(
            self.model.random_seed(NOISE_STREAM_AUX, counter), salt)
        noise = self.model.replica_share(lambda n: tf.random.stateless_normal(
            tf.concat([[n], tf.shape(examples)[1:]], 0), seed=seed), tf.shape(examples)[0])
        return examples + tf.cast(sigma * noise, examples.dtype)

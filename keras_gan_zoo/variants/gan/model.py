"""The original GAN (Goodfellow et al. 2014), with a choice of losses: the shared GAN step.

One ``train_step`` is one iteration of Algorithm 1 of the paper: ``k``
discriminator updates (``discriminator_steps``), then one generator update.
Each discriminator update draws fresh noise; all ``k`` of them see the real
batch of this step (the keras-io convention; pass a larger batch to see more
data per generator update).

The step is shared by the variants that differ only in their losses and
terms: WGAN-GP is ``GAN(loss="wasserstein", gradient_penalty_weight=10.0,
discriminator_steps=5)`` (``WGANGP`` names
it), the conditional GAN feeds labels through it, and a variant that must act
after each discriminator update (the original WGAN clips the critic's
weights) overrides ``GAN.after_discriminator_update``.
"""

import keras
import tensorflow as tf

from keras_gan_zoo import losses
from keras_gan_zoo.models.base import (
    NOISE_STREAM_D,
    NOISE_STREAM_G,
    GenerativeModel,
)
from keras_gan_zoo.models.adversarial import deprecated_argument
from keras_gan_zoo.models.contract import Recipe
from keras_gan_zoo.models.stabilisers import (Augmentation, GradientPenalty, InstanceNoise,
                                               ZeroCentredPenalties)
from keras_gan_zoo.models.registry import register_variant

__all__ = ["GAN"]


def _check_pack(pack):
    if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
        raise ValueError(f"expected pack to be an integer >= 1, got {pack!r}")
    return pack


@register_variant("gan")
class GAN(GenerativeModel):
    """A GAN trained with ``model.fit`` on a dataset of examples.

    Args:
        generator: functional ``keras.Model``, ``z -> example``.
        discriminator: functional ``keras.Model``, ``example -> logit``.
        loss: ``"non_saturating"`` (default; the paper's practical choice),
            ``"minimax"`` (the saturating original), ``"least_squares"``,
            ``"hinge"``, ``"wasserstein"`` or ``"f_divergence"`` (f-GAN, with
            ``divergence=``). See ``keras_gan_zoo.losses``.
        divergence: the f-divergence that ``loss="f_divergence"`` minimises
            (Nowozin et al. 2016): ``"kl"``, ``"reverse_kl"``, ``"pearson"``,
            ``"neyman"``, ``"squared_hellinger"``, ``"jensen_shannon"`` or
            ``"gan"``. The discriminator maximises the paper's variational
            bound ``E_real[g_f(V)] - E_fake[f*(g_f(V))]`` with the divergence's
            output activation ``g_f`` and conjugate ``f*``; the generator
            maximises ``E_fake[g_f(V)]`` (the paper's practical objective).
            See ``keras_gan_zoo.losses.f_divergence_discriminator_loss``.
        gradient_penalty_weight: weight of WGAN-GP's two-sided gradient penalty
            ``(||grad D(x_hat)|| - 1)^2`` at uniform random interpolates of a
            real and a fake example (Gulrajani et al. 2017; lambda = 10 there),
            added to the discriminator's per-example loss; 0 turns it off. The
            discriminator must judge examples one by one (no batch norm).
        r1_weight: gamma of the zero-centred penalty on real examples, R1 =
            ``gamma / 2 * ||grad D(x)||^2`` (Mescheder et al. 2018; StyleGAN2
            uses 10 at 1024 px, much less for small images); 0 turns it off.
        r2_weight: the same penalty on generated examples (R2).
        r_interval: compute R1 and R2 only every ``r_interval``-th
            discriminator update, with their weights times ``r_interval``
            ("lazy regularization", StyleGAN2: 16); 1 computes them at every
            update.
        augment: differentiable augmentation of every image the discriminator
            judges, real and generated, in both updates
            (``keras_gan_zoo.augment``): ``"diffaugment"`` (Zhao et al.
            2020), ``"ada"`` (Karras et al. 2020, with an adaptive
            probability) or ``None``. For training on few images.
        ada_target: ADA's target for the overfitting heuristic ``r_t =
            E[sign(D(real))]`` (paper: 0.6): above it ``p`` rises, below it
            falls.
        ada_interval: discriminator updates between adjustments of ``p``
            (paper: 4); ``r_t`` is measured over them.
        ada_kimg: thousands of real images over which ``p`` could move from
            0 to 1 (the paper's speed, 500, suits runs of millions of images;
            the default 100 suits the short runs of small data sets).
        ada_p: the probability ADA starts from.
        discriminator_steps: discriminator updates per generator update
            (``k`` of the paper).
        label_smoothing: one-sided label smoothing of the real targets
            (minimax, non-saturating and least-squares losses).
        reuse_fakes: the generator update reuses the fakes (and the noise)
            of the last discriminator update, judged again by the updated
            discriminator, instead of drawing new ones: one generator forward
            pass fewer per step, as the PyTorch DCGAN example does. On by
            default: faster, with no loss of quality found (the docs'
            performance page measures both). ``False`` draws fresh noise.
        pack: PacGAN packing (Lin et al. 2018): the discriminator judges
            ``pack`` examples at once, stacked along the last axis, so its
            input has ``pack`` times the channels (``GAN.for_shape(shape,
            pack=2)`` builds it so). Packing penalises a generator that
            collapses to few modes. The batch size must be a multiple of it.
        feature_matching: train the generator to match the mean of the
            discriminator's last features (the input of its last layer) on
            real and generated batches, ``||E f(x) - E f(G(z))||^2``, instead
            of fooling it (Salimans et al. 2016, "Improved Techniques for
            Training GANs", 3.1). Batch means are taken over the global batch.
        instance_noise: standard deviation of Gaussian noise added to every
            input of the discriminator, real and generated, in both updates
            (Arjovsky and Bottou 2017, "Towards Principled Methods for
            Training GANs"; Sonderby et al. 2017). Annealed linearly to zero
            over ``instance_noise_steps`` generator steps (``None``: kept).
        instance_noise_steps: see ``instance_noise``.
        historical_averaging: weight of the penalty ``||theta - mean of past
            theta||^2`` on both networks' parameters (Salimans et al. 2016,
            3.3); the running means are model weights, saved with it.
        seed: seed of the training noise.

    The stabilisers are off by default; ``benchmarks/stabilisers.py``
    measures each one. One-sided label smoothing is ``label_smoothing``,
    packing is ``pack``, the minibatch standard deviation layer is the
    networks' ``minibatch_std=`` (``network_kwargs={"minibatch_std": 4}``).

    Example:
        >>> model = GAN.for_shape((28, 28, 1))      # DCGAN networks
        >>> model.compile()                          # Adam(2e-4, beta_1=0.5)
        >>> model.fit(images, batch_size=64, epochs=10)
        >>> samples = model.generate(64, seed=0)
    """

    LOSSES = losses.NAMES
    # Version-1 configs (0.1.0) lack the arguments added after them; these
    # values behave as the code did before each argument existed.
    OLD_DEFAULTS = {1: {"reuse_fakes": False}}
    DEPRECATED = {"gradient_penalty": "gradient_penalty_weight"}
    training_only_networks = ("discriminator",)
    #: ``train gan --recipe NAME`` (see ``recipes``)
    RECIPES = {
        "small-data": Recipe(
            "ResNets (base_filters 16, spectral norm in D), hinge loss, SAGAN's two learning "
            "rates (Adam 1e-4 G, 4e-4 D, betas 0 / 0.9), ADA (ada_kimg 20), EMA 0.999: the "
            "small-data page's best at 64 px on 400 photos",
            options={"network_kwargs": {"architecture": "resnet", "base_filters": 16},
                     "loss": "hinge", "augment": "ada", "ada_kimg": 20, "ema": 0.999},
            generator_optimizer={"class_name": "Adam", "config": {
                "learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9}},
            discriminator_optimizer={"class_name": "Adam", "config": {
                "learning_rate": 4e-4, "beta_1": 0.0, "beta_2": 0.9}}),
    }

    def __init__(
        self,
        generator,
        discriminator,
        loss="non_saturating",
        divergence=None,
        discriminator_steps=1,
        gradient_penalty_weight=0.0,
        r1_weight=0.0,
        r2_weight=0.0,
        r_interval=1,
        augment=None,
        ada_target=0.6,
        ada_interval=4,
        ada_kimg=100,
        ada_p=0.0,
        label_smoothing=0.0,
        pack=1,
        reuse_fakes=True,
        feature_matching=False,
        instance_noise=0.0,
        instance_noise_steps=None,
        historical_averaging=0.0,
        seed=None,
        **kwargs,
    ):
        gradient_penalty_weight = deprecated_argument(
            type(self), kwargs, "gradient_penalty", "gradient_penalty_weight",
            gradient_penalty_weight)
        self.pack = _check_pack(pack)  # before the base checks the networks: it sets the example shape
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if loss not in self.LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(self.LOSSES)}")
        if not isinstance(discriminator_steps, int) or discriminator_steps < 1:
            raise ValueError(
                f"expected discriminator_steps to be an integer >= 1, got {discriminator_steps!r}"
            )
        if label_smoothing and loss in ("hinge", "wasserstein", "f_divergence"):
            raise ValueError("label_smoothing applies to the minimax, non-saturating and "
                             f"least-squares losses, not to {loss}")
        self._gradient_penalty = GradientPenalty(self, gradient_penalty_weight)
        self.gradient_penalty_weight = self._gradient_penalty.weight
        self.gp_tracker = self._gradient_penalty.tracker
        self._penalties = ZeroCentredPenalties(r1_weight, r2_weight, r_interval)
        self.r1_weight, self.r2_weight = self._penalties.r1_weight, self._penalties.r2_weight
        self.r_interval = r_interval
        self.r_trackers = self._penalties.trackers
        self._augmentation = Augmentation(self, augment, ada_target, ada_interval, ada_kimg,
                                          ada_p, pack=self.pack)
        self.augment = augment
        self.ada_target, self.ada_interval = self._augmentation.target, ada_interval
        self.ada_kimg, self.ada_p = self._augmentation.kimg, self._augmentation.p
        self.ada_trackers = self._augmentation.trackers
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"expected label_smoothing in [0, 1), got {label_smoothing}")
        self.loss_name = loss
        self.discriminator_steps = discriminator_steps
        self.label_smoothing = float(label_smoothing)
        if not isinstance(reuse_fakes, bool):
            raise ValueError(f"expected reuse_fakes to be True or False, got {reuse_fakes!r}")
        self.reuse_fakes = reuse_fakes
        if not isinstance(feature_matching, bool):
            raise ValueError(f"expected feature_matching to be True or False, got {feature_matching!r}")
        self.feature_matching = feature_matching
        if feature_matching:
            self.discriminator_features()  # fails early on a discriminator it cannot read
        self._instance_noise = InstanceNoise(self, instance_noise, instance_noise_steps)
        self.instance_noise = self._instance_noise.sigma
        self.instance_noise_steps = instance_noise_steps
        if not historical_averaging >= 0:
            raise ValueError(f"expected historical_averaging >= 0, got {historical_averaging}")
        self.historical_averaging = float(historical_averaging)
        self._averages = {}
        if self.historical_averaging:
            for role, net in (("generator", self.generator), ("discriminator", self.discriminator)):
                self._averages[role] = [
                    self.add_weight(shape=v.shape, initializer=keras.initializers.Zeros(),
                                    trainable=False, name=f"{role}_average_{i}",
                                    aggregation="only_first_replica")
                    for i, v in enumerate(net.trainable_variables)
                ]
                for average, v in zip(self._averages[role], net.trainable_variables):
                    average.assign(v)
        self._generator_loss, self._discriminator_loss = losses.get(loss, divergence)
        self.divergence = divergence

    @classmethod
    def for_shape(cls, shape, latent_dim=None, network_kwargs=None, pack=1, **kwargs):
        """Default networks for ``shape``; with ``pack > 1`` the discriminator reads packs."""
        if _check_pack(pack) == 1:
            return super().for_shape(shape, latent_dim=latent_dim, network_kwargs=network_kwargs,
                                     **kwargs)
        from keras_gan_zoo import networks

        shape = tuple(shape)
        packed = shape[:-1] + (shape[-1] * pack,)
        network_kwargs = dict(network_kwargs or {})
        minibatch_std = network_kwargs.pop("minibatch_std", 0)
        generator = networks.generator_for_shape(
            shape, latent_dim=latent_dim or networks.DEFAULT_LATENT_DIM, **network_kwargs)
        discriminator = networks.discriminator_for_shape(packed, minibatch_std=minibatch_std,
                                                         **network_kwargs)
        return cls(generator, discriminator, pack=pack, **kwargs)

    @property
    def example_shape(self):
        shape = tuple(self.discriminator.inputs[0].shape[1:])
        if self.pack == 1 or shape[-1] is None:
            return shape
        if shape[-1] % self.pack:
            raise ValueError(
                f"pack={self.pack} needs a discriminator whose last input axis is a multiple "
                f"of {self.pack}, got {shape[-1]}"
            )
        return shape[:-1] + (shape[-1] // self.pack,)

    def packed(self, examples):
        """``examples`` as the discriminator reads them: packs of ``pack`` side by side."""
        if self.pack == 1:
            return examples
        check = tf.debugging.assert_equal(
            tf.shape(examples)[0] % self.pack, 0,
            message=f"pack={self.pack}: the batch size (per replica) must be a multiple of it")
        with tf.control_dependencies([check]):
            shape = tf.shape(examples)
        # (B, ..., c) -> (B / pack, ..., pack * c): consecutive examples side by side
        grouped = tf.reshape(examples, tf.concat([[-1, self.pack], shape[1:]], 0))
        rank = len(examples.shape)
        order = [0] + list(range(2, rank)) + [1, rank]
        grouped = tf.transpose(grouped, order)
        packed = tf.reshape(grouped, tf.concat([[-1], shape[1:-1], [self.pack * shape[-1]]], 0))
        return tf.ensure_shape(packed, [None] + list(examples.shape[1:-1])
                               + [self.pack * examples.shape[-1]])

    def judge(self, examples, condition=None, training=True):
        return super().judge(self.packed(examples), condition, training)

    def judge_pair(self, real, fake, condition=None):
        """Logits of real and fake examples: in one call of the discriminator, when that gives
        the same result (no batch normalisation or minibatch statistics: every example is
        judged on its own), else in two.

        One call on the doubled batch is faster on CPU (measured by
        ``benchmarks/throughput.py``).
        """
        # WGAN-GP's critic is called once more on the interpolates anyway; two
        # calls keep its numbers those of its own loop in 0.1.0 (to the bit).
        if self._batch_coupled() or self.gradient_penalty_weight:
            return self.judge(real, condition), self.judge(fake, condition)
        # pack each half on its own, so that each is checked to be a multiple of pack
        real, fake = self.packed(real), self.packed(fake)
        both_condition = None if condition is None else tf.concat([condition, condition], 0)
        outputs = super().judge(tf.concat([real, fake], 0), both_condition)
        n = tf.shape(real)[0]
        return (tf.nest.map_structure(lambda t: t[:n], outputs),
                tf.nest.map_structure(lambda t: t[n:], outputs))

    def _batch_coupled(self):
        from keras_gan_zoo.networks.layers import MinibatchStdDev

        return any(isinstance(layer, (keras.layers.BatchNormalization, MinibatchStdDev))
                   for layer in self.discriminator._flatten_layers(include_self=False))

    def discriminator_features(self):
        """The discriminator up to its last layer: the features feature matching compares."""
        last = self.discriminator.layers[-1]
        node_inputs = last._inbound_nodes[0].input_tensors if last._inbound_nodes else []
        if len(node_inputs) != 1:
            raise ValueError(
                "feature_matching needs a discriminator whose last layer reads one feature "
                f"tensor; its last layer {last.name!r} ({type(last).__name__}) reads "
                f"{len(node_inputs)}"
            )
        return keras.Model(self.discriminator.inputs, node_inputs[0], name="discriminator_features")

    def fit(self, x=None, y=None, batch_size=None, epochs=1, **kwargs):
        if self.pack > 1 and batch_size is not None and batch_size % self.pack:
            raise ValueError(
                f"pack={self.pack}: expected a batch size that is a multiple of {self.pack}, "
                f"got {batch_size}"
            )
        return super().fit(x, y, batch_size=batch_size, epochs=epochs, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "loss": self.loss_name,
            "divergence": self.divergence,
            "discriminator_steps": self.discriminator_steps,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "r1_weight": self.r1_weight,
            "r2_weight": self.r2_weight,
            "r_interval": self.r_interval,
            "augment": self.augment,
            "ada_target": self.ada_target,
            "ada_interval": self.ada_interval,
            "ada_kimg": self.ada_kimg,
            "ada_p": self.ada_p,
            "label_smoothing": self.label_smoothing,
            "pack": self.pack,
            "reuse_fakes": self.reuse_fakes,
            "feature_matching": self.feature_matching,
            "instance_noise": self.instance_noise,
            "instance_noise_steps": self.instance_noise_steps,
            "historical_averaging": self.historical_averaging,
        }

    # ------------------------------------------- what the discriminator gives
    def adversarial_logits(self, outputs):
        """The real-or-fake logits among the discriminator's ``outputs``.

        The discriminator of the shared step gives one logit per example; a
        variant whose discriminator has more heads (ACGAN's class head)
        overrides this, ``discriminator_terms`` and ``generator_terms``.
        """
        return outputs

    def discriminator_terms(self, real_outputs, fake_outputs, condition):
        """The per-example loss of a discriminator update, from its outputs on real and fakes."""
        return self.discriminator_loss(real_outputs, fake_outputs)

    def generator_terms(self, fake_outputs, condition):
        """The per-example loss of a generator update, from the discriminator's outputs."""
        return self._generator_loss(fake_outputs)

    def judged_logits(self, condition):
        """``(examples, training) -> real-or-fake logits``: what the gradient penalties differentiate."""
        return lambda x, training: self.adversarial_logits(self.judge(x, condition, training))

    def discriminator_loss(self, real_logits, fake_logits):
        """Per-example discriminator loss of the configured ``loss``."""
        if self.label_smoothing:
            return self._discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        return self._discriminator_loss(real_logits, fake_logits)

    # ------------------------------------------------------ augmentation
    @property
    def augment_probability(self):
        """ADA's current augmentation probability ``p`` (a float; 0 when ADA is off)."""
        return self._augmentation.probability

    def augmented(self, images, counter, salt):
        """``images`` as the discriminator sees them (``Augmentation.apply`` of
        ``keras_gan_zoo.models.stabilisers``)."""
        return self._augmentation.apply(images, counter, salt)

    # ------------------------------------------------------- stabilisers
    def noisy(self, examples, counter, salt):
        """``examples`` plus this step's instance noise (unchanged when it is off;
        ``keras_gan_zoo.models.stabilisers.InstanceNoise``)."""
        return self._instance_noise.apply(examples, counter, salt)

    def feature_matching_loss(self, real, fake, condition=None):
        """``||mean f(real) - mean f(fake)||^2`` over the global batch, per replica's share.

        The means are all-reduced across replicas; the loss is divided by the
        number of replicas because Keras sums the replicas' gradients.
        """
        features = self.discriminator_features()

        def read(x):
            x = self.packed(x)
            return tf.cast(features(x if condition is None else [x, condition], training=True),
                           tf.float32)

        context = tf.distribute.get_replica_context()
        real_f, fake_f = tf.stop_gradient(read(real)), read(fake)
        count = context.all_reduce("SUM", tf.cast(tf.shape(fake_f)[0], tf.float32))
        mean_real = context.all_reduce("SUM", tf.reduce_sum(real_f, 0)) / count
        mean_fake = context.all_reduce("SUM", tf.reduce_sum(fake_f, 0)) / count
        return tf.reduce_sum(tf.square(mean_real - mean_fake)) / context.num_replicas_in_sync

    def history_penalty(self, role, variables):
        """``historical_averaging * ||theta - average theta||^2`` (0 when off), per replica's share."""
        if not self.historical_averaging:
            return 0.0
        replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        penalty = tf.add_n([tf.reduce_sum(tf.square(v - tf.stop_gradient(a)))
                            for v, a in zip(variables, self._averages[role])])
        return self.historical_averaging * penalty / replicas

    def update_history(self, role, variables, optimizer):
        """Fold the updated parameters into their running means (after step ``t``: 1/(t+1))."""
        if not self.historical_averaging:
            return
        weight = 1.0 / (tf.cast(optimizer.iterations, tf.float32) + 1.0)
        for v, a in zip(variables, self._averages[role]):
            a.assign_add(weight * (v - a))

    @property
    def metrics(self):
        return (super().metrics + ([self.gp_tracker] if self.gp_tracker is not None else [])
                + list(self.r_trackers.values()) + list(self.ada_trackers.values()))

    # -------------------------------------------------------------- terms
    def penalty(self, real, fake, condition, counter):
        """Per-example terms added to the discriminator's loss (``None`` when none is on):
        WGAN-GP's gradient penalty (``keras_gan_zoo.models.stabilisers.GradientPenalty``)."""
        return self._gradient_penalty.term(self.judged_logits(condition), real, fake, counter)

    def zero_centred_penalties(self, real, fake, condition, counter):
        """``{"r1": (weight, ||grad D(real)||^2), "r2": ...}`` for the penalties that are on
        (``ZeroCentredPenalties``)."""
        return self._penalties.terms(self.judged_logits(condition), real, fake, counter,
                                     self.pack)

    def after_discriminator_update(self):
        """Called after each discriminator update, inside the step (e.g. WGAN's clipping)."""

    def generator_penalty(self, batch_size, counter):
        """A regulariser added to the generator's loss (already reduced over the global batch;
        ``0.0`` when none): StyleGAN2's path-length regularisation. ``counter``: generator
        updates done before this one."""
        return 0.0

    # --------------------------------------------------------------- step
    def train_step(self, data):
        """One iteration of the paper's Algorithm 1, with the stabilisers that are on:

        1. ``discriminator_steps`` discriminator updates, each on fresh fakes:
           a. what it sees: the images augmented (``augment``), with instance noise;
           b. its loss: the variant's terms, + gradient penalty, + R1 / R2,
              + historical averaging;
           c. the update; then ADA adapts ``p``, the variant's hook runs (WGAN's
              clipping), and the logs.
        2. One generator update against the updated discriminator (through
           the last fakes when ``reuse_fakes``), by its loss or feature matching.
        3. The generator's moving average (``ema``).
        """
        real, condition = self.unpack(data)
        batch_size = tf.shape(real)[0]
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer
        d_vars, g_vars = self.discriminator_variables, self.generator_variables

        # 1. k discriminator updates, each on fresh fakes. With reuse_fakes the
        # generator's forward pass of the last one is recorded on g_tape, so
        # that the generator update can backpropagate through it.
        g_tape = tf.GradientTape()
        for k in range(self.discriminator_steps):
            z = self.noise(batch_size, NOISE_STREAM_D, d_opt.iterations)
            if self.reuse_fakes and k == self.discriminator_steps - 1:
                with g_tape:
                    fake = self.fake(z, condition)
            else:
                fake = self.fake(z, condition)
            counter = tf.identity(d_opt.iterations)  # updates done before this one
            with tf.GradientTape() as tape:
                # a. what the discriminator sees
                d_real = self.noisy(self.augmented(real, counter, 0), counter, 0)
                d_fake = self.noisy(self.augmented(tf.stop_gradient(fake), counter, 1), counter, 1)
                # b. its loss
                real_logits, fake_logits = self.judge_pair(d_real, d_fake, condition)
                per_example = self.discriminator_terms(real_logits, fake_logits, condition)
                penalty = self.penalty(d_real, d_fake, condition, counter)
                if penalty is not None:
                    per_example += self.gradient_penalty_weight * penalty
                zero_centred = self.zero_centred_penalties(d_real, d_fake, condition, counter)
                per_example = self._penalties.add(per_example, zero_centred)
                d_loss = (self.reduce_loss(per_example, self.discriminator)
                          + self.history_penalty("discriminator", d_vars))
            # c. the update, and what follows it
            self.apply_gradients(d_opt, tape, d_loss, d_vars)
            self.update_history("discriminator", d_vars, d_opt)
            self._augmentation.adapt(self.adversarial_logits(real_logits), d_opt.iterations)
            self.after_discriminator_update()
            self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=batch_size)
            if penalty is not None:
                self.gp_tracker.update_state(tf.reduce_mean(penalty), sample_weight=batch_size)
            self._penalties.track(zero_centred, counter, batch_size)

        # 2. One generator update against the updated discriminator.
        if not self.reuse_fakes:
            z = self.noise(batch_size, NOISE_STREAM_G, g_opt.iterations)
        with g_tape:
            if not self.reuse_fakes:
                fake = self.fake(z, condition)
            fake = self.noisy(self.augmented(fake, g_opt.iterations, 2), g_opt.iterations, 2)
            if self.feature_matching:
                g_loss = self.feature_matching_loss(
                    self.noisy(self.augmented(real, g_opt.iterations, 3), g_opt.iterations, 3),
                    fake, condition)
                reported = g_loss * tf.distribute.get_replica_context().num_replicas_in_sync
            else:
                per_example = self.generator_terms(self.judge(fake, condition), condition)
                g_loss = self.reduce_loss(per_example, self.generator)
                reported = tf.reduce_mean(per_example)
            g_loss += self.history_penalty("generator", g_vars)
            g_loss += self.generator_penalty(batch_size, g_opt.iterations)
        self.apply_gradients(g_opt, g_tape, g_loss, g_vars)
        self.update_history("generator", g_vars, g_opt)
        # 3. The moving average of the generator.
        self.update_ema()
        self.g_loss_tracker.update_state(reported, sample_weight=batch_size)
        return self.logs()

"""SinGAN (Shaham et al. 2019): a pyramid of GANs learnt from one image, coarse to fine.

Each scale has a fully convolutional generator and a patch critic
(``keras_gan_zoo.variants.singan.networks``); the scales train one at a time,
coarsest first, the coarser ones frozen. At scale ``k`` the generator draws
the detail the upsampled output of the coarser scales lacks, from a noise
map times the scale's **noise amplitude**; the critic judges patches of the
real image at that scale against generated ones with the WGAN-GP loss. A
**reconstruction loss** ties one fixed noise map (at scale 0; zero noise at
the finer scales) to the image itself, and sets each scale's amplitude: 0.1
times the root mean square error of the upsampled coarser reconstruction.

One image is the whole data set: ``fit`` repeats it, one epoch per scale
(``steps_per_scale`` steps each); each step makes one critic update and one
generator update (the paper's 3 and 3 per iteration keep the same 1:1 ratio).
When a scale starts, its networks take the weights of the scale below where
their shapes agree, and its amplitude is measured (``start_scale``; a resumed
run does not do it twice). Samples come from the whole chain, which exports as
one graph whose inputs are the noise maps: maps of other sizes retarget
(``retarget``), and ``generate_from`` starts from the real image at a scale.
"""

import numpy as np
import keras
import tensorflow as tf

from keras_gan_zoo.models.base import NOISE_STREAM_AUX, NOISE_STREAM_D, NOISE_STREAM_G, \
    GenerativeModel
from keras_gan_zoo.models.contract import Port, Takes
from keras_gan_zoo.models.registry import register_variant
from keras_gan_zoo.variants.singan.networks import default_networks, pyramid_sizes, scale_output

__all__ = ["SinGAN", "ScaleDecay"]

#: The stream of the fixed reconstruction noise (a constant of the model's seed).
NOISE_STREAM_RECONSTRUCTION = 7


@keras.saving.register_keras_serializable(package="keras_gan_zoo")
class ScaleDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The learning rate of each scale: ``initial``, times ``factor`` after ``drop_at`` of the
    scale's ``steps`` updates (the reference code's MultiStepLR at 1,600 of 2,000)."""

    def __init__(self, initial, steps, drop_at=0.8, factor=0.1):
        self.initial, self.steps = float(initial), int(steps)
        self.drop_at, self.factor = float(drop_at), float(factor)

    def __call__(self, step):
        into = tf.cast(step % self.steps, tf.float32)
        late = into >= self.drop_at * self.steps
        return self.initial * tf.where(late, self.factor, 1.0)

    def get_config(self):
        return {"initial": self.initial, "steps": self.steps, "drop_at": self.drop_at,
                "factor": self.factor}


def _first_image(batches):
    """The first image of a dataset of batches (a distributed one's first replica's)."""
    try:
        first = next(iter(batches))
    except (TypeError, StopIteration):
        raise ValueError("expected one image (1, h, w, c) or a dataset of its batches") from None
    first = first[0] if isinstance(first, (tuple, list)) else first
    if hasattr(first, "values"):  # PerReplica
        first = first.values[0]
    return np.asarray(first[:1], "float32")


class _Scales(keras.callbacks.Callback):
    """Starts each scale when the step count reaches it (and the one a resumed run is in)."""

    def on_train_begin(self, logs=None):
        self.model.start_due_scale()

    def on_train_batch_begin(self, batch, logs=None):
        self.model.start_due_scale()


@register_variant("singan")
class SinGAN(GenerativeModel):
    """SinGAN trained with ``model.fit(image)`` on one image.

    Args:
        generator: the chain ``[noise0, ..., noiseN] -> image`` holding
            ``mix{k}`` (``NoiseMix``), ``scale{k}``, ``up{k}`` and ``add{k}``
            (``keras_gan_zoo.variants.singan.networks.singan_generator``).
        discriminator: ``[image0, ..., imageN] -> [scores0, ...]`` holding
            ``critic{k}``.
        sizes: ``[[h, w], ...]``: each scale's size, coarsest first (the
            trained image's is last).
        steps_per_scale: training steps (one critic and one generator update
            each) of every scale: an epoch of ``fit``.
        reconstruction_weight: ``alpha``, the weight of the reconstruction
            loss (10).
        gradient_penalty_weight: ``lambda`` of the critics' gradient penalty
            (0.1).
        noise_amplitude: a scale's noise amplitude as a fraction of the
            coarser reconstruction's RMSE (0.1).
        seed: seed of the training noise and of the reconstruction noise.

    Example:
        >>> model = SinGAN.for_shape((120, 160, 3), steps_per_scale=1000)
        >>> model.compile()
        >>> model.fit(image)                  # (1, 120, 160, 3) in [-1, 1]; one epoch a scale
        >>> model.generate(8, seed=0)         # 8 variations of the image
        >>> model.retarget(4, height=1.0, width=1.5)   # wider
    """

    takes = Takes("one_image")
    default_networks = staticmethod(default_networks)
    training_only_networks = ("discriminator",)

    def __init__(self, generator, discriminator, sizes, steps_per_scale=2000,
                 reconstruction_weight=10.0, gradient_penalty_weight=0.1, noise_amplitude=0.1,
                 seed=None, **kwargs):
        self.sizes = [tuple(int(v) for v in size) for size in sizes]
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if isinstance(steps_per_scale, bool) or not isinstance(steps_per_scale, int) \
                or steps_per_scale < 1:
            raise ValueError(f"expected steps_per_scale >= 1, got {steps_per_scale!r}")
        for name, value in (("reconstruction_weight", reconstruction_weight),
                            ("gradient_penalty_weight", gradient_penalty_weight),
                            ("noise_amplitude", noise_amplitude)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"expected {name} >= 0, got {value!r}")
        self.steps_per_scale = steps_per_scale
        self.reconstruction_weight = float(reconstruction_weight)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.noise_amplitude = float(noise_amplitude)
        # the last scale started (-1: none), saved with the model so a resumed run goes on
        self.scales_started = self.add_weight(name="scales_started", shape=(), dtype="int32",
                                              initializer=keras.initializers.Constant(-1),
                                              trainable=False)
        self._scale = None  # the scale the traced step trains
        self.rec_tracker = keras.metrics.Mean(name="rec")

    @classmethod
    def for_shape(cls, shape, min_size=25, scale_factor=0.75, network_kwargs=None, **kwargs):
        """SinGAN with default networks for one image of ``shape`` ``(h, w, c)``.

        Args:
            min_size: the short side of the coarsest scale (25).
            scale_factor: about how much smaller each scale is (0.75).
            network_kwargs: ``base_filters=`` (32), ``max_filters=`` (128).
        """
        cls._check_keywords(kwargs, builder=cls.for_shape)
        sizes = pyramid_sizes(shape[0], shape[1], min_size, scale_factor)
        generator, discriminator = default_networks(shape, min_size, scale_factor,
                                                    **(network_kwargs or {}))
        return cls(generator, discriminator, sizes=[list(s) for s in sizes], **kwargs)

    @classmethod
    def for_data(cls, x, y=None, **kwargs):
        """SinGAN for the one image ``x`` (``(1, h, w, c)``, ``(h, w, c)`` or a one-image
        ``Source``)."""
        shape = getattr(x, "shape", None)
        if shape is None:
            shape = np.shape(x)
        shape = tuple(shape)
        if hasattr(x, "n") and x.n != 1 or not hasattr(x, "n") and len(shape) == 4 \
                and shape[0] != 1:
            count = x.n if hasattr(x, "n") else shape[0]
            raise ValueError(f"SinGAN trains on one image, got {count}: pass one image "
                             "(a file, or an array of shape (1, h, w, c))")
        return cls.for_shape(shape[-3:], **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("ema")
        return {**config, "sizes": [list(s) for s in self.sizes],
                "steps_per_scale": self.steps_per_scale,
                "reconstruction_weight": self.reconstruction_weight,
                "gradient_penalty_weight": self.gradient_penalty_weight,
                "noise_amplitude": self.noise_amplitude}

    @classmethod
    def default_optimizers(cls):
        """Adam 5e-4, betas (0.5, 0.999), both sides (the paper's); ``compile`` makes the rate
        fall tenfold after 80% of each scale (``ScaleDecay``)."""
        return (keras.optimizers.Adam(5e-4, beta_1=0.5, beta_2=0.999),
                keras.optimizers.Adam(5e-4, beta_1=0.5, beta_2=0.999))

    def compile(self, generator_optimizer=None, discriminator_optimizer=None, **kwargs):
        if generator_optimizer is None and discriminator_optimizer is None:
            generator_optimizer, discriminator_optimizer = (
                keras.optimizers.Adam(ScaleDecay(5e-4, self.steps_per_scale), beta_1=0.5,
                                      beta_2=0.999) for _ in range(2))
        super().compile(generator_optimizer, discriminator_optimizer, **kwargs)

    # ------------------------------------------------------------- contract
    @property
    def num_scales(self):
        return len(self.sizes)

    @property
    def example_shape(self):
        return (*self.sizes[-1], int(self.generator.outputs[0].shape[-1]))

    @property
    def channels(self):
        return int(self.generator.outputs[0].shape[-1])

    def generator_ports(self):
        return tuple(Port.noise_map(f"noise{k}", (h, w, 1 if k == 0 else self.channels),
                                    f"noise map of scale {k} ({h}x{w} when trained; other "
                                    "sizes retarget)")
                     for k, (h, w) in enumerate(self.sizes))

    def check_networks(self):
        scales = len(self.sizes)
        names = {layer.name for layer in self.generator.layers}
        missing = [f"{part}{k}" for k in range(scales) for part in ("mix", "scale")
                   if f"{part}{k}" not in names]
        missing += [f"critic{k}" for k in range(scales)
                    if f"critic{k}" not in {layer.name for layer in self.discriminator.layers}]
        if missing or len(self.generator.inputs) != scales \
                or len(self.discriminator.outputs) != scales:
            raise ValueError(
                f"expected a SinGAN generator [noise0 .. noise{scales - 1}] holding mix{{k}} "
                f"and scale{{k}}, and a discriminator with critic{{k}}, for {scales} scales "
                f"(sizes), got generator inputs {len(self.generator.inputs)}, discriminator "
                f"outputs {len(self.discriminator.outputs)}"
                + (f", no {', '.join(missing)}" if missing else ""))

    @classmethod
    def default_batch_size(cls, shape):
        """1: each step judges one noise draw against the image (the paper's)."""
        return 1

    @property
    def default_epochs(self):
        """One epoch a scale."""
        return self.num_scales

    # --------------------------------------------------------------- scales
    def training_source(self, source):
        from keras_gan_zoo.data.stream import RepeatSource

        if source.n != 1:
            raise ValueError(f"SinGAN trains on one image, got {source.n} from {source.name}")
        return RepeatSource(source, self.steps_per_scale)

    def scale_at(self, step):
        """The scale step ``step`` trains: one epoch of ``steps_per_scale`` each, the finest
        scale after the last."""
        return min(int(step) // self.steps_per_scale, self.num_scales - 1)

    def start_due_scale(self):
        """Start the scale the next step trains if it has not started (what ``fit`` does
        before every step), and trace the step for it."""
        scale = self.scale_at(self.generator_optimizer.iterations.numpy())
        for k in range(int(self.scales_started.numpy()) + 1, scale + 1):
            self.start_scale(k, self._real_image)
        if scale != self._scale:
            self._scale = scale
            self.train_function = None
            self.make_train_function(force=True)

    def start_scale(self, k, image):
        """Start scale ``k``: its networks take scale ``k - 1``'s weights where the shapes
        agree (the paper's), and its noise amplitude is measured on ``image``."""
        if k > 0:
            for part, network in (("scale", self.generator), ("critic", self.discriminator)):
                below, here = network.get_layer(f"{part}{k - 1}"), network.get_layer(f"{part}{k}")
                old, new = below.get_weights(), here.get_weights()
                if [w.shape for w in old] == [w.shape for w in new]:
                    here.set_weights(old)
            reals = self.real_pyramid(tf.constant(image[:1], tf.float32))
            previous = self.upsample(self.reconstruct(k - 1, 1), reals[k], k)
            error = tf.sqrt(tf.reduce_mean(tf.square(reals[k] - previous)))
            amplitude = self.noise_amplitude * float(error)
        else:
            amplitude = 1.0
        self.generator.get_layer(f"mix{k}").amplitude.assign(amplitude)
        self.scales_started.assign(k)

    def noise_amplitudes(self):
        """Each scale's noise amplitude, coarsest first."""
        return [float(self.generator.get_layer(f"mix{k}").amplitude.numpy())
                for k in range(self.num_scales)]

    # ------------------------------------------------------------ the step
    def real_pyramid(self, images):
        """``images`` at every scale's size (bicubic, antialiased), coarsest first."""
        return [tf.clip_by_value(tf.image.resize(images, size, "bicubic", antialias=True), -1, 1)
                if tuple(size) != tuple(images.shape[1:3]) else images for size in self.sizes]

    def upsample(self, image, like, k):
        """``image`` upsampled to the size of ``like`` by the chain's ``up{k}``."""
        return tf.cast(self.generator.get_layer(f"up{k}")([image, like]), tf.float32)

    def reconstruction_noise(self, n):
        """The fixed noise map of scale 0 that reconstructs the image (from the seed)."""
        h, w = self.sizes[0]
        seed = tf.constant([self.seed, NOISE_STREAM_RECONSTRUCTION], tf.int64)
        return tf.tile(tf.random.stateless_normal([1, h, w, 1], seed=seed), [n, 1, 1, 1])

    def reconstruct(self, k, n, training=False):
        """Scale ``k``'s reconstruction of the image (``n`` copies): the fixed noise at scale 0,
        zero noise above."""
        x = tf.cast(scale_output(self.generator, 0, self.reconstruction_noise(n),
                                 training=training), tf.float32)
        for j in range(1, k + 1):
            h, w = self.sizes[j]
            previous = tf.cast(self.generator.get_layer(f"up{j}")(
                [x, tf.zeros([n, h, w, self.channels])]), tf.float32)
            x = tf.cast(scale_output(self.generator, j, tf.zeros([n, h, w, self.channels]),
                                     previous, training=training), tf.float32)
        return x

    def _noise(self, k, n, seed):
        h, w = self.sizes[k]
        c = 1 if k == 0 else self.channels
        return self.replica_share(
            lambda m: tf.random.stateless_normal([m, h, w, c], seed=seed), n)

    def random_previous(self, k, n, seed):
        """Scale ``k``'s input image: the frozen coarser scales run on fresh noise, upsampled
        to scale ``k`` (``None`` for scale 0)."""
        if k == 0:
            return None
        x = tf.cast(scale_output(self.generator, 0, self._noise(0, n, seed), training=False),
                    tf.float32)
        for j in range(1, k + 1):
            like = tf.zeros([n, *self.sizes[j], 1])
            previous = tf.cast(self.generator.get_layer(f"up{j}")([x, like]), tf.float32)
            if j == k:
                return previous
            noise = self._noise(j, n, tf.random.experimental.stateless_fold_in(seed, j))
            x = tf.cast(scale_output(self.generator, j, noise, previous, training=False),
                        tf.float32)

    def _gradient_penalty(self, critic, real, fake, seed):
        """The reference code's penalty: ``(||grad||_2 - 1)^2`` of the summed patch scores at
        a random interpolate, the norm over the colours of each pixel, averaged over pixels."""
        alpha = self.replica_share(lambda m: tf.random.stateless_uniform([m, 1, 1, 1], seed=seed),
                                   tf.shape(real)[0])
        mixed = real + alpha * (fake - real)
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            scores = tf.reduce_sum(tf.cast(critic(mixed, training=True), tf.float32))
        grads = tape.gradient(scores, mixed)
        norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=-1) + 1e-12)
        return tf.reduce_mean(tf.square(norms - 1.0), axis=[1, 2])

    def train_step(self, data):
        """One critic update and one generator update of the scale being trained."""
        if self._scale is None:  # fit() traces the step after the first scale has started
            raise RuntimeError("SinGAN.fit starts its scales: call fit(), not train_step()")
        k = self._scale
        real_full, _ = self.unpack(data)
        n = tf.shape(real_full)[0]
        real = self.real_pyramid(real_full)[k]
        critic = self.discriminator.get_layer(f"critic{k}")
        d_opt, g_opt = self.discriminator_optimizer, self.generator_optimizer
        g_vars = self.generator.get_layer(f"scale{k}").trainable_variables
        d_vars = critic.trainable_variables

        seed = self.random_seed(NOISE_STREAM_D, d_opt.iterations)
        previous = self.random_previous(k, n, tf.random.experimental.stateless_fold_in(seed, 1))
        noise = self._noise(k, n, seed)
        fake = tf.stop_gradient(tf.cast(scale_output(self.generator, k, noise, previous,
                                                     training=True), tf.float32))
        with tf.GradientTape() as tape:
            real_score = tf.reduce_mean(tf.cast(critic(real, training=True), tf.float32),
                                        axis=[1, 2, 3])
            fake_score = tf.reduce_mean(tf.cast(critic(fake, training=True), tf.float32),
                                        axis=[1, 2, 3])
            penalty = self._gradient_penalty(
                critic, real, fake, self.random_seed(NOISE_STREAM_AUX, d_opt.iterations))
            per_example = fake_score - real_score + self.gradient_penalty_weight * penalty
            d_loss = self.reduce_loss(per_example)
        self.apply_gradients(d_opt, tape, d_loss, d_vars)
        self.d_loss_tracker.update_state(tf.reduce_mean(per_example), sample_weight=n)

        seed = self.random_seed(NOISE_STREAM_G, g_opt.iterations)
        previous = self.random_previous(k, n, tf.random.experimental.stateless_fold_in(seed, 1))
        noise = self._noise(k, n, seed)
        rec_previous = None if k == 0 else self.upsample(self.reconstruct(k - 1, n), real, k)
        rec_noise = self.reconstruction_noise(n) if k == 0 else tf.zeros_like(noise)
        with tf.GradientTape() as tape:
            fake = tf.cast(scale_output(self.generator, k, noise, previous, training=True),
                           tf.float32)
            adversarial = -tf.reduce_mean(tf.cast(critic(fake, training=True), tf.float32),
                                          axis=[1, 2, 3])
            rec = tf.cast(scale_output(self.generator, k, rec_noise, rec_previous,
                                       training=True), tf.float32)
            rec_error = tf.reduce_mean(tf.square(rec - real), axis=[1, 2, 3])
            per_example = adversarial + self.reconstruction_weight * rec_error
            g_loss = self.reduce_loss(per_example)
        self.apply_gradients(g_opt, tape, g_loss, g_vars)
        self.g_loss_tracker.update_state(tf.reduce_mean(adversarial), sample_weight=n)
        self.rec_tracker.update_state(tf.reduce_mean(rec_error), sample_weight=n)
        return self.logs()

    @property
    def metrics(self):
        return [*super().metrics, self.rec_tracker]

    # ------------------------------------------------------------------ fit
    def fit(self, x=None, y=None, batch_size=None, epochs=None, check_range=True, **kwargs):
        """Train on one image: ``x`` of shape ``(1, h, w, c)`` (or ``(h, w, c)``) in [-1, 1],
        or a dataset of its batches.

        An epoch is one scale (``steps_per_scale`` steps); ``epochs`` defaults
        to the number of scales, and epochs past it train the finest scale
        more. ``batch_size`` (default 1) is how many noise draws each step
        judges against copies of the image.
        """
        from keras_gan_zoo.data.stream import ArraySource

        callbacks = [*kwargs.pop("callbacks", []), _Scales()]
        if isinstance(x, (np.ndarray, list, tf.Tensor)):
            array = np.asarray(x, dtype=np.asarray(x).dtype)
            if array.ndim == 3:
                array = array[None]
            if array.ndim == 4 and len(array) != 1:
                raise ValueError(f"SinGAN trains on one image, got {len(array)}: pass an array "
                                 "of shape (1, h, w, c)")
            self.check_data(array, check_range=check_range)
            self._real_image = array.astype("float32")
            batch_size = batch_size or 1
            source = self.training_source(ArraySource(self._real_image))
            x = source.batches(batch_size)
            kwargs.setdefault("steps_per_epoch", self.steps_per_scale)
            x = x.repeat()
        else:  # a dataset of the image's batches (fit_resumable's), perhaps distributed
            self._real_image = _first_image(x)
        if epochs is None:
            epochs = self.num_scales
        kwargs.setdefault("shuffle", False)  # one image: nothing to shuffle
        return super().fit(x, y, epochs=epochs, check_range=check_range, callbacks=callbacks,
                           **kwargs)

    # -------------------------------------------------------------- sample
    def retarget(self, n, height=1.0, width=1.0, seed=None, batch_size=16):
        """``n`` samples at another size and aspect ratio: every scale's noise map scaled by
        ``(height, width)`` (SinGAN's random retargeting)."""
        n = self.check_count(n)
        rng = np.random.default_rng(seed)
        maps = {}
        for port in self.generator_ports():
            h, w, c = port.shape
            size = (max(int(h * height + 0.5), 11), max(int(w * width + 0.5), 11))  # as the page
            maps[port.keyword] = rng.standard_normal((n, *size, c)).astype("float32")
        return self.generate(n, batch_size=batch_size, **maps)

    def generate_from(self, n, scale, image, seed=None):
        """``n`` samples that keep ``image`` (``(1, h, w, c)`` or ``(h, w, c)`` in [-1, 1], at
        the trained size) down to scale ``scale``: scale ``scale`` onwards draws new detail on
        the image's coarser version (the paper's generation from a given scale)."""
        if not 1 <= int(scale) < self.num_scales:
            raise ValueError(f"expected a scale in 1..{self.num_scales - 1}, got {scale!r}")
        image = np.asarray(image, "float32")
        image = image[None] if image.ndim == 3 else image
        reals = self.real_pyramid(tf.constant(image[:1]))
        rng = np.random.default_rng(seed)
        x = tf.tile(reals[scale - 1], [self.check_count(n), 1, 1, 1])
        for k in range(scale, self.num_scales):
            h, w = self.sizes[k]
            noise = tf.constant(rng.standard_normal((n, h, w, self.channels)), tf.float32)
            previous = tf.cast(self.generator.get_layer(f"up{k}")([x, noise]), tf.float32)
            x = tf.cast(scale_output(self.generator, k, noise, previous), tf.float32)
        return np.clip(x.numpy(), -1, 1)

    def scale_samples(self, n, seed=None):
        """The chain's image at every scale for ``n`` samples (coarsest first), in NumPy."""
        arrays = self.signature().make_inputs(n, np.random.default_rng(seed))
        x = tf.cast(scale_output(self.generator, 0, tf.constant(arrays[0])), tf.float32)
        out = [np.clip(x.numpy(), -1, 1)]
        for k in range(1, self.num_scales):
            noise = tf.constant(arrays[k])
            previous = tf.cast(self.generator.get_layer(f"up{k}")([x, noise]), tf.float32)
            x = tf.cast(scale_output(self.generator, k, noise, previous), tf.float32)
            out.append(np.clip(x.numpy(), -1, 1))
        return out


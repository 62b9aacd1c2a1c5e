"""Training and sampling throughput: keras-gan-zoo beside PyTorch eager and the keras-io step.

For each variant at fixed networks and batch (the defaults of
``kgz.GAN.for_shape((28, 28, 1))``, ``WGANGP``, ``ConditionalGAN`` on MNIST
shapes, ``CycleGAN.for_shape((32, 32, 1), (32, 32, 1))``), three
implementations train on the same in-memory batch, alternating A B C A B C
(``--repeats`` rounds, median reported):

- ``kgz``: ``model.fit`` on a ``tf.data`` pipeline, with the settings
  keras-gan-zoo recommends on this CPU (``--kgz-policy``, default
  ``mixed_bfloat16``; ``steps_per_execution``); float32 is in the levers table;
- ``keras-io``: the keras-io examples' ``train_step`` (float32, per-replica
  ``reduce_mean``, real and fake concatenated for the discriminator as in
  ``dcgan_overriding_train_step.py``) on the same networks;
- ``torch``: the same networks and step in PyTorch eager
  (``benchmarks/torch_reference.py``, float32).

It then measures the levers (precision, ``steps_per_execution``,
``jit_compile``, ``reuse_fakes``, input pipeline), sampling latency at batch 1
(Keras ``predict``, a direct call, ONNX Runtime), images/second and peak memory
against the batch size (PNG plot), and the achieved GFLOP/s beside this CPU's
measured matrix-multiply peak. Everything prints as Markdown tables.

    python benchmarks/throughput.py                # the full run (~15 min on 2 cores)
    python benchmarks/throughput.py --quick        # a smoke run (~3 min)
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gan_zoo as kgz  # noqa: E402  (before TensorFlow: the kernels users of the package get)
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_gan_zoo import runtime  # noqa: E402
from common import RESULTS, hardware, write_between_markers  # noqa: E402

VARIANTS = ("gan", "wgan_gp", "conditional", "cyclegan", "recipe")
BATCH = {"gan": 64, "wgan_gp": 64, "conditional": 64, "cyclegan": 16, "recipe": 32}
#: the own-images recipe at 64 px, as ``research/recipe_overhead.py`` and ``small_data.py``
RECIPE = dict(network_kwargs={"architecture": "resnet", "base_filters": 16}, loss="hinge",
              augment="diffaugment", ema=0.999)
#: the variants of the batch-size curves (the recipe's step is timed side by side only)
SCALE_VARIANTS = ("gan", "wgan_gp", "conditional", "cyclegan")
# steps_per_execution for the variants whose step is long here (WGAN-GP ~0.4 s,
# CycleGAN ~1 s): the per-step overhead it hides is small beside such steps,
# and each timed run needs two executions (the first is left out).
LONG_STEP_SPE = {"wgan_gp": 2, "cyclegan": 1, "recipe": 2}


# ------------------------------------------------------------- building
def build_kgz(variant, policy="float32", **options):
    """A compiled keras-gan-zoo model of ``variant`` under dtype ``policy``."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        reuse = options.pop("reuse_fakes", None)
        extra = {} if reuse is None else {"reuse_fakes": reuse}
        if variant == "gan":
            model = kgz.GAN.for_shape((28, 28, 1), seed=0, **extra)
        elif variant == "wgan_gp":
            model = kgz.WGANGP.for_shape((28, 28, 1), seed=0, **extra)
        elif variant == "conditional":
            model = kgz.ConditionalGAN.for_shape((28, 28, 1), num_classes=10, seed=0, **extra)
        elif variant == "recipe":
            model = kgz.GAN.for_shape((64, 64, 3), seed=0, **RECIPE, **extra)
        else:
            model = kgz.CycleGAN.for_shape((32, 32, 1), (32, 32, 1), seed=0)
        model.compile(**options)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return model


class KerasIOGAN(keras.Model):
    """The keras-io DCGAN step (``dcgan_overriding_train_step.py``), loss as there.

    With ``conditional`` the networks take labels (``conditional_gan.py``
    feeds them as one-hot channels; here they go to the same projection
    networks as keras-gan-zoo's, so that only the step differs).
    """

    def __init__(self, generator, discriminator, latent_dim=64, conditional=False):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim, self.conditional = latent_dim, conditional
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def _g(self, z, labels):
        return self.generator([z, labels] if self.conditional else z)

    def _d(self, x, labels):
        return self.discriminator([x, labels] if self.conditional else x)

    def train_step(self, data):
        real, labels = data if self.conditional else (data, None)
        batch_size = tf.shape(real)[0]
        z = tf.random.normal(shape=(batch_size, self.latent_dim))
        generated = self._g(z, labels)
        combined = tf.concat([generated, real], axis=0)
        both_labels = None if labels is None else tf.concat([labels, labels], axis=0)
        targets = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        targets += 0.05 * tf.random.uniform(tf.shape(targets))
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(targets, self._d(combined, both_labels))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        z = tf.random.normal(shape=(batch_size, self.latent_dim))
        misleading = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            g_loss = self.loss_fn(misleading, self._d(self._g(z, labels), labels))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


class KerasIOWGAN(keras.Model):
    """The keras-io WGAN-GP step (``wgan_gp.py``; ``d_steps`` 5 here, as keras-gan-zoo)."""

    def __init__(self, generator, discriminator, latent_dim=64, d_steps=5, gp_weight=10.0):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim, self.d_steps, self.gp_weight = latent_dim, d_steps, gp_weight

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def gradient_penalty(self, batch_size, real_images, fake_images):
        alpha = tf.random.uniform([batch_size, 1, 1, 1], 0.0, 1.0)
        interpolated = real_images + alpha * (fake_images - real_images)
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = self.discriminator(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]))
        return tf.reduce_mean((norm - 1.0) ** 2)

    def train_step(self, real_images):
        batch_size = tf.shape(real_images)[0]
        for _ in range(self.d_steps):
            z = tf.random.normal(shape=(batch_size, self.latent_dim))
            with tf.GradientTape() as tape:
                fake_images = self.generator(z, training=True)
                fake_logits = self.discriminator(fake_images, training=True)
                real_logits = self.discriminator(real_images, training=True)
                d_cost = tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
                gp = self.gradient_penalty(batch_size, real_images, fake_images)
                d_loss = d_cost + gp * self.gp_weight
            grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))
        z = tf.random.normal(shape=(batch_size, self.latent_dim))
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(self.discriminator(self.generator(z, training=True), training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}


class KerasIOCycleGAN(keras.Model):
    """The keras-io CycleGAN step (``cyclegan.py``: one persistent tape, no image pool)."""

    def __init__(self, g_ab, g_ba, d_a, d_b, lambda_cycle=10.0, lambda_identity=0.5):
        super().__init__()
        self.gen_G, self.gen_F, self.disc_X, self.disc_Y = g_ab, g_ba, d_a, d_b
        self.lambda_cycle, self.lambda_identity = lambda_cycle, lambda_identity

    def compile(self, gen_optimizer, disc_optimizer):
        super().compile()
        self.gen_G_optimizer, self.gen_F_optimizer = gen_optimizer(), gen_optimizer()
        self.disc_X_optimizer, self.disc_Y_optimizer = disc_optimizer(), disc_optimizer()
        self.mse = keras.losses.MeanSquaredError()
        self.mae = keras.losses.MeanAbsoluteError()

    def train_step(self, batch_data):
        real_x, real_y = batch_data
        with tf.GradientTape(persistent=True) as tape:
            fake_y = self.gen_G(real_x, training=True)
            fake_x = self.gen_F(real_y, training=True)
            cycled_x = self.gen_F(fake_y, training=True)
            cycled_y = self.gen_G(fake_x, training=True)
            same_x = self.gen_F(real_x, training=True)
            same_y = self.gen_G(real_y, training=True)
            disc_real_x = self.disc_X(real_x, training=True)
            disc_fake_x = self.disc_X(fake_x, training=True)
            disc_real_y = self.disc_Y(real_y, training=True)
            disc_fake_y = self.disc_Y(fake_y, training=True)
            gen_G_loss = self.mse(tf.ones_like(disc_fake_y), disc_fake_y)
            gen_F_loss = self.mse(tf.ones_like(disc_fake_x), disc_fake_x)
            cycle_loss_G = self.mae(real_y, cycled_y) * self.lambda_cycle
            cycle_loss_F = self.mae(real_x, cycled_x) * self.lambda_cycle
            id_loss_G = self.mae(real_y, same_y) * self.lambda_cycle * self.lambda_identity
            id_loss_F = self.mae(real_x, same_x) * self.lambda_cycle * self.lambda_identity
            total_loss_G = gen_G_loss + cycle_loss_G + id_loss_G
            total_loss_F = gen_F_loss + cycle_loss_F + id_loss_F
            disc_X_loss = 0.5 * (self.mse(tf.ones_like(disc_real_x), disc_real_x)
                                 + self.mse(tf.zeros_like(disc_fake_x), disc_fake_x))
            disc_Y_loss = 0.5 * (self.mse(tf.ones_like(disc_real_y), disc_real_y)
                                 + self.mse(tf.zeros_like(disc_fake_y), disc_fake_y))
        for loss, net, opt in ((total_loss_G, self.gen_G, self.gen_G_optimizer),
                               (total_loss_F, self.gen_F, self.gen_F_optimizer),
                               (disc_X_loss, self.disc_X, self.disc_X_optimizer),
                               (disc_Y_loss, self.disc_Y, self.disc_Y_optimizer)):
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
        return {"G_loss": total_loss_G, "D_X_loss": disc_X_loss}


def build_keras_io(variant):
    """The keras-io step on keras-gan-zoo's default networks (float32)."""
    keras.mixed_precision.set_global_policy("float32")
    reference = build_kgz(variant)
    if variant == "cyclegan":
        model = KerasIOCycleGAN(reference.generator, reference.generator_ba,
                                reference.discriminator_a, reference.discriminator)
        model.compile(lambda: keras.optimizers.Adam(2e-4, beta_1=0.5),
                      lambda: keras.optimizers.Adam(2e-4, beta_1=0.5))
        return model
    if variant == "wgan_gp":
        model = KerasIOWGAN(reference.generator, reference.discriminator)
        model.compile(keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
                      keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9))
        return model
    model = KerasIOGAN(reference.generator, reference.discriminator,
                       conditional=variant == "conditional")
    model.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    return model


# --------------------------------------------------------------- timing
def batch_data(variant, batch_size, seed=0):
    """One in-memory batch of the variant's training input."""
    rng = np.random.default_rng(seed)
    shape = {"cyclegan": (32, 32, 1), "recipe": (64, 64, 3)}.get(variant, (28, 28, 1))
    images = rng.uniform(-1, 1, (batch_size,) + shape).astype("float32")
    if variant == "cyclegan":
        return images, images[::-1].copy()
    if variant == "conditional":
        return images, rng.integers(0, 10, batch_size).astype("int32")
    return images


def dataset(variant, batch_size, pipeline="memory"):
    """The training dataset: one batch repeated (``memory``) or a real pipeline.

    ``pipeline="real"``: 8,192 examples through ``cache -> shuffle -> batch ->
    prefetch``, as the package's loaders build it.
    """
    if pipeline == "memory":
        data = batch_data(variant, batch_size)
        return tf.data.Dataset.from_tensors(data).repeat()
    data = batch_data(variant, 8192)
    return (tf.data.Dataset.from_tensor_slices(data).cache().shuffle(8192, seed=0).repeat()
            .batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE))


class _StepClock(keras.callbacks.Callback):
    """Records (step, time) at each batch end: throughput inside ``fit``.

    ``fit``'s own start and end (iterator creation, callbacks' epoch hooks)
    are left out: they happen once an epoch, and measured here they varied by
    seconds from call to call.
    """

    def on_train_begin(self, logs=None):
        self.marks = []

    def on_train_batch_end(self, batch, logs=None):
        self.marks.append((batch, time.perf_counter()))


def keras_timer(model, variant, batch_size, steps, pipeline="memory"):
    """A function that trains with ``fit`` and returns images/second over ``steps`` steps."""
    data = dataset(variant, batch_size, pipeline)
    spe = int(getattr(model, "steps_per_execution", 1) or 1)
    clock = _StepClock()
    warm = spe  # the first execution after tracing is left out of the timing
    model.fit(data, steps_per_epoch=2 * spe, epochs=1, verbose=0)  # trace

    def run(count=steps):
        model.fit(data, steps_per_epoch=warm + count, epochs=1, verbose=0, callbacks=[clock])
        (first, t0), (last, t1) = clock.marks[0], clock.marks[-1]
        return (last - first) * batch_size / (t1 - t0)
    return run


def torch_timer(variant, batch_size, steps, mode="eager"):
    """Like :func:`keras_timer`, for the PyTorch reference step (``mode``: eager, bf16, compile)."""
    import torch
    import torch_reference

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count())
    maker = torch_reference.STEPS[variant]
    step, shape = maker(batch_size, mode=mode) if mode != "eager" else maker(batch_size)
    images = batch_data(variant, batch_size)
    if isinstance(images, tuple):  # (a, b) or (images, labels): the step reads the images
        images = images[0]
    real = torch.from_numpy(np.moveaxis(images, -1, 1).copy())
    for _ in range(3 if mode == "compile" else 1):  # compile: tracing and recompiles
        step(real)

    def run():  # ``steps`` steps, or fewer (at least 2) once 10 s have passed: bf16 is
        start = time.perf_counter()  # emulated, and ~10x slower, on CPUs without it
        done = 0
        while done < steps and (done < 2 or time.perf_counter() - start < 10):
            step(real)
            done += 1
        return done * batch_size / (time.perf_counter() - start)
    return run


def alternate(timers, repeats):
    """Run the timers A B C A B C ...; return each one's list of images/second."""
    results = {name: [] for name in timers}
    for _ in range(repeats):
        for name, run in timers.items():
            results[name].append(run())
    return results


# ---------------------------------------------------------------- FLOPs
def train_step_flops(variant, batch_size):
    """Floating-point operations of one training step, counted by PyTorch's FlopCounterMode.

    Counted on the PyTorch reference step (the same networks and algorithm,
    ``benchmarks/torch_reference.py``): forward and backward matrix
    multiplies and convolutions, including the gradient penalty's double
    backward. Elementwise work is left out, so the figure is a slight
    undercount. TensorFlow's own profiler cannot count this step: the batch
    dimension of the noise is dynamic, and it skips those ops.
    """
    import torch
    import torch_reference
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils.flop_counter import flop_registry

    class Count(TorchDispatchMode):
        # FlopCounterMode's own module hooks fail on the gradient penalty's
        # autograd.grad; its per-op FLOP formulas (flop_registry) are used directly.
        total = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            if func._overloadpacket in flop_registry:
                self.total += flop_registry[func._overloadpacket](*args, **kwargs, out_val=out)
            return out

    torch.manual_seed(0)
    step, shape = torch_reference.STEPS[variant](batch_size)
    real = torch.rand(shape) * 2 - 1
    with Count() as counter:
        step(real)
    return counter.total


def matmul_peak(dtype, n=2048, seconds=3.0):
    """GFLOP/s of a large square matrix multiply in ``dtype`` (the CPU's practical limit)."""
    a = tf.random.normal((n, n), dtype=tf.float32)
    a = tf.cast(a, dtype)
    f = tf.function(lambda x: tf.matmul(x, x))
    f(a).numpy()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        f(a).numpy()
        count += 1
    return 2 * n ** 3 * count / (time.perf_counter() - start) / 1e9


# ------------------------------------------------------------- sampling
def sampling_latency(repeats=200):
    """Milliseconds per batch-1 sample of the GAN generator: Keras predict, call, ONNX Runtime."""
    import tempfile

    import onnxruntime as ort

    model = build_kgz("gan")
    z = np.random.default_rng(0).standard_normal((1, model.latent_dim)).astype("float32")
    generator = model.generator
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "g.onnx")
        kgz.export.to_onnx(model, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count()
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        call = tf.function(lambda x: generator(x, training=False))
        candidates = {
            "Keras predict": lambda: generator.predict(z, verbose=0),
            "Keras call (tf.function)": lambda: call(z).numpy(),
            "ONNX Runtime": lambda: session.run(None, {name: z}),
        }
        times = {}
        for _ in range(3):  # alternate, keep the median of the rounds' medians
            for label, fn in candidates.items():
                fn()
                laps = []
                for _ in range(repeats // 3):
                    start = time.perf_counter()
                    fn()
                    laps.append(time.perf_counter() - start)
                times.setdefault(label, []).append(statistics.median(laps) * 1e3)
    return {label: statistics.median(v) for label, v in times.items()}


# ---------------------------------------------------------------- scale
def _rss_mb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak():
    """Resets the kernel's peak-resident-memory mark (VmHWM) of this process."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def scale_points(variant, batch_sizes, policy, steps_per_execution, seconds):
    """In one fresh process, batch sizes ascending: images/second (median of 3 runs of
    ``seconds``) and peak resident memory.

    The peak mark is reset before each point (``/proc/self/clear_refs``), so
    each point's peak is its own; memory the earlier, smaller points left
    with the allocator can only make a later point's figure higher, never
    lower, and the points go up in batch size.
    """
    model = build_kgz(variant, policy, steps_per_execution=steps_per_execution)
    points = []
    for batch_size in batch_sizes:
        data = dataset(variant, batch_size)
        next(iter(data))
        before = _rss_mb("VmRSS")
        _reset_peak()
        run = keras_timer(model, variant, batch_size, steps_per_execution)
        estimate = run()
        steps = max(1, int(seconds * estimate / batch_size / steps_per_execution)) * steps_per_execution
        rate = statistics.median(run(steps) for _ in range(3))  # this VM's speed wavers
        points.append({"batch": batch_size, "images_per_second": rate,
                       "rss_before_mb": before, "peak_rss_mb": _rss_mb("VmHWM")})
    return points


def scale_curve(variant, batch_sizes, policy, steps_per_execution, seconds=3.0):
    """``scale_points`` for one variant in its own process (so other variants' memory does not mix in)."""
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--scale-points", variant, policy, str(steps_per_execution),
         str(seconds)] + [str(b) for b in sorted(batch_sizes)],
        capture_output=True, text=True, check=True, cwd=os.getcwd())
    rows = []
    for point in json.loads(out.stdout.strip().splitlines()[-1]):
        rows.append((point["batch"], point["images_per_second"], point["peak_rss_mb"],
                     point["rss_before_mb"]))
        print(f"  {variant} batch {point['batch']}: {point['images_per_second']:.0f} images/s, "
              f"peak resident memory {point['peak_rss_mb']:.0f} MB "
              f"({point['rss_before_mb']:.0f} MB before the point)", flush=True)
    return rows


def plot_scale(curves, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for variant, rows in curves.items():
        b, rate, mem, _ = zip(*rows)
        left.plot(b, rate, marker="o", label=variant)
        right.plot(b, mem, marker="o", label=variant)
    left.set_yscale("log")  # the variants' rates differ by 20x
    for ax, label in ((left, "training images / second"), (right, "peak resident memory (MB)")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("batch size")
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
        ax.legend()
    fig.suptitle(f"keras-gan-zoo fit vs batch size ({hardware()})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ----------------------------------------------------------------- main
def steps_for(variant, quick):
    steps = {"gan": 24, "wgan_gp": 6, "conditional": 24, "cyclegan": 3, "recipe": 8}[variant]
    return max(2, steps // 4) if quick else steps


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--scale-points"]:  # the worker of scale_curve
        variant, policy, spe, seconds, *sizes = argv[1:]
        print(json.dumps(scale_points(variant, [int(b) for b in sizes], policy, int(spe),
                                      float(seconds))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kgz-policy", default="mixed_bfloat16")
    parser.add_argument("--steps-per-execution", type=int, default=8)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32, 64, 128, 256, 512])
    parser.add_argument("--cyclegan-max-batch", type=int, default=128)
    parser.add_argument("--quick", action="store_true", help="few steps and repeats: a smoke run")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["like", "main", "levers", "sampling", "scale"])
    parser.add_argument("--out", default=str(RESULTS / "throughput"))
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.batch_sizes = min(args.repeats, 2), [16, 64]
    sys.path.insert(0, str(Path(__file__).parent))
    os.makedirs(args.out, exist_ok=True)
    began = time.perf_counter()
    spe = args.steps_per_execution
    results = {"hardware": hardware(), "policy": args.kgz_policy, "steps_per_execution": spe}

    print(f"# Throughput ({hardware()}; torch {__import__('torch').__version__})\n", flush=True)
    peaks = {d: matmul_peak(d) for d in (tf.float32, tf.bfloat16)}
    print(f"matrix-multiply peak (2048x2048, tf.matmul): fp32 {peaks[tf.float32]:.0f} GFLOP/s, "
          f"bf16 {peaks[tf.bfloat16]:.0f} GFLOP/s\n", flush=True)

    # 0. like for like: each precision against PyTorch's own way of running it
    if "like" not in args.skip:
        like_for_like(args.repeats, steps_for("gan", args.quick), results, save=not args.quick)
        _elapsed("like for like", began)

    # 1. side by side
    rows = []
    for variant in ([] if "main" in args.skip else args.variants):
        batch, steps = BATCH[variant], steps_for(variant, args.quick)
        variant_spe = min(spe, LONG_STEP_SPE.get(variant, spe))
        fast = build_kgz(variant, args.kgz_policy, steps_per_execution=variant_spe)
        timers = {"kgz": keras_timer(fast, variant, batch,
                                     max(steps, variant_spe) // variant_spe * variant_spe)}
        if variant == "gan":  # the path a user gets without a dtype policy or compile options
            timers["kgz float32 default"] = keras_timer(build_kgz("gan"), variant, batch, steps)
        if variant != "recipe":  # keras-io has no step of the recipe
            timers["keras-io"] = keras_timer(build_keras_io(variant), variant, batch, steps)
        timers["torch"] = torch_timer(variant, batch, steps)
        runs = alternate(timers, args.repeats)
        median = {k: statistics.median(v) for k, v in runs.items()}
        flops = train_step_flops(variant, batch)
        gflops = median["kgz"] * flops / batch / 1e9
        torch_gflops = median["torch"] * flops / batch / 1e9
        peak = peaks[tf.bfloat16 if "bfloat16" in args.kgz_policy else tf.float32]
        rows.append((variant, batch, median, gflops, peak, flops, torch_gflops))
        results[variant] = {"batch": batch, "runs": runs, "median": median,
                            "gflop_per_step": flops / 1e9, "gflops": gflops}
        print(f"  {variant}: " + ", ".join(f"{k} {v:.0f}" for k, v in median.items())
              + f" images/s ({(time.perf_counter() - began) / 60:.1f} min since the start)",
              flush=True)

    if rows:
        print_main_table(rows, peaks, args)
        _elapsed("side by side", began)

    _after_main(args, results, began)


def cpu_line():
    """The CPU's model and the flags that decide its precision, for the top of each table."""
    flags = runtime.cpu_flags()
    shown = [f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile") if f in flags]
    return f"{runtime.cpu_name()}, {os.cpu_count()} cores, flags: {' '.join(shown) or 'none of avx2/avx512/amx'}"


#: the like-for-like rows: (label, implementation, setting)
LIKE_ROWS = (("keras-gan-zoo float32", "kgz", "float32"),
             ("keras-gan-zoo mixed_bfloat16", "kgz", "mixed_bfloat16"),
             ("PyTorch eager float32", "torch", "eager"),
             ("PyTorch bf16 autocast, channels_last", "torch", "bf16"),
             ("PyTorch torch.compile float32", "torch", "compile"))


def like_for_like(repeats, steps, results, variant="gan", batch=64, spe=8, save=True):
    """The DCGAN step at each precision beside PyTorch's way of running that precision.

    float32 against PyTorch eager float32; mixed bfloat16 against
    ``torch.autocast("cpu", torch.bfloat16)`` with ``channels_last`` (what a
    PyTorch user runs for speed on a CPU with AMX); ``torch.compile`` beside
    them without a target. One alternating run, median of ``repeats``. With
    ``save``, the run replaces this CPU kind's record and the page's table.
    """
    steps = max(steps, spe) // spe * spe
    timers = {}
    for label, kind, setting in LIKE_ROWS:
        try:
            if kind == "kgz":
                timers[label] = keras_timer(build_kgz(variant, setting, steps_per_execution=spe),
                                            variant, batch, steps)
            else:
                timers[label] = torch_timer(variant, batch, steps, mode=setting)
        except Exception as error:  # torch.compile needs a working C++ tool chain
            print(f"  {label}: not run ({type(error).__name__}: {str(error)[:120]})")
    runs = alternate(timers, repeats)
    median = {k: statistics.median(v) for k, v in runs.items()}
    record = {"cpu": cpu_line(), "date": time.strftime("%Y-%m-%d"), "batch": batch,
              "steps": steps, "repeats": repeats, "spe": spe,
              "torch": __import__("torch").__version__, "runs": runs, "median": median,
              "auto": runtime.choose_precision("auto", gpus=0)[0]}
    results["like_for_like"] = record
    saved = json.loads(LIKE_RESULTS.read_text()) if LIKE_RESULTS.exists() else {}
    if save:
        saved[record["cpu"]] = record  # one record per CPU kind: the latest run on it
        LIKE_RESULTS.parent.mkdir(exist_ok=True)
        LIKE_RESULTS.write_text(json.dumps(saved, indent=1))
        write_between_markers(PERFORMANCE_PAGE, "like-for-like table", like_table(saved))
    print(like_table({**saved, record["cpu"]: record}) + "\n", flush=True)


#: the pairs compared like for like: ours, and PyTorch's way of running that precision
LIKE_PAIRS = {"keras-gan-zoo float32": "PyTorch eager float32",
              "keras-gan-zoo mixed_bfloat16": "PyTorch bf16 autocast, channels_last"}
LIKE_RESULTS = Path(__file__).resolve().parent / "results" / "like_for_like.json"
PERFORMANCE_PAGE = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "performance.md"


def like_table(saved):
    """The like-for-like table of every CPU kind measured (Markdown)."""
    lines = ["| CPU (flags) | run | implementation | images/s (median, min - max) | like for like |",
             "| --- | --- | --- | --- | --- |"]
    for cpu, record in saved.items():
        median = record["median"]
        for label, values in record["runs"].items():
            against = LIKE_PAIRS.get(label)
            ratio = (f"**{median[label] / median[against]:.2f}x** {against}"
                     if against in median else "-")
            if label == f"keras-gan-zoo {record.get('auto')}":
                ratio += " (what `--precision auto` picks here)"
            lines.append(f"| {cpu} | {record['date']}, {record['repeats']} rounds | {label} | "
                         f"{median[label]:.0f} ({min(values):.0f} - {max(values):.0f}) | {ratio} |")
    lines.append(f"\nDCGAN 28x28 (the keras-io networks), batch 64, one alternating run per CPU "
                 f"kind; keras-gan-zoo: `fit` with steps_per_execution=8. Written by "
                 f"`python benchmarks/throughput.py --skip main levers sampling scale`.")
    return "\n".join(lines)


def print_main_table(rows, peaks, args):
    spe = args.steps_per_execution
    print(f"\n| variant (batch) | keras-gan-zoo ({args.kgz_policy}) | "
          "keras-io step | PyTorch eager | vs PyTorch | vs keras-io | GFLOP/step | "
          "keras-gan-zoo GFLOP/s (share of the bf16 limit) | PyTorch GFLOP/s (share of the fp32 limit) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    fp32_peak = peaks[tf.float32]
    for variant, batch, m, gflops, peak, flops, torch_gflops in rows:
        io = (f"{m['keras-io']:.0f}", f"{m['kgz'] / m['keras-io']:.2f}x") if "keras-io" in m \
            else ("-", "-")
        print(f"| {variant} ({batch}) | {m['kgz']:.0f} | "
              f"{io[0]} | {m['torch']:.0f} | {m['kgz'] / m['torch']:.2f}x | "
              f"{io[1]} | {flops / 1e9:.2f} | "
              f"{gflops:.0f} ({100 * gflops / peak:.0f}%) | "
              f"{torch_gflops:.0f} ({100 * torch_gflops / fp32_peak:.0f}%) |")
    for variant, batch, m, *_ in rows:
        if "kgz float32 default" in m:
            print(f"\n{variant} ({batch}) on the float32 default path (no dtype policy, "
                  f"compile() defaults): {m['kgz float32 default']:.0f} images/s, "
                  f"{m['kgz float32 default'] / m['torch']:.2f}x PyTorch")
    print(f"\nimages/s = real images consumed per second (median of {args.repeats} alternating "
          f"runs); keras-gan-zoo runs fit with steps_per_execution={spe} (WGAN-GP 2, CycleGAN 1); limits: the matmul "
          f"peaks above.\n", flush=True)


def _elapsed(part, began):
    print(f"\n({part} done: {(time.perf_counter() - began) / 60:.1f} min since the start)\n",
          flush=True)


def _after_main(args, results, began):
    # 2. levers, on the GAN
    if "levers" not in args.skip:
        steps = steps_for("gan", args.quick)
        steps = max(steps, 8) // 8 * 8
        configs = {
            "float32, steps_per_execution=1": ("float32", dict(reuse_fakes=False), "memory"),
            "float32, steps_per_execution=8": ("float32", dict(steps_per_execution=8, reuse_fakes=False), "memory"),
            "float32, steps_per_execution=8, jit_compile": (
                "float32", dict(steps_per_execution=8, jit_compile=True, reuse_fakes=False), "memory"),
            "mixed_bfloat16, steps_per_execution=8, jit_compile": (
                "mixed_bfloat16", dict(steps_per_execution=8, jit_compile=True, reuse_fakes=False), "memory"),
            "mixed_bfloat16, steps_per_execution=8, reuse_fakes=False": (
                "mixed_bfloat16", dict(steps_per_execution=8, reuse_fakes=False), "memory"),
            "mixed_bfloat16, steps_per_execution=8, reuse_fakes=True (default)": (
                "mixed_bfloat16", dict(steps_per_execution=8, reuse_fakes=True), "memory"),
            "mixed_bfloat16, real tf.data pipeline": ("mixed_bfloat16", dict(steps_per_execution=8), "real"),
        }
        timers = {name: keras_timer(build_kgz("gan", policy, **opts), "gan", 64, steps, pipe)
                  for name, (policy, opts, pipe) in configs.items()}
        lever_runs = alternate(timers, 3)
        base = statistics.median(lever_runs["float32, steps_per_execution=1"])
        print("| GAN (DCGAN, 28x28, batch 64) setting | images/s | vs float32, spe 1 |")
        print("| --- | --- | --- |")
        for name, v in lever_runs.items():
            print(f"| {name} | {statistics.median(v):.0f} | {statistics.median(v) / base:.2f}x |")
        results["levers"] = {k: statistics.median(v) for k, v in lever_runs.items()}
        _elapsed("levers", began)

    # 3. sampling
    if "sampling" not in args.skip:
        latency = sampling_latency(60 if args.quick else 300)
        keras_ms = latency["Keras predict"]
        print("| GAN generator, batch 1 | ms per sample | speed-up vs Keras predict |")
        print("| --- | --- | --- |")
        for label, ms in latency.items():
            print(f"| {label} | {ms:.3f} | {keras_ms / ms:.1f}x |")
        results["sampling_ms"] = latency
        _elapsed("sampling", began)

    # 4. scale
    if "scale" not in args.skip:
        curves = {}
        for variant in [v for v in args.variants if v in SCALE_VARIANTS]:
            # CycleGAN stops at 128: one step at 512 takes ~20 s here, and its
            # curve is flat from batch 32 on (--cyclegan-max-batch 512 for all).
            sizes = [b for b in args.batch_sizes if variant != "cyclegan" or b <= args.cyclegan_max_batch]
            # One execution per step where a step is long (WGAN-GP, CycleGAN):
            # the per-step overhead that steps_per_execution hides is small there.
            curve_spe = 1 if args.quick or variant in LONG_STEP_SPE else 4
            curves[variant] = scale_curve(variant, sizes, args.kgz_policy, curve_spe, seconds=1.0)
        plot = os.path.join(args.out, "scale.png")
        plot_scale(curves, plot)
        results["scale"] = curves
        print(f"\nbatch-size curves: {plot}")
        _elapsed("scale", began)

    with open(os.path.join(args.out, "throughput.json"), "w") as f:
        json.dump(results, f, indent=1, default=float)
    print(f"total time {(time.perf_counter() - began) / 60:.1f} min; "
          f"results in {args.out}/throughput.json")


if __name__ == "__main__":
    main()

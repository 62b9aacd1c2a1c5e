"""Mode coverage of GAN, WGAN (weight clipping) and WGAN-GP on the 2-D ring and grid mixtures.

The protocol of VEEGAN (Srivastava et al. 2017, table 1) and PacGAN (Lin et
al. 2018, table 1): after training, draw 2,500 samples; a sample is high
quality if it lies within 3 standard deviations of its nearest mode; a mode
is covered if at least one high-quality sample has it as nearest mode.

    python benchmarks/toy_modes.py                      # GAN and WGAN-GP, both sets
    python benchmarks/toy_modes.py --runs wgan:ring8,wgan:grid25,wgan_gp:ring8,wgan_gp:grid25
    python benchmarks/toy_modes.py --runs wgan_gp:grid25 --steps 20000

Prints a Markdown table with the published numbers beside ours and writes a
scatter plot per run to --out.
"""

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import RESULTS  # noqa: E402

# Published results on the same protocol: (modes, % high quality).
PUBLISHED = [
    ("GAN (VEEGAN table 1)", "ring8", 1.0, 99.3),
    ("GAN (VEEGAN table 1)", "grid25", 3.3, 0.5),
    ("Unrolled GAN (VEEGAN table 1)", "ring8", 7.6, 35.6),
    ("Unrolled GAN (VEEGAN table 1)", "grid25", 23.6, 16.0),
    ("VEEGAN (VEEGAN table 1)", "ring8", 8.0, 52.9),
    ("VEEGAN (VEEGAN table 1)", "grid25", 24.6, 40.0),
    ("GAN (PacGAN table 1)", "ring8", 6.3, 98.2),
    ("GAN (PacGAN table 1)", "grid25", 17.3, 94.8),
    ("PacGAN2 (PacGAN table 1)", "ring8", 7.9, 95.6),
    ("PacGAN2 (PacGAN table 1)", "grid25", 23.8, 91.3),
]

# Our settings. Adam for the GAN as in DCGAN; WGAN-GP with the paper's
# betas and critic steps, at a larger learning rate than its 1e-4 because
# these are small MLPs trained for a few thousand steps. Both decay the
# learning rate linearly to zero, as the WGAN-GP paper does.
SETTINGS = {
    # reuse_fakes=False: the figures below were measured before it became the default
    "gan": dict(cls=kgz.GAN, lr=2e-4, betas=(0.5, 0.999), kwargs={"reuse_fakes": False}),
    "wgan_gp": dict(cls=kgz.WGANGP, lr=5e-4, betas=(0.5, 0.9), kwargs={}),
    # The WGAN paper's RMSprop at its 5e-5 (--lr to change it), clip 0.01, 5 critic steps.
    "wgan": dict(cls=kgz.WGAN, lr=5e-5, optimizer="rmsprop", kwargs={}),
}
# The gradient-penalty weight is smaller than the paper's 10 on these toy
# sets, as in the WGAN-GP authors' own toy code ("smaller lambda seems to
# help for toy tasks specifically"). Measured here (6,000 steps, seed 0):
# ring8 with 10 oscillates and collapses, with 0.1 covers 8/8; grid25 with
# 10 covers 11/25 modes (1% high quality), with 0.1 25/25 (25%), with 1
# 25/25 (57%).
GP_WEIGHT = {"ring8": 0.1, "grid25": 1.0}


def run(variant, data, steps, batch_size, seed, out, latent_dim, hidden, gradient_penalty=None,
        model_kwargs=None, network_kwargs=None, tag=None, lr=None):
    """Train one model on one toy set; return (mode_coverage result, seconds).

    ``model_kwargs`` / ``network_kwargs`` add options (benchmarks/stabilisers.py).
    """
    keras.utils.set_random_seed(seed)
    settings = SETTINGS[variant]
    if variant == "wgan_gp":
        gradient_penalty = GP_WEIGHT[data] if gradient_penalty is None else gradient_penalty
        settings = {**settings, "kwargs": {"gradient_penalty_weight": gradient_penalty}}
    x = kgz.data.toy(data, n=steps * batch_size, seed=seed)  # one epoch = `steps` steps
    model = settings["cls"].for_shape(
        (2,), latent_dim=latent_dim, network_kwargs={"hidden": hidden, **(network_kwargs or {})},
        seed=seed, **{**settings["kwargs"], **(model_kwargs or {})},
    )
    d_steps = model.discriminator_steps

    def adam(updates):
        # Linear decay to zero over the run sharpens the modes at the end.
        rate = keras.optimizers.schedules.PolynomialDecay(lr or settings["lr"], updates, 0.0)
        if settings.get("optimizer") == "rmsprop":
            return keras.optimizers.RMSprop(rate)
        return keras.optimizers.Adam(rate, *settings["betas"])

    model.compile(
        generator_optimizer=adam(steps),
        discriminator_optimizer=adam(steps * d_steps),
        steps_per_execution=50,
    )
    start = time.perf_counter()
    model.fit(x, batch_size=batch_size, epochs=1, verbose=2)
    seconds = time.perf_counter() - start
    means, std = kgz.data.toy_modes(data)
    samples = model.generate(2500, seed=seed + 1)
    result = kgz.metrics.mode_coverage(samples, means, std)
    if out:
        kgz.visualize.plot_points(
            samples, os.path.join(out, f"{tag or variant}_{data}.png"), modes=means,
            title=f"{tag or variant} on {data}: {result['modes']}/{result['num_modes']} modes, "
                  f"{100 * result['high_quality']:.1f}% HQ",
        )
    return result, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="gan:ring8,gan:grid25,wgan_gp:ring8,wgan_gp:grid25")
    parser.add_argument("--steps", type=int, default=6000, help="generator steps per run")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--latent-dim", type=int, default=2)
    parser.add_argument("--hidden", default="256,256,256")
    parser.add_argument("--gp-weight", type=float, default=None,
                        help="override the WGAN-GP gradient-penalty weight")
    parser.add_argument("--lr", type=float, default=None,
                        help="override the learning rate (GAN 2e-4, WGAN 5e-5, WGAN-GP 5e-4)")
    parser.add_argument("--out", default=str(RESULTS / "toy_modes"))
    args = parser.parse_args(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    rows = []
    for spec in args.runs.split(","):
        variant, data = spec.split(":")
        for seed in (int(s) for s in args.seeds.split(",")):
            result, seconds = run(variant, data, args.steps, args.batch_size, seed, args.out,
                                  args.latent_dim, hidden, args.gp_weight, lr=args.lr)
            rows.append((variant, data, seed, result, seconds))
            print(f"{variant} {data} seed {seed}: {result['modes']}/{result['num_modes']} modes, "
                  f"{100 * result['high_quality']:.1f}% high quality, "
                  f"reverse KL {result['reverse_kl']:.3f}, {seconds:.0f} s", flush=True)

    print()
    print(f"keras-gan-zoo {kgz.__version__}, {args.steps} generator steps at batch "
          f"{args.batch_size}, latent {args.latent_dim}, MLP {hidden}; "
          f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), "
          f"TensorFlow {__import__('tensorflow').__version__}, Keras {keras.__version__}")
    print()
    print("| model | data | modes | high quality | reverse KL | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for variant, data, seed, result, seconds in rows:
        name = {"gan": "GAN (non-saturating)", "wgan_gp": "WGAN-GP",
                "wgan": "WGAN (clipping)"}[variant]
        print(f"| **keras-gan-zoo {name}**, seed {seed} | {data} | "
              f"{result['modes']}/{result['num_modes']} | {100 * result['high_quality']:.1f}% | "
              f"{result['reverse_kl']:.3f} | {seconds:.0f} |")
    for name, data, modes, hq in PUBLISHED:
        total = 8 if data == "ring8" else 25
        print(f"| {name} | {data} | {modes}/{total} | {hq}% | | |")


if __name__ == "__main__":
    main()

"""Train WGAN-GP on the 8-Gaussian ring and plot its samples.

    python examples/wgan_gp_ring8.py --steps 2000 --out ring8.png

Prints the modes covered and the share of high-quality samples (PacGAN
protocol) and writes a scatter plot of 2,500 samples over the true modes.
"""

import argparse

import keras

import keras_gan_zoo as kgz


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="generator steps")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--out", default="ring8.png")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    x = kgz.data.toy("ring8", n=args.steps * args.batch_size)
    model = kgz.WGANGP.for_shape((2,), latent_dim=2)
    model.compile(
        generator_optimizer=keras.optimizers.Adam(5e-4, 0.5, 0.9),
        discriminator_optimizer=keras.optimizers.Adam(5e-4, 0.5, 0.9),
        steps_per_execution=50,
    )
    model.fit(x, batch_size=args.batch_size, epochs=1)

    means, std = kgz.data.toy_modes("ring8")
    samples = model.generate(2500, seed=0)
    result = kgz.metrics.mode_coverage(samples, means, std)
    print(f"{result['modes']}/8 modes, {100 * result['high_quality']:.1f}% high quality")
    kgz.visualize.plot_points(samples, args.out, modes=means)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

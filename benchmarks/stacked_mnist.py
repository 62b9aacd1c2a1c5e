"""Stacked MNIST: how many of the 1,000 modes does a GAN cover? (VEEGAN / PacGAN protocol)

Data: 3 random digits of MNIST t10k[0:8000] (../shared/data/mnist, the
project's training split) stacked as RGB, ``--train-size`` images, 28x28x3.
Evaluation as PacGAN table 2: 26,000 generated samples, each channel read by
the bundled digit classifier (99% on held-out MNIST), modes covered (of
1,000) and KL(p || uniform).

    python benchmarks/stacked_mnist.py --variant gan --epochs 6

Published (PacGAN, table 2; their DCGAN architecture): DCGAN 99 modes / KL
3.40, ALI 16 / 5.40, Unrolled GAN 48.7 / 4.32, VEEGAN 150 / 2.95, PacDCGAN2
1000 / 0.06. Writes a PNG grid of samples and a checkpoint per epoch (resume
with the same command and --resume).
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, Timer, hardware  # noqa: E402

PUBLISHED = [("DCGAN (PacGAN table 2)", "99", "3.40"), ("ALI", "16", "5.40"),
             ("Unrolled GAN", "48.7", "4.32"), ("VEEGAN", "150", "2.95"),
             ("PacDCGAN2", "1000", "0.06")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["gan", "wgan_gp"], default="gan")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--train-size", type=int, default=64000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--base-filters", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--precision", choices=["float32", "mixed_bfloat16"], default="mixed_bfloat16")
    parser.add_argument("--out", default=str(RESULTS / "stacked_mnist"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pack", type=int, default=1, help="PacGAN packing (GAN only)")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--reuse-fakes", type=int, choices=[0, 1], default=0,
                        help="the README's figures were measured with 0, before reuse_fakes "
                             "became the model's default")
    args = parser.parse_args(argv)

    x, y = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train"))
    stacked, _ = kgz.data.stacked_mnist(x, y, args.train_size, seed=args.seed)
    keras.mixed_precision.set_global_policy(args.precision)
    keras.utils.set_random_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    tag = args.variant + (f"_pack{args.pack}" if args.pack > 1 else "")
    checkpoint = os.path.join(args.out, f"{tag}.keras")
    initial_epoch = 0
    if args.resume and os.path.exists(checkpoint):
        model = keras.saving.load_model(checkpoint)
        initial_epoch = int(model.generator_optimizer.iterations.numpy()) // (
            args.train_size // args.batch_size)
        print(f"resumed from {checkpoint} at epoch {initial_epoch}")
    else:
        extra = {"pack": args.pack} if args.pack > 1 else {}
        if args.variant == "gan":
            extra["reuse_fakes"] = bool(args.reuse_fakes)
        model = kgz.VARIANTS[args.variant].for_shape(
            (28, 28, 3), latent_dim=args.latent_dim, seed=args.seed,
            network_kwargs={"base_filters": args.base_filters}, **extra)
        model.compile(steps_per_execution=50)

    class Report(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            model.save(checkpoint)
            result = kgz.metrics.stacked_mnist_modes(model.generate(26000, seed=args.seed))
            print(f"  epoch {epoch + 1}: {result['modes']} modes, KL {result['reverse_kl']:.3f}",
                  flush=True)

    with Timer() as timer:
        model.fit(stacked, batch_size=args.batch_size, epochs=args.epochs, shuffle=True,
                  initial_epoch=initial_epoch, verbose=2, callbacks=[Report()])
    samples = model.generate(26000, seed=args.seed)
    result = kgz.metrics.stacked_mnist_modes(samples)
    kgz.visualize.save_image_grid(samples[:64], os.path.join(args.out, f"{tag}_samples.png"))

    print()
    print(f"Stacked MNIST, {tag} (DCGAN networks, base {args.base_filters} filters, "
          f"latent {args.latent_dim}, {args.precision}), {args.epochs} epochs of "
          f"{args.train_size:,} stacks at batch {args.batch_size}; 26,000 samples; {hardware()}")
    print()
    print("| model | modes (of 1000) | KL(p \\|\\| uniform) |")
    print("| --- | --- | --- |")
    for name, modes, kl in PUBLISHED:
        print(f"| {name} (published) | {modes} | {kl} |")
    print(f"| keras-gan-zoo {tag} (ours) | {result['modes']} | {result['reverse_kl']:.3f} |")
    print(f"\ntraining time {timer.seconds / 60:.1f} min (this run: epochs {initial_epoch + 1}-"
          f"{args.epochs}); samples: {args.out}/{tag}_samples.png")


if __name__ == "__main__":
    main()

"""The stabilisers against mode collapse, each switched on alone, beside the plain GAN.

Same GAN (non-saturating loss), same seed, same budget; one switch at a time:

- ``label_smoothing`` 0.1 (one-sided, Salimans et al. 2016);
- ``feature_matching`` (Salimans et al. 2016);
- ``minibatch_std`` groups of 4 (Karras et al. 2018; the successor of
  minibatch discrimination);
- ``instance_noise`` 0.1, annealed to 0 over the first half of training
  (Arjovsky and Bottou 2017);
- ``historical_averaging`` 1e-3 (Salimans et al. 2016);
- ``pack`` 2, PacGAN2 (Lin et al. 2018).

Data and measures:

- ring8 and grid25 (the toy protocol of benchmarks/toy_modes.py: MLP 3x256,
  latent 2, batch 256, ``--toy-steps`` steps): modes covered and high-quality
  share of 2,500 samples;
- Stacked MNIST (stacks of MNIST t10k[0:8000] digits, DCGAN networks, base 64
  filters, latent 100, mixed_bfloat16, batch 64, ``--stacked-steps`` steps):
  modes of 1,000 and KL to uniform over 26,000 samples.

    python benchmarks/stabilisers.py                 # ~40 min on 2 cores
    python benchmarks/stabilisers.py --only plain pack2 --skip-stacked

Results go to ``--out``/results.json as they come; a rerun skips the runs
already there (delete the file to start over). Reference for packing: PacGAN
table 2, PacDCGAN2 on Stacked MNIST 1000 modes, KL 0.06 (their longer run).
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import toy_modes  # noqa: E402
from common import DATA, RESULTS, hardware  # noqa: E402

SWITCHES = {
    "plain": ({}, {}),
    "label_smoothing": ({"label_smoothing": 0.1}, {}),
    "feature_matching": ({"feature_matching": True}, {}),
    "minibatch_std": ({}, {"minibatch_std": 4}),
    "instance_noise": ({"instance_noise": 0.1}, {}),  # steps: half the run, set below
    "historical_averaging": ({"historical_averaging": 1e-3}, {}),
    "pack2": ({"pack": 2}, {}),
}


def model_kwargs(name, steps):
    kwargs = {"reuse_fakes": True, **SWITCHES[name][0]}  # the default GAN of today
    if "instance_noise" in kwargs:
        kwargs["instance_noise_steps"] = steps // 2
    return kwargs


def toy(name, data, steps, seed, out):
    result, seconds = toy_modes.run("gan", data, steps, 256, seed, out, 2, (256, 256, 256),
                                    model_kwargs=model_kwargs(name, steps),
                                    network_kwargs=SWITCHES[name][1], tag=name)
    return {"modes": result["modes"], "of": result["num_modes"],
            "high_quality": result["high_quality"], "seconds": seconds}


def stacked(name, steps, seed, out):
    x, y = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train"))
    images, _ = kgz.data.stacked_mnist(x, y, steps * 64, seed=seed)
    keras.utils.set_random_seed(seed)
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = kgz.GAN.for_shape((28, 28, 3), latent_dim=100, seed=seed,
                                  network_kwargs={"base_filters": 64, **SWITCHES[name][1]},
                                  **model_kwargs(name, steps))
        model.compile(steps_per_execution=50)
        start = time.perf_counter()
        model.fit(images, batch_size=64, epochs=1, shuffle=True, verbose=0)
        seconds = time.perf_counter() - start
        samples = model.generate(26000, seed=seed)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    kgz.visualize.save_image_grid(samples[:64], os.path.join(out, f"stacked_{name}.png"))
    result = kgz.metrics.stacked_mnist_modes(samples)
    return {"modes": result["modes"], "kl": result["reverse_kl"], "seconds": seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(SWITCHES), default=list(SWITCHES))
    parser.add_argument("--toy-steps", type=int, default=4000)
    parser.add_argument("--stacked-steps", type=int, default=1000)
    parser.add_argument("--skip-stacked", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(RESULTS / "stabilisers"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "results.json")
    results = json.load(open(path)) if os.path.exists(path) else {}

    def once(key, fn):
        if key not in results:
            results[key] = fn()
            with open(path + ".tmp", "w") as f:
                json.dump(results, f, indent=1)
            os.replace(path + ".tmp", path)
        print(f"  {key}: {results[key]}", flush=True)
        return results[key]

    for name in args.only:
        for data in ("ring8", "grid25"):
            once(f"{name}/{data}/{args.toy_steps}/{args.seed}",
                 lambda: toy(name, data, args.toy_steps, args.seed, args.out))
        if not args.skip_stacked:
            once(f"{name}/stacked/{args.stacked_steps}/{args.seed}",
                 lambda: stacked(name, args.stacked_steps, args.seed, args.out))

    print(f"\nGAN (non-saturating), one switch at a time, seed {args.seed}. Toy: {args.toy_steps} "
          f"steps, MLP 3x256, batch 256, 2,500 samples. Stacked MNIST: {args.stacked_steps} steps "
          f"at batch 64, DCGAN (64 filters, latent 100), mixed_bfloat16, 26,000 samples. "
          f"{hardware()}\n")
    print("| switch | ring8 modes | ring8 high quality | grid25 modes | grid25 high quality | "
          "Stacked MNIST modes | Stacked MNIST KL |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.only:
        ring = results.get(f"{name}/ring8/{args.toy_steps}/{args.seed}")
        grid = results.get(f"{name}/grid25/{args.toy_steps}/{args.seed}")
        st = results.get(f"{name}/stacked/{args.stacked_steps}/{args.seed}")
        cells = [f"{ring['modes']}/8", f"{100 * ring['high_quality']:.1f}%",
                 f"{grid['modes']}/25", f"{100 * grid['high_quality']:.1f}%"]
        cells += [str(st["modes"]), f"{st['kl']:.3f}"] if st else ["-", "-"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| PacDCGAN2 (PacGAN table 2, published) | | | | | 1000 | 0.06 |")


if __name__ == "__main__":
    main()

"""The small-data recipe measured: 400 facades photos, DCGAN against ResNet + SN + augmentation + EMA;
1,000 MNIST digits, DCGAN with and without augmentation.

    python benchmarks/small_data.py train --recipe resnet+ada --size 64   # resumable
    python benchmarks/small_data.py train --all --size 64                 # every recipe in turn
    python benchmarks/small_data.py score --size 64                       # the table
    python benchmarks/small_data.py train --data mnist --all              # 1,000 digits
    python benchmarks/small_data.py score --data mnist

Data: the left halves (photos) of CMP facades files 0-399 from
``../shared/data/facades`` (``kgz.data.facades``), resized to SIZE; files
400-499 are held out. Every recipe trains the same number of steps of batch
32 under ``mixed_bfloat16`` with ``fit_resumable`` (a killed run continues
with ``train`` again) into ``benchmarks/results/small_data/<recipe>_<size>/``
and keeps a moving average of its generator (``ema=0.999``), which does not
change its training: ``score`` reports the raw and the averaged generator of
each run.

MNIST: t10k images 0-999 at 28x28 train, 8,000-9,999 are held out; the
DCGAN networks with the default loss, without augmentation, with DiffAugment
and with ADA; ``score`` gives the Fréchet distance in the bundled digit
classifier's features against the held-out digits.

``score`` draws 5,000 samples of each and measures them in the bundled
facades extractor's features (``kgz.metrics.features(..., extractor=
"facades")``) against the 400 training photos: kernel distance (KID x 1000)
and Fréchet distance, and the memorisation check (mean distance of a sample's
features to its nearest training photo, beside the same for held-out photos).
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, hardware  # noqa: E402

RESULTS = os.path.join(os.path.dirname(__file__), "results", "small_data")
RESNET = {"architecture": "resnet", "base_filters": 16}


def _sagan_optimizers():
    # SAGAN's two time-scale rule with hinge loss and spectral norm: D 4e-4, G 1e-4
    return (keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9))


#: recipe: (GAN.for_shape arguments, optimizers or None for the variant's default)
RECIPES = {
    "dcgan": ({}, None),
    "resnet": ({"network_kwargs": RESNET, "loss": "hinge"}, _sagan_optimizers),
    "resnet+diffaugment": ({"network_kwargs": RESNET, "loss": "hinge", "augment": "diffaugment"},
                           _sagan_optimizers),
    "resnet+ada": ({"network_kwargs": RESNET, "loss": "hinge", "augment": "ada", "ada_kimg": 20},
                   _sagan_optimizers),
}


#: MNIST recipes (DCGAN networks, the default loss and optimizers)
MNIST_RECIPES = {
    "dcgan": ({}, None),
    "dcgan+diffaugment": ({"augment": "diffaugment"}, None),
    "dcgan+ada": ({"augment": "ada", "ada_kimg": 20}, None),
}


def recipes(data):
    return RECIPES if data == "facades" else MNIST_RECIPES


def digits(first, last):
    x, _ = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="all"))
    return x[first:last]


def photos(first, last, size):
    data = kgz.data.files.facades(DATA / "facades", size=size, unpaired=False)
    x = np.stack([photo.numpy() for photo, _ in data])
    return x[first:last]


def run_dir(recipe, size, data="facades"):
    prefix = "" if data == "facades" else "mnist1k_"
    return os.path.join(RESULTS, f"{prefix}{recipe.replace('+', '_')}_{size}")


def train(recipe, size, steps, batch_size=32, data="facades"):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(0)
    x = photos(0, 400, size) if data == "facades" else digits(0, 1000)
    kwargs, optimizers = recipes(data)[recipe]
    directory = run_dir(recipe, size, data)
    resume = os.path.exists(os.path.join(directory, kgz.training.CHECKPOINT))
    model = None
    if not resume:
        model = kgz.GAN.for_shape(x.shape[1:], seed=0, ema=0.999, **kwargs)
        g_opt, d_opt = optimizers() if optimizers else (None, None)
        model.compile(generator_optimizer=g_opt, discriminator_optimizer=d_opt)
    epochs = int(np.ceil(steps / int(np.ceil(len(x) / batch_size))))
    start = time.perf_counter()
    model, _ = kgz.training.fit_resumable(
        model, x, directory=directory, epochs=epochs, batch_size=batch_size, seed=0,
        resume=resume, verbose=2,
        callbacks=[kgz.callbacks.SampleGrid(os.path.join(directory, "epoch_{epoch:03d}.png"),
                                            n=32, every=25)])
    done = int(model.generator_optimizer.iterations)
    model.save(os.path.join(directory, "model.keras"))
    model.save(os.path.join(directory, f"model_{done}.keras"))  # kept when a run is extended
    seconds = time.perf_counter() - start
    log = {"data": data, "recipe": recipe, "size": size, "steps": int(model.generator_optimizer.iterations),
           "batch_size": batch_size, "seconds_this_session": round(seconds, 1),
           "hardware": hardware()}
    with open(os.path.join(directory, "train.json"), "w") as file:
        json.dump(log, file, indent=1)
    print(json.dumps(log))


def _model_path(recipe, size, data, steps):
    name = "model.keras" if steps is None else f"model_{steps}.keras"
    return os.path.join(run_dir(recipe, size, data), name)


def score(size, n=5000, steps=None):
    every = photos(0, 500, size)  # read the files once
    real, held = every[:400], every[400:]
    features = lambda images: kgz.metrics.features(images, extractor="facades")  # noqa: E731
    real_f, held_f = features(real), features(held)

    def nearest(f):
        d = ((f[:, None, :] - real_f[None]) ** 2).sum(-1)
        return float(np.sqrt(d.min(1)).mean())

    rows = [("held-out photos (100)", held_f)]
    for recipe in RECIPES:
        path = _model_path(recipe, size, "facades", steps)
        if not os.path.exists(path):
            continue
        model = keras.saving.load_model(path)
        for use_ema in (False, True):
            images = model.generate(n, seed=1, use_ema=use_ema)
            rows.append((f"{recipe}{' (EMA)' if use_ema else ''}", features(images)))
    print(f"400 facades photos at {size}x{size}; {n} samples each, "
          f"{'the last step' if steps is None else f'step {steps}'}; facades extractor features; "
          f"{hardware()}")
    print()
    print("| generator | KID x 1000 | FD | nearest training photo (feature distance) |")
    print("| --- | --- | --- | --- |")
    for name, f in rows:
        kid = 1000 * kgz.metrics.kernel_distance(real_f, f, subset_size=min(len(f), 400))[0]
        fd = kgz.metrics.frechet_distance(real_f, f)
        print(f"| {name} | {kid:.2f} | {fd:.2f} | {nearest(f[:500]):.3f} |")


def score_mnist(n=5000, steps=None):
    every = digits(0, 10000)  # read the files once
    held_f = kgz.metrics.features(every[8000:], extractor="digits")
    train_f = kgz.metrics.features(every[:1000], extractor="digits")
    rows = [("the 1,000 training digits", train_f)]
    for recipe in MNIST_RECIPES:
        path = _model_path(recipe, 28, "mnist", steps)
        if not os.path.exists(path):
            continue
        model = keras.saving.load_model(path)
        for use_ema in (False, True):
            rows.append((f"{recipe}{' (EMA)' if use_ema else ''}", kgz.metrics.features(
                model.generate(n, seed=1, use_ema=use_ema), extractor="digits")))
    print(f"MNIST t10k 0-999 (train) at 28x28; {n} samples each against the 2,000 held-out digits "
          f"8,000-9,999 in the bundled digit classifier's features; {hardware()}")
    print()
    print("| generator | FD (digit features) |")
    print("| --- | --- |")
    for name, f in rows:
        print(f"| {name} | {kgz.metrics.frechet_distance(held_f, f):.2f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tr = commands.add_parser("train")
    tr.add_argument("--data", choices=["facades", "mnist"], default="facades")
    tr.add_argument("--recipe", choices=sorted({*RECIPES, *MNIST_RECIPES}))
    tr.add_argument("--all", action="store_true")
    tr.add_argument("--size", type=int, default=64)
    tr.add_argument("--steps", type=int, default=1300)
    sc = commands.add_parser("score")
    sc.add_argument("--data", choices=["facades", "mnist"], default="facades")
    sc.add_argument("--size", type=int, default=64)
    sc.add_argument("-n", type=int, default=5000)
    sc.add_argument("--steps", type=int, help="score the models saved at this step (default: the last)")
    args = parser.parse_args(argv)
    if args.command == "train":
        size = 28 if args.data == "mnist" else args.size
        chosen = list(recipes(args.data)) if args.all else [args.recipe]
        if size > 64 and "dcgan" in chosen:  # DCGAN networks stop at 64 px
            if not args.all:
                parser.error("the dcgan recipe is for sizes up to 64")
            chosen.remove("dcgan")
        for recipe in chosen:
            train(recipe, size, args.steps, data=args.data)
    elif args.data == "mnist":
        score_mnist(args.n, args.steps)
    else:
        score(args.size, args.n, args.steps)


if __name__ == "__main__":
    main()

"""The small-data recipe measured: 400 facades photos, DCGAN against ResNet + SN + augmentation + EMA.

    python benchmarks/small_data.py train --recipe resnet+ada --size 64   # resumable
    python benchmarks/small_data.py train --all --size 64                 # every recipe in turn
    python benchmarks/small_data.py score --size 64                       # the table

Data: the left halves (photos) of CMP facades files 0-399 from
``../shared/data/facades`` (``kgz.data.facades``), resized to SIZE; files
400-499 are held out. Every recipe trains the same number of steps of batch
32 under ``mixed_bfloat16`` with ``fit_resumable`` (a killed run continues
with ``train`` again) into ``benchmarks/results/small_data/<recipe>_<size>/``
and keeps a moving average of its generator (``ema=0.999``), which does not
change its training: ``score`` reports the raw and the averaged generator of
each run.

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


def photos(first, last, size):
    data = kgz.data.files.facades(DATA / "facades", size=size, unpaired=False)
    x = np.stack([photo.numpy() for photo, _ in data])
    return x[first:last]


def run_dir(recipe, size):
    return os.path.join(RESULTS, f"{recipe.replace('+', '_')}_{size}")


def train(recipe, size, steps, batch_size=32):
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(0)
    x = photos(0, 400, size)
    kwargs, optimizers = RECIPES[recipe]
    directory = run_dir(recipe, size)
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
    model.save(os.path.join(directory, "model.keras"))
    seconds = time.perf_counter() - start
    log = {"recipe": recipe, "size": size, "steps": int(model.generator_optimizer.iterations),
           "batch_size": batch_size, "seconds_this_session": round(seconds, 1),
           "hardware": hardware()}
    with open(os.path.join(directory, "train.json"), "w") as file:
        json.dump(log, file, indent=1)
    print(json.dumps(log))


def score(size, n=5000):
    real = photos(0, 400, size)
    held = photos(400, 500, size)
    features = lambda images: kgz.metrics.features(images, extractor="facades")  # noqa: E731
    real_f, held_f = features(real), features(held)

    def nearest(f):
        d = ((f[:, None, :] - real_f[None]) ** 2).sum(-1)
        return float(np.sqrt(d.min(1)).mean())

    rows = [("held-out photos (100)", held_f)]
    for recipe in RECIPES:
        path = os.path.join(run_dir(recipe, size), "model.keras")
        if not os.path.exists(path):
            continue
        model = keras.saving.load_model(path)
        for use_ema in (False, True):
            images = model.generate(n, seed=1, use_ema=use_ema)
            rows.append((f"{recipe}{' (EMA)' if use_ema else ''}", features(images)))
    print(f"400 facades photos at {size}x{size}; {n} samples each; facades extractor features; "
          f"{hardware()}")
    print()
    print("| generator | KID x 1000 | FD | nearest training photo (feature distance) |")
    print("| --- | --- | --- | --- |")
    for name, f in rows:
        kid = 1000 * kgz.metrics.kernel_distance(real_f, f, subset_size=min(len(f), 400))[0]
        fd = kgz.metrics.frechet_distance(real_f, f)
        print(f"| {name} | {kid:.2f} | {fd:.2f} | {nearest(f[:500]):.3f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tr = commands.add_parser("train")
    tr.add_argument("--recipe", choices=list(RECIPES))
    tr.add_argument("--all", action="store_true")
    tr.add_argument("--size", type=int, default=64)
    tr.add_argument("--steps", type=int, default=1300)
    sc = commands.add_parser("score")
    sc.add_argument("--size", type=int, default=64)
    sc.add_argument("-n", type=int, default=5000)
    args = parser.parse_args(argv)
    if args.command == "train":
        for recipe in (RECIPES if args.all else [args.recipe]):
            train(recipe, args.size, args.steps)
    else:
        score(args.size, args.n)


if __name__ == "__main__":
    main()

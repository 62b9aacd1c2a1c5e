"""Train a pretrained zoo entry and write it, with its measured model card, into the package.

    python benchmarks/train_zoo.py cgan_mnist            # one entry
    python benchmarks/train_zoo.py all                   # every entry, one after the other
    python benchmarks/train_zoo.py all --check           # re-measure the bundled entries

Data: ../shared/data (MNIST t10k split 0-7,999 for training and 8,000-9,999
held out; USPS train/test). Quality is measured on held-out data with
``kgz.metrics`` and the bundled digit classifier (98.50% on held-out MNIST,
90.68% on USPS test). Training is resumable: an interrupted run restarts from
its last finished epoch (``keras.callbacks.BackupAndRestore`` in
``benchmarks/results/zoo_backup/NAME``). The entry lands in
``keras_gan_zoo/zoo/presets/NAME`` (``--out`` to write elsewhere).
"""

import argparse
import dataclasses
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, Timer, hardware  # noqa: E402

MNIST_SPLIT = "MNIST t10k images 0-7,999 (train) / 8,000-9,999 (held out), 28x28"


# Each entry's model as it is trained: the settings its card was measured with.
# (tests/test_zoo.py checks that every bundled entry loads with these settings.)
RECIPES = {
    # reuse_fakes=False: these entries were trained before reuse_fakes became the default
    "dcgan_mnist": lambda: kgz.GAN.for_shape(
        (28, 28, 1), latent_dim=64, network_kwargs={"base_filters": 32}, reuse_fakes=False,
        seed=0),
    "wgan_gp_mnist": lambda: kgz.WGANGP.for_shape(
        (28, 28, 1), latent_dim=64, network_kwargs={"base_filters": 32}, seed=0),
    "cgan_mnist": lambda: kgz.ConditionalGAN.for_shape(
        (28, 28, 1), num_classes=10, latent_dim=64, network_kwargs={"base_filters": 32},
        reuse_fakes=False, seed=0),
    # info_trains_body=True: as the card was trained
    "infogan_mnist": lambda: kgz.InfoGAN.for_shape(
        (28, 28, 1), latent_dim=62, num_categories=10, num_continuous=2,
        network_kwargs={"architecture": "dcgan", "base_filters": 32}, info_trains_body=True,
        seed=0),
    "cyclegan_mnist_usps": lambda: kgz.CycleGAN.for_shape(
        (32, 32, 1), (32, 32, 1), base_filters=16, num_blocks=4, seed=0),
}


def _mnist(size=None):
    train = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train", size=size))
    test = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test", size=size))
    return train, test


def _image_quality(model, held_out, **generate):
    """Fréchet distance in digit-classifier features and precision/recall, 10k samples vs held out."""
    fake = model.generate(10000, seed=1, **generate)
    real_f = kgz.metrics.features(held_out)
    fake_f = kgz.metrics.features(fake)
    pr = kgz.metrics.precision_recall(real_f, fake_f[:len(real_f)])
    return {
        "frechet_distance_digit_features": round(kgz.metrics.frechet_distance(real_f, fake_f), 3),
        "precision": round(pr["precision"], 4),
        "recall": round(pr["recall"], 4),
    }


def dcgan_mnist(epochs):
    (x, _), (x_test, _) = _mnist()
    model = RECIPES["dcgan_mnist"]()
    model.compile(steps_per_execution=25)
    fit = dict(x=x, batch_size=64, shuffle=True)

    def measure():
        m = _image_quality(model, x_test)
        return m, f"FD (digit features) {m['frechet_distance_digit_features']:.2f}", model.generate(100, seed=0)

    return model, fit, measure, dict(
        variant="gan", data=MNIST_SPLIT,
        description="DCGAN (non-saturating loss) on MNIST digits, latent 64, base 32 filters.")


def wgan_gp_mnist(epochs):
    (x, _), (x_test, _) = _mnist()
    model = RECIPES["wgan_gp_mnist"]()
    model.compile(steps_per_execution=25)

    def measure():
        m = _image_quality(model, x_test)
        return m, f"FD (digit features) {m['frechet_distance_digit_features']:.2f}", model.generate(100, seed=0)

    return model, dict(x=x, batch_size=64, shuffle=True), measure, dict(
        variant="wgan_gp", data=MNIST_SPLIT,
        description="WGAN-GP (5 critic steps, gradient penalty 10) on MNIST digits, DCGAN "
                    "networks without batch norm in the critic, latent 64.")


def cgan_mnist(epochs):
    (x, y), (x_test, y_test) = _mnist()
    model = RECIPES["cgan_mnist"]()
    model.compile(steps_per_execution=25)

    def measure():
        m = _image_quality(model, x_test)
        accuracy, per_class = kgz.metrics.conditional_accuracy(model, n_per_class=1000, seed=2)
        m["class_accuracy"] = round(accuracy, 4)
        m["worst_class"] = f"{int(per_class.argmin())}: {per_class.min():.3f}"
        grid = model.generate(100, labels=np.repeat(np.arange(10), 10), seed=0)
        return m, f"class accuracy {100 * accuracy:.1f}%", grid

    return model, dict(x=x, y=y, batch_size=64, shuffle=True), measure, dict(
        variant="conditional_gan", data=MNIST_SPLIT + ", with labels",
        description="Conditional GAN on MNIST: one-hot label into the DCGAN generator, "
                    "projection discriminator. generate(n, labels=digit).")


def infogan_mnist(epochs):
    (x, _), (x_test, y_test) = _mnist()
    model = RECIPES["infogan_mnist"]()
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-3, 0.5),
                  discriminator_optimizer=keras.optimizers.Adam(2e-4, 0.5), steps_per_execution=25)

    def measure():
        codes, _ = model.predict_codes(x_test)
        accuracy, mapping = kgz.metrics.best_matching_accuracy(codes, y_test, 10, 10)
        m = _image_quality(model, x_test)
        m["categorical_code_accuracy"] = round(accuracy, 4)
        m["code_to_digit"] = {int(k): int(v) for k, v in mapping.items()}
        grid = model.generate(100, categorical=np.repeat(np.arange(10), 10), seed=0)
        return m, f"code accuracy {100 * accuracy:.1f}%", grid

    return model, dict(x=x, batch_size=64, shuffle=True), measure, dict(
        variant="infogan", data=MNIST_SPLIT + " (labels unused)",
        description="InfoGAN on MNIST: 62 noise + 10-way categorical + 2 continuous codes. "
                    "The categorical code only partly finds the digits (below the paper's 95%).")


def cyclegan_mnist_usps(epochs):
    # As benchmarks/cyclegan_digits.py: MNIST deskewed, USPS in MNIST's framing.
    x = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train", size=32, deskew=True))[0]
    x_test, y_test = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test", size=32,
                                                       deskew=True))
    u = kgz.data.to_arrays(kgz.data.usps(DATA / "usps", "train", size=32, framing="mnist"))[0]
    u_test, uy_test = kgz.data.to_arrays(kgz.data.usps(DATA / "usps", "test", size=32,
                                                       framing="mnist"))
    n = min(len(x), len(u))
    pairs = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(x).shuffle(8000, seed=1),
                                 tf.data.Dataset.from_tensor_slices(u).shuffle(8000, seed=2)))
    pairs = pairs.take(n).batch(16, drop_remainder=True)
    model = RECIPES["cyclegan_mnist_usps"]()
    lr = kgz.CycleGAN.linear_decay(2e-4, total_steps=epochs * (n // 16))
    model.compile(generator_optimizer=keras.optimizers.Adam(lr, 0.5),
                  discriminator_optimizer=keras.optimizers.Adam(lr, 0.5), steps_per_execution=20)

    def measure():
        to_usps = float(np.mean(kgz.metrics.classify_digits(model.translate(x_test)) == y_test))
        to_mnist = float(np.mean(
            kgz.metrics.classify_digits(model.translate(u_test, "b_to_a")) == uy_test))
        m = {"label_kept_mnist_to_usps": round(to_usps, 4),
             "label_kept_usps_to_mnist": round(to_mnist, 4),
             "judge": "bundled digit classifier (98.50% MNIST held out, 90.68% USPS test)"}
        grid = np.concatenate([x_test[:10], model.translate(x_test[:10]), u_test[:10],
                               model.translate(u_test[:10], "b_to_a")])
        return m, f"labels kept {100 * to_usps:.1f}% / {100 * to_mnist:.1f}%", grid

    return model, dict(x=pairs), measure, dict(
        variant="cyclegan",
        data="MNIST t10k 0-7,999 deskewed <-> USPS train (7,291) in MNIST's framing, unpaired, "
             "32x32",
        description="CycleGAN MNIST (A) <-> USPS (B) at 32x32: ResNet generators (4 blocks, "
                    "base 16), PatchGAN discriminators. Inputs as it was trained: "
                    "kgz.data.mnist(..., size=32, deskew=True) and "
                    "kgz.data.usps(..., size=32, framing=\"mnist\"). "
                    "Sample rows: MNIST, -> USPS, USPS, -> MNIST.")


@dataclasses.dataclass
class Entry:
    """How an entry is trained and stored.

    Entries trained in mixed_bfloat16 are saved as float32 models (their
    weights are float32 either way), so a loaded entry computes in float32
    wherever it runs. ``weights_dtype="float16"`` stores the weights at half
    the size; ``training_networks=False`` leaves the discriminators out.
    The card's figures are always measured on the entry as stored and loaded.
    """

    build: object
    epochs: int
    precision: str = "float32"
    weights_dtype: str = "float32"
    training_networks: bool = True


ENTRIES = {"dcgan_mnist": Entry(dcgan_mnist, 30),
           "wgan_gp_mnist": Entry(wgan_gp_mnist, 15),
           "cgan_mnist": Entry(cgan_mnist, 40),
           "infogan_mnist": Entry(infogan_mnist, 30),
           "cyclegan_mnist_usps": Entry(cyclegan_mnist_usps, 9, "mixed_bfloat16")}


def train(name, epochs=None, out=None):
    entry = ENTRIES[name]
    epochs = epochs or entry.epochs
    keras.mixed_precision.set_global_policy(entry.precision)
    keras.utils.set_random_seed(0)
    model, fit, measure, meta = entry.build(epochs)
    backup = os.path.join("benchmarks", "results", "zoo_backup", name)
    print(f"== {name}: {epochs} epochs in {entry.precision} (backup in {backup})", flush=True)
    with Timer() as timer:
        model.fit(epochs=epochs, verbose=2, callbacks=[keras.callbacks.BackupAndRestore(backup)],
                  **fit)
    if entry.precision != "float32":
        keras.mixed_precision.set_global_policy("float32")
        trained = model
        model, _, measure, _ = entry.build(epochs)
        model.set_weights(trained.get_weights())
        meta["training_precision"] = entry.precision
        meta["description"] += f" Trained in {entry.precision}, saved as a float32 model."
    store = dict(weights_dtype=entry.weights_dtype, training_networks=entry.training_networks)
    command = f"python benchmarks/train_zoo.py {name}" + (
        f" --epochs {epochs}" if epochs != entry.epochs else "")
    meta.update(name=name, command=command, epochs=epochs,
                training_minutes=round(timer.seconds / 60, 1), hardware=hardware(),
                package_version=kgz.__version__, keras_version=keras.__version__)
    with tempfile.TemporaryDirectory() as staging:  # measure the entry as it will be loaded
        kgz.zoo.save(model, os.path.join(staging, name), {**meta, "headline": "?"}, **store)
        model.set_weights(kgz.zoo.load(os.path.join(staging, name)).get_weights())
    metrics, headline, samples = measure()
    meta.update(headline=headline, metrics=metrics)
    directory = out or os.path.join(kgz.zoo.PRESETS_DIR, name)
    kgz.zoo.save(model, directory, meta, samples=samples, overwrite=True, **store)
    shutil.rmtree(backup, ignore_errors=True)
    print(f"== {name}: {headline}; {metrics}; {meta['training_minutes']} min -> {directory}",
          flush=True)


def check(name):
    """Measure the bundled entry again and print its card's figures beside the new ones."""
    entry = ENTRIES[name]
    keras.utils.set_random_seed(0)
    model, _, measure, _ = entry.build(entry.epochs)
    model.set_weights(kgz.zoo.load(name).get_weights())
    metrics, headline, _ = measure()
    card = kgz.zoo.info(name)
    print(f"| {name} | card: {card['headline']} | now: {headline} |", flush=True)
    return card["metrics"], metrics


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=[*ENTRIES, "all"])
    parser.add_argument("--epochs", type=int, help="override the entry's epochs")
    parser.add_argument("--out", help="write the preset here instead of the package")
    parser.add_argument("--check", action="store_true",
                        help="do not train: re-measure the bundled entry against its card")
    args = parser.parse_args(argv)
    for name in (ENTRIES if args.name == "all" else [args.name]):
        if args.check:
            check(name)
        else:
            train(name, args.epochs, args.out)


if __name__ == "__main__":
    main()

"""Train a pretrained zoo entry and write it, with its measured model card, into the package.

    python tools/train_zoo.py cgan_mnist            # one entry
    python tools/train_zoo.py all                   # every entry, one after the other
    python tools/train_zoo.py all --check           # re-measure the bundled entries

Data: ../shared/data (MNIST t10k split 0-7,999 for training and 8,000-9,999
held out; USPS train/test). Quality is measured on held-out data with
``kgz.metrics`` and the bundled digit classifier (98.50% on held-out MNIST,
90.68% on USPS test). Training is resumable: an interrupted run restarts from
its last finished epoch (``keras.callbacks.BackupAndRestore`` in
``tools/results/zoo_backup/NAME``). The entry lands in
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
from kit import DATA, ROOT, Timer, hardware  # noqa: E402

MNIST_SPLIT = "MNIST t10k images 0-7,999 (train) / 8,000-9,999 (held out), 28x28"


# Each entry's model as it is trained: the settings its card was measured with.
# (tests/test_zoo.py checks that every bundled entry loads with these settings.)
RECIPES = {
    # reuse_fakes=False: as these entries' length was measured (research/zoo_sweep.py)
    "dcgan_mnist": lambda: kgz.GAN.for_shape(
        (28, 28, 1), latent_dim=64, network_kwargs={"base_filters": 32}, reuse_fakes=False,
        ema=0.999, seed=0),
    "wgan_gp_mnist": lambda: kgz.WGANGP.for_shape(
        (28, 28, 1), latent_dim=64, network_kwargs={"base_filters": 32}, ema=0.999, seed=0),
    # 48 base filters and a moving average: 97.7% at 30 epochs in research/zoo_sweep.py
    # (32 filters without it levelled off at 95.7%)
    "cgan_mnist": lambda: kgz.ConditionalGAN.for_shape(
        (28, 28, 1), num_classes=10, latent_dim=64, network_kwargs={"base_filters": 48},
        reuse_fakes=False, ema=0.999, seed=0),
    # the paper's networks (as benchmarks/infogan_mnist.py) with 256 dense units instead of
    # 1,024: 3.6 M weights instead of 13.4 M, so the entry fits 8 MB in float16; seed 3,
    # the best of the five seeds tried (docs/benchmarks/zoo.md)
    "infogan_mnist": lambda: kgz.InfoGAN.for_shape(
        (28, 28, 1), latent_dim=62, num_categories=10, num_continuous=2,
        network_kwargs={"architecture": "infogan", "base_filters": 64, "dense_units": 256},
        seed=3),
    "cyclegan_mnist_usps": lambda: kgz.CycleGAN.for_shape(
        (32, 32, 1), (32, 32, 1), base_filters=16, num_blocks=4, seed=0),
    # the family, as benchmarks/family_mnist.py, acgan_mnist.py and fgan.py measure them
    "wgan_mnist": lambda: kgz.WGAN.for_shape(
        (28, 28, 1), latent_dim=64, network_kwargs={"base_filters": 32}, ema=0.999, seed=0),
    "fgan_mnist": lambda: kgz.GAN.for_shape(
        (28, 28, 1), latent_dim=64, network_kwargs={"base_filters": 32}, loss="f_divergence",
        divergence="pearson", seed=0),
    "ebgan_mnist": lambda: kgz.EBGAN.for_shape(
        (28, 28, 1), network_kwargs={"base_filters": 32}, seed=0),
    "bigan_mnist": lambda: kgz.BiGAN.for_shape(
        (28, 28, 1), network_kwargs={"base_filters": 32}, seed=0),
    "vaegan_mnist": lambda: kgz.VAEGAN.for_shape(
        (28, 28, 1), network_kwargs={"base_filters": 32}, seed=0),
    # with a moving average of the generator, class accuracy 96.9% at 80 epochs in
    # research/zoo_sweep.py (without it, 78.0% at 20 epochs)
    "acgan_mnist": lambda: kgz.ACGAN.for_shape(
        (28, 28, 1), num_classes=10, latent_dim=64, network_kwargs={"base_filters": 32},
        ema=0.999, seed=0),
    # facades, as benchmarks/small_data.py and paired_facades.py train them
    "resnet_gan_facades": lambda: kgz.GAN.for_shape(
        (128, 128, 3), network_kwargs={"architecture": "resnet", "base_filters": 16},
        loss="hinge", augment="diffaugment", ema=0.999, seed=0),
    "pix2pix_facades": lambda: kgz.Pix2Pix.for_shape(
        (256, 256, 3), (256, 256, 3), base_filters=16, seed=0),
    "gaugan_facades": lambda: kgz.GauGAN.for_shape(
        (256, 256, len(kgz.data.FACADE_CLASSES)), base_filters=10, hidden=20, latent_dim=64,
        palette=kgz.data.FACADE_PALETTE, seed=0),
    "cyclegan_facades": lambda: kgz.CycleGAN.for_shape(
        (128, 128, 3), (128, 128, 3), base_filters=16, seed=0),
}

FACADES_SPLIT = "CMP facades files 0-399 (train) / 400-499 (held out)"
# the data sets an entry's data line names, cited on its card
SOURCES = {"MNIST": "MNIST (LeCun, Cortes and Burges)", "USPS": "USPS (Hull, 1994)",
           "facades": "CMP Facade Database (Tyleček and Šára, 2013)"}


def _mnist(size=None):
    train = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train", size=size))
    test = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test", size=size))
    return train, test


def _image_quality(model, held_out, **generate):
    """Fréchet and kernel distance in digit-classifier features and precision/recall, 10k samples vs held out."""
    fake = model.generate(10000, seed=1, **generate)
    real_f = kgz.metrics.features(held_out)
    fake_f = kgz.metrics.features(fake)
    pr = kgz.metrics.precision_recall(real_f, fake_f[:len(real_f)])
    return {
        "frechet_distance_digit_features": round(kgz.metrics.frechet_distance(real_f, fake_f), 3),
        "kernel_distance_x1000": round(1000 * float(kgz.metrics.kernel_distance(
            real_f, fake_f)[0]), 3),
        "precision": round(pr["precision"], 4),
        "recall": round(pr["recall"], 4),
    }


def _fd_headline(metrics):
    return f"FD (digit features) {metrics['frechet_distance_digit_features']:.2f}"


def _unconditional(name, meta):
    """An unconditional MNIST sampler, measured by its samples' FD against the held-out digits."""
    (x, _), (x_test, _) = _mnist()
    model = RECIPES[name]()
    model.compile(steps_per_execution=25)

    def measure():
        m = _image_quality(model, x_test)
        return m, _fd_headline(m), model.generate(100, seed=0)

    return model, dict(x=x, batch_size=64, shuffle=True), measure, meta


def _with_encoder(name, meta):
    """A MNIST sampler with an encoder: samples' FD, and how well its codes and reconstructions keep the digit."""
    from family_mnist import linear_probe, nearest_neighbour

    (x, y), (x_test, y_test) = _mnist()
    model = RECIPES[name]()
    model.compile(steps_per_execution=25)

    def measure():
        m = _image_quality(model, x_test)
        again = model.reconstruct(x_test)
        codes, train_codes = model.encode(x_test), model.encode(x)
        m.update({
            "frechet_distance_reconstructions": round(kgz.metrics.frechet_distance(
                kgz.metrics.features(x_test), kgz.metrics.features(again)), 3),
            "reconstruction_mse": round(float(np.mean((again - x_test) ** 2)), 4),
            "nearest_neighbour_accuracy_on_codes": round(
                nearest_neighbour(train_codes, y, codes, y_test), 4),
            "linear_probe_accuracy_on_codes": round(linear_probe(train_codes, y, codes, y_test), 4),
        })
        headline = (f"1-NN on codes {100 * m['nearest_neighbour_accuracy_on_codes']:.1f}%, "
                    + _fd_headline(m))
        grid = np.concatenate([x_test[:50], again[:50]])  # held-out digits, then G(E(x))
        return m, headline, grid

    return model, dict(x=x, batch_size=64, shuffle=True), measure, meta


def dcgan_mnist(epochs):
    return _unconditional("dcgan_mnist", dict(
        variant="gan", data=MNIST_SPLIT,
        description="DCGAN (non-saturating loss) on MNIST digits, latent 64, base 32 filters; "
                    "samples come from a moving average of the generator (0.999)."))


def wgan_gp_mnist(epochs):
    return _unconditional("wgan_gp_mnist", dict(
        variant="wgan_gp", data=MNIST_SPLIT,
        description="WGAN-GP (5 critic steps, gradient penalty 10) on MNIST digits, DCGAN "
                    "networks without batch norm in the critic, latent 64; samples come from "
                    "a moving average of the generator (0.999)."))


def wgan_mnist(epochs):
    return _unconditional("wgan_mnist", dict(
        variant="wgan", data=MNIST_SPLIT,
        description="WGAN (weight clipping 0.01, 5 critic steps, RMSprop 5e-5) on MNIST digits, "
                    "DCGAN networks, latent 64, generator weights averaged (0.999)."))


def fgan_mnist(epochs):
    return _unconditional("fgan_mnist", dict(
        variant="gan", data=MNIST_SPLIT,
        description="f-GAN minimising the Pearson chi-squared divergence on MNIST digits, "
                    "DCGAN networks, latent 64."))


def ebgan_mnist(epochs):
    return _unconditional("ebgan_mnist", dict(
        variant="ebgan", data=MNIST_SPLIT,
        description="EBGAN on MNIST digits: an autoencoder discriminator whose reconstruction "
                    "error is the energy (margin 1, pulling-away term 0.1), DCGAN-sized "
                    "networks."))


def bigan_mnist(epochs):
    return _with_encoder("bigan_mnist", dict(
        variant="bigan", data=MNIST_SPLIT + " (labels only to measure the codes)",
        gallery_rows=[0, 5],
        description="BiGAN / ALI on MNIST: a generator and an encoder trained against one "
                    "discriminator of (image, code) pairs; encode(images) and "
                    "reconstruct(images). Sample rows: 50 held-out digits, then G(E(x)) of "
                    "each."))


def vaegan_mnist(epochs):
    return _with_encoder("vaegan_mnist", dict(
        variant="vaegan", data=MNIST_SPLIT + " (labels only to measure the codes)",
        gallery_rows=[0, 5],
        description="VAE-GAN on MNIST: a VAE whose reconstruction error is measured in the "
                    "discriminator's features, plus the GAN loss. Sample rows: 50 held-out "
                    "digits, then their reconstructions."))


def cgan_mnist(epochs):
    (x, y), (x_test, y_test) = _mnist()
    model = RECIPES["cgan_mnist"]()
    model.compile(steps_per_execution=25)

    def measure():
        m = _image_quality(model, x_test)
        accuracy, per_class = kgz.metrics.conditional_accuracy(model, n_per_class=1000, seed=2)
        m["class_accuracy"] = round(accuracy, 4)
        m["worst_class"] = f"{int(per_class.argmin())}: {per_class.min():.3f}"
        grid = model.generate(100, labels=np.tile(np.arange(10), 10), seed=0)  # a class a column
        return m, f"class accuracy {100 * accuracy:.1f}%", grid

    return model, dict(x=x, y=y, batch_size=64, shuffle=True), measure, dict(
        variant="conditional_gan", data=MNIST_SPLIT + ", with labels",
        description="Conditional GAN on MNIST: one-hot label into the DCGAN generator "
                    "(48 base filters), projection discriminator; samples come from a "
                    "moving average of the generator (0.999). generate(n, labels=digit).")


def acgan_mnist(epochs):
    (x, y), (x_test, _) = _mnist()
    model = RECIPES["acgan_mnist"]()
    model.compile(steps_per_execution=25)

    def measure():
        m = _image_quality(model, x_test, labels=np.repeat(np.arange(10), 1000))
        accuracy, per_class = kgz.metrics.conditional_accuracy(model, n_per_class=1000, seed=2)
        m["class_accuracy"] = round(accuracy, 4)
        m["worst_class"] = f"{int(per_class.argmin())}: {per_class.min():.3f}"
        grid = model.generate(100, labels=np.tile(np.arange(10), 10), seed=0)  # a class a column
        return m, f"class accuracy {100 * accuracy:.1f}%", grid

    return model, dict(x=x, y=y, batch_size=64, shuffle=True), measure, dict(
        variant="acgan", data=MNIST_SPLIT + ", with labels",
        description="ACGAN on MNIST: the label into the generator, a discriminator with a "
                    "real-or-fake head and a class head. generate(n, labels=digit).")


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
        grid = model.generate(100, categorical=np.tile(np.arange(10), 10), seed=0)
        return m, f"code accuracy {100 * accuracy:.1f}%", grid

    return model, dict(x=x, batch_size=64, shuffle=True), measure, dict(
        variant="infogan", data=MNIST_SPLIT + " (labels unused)",
        description="InfoGAN on MNIST: 62 noise + 10-way categorical + 2 continuous codes, "
                    "the paper's networks with 256 dense units (1,024 in the paper). "
                    "predict_codes(images) reads a digit's category; which category is which "
                    "digit is in the card's code_to_digit.")


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


def _facades(size):
    from paired_facades import load

    photos, maps = load(size)
    return (photos[:400], maps[:400]), (photos[400:], maps[400:])


def _small(images, size=96):
    """Images for a sample grid, ``size`` pixels a side (a 30-tile grid of 128 px photos is
    a 0.8 MB PNG, a tenth of an entry's budget)."""
    return tf.image.resize(images, (size, size), antialias=True).numpy().clip(-1, 1)


def _fcn_measure(translate, held_photos, held_maps, train_photos):
    """The FCN score and distances of ``translate(held-out maps)`` (benchmarks/paired_facades.py)."""
    from paired_facades import measure as paired_measure

    reference = kgz.metrics.features(train_photos, extractor="facades")
    made = translate(held_maps)
    m = {k.replace("kid_x1000", "kernel_distance_x1000").replace("fd", "frechet_distance_facades_features"):
         round(float(v), 4) for k, v in paired_measure(made, held_maps, reference).items()}
    ceiling = kgz.metrics.fcn_score(held_photos, held_maps)["pixel_accuracy"]
    m["real_photos_pixel_accuracy"] = round(float(ceiling), 4)
    headline = (f"FCN per-pixel accuracy {m['pixel_accuracy']:.3f} (real photos "
                f"{ceiling:.3f}), class IoU {m['mean_iou']:.3f}")
    grid = _small(np.concatenate([held_maps[:10], held_photos[:10], made[:10]]))
    return m, headline, grid


def resnet_gan_facades(epochs):
    (photos, _), (held, _) = _facades(128)
    model = RECIPES["resnet_gan_facades"]()
    # SAGAN's two time scales with hinge loss and spectral norm (as small_data.py)
    model.compile(keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
                  keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9))

    def measure():
        real_f = kgz.metrics.features(photos, extractor="facades")
        fake_f = kgz.metrics.features(model.generate(5000, seed=1), extractor="facades")
        pr = kgz.metrics.precision_recall(real_f, fake_f[:len(real_f)], extractor="facades")
        m = {"frechet_distance_facades_features": round(float(
                 kgz.metrics.frechet_distance(real_f, fake_f)), 3),
             "kernel_distance_x1000": round(1000 * float(kgz.metrics.kernel_distance(
                 real_f, fake_f, extractor="facades")[0]), 3),
             "held_out_photos_frechet_distance": round(float(kgz.metrics.frechet_distance(
                 real_f, kgz.metrics.features(held, extractor="facades"))), 3),
             "precision": round(pr["precision"], 4), "recall": round(pr["recall"], 4)}
        headline = (f"FD (facades features) {m['frechet_distance_facades_features']:.2f} "
                    f"(held-out photos {m['held_out_photos_frechet_distance']:.2f})")
        return m, headline, _small(model.generate(40, seed=0), 64)

    return model, dict(x=photos, batch_size=32, shuffle=True), measure, dict(
        variant="gan", data=FACADES_SPLIT + ", photos only, 128x128",
        description="Facade photos at 128x128 from 400 training photos, the small-data recipe: "
                    "ResNet networks with spectral norm, hinge loss, DiffAugment, a moving "
                    "average of the generator (samples come from it), Adam 1e-4 / 4e-4.")


def pix2pix_facades(epochs):
    (photos, maps), (held_photos, held_maps) = _facades(256)
    model = RECIPES["pix2pix_facades"]()
    model.compile(steps_per_execution=10)
    return model, dict(x=maps, y=photos, batch_size=4, shuffle=True), (
        lambda: _fcn_measure(model.translate, held_photos, held_maps, photos)), dict(
        gallery_rows=[0, 2], variant="pix2pix", data=FACADES_SPLIT + ", label map -> photo pairs, 256x256",
        description="pix2pix on CMP facades: colour-coded label map (the database's 12 "
                    "classes) -> photo at 256x256; U-Net (base 16), 70x70 PatchGAN, L1 100. "
                    "Sample rows: held-out maps, their photos, the entry's photos.")


def gaugan_facades(epochs):
    from paired_facades import one_hot

    (photos, maps), (held_photos, held_maps) = _facades(256)
    model = RECIPES["gaugan_facades"]()
    model.compile(steps_per_execution=10)
    return model, dict(x=one_hot(maps), y=photos, batch_size=4, shuffle=True), (
        lambda: _fcn_measure(lambda m: model.translate(m, seed=0), held_photos, held_maps,
                             photos)), dict(
        gallery_rows=[0, 2], variant="gaugan", data=FACADES_SPLIT + ", label map -> photo pairs, 256x256",
        description="GauGAN (SPADE) on CMP facades: label map -> photo at 256x256, random "
                    "styles or the style of a photo (translate(maps, style=photo)); colour "
                    "maps are read with kgz.data.FACADE_PALETTE. Hinge loss, feature matching, "
                    "KL 0.05, no VGG loss. Sample rows: held-out maps, their photos, the "
                    "entry's photos (seed 0).")


def cyclegan_facades(epochs):
    (photos, maps), (held_photos, held_maps) = _facades(128)
    order = np.random.default_rng(0).permutation(400)
    data = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(photos),
                                tf.data.Dataset.from_tensor_slices(maps[order])))
    data = data.shuffle(400, seed=0).batch(4, drop_remainder=True)
    model = RECIPES["cyclegan_facades"]()
    lr = kgz.CycleGAN.linear_decay(2e-4, total_steps=epochs * 100)
    model.compile(keras.optimizers.Adam(lr, 0.5), keras.optimizers.Adam(lr, 0.5),
                  steps_per_execution=10)

    def measure():
        m, headline, _ = _fcn_measure(lambda x: model.translate(x, "b_to_a"), held_photos,
                                      held_maps, photos)
        drawn = model.translate(held_photos)  # photo -> map, read back to classes
        truth = kgz.data.facade_classes(held_maps)
        m["photo_to_map_pixel_accuracy"] = round(float(np.mean(
            kgz.data.facade_classes(drawn) == truth)), 4)
        grid = _small(np.concatenate([held_photos[:10], drawn[:10], held_maps[:10],
                                      model.translate(held_maps[:10], "b_to_a")]))
        return m, headline + f"; photo -> map {100 * m['photo_to_map_pixel_accuracy']:.1f}%", grid

    return model, dict(x=data), measure, dict(
        gallery_rows=[2, 3], variant="cyclegan", data=FACADES_SPLIT + ", photos (A) and label maps (B) unpaired, "
                                                 "128x128",
        description="CycleGAN on CMP facades, photo (A) <-> colour label map (B) at 128x128, "
                    "trained without pairs (the maps shuffled apart from their photos). "
                    "Sample rows: photos, -> maps, maps, -> photos.")


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
    limits: str = ""  # what the entry is not good at, for its card
    task: str = ""  # what it does, in a few words, for the zoo's table


_DIGITS_ONLY = ("It draws 28x28 grey MNIST-style digits and nothing else, from 8,000 training "
                "images; some samples are malformed (see precision).")
_UNCHOSEN = _DIGITS_ONLY + " Which digit comes out is not chosen: for that, use cgan_mnist."
_FACADES = ("Trained on 400 photos of one style of building (the CMP facades, mostly "
            "Prague); other buildings, streets or scenes are outside what it has seen. ")
_MAPS = ("Its input is a label map drawn in the CMP facades palette "
         "(kgz.data.FACADE_PALETTE); the FCN score reads the photos at 64x64, so it says "
         "little about detail finer than that.")

ENTRIES = {
    "dcgan_mnist": Entry(
        dcgan_mnist, 150, "mixed_bfloat16", task="MNIST digits, 28x28", limits=_UNCHOSEN),
    "wgan_gp_mnist": Entry(
        wgan_gp_mnist, 40, "mixed_bfloat16", task="MNIST digits, 28x28", limits=_UNCHOSEN),
    "cgan_mnist": Entry(
        cgan_mnist, 30, "float32", "float16", task="MNIST digits of a chosen class", limits=(
            _DIGITS_ONLY + " Some samples show another digit than the label asked for: the "
            "worst class is on the card.")),
    "infogan_mnist": Entry(
        infogan_mnist, 50, "mixed_bfloat16", "float16",
        task="MNIST digits with codes found without labels", limits=(
            _DIGITS_ONLY + " Its categories were found without labels: they come in no order "
            "(code_to_digit maps them), a category may hold two similar digits, and the "
            "continuous codes change the strokes only a little.")),
    "cyclegan_mnist_usps": Entry(
        cyclegan_mnist_usps, 9, "mixed_bfloat16", task="MNIST <-> USPS digits, unpaired, 32x32",
        limits=("It changes a digit's style only a little (USPS digits are thicker and fill "
                "more of the frame; the translations stay close to their inputs), and it "
                "expects its inputs framed and deskewed as it was trained (see above).")),
    "wgan_mnist": Entry(
        wgan_mnist, 150, "mixed_bfloat16", task="MNIST digits, 28x28", limits=(
            _UNCHOSEN + " Weight clipping trains slowly: its FD is over three times "
            "wgan_gp_mnist's, the Wasserstein entry to use.")),
    "fgan_mnist": Entry(
        fgan_mnist, 20, "mixed_bfloat16",
        task="MNIST digits, 28x28 (f-GAN, Pearson chi-squared)", limits=_UNCHOSEN),
    "ebgan_mnist": Entry(
        ebgan_mnist, 20, "mixed_bfloat16", task="MNIST digits, 28x28", limits=_UNCHOSEN),
    "bigan_mnist": Entry(
        bigan_mnist, 60, "mixed_bfloat16", "float16",
        task="MNIST digits, and codes of digits (encoder)", limits=(
            _DIGITS_ONLY + " G(E(x)) keeps the digit more often than the drawing (compare "
            "the reconstructions' Fréchet distance with vaegan_mnist's), and its codes "
            "classify digits below the BiGAN paper's 97.39% by 1-NN (60,000 training "
            "digits).")),
    "vaegan_mnist": Entry(
        vaegan_mnist, 20, "mixed_bfloat16", task="MNIST digits: encode, reconstruct, sample",
        limits=(_DIGITS_ONLY + " Its reconstructions are much better than its samples from "
                "random codes (compare the two Fréchet distances).")),
    "acgan_mnist": Entry(
        acgan_mnist, 80, "mixed_bfloat16", "float16", task="MNIST digits of a chosen class",
        limits=(
            _DIGITS_ONLY + " It draws the asked-for digit a little less often than cgan_mnist "
            "(the worst class is on the card), and the samples of one class vary little (recall "
            "0.13 against cgan_mnist's 0.65).")),
    "resnet_gan_facades": Entry(
        resnet_gan_facades, 100, "mixed_bfloat16", "float16",
        task="facade photos from 400 photos, 128x128",
        limits=_FACADES + "The samples are 128x128, blurred, and alike from one to the next."),
    "pix2pix_facades": Entry(
        pix2pix_facades, 60, "mixed_bfloat16", "float16",
        task="facades label map -> photo, 256x256",
        limits=_FACADES + _MAPS + " One map gives nearly one photo (little variety)."),
    "gaugan_facades": Entry(
        gaugan_facades, 30, "mixed_bfloat16", "float16", False,
        task="facades label map -> photo in many styles, 256x256", limits=(
            _FACADES + _MAPS + " Its discriminators are not stored: it cannot be trained "
            "further from the entry.")),
    "cyclegan_facades": Entry(
        cyclegan_facades, 40, "mixed_bfloat16", "float16", False,
        task="facades photo <-> label map, unpaired, 128x128", limits=(
            _FACADES + "Trained without pairs, its photos follow a map far less closely than "
            "pix2pix_facades's, and the maps it draws from photos are coarse (a quarter of "
            "their pixels in the right class). Its discriminators and history pools are "
            "not stored: training it further starts them afresh.")),
}


def train(name, epochs=None, out=None):
    entry = ENTRIES[name]
    epochs = epochs or entry.epochs
    keras.mixed_precision.set_global_policy(entry.precision)
    keras.utils.set_random_seed(0)
    model, fit, measure, meta = entry.build(epochs)
    backup = os.path.join(ROOT, "tools", "results", "zoo_backup", name)
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
    command = f"python tools/train_zoo.py {name}" + (
        f" --epochs {epochs}" if epochs != entry.epochs else "")
    meta.update(name=name, command=command, epochs=epochs,
                training_minutes=round(timer.seconds / 60, 1), hardware=hardware(),
                package_version=kgz.__version__, keras_version=keras.__version__,
                limits=entry.limits, task=entry.task,
                data_source="; ".join(v for k, v in SOURCES.items() if k in meta["data"]))
    if entry.weights_dtype != "float32":  # what the narrower weights cost, on the card
        metrics, headline, _ = measure()
        meta["before_rounding"] = {"headline": headline, "metrics": metrics}
        print(f"== {name}: {headline} with float32 weights", flush=True)
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
    same = headline == card["headline"]
    print(f"| {name} | {card['headline']} | {headline} | {'same' if same else 'DIFFERS'} |",
          flush=True)
    return same


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=[*ENTRIES, "all"])
    parser.add_argument("--epochs", type=int, help="override the entry's epochs")
    parser.add_argument("--out", help="write the preset here instead of the package")
    parser.add_argument("--check", action="store_true",
                        help="do not train: re-measure the bundled entry against its card")
    args = parser.parse_args(argv)
    names = list(ENTRIES) if args.name == "all" else [args.name]
    if args.check:
        print(f"Re-measuring {len(names)} bundled entries ({hardware()})\n")
        print("| entry | card's headline | measured now | |\n| --- | --- | --- | --- |")
        differ = [name for name in names if not check(name)]
        if differ:
            raise SystemExit(f"{len(differ)} entries differ from their cards: "
                             + ", ".join(differ))
        return
    for name in names:
        train(name, args.epochs, args.out)


if __name__ == "__main__":
    main()

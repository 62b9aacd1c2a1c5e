"""Train a pretrained zoo entry and write it, with its measured model card, into the package.

    python tools/train_zoo.py cgan_mnist            # one entry
    python tools/train_zoo.py all                   # every entry, one after the other
    python tools/train_zoo.py all --check           # re-measure the bundled entries

Each entry's recipe is a TOML file in ``tools/recipes/`` (``zoo_recipes.py``
reads it): the variant and its settings, the optimizers, the epochs and
precision, the card's words, and which trainer below brings the data and
the measurements. Data: ../shared/data (MNIST t10k split 0-7,999 for training and 8,000-9,999
held out; USPS train/test). Quality is measured on held-out data with
``kgz.metrics`` and the bundled digit classifier (98.50% on held-out MNIST,
90.68% on USPS test). Training is resumable: an interrupted run restarts from
its last finished epoch (``keras.callbacks.BackupAndRestore`` in
``tools/results/zoo_backup/NAME``). The entry lands in
``zoo/NAME`` (``--out`` to write elsewhere), and the package's index is rewritten
(``tools/zoo_index.py``).
"""

import argparse
import json
import os
import re
import shutil
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
import zoo_recipes  # noqa: E402
from kit import DATA, ROOT, hardware  # noqa: E402

# the data sets an entry's data line names, cited on its card
SOURCES = {"MNIST": "MNIST (LeCun, Cortes and Burges)", "USPS": "USPS (Hull, 1994)",
           "facades": "CMP Facade Database (Tyleček and Šára, 2013)",
           "Twemoji": "Twemoji graphics (CC-BY 4.0, Twitter Inc. and contributors), through "
                      "emoji-datasource-twitter 16.0.0",
           "scikit-image": "scikit-image 0.25.2's sample images (public domain or CC0; each "
                           "image's source in skimage.data)",
           "Noto": "Noto Emoji graphics (Apache 2.0, Google), through emoji-datasource-google "
                   "16.0.0"}


# ------------------------------------------------------------------ helpers
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


#: Recall below this on a card's headline says the samples cover few real images.
LOW_RECALL = 0.05


def reveal(headline, metrics):
    """The headline with the precision and recall of ``metrics`` after it, when measured, and
    a warning when recall is near zero: a distance alone hides a model that draws one good
    image every time. Near-zero recall is what a collapsed model shows, and also one whose
    varied samples are still far from every real image; the card's limits say which."""
    if "precision" not in metrics or "recall" not in metrics:
        return headline
    headline = re.sub(r", precision [\d.]+ / recall [\d.]+(: [^,]*)?$", "", headline)  # again
    if "recall " in headline:  # the trainer's own words
        return headline
    headline += f", precision {metrics['precision']:.2f} / recall {metrics['recall']:.2f}"
    if metrics["recall"] < LOW_RECALL:
        headline += ": covers few real images"
    return headline


def cards(names):
    """Rewrite the stored entries' cards without training: the headline through ``reveal``
    from the measured metrics, the limits from the recipe (metadata, card and index)."""
    import zoo_index
    from keras_gan_zoo.zoo.preset import read_metadata, rewrite

    for name in names:
        directory = os.path.join(ROOT, "zoo", name)
        meta = read_metadata(directory)
        new = reveal(meta["headline"], meta.get("metrics", {}))
        old = dict(meta)
        meta["limits"] = zoo_recipes.load(name).limits
        if "before_rounding" in meta:
            before = meta["before_rounding"]
            meta["before_rounding"] = {**before, "headline": reveal(before["headline"],
                                                                    before["metrics"])}
        meta["headline"] = new
        if meta != old:
            rewrite(directory, meta)
            print(f"{name}: {new}")
    zoo_index.main([])


def _steps(n, batch_size):
    return n // batch_size


# ----------------------------------------------------------------- trainers
# A trainer takes the recipe's built model and the epochs, compiles it, and returns
# (fit keyword arguments, measure); measure() -> (metrics, headline, sample grid).
TRAINERS = {}


def trainer(function):
    TRAINERS[function.__name__] = function
    return function


@trainer
def mnist_sampler(model, recipe, epochs):
    """An unconditional MNIST sampler, measured by its samples' FD against the held-out digits."""
    (x, _), (x_test, _) = _mnist()
    zoo_recipes.compile_model(model, recipe, _steps(len(x), 64), epochs)

    def measure():
        m = _image_quality(model, x_test)
        return m, _fd_headline(m), model.generate(100, seed=0)

    return dict(x=x, batch_size=64, shuffle=True), measure


@trainer
def mnist_encoder(model, recipe, epochs):
    """A MNIST sampler with an encoder: samples' FD, and how well its codes and reconstructions keep the digit."""
    (x, y), (x_test, y_test) = _mnist()
    zoo_recipes.compile_model(model, recipe, _steps(len(x), 64), epochs)

    def measure():
        m = _image_quality(model, x_test)
        again = model.reconstruct(x_test)
        codes, train_codes = model.encode(x_test), model.encode(x)
        m.update({
            "frechet_distance_reconstructions": round(kgz.metrics.frechet_distance(
                kgz.metrics.features(x_test), kgz.metrics.features(again)), 3),
            "reconstruction_mse": round(float(np.mean((again - x_test) ** 2)), 4),
            "nearest_neighbour_accuracy_on_codes": round(
                kgz.metrics.nearest_neighbour_accuracy(train_codes, y, codes, y_test), 4),
            "linear_probe_accuracy_on_codes": round(
                kgz.metrics.linear_probe_accuracy(train_codes, y, codes, y_test), 4),
        })
        headline = (f"1-NN on codes {100 * m['nearest_neighbour_accuracy_on_codes']:.1f}%, "
                    + _fd_headline(m))
        grid = np.concatenate([x_test[:50], again[:50]])  # held-out digits, then G(E(x))
        return m, headline, grid

    return dict(x=x, batch_size=64, shuffle=True), measure


@trainer
def mnist_conditional(model, recipe, epochs):
    """A class-conditional MNIST sampler: samples' FD (as many of each class as held out) and
    the bundled classifier's accuracy on the asked-for digit."""
    (x, y), (x_test, _) = _mnist()
    zoo_recipes.compile_model(model, recipe, _steps(len(x), 64), epochs)

    def measure():
        balanced = dict(labels=np.repeat(np.arange(10), 1000)) if recipe.balanced_labels else {}
        m = _image_quality(model, x_test, **balanced)
        accuracy, per_class = kgz.metrics.conditional_accuracy(model, n_per_class=1000, seed=2)
        m["class_accuracy"] = round(accuracy, 4)
        m["worst_class"] = f"{int(per_class.argmin())}: {per_class.min():.3f}"
        grid = model.generate(100, labels=np.tile(np.arange(10), 10), seed=0)  # a class a column
        return m, f"class accuracy {100 * accuracy:.1f}%", grid

    return dict(x=x, y=y, batch_size=64, shuffle=True), measure


@trainer
def mnist_infogan(model, recipe, epochs):
    """An InfoGAN on MNIST: samples' FD and how well its categorical code reads the digit."""
    (x, _), (x_test, y_test) = _mnist()
    zoo_recipes.compile_model(model, recipe, _steps(len(x), 64), epochs)

    def measure():
        codes, _ = model.predict_codes(x_test)
        accuracy, mapping = kgz.metrics.best_matching_accuracy(codes, y_test, 10, 10)
        m = _image_quality(model, x_test)
        m["categorical_code_accuracy"] = round(accuracy, 4)
        m["code_to_digit"] = {int(k): int(v) for k, v in mapping.items()}
        grid = model.generate(100, categorical=np.tile(np.arange(10), 10), seed=0)
        return m, f"code accuracy {100 * accuracy:.1f}%", grid

    return dict(x=x, batch_size=64, shuffle=True), measure


@trainer
def digits_unpaired(model, recipe, epochs):
    """MNIST <-> USPS without pairs (as benchmarks/cyclegan_digits.py: MNIST deskewed, USPS in
    MNIST's framing), measured by how often the bundled classifier still reads the label."""
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
    zoo_recipes.compile_model(model, recipe, _steps(n, 16), epochs)

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

    return dict(x=pairs), measure


def _facades(size):
    photos, maps = kgz.data.to_arrays(kgz.data.facades(DATA / "facades", size=size, paired=True))
    return (photos[:400], maps[:400]), (photos[400:], maps[400:])


def _emoji(size):
    """Twemoji on white: the project's split by base emoji, ``(images, categories)`` each."""
    def arrays(split):
        return kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", "twemoji", size=size,
                                                 split=split))

    return arrays("train"), arrays("test")


def _emoji_quality(model, reference, **generate):
    """Distances in the emoji extractor's features of 3,000 samples from ``reference``."""
    real_f = kgz.metrics.features(reference, extractor="emoji")
    fake_f = kgz.metrics.features(model.generate(3000, seed=1, **generate), extractor="emoji")
    pr = kgz.metrics.precision_recall(real_f, fake_f[:len(real_f)])
    dc = kgz.metrics.density_coverage(real_f, fake_f[:len(real_f)])
    return {"frechet_distance_emoji_features": round(kgz.metrics.frechet_distance(real_f, fake_f), 3),
            "kernel_distance_x1000": round(1000 * kgz.metrics.kernel_distance(real_f, fake_f)[0], 3),
            "precision": round(pr["precision"], 4), "recall": round(pr["recall"], 4),
            "density": round(dc["density"], 4), "coverage": round(dc["coverage"], 4)}


@trainer
def emoji_sampler(model, recipe, epochs):
    """Twemoji of any kind: distances in the emoji extractor's features from the training
    emoji (precision and recall beside them in the headline)."""
    size = recipe.model["shapes"][0][0]
    (x, _), _ = _emoji(size)
    zoo_recipes.compile_model(model, recipe, _steps(len(x), 32), epochs)

    def measure():
        m = _emoji_quality(model, x)
        headline = f"FD (emoji features) {m['frechet_distance_emoji_features']:.2f}"
        return m, headline, model.generate(90, seed=0)

    return dict(x=x, batch_size=32, shuffle=True), measure


@trainer
def emoji_conditional(model, recipe, epochs):
    """Twemoji of a chosen category: distances in the emoji extractor's features from the
    training emoji, and the extractor's category accuracy on the category asked for."""
    size = recipe.model["shapes"][0][0]
    (x, y), _ = _emoji(size)
    zoo_recipes.compile_model(model, recipe, _steps(len(x), 32), epochs)

    def measure():
        counts = np.bincount(y, minlength=model.num_classes)
        asked = np.repeat(np.arange(model.num_classes), np.round(3000 * counts / counts.sum())
                          .astype(int))[:3000]
        m = _emoji_quality(model, x, labels=asked)
        labels = np.repeat(np.arange(model.num_classes), 100)
        made = model.generate(len(labels), labels=labels, seed=2)
        per_class = np.asarray([np.mean(kgz.metrics.classify_emoji(made[labels == c]) == c)
                                for c in range(model.num_classes)])
        m["class_accuracy"] = round(float(per_class.mean()), 4)
        m["worst_class"] = (f"{kgz.data.EMOJI_CATEGORIES[int(per_class.argmin())]}: "
                            f"{per_class.min():.2f}")
        grid = model.generate(90, labels=np.tile(np.arange(model.num_classes), 10), seed=0)
        headline = (f"FD (emoji features) {m['frechet_distance_emoji_features']:.2f}, "
                    f"class accuracy {100 * m['class_accuracy']:.1f}%")
        return m, headline, grid

    return dict(x=x, y=y, batch_size=32, shuffle=True), measure


def _emoji_names(split):
    """The lower-case name of each emoji of ``split``, in ``kgz.data.emoji``'s order."""
    from keras_gan_zoo.data.files import emoji_records

    return [r["name"].lower() for r in emoji_records(DATA / "emoji")
            if (r["base"] % 5 == 4) == (split == "test")]


@trainer
def emoji_text(model, recipe, epochs):
    """Twemoji from their names: distances in the emoji extractor's features from the
    training emoji, and the category accuracy of samples drawn for the held-out names."""
    size = recipe.model["shapes"][0][0]
    (x, y), (_, held_y) = _emoji(size)
    names, held_names = _emoji_names("train"), _emoji_names("test")
    zoo_recipes.compile_model(model, recipe, _steps(len(x), 32), epochs)

    def measure():
        order = np.random.default_rng(1).permutation(len(names))[:3000]
        m = _emoji_quality(model, x, text=[names[i] for i in order])
        classify = kgz.metrics.classify_emoji
        known = (model.tokens(held_names) > 1).any(axis=1)  # names of unknown words only: out
        m["held_out_category_accuracy"] = round(kgz.metrics.text_accuracy(
            model, np.asarray(held_names)[known].tolist(), held_y[known], classify, seed=2), 4)
        m["training_category_accuracy"] = round(
            kgz.metrics.text_accuracy(model, names, y, classify, seed=2), 4)
        grid_names = [n for n in ("red heart", "grinning face", "cat face", "rocket", "sun",
                                  "pizza", "soccer ball", "thumbs up sign", "dog face")]
        grid = model.generate(90, text=[n for n in grid_names for _ in range(10)], seed=0)
        headline = (f"FD (emoji features) {m['frechet_distance_emoji_features']:.2f}, "
                    f"held-out names' category {100 * m['held_out_category_accuracy']:.1f}%")
        return m, headline, grid

    return dict(x=x, y=names, batch_size=32, shuffle=True), measure


def _small(images, size=96):
    """Images for a sample grid, ``size`` pixels a side (a 30-tile grid of 128 px photos is
    a 0.8 MB PNG, a tenth of an entry's budget)."""
    return tf.image.resize(images, (size, size), antialias=True).numpy().clip(-1, 1)


def _fcn_measure(translate, held_photos, held_maps, train_photos):
    """The FCN score of ``translate(held-out maps)`` and its distances from the training
    photos in the facades extractor's features (as benchmarks/paired_facades.py)."""
    reference = kgz.metrics.features(train_photos, extractor="facades")
    made = translate(held_maps)
    made_f = kgz.metrics.features(made, extractor="facades")
    scores = {**kgz.metrics.fcn_score(made, held_maps),
              "frechet_distance_facades_features": kgz.metrics.frechet_distance(reference, made_f),
              "kernel_distance_x1000": 1000 * kgz.metrics.kernel_distance(
                  reference, made_f, subset_size=50, extractor="facades")[0]}
    m = {k: round(float(v), 4) for k, v in scores.items()}
    ceiling = kgz.metrics.fcn_score(held_photos, held_maps)["pixel_accuracy"]
    m["real_photos_pixel_accuracy"] = round(float(ceiling), 4)
    headline = (f"FCN per-pixel accuracy {m['pixel_accuracy']:.3f} (real photos "
                f"{ceiling:.3f}), class IoU {m['mean_iou']:.3f}")
    grid = _small(np.concatenate([held_maps[:10], held_photos[:10], made[:10]]))
    return m, headline, grid


@trainer
def facades_sampler(model, recipe, epochs):
    """Facade photos from the 400 training photos, measured in the facades extractor's features."""
    (photos, _), (held, _) = _facades(recipe.model["shapes"][0][0])
    zoo_recipes.compile_model(model, recipe, _steps(len(photos), 32), epochs)

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

    return dict(x=photos, batch_size=32, shuffle=True), measure


@trainer
def facades_paired(model, recipe, epochs):
    """Label map -> photo from the 400 training pairs, measured by the FCN score on the 100
    held-out maps. The maps are colour maps (a model that takes one channel a class reads
    them through its palette)."""
    (photos, maps), (held_photos, held_maps) = _facades(256)
    zoo_recipes.compile_model(model, recipe, _steps(len(photos), 4), epochs)
    return dict(x=maps, y=photos, batch_size=4, shuffle=True), (
        lambda: _fcn_measure(lambda m: model.translate(m, seed=0), held_photos, held_maps,
                             photos))


@trainer
def facades_unpaired(model, recipe, epochs):
    """Photo <-> label map with the maps shuffled apart from their photos, measured by the FCN
    score of map -> photo and the pixel accuracy of photo -> map."""
    (photos, maps), (held_photos, held_maps) = _facades(128)
    order = np.random.default_rng(0).permutation(400)
    data = tf.data.Dataset.zip((tf.data.Dataset.from_tensor_slices(photos),
                                tf.data.Dataset.from_tensor_slices(maps[order])))
    data = data.shuffle(400, seed=0).batch(4, drop_remainder=True)
    zoo_recipes.compile_model(model, recipe, _steps(400, 4), epochs)

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

    return dict(x=data), measure


@trainer
def emoji_unpaired(model, recipe, epochs):
    """Twemoji <-> Noto without pairs (the two styles' training emoji in two independent
    orders), measured against the truth: each held-out Twemoji's translation beside its own
    Noto (L1, FD in the emoji extractor's features, the category kept), as
    benchmarks/emoji_translation.py measures its runs."""
    size = recipe.model["shapes"][0][0]

    def arrays(style, split):
        return kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", style, size=size, split=split))

    twemoji, noto = arrays("twemoji", "train")[0], arrays("noto", "train")[0]
    rng = np.random.default_rng(0)  # two independent orders: no pair is ever shown
    data = tf.data.Dataset.zip((
        tf.data.Dataset.from_tensor_slices(twemoji[rng.permutation(len(twemoji))]),
        tf.data.Dataset.from_tensor_slices(noto[rng.permutation(len(noto))])))
    batch = 4  # as the benchmark's runs
    data = data.batch(batch, drop_remainder=True)
    zoo_recipes.compile_model(model, recipe, _steps(len(twemoji), batch), epochs)
    held_twemoji, labels = arrays("twemoji", "test")
    held_noto = arrays("noto", "test")[0]

    def measure():
        made = model.translate(held_twemoji)
        s = kgz.metrics.translation_against_truth(made, held_noto,
                                                  classify=kgz.metrics.classify_emoji,
                                                  labels=labels)
        m = {"l1_to_true_noto": round(s["l1"], 4),
             "frechet_distance_emoji_features": round(s["fd"], 3),
             "category_kept": round(s["class_kept"], 4),
             "judge": "bundled emoji extractor; held-out emoji (746), each against its own Noto"}
        picks = np.arange(0, len(held_twemoji), len(held_twemoji) // 10)[:10]
        grid = np.concatenate([held_twemoji[picks], made[picks], held_noto[picks],
                               model.translate(held_noto[picks], model.directions[1])])
        return m, (f"L1 {s['l1']:.3f} to the true Noto, FD {s['fd']:.1f}, category kept "
                   f"{100 * s['class_kept']:.0f}%"), grid

    return dict(x=data), measure


@trainer
def single_image(model, recipe, epochs):
    """One image of ../shared/data/single (the recipe's ``image``) at the recipe's shape,
    measured as benchmarks/single_image.py measures its runs: SIFID and diversity of 100
    samples from the coarsest scale (N) and of 100 that keep the image's coarsest version
    (N - 1)."""
    from keras_gan_zoo.metrics import single_image as sim

    matches = sorted((DATA / "single").glob(f"{recipe.image}.*")) if recipe.image else []
    if not matches:
        raise SystemExit(f"recipe {recipe.name}: expected image = the stem of a file in "
                         f"{DATA / 'single'}, got {recipe.image!r}")
    h, w, _ = recipe.model["shapes"][0]
    x = kgz.data.stream.open_source(str(matches[0]), size=max(h, w)).arrays()
    if x.shape[1:3] != (h, w):
        raise SystemExit(f"recipe {recipe.name}: {matches[0].name} resizes to {x.shape[1:3]}, "
                         f"not the recipe's shape {(h, w)}")
    zoo_recipes.compile_model(model, recipe, model.steps_per_scale, epochs)

    def measure():
        samples = model.generate(100, seed=1, batch_size=10)
        kept = model.generate_from(100, 1, x, seed=2)
        m = {"sifid_N": round(sim.sifid(x[0], samples)[0], 3),
             "diversity_N": round(sim.diversity(x[0], samples), 3),
             "sifid_N-1": round(sim.sifid(x[0], kept)[0], 3),
             "diversity_N-1": round(sim.diversity(x[0], kept), 3),
             "judge": "SIFID in the bundled facades segmenter's patch features "
                      "(kgz.metrics.sifid); 100 samples each"}
        return m, (f"SIFID {m['sifid_N']:.2f}, diversity {m['diversity_N']:.2f} (from noise at "
                   "every scale)"), np.concatenate([samples[:5], kept[:5]])

    return dict(x=x, batch_size=1), measure


# --------------------------------------------------------------------- train
def _build(recipe, epochs):
    """The recipe's model, compiled by its trainer: ``(model, fit kwargs, measure)``."""
    if recipe.trainer not in TRAINERS:
        raise SystemExit(f"recipe {recipe.name}: unknown trainer {recipe.trainer!r} (expected "
                         f"one of {', '.join(TRAINERS)})")
    model = zoo_recipes.build_model(recipe)
    fit, measure = TRAINERS[recipe.trainer](model, recipe, epochs)
    return model, fit, measure


class TrainingMinutes(keras.callbacks.Callback):
    """The minutes a resumable run has trained, over every session: kept in ``path`` at each
    epoch's end, so that a run resumed after a crash reports its whole time."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.earlier = json.load(open(path))["minutes"] if os.path.exists(path) else 0.0
        self.started = None

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def minutes(self):
        now = 0.0 if self.started is None else (time.perf_counter() - self.started) / 60
        return self.earlier + now

    def on_epoch_end(self, epoch, logs=None):
        with open(self.path, "w") as f:
            json.dump({"minutes": round(self.minutes(), 2), "epochs_done": epoch + 1}, f)


def train(name, epochs=None, out=None):
    """Train entry ``name`` as its recipe says, measure it as stored, and write it with its card.

    Entries trained in mixed_bfloat16 are saved as float32 models (their
    weights are float32 either way), so a loaded entry computes in float32
    wherever it runs. ``weights_dtype = "float16"`` stores the weights at half
    the size; ``training_networks = false`` leaves the discriminators out.
    The card's figures are always measured on the entry as stored and loaded.
    """
    recipe = zoo_recipes.load(name)
    epochs = epochs or recipe.epochs
    precision = recipe.training_precision
    keras.mixed_precision.set_global_policy(precision)
    keras.utils.set_random_seed(0)
    model, fit, measure = _build(recipe, epochs)
    meta = dict(variant=recipe.variant, data=recipe.data, description=recipe.description)
    if recipe.gallery_rows:
        meta["gallery_rows"] = recipe.gallery_rows
    if recipe.image:
        meta["image"] = recipe.image
    backup = os.path.join(ROOT, "tools", "results", "zoo_backup", name)
    print(f"== {name}: {epochs} epochs in {precision} (backup in {backup})", flush=True)
    # BackupAndRestore deletes its folder when fit ends, so the trained model lives only in
    # this process until the entry is written: keep the final weights beside the folder too,
    # and the minutes of earlier sessions of a resumed run.
    kept = backup + ".final.weights.h5"
    clock = TrainingMinutes(backup + ".minutes.json")
    if os.path.exists(kept):
        print(f"== {name}: training finished earlier; measuring the weights kept in {kept}",
              flush=True)
        model.load_weights(kept)
    else:
        model.fit(epochs=epochs, verbose=2,
                  callbacks=[keras.callbacks.BackupAndRestore(backup), clock], **fit)
        model.save_weights(kept)
    if precision != "float32":
        keras.mixed_precision.set_global_policy("float32")
        trained = model
        model, _, measure = _build(recipe, epochs)
        model.set_weights(trained.get_weights())
        meta["training_precision"] = precision
        meta["description"] += f" Trained in {precision}, saved as a float32 model."
    store = dict(weights_dtype=recipe.weights_dtype, training_networks=recipe.training_networks)
    command = f"python tools/train_zoo.py {name}" + (
        f" --epochs {epochs}" if epochs != recipe.epochs else "")
    meta.update(name=name, command=command, epochs=epochs,
                training_minutes=round(clock.minutes(), 1), hardware=hardware(),
                package_version=kgz.__version__, keras_version=keras.__version__,
                limits=recipe.limits, task=recipe.task,
                data_source="; ".join(v for k, v in SOURCES.items() if k in meta["data"]))
    if recipe.weights_dtype != "float32":  # what the narrower weights cost, on the card
        metrics, headline, _ = measure()
        meta["before_rounding"] = {"headline": reveal(headline, metrics), "metrics": metrics}
        print(f"== {name}: {headline} with float32 weights", flush=True)
    with tempfile.TemporaryDirectory() as staging:  # measure the entry as it will be loaded
        kgz.zoo.save(model, os.path.join(staging, name), {**meta, "headline": "?"}, **store)
        model.set_weights(kgz.zoo.load(os.path.join(staging, name)).get_weights())
    metrics, headline, samples = measure()
    meta.update(headline=reveal(headline, metrics), metrics=metrics)
    directory = out or os.path.join(ROOT, "zoo", name)
    kgz.zoo.save(model, directory, meta, samples=samples, overwrite=True, **store)
    if out is None:
        import zoo_index

        zoo_index.main([])
    shutil.rmtree(backup, ignore_errors=True)
    for path in (kept, clock.path):
        if os.path.exists(path):
            os.remove(path)
    print(f"== {name}: {headline}; {metrics}; {meta['training_minutes']} min -> {directory}",
          flush=True)


def check(name):
    """Measure the bundled entry again and print its card's figures beside the new ones."""
    recipe = zoo_recipes.load(name)
    keras.utils.set_random_seed(0)
    model, _, measure = _build(recipe, recipe.epochs)
    model.set_weights(kgz.zoo.load(name).get_weights())
    metrics, headline, _ = measure()
    headline = reveal(headline, metrics)
    card = kgz.zoo.info(name)
    same = headline == card["headline"]
    print(f"| {name} | {card['headline']} | {headline} | {'same' if same else 'DIFFERS'} |",
          flush=True)
    return same


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=[*zoo_recipes.names(), "all"])
    parser.add_argument("--epochs", type=int, help="override the entry's epochs")
    parser.add_argument("--out", help="write the preset here instead of the package")
    parser.add_argument("--check", action="store_true",
                        help="do not train: re-measure the bundled entry against its card")
    parser.add_argument("--cards", action="store_true",
                        help="do not train: rewrite the stored cards' headlines (precision and "
                             "recall beside the distance) and limits (from the recipe)")
    args = parser.parse_args(argv)
    names = zoo_recipes.names() if args.name == "all" else [args.name]
    if args.cards:  # every written entry; a recipe still in training has no card yet
        return cards([n for n in names if args.name != "all" or
                      os.path.exists(os.path.join(ROOT, "zoo", n, "metadata.json"))])
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

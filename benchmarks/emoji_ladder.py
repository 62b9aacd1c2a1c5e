"""The quality ladder on Twemoji at 64 px: DCGAN, WGAN-GP, SNGAN, SAGAN, BigGAN, LAPGAN, StyleGAN2.

    python benchmarks/emoji_ladder.py steps                         # step costs, idle machine
    python benchmarks/emoji_ladder.py train --model dcgan           # resumable; --seed 1, 2
    python benchmarks/emoji_ladder.py train --all                   # every model in turn
    python benchmarks/emoji_ladder.py score                         # redraw the page's table
    python benchmarks/emoji_ladder.py grids                         # redraw the sample grids
    python benchmarks/emoji_ladder.py steps --torch                 # Keras beside PyTorch, one run
    python benchmarks/emoji_ladder.py params                        # Keras vs PyTorch sizes
    python benchmarks/emoji_ladder.py small --recipe sngan+diffaugment   # 10% of the emoji

Data: Twemoji on white at 64x64 (``kgz.data.emoji``, Twemoji CC-BY 4.0), the
project's split by base emoji: the 3,035 training emoji train every model
(BigGAN also reads their 9 categories); the distances are to them.

Every model sees the same number of images (``--kimg``, 15,000 by default:
5 epochs at batch 32) under ``float32`` with ``fit_resumable`` (a killed run
continues with ``train`` again) into
``benchmarks/results/emoji_ladder/<model>_s<seed>/``. The same wall-clock
budget (``--minutes``, 10 by default) is counted in steps at each model's cost
on an idle machine (``steps``, kept in ``benchmarks/ladder.json``), so that
other work on the machine cannot move it. A run trains until it has done
both, saving a snapshot at each; a finished run is measured at both, with
3,000 samples in the bundled emoji extractor's features: Fréchet and kernel
distance, precision, recall, density, coverage, and for BigGAN the
extractor's category accuracy on the category asked for. The scores go to
``benchmarks/ladder.json`` (runs do not outlive a session, scores do), and
the table and the sample grids (seed 0's 36, a row of 9 from each other seed) to
``docs/benchmarks/ladder.md``; models trained with more than one seed show the
mean, the sample standard deviation and each seed's FD.

``small`` trains SNGAN on a tenth of the training emoji (a fixed draw
``SMALL_SEED``) for the same 15,000 images, plain, with DiffAugment
(colour, translation, cutout) and with ADA, each keeping a moving average of
its generator (0.999): the small-data recipe. Its scores, of the raw and the
averaged generator, are against all 3,035 training emoji (what the ladder
measures) and against the tenth seen, with the memorisation check: the
median feature distance of a sample to its nearest seen emoji, beside the
same for the unseen ones.

The ResNet models (SNGAN, SAGAN, BigGAN) use 16 base filters, StyleGAN2 16
too (the defaults are sized for GPUs); every model keeps a moving average of
its generator where its paper does (BigGAN, StyleGAN2) and only there.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, RESULTS, StepClock, hardware, write_between_markers  # noqa: E402

OUT = RESULTS / "emoji_ladder"
RECORD = Path(__file__).resolve().parent / "ladder.json"
#: Images each model sees, in thousands, and the wall-clock budget in minutes of idle steps.
KIMG, MINUTES = 15.0, 10.0
PAGE = RESULTS.parents[1] / "docs" / "benchmarks" / "ladder.md"
IMAGES = RESULTS.parents[1] / "docs" / "images"
SHAPE = (64, 64, 3)
RESNET = {"architecture": "resnet", "base_filters": 16}

#: StudioGAN's CIFAR-10 FID (Kang et al., PyTorch-StudioGAN README, batch 64, 2021 numbers):
#: the published ordering to compare with.
STUDIOGAN_CIFAR10_FID = {"dcgan": 49.0, "wgan_gp": 25.9, "sngan": 13.2, "sagan": 14.0,
                         "biggan": 8.0}


def _ttur(beta_2=0.9):
    return lambda: (keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=beta_2),
                    keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=beta_2))


#: model: (builder of the compiled model's variant, optimizers (None: the variant's))
MODELS = {
    "dcgan": (lambda seed: kgz.GAN.for_shape(SHAPE, seed=seed), None),
    "wgan_gp": (lambda seed: kgz.WGANGP.for_shape(SHAPE, seed=seed), None),
    "sngan": (lambda seed: kgz.GAN.for_shape(SHAPE, network_kwargs=RESNET, loss="hinge",
                                             seed=seed), _ttur()),
    "sagan": (lambda seed: kgz.SAGAN.for_shape(SHAPE, network_kwargs={"base_filters": 16},
                                               seed=seed), None),
    "biggan": (lambda seed: kgz.BigGAN.for_shape(SHAPE, num_classes=9,
                                                 network_kwargs={"base_filters": 16},
                                                 seed=seed), None),
    "lapgan": (lambda seed: kgz.LAPGAN.for_shape(SHAPE, seed=seed), None),
    "stylegan2": (lambda seed: kgz.StyleGAN2.for_shape(SHAPE, network_kwargs={"base_filters": 16},
                                                       seed=seed), None),
}


#: The small-data recipe on a tenth of the emoji: SNGAN's networks, loss and TTUR, with EMA.
SMALL_FRACTION, SMALL_SEED = 0.1, 0
SMALL_RECIPES = {
    "sngan": {},
    "sngan+diffaugment": {"augment": "diffaugment"},
    "sngan+ada": {"augment": "ada", "ada_kimg": 20},
}


def emoji(split="train"):
    return kgz.data.to_arrays(kgz.data.emoji(DATA / "emoji", "twemoji", split=split))


def run_dir(model, seed):
    return OUT / f"{model}_s{seed}"


def load_record():
    """The measured runs and step costs kept in git (``benchmarks/ladder.json``): a session's
    runs do not outlive it, their scores do."""
    return json.loads(RECORD.read_text()) if RECORD.exists() else {"step_seconds": {},
                                                                   "runs": {}}


def save_record(record):
    RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def budget_steps(model_name, minutes, record):
    """The training steps that fill ``minutes`` at the model's step cost on an idle machine
    (from ``steps``): a budget that other work on the machine cannot move."""
    seconds = record["step_seconds"].get(model_name)
    if seconds is None:
        raise SystemExit(f"no step cost for {model_name} in {RECORD.name}: run "
                         f"`python benchmarks/emoji_ladder.py steps {model_name}` first, "
                         "with the machine otherwise idle")
    return int(minutes * 60 // seconds)


class Snapshots(keras.callbacks.Callback):
    """Save the model when the generator has made a given number of updates:
    ``{updates: path}``."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_train_batch_end(self, batch, logs=None):
        path = self.at.get(int(self.model.generator_optimizer.iterations))
        if path is not None:
            self.model.save(path)


def train(model_name, seed, kimg, minutes, batch_size=32):
    """Train a run until it has seen ``kimg`` thousand images and spent the budget, saving a
    snapshot at each, then measure it."""
    record = load_record()
    budget = budget_steps(model_name, minutes, record)
    seen = int(np.ceil(kimg * 1000 / batch_size))
    keras.utils.set_random_seed(seed)
    x, y = emoji()
    directory = run_dir(model_name, seed)
    directory.mkdir(parents=True, exist_ok=True)
    resume = (directory / kgz.training.CHECKPOINT).exists()
    model = None
    if not resume:
        build, optimizers = MODELS[model_name]
        model = build(seed)
        g_opt, d_opt = optimizers() if optimizers else (None, None)
        model.compile(generator_optimizer=g_opt, discriminator_optimizer=d_opt)
    labels = y if model_name == "biggan" else None
    epochs = int(np.ceil(max(seen, budget) / (len(x) // batch_size)))
    started = time.perf_counter()
    kgz.training.fit_resumable(
        model, x, labels, directory=str(directory), epochs=epochs, batch_size=batch_size,
        seed=seed, resume=resume, verbose=2, callbacks=[Snapshots(
            {seen: directory / "same_images.keras", budget: directory / "same_time.keras"})])
    print(f"{model_name} seed {seed}: trained {epochs} epochs in "
          f"{(time.perf_counter() - started) / 60:.0f} min this time", flush=True)
    measure_run(model_name, seed, minutes, batch_size)


def _measure(model, real_f, conditional, counts):
    if conditional:
        asked = np.repeat(np.arange(9), np.round(3000 * counts / counts.sum()).astype(int))[:3000]
        images = model.generate(len(asked), labels=asked, seed=1)
    else:
        images = model.generate(3000, seed=1)
    fake_f = kgz.metrics.features(images, extractor="emoji")
    m = {"fd": kgz.metrics.frechet_distance(real_f, fake_f),
         "kid_x1000": 1000 * kgz.metrics.kernel_distance(real_f, fake_f)[0],
         **kgz.metrics.precision_recall(real_f, fake_f), **kgz.metrics.density_coverage(
             real_f, fake_f)}
    if conditional:
        m["class_accuracy"] = float(np.mean(kgz.metrics.classify_emoji(images) == asked))
    return {k: round(float(v), 4) for k, v in m.items()}


def measure_run(name, seed, minutes, batch_size=32):
    """Measure a finished run at its two snapshots (the same images, the same time), keep the scores in
    ``benchmarks/ladder.json``, draw seed 0's grid and rewrite the page's table."""
    directory = run_dir(name, seed)
    x, y = emoji()
    real_f = kgz.metrics.features(x, extractor="emoji")
    counts = np.bincount(y, minlength=9)
    record = load_record()
    row = {"hardware": hardware(), "minutes": minutes}
    for when in ("same_images", "same_time"):
        model = keras.saving.load_model(directory / f"{when}.keras")
        steps = int(model.generator_optimizer.iterations)
        row[when] = {**_measure(model, real_f, name == "biggan", counts), "steps": steps,
                     "images": steps * batch_size,
                     "idle_minutes": round(steps * record["step_seconds"][name] / 60, 1)}
        if when == "same_images":
            draw_grid(model, name, seed)
    record = load_record()  # again: another run may have saved its scores while this one measured
    record["runs"].setdefault(name, {})[str(seed)] = row
    save_record(record)
    print(f"{name} seed {seed}: {json.dumps(row)}", flush=True)
    write_table(record)


def grid_path(name, seed):
    return IMAGES / (f"ladder_{name}.png" if seed == 0 else f"ladder_{name}_s{seed}.png")


def draw_grid(model, name, seed):
    """Seed 0's grid: 36 samples (BigGAN: a column a category). Other seeds': one row of 9, to
    show how far seeds differ at this stage."""
    count = 36 if seed == 0 else 9
    labels = {"labels": np.arange(count) % 9} if name == "biggan" else {}
    kgz.visualize.save_image_grid(model.generate(count, seed=0, **labels), grid_path(name, seed),
                                  ncols=9)


def redraw_grids(record):
    """Draw the grids of every finished run again from its same-images snapshot."""
    for name in MODELS:
        for seed in sorted(map(int, record["runs"].get(name, {}))):
            path = run_dir(name, seed) / "same_images.keras"
            if not path.exists():
                print(f"{name} seed {seed}: no snapshot at {path}; grid left as it is")
                continue
            draw_grid(keras.saving.load_model(path), name, seed)
            print(f"{name} seed {seed}: drew {grid_path(name, seed).name}")


def _grid_section(record):
    """Seed 0's grids, each followed by a row from every other seed trained."""
    parts = []
    for name in MODELS:
        seeds = sorted((int(s) for s in record["runs"].get(name, {})
                        if grid_path(name, int(s)).exists()))
        if 0 not in seeds:
            continue
        extra = "; a column a category" if name == "biggan" else ""
        fd = record["runs"][name]["0"]["same_images"]["fd"]
        parts.append(f"**{name}** (seed 0, after {KIMG * 1000:,.0f} images, FD {fd:.1f}{extra})\n\n"
                     f"![{name} samples](../images/{grid_path(name, 0).name})\n")
        for seed in seeds[1:]:
            fd = record["runs"][name][str(seed)]["same_images"]["fd"]
            parts.append(f"{name}, seed {seed} (FD {fd:.1f})\n\n"
                         f"![{name} seed {seed} samples](../images/{grid_path(name, seed).name})\n")
    return "\n".join(parts).rstrip()


def write_table(record):
    """The page's tables from ``benchmarks/ladder.json``: the step costs and the ladder."""
    costs = ["| model | seconds a step (batch 32, 64 px) |", "| --- | ---: |"]
    costs += [f"| {name} | {record['step_seconds'][name]:.2f} |" for name in MODELS
              if name in record["step_seconds"]]
    write_between_markers(PAGE, "ladder steps", "\n".join(
        costs + ["", f"Measured on {record['step_hardware']}, the machine otherwise idle."]))
    if not record["runs"]:
        return
    minutes = {r["minutes"] for runs in record["runs"].values() for r in runs.values()}
    text = table(record["runs"], ", ".join(f"{m:g}" for m in sorted(minutes)))
    write_between_markers(PAGE, "ladder table", text)
    write_between_markers(PAGE, "ladder grids", _grid_section(record))
    if record.get("small_data"):
        write_between_markers(PAGE, "ladder small data", small_table(record))
    if record.get("torch", {}).get("steps"):
        write_between_markers(PAGE, "ladder torch", torch_table(record))


def _keras_step_seconds(name, count=8, batch_size=32):
    """The median seconds of a Keras training step of ladder model ``name`` (the first two
    steps, which trace the graph, left out)."""
    x = np.random.default_rng(0).uniform(-1, 1, (batch_size * count, *SHAPE)).astype("float32")
    y = (np.arange(len(x)) % 9).astype("int32")
    build, optimizers = MODELS[name]
    model = build(0)
    g_opt, d_opt = optimizers() if optimizers else (None, None)
    model.compile(generator_optimizer=g_opt, discriminator_optimizer=d_opt)
    clock = StepClock()
    model.fit(x, y if name == "biggan" else None, batch_size=batch_size, epochs=1, verbose=0,
              callbacks=[clock])
    return float(np.median(np.diff(clock.times)[1:]))


def steps(names, count=8, batch_size=32):
    """The median seconds of a training step of each model (batch 32 of 64 px images, the
    ladder's settings), kept in ``benchmarks/ladder.json``: the wall-clock budget is counted
    in them."""
    print(f"| model | seconds a step (batch {batch_size}, 64 px) |\n| --- | ---: |")
    for name in names:
        seconds = _keras_step_seconds(name, count, batch_size)
        print(f"| {name} | {seconds:.2f} |", flush=True)
        record = load_record()
        record["step_seconds"][name] = round(seconds, 3)
        record["step_hardware"] = hardware()
        save_record(record)
    print(f"\n{hardware()}")


#: Rows whose nearest seen emoji the small-data table measures (of the samples and of the
#: unseen training emoji): enough for a median, and the distance matrix stays small.
NEAREST_ROWS = 1000


def small_split(x):
    """The tenth of the training emoji the small-data runs see, and the rest (fixed draw)."""
    order = np.random.default_rng(SMALL_SEED).permutation(len(x))
    k = int(round(SMALL_FRACTION * len(x)))
    return np.sort(order[:k]), np.sort(order[k:])


def train_small(recipe, seed=0, kimg=KIMG, batch_size=32):
    """SNGAN on a tenth of the emoji with ``recipe``'s augmentation and EMA, for ``kimg``
    thousand images; then measured (``measure_small``)."""
    keras.utils.set_random_seed(seed)
    x, _ = emoji()
    seen, _ = small_split(x)
    directory = OUT / f"small_{recipe.replace('+', '_')}_s{seed}"
    resume = (directory / kgz.training.CHECKPOINT).exists()
    model = None
    if not resume:
        model = kgz.GAN.for_shape(SHAPE, network_kwargs=RESNET, loss="hinge", ema=0.999,
                                  seed=seed, **SMALL_RECIPES[recipe])
        model.compile(*_ttur()())
    steps = int(np.ceil(kimg * 1000 / batch_size))
    epochs = int(np.ceil(steps / (len(seen) // batch_size)))
    model, _ = kgz.training.fit_resumable(model, x[seen], directory=str(directory),
                                          epochs=epochs, batch_size=batch_size, seed=seed,
                                          resume=resume, verbose=2)
    model.save(directory / "model.keras")
    measure_small(recipe, seed, model)


def measure_small(recipe, seed, model):
    x, _ = emoji()
    seen, unseen = small_split(x)
    every_f = kgz.metrics.features(x, extractor="emoji")
    seen_f, unseen_f = every_f[seen], every_f[unseen]

    def nearest_seen(f):  # median distance of each row to its nearest seen emoji
        d = ((f[:, None, :] - seen_f[None]) ** 2).sum(-1)
        return float(np.median(np.sqrt(d.min(1))))

    row = {"steps": int(model.generator_optimizer.iterations), "seen": len(seen),
           "unseen": len(unseen),
           "hardware": hardware(),
           "unseen_nearest_seen": round(nearest_seen(unseen_f[:NEAREST_ROWS]), 3)}
    for use_ema in (False, True):
        images = model.generate(3000, seed=1, use_ema=use_ema)
        f = kgz.metrics.features(images, extractor="emoji")
        scores = {"fd": kgz.metrics.frechet_distance(every_f, f),
                  "fd_seen": kgz.metrics.frechet_distance(seen_f, f),
                  "kid_x1000": 1000 * kgz.metrics.kernel_distance(every_f, f)[0],
                  **kgz.metrics.precision_recall(every_f, f),
                  **kgz.metrics.density_coverage(every_f, f),
                  "nearest_seen": nearest_seen(f[:NEAREST_ROWS])}
        row["ema" if use_ema else "raw"] = {k: round(float(v), 4) for k, v in scores.items()}
        if use_ema and seed == 0:
            kgz.visualize.save_image_grid(images[:36], IMAGES / f"ladder_small_{recipe.replace('+', '_')}.png",
                                          ncols=9)
    record = load_record()
    record.setdefault("small_data", {}).setdefault(recipe, {})[str(seed)] = row
    save_record(record)
    print(f"{recipe} seed {seed} on a tenth: {json.dumps(row)}", flush=True)
    write_table(record)


def small_table(record):
    """The small-data table: each recipe's raw and averaged generator, and SNGAN on all."""
    first = next(r for rs in record["small_data"].values() for r in rs.values())
    total = first["seen"] + first["unseen"]
    keys = [("fd", f"FD (all {total:,})", ".1f"), ("fd_seen", f"FD (the {first['seen']} seen)",
                                                    ".1f"),
            ("kid_x1000", "KID x 1000", ".1f"), ("precision", "precision", ".2f"),
            ("recall", "recall", ".2f"), ("coverage", "coverage", ".2f"),
            ("nearest_seen", "nearest seen (median)", ".2f")]
    lines = ["| training emoji | recipe | generator | seeds | " + " | ".join(k[1] for k in keys)
             + " |", "| --- | --- | --- | ---: |" + " ---: |" * len(keys)]
    full = [r["same_images"] for r in record["runs"].get("sngan", {}).values()]
    if full:
        lines.append(f"| {total:,} (all) | sngan | raw | {len(full)} | " + " | ".join(
            _cell([r.get(k) for r in full], fmt) for k, _, fmt in keys) + " |")
    for recipe in SMALL_RECIPES:
        runs = list(record.get("small_data", {}).get(recipe, {}).values())
        for which in ("raw", "ema"):
            if runs:
                lines.append(f"| {runs[0]['seen']:,} (a tenth) | {recipe} | "
                             f"{'EMA 0.999' if which == 'ema' else 'raw'} | {len(runs)} | "
                             + " | ".join(_cell([r[which].get(k) for r in runs], fmt)
                                          for k, _, fmt in keys) + " |")
    lines += ["", f"The training emoji not seen (the first {NEAREST_ROWS:,} of "
                  f"{first['unseen']:,}) lie at a median feature distance of "
                  f"{first['unseen_nearest_seen']:.2f} from their nearest seen "
                  "emoji: samples much nearer than that copy the seen ones."]
    for recipe in SMALL_RECIPES:  # the averaged generator's samples, seed 0
        grid = f"ladder_small_{recipe.replace('+', '_')}.png"
        if recipe in record["small_data"] and (IMAGES / grid).exists():
            lines += ["", f"{recipe} on a tenth, EMA generator:", "",
                      f"![{recipe} on a tenth of the emoji](../images/{grid})"]
    return "\n".join(lines)


def torch_steps(names, count=8, batch_size=32):
    """Each model's Keras step beside its PyTorch eager reference's, timed in one run
    (``benchmarks/torch_reference.py``'s ``LADDER``: the same networks, losses and updates
    a step, float32, channels first), batch 32 of 64 px images (BigGAN with labels of the 9
    categories). Both sides leave out their first two steps and take the median of the
    next ``count - 2``. StyleGAN2 regularises lazily (R1 every 16 discriminator updates,
    path length every 4 generator updates), so its PyTorch side runs 16 steps, a whole
    number of both, and keeps their mean (the amortised cost) too; a median leaves the
    regularised steps out. The figures go to ``benchmarks/ladder.json`` (``torch``) and
    the page's table; the ladder's own step costs (its budget) are not touched."""
    import torch
    import torch_reference

    torch.set_num_threads(os.cpu_count())
    record = load_record()
    rows = record.setdefault("torch", {"steps": {}})
    for name in names:
        if name not in torch_reference.LADDER:
            print(f"{name}: no PyTorch reference", flush=True)
            continue
        keras_seconds = _keras_step_seconds(name, count, batch_size)
        torch.manual_seed(0)
        step, shape = torch_reference.LADDER[name](batch_size)
        rng = np.random.default_rng(0)
        real = torch.from_numpy(rng.uniform(-1, 1, shape).astype("float32"))
        inputs = (real,) if step.num_classes is None else (
            real, torch.arange(batch_size) % step.num_classes)
        for _ in range(2):
            step(*inputs)
        laps = []
        for _ in range(max(count - 2, step.period)):
            start = time.perf_counter()
            step(*inputs)
            laps.append(time.perf_counter() - start)
        rows["steps"][name] = {"keras": round(keras_seconds, 3),
                               "torch": round(float(np.median(laps)), 3),
                               "torch_mean": round(float(np.mean(laps)), 3),
                               "torch_steps_timed": len(laps)}
        print(name, rows["steps"][name], flush=True)
    rows["hardware"] = f"{hardware()}; PyTorch {torch.__version__}, {torch.get_num_threads()} threads"
    save_record(record)
    write_table(record)


def torch_table(record):
    lines = ["| model | Keras (s a step) | PyTorch eager (s a step) | PyTorch / Keras |",
             "| --- | ---: | ---: | ---: |"]
    for name in MODELS:
        r = record["torch"]["steps"].get(name)
        if r is None:
            continue
        mean = (f" (mean of {r['torch_steps_timed']} with the lazy regularisation: "
                f"{r['torch_mean']:.2f})" if name == "stylegan2" else "")
        lines.append(f"| {name} | {r['keras']:.2f} | {r['torch']:.2f}{mean} | "
                     f"{r['torch'] / r['keras']:.2f} |")
    return "\n".join(lines + ["", f"Both timed in one run on {record['torch']['hardware']}, "
                                   "the machine otherwise idle; batch 32, 64 px, float32."])


def parameter_counts(names):
    """Each model's Keras networks beside its PyTorch reference's: trainable parameters
    (these should agree), and all weights (Keras ``count_params()``, with batch-norm
    statistics and spectral norm's ``u``; PyTorch's parameters and buffers, with batch norm's
    step count and spectral norm's ``u`` and ``v``). Builds the models, trains nothing."""
    import torch_reference

    print("| model | network | Keras trainable | PyTorch trainable | PyTorch / Keras | "
          "Keras count_params() | PyTorch parameters + buffers |\n"
          "| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        model = MODELS[name][0](0)
        if name not in torch_reference.LADDER:
            print(f"| {name} | - | - | no PyTorch reference | - | - | - |")
            continue
        step, _ = torch_reference.LADDER[name](2)
        for role in ("generator", "discriminator"):
            network = getattr(model, role)
            trainable = sum(int(np.prod(w.shape)) for w in network.trainable_weights)
            own, buffers = torch_reference.parameter_counts(step.networks[role])
            print(f"| {name} | {role} | {trainable:,} | {own:,} | {own / trainable:.4f} | "
                  f"{network.count_params():,} | {own + buffers:,} |", flush=True)


def _cell(values, fmt):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return format(values[0], fmt)
    # the sample standard deviation: with two or three seeds, the population one understates
    return f"{format(np.mean(values), fmt)} ± {format(np.std(values, ddof=1), fmt)}"


def table(results, minutes):
    keys = [("fd", "FD", ".1f"), ("kid_x1000", "KID x 1000", ".1f"), ("precision", "precision",
            ".2f"), ("recall", "recall", ".2f"), ("density", "density", ".2f"),
            ("coverage", "coverage", ".2f"), ("class_accuracy", "class accuracy", ".2f")]
    lines = []
    for when, title in (("same_images", "the same images seen"),
                        ("same_time", f"the same wall-clock budget ({minutes} min of "
                                      "steps at their idle cost)")):
        lines += [f"**At {title}**", "",
                  "| model | seeds | " + " | ".join(k[1] for k in keys)
                  + " | steps | StudioGAN CIFAR-10 FID |",
                  "| --- | ---: |" + " ---: |" * (len(keys) + 2)]
        spread = []
        for name in MODELS:
            by_seed = sorted(results.get(name, {}).items(), key=lambda item: int(item[0]))
            runs = [run[when] for _, run in by_seed if run.get(when)]
            if not runs:
                continue
            cells = [_cell([r.get(k) for r in runs], fmt) for k, _, fmt in keys]
            lines.append(f"| {name} | {len(runs)} | " + " | ".join(cells)
                         + f" | {_cell([r['steps'] for r in runs], '.0f')} | "
                         + f"{STUDIOGAN_CIFAR10_FID.get(name, '-')} |")
            if len(runs) > 1:
                spread.append(f"{name} " + ", ".join(f"{r['fd']:.1f}" for r in runs))
        if spread:
            lines += ["", "FD of each seed, in seed order: " + "; ".join(spread) + "."]
        lines.append("")
    return "\n".join(lines).rstrip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    tr = commands.add_parser("train", help="train (or resume) a run, then measure it")
    tr.add_argument("--model", choices=list(MODELS))
    tr.add_argument("--all", action="store_true")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--kimg", type=float, default=KIMG)
    tr.add_argument("--minutes", type=float, default=MINUTES)
    sc = commands.add_parser("score", help="measure finished runs again, or just redraw the "
                                            "table from benchmarks/ladder.json")
    sc.add_argument("runs", nargs="*", help="MODEL:SEED of finished runs to measure again")
    sc.add_argument("--minutes", type=float, default=MINUTES)
    sm = commands.add_parser("small", help="SNGAN on a tenth of the emoji: a small-data recipe")
    sm.add_argument("--recipe", choices=list(SMALL_RECIPES))
    sm.add_argument("--all", action="store_true")
    sm.add_argument("--seed", type=int, default=0)
    st = commands.add_parser("steps", help="time a training step of each model (idle machine)")
    st.add_argument("models", nargs="*", default=list(MODELS))
    st.add_argument("--torch", action="store_true",
                    help="time each model beside its PyTorch eager reference (torch_reference.py) "
                         "in one run; kept apart from the ladder's budget")
    commands.add_parser("grids", help="draw the sample grids of finished runs again")
    pc = commands.add_parser("params", help="parameter counts of the Keras models beside their "
                                            "PyTorch references (builds them, trains nothing)")
    pc.add_argument("models", nargs="*", default=list(MODELS))
    args = parser.parse_args(argv)
    if args.command == "train":
        if not (args.all or args.model):
            parser.error("train needs --model NAME or --all")
        for name in (MODELS if args.all else [args.model]):
            train(name, args.seed, args.kimg, args.minutes)
    elif args.command == "steps":
        (torch_steps if args.torch else steps)(args.models)
    elif args.command == "grids":
        record = load_record()
        redraw_grids(record)
        write_table(record)
    elif args.command == "params":
        parameter_counts(args.models)
    elif args.command == "small":
        if not (args.all or args.recipe):
            parser.error("small needs --recipe NAME or --all")
        for recipe in (SMALL_RECIPES if args.all else [args.recipe]):
            train_small(recipe, args.seed)
    else:
        for run in args.runs:
            name, _, seed = run.partition(":")
            measure_run(name, int(seed or 0), args.minutes)
        write_table(load_record())


if __name__ == "__main__":
    main()

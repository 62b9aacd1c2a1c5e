"""Training on folders of 1,000 to 100,000 images: memory, time to the first step, input speed.

Behind docs/benchmarks/data-scale.md. Three steps, each rerunnable:

    python benchmarks/data_scale.py make  --counts 1000 10000 100000   # synthetic JPEG folders
    python benchmarks/data_scale.py run   --counts 1000 10000 100000 --sizes 64 128 256
    python benchmarks/data_scale.py epoch --count 3000 --size 256      # one epoch, command line

``make`` writes 256x256 JPEGs (quality 90) made from the real data of
``../shared/data``: random crops (70-100% of the side) and flips of the
facades photos (the left halves) and of the emoji (both styles, composited on
a random plain colour), so no two files are the same. ``run`` measures each
(count, size, kind) in a fresh process: peak memory of the whole process
(``ru_maxrss``), time from opening the data to the end of the first training
step, the training step's images/s (the default GAN of ``keras-gan-zoo
train``, batch 64, at the precision ``--precision auto`` picks), the input
pipeline's images/s alone (reading, decoding, resizing, batching; no model),
and one epoch's time (measured for 1,000 images at 64 px, else the measured step time
times the steps of an epoch, marked "est."). Kinds: ``folder`` (the JPEGs),
``zip`` (made once by ``keras-gan-zoo prepare``, its time reported) and
``arrays`` (``kgz.data.load``: the whole set in memory as float32; skipped
where it would need more than 6 GB). With ``--cold`` the page cache is emptied
before each row, so the files come from the disk as in a first epoch. ``run``
writes the table into the page between its markers.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import DATA, write_between_markers  # noqa: E402

ROOT = Path(os.environ.get("KGZ_SCALE_DIR", "/tmp/kgz_scale"))
PAGE = HERE.parent / "docs" / "benchmarks" / "data-scale.md"
RESULTS = HERE / "results" / "data_scale.json"
BATCH = 64
ARRAY_LIMIT_GB = 6.0


# ------------------------------------------------------------------ make
def _variants(seed, count):
    """``count`` 256x256 RGB PIL images from the real data, each a different crop and flip."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    facades = sorted((DATA / "facades").glob("image_*.jpg"))
    emoji = sorted((DATA / "emoji" / "twemoji").glob("*.png")) + sorted(
        (DATA / "emoji" / "noto").glob("*.png"))
    for _ in range(count):
        if rng.random() < 0.5:
            with Image.open(facades[rng.integers(len(facades))]) as pair:
                image = pair.convert("RGB").crop((0, 0, pair.width // 2, pair.height))
        else:
            with Image.open(emoji[rng.integers(len(emoji))]) as icon:
                colour = tuple(int(c) for c in rng.integers(0, 256, 3)) + (255,)
                back = Image.new("RGBA", icon.size, colour)
                image = Image.alpha_composite(back, icon.convert("RGBA")).convert("RGB")
        side = int(min(image.size) * rng.uniform(0.7, 1.0))
        left = int(rng.integers(0, image.width - side + 1))
        top = int(rng.integers(0, image.height - side + 1))
        image = image.crop((left, top, left + side, top + side)).resize((256, 256), Image.BICUBIC)
        if rng.random() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
        yield image


def _write_part(args):
    folder, start, stop = args
    for i, image in enumerate(_variants(start, stop - start), start):
        image.save(Path(folder) / f"img{i:06d}.jpg", quality=90)
    return stop - start


def make(counts):
    from multiprocessing import Pool

    for count in counts:
        folder = ROOT / f"jpeg_{count}"
        if folder.is_dir() and len(os.listdir(folder)) == count:
            print(f"{folder}: {count} files already")
            continue
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        parts = [(str(folder), a, min(a + 1000, count)) for a in range(0, count, 1000)]
        with Pool(os.cpu_count()) as pool:
            done = sum(pool.map(_write_part, parts))
        size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
        print(f"{folder}: {done} JPEGs, {size:.0f} MB, {time.perf_counter() - start:.0f} s",
              flush=True)


# ------------------------------------------------------------------ one measurement
def one(kind, count, size, steps, batch=64):
    """Measure one configuration in this process; print a JSON line."""
    began = time.perf_counter()
    import keras_gan_zoo as kgz  # before TensorFlow: the kernels the package's users get
    import numpy as np
    import keras

    from keras_gan_zoo import runtime

    imported = time.perf_counter() - began
    policy, _ = runtime.choose_precision("auto")
    keras.mixed_precision.set_global_policy(policy)
    folder = ROOT / f"jpeg_{count}"
    start = time.perf_counter()
    if kind == "folder":
        source = kgz.data.open_source(folder, size=size)
    elif kind == "zip":
        source = kgz.data.open_source(ROOT / f"prepared_{count}_{size}.zip")
    else:
        x, _ = kgz.data.load(str(folder), size=size)
        source = kgz.data.ArraySource(x)
    opened = time.perf_counter() - start
    # the input pipeline alone first (no model in memory yet): its speed and its peak memory
    epoch_steps = source.steps_per_epoch(batch)
    iterator = iter(source.batches(batch, seed=1, epoch=1))
    next(iterator)
    pipe_start, seen = time.perf_counter(), 0
    for _ in range(min(30, epoch_steps - 1)):
        seen += len(next(iterator))
    pipe_rate = seen / (time.perf_counter() - pipe_start)
    del iterator
    pipeline_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    build = time.perf_counter()
    model = kgz.GAN.for_data(source, seed=0)
    model.compile()
    times = []

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter())

    measure_epoch = count <= 1000 and size == 64
    # the stream fit_resumable reads: epoch 0's batches, the first of them timed
    model.fit(source.batches(batch, seed=0, epoch=0), epochs=1, verbose=0, callbacks=[Clock()],
              steps_per_epoch=epoch_steps if measure_epoch else steps)
    first_step = opened + (times[0] - build)  # open + build + trace + the first step
    step_times = np.diff(times)
    step_rate = batch / float(np.median(step_times)) if len(step_times) else float("nan")
    epoch = (times[-1] - times[0] + (times[1] - times[0] if len(times) > 1 else 0)
             if measure_epoch else epoch_steps * float(np.median(step_times)))
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(json.dumps({"kind": kind, "count": count, "size": size, "policy": policy,
                      "batch": batch, "pipeline_peak_gb": pipeline_gb,
                      "import_s": imported, "open_s": opened, "first_step_s": first_step,
                      "step_img_s": step_rate, "pipeline_img_s": pipe_rate,
                      "epoch_s": epoch, "epoch_measured": measure_epoch,
                      "peak_gb": peak_gb}), flush=True)


# ------------------------------------------------------------------ the table
def _drop_caches():
    """Empty the page cache (root only), so the files come from the disk as on a first epoch."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
    except OSError as error:
        print(f"could not drop the page cache ({error}); the files may be cached", flush=True)


def run(counts, sizes, kinds, steps, cold=False, batch=BATCH):
    from keras_gan_zoo import runtime

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for count in counts:
        for size in sizes:
            for kind in kinds:
                key = f"{kind}/{count}/{size}" + ("" if batch == BATCH else f"/b{batch}")
                if kind == "arrays" and count * size * size * 3 * 4 / 1e9 > ARRAY_LIMIT_GB:
                    need = count * size * size * 3 * 4 / 1e9
                    results[key] = {"kind": kind, "count": count, "size": size,
                                    "skipped": f"needs {need:.0f} GB as float32"}
                    continue
                prepared = None
                if kind == "zip":
                    prepared = _prepare(count, size)
                if cold:
                    _drop_caches()
                out = subprocess.run([sys.executable, __file__, "one", kind, str(count), str(size),
                                      "--steps", str(steps), "--batch", str(batch)],
                                     capture_output=True, text=True)
                lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
                if out.returncode or not lines:
                    results[key] = {"kind": kind, "count": count, "size": size,
                                    "skipped": f"failed: {out.stderr.strip().splitlines()[-1][:200]}"}
                else:
                    results[key] = json.loads(lines[-1])
                    if prepared is not None:
                        results[key]["prepare_s"] = prepared
                    results[key]["cache"] = "cold" if cold else "warm"
                print(key, results[key], flush=True)
                RESULTS.parent.mkdir(exist_ok=True)
                results["_hardware"] = f"{runtime.cpu_name()}, {os.cpu_count()} cores"
                RESULTS.write_text(json.dumps(results, indent=1))
    write_table(results)


def _prepare(count, size):
    out = ROOT / f"prepared_{count}_{size}.zip"
    if out.exists():
        manifest = json.loads(__import__("zipfile").ZipFile(out).read("manifest.json"))
        return manifest["seconds"]
    subprocess.run(["keras-gan-zoo", "prepare", str(ROOT / f"jpeg_{count}"), "--size", str(size),
                    "--out", str(out), "--verbose", "0"], check=True)
    manifest = json.loads(__import__("zipfile").ZipFile(out).read("manifest.json"))
    return manifest["seconds"]


def write_table(results):
    rows = ["| images | px | data | batch | peak memory: input alone / training | open | "
            "first step | step img/s | input img/s (alone) | one epoch |",
            "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key, r in sorted(((k, v) for k, v in results.items() if not k.startswith("_")),
                         key=lambda kv: (kv[1]["count"], kv[1]["size"],
                                         ["folder", "zip", "arrays"].index(kv[1]["kind"]),
                                         kv[1].get("batch", BATCH))):
        kind = r["kind"] + (f" (prepare {r['prepare_s']:.0f} s)" if "prepare_s" in r else "")
        kind += ", cold cache" if r.get("cache") == "cold" else ""
        if "skipped" in r:
            rows.append(f"| {r['count']:,} | {r['size']} | {kind} | {r.get('batch', BATCH)} | - | "
                        f"- | - | - | - | not run: {r['skipped']} |")
            continue
        epoch = _duration(r["epoch_s"]) + ("" if r["epoch_measured"] else " est.")
        alone = f"{r['pipeline_peak_gb']:.2f}" if "pipeline_peak_gb" in r else "-"
        rows.append(f"| {r['count']:,} | {r['size']} | {kind} | {r.get('batch', BATCH)} | "
                    f"{alone} / {r['peak_gb']:.2f} GB | {r['open_s']:.1f} s | "
                    f"{r['first_step_s']:.0f} s | {r['step_img_s']:.1f} | "
                    f"{r['pipeline_img_s']:.0f} | {epoch} |")
    policy = next((r.get("policy") for r in results.values()
                   if isinstance(r, dict) and r.get("policy")), "?")
    table = "\n".join(rows) + (f"\n\nMeasured on {results.get('_hardware', '?')}, precision "
                               f"`{policy}` (what `--precision auto` picks there).")
    write_between_markers(PAGE, "data-scale table", table)
    print(table)


def _duration(seconds):
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


# ------------------------------------------------------------------ one CLI epoch
def epoch(count, size):
    """``keras-gan-zoo train gan`` for one epoch on ``count`` JPEGs: wall time and peak memory."""
    import shutil

    folder = ROOT / f"jpeg_{count}"
    if not folder.is_dir():
        make([count])
    out = ROOT / "runs" / f"cli_{count}_{size}"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run(["keras-gan-zoo", "train", "gan", "--data", str(folder), "--size",
                             str(size), "--epochs", "1", "--out", str(out), "--verbose", "1"],
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    print(result.stdout[:1500] + ("\n...\n" + result.stdout[-1500:] if len(result.stdout) > 3000
                                   else result.stdout[1500:]))
    print(f"exit {result.returncode}; {count} images at {size} px, one epoch from the command "
          f"line: {_duration(wall)} wall, peak memory {peak:.2f} GB", flush=True)
    if result.returncode:
        print(result.stderr[-2000:])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("--counts", type=int, nargs="+", default=[1000, 10000, 100000])
    r = sub.add_parser("run")
    r.add_argument("--counts", type=int, nargs="+", default=[1000, 10000, 100000])
    r.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256])
    r.add_argument("--kinds", nargs="+", default=["folder", "zip", "arrays"])
    r.add_argument("--steps", type=int, default=4, help="timed training steps past the first")
    r.add_argument("--batch", type=int, default=BATCH)
    r.add_argument("--cold", action="store_true",
                   help="empty the page cache before each row (root): files come from the disk")
    o = sub.add_parser("one")
    o.add_argument("kind")
    o.add_argument("count", type=int)
    o.add_argument("size", type=int)
    o.add_argument("--steps", type=int, default=4)
    o.add_argument("--batch", type=int, default=BATCH)
    e = sub.add_parser("epoch")
    e.add_argument("--count", type=int, default=3000)
    e.add_argument("--size", type=int, default=256)
    sub.add_parser("table")
    args = parser.parse_args(argv)
    if args.command == "make":
        make(args.counts)
    elif args.command == "run":
        run(args.counts, args.sizes, args.kinds, args.steps, args.cold, args.batch)
    elif args.command == "one":
        one(args.kind, args.count, args.size, args.steps + 1, args.batch)
    elif args.command == "epoch":
        epoch(args.count, args.size)
    else:
        write_table(json.loads(RESULTS.read_text()))


if __name__ == "__main__":
    main()

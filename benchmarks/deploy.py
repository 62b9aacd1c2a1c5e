"""Deployment: every zoo entry's generator in every format, quantized or not: size, speed, parity, quality.

    python benchmarks/deploy.py                          # every bundled entry
    python benchmarks/deploy.py dcgan_mnist cgan_mnist   # some
    python benchmarks/deploy.py --formats onnx onnx-int8

For each entry the generator is exported (``kgz.export``) as ONNX in float32,
float16 and int8 (static QDQ, calibrated on the generator's own inputs; a
translator on 64 of its training inputs), ONNX with onnxruntime's *dynamic*
int8 quantization (weights of MatMul/Gather only: shown to say why the
static one is the library's), LiteRT and OpenVINO, and each file is run by
its own runtime (``kgz.export.load``) against the Keras model in float32:

* size: the file(s) on disk, MB;
* latency at batch 1 and 64: median of 7 (batch 1) / 3 (batch 64) timed runs
  after one warm-up, milliseconds, inputs drawn as ``generate`` draws them;
* parity: largest and mean |file - Keras| over 64 samples (pixels in [-1, 1]);
* quality: the entry's measure on the file's own outputs: Fréchet distance in
  the bundled digit classifier's features (2,000 samples against the 2,000
  held-out MNIST digits 8,000-9,999; emoji entries: the emoji extractor's
  features against the 3,035 training Twemoji), FCN per-pixel accuracy for facades
  translators (the 100 held-out maps 400-499), labels kept by the digit
  classifier for MNIST -> USPS; and its relative change from Keras.

Run it with the CPU otherwise idle: the latencies are only worth that.
Writes ``benchmarks/results/deploy.json`` and prints the tables of the docs'
deployment page.
"""

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import keras_gan_zoo as kgz  # noqa: E402
from common import DATA, hardware, write_between_markers  # noqa: E402  (puts tools/ on the path)
import train_zoo  # noqa: E402

FORMATS = ("keras", "onnx", "onnx-float16", "onnx-int8", "onnx-int8-dynamic", "litert",
           "openvino")
#: The direction whose quality an entry's card reports (default: the first).
DIRECTION = {"cyclegan_facades": "b_to_a"}
SAMPLES = 2000
RESULTS = os.path.join(os.path.dirname(__file__), "results", "deploy.json")
PAGE = os.path.join(os.path.dirname(__file__), "..", "docs", "benchmarks", "deploy.md")
#: The page lists entries in the zoo's order.
ORDER = {e["name"]: i for i, e in enumerate(kgz.zoo.list())}


# ------------------------------------------------------------------ quality
def _reference(name, model, direction):
    """``(calibration sources or None, quality(images_or_translate) -> float, label)``."""
    signature = model.signature(direction)
    if signature.kind == "sampler":
        shape = signature.output.shape
        if shape[-1] == 1:
            _, (held, _) = train_zoo._mnist()
            real = kgz.metrics.features(held[:SAMPLES], verbose=0)
            return None, (lambda fake: kgz.metrics.frechet_distance(
                real, kgz.metrics.features(fake, verbose=0))), "FD digit features"
        if "emoji" in name:  # the Twemoji the entry trained on, in the emoji extractor's features
            (emoji, _), _ = train_zoo._emoji(shape[0])
            real = kgz.metrics.features(emoji, extractor="emoji", verbose=0)
            return None, (lambda fake: kgz.metrics.frechet_distance(
                real, kgz.metrics.features(fake, extractor="emoji", verbose=0))), \
                "FD emoji features"
        (photos, _), _ = train_zoo._facades(shape[0])
        real = kgz.metrics.features(photos, extractor="facades", verbose=0)
        return None, (lambda fake: kgz.metrics.frechet_distance(
            real, kgz.metrics.features(fake, extractor="facades", verbose=0))), \
            "FD facades features"
    if "facades" in name:
        size = model.source_shape(direction)[0]
        (_, train_maps), (_, maps) = train_zoo._facades(size)
        return (train_maps[:64], maps), (lambda photos: kgz.metrics.fcn_score(photos, maps)[
            "pixel_accuracy"]), "FCN per-pixel accuracy"
    # MNIST -> USPS digits, as cyclegan_mnist_usps is measured
    x = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="train", size=32, deskew=True))[0]
    x_test, y_test = kgz.data.to_arrays(kgz.data.mnist(DATA / "mnist", split="test", size=32,
                                                       deskew=True))
    return (x[:64], x_test), (lambda images: float(np.mean(
        kgz.metrics.classify_digits(images) == y_test))), "labels kept"


def _as_input(runner, sources):
    """Colour label maps as the file takes them: one-hot when its port has more channels
    (GauGAN's generator; its Keras ``translate`` reads the palette itself)."""
    if isinstance(runner, _Keras):
        return sources
    channels = runner.signature().inputs[0].shape[-1]
    if channels != sources.shape[-1]:
        from paired_facades import one_hot

        return one_hot(sources)
    return sources


def _noise(runner):
    """``seed=0`` for a translator that draws noise (GauGAN's z), so both draw the same."""
    return {"seed": 0} if any(p.kind == "normal" for p in runner.signature().inputs) else {}


def _outputs(runner, kind, sources, n=SAMPLES):
    if kind == "sampler":
        return runner.generate(n, seed=1)
    # batches of 16: a 256-px translator's Keras call at 64 leaves TensorFlow's allocator holding
    # ~10 GB, and a float16 session beside it at 64 then runs out of 24 GB
    return runner.translate(_as_input(runner, sources), batch_size=16, **_noise(runner))


# ------------------------------------------------------------------ timing
def _latency(run, repeats):
    run()  # warm-up: the first call builds the runtime's kernels
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _timed_inputs(runner, kind, sources, batch):
    if kind == "sampler":
        return lambda: runner.generate(batch, seed=0, batch_size=batch)
    images = _as_input(runner, np.resize(sources, (batch, *sources.shape[1:])).astype("float32"))
    return lambda: runner.translate(images, batch_size=batch, **_noise(runner))


class _Keras:
    """The Keras model in float32, called as an export is (for the baseline row)."""

    def __init__(self, model, direction):
        self.model, self.direction = model, direction

    def generate(self, n, seed=None, batch_size=256):
        return self.model.generate(n, seed=seed, batch_size=batch_size)

    def signature(self):
        return self.model.signature(self.direction)

    def translate(self, images, batch_size=64, **noise):
        return self.model.translate(images, self.direction, batch_size=batch_size, **noise)


# ------------------------------------------------------------------ export
def _write(model, fmt, folder, direction, calibration):
    """Export ``model`` as ``fmt`` into ``folder``; returns ``(path, files)``."""
    if fmt == "onnx-int8-dynamic":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        source = os.path.join(folder, "float32-for-dynamic.onnx")
        kgz.export.to_onnx(model, source, direction=direction)
        path = os.path.join(folder, "dynamic.onnx")
        quantize_dynamic(source, path, weight_type=QuantType.QInt8)
        return path, [path]
    base, _, mode = fmt.partition("-")
    ending = kgz.export.ENDINGS[base]
    path = os.path.join(folder, f"{fmt}{ending}")
    options = {"direction": direction}
    if mode:
        options["quantize"] = mode
        if mode == "int8" and calibration is not None:
            options["calibration"] = calibration
    kgz.export.export(model, path, format=base, **options)
    files = [path, os.path.splitext(path)[0] + ".bin"] if base == "openvino" else [path]
    return path, files


def measure(name, formats):
    model = kgz.zoo.load(name)
    direction = DIRECTION.get(name)
    signature = model.signature(direction)
    kind = signature.kind
    sources, quality, label = _reference(name, model, direction)
    calibration, held = sources if sources is not None else (None, None)
    if calibration is not None and signature.inputs[0].shape[-1] != calibration.shape[-1]:
        from paired_facades import one_hot

        calibration = one_hot(calibration)
    keras_runner = _Keras(model, direction)
    reference = _outputs(keras_runner, kind, held)
    keras_quality = float(quality(reference))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt in formats:
            print(f"  {name}: {fmt}", file=sys.stderr, flush=True)
            row = {"entry": name, "format": fmt, "quality_measure": label}
            try:
                if fmt == "keras":
                    runner, size = keras_runner, None
                else:
                    path, files = _write(model, fmt, folder, direction, calibration)
                    runner = kgz.export.load(path)
                    size = sum(os.path.getsize(f) for f in files) / 1e6
                made = reference if fmt == "keras" else _outputs(runner, kind, held)
                gap = np.abs(made[:64] - reference[:64])
                score = keras_quality if fmt == "keras" else float(quality(made))
                row.update(
                    size_mb=size, parity_max=float(gap.max()), parity_mean=float(gap.mean()),
                    quality=score, quality_change=(score - keras_quality) / keras_quality,
                    latency_b1_ms=_latency(_timed_inputs(runner, kind, held, 1), 7),
                    latency_b64_ms=_latency(_timed_inputs(runner, kind, held, 64), 3))
            except Exception as error:  # a format that fails is a row that says so
                row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
            rows.append(row)
            # one runtime at a time: a 256-px translator's session holds ~8 GB at batch 64
            runner = made = None
            gc.collect()
    return rows


def page_tables(rows):
    """The page's tables: one per machine the rows were measured on (compare rows within one
    table only), in the order of the entries' first rows."""
    machines = list(dict.fromkeys(r["hardware"] for r in rows))
    blocks = []
    for machine in machines:
        mine = [r for r in rows if r["hardware"] == machine]
        entries = ", ".join(dict.fromkeys(r["entry"] for r in mine))
        blocks.append(f"Measured on {machine}, with the CPU otherwise idle ({entries}):\n\n"
                      + table(mine))
    return "\n\n".join(blocks)


def table(rows):
    lines = ["| entry | format | size MB | x smaller | batch 1 ms | batch 64 ms | max / mean "
             "abs diff | quality | change |", "|" + "---|" * 9]
    sizes = {r["entry"]: r.get("size_mb") for r in rows if r["format"] == "onnx"}
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['entry']} | {r['format']} | failed: {r['error']} |" + " |" * 6)
            continue
        size = "" if r["size_mb"] is None else f"{r['size_mb']:.2f}"
        smaller = ("" if r["size_mb"] is None or not sizes.get(r["entry"]) else
                   f"{sizes[r['entry']] / r['size_mb']:.1f}")
        parity = "-" if r["format"] == "keras" else f"{r['parity_max']:.2g} / {r['parity_mean']:.2g}"
        change = "-" if r["format"] == "keras" else f"{100 * r['quality_change']:+.1f}%"
        lines.append(f"| {r['entry']} | {r['format']} | {size} | {smaller} | "
                     f"{r['latency_b1_ms']:.1f} | {r['latency_b64_ms']:.0f} | {parity} | "
                     f"{r['quality_measure']} {r['quality']:.4g} | {change} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("entries", nargs="*", help="zoo entries (default: all bundled)")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--page", action="store_true",
                        help="only rewrite the docs page's tables from the stored results")
    args = parser.parse_args(argv)
    if args.page:
        with open(RESULTS) as f:
            write_between_markers(PAGE, "deploy table", page_tables(json.load(f)["rows"]))
        return
    entries = args.entries or [e["name"] for e in kgz.zoo.list()]
    print(f"Deployment of the zoo's generators; {hardware()}; "
          f"onnxruntime {__import__('onnxruntime').__version__}")
    rows = []
    for name in entries:
        rows.extend(measure(name, args.formats))
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    previous = {}
    earlier_hardware = None
    if os.path.exists(RESULTS):
        with open(RESULTS) as f:
            stored = json.load(f)
        earlier_hardware = stored.get("hardware")
        previous = {(r["entry"], r["format"]): r for r in stored["rows"]}
    machine = f"{hardware()}, onnxruntime {__import__('onnxruntime').__version__}"
    for row in rows:
        row["hardware"] = machine
    for row in previous.values():  # rows from before rows said where they were measured
        row.setdefault("hardware", earlier_hardware)
    previous.update({(r["entry"], r["format"]): r for r in rows})
    everything = sorted(previous.values(), key=lambda r: (ORDER.get(r["entry"], 99), r["entry"],
                                                          FORMATS.index(r["format"])))
    with open(RESULTS, "w") as f:
        json.dump({"rows": everything}, f, indent=1)
    print(table(rows))
    write_between_markers(PAGE, "deploy table", page_tables(everything))


if __name__ == "__main__":
    main()

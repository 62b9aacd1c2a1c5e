"""What `keras-gan-zoo train gan` costs per resolution with its defaults: step time and memory.

For each image size, in a fresh process (so that peak memory is that run's
alone): the networks ``GAN.for_shape((s, s, 3))`` builds (what ``train gan
--size s`` builds; ``--base-filters`` overrides the ResNets' width to compare
widths), the batch ``train`` uses by default at that size
(``GAN.default_batch_size``), the precision
``--precision auto`` picks on this CPU, ``steps_per_execution`` 1. It reports
the parameters, the first step (tracing included), the median step over
``--steps`` steps after it, images/second, and the peak memory of the
process (``ru_maxrss``). Random images: the input pipeline is not measured
here (``data_scale.py`` does that).

    python benchmarks/resolution.py                          # 32, 64, 128, 256: the defaults
    python benchmarks/resolution.py --sizes 128 256 --base-filters 8 16 32 --write  # widths
    python benchmarks/resolution.py --write                  # also the performance page's table

Time grows with the batch and, at fixed width, with the number of pixels;
the ResNets' widths shrink with the size
(``networks.resnet.default_base_filters``), so the defaults' step time grows
slower than that.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, str(Path(__file__).resolve().parent))  # common.py
RESULTS = Path(__file__).resolve().parent / "results" / "resolution.json"
PAGE = Path(__file__).resolve().parents[1] / "docs" / "benchmarks" / "performance.md"


def child(size, base_filters, steps, batch):
    """One measurement, in this process; prints one JSON line."""
    import keras_gan_zoo as kgz  # before TensorFlow: the kernels the package's users get
    import keras
    import numpy as np

    from keras_gan_zoo import runtime

    policy, _ = runtime.choose_precision("auto", gpus=0)
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    network_kwargs = {} if base_filters is None else {"base_filters": base_filters}
    model = kgz.GAN.for_shape((size, size, 3), network_kwargs=network_kwargs, seed=0)
    model.compile()
    batch = batch or kgz.GAN.default_batch_size((size, size, 3))
    images = np.random.default_rng(0).uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    times = []

    class Clock(keras.callbacks.Callback):
        def on_train_batch_begin(self, step, logs=None):
            self.start = time.perf_counter()

        def on_train_batch_end(self, step, logs=None):
            times.append(time.perf_counter() - self.start)

    data = __import__("tensorflow").data.Dataset.from_tensors(images).repeat()
    model.fit(data, steps_per_epoch=steps + 1, epochs=1, verbose=0, callbacks=[Clock()])
    step = statistics.median(times[1:])
    params = sum(int(np.prod(v.shape)) for net in (model.generator, model.discriminator)
                 for v in net.trainable_variables)
    print(json.dumps({
        "size": size, "base_filters": base_filters, "batch": batch, "policy": policy,
        "architecture": kgz.networks.architecture_for_shape((size, size, 3)),
        "params_m": params / 1e6, "first_s": times[0], "step_s": step,
        "images_per_s": batch / step, "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "onednn": runtime.onednn_enabled(), "cpu": runtime.cpu_name(),
    }), flush=True)


def measure(size, base_filters, steps, batch):
    from common import child_json

    return child_json(__file__, ["--child", size, base_filters or 0, steps, batch or 0],
                      f"size {size}")


def table(rows):
    lines = ["| size | networks (width) | batch | parameters | first step | step | images/s | "
             "peak memory |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        width = ("default" if r["base_filters"] is None else f"base_filters {r['base_filters']}")
        lines.append(f"| {r['size']} px | {r['architecture']} ({width}) | {r['batch']} | "
                     f"{r['params_m']:.2f} M | {r['first_s']:.1f} s | {r['step_s']:.2f} s | "
                     f"{r['images_per_s']:.1f} | {r['peak_gb']:.2f} GB |")
    first = rows[0]
    lines.append(f"\n{first['cpu']}, {os.cpu_count()} cores, {first['policy']} "
                 f"(`--precision auto`), {'oneDNN' if first['onednn'] else 'Eigen'} kernels, "
                 f"steps_per_execution 1, random images; written by "
                 f"`python benchmarks/resolution.py --write`.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 64, 128, 256])
    parser.add_argument("--base-filters", type=int, nargs="+",
                        help="ResNet widths to compare (default: each size's default width)")
    parser.add_argument("--batch", type=int, help="batch size (default: train's default per size)")
    parser.add_argument("--steps", type=int, default=4, help="timed steps after the first")
    parser.add_argument("--write", action="store_true",
                        help="save the rows and write the performance page's table")
    parser.add_argument("--child", nargs=4, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        size, base, steps, batch = args.child
        return child(size, base or None, steps, batch or None)
    rows = []
    for size in args.sizes:
        for base in args.base_filters or [None]:
            row = measure(size, base, args.steps, args.batch)
            rows.append(row)
            print(f"  {size} px, base_filters {base or 'default'}: {row['step_s']:.2f} s a step "
                  f"of {row['batch']}, {row['peak_gb']:.2f} GB", flush=True)
    print(table(rows))
    if args.write:
        from common import write_between_markers

        name = "resolution widths" if args.base_filters else "resolution"
        saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        saved[name] = rows
        RESULTS.write_text(json.dumps(saved, indent=1))
        write_between_markers(PAGE, f"{name} table", table(rows))


if __name__ == "__main__":
    main()

"""TensorFlow's oneDNN kernels against its Eigen kernels, per variant, on this CPU.

TensorFlow reads ``TF_ENABLE_ONEDNN_OPTS`` once, when it loads, and turns
oneDNN's kernels on by itself only on CPUs with AVX-512 VNNI, AVX512-BF16 or
AMX. keras-gan-zoo sets it to 1 on every x86-64 CPU when it is imported
before TensorFlow (``keras_gan_zoo/_backend.py``). This script measures what
that is worth: each variant's float32 training step (the networks, batch and
``steps_per_execution`` of ``throughput.py``) in fresh processes with the
variable at 0 (Eigen) and at 1 (oneDNN), alternating, ``--rounds`` rounds of
two timings each, median images/second.

    python benchmarks/kernels.py                       # every variant, 2 rounds (~25 min here)
    python benchmarks/kernels.py --variants gan --rounds 3
    python benchmarks/kernels.py --write               # also the performance page's table
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # common.py, throughput.py
RESULTS = HERE / "results" / "kernels.json"
PAGE = HERE.parent / "docs" / "benchmarks" / "performance.md"
VARIANTS = ("gan", "wgan_gp", "conditional", "cyclegan", "recipe")
KERNELS = {"Eigen": "0", "oneDNN": "1"}


def child(variant):
    """Two timings of ``variant``'s float32 step in this process; one JSON line."""
    import throughput
    from keras_gan_zoo import runtime

    spe = throughput.LONG_STEP_SPE.get(variant, 8)
    model = throughput.build_kgz(variant, "float32", steps_per_execution=spe)
    steps = 2 * spe if variant in throughput.LONG_STEP_SPE else 48
    run = throughput.keras_timer(model, variant, throughput.BATCH[variant], steps)
    print(json.dumps({"images_per_s": [run(), run()], "onednn": runtime.onednn_enabled(),
                      "cpu": throughput.cpu_line()}), flush=True)


def measure(variant, kernels):
    from common import child_json

    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": KERNELS[kernels], "TF_CPP_MIN_LOG_LEVEL": "3"}
    row = child_json(__file__, ["--child", variant], f"{variant} ({kernels})", env=env)
    if row["onednn"] != (kernels == "oneDNN"):
        raise SystemExit(f"{variant}: asked for {kernels} kernels, TensorFlow ran the others")
    return row


def table(record):
    lines = ["| variant (batch) | Eigen kernels, images/s | oneDNN kernels, images/s | oneDNN / Eigen |",
             "| --- | --- | --- | --- |"]
    for variant, runs in record["runs"].items():
        eigen, onednn = (statistics.median(runs[k]) for k in KERNELS)
        lines.append(f"| {variant} ({record['batch'][variant]}) | {eigen:.1f} "
                     f"({min(runs['Eigen']):.1f} - {max(runs['Eigen']):.1f}) | {onednn:.1f} "
                     f"({min(runs['oneDNN']):.1f} - {max(runs['oneDNN']):.1f}) | "
                     f"**{onednn / eigen:.2f}x** |")
    lines.append(f"\n{record['cpu']}; {record['date']}, float32, {record['rounds']} alternating "
                 f"rounds of two timings, each in a fresh process; median (min - max). Written "
                 f"by `python benchmarks/kernels.py --write`.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write", action="store_true",
                        help="save the run and write the performance page's table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    from throughput import BATCH

    runs, cpu = {v: {k: [] for k in KERNELS} for v in args.variants}, None
    for _ in range(args.rounds):
        for variant in args.variants:
            for kernels in KERNELS:
                row = measure(variant, kernels)
                runs[variant][kernels] += row["images_per_s"]
                cpu = row["cpu"]
                print(f"  {variant} {kernels}: "
                      f"{', '.join(f'{v:.1f}' for v in row['images_per_s'])} images/s", flush=True)
    record = {"cpu": cpu, "date": time.strftime("%Y-%m-%d"), "rounds": args.rounds,
              "batch": {v: BATCH[v] for v in args.variants}, "runs": runs}
    print(table(record))
    if args.write:
        from common import write_between_markers

        RESULTS.write_text(json.dumps(record, indent=1))
        write_between_markers(PAGE, "kernels table", table(record))


if __name__ == "__main__":
    main()

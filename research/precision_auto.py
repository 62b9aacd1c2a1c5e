"""What `--precision auto` picks on this CPU, and the step speed of each precision beside it.

Behind the "Precision" section of docs/benchmarks/data-scale.md:

    python research/precision_auto.py --size 64 --steps 6 --rounds 3

Trains the default GAN of ``keras-gan-zoo train`` (the networks
``GAN.for_shape`` picks at that size, batch 64, ``steps_per_execution`` 1)
on real emoji (``../shared/data/emoji/twemoji``, streamed) under float32 and
mixed_bfloat16 in one process, alternating the two ``--rounds`` times, each
round timing ``--steps`` steps after a warm-up step, and prints images/s per
precision (median over rounds), the ratio, the CPU model and its bf16 flags,
and what ``choose_precision("auto")`` says.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / d) for d in ("benchmarks", "tools")]
from common import DATA  # noqa: E402


def build(policy, source):
    import keras

    import keras_gan_zoo as kgz

    keras.mixed_precision.set_global_policy(policy)
    try:
        model = kgz.GAN.for_data(source, seed=0)
        model.compile()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    import keras_gan_zoo as kgz
    from keras_gan_zoo import runtime

    source = kgz.data.open_source(DATA / "emoji" / "twemoji", size=args.size)
    models = {p: build(p, source) for p in ("float32", "mixed_bfloat16")}
    rates = {p: [] for p in models}
    for r in range(args.rounds):
        for policy, model in models.items():
            data = source.batches(64, seed=0, epoch=r).take(args.steps + 1)
            model.fit(data.take(1), epochs=1, verbose=0)  # warm-up (and trace, first round)
            start = time.perf_counter()
            model.fit(data.skip(1), epochs=1, verbose=0)
            rates[policy].append(64 * args.steps / (time.perf_counter() - start))
    auto, why = runtime.choose_precision("auto", gpus=0)
    f32, bf16 = (float(np.median(rates[p])) for p in ("float32", "mixed_bfloat16"))
    print(f"CPU: {runtime.cpu_name()}; bf16 flags: {', '.join(runtime.cpu_bf16_flags()) or 'none'}")
    print(f"default GAN at {args.size} px, batch 64, {args.steps} steps x {args.rounds} rounds "
          "(alternating):")
    print("| precision | img/s (median) | rounds |")
    print("|---|---:|---|")
    for policy in rates:
        print(f"| {policy} | {np.median(rates[policy]):.1f} | "
              f"{', '.join(f'{v:.1f}' for v in rates[policy])} |")
    print(f"\nmixed_bfloat16 / float32 = {bf16 / f32:.2f}; --precision auto picks {auto}: {why}")


if __name__ == "__main__":
    main()

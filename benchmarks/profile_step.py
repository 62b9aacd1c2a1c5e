"""Where a training step's time goes: TensorFlow's profiler, op by op, summed into classes.

    python benchmarks/profile_step.py                       # DCGAN (bf16) and the recipe step
    python benchmarks/profile_step.py --variants gan --policy float32
    python benchmarks/profile_step.py --top 25              # also the 25 costliest op types

Builds each step as ``benchmarks/throughput.py`` times it (same networks,
batch, ``steps_per_execution`` and dtype policy), trains a few steps to trace
and warm up, then records ``--steps`` steps of ``fit`` with
``tf.profiler.experimental`` and reads the trace (the ``.xplane.pb`` file
TensorBoard's profile plugin reads) with TensorFlow's own protobuf classes.
Every TensorFlow op executed on the host is one event; its time is summed
by class:

* convolutions and matrix multiplies, forward and backward (``Conv2D``,
  ``Conv2DBackpropInput`` / ``Filter``, ``MatMul`` and their fused forms);
* batch normalisation (the ops of ``BatchNormalization`` layers: the scope
  of an op names its layer, and the model says what class the layer is);
* optimizer updates (ops under the optimizers' scopes, ``ResourceApply*``);
* casts (every ``Cast``: the dtype policy's float32 <-> bfloat16 conversions,
  in whichever layer);
* augmentation (ops under ``augment``), spectral norm's power iteration and
  normalisation (the non-convolution ops of ``Spectral*`` layers), the
  generator's moving average (ops under ``ema``);
* everything else (activations, losses, random numbers, reshapes, ...).

An op's time is its own span on the thread that ran it (its kernel may use
both cores), and ops that run side by side both count, so the op time can
exceed the step's wall time; "share" is each class's part of the op time.
Run it with the CPU otherwise idle; the profiler itself slows the step a
little (the wall time per step is printed beside the unprofiled one).
"""

import argparse
import collections
import glob
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_gan_zoo  # noqa: E402,F401  (before TensorFlow: the kernels users of the package get)
import tensorflow as tf  # noqa: E402

import throughput  # noqa: E402
from common import hardware  # noqa: E402

CLASSES = ("convolution / matmul", "batch-norm", "optimizer", "cast", "augmentation",
           "spectral norm", "EMA", "other")
MATMUL = re.compile(r"^_?(Fused)?(Conv2D|Conv2DBackprop\w*|Conv3D\w*|MatMul|BatchMatMul\w*|"
                    r"DepthwiseConv2dNative\w*|FusedConv2D|FusedMatMul|_Mkl\w*Conv\w*|"
                    r"_Mkl\w*MatMul\w*)$")
# an executed op's event is named "scope/.../name:Type"
OP_EVENT = re.compile(r"^(?P<name>[^:]+):(?P<type>_?[A-Z]\w*)$")


def layer_kinds(model):
    """``{layer name: class name}`` of every layer in the model's networks."""
    kinds = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        kinds[layer.name] = type(layer).__name__
    return kinds


def _layer_of(name, kinds):
    """The class of the innermost layer in an op's scopes (Keras adds ``_1`` to call scopes)."""
    for part in reversed(name.split("/")):
        for candidate in (part, re.sub(r"_\d+$", "", part)):
            if candidate in kinds:
                return kinds[candidate]
    return None


def classify(name, op_type, kinds):
    """The class of one op from its full name (with scopes), its type and the model's layers."""
    scopes = name.lower().split("/")
    if "ema" in scopes:
        return "EMA"
    if op_type.startswith("ResourceApply") or any(
            re.match(r"^(adam|sgd|rmsprop|optimizer)(_\d+)?$", p) for p in scopes):
        return "optimizer"
    if "augment" in scopes:
        return "augmentation"
    if MATMUL.match(op_type):
        return "convolution / matmul"
    if op_type == "Cast":
        return "cast"
    layer = _layer_of(name, kinds) or ""
    if layer.startswith("Spectral"):
        return "spectral norm"
    if "BatchNorm" in layer or op_type.startswith("FusedBatchNorm"):
        return "batch-norm"
    return "other"


def read_trace(logdir):
    """``[(name, type, duration in ms)]`` of every op event in the host plane of the trace."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    paths = glob.glob(os.path.join(logdir, "plugins", "profile", "*", "*.xplane.pb"))
    if not paths:
        raise RuntimeError(f"no .xplane.pb trace under {logdir}")
    space = xplane_pb2.XSpace()
    with open(paths[0], "rb") as f:
        space.ParseFromString(f.read())
    ops = []
    for plane in space.planes:
        if not plane.name.startswith("/host:"):
            continue
        for line in plane.lines:
            for event in line.events:
                meta = plane.event_metadata[event.metadata_id]
                match = OP_EVENT.match(meta.name)
                if match:
                    ops.append((match["name"], match["type"], event.duration_ps / 1e9))
    if not ops:
        raise RuntimeError(f"the trace in {paths[0]} has no op events")
    return ops


def profile(variant, policy, steps, spe):
    """``(per-class ms per step, per-type ms per step, profiled wall ms, unprofiled wall ms)``.

    Wall times come from ``throughput.keras_timer``'s clock (batch ends inside
    ``fit``, its start and end left out), as the throughput tables' do.
    """
    batch = throughput.BATCH[variant]
    model = throughput.build_kgz(variant, policy, steps_per_execution=spe)
    steps = max(spe, steps // spe * spe)
    run = throughput.keras_timer(model, variant, batch, steps)  # traces and warms up
    plain = statistics.median(batch * 1e3 / run() for _ in range(3))
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(
            logdir, options=tf.profiler.experimental.ProfilerOptions(host_tracer_level=2))
        try:
            wall = batch * 1e3 / run()
        finally:
            tf.profiler.experimental.stop()
        ops = read_trace(logdir)
    recorded = steps + spe  # keras_timer's fit runs one execution before the timed steps
    kinds = layer_kinds(model)
    by_class, by_type = collections.Counter(), collections.Counter()
    for name, op_type, ms in ops:
        cls = classify(name, op_type, kinds)
        by_class[cls] += ms / recorded
        by_type[(op_type, cls)] += ms / recorded
    return by_class, by_type, wall, plain


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["gan", "recipe"],
                        choices=throughput.VARIANTS)
    parser.add_argument("--policy", default="mixed_bfloat16")
    parser.add_argument("--steps", type=int, default=16, help="profiled steps per variant")
    parser.add_argument("--steps-per-execution", type=int, default=8)
    parser.add_argument("--top", type=int, default=12, help="costliest op types to list")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).parent))
    cores = os.cpu_count()
    print(f"# Step profile ({hardware()}; policy {args.policy})\n")
    for variant in args.variants:
        spe = min(args.steps_per_execution,
                  throughput.LONG_STEP_SPE.get(variant, args.steps_per_execution))
        by_class, by_type, wall, plain = profile(variant, args.policy, args.steps, spe)
        total = sum(by_class.values())
        print(f"## {variant} (batch {throughput.BATCH[variant]}, steps_per_execution {spe})\n")
        print(f"wall time per step: {plain:.1f} ms unprofiled, {wall:.1f} ms profiled; op time "
              f"{total:.1f} ms per step ({total / wall:.2f}x the profiled wall time: ops "
              f"overlap on the {cores} cores)\n")
        print("| class | ms per step | share of op time |")
        print("| --- | --- | --- |")
        for name in CLASSES:
            print(f"| {name} | {by_class[name]:.2f} | {100 * by_class[name] / total:.1f}% |")
        print(f"\ncostliest op types ({variant}):\n")
        print("| op type | class | ms per step | share |")
        print("| --- | --- | --- | --- |")
        for (op_type, cls), ms in by_type.most_common(args.top):
            print(f"| {op_type} | {cls} | {ms:.2f} | {100 * ms / total:.1f}% |")
        print(flush=True)


if __name__ == "__main__":
    main()

"""Where and at what precision training runs: the choices ``keras-gan-zoo train`` makes.

* ``choose_strategy`` picks the ``tf.distribute`` strategy: every
  visible GPU through ``MirroredStrategy``, the CPU, or the workers of
  ``TF_CONFIG`` through ``MultiWorkerMirroredStrategy``.
* ``choose_precision`` picks the Keras dtype policy: ``mixed_float16`` on
  a GPU, ``mixed_bfloat16`` on a CPU with native bfloat16 arithmetic (AMX or
  AVX512-BF16), ``float32`` otherwise: on a CPU without them bfloat16 is
  emulated and slower than float32 (measured on the docs' performance page).

Both return a sentence saying what was chosen and why, which ``train`` prints.
"""

import json
import os

__all__ = ["PRECISIONS", "choose_precision", "choose_strategy", "cpu_bf16_flags", "cpu_flags",
           "cpu_name", "onednn_enabled"]

#: ``--precision`` values and the Keras policies they set.
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16", "float16": "mixed_float16"}


def _cpuinfo():
    try:
        with open("/proc/cpuinfo") as f:
            return f.read()
    except OSError:  # not Linux
        return ""


def cpu_name():
    """The CPU's model name (``/proc/cpuinfo``), or the platform's processor string."""
    for line in _cpuinfo().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    import platform

    return platform.processor() or "unknown CPU"


def cpu_flags():
    """The CPU's feature flags (``/proc/cpuinfo``; empty where it cannot be read)."""
    flags = set()
    for line in _cpuinfo().splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
    return flags


def cpu_bf16_flags():
    """The CPU flags of native bfloat16 arithmetic this CPU has (``amx_bf16``, ``avx512_bf16``)."""
    return sorted(cpu_flags() & {"amx_bf16", "avx512_bf16"})


def onednn_enabled():
    """Whether TensorFlow runs its oneDNN kernels in this process.

    keras-gan-zoo turns them on for x86-64 CPUs when it is imported before
    TensorFlow (``TF_ENABLE_ONEDNN_OPTS=1``, unless that variable is set):
    TensorFlow itself does only on CPUs with AVX-512 VNNI, AVX512-BF16 or AMX.
    """
    try:
        from tensorflow.python.util import _pywrap_util_port
    except ImportError:  # pragma: no cover - a TensorFlow build without it
        return False
    return bool(_pywrap_util_port.IsMklEnabled())


def choose_precision(requested="auto", gpus=None):
    """``(Keras policy name, reason)`` for ``--precision``.

    Args:
        requested: ``"auto"``, ``"float32"``, ``"bfloat16"`` or ``"float16"``.
        gpus: how many GPUs training uses (default: the visible ones).
    """
    if requested != "auto":
        if requested not in PRECISIONS:
            raise ValueError(f"unknown precision {requested!r}; expected auto, "
                             f"{', '.join(PRECISIONS)}")
        return PRECISIONS[requested], "as asked"
    if gpus is None:
        import tensorflow as tf

        gpus = len(tf.config.list_physical_devices("GPU"))
    if gpus:
        return "mixed_float16", "a GPU computes in float16 fastest (loss scaling on)"
    flags = cpu_bf16_flags()
    if flags:
        return "mixed_bfloat16", f"this CPU ({cpu_name()}) has native bfloat16 ({', '.join(flags)})"
    return "float32", (f"this CPU ({cpu_name()}) has no native bfloat16 (no AMX or AVX512-BF16), "
                       "where bfloat16 is emulated and slower than float32")


def _workers():
    config = os.environ.get("TF_CONFIG")
    if not config:
        return 0
    try:
        cluster = json.loads(config).get("cluster", {})
    except ValueError:
        raise ValueError(f"TF_CONFIG is not JSON: {config[:200]}") from None
    return len(cluster.get("worker", [])) + len(cluster.get("chief", []))


def choose_strategy(devices="auto"):
    """``(tf.distribute strategy, description)`` for ``--devices``.

    Must run before TensorFlow runs any op (a multi-worker strategy and a
    split CPU need an uninitialised runtime).

    Args:
        devices: ``"auto"`` (several workers in ``TF_CONFIG``: all of them;
            else all visible GPUs; else the CPU), ``"cpu"``, ``"cpu:N"`` (the
            CPU split into N logical devices, one replica each: to check
            multi-replica runs without GPUs), ``"gpu"`` (all GPUs) or
            ``"gpu:0,1"``.
    """
    import tensorflow as tf

    if _workers() > 1 and devices in ("auto", "gpu", "cpu"):
        if devices == "cpu":
            tf.config.set_visible_devices([], "GPU")
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
        resolver = strategy.cluster_resolver
        return strategy, (f"{_workers()} workers from TF_CONFIG (this is {resolver.task_type} "
                          f"{resolver.task_id}), {strategy.num_replicas_in_sync} replicas")
    kind, _, which = devices.partition(":")
    if kind == "cpu":
        tf.config.set_visible_devices([], "GPU")
        if which:
            count = _count(which, devices)
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * count)
            names = [d.name for d in tf.config.list_logical_devices("CPU")][:count]
            return tf.distribute.MirroredStrategy(names), f"CPU as {count} replicas"
        return tf.distribute.get_strategy(), "CPU"
    if kind not in ("auto", "gpu"):
        raise ValueError(f"unknown --devices {devices!r}; expected auto, cpu, cpu:N, gpu or "
                         "gpu:0,1")
    gpus = tf.config.list_physical_devices("GPU")
    if kind == "gpu" and not gpus:
        raise ValueError("--devices gpu: TensorFlow sees no GPU here (install keras-gan-zoo[gpu] "
                         "on a machine with CUDA, or pass --devices cpu)")
    if which:
        wanted = [int(i) for i in which.split(",") if i.strip()]
        missing = [i for i in wanted if i >= len(gpus)]
        if missing:
            raise ValueError(f"--devices {devices}: no GPU {missing[0]}; this machine has "
                             f"{len(gpus)} (0-{len(gpus) - 1})")
        names = [f"/gpu:{i}" for i in wanted]
    else:
        names = [f"/gpu:{i}" for i in range(len(gpus))]
    if len(names) > 1:
        return tf.distribute.MirroredStrategy(names), f"{len(names)} GPUs ({', '.join(names)})"
    if names:
        return tf.distribute.OneDeviceStrategy(names[0]), f"GPU {names[0]}"
    return tf.distribute.get_strategy(), "CPU (no GPU visible)"


def _count(text, devices):
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"--devices {devices}: expected cpu:N with N a positive integer")
    return count

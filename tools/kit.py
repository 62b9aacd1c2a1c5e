"""What the build tools and the benchmark scripts share: the data's path, the machine's
description, a timer, and writing a generated table into a page."""

import os
import platform
import time
from pathlib import Path

#: The repository's root.
ROOT = Path(__file__).resolve().parents[1]
#: ../shared/data beside the repository (see its README); override with KGZ_DATA.
DATA = Path(os.environ.get("KGZ_DATA", ROOT.parent / "shared" / "data"))


def hardware():
    """One line naming the machine, for every printed table and every model card."""
    import keras
    import tensorflow as tf

    from keras_gan_zoo import runtime

    return (f"{os.cpu_count()} CPU cores ({cpu()}), no GPU, "
            f"TensorFlow {tf.__version__} ({'oneDNN' if runtime.onednn_enabled() else 'Eigen'} "
            f"kernels), Keras {keras.__version__}")


def cpu():
    """The CPU's model and its widest vector unit, e.g. ``"AMD EPYC, AVX2"`` (figures from
    machines with and without AVX-512 or AMX are not comparable)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    unit = next((name for flag, name in (("amx_tile", "AMX"), ("avx512f", "AVX-512"),
                                         ("avx2", "AVX2")) if flag in flags), None)
    return f"{model}, {unit}" if unit else model


def markers(name):
    """The two comments a generated block of a page sits between."""
    return f"<!-- {name}: start -->", f"<!-- {name}: end -->"


def between_markers(text, name, where="the page"):
    """``(head, block, tail)`` of ``text`` around the markers of ``name``."""
    start, end = markers(name)
    if start not in text or end not in text:
        raise ValueError(f"{where} has no markers {start} ... {end}")
    head, rest = text.split(start, 1)
    block, tail = rest.split(end, 1)
    return head, block, tail


def write_between_markers(page, name, table):
    """Replace the text between ``<!-- NAME: start -->`` and ``<!-- NAME: end -->`` in ``page``.

    Tables are written by the scripts that measure or know them, never pasted
    by hand.
    """
    page = Path(page)
    head, _, tail = between_markers(page.read_text(), name, page)
    start, end = markers(name)
    page.write_text(f"{head}{start}\n{table}\n{end}{tail}")


class Timer:
    """``with Timer() as t: ...; t.seconds``."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start

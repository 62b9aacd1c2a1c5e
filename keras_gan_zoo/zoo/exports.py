"""Verified exports inside a preset, so that a deployer downloads only the file they run.

A preset may carry exports of its generators in ``exports/``: one file each,
named by the generator and the spec, ``exports/generator.onnx``,
``exports/generator.int8.onnx``, ``exports/a_to_b.tflite``. A **spec** names a
registered format and, for ONNX, its quantization: ``"onnx"``,
``"onnx-float16"``, ``"onnx-int8"``, ``"litert"``. Each export is written by
``keras_gan_zoo.export`` and verified against the Keras generator before it
is kept; ``metadata.json`` lists it under ``exports`` with its hash, size and
the measured difference from Keras:

    {"spec": "onnx-int8", "format": "onnx", "quantize": "int8",
     "direction": null, "file": "exports/generator.int8.onnx",
     "sha256": "...", "bytes": 312345,
     "max_abs_diff": {"1": ..., "7": ...}, "mean_abs_diff": {...}}

A record without ``file`` says the spec was exported and verified but the
preset does not carry it (the zoo keeps each entry within its size budget,
and a SavedModel folder or OpenVINO's two files are never carried);
``kgz.zoo.load(handle, format=...)`` then exports it locally, into the cache.
"""

import json
import os
import shutil
import tempfile

from keras_gan_zoo.zoo.preset import (METADATA, PresetError, rewrite,
                                      read_metadata, sha256)

#: The folder of a preset that holds its exports.
EXPORTS = "exports"


def parse(spec):
    """``(format, quantize or None)`` of a spec (``"onnx"``, ``"onnx-int8"``, ``"litert"``)."""
    if spec not in specs():
        raise PresetError(f"unknown export spec {spec!r}: expected one of {', '.join(specs())}")
    name, _, quantize = str(spec).partition("-")
    return name, quantize or None


def specs():
    """Every spec: each registered format, and ONNX with each quantization, e.g.
    ``("onnx", "onnx-float16", "onnx-int8", "saved_model", "litert", "openvino")``."""
    from keras_gan_zoo import export

    out = []
    for fmt in export.REGISTRY.values():
        out.append(fmt.name)
        if "quantize" in fmt.options:
            out += [f"{fmt.name}-{q}" for q in export.QUANTIZE]
    return tuple(out)


def carriable(spec):
    """Whether a preset can carry ``spec``: its format writes one file (not SavedModel's
    folder nor OpenVINO's pair of files)."""
    from keras_gan_zoo import export

    fmt = export.REGISTRY[parse(spec)[0]]
    return bool(fmt.ending) and not fmt.companions("export" + fmt.ending)


def spec_of(format, quantize=None):  # noqa: A002  (the export module's word)
    """The spec of ``format`` and ``quantize`` (``"onnx"``, ``"int8"`` -> ``"onnx-int8"``)."""
    spec = f"{format}-{quantize}" if quantize else str(format)
    parse(spec)
    return spec


def file_name(spec, direction=None):
    """Where a preset keeps the export ``spec`` of a generator:
    ``exports/<generator>[.<quantize>]<ending>``."""
    from keras_gan_zoo import export

    name, quantize = parse(spec)
    stem = direction or "generator"
    return (f"{EXPORTS}/{stem}{'.' + quantize if quantize else ''}"
            f"{export.REGISTRY[name].ending or '_' + name}")


def options(model, spec, direction=None, calibration=None):
    """``(format, keyword arguments)`` of ``keras_gan_zoo.export.export`` for ``spec``."""
    name, quantize = parse(spec)
    kwargs = {"direction": direction} if direction else {}
    if quantize:
        kwargs["quantize"] = quantize
    if quantize == "int8" and model.signature(direction).kind != "sampler":  # takes images
        images = calibration.get(direction) if isinstance(calibration, dict) else calibration
        kwargs["calibration"] = None if images is None else model.generator_sources(images,
                                                                                    direction)
    return name, kwargs


def find(records, spec, direction=None):
    """The record of ``spec`` for ``direction`` among a preset's ``exports``, or ``None``."""
    for record in records or ():
        if record.get("spec") == spec and record.get("direction") == direction:
            return record
    return None


def write(model, directory, wanted, calibration=None, carry=True, progress=None,
          directions=None):
    """Export ``model``'s generators as each spec in ``wanted`` into ``directory/exports``.

    Every export is verified against Keras (``keras_gan_zoo.export``); a
    failed verification raises and keeps nothing. ``carry`` says which records
    of ``carriable`` specs keep their file: ``True`` (all), ``False`` (none:
    verified only) or a function ``carry(record, path) -> bool`` that sees
    each verified file in turn (the zoo keeps its entries within a size
    budget with it).

    Args:
        calibration: ``{direction: source images}`` (or one array) for the
            int8 export of a translator.
        progress: called with a line of text before each export.
        directions: the generators to export (default: all of ``model.directions``).

    Returns:
        the records (see the module's docstring).
    """
    from keras_gan_zoo import export

    for spec in wanted:  # every spec checked before anything is exported
        parse(spec)
    records = []
    folder = os.path.join(directory, EXPORTS)
    work = tempfile.mkdtemp(prefix=".kgz-exports-", dir=directory)
    try:
        for spec in wanted:  # each spec for every generator before the next spec
            for direction in directions or model.directions:
                target = file_name(spec, direction)
                if progress:
                    progress(f"{spec}{' ' + direction if direction else ''}")
                name, kwargs = options(model, spec, direction, calibration)
                staged = os.path.join(work, os.path.basename(target))
                result = export.export(model, staged, format=name, **kwargs)
                record = {"spec": spec, "format": name, "quantize": kwargs.get("quantize"),
                          "direction": direction,
                          "max_abs_diff": {str(k): v for k, v in result.max_abs_diff.items()},
                          "mean_abs_diff": {str(k): v for k, v in result.mean_abs_diff.items()}}
                if carriable(spec) and (carry(record, staged) if callable(carry) else carry):
                    record.update(file=target, sha256=sha256(staged),
                                  bytes=os.path.getsize(staged))
                records.append(record)
        for record in records:  # all verified: into the preset together
            if record.get("file"):
                os.makedirs(folder, exist_ok=True)
                os.replace(os.path.join(work, os.path.basename(record["file"])),
                           os.path.join(directory, record["file"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return records


def merge(directory, records):
    """List ``records`` in the metadata and card of the preset folder ``directory``, in place
    of earlier records of the same spec and generator (whose files go, unless reused)."""
    meta = read_metadata(directory)
    fresh = {(r["spec"], r["direction"]): r for r in records}
    kept = {r.get("file") for r in records}
    for old in meta.get("exports", []):
        if (old["spec"], old["direction"]) in fresh and old.get("file") not in kept | {None}:
            stale = os.path.join(directory, old["file"])
            if os.path.exists(stale):
                os.remove(stale)
    meta["exports"] = [r for r in meta.get("exports", [])
                       if (r["spec"], r["direction"]) not in fresh] + list(records)
    rewrite(directory, meta)


def carried(meta):
    """The records of the exports the preset's metadata says it carries (with a file)."""
    return [r for r in meta.get("exports", []) if r.get("file")]


def check(directory, record):
    """The path of the carried export ``record`` in ``directory``, after its hash check."""
    path = os.path.join(directory, record["file"])
    if not os.path.isfile(path):
        raise PresetError(f"{directory}: {record['file']} is listed in {METADATA} but missing")
    digest = sha256(path)
    if digest != record["sha256"]:
        raise PresetError(f"{path} fails its hash check (sha256 {digest[:12]}..., metadata "
                          f"says {record['sha256'][:12]}...): not using it")
    return path

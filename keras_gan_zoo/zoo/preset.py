"""The preset folder: what a zoo entry or a user's saved model is on disk.

A preset is a folder in the keras-hub layout:

* ``config.json`` - the variant and its networks (Keras serialisation);
* ``model.weights.h5`` - their weights;
* ``metadata.json`` - what the entry is: variant, data and split, training
  command and time, measured quality, and the SHA-256 of the two files above;
* ``README.md`` - the model card, with the YAML front matter the Hugging Face
  Hub reads (library, tags, data sets, metrics, licence);
* ``samples.png`` - a grid of samples, when given.

Loading checks the config's and the weights' hashes against the metadata
before reading them, and reads the config with Keras' ``safe_mode``, so a
preset cannot run code.
"""

import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile

import keras

CONFIG, WEIGHTS, METADATA, CARD, SAMPLES = (
    "config.json", "model.weights.h5", "metadata.json", "README.md", "samples.png")
NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class PresetError(ValueError):
    """A preset cannot be found, fails its hash check, or is malformed."""


def sha256(path):
    """The SHA-256 (hex) of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_records(directory, names):
    """``{name: {"sha256": ..., "bytes": ...}}`` of the files ``names`` in ``directory``."""
    return {name: {"sha256": sha256(os.path.join(directory, name)),
                   "bytes": os.path.getsize(os.path.join(directory, name))} for name in names}


def read_metadata(directory):
    """The ``metadata.json`` of the preset folder ``directory`` (a dict)."""
    path = os.path.join(directory, METADATA)
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise PresetError(f"{directory} is not a preset: it has no {METADATA}") from None
    except json.JSONDecodeError as error:
        raise PresetError(f"{path} is not valid JSON ({error})") from None


def preset_root(directory):
    """The folder holding metadata.json (an archive may wrap it in one folder)."""
    if os.path.isfile(os.path.join(directory, METADATA)):
        return directory
    inner = [os.path.join(directory, d) for d in os.listdir(directory)]
    inner = [d for d in inner if os.path.isfile(os.path.join(d, METADATA))]
    if len(inner) == 1:
        return inner[0]
    raise PresetError(f"{directory} holds no preset ({METADATA} not found)")


def load_folder(directory):
    """The trained variant in the preset folder ``directory`` (its ``generator`` is ready to sample).

    The weights and config files are checked against the SHA-256 in the
    preset's metadata before they are read; the config is read with Keras'
    ``safe_mode`` (no code from files). The model is returned uncompiled:
    ``model.compile()`` before fine-tuning it with ``fit``. It computes in
    float32 even when the preset stores float16 weights; networks the preset
    does not store (``metadata["stored_networks"]``, e.g. a discriminator left
    out to keep the entry small) start from their initial weights.

    Raises:
        PresetError: a failed hash check, or a malformed preset.
    """
    import keras_gan_zoo  # noqa: F401  registers the variants for deserialisation

    directory = preset_root(directory)
    meta = read_metadata(directory)
    files = meta.get("files", {})
    for name in (CONFIG, WEIGHTS):
        path = os.path.join(directory, name)
        if name not in files or not os.path.isfile(path):
            raise PresetError(f"{directory}: {name} or its hash in {METADATA} is missing")
        digest = sha256(path)
        if digest != files[name]["sha256"]:
            raise PresetError(
                f"{path} fails its hash check (sha256 {digest[:12]}..., metadata says "
                f"{files[name]['sha256'][:12]}...): it is truncated or has been modified; "
                "not loading it"
            )
    with open(os.path.join(directory, CONFIG)) as f:
        config = json.load(f)
    model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    stored = meta.get("stored_networks", model.network_names)  # older presets store them all
    stored = {key.split("/")[0] for key in stored}  # a list's networks are "role/i"
    missing = [net for n in model.network_names if n not in stored for net in model.networks_in(n)]
    # float16 weights are widened to the float32 variables as they are assigned
    keras.saving.load_weights(model, os.path.join(directory, WEIGHTS),
                              objects_to_skip=missing or None)
    return model


def save(model, directory, metadata=None, samples=None, overwrite=False,
         weights_dtype="float32", training_networks=True, card=None, exports=(),
         calibration=None):
    """Write ``model`` as a preset folder that ``load`` (by folder or handle) reads back.

    The folder is written beside its target and moved into place when
    complete, so an interrupted save leaves nothing half-written, and an
    existing folder is only replaced with ``overwrite=True``.

    Args:
        model: a trained variant.
        directory: the preset folder to create; its name is the preset's name
            unless the metadata gives one (lower-case letters, digits, ``_``).
        metadata: what the preset is (the zoo's training script gives it all):
            ``name``, ``variant``, ``data``, ``command``, ``headline``;
            shown on the card when present: ``description``, ``metrics``,
            ``task``, ``training_minutes``, ``hardware``, ``data_source``,
            ``limits`` and ``notes``. The file hashes and sizes are added.
        samples: images in [-1, 1] for ``samples.png`` (e.g.
            ``model.generate(40, seed=0)``).
        overwrite: replace an existing preset folder.
        weights_dtype: ``"float32"``, or ``"float16"`` to store the weights
            at half the size. A loaded preset computes in float32 either way
            (its weights are widened on load).
        training_networks: also store the networks only training uses (the
            variant's ``training_only_networks``, its discriminators).
            ``False`` leaves them out: the preset samples, translates and
            exports as before, and fine-tuning it starts those networks
            afresh. The metadata lists what is stored.
        card: the model card of your own model, merged into ``metadata``:
            ``description``, ``data`` (a sentence), ``datasets`` (Hugging Face
            data set ids), ``metrics`` (``{name: value}``), ``headline``,
            ``license`` (an SPDX id, default ``"apache-2.0"``), ``tags``,
            ``limits``. ``README.md`` gets them as the YAML front matter the
            Hugging Face Hub reads.
        exports: verified exports to carry in ``exports/``, as specs
            (``"onnx"``, ``"onnx-float16"``, ``"onnx-int8"``, ``"litert"``;
            ``keras_gan_zoo.zoo.exports``), so that a deployer fetches only
            the file they run: ``kgz.zoo.load(handle, format="onnx")``.
        calibration: source images for the int8 export of a translator (or
            ``{direction: images}``).

    Example:
        >>> kgz.zoo.save(model, "my_gan", card={"description": "My GAN on my photos",
        ...              "data": "2,000 photos of my garden", "license": "mit"},
        ...              samples=model.generate(40, seed=0))
        >>> kgz.zoo.load("./my_gan")
    """
    directory = os.path.abspath(os.fspath(directory))
    if os.path.exists(directory) and not overwrite:
        raise PresetError(f"{directory} already exists; pass overwrite=True to replace it")
    metadata = {**(metadata or {}), **(card or {})}
    metadata.setdefault("name", os.path.basename(directory))
    metadata.setdefault("variant", model.variant_name)
    metadata.setdefault("data", "not stated")
    metadata.setdefault("headline", "not measured")
    metadata.setdefault("command", "")
    if not NAME.match(metadata["name"]):
        raise PresetError(f"invalid preset name {metadata['name']!r}: use lower-case letters, "
                          "digits and _ (name the folder so, or give card={'name': ...})")
    if metadata["variant"] != model.variant_name:
        raise PresetError(f"the metadata says variant {metadata['variant']!r}, but the model is "
                          f"a {model.variant_name}")
    if weights_dtype not in ("float32", "float16"):
        raise PresetError(f"expected weights_dtype 'float32' or 'float16', got {weights_dtype!r}")
    parent = os.path.dirname(directory)
    if not os.path.isdir(parent):
        raise PresetError(f"the folder {parent} does not exist; create it first")
    staging = tempfile.mkdtemp(prefix=".kgz-preset-", dir=parent)
    try:
        meta = _write(model, staging, metadata, samples, weights_dtype, training_networks)
        if exports:
            from keras_gan_zoo.zoo import exports as carried

            meta["exports"] = carried.write(model, staging, exports, calibration)
            rewrite(staging, meta)
        if os.path.exists(directory):
            old = tempfile.mkdtemp(prefix=".kgz-replaced-", dir=parent)
            os.replace(directory, os.path.join(old, "preset"))
            os.replace(staging, directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def _write(model, directory, metadata, samples, weights_dtype, training_networks):
    """The preset's files in ``directory``; returns its metadata."""
    from keras_gan_zoo.visualize import save_image_grid

    config = keras.saving.serialize_keras_object(model)
    config.pop("compile_config", None)  # a preset holds networks, not optimizer state
    with open(os.path.join(directory, CONFIG), "w") as f:
        json.dump(config, f)
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(model.get_weights())
    skipped = () if training_networks else tuple(copy.training_only_networks)
    keras.saving.save_weights(copy, os.path.join(directory, WEIGHTS),
                              objects_to_skip=[net for n in skipped for net in copy.networks_in(n)]
                              or None)
    dropped = () if training_networks else tuple(copy.training_only_state)
    if weights_dtype == "float16" or dropped:
        _rewrite_weights(os.path.join(directory, WEIGHTS), weights_dtype == "float16", dropped)
    files = file_records(directory, (CONFIG, WEIGHTS))
    meta = {**metadata, "files": files, "generators": generators(model),
            "weights_dtype": weights_dtype,
            "stored_networks": [n for n in copy.trained_networks() if n not in skipped],
            "size_mb": round(sum(f["bytes"] for f in files.values()) / 1e6, 2)}
    if samples is not None:
        save_image_grid(samples, os.path.join(directory, SAMPLES), ncols=10)
    with open(os.path.join(directory, METADATA), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    with open(os.path.join(directory, CARD), "w") as f:
        f.write(card(meta, samples=os.path.isfile(os.path.join(directory, SAMPLES))))
    return meta


def _rewrite_weights(path, float16, dropped=()):
    """Rewrite a Keras ``.weights.h5`` file: float32 arrays as float16 if ``float16``, and
    without the model's own variables named in ``dropped`` (its ``training_only_state``).

    The file is copied into a new one (HDF5 does not give back the space of
    deleted datasets, so rewriting in place would not shrink it), then
    replaces the original.
    """
    import h5py
    import numpy as np

    def copy(source, target, top=False):
        target.attrs.update(source.attrs)
        for key, item in source.items():
            if isinstance(item, h5py.Group):
                if top and key == "vars":  # the model's own variables
                    group = target.create_group(key)
                    group.attrs.update(item.attrs)
                    for name, values in item.items():
                        if name not in dropped:
                            group.create_dataset(name, data=_narrowed(values[()])).attrs.update(
                                values.attrs)
                    continue
                copy(item, target.create_group(key))
            else:
                target.create_dataset(key, data=_narrowed(item[()])).attrs.update(item.attrs)

    def _narrowed(values):
        return values.astype(np.float16) if float16 and values.dtype == np.float32 else values

    rewritten = path + ".rewrite"
    with h5py.File(path, "r") as source, h5py.File(rewritten, "w") as target:
        copy(source, target, top=True)
    os.replace(rewritten, path)


def generators(model):
    """What each of ``model``'s generators takes and gives, as the variant declares it."""
    return [model.signature(d).metadata() for d in model.directions]


def _port_line(port):
    dims = ["n" if s is None else str(s) for s in port["shape"]]
    shape = "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
    value_range = f" in [{port['range'][0]:g}, {port['range'][1]:g}]" if port.get("range") else ""
    return f"`{port['name']}` {shape} {port['dtype']}{value_range}: {port['meaning']}"


#: What a generator of each signature kind does, as the Hub's ``pipeline_tag`` says it.
_PIPELINE_TAGS = {"sampler": "unconditional-image-generation", "translator": "image-to-image",
                  "text": "text-to-image"}


def front_matter(meta):
    """The YAML front matter of a model card, as the Hugging Face Hub reads it (library,
    tags, pipeline, data sets, licence); values are written as JSON strings, which YAML
    reads as they are."""
    # a sampler that reads a text draws from text (the Hub's "text-to-image")
    kinds = {"text" if any(p.get("kind") == "text" for p in g.get("inputs", [])) else g.get("kind")
             for g in meta.get("generators", [])}
    tags = ["keras-gan-zoo", "gan", meta["variant"], *meta.get("tags", [])]
    fields = [("library_name", "keras")]
    if meta.get("license"):
        fields.append(("license", meta["license"]))
    lines = ["---", *(f"{k}: {json.dumps(v)}" for k, v in fields), "tags:",
             *(f"- {json.dumps(t)}" for t in dict.fromkeys(tags))]
    if len(kinds) == 1 and next(iter(kinds)) in _PIPELINE_TAGS:
        lines.append(f"pipeline_tag: {json.dumps(_PIPELINE_TAGS[next(iter(kinds))])}")
    if meta.get("datasets"):
        lines += ["datasets:", *(f"- {json.dumps(d)}" for d in meta["datasets"])]
    return "\n".join([*lines, "---", ""])


def card(meta, samples=True):
    """The model card (Markdown with its front matter) of a preset's metadata."""
    lines = [front_matter(meta), f"# {meta['name']}", "", meta.get("description", ""), "",
             "| | |", "| --- | --- |",
             f"| variant | `{meta['variant']}` |",
             f"| data | {meta['data']} |",
             *([f"| data source | {meta['data_source']} |"] if meta.get("data_source") else []),
             f"| headline | {meta['headline']} |",
             f"| size | {meta.get('size_mb', '?')} MB |"]
    if "stored_networks" in meta:
        dtype = meta.get("weights_dtype", "float32")
        lines.append(f"| weights | {', '.join(meta['stored_networks'])} in {dtype}"
                     + (" (computed in float32 when loaded)" if dtype != "float32" else "")
                     + " |")
    if "before_rounding" in meta:
        lines.append(f"| headline before the weights were rounded to {meta.get('weights_dtype')} "
                     f"| {meta['before_rounding']['headline']} |")
    for key, value in meta.get("metrics", {}).items():
        lines.append(f"| {key.replace('_', ' ')} | {value} |")
    for g in meta.get("generators", []):
        which = f" ({g['direction']})" if g.get("direction") else ""
        lines.append(f"| generator{which} inputs | "
                     + "; ".join(_port_line(p) for p in g["inputs"]) + " |")
        lines.append(f"| generator{which} output | {_port_line(g['outputs'][0])} |")
    for record in meta.get("exports", []):
        lines.append(f"| export {record['spec']}"
                     + (f" ({record['direction']})" if record.get("direction") else "")
                     + f" | {_export_line(record)} |")
    if "training_minutes" in meta:
        lines.append(f"| training time | {meta['training_minutes']} min on {meta.get('hardware', '')} |")
    lines.append("")
    if meta.get("command"):
        lines += ["Retrain (from the repository root, with `../shared/data` beside it):", "",
                  "```bash", meta["command"], "```", ""]
    if meta.get("limits"):
        lines += ["**What it is not good at.** " + meta["limits"], ""]
    if meta.get("notes"):
        lines += [meta["notes"], ""]
    if samples:
        lines += ["![samples](samples.png)", ""]
    lines += ["Load it: `model = keras_gan_zoo.zoo.load(\"" + meta.get("handle", meta["name"])
              + "\")`.", ""]
    return "\n".join(lines)


def _export_line(record):
    diffs = record.get("mean_abs_diff" if record.get("quantize") else "max_abs_diff") or {}
    worst = max(diffs.values()) if diffs else None
    parity = ("not verified" if worst is None else "identical to Keras" if worst == 0 else
              f"within {worst:.2g} of Keras" + (" on average" if record.get("quantize") else ""))
    if record.get("file"):
        return f"`{record['file']}`, {record['bytes'] / 1e6:.2f} MB, {parity}"
    return f"verified ({parity}), not carried: `load(..., format=...)` exports it locally"


def pack(directory, archive):
    """Pack a preset directory into ``archive`` (.tar.gz) for hosting; return its SHA-256."""
    if os.path.exists(archive):
        raise PresetError(f"{archive} already exists")
    meta = read_metadata(directory)
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(directory)):
            tar.add(os.path.join(directory, name), arcname=f"{meta['name']}/{name}")
    return sha256(archive)


def rewrite(directory, meta):
    """``metadata.json`` and the card of the preset ``directory`` from ``meta``, each replaced
    whole (the weights are not touched): for a card whose figures are re-derived."""
    for name, text in ((METADATA, json.dumps(meta, indent=2) + "\n"),
                       (CARD, card(meta, samples=os.path.isfile(os.path.join(directory, SAMPLES))))):
        fd, tmp = tempfile.mkstemp(prefix=".kgz-", dir=directory)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(directory, name))

"""Pretrained entries, loadable by name and offline: ``kgz.zoo.load("cgan_mnist")``.

A preset is a directory in the keras-hub layout:

* ``config.json`` - the variant and its networks (Keras serialisation);
* ``model.weights.h5`` - their weights;
* ``metadata.json`` - what the entry is: variant, data and split, training
  command and time, measured quality, and the SHA-256 of the two files above;
* ``README.md`` (the model card) and ``samples.png``.

A preset is named by a bundled name (``list``), a local directory, or a
URL of a ``.tar.gz`` of such a directory with its SHA-256 (downloaded once into
the Keras cache with ``keras.utils.get_file``). Every load checks the files'
hashes before reading them, and reads the config with Keras' ``safe_mode`` on,
so a preset cannot run code.

Example:
    >>> import keras_gan_zoo as kgz
    >>> [entry["name"] for entry in kgz.zoo.list()]
    >>> model = kgz.zoo.load("cgan_mnist")             # or kgz.ConditionalGAN.from_preset(...)
    >>> sevens = model.generate(16, labels=7, seed=0)
"""

import difflib
import hashlib
import json
import os
import re
import tarfile

import keras

__all__ = ["PRESETS_DIR", "PresetError", "card", "generators", "info", "list", "load",
           "markdown_table", "pack", "resolve", "save"]

#: Where the bundled presets live.
PRESETS_DIR = os.path.join(os.path.dirname(__file__), "presets")
CONFIG, WEIGHTS, METADATA, CARD, SAMPLES = (
    "config.json", "model.weights.h5", "metadata.json", "README.md", "samples.png")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")


class PresetError(ValueError):
    """A preset cannot be found, fails its hash check, or is malformed."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _bundled():
    if not os.path.isdir(PRESETS_DIR):
        return []
    return sorted(d for d in os.listdir(PRESETS_DIR)
                  if os.path.isfile(os.path.join(PRESETS_DIR, d, METADATA)))


def list():  # noqa: A001  (the zoo's listing, as keras-hub's presets)
    """The bundled entries: name, variant, data, size and headline metric.

    Returns:
        list of dicts with ``name``, ``variant``, ``task`` (what it does, in
        a few words), ``data``, ``size_mb``, ``headline`` (e.g. ``"class
        accuracy 97.1%"``) and ``description``.
    """
    entries = []
    for name in _bundled():
        meta = _read_metadata(os.path.join(PRESETS_DIR, name))
        entry = {key: meta.get(key) for key in
                 ("name", "variant", "task", "data", "size_mb", "headline", "description")}
        entry["task"] = entry["task"] or entry["data"]  # presets saved before tasks were named
        entries.append(entry)
    return entries


def markdown_table(links=True):
    """The zoo table (name, variant, task, headline metric, size), from the metadata.

    ``links=True`` links each name to its model card (as the README, at the
    repository's root, does); ``False`` gives plain names (the docs site).
    """
    rows = ["| name | variant | task | headline (held-out data) | size |",
            "| --- | --- | --- | --- | --- |"]
    for e in list():
        name = (f"[`{e['name']}`](keras_gan_zoo/zoo/presets/{e['name']}/README.md)" if links
                else f"`{e['name']}`")
        rows.append(f"| {name} | {e['variant']} | {e['task']} | {e['headline']} | "
                    f"{e['size_mb']} MB |")
    return "\n".join(rows)


def _read_metadata(directory):
    path = os.path.join(directory, METADATA)
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        raise PresetError(f"{directory} is not a preset: it has no {METADATA}") from None
    except json.JSONDecodeError as error:
        raise PresetError(f"{path} is not valid JSON ({error})") from None


def resolve(preset, sha256=None, cache_dir=None):
    """The local directory of ``preset`` (a bundled name, a directory, or a URL).

    Args:
        preset: bundled name, local directory, or ``http(s)://`` URL of a
            ``.tar.gz`` made by ``pack``.
        sha256: the archive's SHA-256; required for a URL.
        cache_dir: the Keras cache (default ``~/.keras``); URLs land in its
            ``keras_gan_zoo/`` folder.
    """
    preset = os.fspath(preset)
    if preset.startswith(("http://", "https://")):
        return _download(preset, sha256, cache_dir)
    if os.path.isdir(preset) and (os.sep in preset or preset.startswith(".")):
        return os.path.abspath(preset)
    if not _NAME.match(preset):
        raise PresetError(
            f"{preset!r} is neither a preset name (lower-case letters, digits and _), an "
            "existing directory, nor an http(s) URL"
        )
    directory = os.path.realpath(os.path.join(PRESETS_DIR, preset))
    if os.path.dirname(directory) != os.path.realpath(PRESETS_DIR) or not os.path.isdir(directory):
        close = difflib.get_close_matches(preset, _bundled(), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise PresetError(
            f"unknown preset {preset!r}{hint} (bundled: {', '.join(_bundled()) or 'none'})"
        )
    return directory


def _download(url, sha256, cache_dir):
    if not sha256 or not re.fullmatch(r"[0-9a-f]{64}", str(sha256)):
        raise PresetError(
            f"a URL preset needs its SHA-256 (64 hex digits): load({url!r}, sha256=...); got "
            f"{sha256!r}"
        )
    fname = f"{sha256[:16]}.tar.gz"
    cache = os.path.expanduser(cache_dir or keras.config.keras_home())
    archive = os.path.join(cache, "keras_gan_zoo", fname)
    try:
        return keras.utils.get_file(fname, origin=url, file_hash=sha256, hash_algorithm="sha256",
                                    extract=True, cache_dir=cache, cache_subdir="keras_gan_zoo")
    except ValueError as error:
        if os.path.exists(archive):  # keep nothing that failed its hash in the cache
            os.remove(archive)
        raise PresetError(f"{url}: the download does not match sha256={sha256} ({error}); "
                          "nothing was cached") from None


def _preset_root(directory):
    """The folder holding metadata.json (an archive may wrap it in one folder)."""
    if os.path.isfile(os.path.join(directory, METADATA)):
        return directory
    inner = [os.path.join(directory, d) for d in os.listdir(directory)]
    inner = [d for d in inner if os.path.isfile(os.path.join(d, METADATA))]
    if len(inner) == 1:
        return inner[0]
    raise PresetError(f"{directory} holds no preset ({METADATA} not found)")


def load(preset, sha256=None, cache_dir=None):
    """Load a preset's trained variant (its ``generator`` is ready to sample).

    The weights and config files are checked against the SHA-256 in the
    preset's metadata before they are read; the config is read with Keras'
    ``safe_mode`` (no code from files). The model is returned uncompiled:
    ``model.compile()`` before fine-tuning it with ``fit``. It computes in
    float32 even when the preset stores float16 weights; networks the preset
    does not store (``metadata["stored_networks"]``, e.g. a discriminator left
    out to keep the entry small) start from their initial weights.

    Args: as ``resolve``.

    Raises:
        PresetError: unknown name (with the closest names), failed hash
            check, or malformed preset.
    """
    import keras_gan_zoo  # noqa: F401  registers the variants for deserialisation

    directory = _preset_root(resolve(preset, sha256, cache_dir))
    meta = _read_metadata(directory)
    files = meta.get("files", {})
    for name in (CONFIG, WEIGHTS):
        path = os.path.join(directory, name)
        if name not in files or not os.path.isfile(path):
            raise PresetError(f"{directory}: {name} or its hash in {METADATA} is missing")
        digest = _sha256(path)
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


def info(preset, sha256=None, cache_dir=None):
    """A preset's metadata (dict): data, command, measured quality, file hashes."""
    return _read_metadata(_preset_root(resolve(preset, sha256, cache_dir)))


def save(model, directory, metadata, samples=None, overwrite=False, weights_dtype="float32",
         training_networks=True):
    """Write ``model`` as a preset directory (what the zoo training script calls).

    Args:
        model: a trained variant.
        directory: the preset folder to create.
        metadata: dict with at least ``name``, ``variant``, ``data``,
            ``command``, ``headline``; the file hashes and sizes are added.
            Shown on the card when present: ``description``, ``metrics``,
            ``task``, ``training_minutes``, ``hardware``, ``data_source`` (the data
            sets' citation), ``limits`` (what the entry is not good at) and
            ``notes``.
        samples: optional images in [-1, 1] for ``samples.png``.
        overwrite: replace an existing preset.
        weights_dtype: ``"float32"``, or ``"float16"`` to store the weights
            at half the size. A loaded preset computes in float32 either way
            (its weights are widened on load); measure the loaded entry, as
            ``tools/train_zoo.py`` does, to know what the rounding costs.
        training_networks: also store the networks only training uses (the
            variant's ``training_only_networks``, its discriminators).
            ``False`` leaves them out: the entry samples, translates and
            exports as before, and fine-tuning it starts those networks
            afresh. The metadata lists what is stored.
    """
    from keras_gan_zoo.visualize import save_image_grid

    if os.path.exists(directory) and not overwrite:
        raise PresetError(f"{directory} already exists; pass overwrite=True to replace it")
    for key in ("name", "variant", "data", "command", "headline"):
        if key not in metadata:
            raise PresetError(f"the metadata lacks {key!r}")
    if not _NAME.match(metadata["name"]):
        raise PresetError(f"invalid preset name {metadata['name']!r}: use a-z, 0-9 and _")
    if weights_dtype not in ("float32", "float16"):
        raise PresetError(f"expected weights_dtype 'float32' or 'float16', got {weights_dtype!r}")
    os.makedirs(directory, exist_ok=True)
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
    files = {name: {"sha256": _sha256(os.path.join(directory, name)),
                    "bytes": os.path.getsize(os.path.join(directory, name))}
             for name in (CONFIG, WEIGHTS)}
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
        f.write(card(meta))
    return directory


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


def card(meta):
    """The model card (Markdown) of a preset's metadata."""
    lines = [f"# {meta['name']}", "", meta.get("description", ""), "",
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
    if "training_minutes" in meta:
        lines.append(f"| training time | {meta['training_minutes']} min on {meta.get('hardware', '')} |")
    lines += ["", "Retrain (from the repository root, with `../shared/data` beside it):", "",
              "```bash", meta["command"], "```", ""]
    if meta.get("limits"):
        lines += ["**What it is not good at.** " + meta["limits"], ""]
    if meta.get("notes"):
        lines += [meta["notes"], ""]
    lines += ["![samples](samples.png)", "",
              "Load it: `model = keras_gan_zoo.zoo.load(\"" + meta["name"] + "\")`.", ""]
    return "\n".join(lines)


def pack(directory, archive):
    """Pack a preset directory into ``archive`` (.tar.gz) for hosting; return its SHA-256."""
    if os.path.exists(archive):
        raise PresetError(f"{archive} already exists")
    meta = _read_metadata(directory)
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(directory)):
            tar.add(os.path.join(directory, name), arcname=f"{meta['name']}/{name}")
    return _sha256(archive)

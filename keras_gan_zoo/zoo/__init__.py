"""Pretrained entries and shared presets, loaded by handle: ``kgz.zoo.load("cgan_mnist")``.

A handle is any of:

* a **zoo name** (``list()``): fetched once from the zoo's source into the
  local cache, checked against the hashes in the index that ships with the
  package, then loaded from the cache, offline too;
* a **preset folder** (``"./my_gan"``, any path with a separator), or a
  ``.tar.gz`` / ``.zip`` of one;
* an **https:// URL** of such an archive, with its SHA-256;
* ``hf://owner/repo[@revision]``: a preset on the Hugging Face Hub, through
  ``huggingface_hub`` and its cache.

Every load checks the files' hashes before reading them and reads the config
with Keras' ``safe_mode``, so a preset cannot run code. Where entries come
from, where they are cached and how to stay offline are settings of
``keras_gan_zoo.zoo.cache``. Share your own with ``save`` (a folder with a
Hugging Face model card) and ``keras-gan-zoo upload FOLDER hf://owner/repo``.

Example:
    >>> import keras_gan_zoo as kgz
    >>> [entry["name"] for entry in kgz.zoo.list()]
    >>> model = kgz.zoo.load("cgan_mnist")             # or kgz.ConditionalGAN.from_preset(...)
    >>> sevens = model.generate(16, labels=7, seed=0)
"""

import os
import shutil
import tempfile

from keras_gan_zoo.zoo import cache, exports, hub, index
from keras_gan_zoo.zoo.preset import (CARD, CONFIG, METADATA, NAME, SAMPLES, WEIGHTS, PresetError,
                                      card, front_matter, generators, load_folder, pack,
                                      preset_root, read_metadata, save)
from keras_gan_zoo.zoo.preset import sha256 as sha256_of

__all__ = ["PresetError", "cached", "card", "download", "export_path", "exports", "generators",
           "info", "list", "load", "markdown_table", "pack", "resolve", "save", "upload"]


def list():  # noqa: A001  (the zoo's listing, as keras-hub's presets)
    """The zoo's named entries (from the index that ships with the package; offline).

    Returns:
        list of dicts with ``name``, ``variant``, ``task`` (what it does, in
        a few words), ``data``, ``size_mb``, ``headline`` (e.g. ``"class
        accuracy 97.1%"``), ``description`` and ``cached`` (whether it is in
        the local cache, so that it loads offline).
    """
    out = []
    for entry in index.entries():
        item = {k: entry.get(k) for k in
                ("name", "variant", "task", "data", "size_mb", "headline", "description")}
        item["task"] = item["task"] or item["data"]
        item["cached"] = cached(entry["name"])
        out.append(item)
    return out


def markdown_table(links=True):
    """The zoo table (name, variant, task, headline metric, size), from the index.

    ``links=True`` links each name to its model card in the repository's
    ``zoo/`` folder (as the README does); ``False`` gives plain names.
    """
    rows = ["| name | variant | task | headline (held-out data) | size |",
            "| --- | --- | --- | --- | --- |"]
    for e in index.entries():
        name = f"[`{e['name']}`](zoo/{e['name']}/README.md)" if links else f"`{e['name']}`"
        rows.append(f"| {name} | {e['variant']} | {e['task'] or e['data']} | {e['headline']} | "
                    f"{e['size_mb']} MB |")
    return "\n".join(rows)


def _entry_folder(name, cache_dir=None):
    entry = index.find(name)
    key = entry["files"][METADATA]["sha256"][:16]
    return entry, os.path.join(cache.cache_dir(cache_dir), "entries", name, key)


def cached(name, cache_dir=None):
    """Whether the named entry is in the cache, complete and with every hash right."""
    entry, folder = _entry_folder(name, cache_dir)
    return os.path.isdir(folder) and cache.verified(folder, entry["files"])


def download(name, cache_dir=None, progress=None):
    """Fetch the named entry (``list``) into the cache if it is not there; its folder.

    Each file is checked against the index's SHA-256 as it arrives; the
    entry's folder appears only once all of them matched.
    """
    entry, folder = _entry_folder(name, cache_dir)
    if os.path.isdir(folder) and cache.verified(folder, entry["files"]):
        return folder
    if cache.offline():
        raise PresetError(
            f"the zoo entry {name!r} is not in the cache ({cache.cache_dir(cache_dir)}) and "
            "downloads are off (KERAS_GAN_ZOO_OFFLINE / HF_HUB_OFFLINE): fetch it while online "
            f"with `keras-gan-zoo download {name}`")
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    if os.path.isdir(folder):  # damaged in place (a file changed or removed): fetch it again
        shutil.rmtree(folder)
    staging = tempfile.mkdtemp(prefix=".part-", dir=parent)
    try:
        for file, spec in entry["files"].items():
            cache.fetch(cache.location(name, file), os.path.join(staging, file), spec["sha256"],
                        progress)
        return cache.into_place(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def resolve(preset, sha256=None, cache_dir=None):
    """The local folder of the preset a handle names (fetched into the cache if needed).

    Args:
        preset: a zoo name, a preset folder (a path with a separator, or
            starting with ``.``), a ``.tar.gz`` / ``.zip`` file, an
            ``https://`` URL of one, or ``hf://owner/repo[@revision]``.
        sha256: the archive's SHA-256; required for a URL.
        cache_dir: the cache (default ``cache.cache_dir()``).
    """
    preset = os.fspath(preset)
    if preset.startswith("hf://"):
        return hub.download(preset)
    if preset.startswith(("http://", "https://")):
        return cache.fetch_archive(preset, sha256, cache_dir)
    is_path = os.sep in preset or "/" in preset or preset.startswith(".")
    if is_path and os.path.isdir(preset):
        return os.path.abspath(preset)
    if preset.lower().endswith(cache.ARCHIVE_ENDINGS):
        if not os.path.isfile(preset):
            raise PresetError(f"{preset} does not exist")
        return cache.extract(os.path.abspath(preset), cache_dir)
    if is_path:
        raise PresetError(f"{preset} is not a folder (a preset handle with a path must name an "
                          "existing preset folder or a .tar.gz / .zip)")
    if not NAME.match(preset):
        raise PresetError(
            f"{preset!r} is neither a zoo name (lower-case letters, digits and _), a preset "
            "folder, a .tar.gz/.zip, an https:// URL nor hf://owner/repo")
    if preset not in index.names() and os.path.isdir(preset):
        raise PresetError(f"{preset!r} is not a zoo name; to load the folder of that name, "
                          f"give it as a path: ./{preset}")
    return download(preset, cache_dir)


def load(preset, sha256=None, cache_dir=None, format=None, quantize=None,  # noqa: A002
         direction=None):
    """Load the trained variant a handle names (see ``resolve``); uncompiled, float32.

    The config's and the weights' hashes are checked against the preset's
    metadata before they are read; the config is read with Keras'
    ``safe_mode``. Networks the preset does not store (a discriminator left
    out to keep an entry small) start from their initial weights.

    With ``format`` (``"onnx"``, ``"litert"``, ``"openvino"``; ``quantize``
    ``"float16"`` or ``"int8"`` for ONNX) it gives the runnable export
    instead, a ``keras_gan_zoo.export.ExportedGenerator`` that samples or
    translates as the variant does (see ``export_path``): a preset that
    carries it downloads only that file.

    Raises:
        PresetError: an unknown name (with the closest names), a bad handle,
            a failed hash check, offline and not cached, a malformed preset.
    """
    if format is not None:
        from keras_gan_zoo import export

        return export.load(export_path(preset, format, quantize, direction, sha256, cache_dir))
    return load_folder(preset_root(resolve(preset, sha256, cache_dir)))


def export_path(preset, format="onnx", quantize=None, direction=None, sha256=None,  # noqa: A002
                cache_dir=None):
    """The local path of a preset's verified export, fetched or made if needed.

    A preset that carries the export (``exports/`` in its folder, listed in
    its metadata) gives it after a hash check, and a zoo name or an
    ``hf://`` handle downloads that one file (and the metadata), not the
    weights. Otherwise the preset is loaded and exported here, verified
    against Keras (``keras_gan_zoo.export``), into the cache, once.

    Args:
        preset: any handle ``load`` takes.
        format: a registered format (``"onnx"``, ``"litert"``, ``"openvino"``,
            ``"saved_model"``; a preset carries only one-file formats).
        quantize: ``"float16"`` or ``"int8"`` (ONNX).
        direction: which generator of a translator with several (``"a_to_b"``).

    Example:
        >>> path = kgz.zoo.export_path("dcgan_mnist", "onnx", quantize="int8")
    """
    spec = exports.spec_of(format, quantize)
    preset = os.fspath(preset)
    where = cache.cache_dir(cache_dir)
    if NAME.match(preset) and preset in index.names():
        entry = index.find(preset)
        record = exports.find(entry.get("exports"), spec, direction)
        if record is not None:
            target = os.path.join(where, "exports", preset, record["sha256"][:16],
                                  os.path.basename(record["file"]))
            if os.path.isfile(target) and sha256_of(target) == record["sha256"]:
                return target
            if cache.offline():
                raise PresetError(
                    f"the {spec} export of {preset!r} is not in the cache ({where}) and "
                    "downloads are off (KERAS_GAN_ZOO_OFFLINE / HF_HUB_OFFLINE): fetch it "
                    f"while online with `keras-gan-zoo download {preset} --format {spec}`")
            return cache.fetch(cache.location(preset, record["file"]), target, record["sha256"])
    elif preset.startswith("hf://"):
        meta = read_metadata(hub.download(preset, [METADATA]))
        record = exports.find(meta.get("exports"), spec, direction)
        if record is not None and record.get("file"):
            return exports.check(hub.download(preset, [METADATA, record["file"]]), record)
    folder = preset_root(resolve(preset, sha256, cache_dir))
    meta = read_metadata(folder)
    record = exports.find(meta.get("exports"), spec, direction)
    if record is not None and record.get("file"):
        return exports.check(folder, record)
    return _exported_here(folder, meta, spec, direction, where)


def _exported_here(folder, meta, spec, direction, where):
    """The export ``spec`` of the preset in ``folder``, made in the cache (once)."""
    from keras_gan_zoo import export

    key = sha256_of(os.path.join(folder, METADATA))[:16]
    target = os.path.join(where, "exports", "local", key,
                          os.path.basename(exports.file_name(spec, direction)))
    if os.path.exists(target):
        return target
    model = load_folder(folder)
    if direction is None and len(model.directions) > 1:
        raise PresetError(f"{meta.get('name', folder)} has generators "
                          f"{', '.join(model.directions)}: pick one with direction=")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    name, kwargs = exports.options(model, spec, direction)
    export.export(model, target, format=name, **kwargs)  # verified, then moved into place
    return target



def info(preset, sha256=None, cache_dir=None):
    """A preset's metadata (dict): data, command, measured quality, file hashes."""
    return read_metadata(preset_root(resolve(preset, sha256, cache_dir)))


def upload(directory, handle, message=None, private=False):
    """Push the preset folder ``directory`` (made by ``save``) to ``hf://owner/repo``;
    the repository is created if needed. Needs ``huggingface_hub`` and a token
    (``HF_TOKEN`` or ``huggingface-cli login``)."""
    return hub.upload(preset_root(directory), handle, message, private)

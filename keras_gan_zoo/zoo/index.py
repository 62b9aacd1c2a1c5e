"""The index of the named zoo entries that ships with the package (``index.json``).

Each entry: its name, variant, task, data, headline, description, size and
the SHA-256 and size of each of its files, so that ``list`` works offline and
every download is checked before it is used. The index is written by
``tools/zoo_index.py`` from the repository's ``zoo/`` folder (a test checks
it is up to date).
"""

import difflib
import functools
import json
import os

from keras_gan_zoo.zoo.preset import NAME, PresetError

INDEX = os.path.join(os.path.dirname(__file__), "index.json")
#: Version of the index's layout.
INDEX_FORMAT = 1


@functools.lru_cache(maxsize=1)
def _read():
    try:
        with open(INDEX) as f:
            index = json.load(f)
    except FileNotFoundError:
        return ()
    if index.get("format", 1) > INDEX_FORMAT:
        raise PresetError(f"{INDEX} has format {index['format']}, newer than this keras-gan-zoo "
                          f"reads ({INDEX_FORMAT}): upgrade keras-gan-zoo")
    return tuple(sorted(index["entries"], key=lambda e: e["name"]))


def entries():
    """The index's entries (dicts), sorted by name (the file that ships with the package,
    read once)."""
    return [dict(e) for e in _read()]


def names():
    """The names of the index's entries."""
    return [e["name"] for e in entries()]


def find(name):
    """The index entry ``name``, or a ``PresetError`` with the closest names."""
    for entry in entries():
        if entry["name"] == name:
            return entry
    close = difflib.get_close_matches(name, names(), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise PresetError(f"unknown preset {name!r}{hint} (the zoo: {', '.join(names()) or 'none'}; "
                      "or give a folder, a .tar.gz/.zip, an https:// URL or hf://owner/repo)")


def entry_of(directory):
    """The index entry of the preset folder ``directory`` (what ``tools/zoo_index.py`` writes)."""
    from keras_gan_zoo.zoo.preset import file_records, read_metadata

    meta = read_metadata(directory)
    if not NAME.match(meta["name"]):
        raise PresetError(f"{directory}: invalid preset name {meta['name']!r}")
    files = file_records(directory, sorted(
        f for f in os.listdir(directory)
        if not f.startswith(".") and os.path.isfile(os.path.join(directory, f))))
    keys = ("name", "variant", "task", "data", "headline", "description", "size_mb")
    carried = [{k: r[k] for k in ("spec", "direction", "file", "sha256", "bytes")}
               for r in meta.get("exports", []) if r.get("file")]
    return {**{k: meta.get(k) for k in keys}, "files": files,
            **({"exports": carried} if carried else {})}

"""Where presets come from and where they are kept: the source of the named entries, the
local cache, verified atomic downloads and safe archive extraction.

Settings (environment variables, read at each call):

* ``KERAS_GAN_ZOO_CACHE`` - the cache folder (default
  ``$XDG_CACHE_HOME/keras-gan-zoo``, i.e. ``~/.cache/keras-gan-zoo``);
* ``KERAS_GAN_ZOO_SOURCE`` - where the named entries are fetched from: a URL
  or a folder holding ``NAME/FILE``, or a template with ``{name}`` and
  ``{file}``. Default: the repository's ``zoo/`` folder when the package runs
  from a clone, else ``DEFAULT_SOURCE``;
* ``KERAS_GAN_ZOO_OFFLINE=1`` (or ``HF_HUB_OFFLINE=1``) - never download: only
  what is cached loads, and the error says which command fetches the rest.

Cache layout::

    entries/NAME/KEY/        a named entry, KEY = first 16 hex of its metadata.json's SHA-256
    archives/KEY/            an extracted .tar.gz / .zip preset, KEY = first 16 hex of its SHA-256
    downloads/               archives as downloaded (kept: a later load checks nothing twice)

Everything is written into a ``.part-*`` file or folder first and renamed
into place only once every hash matched, so a download killed at any moment
leaves nothing a later load would use.
"""

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from keras_gan_zoo.zoo.preset import PresetError, sha256 as _sha256

#: Where the named entries are published (``{name}``, ``{file}`` filled in).
DEFAULT_SOURCE = "https://huggingface.co/keras-gan-zoo/{name}/resolve/main/{file}"
#: Seconds a download may stall before it fails.
TIMEOUT = 60
_TRUE = ("1", "true", "yes", "on")
_CLONE = Path(__file__).resolve().parents[2] / "zoo"  # the repository's entries, in a clone


def cache_dir(override=None):
    """The cache folder: ``override``, ``KERAS_GAN_ZOO_CACHE``, or ``~/.cache/keras-gan-zoo``."""
    if override:
        return os.path.abspath(os.path.expanduser(os.fspath(override)))
    if os.environ.get("KERAS_GAN_ZOO_CACHE"):
        return os.path.abspath(os.path.expanduser(os.environ["KERAS_GAN_ZOO_CACHE"]))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "keras-gan-zoo")


def source():
    """Where named entries are fetched from (see the module's settings)."""
    if os.environ.get("KERAS_GAN_ZOO_SOURCE"):
        return os.environ["KERAS_GAN_ZOO_SOURCE"]
    if (_CLONE / "README.md").is_file():
        return str(_CLONE)
    return DEFAULT_SOURCE


def offline():
    """Whether downloads are off (``KERAS_GAN_ZOO_OFFLINE`` or ``HF_HUB_OFFLINE``)."""
    return any(os.environ.get(k, "").strip().lower() in _TRUE
               for k in ("KERAS_GAN_ZOO_OFFLINE", "HF_HUB_OFFLINE"))


def location(name, file, where=None):
    """The URL or path of ``file`` of the named entry ``name`` at the source."""
    where = where or source()
    if "{name}" in where:
        return where.format(name=name, file=file)
    if where.startswith(("http://", "https://")):
        return f"{where.rstrip('/')}/{name}/{file}"
    return os.path.join(where, name, file)


# ---------------------------------------------------------------- downloads
def fetch(origin, target, sha256, progress=None):
    """Copy ``origin`` (a URL or a local path) to ``target`` if its SHA-256 is ``sha256``.

    The bytes go to a ``.part-*`` file beside ``target``, hashed as they
    arrive, and are renamed to ``target`` only if the hash matches; otherwise
    the part is deleted and a ``PresetError`` says what arrived. ``progress``
    is called with each block's size.
    """
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=".part-", dir=os.path.dirname(target))
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out, _open(origin) as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                out.write(block)
                digest.update(block)
                size += len(block)
                if progress:
                    progress(len(block))
        if digest.hexdigest() != sha256:
            raise PresetError(
                f"{origin}: got {size:,} bytes whose SHA-256 is {digest.hexdigest()[:16]}..., "
                f"expected {sha256[:16]}... (a truncated or corrupted download, or a changed "
                "file); nothing was cached")
        os.replace(part, target)
    finally:
        if os.path.exists(part):
            os.remove(part)
    return target


def _open(origin):
    if not origin.startswith(("http://", "https://")):
        try:
            return open(origin, "rb")
        except FileNotFoundError:
            raise PresetError(f"{origin} does not exist (the zoo's source is {source()!r}; "
                              "set KERAS_GAN_ZOO_SOURCE to where the entries are)") from None
    try:
        return urllib.request.urlopen(origin, timeout=TIMEOUT)  # noqa: S310 (http(s) only)
    except urllib.error.HTTPError as error:
        raise PresetError(f"{origin}: the server answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PresetError(f"{origin}: cannot download ({reason}); set KERAS_GAN_ZOO_OFFLINE=1 "
                          "to use the cache only") from None


def verified(directory, files):
    """Whether ``directory`` holds every file of ``{name: {"sha256": ...}}`` with its hash."""
    return all(os.path.isfile(os.path.join(directory, name))
               and _sha256(os.path.join(directory, name)) == spec["sha256"]
               for name, spec in files.items())


def into_place(staging, final):
    """Rename the complete folder ``staging`` to ``final`` (another process may have won)."""
    try:
        os.replace(staging, final)
    except OSError:
        if not os.path.isdir(final):
            raise
        shutil.rmtree(staging, ignore_errors=True)  # the same files, put there by another load
    return final


# ----------------------------------------------------------------- archives
ARCHIVE_ENDINGS = (".tar.gz", ".tgz", ".zip")


def extract(archive, cache=None):
    """A ``.tar.gz`` / ``.zip`` preset extracted into the cache (once per content)."""
    digest = _sha256(archive)
    final = os.path.join(cache_dir(cache), "archives", digest[:16])
    if os.path.isdir(final):
        return final
    os.makedirs(os.path.dirname(final), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".part-", dir=os.path.dirname(final))
    try:
        _safe_extract(archive, staging)
        return into_place(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _safe_extract(archive, target):
    """Extract ``archive`` into ``target``, refusing any member that would land outside it
    (an absolute path, ``..``, a link) before anything is written."""
    root = os.path.realpath(target)

    def inside(name):
        path = os.path.realpath(os.path.join(root, name))
        return path == root or path.startswith(root + os.sep)

    if archive.lower().endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            bad = [n for n in z.namelist() if os.path.isabs(n) or not inside(n)]
            if bad:
                raise PresetError(f"{archive}: the member {bad[0]!r} would land outside its "
                                  "folder; not extracting this archive")
            z.extractall(target)
        return
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            bad = [m.name for m in members if os.path.isabs(m.name) or not inside(m.name)
                   or not (m.isfile() or m.isdir())]
            if bad:
                raise PresetError(f"{archive}: the member {bad[0]!r} would land outside its "
                                  "folder or is a link or device; not extracting this archive")
            tar.extractall(target, filter="data")
    except tarfile.TarError as error:
        raise PresetError(f"{archive} is not a readable .tar.gz ({error})") from None


def fetch_archive(url, sha256, cache=None):
    """The preset folder of the archive at ``url`` whose SHA-256 is ``sha256``: from the cache
    if it was fetched before (no request), else downloaded, verified and extracted."""
    if not sha256 or len(str(sha256)) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise PresetError(f"a URL preset needs its SHA-256 (64 lower-case hex digits): "
                          f"load({url!r}, sha256=...); got {sha256!r}")
    cache = cache_dir(cache)
    final = os.path.join(cache, "archives", sha256[:16])
    if os.path.isdir(final):
        return final
    ending = ".zip" if url.lower().split("?")[0].endswith(".zip") else ".tar.gz"
    archive = os.path.join(cache, "downloads", sha256 + ending)
    if not (os.path.isfile(archive) and _sha256(archive) == sha256):
        if offline():
            raise PresetError(f"{url} is not in the cache ({cache}) and downloads are off "
                              "(KERAS_GAN_ZOO_OFFLINE / HF_HUB_OFFLINE)")
        fetch(url, archive, sha256)
    return extract(archive, cache)

"""Presets on the Hugging Face Hub: ``hf://owner/repo[@revision]`` handles, through
``huggingface_hub`` (its cache, revision pinning, ``HF_HUB_OFFLINE``, ``HF_ENDPOINT``,
``HF_TOKEN``)."""

import re

from keras_gan_zoo.zoo.preset import PresetError

_HANDLE = re.compile(r"^hf://([A-Za-z0-9][\w.-]*/[\w.-]+)(?:@([\w./-]+))?$")


def parse(handle):
    """``(repo_id, revision or None)`` of ``hf://owner/repo[@revision]``."""
    match = _HANDLE.match(handle)
    if not match:
        raise PresetError(f"{handle!r} is not a Hub handle: expected hf://owner/repo or "
                          "hf://owner/repo@revision (a branch, tag or commit)")
    return match.group(1), match.group(2)


def _hub():
    try:
        import huggingface_hub
    except ImportError:
        raise PresetError("hf:// handles need huggingface_hub: pip install "
                          "'keras-gan-zoo[hub]'") from None
    return huggingface_hub


def download(handle, files=None):
    """The local folder of the preset at ``handle`` (in the Hub's own cache); only the
    repository's ``files`` if given (e.g. ``["metadata.json"]``)."""
    hub = _hub()
    repo_id, revision = parse(handle)
    try:
        return hub.snapshot_download(repo_id=repo_id, revision=revision, allow_patterns=files)
    except hub.errors.LocalEntryNotFoundError:
        raise PresetError(f"{handle} is not in the Hugging Face cache and the Hub cannot be "
                          "reached (or HF_HUB_OFFLINE is set): download it once while "
                          f"online, e.g. keras-gan-zoo download {handle}") from None
    except hub.errors.RevisionNotFoundError:
        raise PresetError(f"{handle}: the repository has no revision {revision!r}") from None
    except hub.errors.RepositoryNotFoundError:
        raise PresetError(f"{handle}: no such repository on the Hub (or it is private and no "
                          "token is set: HF_TOKEN or huggingface-cli login)") from None


def upload(directory, handle, message=None, private=False):
    """Push the preset folder ``directory`` to the Hub repository of ``handle`` (created if
    needed); returns the new commit's URL."""
    from keras_gan_zoo.zoo.preset import load_folder, read_metadata

    hub = _hub()
    repo_id, revision = parse(handle)
    meta = read_metadata(directory)
    load_folder(directory)  # only a preset that loads is shared
    api = hub.HfApi()
    api.create_repo(repo_id, private=private, exist_ok=True)
    info = api.upload_folder(folder_path=directory, repo_id=repo_id, revision=revision,
                             commit_message=message or f"keras-gan-zoo preset {meta['name']}")
    return getattr(info, "commit_url", str(info))

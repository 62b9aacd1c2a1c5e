"""A tiny in-memory Hugging Face Hub on 127.0.0.1, for tests (standard library only).

It answers the HTTP calls that ``huggingface_hub`` (written against 2.4.0) makes for:

* ``snapshot_download`` / ``hf_hub_download`` of model repos, at a branch or a 40-hex commit sha:
  ``GET /api/models/{repo}[/revision/{rev}]``, ``GET /api/models/{repo}/tree/{rev}[/{path}]``,
  ``HEAD|GET /{repo}/resolve/{rev}/{path}`` (``X-Repo-Commit``, git-sha1 ``ETag``, ``Content-Length``,
  ``Range: bytes=N-`` for resumes; no redirects, no Xet/LFS headers, so plain HTTP downloads are used);
* ``HfApi.create_repo``: ``POST /api/repos/create`` (409 when the repo exists);
* ``HfApi.upload_folder`` / ``create_commit``: ``POST /api/models/{repo}/preupload/{rev}`` answers
  ``uploadMode: "regular"`` for every file, so each file (binary too) travels base64-encoded inside the
  NDJSON body of ``POST /api/models/{repo}/commit/{rev}``; no LFS or Xet storage is involved;
* ``HfApi.whoami`` (``GET /api/whoami-v2``) and ``POST /api/validate-yaml`` (README.md check).

Write calls (create, preupload, commit, whoami) need an ``Authorization`` header (any token), like the Hub.
Repos live in memory: ``repo_id -> {"refs": {branch: sha}, "commits": {sha: {path: bytes}}}``.

``huggingface_hub`` reads HF_ENDPOINT, HF_HOME/HF_HUB_CACHE and HF_HUB_OFFLINE once, at import: code that
passes no ``endpoint=``/``cache_dir=`` needs them set before the import (e.g. in a subprocess), or the
module constants ``ENDPOINT``, ``HUGGINGFACE_CO_URL_TEMPLATE``, ``HF_HUB_CACHE``, ``HF_HUB_OFFLINE`` of
``huggingface_hub.constants`` patched. HF_TOKEN is read at call time. Xet needs no disabling (neither
downloads nor uploads touch Xet storage); HF_HUB_DISABLE_XET=1 just selects the simpler upload code path.

    with HubServer() as hub:
        sha = hub.add_repo("owner/name", {"config.json": b"{}"})
        path = snapshot_download("owner/name", endpoint=hub.endpoint, cache_dir=tmp)
        assert ("GET", "/api/models/owner/name/revision/main") in hub.requests
"""

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

_API = re.compile(r"^/api/models/([^/]+/[^/]+)(?:/(revision|tree|preupload|commit)/([^/]+)(?:/(.*))?)?$")
_RESOLVE = re.compile(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$")
_DATE = "2024-01-01T00:00:00.000Z"


def git_blob_sha1(data: bytes) -> str:
    """The git object id of a blob: what the Hub sends as ETag / ``oid`` for non-LFS files."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class _HttpError(Exception):
    def __init__(self, status, code=None, message="", headers=None, extra=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}
        self.extra = extra or {}  # more fields of the JSON error body


class HubServer:
    """In-memory Hub serving model repos over HTTP on 127.0.0.1 (a context manager)."""

    def __init__(self):
        self.endpoint = None  # "http://127.0.0.1:PORT", set by __enter__
        self.requests = []  # (method, path without query string) of every request served
        self._repos = {}
        self._lock = threading.RLock()
        self._httpd = self._thread = None

    # ------------------------------------------------------------------ test-facing API

    def add_repo(self, repo_id, files=None):
        """Create ``repo_id`` if needed and commit ``files`` as the complete new tree of "main"; return the sha."""
        with self._lock:
            self._repos.setdefault(repo_id, {"refs": {}, "commits": {}})
            return self._commit(repo_id, {p: bytes(b) for p, b in (files or {}).items()}, "add_repo")

    def files(self, repo_id, revision="main"):
        """Copy of the ``{path: bytes}`` tree of ``repo_id`` at a branch name or commit sha."""
        with self._lock:
            return dict(self._tree(repo_id, revision)[1])

    def __enter__(self):
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.hub = self
        self.endpoint = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    # ------------------------------------------------------------------ store helpers (caller holds the lock)

    def _commit(self, repo_id, files, message, branch="main"):
        repo = self._repos[repo_id]
        parent = repo["refs"].get(branch)
        seed = [repo_id, parent, message, len(repo["commits"]), sorted((p, git_blob_sha1(b)) for p, b in files.items())]
        sha = hashlib.sha1(json.dumps(seed).encode()).hexdigest()
        repo["commits"][sha] = files
        repo["refs"][branch] = sha
        return sha

    def _tree(self, repo_id, revision):
        """Resolve a branch name or commit sha to ``(sha, {path: bytes})``, or raise a Hub-style 404."""
        repo = self._repos.get(repo_id)
        if repo is None:
            raise _HttpError(404, "RepoNotFound", "Repository not found")
        sha = repo["refs"].get(revision) or (revision if revision in repo["commits"] else None)
        if sha is None:
            raise _HttpError(404, "RevisionNotFound", "Invalid rev id: %s" % revision)
        return sha, repo["commits"][sha]

    # ------------------------------------------------------------------ routing

    def _route(self, method, path, query, headers, body):
        """Return ``(status, headers, body)`` for one request; raise ``_HttpError`` for Hub-style errors."""
        writes = {("POST", "/api/repos/create"), ("GET", "/api/whoami-v2")}
        api = _API.match(path)
        if ((method, path) in writes or (method == "POST" and api)) and not headers.get("Authorization"):
            raise _HttpError(401, None, "Invalid credentials in Authorization header")
        if method == "GET" and path == "/api/whoami-v2":
            return _json({"type": "user", "name": "user", "fullname": "Loopback User", "orgs": [],
                          "auth": {"type": "access_token", "accessToken": {"role": "write"}}})
        if method == "POST" and path == "/api/validate-yaml":
            return _json({"errors": [], "warnings": []})
        if method == "POST" and path == "/api/repos/create":
            return self._create_repo(json.loads(body or b"{}"))
        if api:
            repo_id, action, rev, rest = api.groups()
            rev, rest = unquote(rev or "main"), unquote(rest or "")
            if method == "GET" and action in (None, "revision"):
                return self._model_info(repo_id, rev)
            if method == "GET" and action == "tree":
                recursive = query.get("recursive", ["false"])[0].lower() in ("1", "true")
                return self._list_tree(repo_id, rev, rest.strip("/"), recursive)
            if method == "POST" and action == "preupload":
                return self._preupload(repo_id, rev, json.loads(body))
            if method == "POST" and action == "commit":
                return self._create_commit(repo_id, rev, body)
        resolve = _RESOLVE.match(path)
        if resolve and method in ("GET", "HEAD"):
            return self._resolve(repo_id=resolve[1], rev=unquote(resolve[2]), filename=unquote(resolve[3]),
                                 range_header=headers.get("Range"))
        raise _HttpError(404, None, "Not Found: %s %s" % (method, path))

    def _create_repo(self, payload):
        if payload.get("type") not in (None, "model"):
            raise _HttpError(400, None, "HubServer only serves model repos")
        repo_id = "%s/%s" % (payload.get("organization") or "user", payload["name"])
        url = "%s/%s" % (self.endpoint, repo_id)
        if repo_id in self._repos:
            raise _HttpError(409, None, "You already created this model repo", extra={"url": url})
        self.add_repo(repo_id, {})  # an empty initial commit, so that "main" exists
        return _json({"url": url, "name": repo_id, "id": repo_id})

    def _model_info(self, repo_id, rev):
        sha, files = self._tree(repo_id, rev)
        siblings = [{"rfilename": p, "size": len(b), "blobId": git_blob_sha1(b)} for p, b in sorted(files.items())]
        return _json({"_id": repo_id, "id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0],
                      "sha": sha, "private": False, "gated": False, "disabled": False, "lastModified": _DATE,
                      "createdAt": _DATE, "tags": [], "downloads": 0, "likes": 0, "siblings": siblings})

    def _list_tree(self, repo_id, rev, prefix, recursive):
        _, files = self._tree(repo_id, rev)
        base = prefix + "/" if prefix else ""
        entries, dirs = [], set()
        for p, data in sorted(files.items()):
            if not p.startswith(base):
                continue
            parts = p[len(base):].split("/")
            for depth in range(1, len(parts) if recursive else min(len(parts), 2)):
                dirs.add(base + "/".join(parts[:depth]))
            if recursive or len(parts) == 1:
                entries.append({"type": "file", "oid": git_blob_sha1(data), "size": len(data), "path": p})
        if prefix and not entries and not dirs:
            raise _HttpError(404, "EntryNotFound", "%s does not exist" % prefix)
        entries += [{"type": "directory", "oid": hashlib.sha1(d.encode()).hexdigest(), "size": 0, "path": d}
                    for d in sorted(dirs)]
        return _json(entries)

    def _preupload(self, repo_id, rev, payload):
        _, files = self._tree(repo_id, rev)
        return _json({"commitOid": self._repos[repo_id]["refs"].get(rev, rev), "files": [
            {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
             "oid": git_blob_sha1(files[f["path"]]) if f["path"] in files else None}
            for f in payload["files"]]})

    def _create_commit(self, repo_id, branch, body):
        parent, files = self._tree(repo_id, branch)
        if branch not in self._repos[repo_id]["refs"]:
            raise _HttpError(400, None, "Can only commit on a branch, got %s" % branch)
        files, message = dict(files), "commit"
        for line in body.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            key, value = item["key"], item["value"]
            if key == "header":
                message = value.get("summary") or message
                if value.get("parentCommit") and not parent.startswith(value["parentCommit"]):
                    raise _HttpError(412, None, "Parent commit is not the head of %s" % branch)
            elif key == "file":
                raw = value["content"]
                files[value["path"]] = base64.b64decode(raw) if value.get("encoding") == "base64" else raw.encode()
            elif key == "deletedFile":
                if files.pop(value["path"], None) is None:
                    raise _HttpError(404, "EntryNotFound", "A file with this name doesn't exist")
            elif key == "deletedFolder":
                folder = value["path"].rstrip("/") + "/"
                files = {p: b for p, b in files.items() if not p.startswith(folder)}
            else:  # "lfsFile": never requested, since preupload always answers "regular"
                raise _HttpError(400, None, "HubServer does not support %r operations" % key)
        sha = self._commit(repo_id, files, message, branch)
        return _json({"success": True, "commitOid": sha, "commitUrl": "%s/%s/commit/%s" % (self.endpoint, repo_id, sha),
                      "hookOutput": "", "pullRequestUrl": None})

    def _resolve(self, repo_id, rev, filename, range_header):
        sha, files = self._tree(repo_id, rev)
        if filename not in files:
            raise _HttpError(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": sha})
        data = files[filename]
        headers = {"Content-Type": "application/octet-stream", "ETag": '"%s"' % git_blob_sha1(data),
                   "X-Repo-Commit": sha, "Accept-Ranges": "bytes"}
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", range_header or "")
        if match and int(match[1]) < len(data):
            start, end = int(match[1]), min(int(match[2] or len(data) - 1), len(data) - 1)
            headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, len(data))
            return 206, headers, data[start:end + 1]
        return 200, headers, data


def _json(obj, status=200):
    return status, {"Content-Type": "application/json"}, json.dumps(obj).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # snapshot_download opens up to 8 connections at once


class _Handler(BaseHTTPRequestHandler):
    """Thin HTTP/1.0 adapter (one request per connection, so a stopped server really is unreachable)."""

    def _dispatch(self):
        hub = self.server.hub
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with hub._lock:
            hub.requests.append((self.command, url.path))
            try:
                status, headers, payload = hub._route(self.command, url.path, parse_qs(url.query), self.headers, body)
            except _HttpError as e:
                headers = {"Content-Type": "application/json", "X-Error-Message": e.message, **e.headers}
                if e.code:
                    headers["X-Error-Code"] = e.code
                status, payload = e.status, json.dumps({"error": e.message, **e.extra}).encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_HEAD = do_POST = _dispatch

    def log_message(self, *args):  # keep test output quiet
        pass

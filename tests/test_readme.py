"""The README's two commands are the ones CI runs, and its example runs."""

import re

import pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_ci_runs_the_readme_commands():
    commands = readme_commands()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[0] in ci, commands[0]  # CI may add flags after it
    assert commands[1] in ci.splitlines(), commands[1]


def test_the_ten_line_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    code = re.search(r"## Ten lines.*?```python\n(.*?)```", text, re.S).group(1)
    # The same code on less data, so that it runs in seconds.
    small = code.replace("n=100_000", "n=1_024").replace("epochs=5", "epochs=1")
    assert small != code
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(small, "README.md", "exec"), namespace)
    assert namespace["samples"].shape == (2500, 2)
    import numpy as np

    np.testing.assert_array_equal(namespace["again"].generate(5, seed=0),
                                  namespace["model"].generate(5, seed=0))


def _sync_tables():
    import importlib.util

    spec = importlib.util.spec_from_file_location("sync_tables", ROOT / "tools" / "sync_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_generated_table_is_up_to_date():
    # the README's and the docs' tables come from the registries: run tools/sync_tables.py
    assert _sync_tables().sync(check=True) == []


def test_the_synchroniser_rewrites_a_stale_table_and_nothing_else(tmp_path):
    import shutil

    sync = _sync_tables()
    pages = sorted({page for page, _, _ in sync.TABLES})
    for page in pages:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / page, tmp_path / page)
    readme = tmp_path / "README.md"
    stale = readme.read_text().replace("| `wgan_gp` | `kgz.WGANGP` |", "| `wgan_gp` | `kgz.Old` |")
    readme.write_text(stale)
    assert sync.sync(check=True, root=tmp_path) == [("README.md", "variants table")]
    assert readme.read_text() == stale  # --check changes nothing
    assert sync.sync(root=tmp_path) == [("README.md", "variants table")]
    for page in pages:
        assert (tmp_path / page).read_text() == (ROOT / page).read_text(), page
    (tmp_path / "docs" / "index.md").write_text("# no markers here\n")
    with pytest.raises(ValueError, match=r"index.md has no markers <!-- variants list: start -->"):
        sync.sync(check=True, root=tmp_path)


def test_the_readme_is_for_users():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 250
    assert not re.search(r"`[0-9a-f]{7,40}`|commit [0-9a-f]{7}|\bissue [0-9]+\b|\bblocked\b|"
                         r"beside another job", text)


def _runnable_blocks():
    """Python blocks of the docs marked to run: preceded by ``<!-- runs -->``."""
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for match in re.finditer(r"<!-- runs -->\n```python\n(.*?)```", page.read_text(), re.S):
            yield page.relative_to(ROOT), match.group(1)


def test_some_docs_blocks_are_marked_to_run():
    assert len(list(_runnable_blocks())) >= 3


@pytest.mark.parametrize("page, code", list(_runnable_blocks()),
                         ids=lambda v: str(v)[:40])
def test_docs_blocks_marked_to_run_run(page, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(page), "exec"), {})

"""The README's two commands are the ones CI runs, and its example runs."""

import re
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


def test_the_zoo_table_is_the_metadata():
    from keras_gan_zoo import zoo

    assert zoo.markdown_table() in (ROOT / "README.md").read_text()
    assert len(zoo.list()) >= 5

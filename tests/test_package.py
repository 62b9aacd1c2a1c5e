"""Import-time checks and the public API."""

import json
import subprocess
import sys

import pytest

import keras_gan_zoo as kgz


def test_public_api():
    for name in ["GAN", "WGANGP", "AdversarialModel", "losses", "networks", "data", "metrics",
                 "callbacks", "visualize", "export", "zoo", "training"]:
        assert hasattr(kgz, name), name
    released = {"gan": kgz.GAN, "wgan_gp": kgz.WGANGP, "conditional_gan": kgz.ConditionalGAN,
                "infogan": kgz.InfoGAN, "cyclegan": kgz.CycleGAN, "wgan": kgz.WGAN,
                "acgan": kgz.ACGAN, "ebgan": kgz.EBGAN, "bigan": kgz.BiGAN, "vaegan": kgz.VAEGAN}
    # names users have are never dropped or rebound; a new variant needs no edit here
    assert {name: kgz.VARIANTS.get(name) for name in released} == released
    for cls in kgz.VARIANTS.values():  # every variant is public, under its class name
        assert getattr(kgz, cls.__name__) is cls and cls.__name__ in kgz.__all__


def test_the_version_has_one_source():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert kgz.__version__ == pyproject["project"]["version"] == "0.4.0"
    changelog = (Path(__file__).parents[1] / "CHANGELOG.md").read_text()
    assert f"## {kgz.__version__}" in changelog


def _import_in_subprocess(env_update, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env_update}
    return subprocess.run([sys.executable, "-c", "import keras_gan_zoo"], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("how", ["env", "keras.json"])
def test_other_keras_backend_is_a_clear_import_error(how, tmp_path):
    if how == "env":
        env = {"KERAS_BACKEND": "jax"}
    else:
        (tmp_path / "kh").mkdir()
        (tmp_path / "kh" / "keras.json").write_text(json.dumps({"backend": "torch"}))
        env = {"KERAS_HOME": str(tmp_path / "kh")}
    result = _import_in_subprocess(env, tmp_path)
    assert result.returncode != 0
    assert "needs the TensorFlow backend of Keras" in result.stderr
    assert ("'jax'" if how == "env" else "'torch'") in result.stderr
    assert "KERAS_BACKEND=tensorflow" in result.stderr


def test_docstrings_use_markdown_not_sphinx_roles():
    # the API pages render docstrings as Markdown (mkdocstrings): a Sphinx role such as
    # :class:`X` would show as raw text there
    import re
    from pathlib import Path

    import keras_gan_zoo

    role = re.compile(r":(func|class|meth|mod|attr|data|exc|obj):`")
    found = [f"{path.name}:{i}" for path in Path(keras_gan_zoo.__file__).parent.rglob("*.py")
             for i, line in enumerate(path.read_text().splitlines(), 1) if role.search(line)]
    assert found == []

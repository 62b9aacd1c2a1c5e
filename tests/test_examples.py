"""The example scripts run, on tiny settings, and write what they promise."""

import pytest
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

pytestmark = pytest.mark.slow  # subprocesses and real training


def run(script, *args, cwd):
    result = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_wgan_gp_ring8(tmp_path):
    out = run("wgan_gp_ring8.py", "--steps", "50", "--out", "ring.png", cwd=tmp_path)
    assert "/8 modes" in out and (tmp_path / "ring.png").stat().st_size > 1000


def test_dcgan_digits(tmp_path):
    run("dcgan_digits.py", "--epochs", "1", "--out", "o", cwd=tmp_path)
    assert (tmp_path / "o" / "epoch_001.png").exists()
    assert (tmp_path / "o" / "losses.png").exists()
    assert (tmp_path / "o" / "dcgan_digits.keras").exists()


def test_conditional_digits(tmp_path):
    run("conditional_digits.py", "--epochs", "1", "--out", "c.png", cwd=tmp_path)
    assert (tmp_path / "c.png").exists()


def test_infogan_digits(tmp_path):
    out = run("infogan_digits.py", "--epochs", "1", "--out", "i.png", cwd=tmp_path)
    assert "categorical code vs digit class" in out and (tmp_path / "i.png").exists()


def test_cyclegan_digits(tmp_path):
    out = run("cyclegan_digits.py", "--epochs", "1", "--out", "y.png", cwd=tmp_path)
    assert "mean |translation - negative|" in out and (tmp_path / "y.png").exists()

"""Where the real data of ../shared/data are, for the tests that need them.

Outside CI a missing folder skips those tests; in CI (CI set) it fails them,
so a green CI run means they ran.
"""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts):
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"real data not found at {path}; the tests expect ../shared/data beside the repo"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path

"""Where the tests find the real reference datasets (never copied into the repository).

``GEOPOTENTIAL_SHARED_DATA`` names the folder (``.ci/run`` sets it); otherwise ``../shared/data``
beside the repository. When the variable is set and a file is missing, the test FAILS; without
the variable, a test that needs absent reference data is skipped with the reason (a user's
clone far from the data can still run the rest of the suite).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geopotential._paths import shared_data_dir

ENV = "GEOPOTENTIAL_SHARED_DATA"


def shared_path(*parts: str) -> Path:
    """Path of a reference dataset (or of the folder itself with no ``parts``)."""
    path = shared_data_dir().joinpath(*parts)
    if path.exists():
        return path
    if os.environ.get(ENV):
        pytest.fail(f"reference data missing: {path} ({ENV} is set)", pytrace=False)
    pytest.skip(f"reference data not found at {path}: set {ENV} to the shared/data folder to run this test")

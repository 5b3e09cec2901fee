"""Session-wide test setup.

The real reference datasets live outside the repository (``../shared/data``, or the folder
named by ``GEOPOTENTIAL_SHARED_DATA``). Tests that use them fail, never skip, when they are
missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

from geopotential._paths import shared_data_dir

matplotlib.use("Agg")
os.environ.setdefault("TQDM_DISABLE", "1")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real reference datasets; fails the test if it is missing."""
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(
            f"reference data not found at {path}: set GEOPOTENTIAL_SHARED_DATA to the shared/data folder",
            pytrace=False,
        )
    return path

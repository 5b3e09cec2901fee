"""Session-wide test setup.

The real reference datasets live outside the repository (``../shared/data``, or the folder
named by ``GEOPOTENTIAL_SHARED_DATA``, which ``.ci/run`` sets). With the variable set, a test
whose data are missing fails; without it, such a test is skipped with the reason
(``tests/_shared.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

from tests._shared import shared_path

matplotlib.use("Agg")
os.environ.setdefault("TQDM_DISABLE", "1")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real reference datasets (see :func:`tests._shared.shared_path`)."""
    return shared_path()

"""Where the project's shipped files live.

Parameter tables are in the repository's top-level ``data/`` folder, next to the
package; ``GEOPOTENTIAL_DATA_DIR`` overrides it (for an installed copy or tests).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def data_dir() -> Path:
    """Folder of the shipped parameter tables [path]."""
    env = os.environ.get("GEOPOTENTIAL_DATA_DIR")
    return Path(env) if env else REPO_DIR / "data"


def shared_data_dir() -> Path:
    """Folder of the real reference datasets used by tests and examples.

    ``GEOPOTENTIAL_SHARED_DATA`` wins; otherwise ``../shared/data`` beside the repository.
    """
    env = os.environ.get("GEOPOTENTIAL_SHARED_DATA")
    return Path(env) if env else REPO_DIR.parent / "shared" / "data"

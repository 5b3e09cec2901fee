"""Local cache of downloaded open-data sources, with a manifest of what was fetched.

Layout of a cache folder::

    <cache_dir>/
        manifest.json                      # what was fetched, when, from where, size, sha256, ETag
        <source>/<territory-key>/<file>    # e.g. cadastre_buildings/insee-80021/cadastre-80021-batiments.json.gz

The cache folder is, in order of precedence: the ``cache_dir`` argument, the
``GEOPOTENTIAL_CACHE_DIR`` environment variable, then a per-user default chosen like
platformdirs does (``$XDG_CACHE_HOME/geopotential`` or ``~/.cache/geopotential`` on Linux,
``~/Library/Caches/geopotential`` on macOS, ``%LOCALAPPDATA%\\geopotential\\Cache`` on
Windows) without depending on platformdirs.

The manifest has two tables: ``files`` (one entry per downloaded file, keyed by its path
relative to the cache root) and ``sets`` (one entry per source and territory, listing the
files that make the complete set; a set is written only once all its files are in place,
so an interrupted fetch is never mistaken for a complete one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from geopotential.exceptions import ConfigError, CorruptFileError

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
CACHE_ENV = "GEOPOTENTIAL_CACHE_DIR"
_MANIFEST_LOCK = threading.Lock()  # downloads of one fetch may run in threads


def default_cache_dir() -> Path:
    """Per-user default cache folder [path].

    ``GEOPOTENTIAL_CACHE_DIR`` wins; otherwise the platform's user cache folder
    followed by ``geopotential``.
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "geopotential" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "geopotential"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "geopotential"


def utc_now() -> str:
    """Current time as an ISO 8601 UTC string (seconds)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file, hex digest."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Cache:
    """A cache folder and its manifest.

    Parameters
    ----------
    root
        Cache folder; ``None`` for :func:`default_cache_dir`. Created when first written.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root).expanduser() if root is not None else default_cache_dir()
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(f"cache path {self.root} exists and is not a folder", key="cache_dir")
        self.manifest_path = self.root / MANIFEST_NAME

    def __repr__(self) -> str:
        return f"Cache({str(self.root)!r})"

    # ------------------------------------------------------------------ paths
    def set_dir(self, source: str, territory_key: str) -> Path:
        """Folder holding one source's files for one territory."""
        return self.root / source / territory_key

    def relative(self, path: Path) -> str:
        """Path relative to the cache root, with forward slashes (the manifest key)."""
        return Path(path).resolve().relative_to(self.root.resolve()).as_posix()

    # --------------------------------------------------------------- manifest
    def load_manifest(self) -> dict[str, Any]:
        """Read the manifest (an empty one when the cache is new)."""
        if not self.manifest_path.exists():
            return {"version": MANIFEST_VERSION, "files": {}, "sets": {}}
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CorruptFileError(
                f"cache manifest cannot be read ({exc}); delete it to rebuild the cache",
                path=self.manifest_path,
            ) from None
        data.setdefault("files", {})
        data.setdefault("sets", {})
        return data

    def _update(self, section: str, key: str, value: dict[str, Any] | None, merge: bool = False) -> dict[str, Any] | None:
        with _MANIFEST_LOCK:
            manifest = self.load_manifest()
            if value is None:
                manifest[section].pop(key, None)
            else:
                if merge:
                    value = {**manifest[section].get(key, {}), **value}
                manifest[section][key] = value
            manifest["version"] = MANIFEST_VERSION
            manifest["updated_at"] = utc_now()
            _atomic_write_text(self.manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
        return value

    def file_entry(self, path: Path) -> dict[str, Any] | None:
        """Manifest entry of one cached file, or ``None``."""
        return self.load_manifest()["files"].get(self.relative(path))

    def record_file(self, path: Path, **fields: Any) -> dict[str, Any]:
        """Write or update the manifest entry of a cached file.

        Usual fields: ``source``, ``url``, ``size_bytes``, ``sha256``, ``etag``,
        ``last_modified``, ``fetched_at``, ``checked_at``.
        """
        key = self.relative(path)
        return self._update("files", key, {**fields, "path": key}, merge=True) or {}

    def set_entry(self, source: str, territory_key: str) -> dict[str, Any] | None:
        """Manifest entry of a complete set (source x territory), or ``None``."""
        return self.load_manifest()["sets"].get(f"{source}/{territory_key}")

    def record_set(self, source: str, territory_key: str, files: list[Path], **fields: Any) -> None:
        """Mark a source's set of files for a territory as complete."""
        entry = {
            "source": source,
            "territory": territory_key,
            "files": [self.relative(f) for f in files],
            "completed_at": utc_now(),
        }
        entry.update(fields)
        self._update("sets", f"{source}/{territory_key}", entry)

    def drop_set(self, source: str, territory_key: str) -> None:
        """Forget a set (its files stay on disk and are revalidated on the next fetch)."""
        self._update("sets", f"{source}/{territory_key}", None)

    # ------------------------------------------------------------- integrity
    def is_intact(
        self, path: Path, check_sha256: bool = False, manifest: dict[str, Any] | None = None
    ) -> bool:
        """Whether a cached file exists and matches its manifest entry (size, optionally sha256)."""
        path = Path(path)
        if not path.is_file():
            return False
        manifest = manifest if manifest is not None else self.load_manifest()
        entry = manifest["files"].get(self.relative(path))
        if entry is None:
            return False
        if entry.get("size_bytes") is not None and path.stat().st_size != entry["size_bytes"]:
            logger.warning("cached file %s has changed size; it will be fetched again", path)
            return False
        if check_sha256 and entry.get("sha256") and sha256_file(path) != entry["sha256"]:
            logger.warning("cached file %s fails its sha256 check; it will be fetched again", path)
            return False
        return True

    def complete_set(self, source: str, territory_key: str, check_sha256: bool = False) -> list[Path] | None:
        """Files of a complete, intact set, or ``None`` when anything is missing."""
        manifest = self.load_manifest()
        entry = manifest["sets"].get(f"{source}/{territory_key}")
        if entry is None:
            return None
        files = [self.root / rel for rel in entry["files"]]
        if all(self.is_intact(f, check_sha256, manifest) for f in files):
            return files
        return None

"""Writers: atomic files, GeoPackage layers, run metadata.

Nothing is written in place: each file goes to a temporary name in the same folder and is
renamed when complete (``os.replace`` is atomic on POSIX and Windows), so an interrupted
write never leaves a half file where a good one was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geopotential.exceptions import ComputationError, ConfigError

logger = logging.getLogger(__name__)

LAYER_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def safe_child(parent: Path, name: str) -> Path:
    """``parent / name``, refusing any name that would leave ``parent``.

    Raises
    ------
    ConfigError
        If ``name`` is absolute, contains a separator or ``..``.
    """
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name or Path(name).is_absolute():
        raise ConfigError(f"output name {name!r} would point outside {parent}")
    child = (parent / name).resolve()
    if child.parent != parent.resolve():
        raise ConfigError(f"output name {name!r} would point outside {parent}")
    return child


def check_layer_name(name: str) -> str:
    """Check a GeoPackage layer name (lowercase, digits, underscore, as the spec advises)."""
    if not LAYER_NAME_RE.fullmatch(name):
        raise ConfigError(f"invalid layer name {name!r}: use lowercase letters, digits and '_'")
    return name


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers that refuse to overwrite (GDAL) want no file there
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            if tmp_path.is_dir():
                shutil.rmtree(tmp_path)
            else:
                tmp_path.unlink()
        raise


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    return write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def write_frame_atomic(path: str | Path, df: pd.DataFrame) -> Path:
    """Write a (Geo)DataFrame as (Geo)Parquet atomically."""
    with atomic_path(path) as tmp:
        if isinstance(df, gpd.GeoDataFrame):
            df.to_parquet(tmp, index=False)
        else:
            df.to_parquet(tmp, index=True)
    return Path(path)


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a frame written by :func:`write_frame_atomic`."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    if b"geo" in meta:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def write_gpkg_layers(path: str | Path, layers: dict[str, pd.DataFrame], metadata: dict[str, str] | None = None) -> Path:
    """Write several layers into one GeoPackage, atomically for the whole file.

    Parameters
    ----------
    path
        Target ``.gpkg``.
    layers
        ``layer name -> GeoDataFrame`` (or DataFrame for attribute-only tables).
    metadata
        Key/value pairs stored in each layer's GDAL metadata (e.g. ``synthetic``).
    """
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.part.gpkg")
    if tmp.exists():
        tmp.unlink()
    try:
        for name, df in layers.items():
            check_layer_name(name)
            if df is None:
                continue
            if isinstance(df, gpd.GeoDataFrame):
                frame = df
            else:
                frame = pd.DataFrame(df).reset_index(drop=not _named_index(df))
            pyogrio.write_dataframe(
                frame,
                tmp,
                layer=name,
                driver="GPKG",
                append=tmp.exists(),
                layer_metadata=metadata or None,
            )
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _named_index(df: pd.DataFrame) -> bool:
    return any(n is not None for n in df.index.names)


def file_fingerprint(path: str | Path, full_hash_limit: int = 256 * 1024 * 1024) -> dict[str, Any]:
    """Size, modification time and SHA-256 of a file (or of each file of a shapefile set).

    Files above ``full_hash_limit`` bytes are hashed on their first and last 16 MiB only,
    which is recorded as ``"sha256_partial"``.
    """
    p = Path(path)
    if not p.exists():
        return {"path": str(p), "exists": False}
    st = p.stat()
    h = hashlib.sha256()
    partial = st.st_size > full_hash_limit
    with p.open("rb") as fh:
        if partial:
            h.update(fh.read(16 * 1024 * 1024))
            fh.seek(max(0, st.st_size - 16 * 1024 * 1024))
            h.update(fh.read())
        else:
            for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                h.update(chunk)
    key = "sha256_partial" if partial else "sha256"
    return {"path": str(p), "exists": True, "size_bytes": st.st_size, "mtime": st.st_mtime, key: h.hexdigest()}


def replace_dir(src: Path, dst: Path) -> None:
    """Move the finished folder ``src`` onto ``dst``, keeping the old ``dst`` until the move is done.

    Raises
    ------
    ComputationError
        If the folders are on different file systems or cannot be renamed.
    """
    dst = Path(dst)
    old = dst.with_name(f".{dst.name}.old")
    try:
        if old.exists():
            shutil.rmtree(old)
        if dst.exists():
            os.replace(dst, old)
        os.replace(src, dst)
    except OSError as exc:
        if old.exists() and not dst.exists():
            os.replace(old, dst)
        raise ComputationError(f"cannot move the finished run into {dst}: {exc}") from None
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)

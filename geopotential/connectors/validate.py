"""Content checks run on a downloaded file before it enters the cache.

Web services often answer ``200 OK`` with an error document (a WFS ``ExceptionReport``
in XML, a WMS ``ServiceException``, an Overpass ``remark`` about a time-out). These
checks turn such answers into a :class:`~geopotential.exceptions.CorruptFileError`
that the downloader reports as a :class:`~geopotential.exceptions.FetchError`.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path

from geopotential.exceptions import CorruptFileError

_TAG = re.compile(r"<[^>]+>")


def _head_tail(path: Path, n: int = 4096) -> tuple[bytes, bytes]:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(n)
        fh.seek(max(0, size - n))
        tail = fh.read(n)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n"), tail.rstrip(b" \t\r\n")


def _xml_message(head: bytes) -> str:
    text = head.decode("utf-8", "replace")
    for tag in ("ExceptionText", "ServiceException", "ows:ExceptionText"):
        m = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", text, flags=re.S)
        if m:
            return " ".join(m.group(1).split())[:300]
    return " ".join(_TAG.sub(" ", text).split())[:300]


def check_json(path: Path) -> None:
    """A complete JSON document (object or array); an XML/HTML error page is rejected."""
    if path.stat().st_size == 0:
        raise CorruptFileError("empty answer", path=path)
    head, tail = _head_tail(path)
    if head[:1] == b"<":
        raise CorruptFileError(f"server sent XML/HTML instead of JSON: {_xml_message(head)}", path=path)
    if head[:1] not in (b"{", b"[") or tail[-1:] not in (b"}", b"]"):
        raise CorruptFileError("not a complete JSON document", path=path)


def load_json(path: Path) -> object:
    """Parse a JSON file after :func:`check_json`."""
    check_json(path)
    try:
        return json.loads(path.read_bytes())
    except ValueError as exc:
        raise CorruptFileError(f"invalid JSON ({exc})", path=path) from None


def check_geojson(path: Path) -> None:
    """A GeoJSON ``FeatureCollection`` (or ``Feature``)."""
    doc = load_json(path)
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise CorruptFileError("not a GeoJSON FeatureCollection", path=path)


def check_gzip(path: Path) -> None:
    """A complete gzip stream (magic number, CRC and length trailer verified)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b":
        head, _ = _head_tail(path)
        hint = _xml_message(head) if head[:1] == b"<" else "no gzip magic number"
        raise CorruptFileError(f"not a gzip file ({hint})", path=path)
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise CorruptFileError(f"gzip stream is truncated or corrupt ({exc})", path=path) from None


def check_geotiff(path: Path) -> None:
    """A TIFF/BigTIFF file; a WMS ``ServiceException`` is rejected with its message."""
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic not in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        head, _ = _head_tail(path)
        hint = _xml_message(head) if head[:1] == b"<" else f"magic bytes {magic!r}"
        raise CorruptFileError(f"not a GeoTIFF ({hint})", path=path)


def check_overpass(path: Path) -> None:
    """An Overpass API JSON answer that did not stop on a time-out or memory limit."""
    doc = load_json(path)
    if not isinstance(doc, dict) or "elements" not in doc:
        raise CorruptFileError("not an Overpass JSON answer (no 'elements')", path=path)
    remark = str(doc.get("remark", ""))
    if "error" in remark.lower():
        raise CorruptFileError(f"Overpass stopped early: {remark[:200]}", path=path)


def check_pvgis_tmy(path: Path) -> None:
    """A PVGIS TMY JSON answer, parsed with :func:`pvlib.iotools.read_pvgis_tmy`."""
    from pvlib.iotools import read_pvgis_tmy

    check_json(path)
    try:
        result = read_pvgis_tmy(str(path), pvgis_format="json", map_variables=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure means a bad answer
        raise CorruptFileError(f"not a PVGIS TMY JSON file ({type(exc).__name__}: {exc})", path=path) from None
    data = result[0]
    if len(data) < 8760:
        raise CorruptFileError(f"PVGIS TMY has {len(data)} hours, expected 8760", path=path)


def check_pvgis_horizon(path: Path) -> None:
    """A PVGIS ``printhorizon`` JSON answer with ``outputs.horizon_profile``."""
    doc = load_json(path)
    try:
        profile = doc["outputs"]["horizon_profile"]  # type: ignore[index]
    except (KeyError, TypeError):
        raise CorruptFileError("not a PVGIS horizon answer (no outputs.horizon_profile)", path=path) from None
    if not profile:
        raise CorruptFileError("PVGIS horizon profile is empty", path=path)

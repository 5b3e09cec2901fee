"""Open-data connectors: fetch a French territory's sources into a local cache.

Public API: :func:`fetch`, :func:`cached_files`, :class:`Territory`, :class:`Cache`,
:func:`default_cache_dir`, :data:`SOURCES`, :func:`download`, :class:`RetryPolicy`.
The click command ``fetch_command`` lives in :mod:`geopotential.connectors.cli`.
"""

from __future__ import annotations

from geopotential.connectors.cache import Cache, default_cache_dir
from geopotential.connectors.download import DownloadResult, RetryPolicy, download
from geopotential.connectors.fetch import cached_files, fetch
from geopotential.connectors.sources import DEFAULT_SOURCES, SOURCES, Source, get_source
from geopotential.connectors.territory import Territory

__all__ = [
    "DEFAULT_SOURCES",
    "SOURCES",
    "Cache",
    "DownloadResult",
    "RetryPolicy",
    "Source",
    "Territory",
    "cached_files",
    "default_cache_dir",
    "download",
    "fetch",
    "get_source",
]

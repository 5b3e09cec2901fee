"""Fetch the open-data sources of a territory into the cache: the API behind ``geopotential fetch``.

>>> from geopotential.connectors import fetch
>>> paths = fetch("80021", sources=["communes", "cadastre_buildings"])  # doctest: +SKIP
>>> paths["cadastre_buildings"]                                          # doctest: +SKIP
PosixPath('~/.cache/geopotential/cadastre_buildings/insee-80021')

Each source's files for a territory land in ``<cache>/<source>/<territory-key>/``; the
function returns that folder per source, and :func:`cached_files` lists the files of a
complete set (in request order) from the manifest. A second call with the same territory
makes no request at all; ``refresh=True`` revalidates every file with its ETag
(``If-None-Match``); ``offline=True`` never touches the network and raises a
:class:`~geopotential.exceptions.FetchError` naming the source and the cache path when
something is missing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import requests
from tqdm.auto import tqdm

from geopotential.connectors.cache import Cache, sha256_file, utc_now
from geopotential.connectors.download import RetryPolicy, cached_download
from geopotential.connectors.sources import (
    DEFAULT_SOURCES,
    Context,
    FileRequest,
    Source,
    _rpg_year,
    get_source,
)
from geopotential.connectors.territory import Territory
from geopotential.exceptions import ConfigError, CorruptFileError, FetchError

logger = logging.getLogger(__name__)

_KEEP_SUFFIXES = (".part", ".part.json")


def _source_names(sources: str | Sequence[str] | None) -> tuple[list[str], bool]:
    if sources is None:
        return list(DEFAULT_SOURCES), False
    if isinstance(sources, str):
        sources = [s for s in sources.split(",")]
    names = [s.strip() for s in sources if s and s.strip()]
    if not names:
        raise ConfigError("no source named", key="fetch.sources")
    for name in names:
        get_source(name)
    return list(dict.fromkeys(names)), True


def _variant_key(territory: Territory, source: Source, options: Mapping[str, Any]) -> str:
    opts = dict(options)
    if source.name == "rpg":
        opts["year"] = _rpg_year(Context(territory, "", options=opts))
    if not opts:
        return territory.key
    suffix = "_".join(f"{k}-{opts[k]}" for k in sorted(opts))
    return f"{territory.key}~{suffix}"


def territory_extent(paths: Sequence[Path]) -> tuple[tuple[float, float, float, float], Any]:
    """WGS84 bbox [degrees] and Lambert-93 outline [m] of commune GeoJSON files.

    Returns
    -------
    bbox : tuple
        ``(min_lon, min_lat, max_lon, max_lat)`` [degrees].
    footprint : shapely geometry
        Union of the outlines in EPSG:2154.
    """
    import geopandas as gpd
    import pandas as pd

    frames = []
    for path in paths:
        try:
            frames.append(gpd.read_file(path))
        except Exception as exc:  # noqa: BLE001 - reported as a corrupt cached file
            raise CorruptFileError(f"cannot read commune outlines ({exc})", path=path) from None
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    if gdf.empty or gdf.geometry.isna().all():
        raise CorruptFileError("no commune outline in the file", path=paths[0])
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    wgs = gdf.to_crs("EPSG:4326")
    bbox = tuple(float(v) for v in wgs.total_bounds)
    footprint = gdf.to_crs("EPSG:2154").geometry.union_all()
    return bbox, footprint  # type: ignore[return-value]


def _count_features(path: Path) -> int:
    doc = json.loads(path.read_bytes())
    if isinstance(doc.get("numberReturned"), int):
        return int(doc["numberReturned"])
    return len(doc.get("features") or [])


def _prune(set_dir: Path, keep: Sequence[Path]) -> None:
    names = {p.name for p in keep}
    for path in set_dir.iterdir():
        if path.is_file() and path.name not in names and not path.name.endswith(_KEEP_SUFFIXES):
            logger.info("removing stale cached file %s", path)
            path.unlink()


def _fetch_source(
    source: Source,
    ctx: Context,
    cache: Cache,
    key: str,
    *,
    offline: bool,
    refresh: bool,
    show_progress: bool,
    retry: RetryPolicy,
    session: requests.Session,
    workers: int = 1,
) -> Path:
    set_dir = cache.set_dir(source.name, key)
    if not refresh and cache.complete_set(source.name, key) is not None:
        logger.info("%s: cache hit for %s (%s)", source.name, ctx.territory, set_dir)
        return set_dir
    if offline:
        raise FetchError(
            f"{source.name}: offline mode and no complete copy for {ctx.territory} in the cache "
            f"(cache path {set_dir}); run `geopotential fetch` with network access first"
        )
    plan = source.plan(ctx)
    files: list[Path] = []
    kwargs = dict(source=source.name, offline=offline, refresh=refresh, retry=retry,
                  session=session, show_progress=show_progress)
    parallel = workers > 1 and len(plan) > 1
    if parallel:
        kwargs["show_progress"] = False  # one bar for the files, none per file
    with tqdm(total=len(plan), desc=source.name, unit="file",
              disable=not show_progress or len(plan) < 2) as bar:
        if parallel:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(_fetch_request, req, cache, set_dir, kwargs) for req in plan]
                for fut in as_completed(futures):
                    fut.exception()  # wait; errors are raised below, in plan order
                    bar.update(1)
                for fut in futures:
                    files.extend(fut.result())
        else:
            for req in plan:
                files.extend(_fetch_request(req, cache, set_dir, kwargs))
                bar.update(1)
    if source.postprocess is not None:
        files = _postprocess(source, cache, files)
    cache.record_set(source.name, key, files, territory=str(ctx.territory), base_url=ctx.base_url)
    _prune(set_dir, files)
    return set_dir


def _postprocess(source: Source, cache: Cache, files: list[Path]) -> list[Path]:
    """Run a source's conversion step and record the derived files in the manifest."""
    out = source.postprocess(files)  # type: ignore[misc]
    now = utc_now()
    for path in out:
        if path not in files:
            cache.record_file(path, source=source.name, derived_from=[f.name for f in files],
                              size_bytes=path.stat().st_size, sha256=sha256_file(path),
                              fetched_at=now, checked_at=now)
    return out


def _fetch_request(req: FileRequest, cache: Cache, set_dir: Path, kwargs: dict[str, Any]) -> list[Path]:
    out: list[Path] = []
    page = 0
    while True:
        result = cached_download(
            cache, set_dir / req.filename, req.url, params=req.params, validate=req.validate, **kwargs
        )
        out.append(result.path)
        if not req.page_size:
            return out
        n = _count_features(result.path)
        if n < req.page_size:
            return out
        page += 1
        req = req.next_page(page)


def cached_files(source: str, territory: Territory | str | Sequence[str],
                 cache_dir: str | Path | None = None, options: Mapping[str, Any] | None = None) -> list[Path]:
    """Files of a complete cached set, in request order (WFS pages in page order).

    Raises
    ------
    FetchError
        The set is not (completely) in the cache.
    """
    src = get_source(source)
    terr = Territory.parse(territory)
    cache = Cache(cache_dir)
    key = _variant_key(terr, src, options or {})
    files = cache.complete_set(source, key)
    if files is None:
        raise FetchError(
            f"{source}: no complete copy for {terr} in the cache (cache path {cache.set_dir(source, key)}); "
            "run `geopotential fetch` first"
        )
    return files


def fetch(
    territory: Territory | str | Sequence[str],
    sources: str | Sequence[str] | None = None,
    cache_dir: str | Path | None = None,
    offline: bool = False,
    show_progress: bool = False,
    *,
    refresh: bool = False,
    base_urls: Mapping[str, str] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    retry: RetryPolicy | None = None,
    session: requests.Session | None = None,
    workers: int = 4,
) -> dict[str, Path]:
    """Download the open-data sources of a territory into the cache.

    Parameters
    ----------
    territory
        A :class:`Territory`, or ``"80021"`` / ``["80021", "80001"]`` (INSEE codes),
        ``"80"`` (département), ``"2.25,49.85,2.35,49.92"`` (WGS84 bbox [degrees]).
    sources
        Source names (see :data:`geopotential.connectors.sources.SOURCES`), a list or a
        comma-separated string; ``None`` for the default set (every source except
        ``osm_buildings`` and ``lidar_dsm``, silently skipping those that do not apply to
        the territory's kind). A named source that does not apply raises ``ConfigError``.
    cache_dir
        Cache folder; default ``GEOPOTENTIAL_CACHE_DIR`` or the per-user cache folder.
    offline
        Use the cache only; a missing source raises :class:`FetchError`.
    show_progress
        ``tqdm.auto`` progress bars (files and bytes).
    refresh
        Revalidate cached files with their ETag (``If-None-Match``) instead of trusting them.
    base_urls
        Base URL per source name (overrides ``GEOPOTENTIAL_URL_<SOURCE>`` and defaults).
    options
        Options per source, e.g. ``{"rpg": {"year": 2022}, "lidar_dsm": {"max_tiles": 100}}``.
    retry
        Retry policy of the downloads.
    session
        A :class:`requests.Session` to reuse.
    workers
        Files of one source downloaded at the same time (cadastre per commune, LiDAR tiles;
        WFS pages stay sequential) [-].

    Returns
    -------
    dict
        Source name -> folder of its cached files for the territory. Commune outlines
        fetched to find the territory's extent are included under ``"communes"``.

    Raises
    ------
    ConfigError
        Unknown source, bad territory, source not applicable to the territory.
    FetchError
        One or more sources could not be fetched (all others are fetched first); the
        message names the first failing source and its cache path; ``.results`` holds
        what succeeded and ``.failures`` every message.
    """
    terr = Territory.parse(territory)
    cache = Cache(cache_dir)
    names, explicit = _source_names(sources)
    options = {k: dict(v) for k, v in (options or {}).items()}
    selected: list[Source] = []
    for name in names:
        src = get_source(name)
        if src.supports(terr):
            selected.append(src)
        elif explicit:
            kinds = " or ".join(sorted(src.kinds))
            raise ConfigError(f"source {name} needs a territory given by {kinds}, not by {terr.kind}",
                              key="fetch.sources")
        else:
            logger.info("%s does not apply to a territory given by %s; skipped", name, terr.kind)
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}", key="fetch.workers")
    policy = retry or RetryPolicy()
    own_session = session is None
    session = session or requests.Session()
    results: dict[str, Path] = {}
    failures: dict[str, str] = {}
    common = dict(offline=offline, refresh=refresh, show_progress=show_progress, retry=policy,
                  session=session, workers=workers)
    try:
        bbox, footprint = terr.bbox, None
        if terr.bbox is not None:
            from shapely import box

            from geopotential.connectors.sources import bbox_to_l93

            footprint = box(*bbox_to_l93(terr.bbox))
        elif any(s.needs_extent for s in selected) or "communes" in names:
            communes = get_source("communes")
            ctx = Context(terr, communes.base_url(base_urls), options=options.get("communes", {}))
            key = _variant_key(terr, communes, ctx.options)
            try:
                results["communes"] = _fetch_source(communes, ctx, cache, key, **common)
                bbox, footprint = territory_extent(cache.complete_set("communes", key) or [])
            except FetchError as exc:
                failures["communes"] = str(exc)
        for src in selected:
            if src.name in results or src.name in failures:
                continue
            if src.needs_extent and bbox is None:
                failures[src.name] = (f"{src.name}: skipped, the territory's extent is unknown "
                                      f"because the commune outlines could not be fetched")
                continue
            opts = options.get(src.name, {})
            ctx = Context(terr, src.base_url(base_urls), bbox, footprint, opts)
            try:
                results[src.name] = _fetch_source(src, ctx, cache, _variant_key(terr, src, opts), **common)
            except FetchError as exc:
                failures[src.name] = str(exc)
                logger.info("%s", exc)  # reported once, in the FetchError raised at the end
    finally:
        if own_session:
            session.close()
    if failures:
        first = next(iter(failures.values()))
        more = len(failures) - 1
        msg = first + (f" (and {more} more failed: {', '.join(list(failures)[1:])})" if more else "")
        err = FetchError(msg)
        err.results = results  # type: ignore[attr-defined]
        err.failures = failures  # type: ignore[attr-defined]
        raise err
    return results

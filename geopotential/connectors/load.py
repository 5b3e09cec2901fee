"""Open a fetched source from the cache with the matching ``geopotential.io`` reader.

``run`` uses the cached sources by name::

    >>> from geopotential.connectors.load import load_source
    >>> parcels = load_source("rpg", "80021")   # doctest: +SKIP

The readers belong to :mod:`geopotential.io` (one module per format); this module only
knows which reader opens which source and how to join multi-file sets (WFS pages, one
cadastre file per commune, LiDAR tiles mosaicked by the DSM reader). Two small sources
without an ``io`` reader are parsed here: the PVGIS horizon profile and the INSEE
populations (JSON answers of the APIs).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geopotential.connectors.fetch import cached_files
from geopotential.connectors.territory import Territory
from geopotential.connectors.validate import load_json
from geopotential.exceptions import CorruptFileError, InputError

#: source -> (module, candidate reader names, keyword arguments, how files are combined)
READERS: dict[str, tuple[str, tuple[str, ...], dict[str, Any], str]] = {
    "bdtopo_buildings": ("geopotential.io.buildings", ("read_buildings",), {"source": "bdtopo"}, "concat"),
    "cadastre_buildings": ("geopotential.io.buildings", ("read_buildings",), {"source": "etalab"}, "concat"),
    "osm_buildings": ("geopotential.io.buildings", ("read_buildings",), {"source": "osm"}, "geojson"),
    "cadastre_parcels": ("geopotential.io.cadastre", ("read_cadastre_parcels", "read_parcels", "read_cadastre"),
                         {}, "concat"),
    "communes": ("geopotential.io.communes", ("read_communes",), {}, "concat"),
    "rpg": ("geopotential.io.rpg", ("read_rpg",), {}, "concat"),
    "pvgis_tmy": ("geopotential.io.weather", ("read_pvgis_tmy",), {}, "single"),
    "lidar_dsm": ("geopotential.io.dsm", ("read_raster",), {}, "list"),
}


def _reader(source: str):
    module_name, names, kwargs, how = READERS[source]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        module = None
    for name in names:
        func = getattr(module, name, None) if module is not None else None
        if callable(func):
            return func, kwargs, how
    raise InputError(f"no reader available for source {source!r} (expected {module_name}.{names[0]})")


def read_pvgis_horizon(path: str | Path) -> pd.Series:
    """Horizon profile of a PVGIS ``printhorizon`` JSON answer, as pvlib's ``get_pvgis_horizon`` gives it.

    Returns
    -------
    pandas.Series
        Horizon elevation [degrees] indexed by azimuth [degrees, clockwise from north,
        south = 180], the duplicate north point dropped.
    """
    path = Path(path)
    doc = load_json(path)
    try:
        profile = pd.DataFrame(doc["outputs"]["horizon_profile"])  # type: ignore[index]
        data = pd.Series(profile["H_hor"].to_numpy(dtype=float),
                         index=pd.Index(profile["A"].to_numpy(dtype=float) + 180, name="horizon_azimuth"),
                         name="horizon_elevation")
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptFileError(f"not a PVGIS horizon answer ({exc})", path=path) from None
    return data[data.index < 360]


def read_population(paths: Sequence[str | Path]) -> pd.DataFrame:
    """INSEE municipal populations from geo.api.gouv.fr JSON answers.

    Returns
    -------
    pandas.DataFrame
        ``commune_insee`` (str), ``commune_name`` (str), ``population`` [inhabitants],
        one row per commune (communes without a population get NaN).
    """
    frames = []
    for p in paths:
        doc = load_json(Path(p))
        if not isinstance(doc, list):
            raise CorruptFileError("expected a JSON list of communes", path=p)
        frames.append(pd.DataFrame(doc))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for col in ("code", "nom"):
        if col not in df.columns:
            raise CorruptFileError(f"population answer lacks field {col!r}", path=paths[0] if paths else None)
    pop = pd.to_numeric(df["population"], errors="coerce") if "population" in df else float("nan")
    out = pd.DataFrame({"commune_insee": df["code"].astype(str), "commune_name": df["nom"].astype(str),
                        "population": pop})
    return out.drop_duplicates("commune_insee").reset_index(drop=True)


def load_source(
    source: str,
    territory: Territory | str | Sequence[str],
    cache_dir: str | Path | None = None,
    options: Mapping[str, Any] | None = None,
    **reader_kwargs: Any,
):
    """Read a fetched source of a territory from the cache.

    Parameters
    ----------
    source
        Source name (``rpg``, ``bdtopo_buildings``, ``pvgis_tmy``, ``lidar_dsm``...).
    territory, cache_dir, options
        As given to :func:`geopotential.connectors.fetch.fetch`.
    reader_kwargs
        Passed to the reader (e.g. ``working_crs``).

    Returns
    -------
    What the reader returns: a GeoDataFrame for vector sources (pages and communes
    concatenated, duplicates of the id column dropped), ``(weather, meta)`` for
    ``pvgis_tmy``, a mosaicked raster for ``lidar_dsm``, a Series for ``pvgis_horizon``,
    a DataFrame for ``insee_population``.

    Raises
    ------
    FetchError
        The source is not in the cache for this territory.
    InputError
        No reader exists for the source.
    """
    files = cached_files(source, territory, cache_dir, options)
    if source == "pvgis_horizon":
        return read_pvgis_horizon(files[0])
    if source == "insee_population":
        return read_population(files)
    if source not in READERS:
        raise InputError(f"no reader available for source {source!r}")
    func, kwargs, how = _reader(source)
    kwargs = {**kwargs, **reader_kwargs}
    if how == "single":
        return func(files[0], **kwargs)
    if how == "list":
        return func(files, **kwargs)
    if how == "geojson":
        return func(next(f for f in files if f.suffix == ".geojson"), **kwargs)
    frames = [func(f, **kwargs) for f in files]
    if len(frames) == 1:
        return frames[0]
    import geopandas as gpd

    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    key = next((c for c in ("building_id", "parcel_id", "commune_insee") if c in out.columns), None)
    return out.drop_duplicates(key).reset_index(drop=True) if key else out


__all__ = ["READERS", "load_source", "read_population", "read_pvgis_horizon"]

"""Reading a run's inputs into the canonical, working-CRS frames (the pipeline's I/O edge).

Every reader lives in :mod:`geopotential.io`; this module only chooses them from the config,
assigns features to communes and cadastral parcels, and keeps the territory's communes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geopotential.aggregate import UNASSIGNED
from geopotential.config import Config

logger = logging.getLogger(__name__)


@dataclass
class TerritoryData:
    """The inputs of a run, read and normalised (canonical columns, working CRS)."""

    communes: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None
    cadastre: gpd.GeoDataFrame | None = None
    rpg: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    livestock: pd.DataFrame | None = None
    point_sources: gpd.GeoDataFrame | None = None
    existing_plants: gpd.GeoDataFrame | None = None
    consumption: pd.DataFrame | None = None
    existing_production: pd.DataFrame | None = None
    commune_mismatches: pd.DataFrame | None = None
    notes: dict[str, Any] = field(default_factory=dict)


def assign_by_location(
    features: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    zone_id: str,
    target: str | None = None,
) -> pd.Series:
    """Zone id of each feature, found at a point inside the feature.

    Parameters
    ----------
    features
        Polygons or points, same CRS as ``zones``.
    zones
        Polygons with an id column ``zone_id``.
    zone_id
        Column of ``zones`` to return.
    target
        Name of the returned Series (default ``zone_id``).

    Returns
    -------
    pandas.Series
        Aligned on ``features.index``; NaN where no zone contains the point. A point on a
        border shared by two zones goes to the zone with the smallest id (deterministic).
    """
    pts = features.geometry.representative_point()
    left = gpd.GeoDataFrame({"_i": np.arange(len(features))}, geometry=pts.values, crs=features.crs)
    right = zones[[zone_id, "geometry"]].reset_index(drop=True)
    j = gpd.sjoin(left, right, how="left", predicate="intersects")
    j = j.sort_values(["_i", zone_id], na_position="last").drop_duplicates("_i", keep="first")
    out = pd.Series(j[zone_id].to_numpy(), index=features.index, name=target or zone_id, dtype="object")
    return out


def _load_cached(config: Config, ref, **kwargs):
    """Read a ``cache:<source>`` input with the source's reader."""
    from geopotential.config import cached_source
    from geopotential.connectors.load import load_source

    return load_source(cached_source(ref), config.fetch_territory(), config.fetch.cache_dir, **kwargs)


def read_inputs(config: Config) -> TerritoryData:
    """Read every input the config names (see :class:`TerritoryData`)."""
    from geopotential.config import is_cached
    from geopotential.io import buildings as io_buildings
    from geopotential.io import communes as io_communes

    crs = config.territory.crs
    inp = config.inputs
    data = TerritoryData()

    def layer(spec, reader, **kw):
        if is_cached(spec.path):
            return _load_cached(config, spec.path, working_crs=crs)
        return reader(spec.path, layer=spec.layer, working_crs=crs, crs=spec.crs, **kw)

    if inp.communes is not None:
        communes = layer(inp.communes, io_communes.read_communes)
        if inp.population is not None:
            if is_cached(inp.population):
                pop = _load_cached(config, inp.population)
            else:
                pop = io_communes.read_population(inp.population)
            communes = io_communes.communes_with_population(communes, pop)
            data.commune_mismatches = _mismatch_table(communes, pop)
        data.communes = communes

    if inp.buildings is not None:
        data.buildings = layer(inp.buildings, io_buildings.read_buildings, source=inp.buildings.source)
    if inp.cadastre_parcels is not None:
        from geopotential.io import cadastre as io_cadastre

        data.cadastre = layer(inp.cadastre_parcels, io_cadastre.read_cadastre_parcels)
    if inp.rpg is not None:
        from geopotential.io.rpg import read_rpg

        if is_cached(inp.rpg.path):
            data.rpg = _load_cached(config, inp.rpg.path, working_crs=crs)
        else:
            data.rpg = read_rpg(inp.rpg.path, layer=inp.rpg.layer, working_crs=crs)
    if inp.roads is not None:
        from geopotential.io.roads import read_roads

        data.roads = layer(inp.roads, lambda path, layer, working_crs, crs: read_roads(path, layer=layer, working_crs=working_crs))
    if inp.livestock is not None:
        from geopotential.io.livestock import read_livestock

        data.livestock = read_livestock(inp.livestock)
    if inp.point_sources is not None:
        from geopotential.io.point_sources import read_point_sources

        data.point_sources = read_point_sources(inp.point_sources, working_crs=crs)
    if inp.existing_plants is not None:
        from geopotential.io.injection_sites import read_injection_sites

        data.existing_plants = read_injection_sites(inp.existing_plants, working_crs=crs)
    if inp.consumption is not None:
        from geopotential.io.consumption import read_consumption

        data.consumption = read_consumption(inp.consumption)
    if inp.existing_production is not None:
        from geopotential.io.consumption import read_existing_production

        data.existing_production = read_existing_production(inp.existing_production)

    if data.existing_production is None and inp.existing_plants is not None and not is_cached(inp.existing_plants):
        data.existing_production = _production_of_existing_plants(inp.existing_plants, data.communes)

    _assign_communes(data)
    _keep_territory(data, config.territory.communes)
    return data


def _production_of_existing_plants(path, communes) -> pd.DataFrame | None:
    """Today's biomethane production from the injection-site file, for the territory's communes."""
    from geopotential.io.consumption import read_existing_production

    prod = read_existing_production(path)
    if communes is not None:
        inside = prod["commune_insee"].astype(str).isin(set(communes["commune_insee"].astype(str)))
        logger.info(
            "%s: today's biomethane production of %d site row(s) in the territory (%d elsewhere left out)",
            path, int(inside.sum()), int((~inside).sum()),
        )
        prod = prod[inside.to_numpy()]
    return prod


def _mismatch_table(communes: gpd.GeoDataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Codes present in one of the commune files only (mergers, splits since the boundary year)."""
    names = dict(zip(population["commune_insee"].astype(str), population.get("commune_name", pd.Series(dtype=str))))
    names.update(zip(communes["commune_insee"].astype(str), communes.get("commune_name", pd.Series(dtype=str))))
    rows = [(c, names.get(c, ""), "boundary without population (commune merged or created since?)")
            for c in communes.attrs.get("codes_without_population", [])]
    rows += [(c, names.get(c, ""), "population without boundary (commune merged or created since?)")
             for c in communes.attrs.get("codes_without_boundary", [])]
    return pd.DataFrame(rows, columns=["commune_insee", "commune_name", "mismatch"])


def _assign_communes(data: TerritoryData) -> None:
    """Fill ``commune_insee`` (and ``cadastre_parcel_id`` for buildings) by location."""
    communes = data.communes
    for name in ("buildings", "rpg", "point_sources", "existing_plants", "cadastre"):
        gdf = getattr(data, name)
        if gdf is None or communes is None or len(gdf) == 0:
            continue
        found = assign_by_location(gdf, communes, "commune_insee")
        if "commune_insee" in gdf.columns:
            keep = gdf["commune_insee"].astype("object")
            found = keep.where(keep.notna() & (keep.astype(str) != ""), found)
        gdf = gdf.copy()
        gdf["commune_insee"] = found.fillna(UNASSIGNED).astype(str)
        n_out = int((gdf["commune_insee"] == UNASSIGNED).sum())
        if n_out:
            logger.warning("%s: %d feature(s) lie in no commune of the territory", name, n_out)
        setattr(data, name, gdf)
    if data.buildings is not None and data.cadastre is not None and len(data.buildings):
        b = data.buildings.copy()
        b["cadastre_parcel_id"] = assign_by_location(b, data.cadastre, "cadastre_parcel_id").fillna("").astype(str)
        data.buildings = b
    if data.buildings is not None and "commune_insee" not in data.buildings.columns:
        b = data.buildings.copy()
        b["commune_insee"] = UNASSIGNED
        data.buildings = b


def _keep_territory(data: TerritoryData, codes: list[str]) -> None:
    """Keep only the communes listed in the config (all when the list is empty)."""
    if not codes:
        return
    wanted = set(codes)
    if data.communes is not None:
        missing = sorted(wanted - set(data.communes["commune_insee"]))
        if missing:
            logger.warning("territory.communes: %d code(s) not in the communes layer: %s", len(missing), missing)
        data.communes = data.communes[data.communes["commune_insee"].isin(wanted)].copy()
    for name in ("buildings", "rpg", "point_sources", "cadastre"):
        gdf = getattr(data, name)
        if gdf is not None and "commune_insee" in gdf.columns:
            setattr(data, name, gdf[gdf["commune_insee"].isin(wanted)].copy())
    for name in ("livestock", "consumption", "existing_production"):
        df = getattr(data, name)
        if df is not None and "commune_insee" in df.columns:
            setattr(data, name, df[df["commune_insee"].astype(str).isin(wanted)].copy())

"""One call that runs the whole methanisation stage on in-memory layers (notebook API).

The pipeline's ``biogas`` stage reads the inputs through :mod:`geopotential.io` and calls
:func:`biogas_layers`; a notebook can do the same.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from .parameters import BiogasParameters
from .potential import (
    biowaste_potential,
    commune_biogas_summary,
    livestock_potential,
    parcel_potential,
    point_source_potential,
    territory_totals,
)
from .siting import site_digesters, supply_points

logger = logging.getLogger(__name__)


def _with_commune_geometry(df: pd.DataFrame, communes: gpd.GeoDataFrame | None):
    if communes is None or "geometry" not in getattr(communes, "columns", []):
        return None
    geo = communes[["commune_insee", "geometry"]].drop_duplicates("commune_insee")
    out = df.drop(columns=[c for c in ("geometry",) if c in df.columns]).merge(geo, on="commune_insee", how="inner")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=communes.crs)


def biogas_layers(
    parcels: gpd.GeoDataFrame | None,
    livestock: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
    point_sources: gpd.GeoDataFrame | None = None,
    existing_plants: gpd.GeoDataFrame | None = None,
    params: BiogasParameters | None = None,
    site: bool = True,
    roads: gpd.GeoDataFrame | None = None,
    show_progress: bool = False,
) -> dict[str, pd.DataFrame]:
    """Compute every biogas layer.

    Parameters
    ----------
    parcels
        Canonical RPG parcels with ``commune_insee`` (spatial join done by the caller), or
        None when the territory has no RPG layer.
    livestock
        Heads per commune (wide or long, see :func:`livestock_potential`).
    communes
        ``commune_insee``, ``population`` [inhabitants] and, for siting of manure and
        biowaste, the commune geometry (supply placed at a point inside the commune).
    point_sources
        Point sources (:func:`geopotential.io.point_sources.read_point_sources`).
    existing_plants
        Existing plants (:func:`geopotential.io.injection_sites.read_injection_sites`).
    params
        Run parameters.
    site
        Run the digester siting.
    roads
        Road network for ``params.distance == "road"`` (:func:`geopotential.io.roads.read_roads`).
    show_progress
        Progress bar over the plants placed.

    Returns
    -------
    dict
        ``parcels_biogas`` (with ``site_id`` of the plant each parcel feeds when sited),
        ``livestock_biogas``, ``biowaste_biogas``, ``point_sources_biogas`` (None when no
        input), ``communes_biogas`` (the ``communes_summary`` columns), ``territory_biogas``
        (one-row totals), ``digester_sites``, ``catchments``, ``supply_assignment``.
    """
    params = params or BiogasParameters()
    pb = parcel_potential(parcels, params) if parcels is not None and len(parcels) else None
    lb = livestock_potential(livestock, params) if livestock is not None else None
    bb = biowaste_potential(communes, params) if communes is not None and "population" in communes.columns else None
    if bb is not None and "geometry" in bb.columns:
        bb = pd.DataFrame(bb.drop(columns="geometry"))
    psb = point_source_potential(point_sources, params) if point_sources is not None and len(point_sources) else None
    summary = commune_biogas_summary(pb, lb, bb, psb, params)
    out: dict[str, pd.DataFrame | None] = {
        "parcels_biogas": pb, "livestock_biogas": lb, "biowaste_biogas": bb, "point_sources_biogas": psb,
        "communes_biogas": summary, "territory_biogas": territory_totals(summary).to_frame().T,
        "digester_sites": None, "catchments": None, "supply_assignment": None,
    }
    if site:
        layers = [pb] if pb is not None else []
        for extra in (lb, bb):
            if extra is not None:
                g = _with_commune_geometry(extra, communes)
                if g is None:
                    logger.warning("communes have no geometry: manure and biowaste are left out of the siting")
                else:
                    layers.append(g)
        if psb is not None and "geometry" in psb.columns:
            layers.append(psb)
        layers = [g for g in layers if g is not None and len(g)]
        if not layers:
            return out
        sup = supply_points(*layers, params=params)
        sites, catch, asg = site_digesters(sup, existing_plants, params, show_progress=show_progress, roads=roads)
        if pb is not None:
            labels = np.full(len(pb), None, dtype=object)
            sel = (sup["layer"] == 0).to_numpy()
            labels[sup["row"].to_numpy()[sel]] = asg.to_numpy(dtype=object)[sel]
            pb["site_id"] = pd.array(labels, dtype="string")
        out.update(digester_sites=sites, catchments=catch, supply_assignment=sup.assign(site_id=asg.to_numpy()))
    return out

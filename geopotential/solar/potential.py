"""Rooftop PV potential per building (layer ``buildings_pv``) and its aggregation.

``solar_potential`` chains: working CRS -> orientation yield table (once per site) -> roof
faces (from footprints, or given by the DSM engine) -> usable-area rules and per-face yield
-> per-building sums (``np.bincount``, no per-building loop) -> classes -> economics.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr

from geopotential.aggregate import sum_by
from geopotential.crs import DEFAULT_WORKING_CRS, ensure_crs
from geopotential.exceptions import InputError, MissingCRSError, MissingFieldError
from geopotential.solar.economics import pv_economics
from geopotential.solar.parameters import SolarParameters
from geopotential.solar.roofs import roof_faces_from_footprints
from geopotential.solar.rules import FACE_REASONS, apply_rules
from geopotential.solar.yield_table import orientation_yield_table

logger = logging.getLogger(__name__)

#: pv_class labels (French, as planners read them), class 1 = excluded.
PV_CLASS_LABELS = {1: "Non favorable", 2: "Moyen", 3: "Bon", 4: "Très bon", 5: "Excellent"}

#: Additive columns of buildings_pv (conserved when aggregated).
SUM_COLUMNS = (
    "roof_area_m2", "usable_area_m2", "n_faces_usable", "pv_capacity_kwp", "pv_energy_kwh_yr",
    "capex_eur", "npv_eur", "co2_avoided_t_yr",
)

MISSING_GEOMETRY = "missing geometry"
DEGENERATE_GEOMETRY = "degenerate geometry"
NO_FACE = "no roof face"


def _working(buildings: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Buildings in a metric CRS with repaired geometries, and the mask of present geometries."""
    if not isinstance(buildings, gpd.GeoDataFrame):
        raise InputError("buildings must be a GeoDataFrame", field="geometry")
    if "building_id" not in buildings.columns:
        raise MissingFieldError("buildings lack the 'building_id' column", field="building_id")
    if buildings.crs is None:
        raise MissingCRSError("buildings have no CRS", field="geometry")
    if buildings.crs.is_geographic:
        buildings = ensure_crs(buildings, DEFAULT_WORKING_CRS, source="buildings")
    geoms = np.asarray(buildings.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        logger.warning("%d building footprints are invalid and were repaired (shapely.make_valid)", int(invalid.sum()))
        fixed = geoms.copy()
        fixed[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
        buildings = buildings.set_geometry(gpd.GeoSeries(fixed, index=buildings.index, crs=buildings.crs))
    return buildings, present


def _building_reasons(codes: np.ndarray, bits: np.ndarray, n: int) -> np.ndarray:
    """Join the distinct face reasons of each building ('; '), from per-face bit flags."""
    flags = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(flags, codes, bits)
    out = np.full(n, "", dtype=object)
    for value in np.unique(flags[flags > 0]):
        label = "; ".join(r for i, r in enumerate(FACE_REASONS) if value & (1 << i))
        out[flags == value] = label
    return out


def solar_potential(
    buildings: gpd.GeoDataFrame,
    weather: pd.DataFrame,
    meta: dict,
    params: SolarParameters | None = None,
    faces: pd.DataFrame | None = None,
    irradiation_scale=None,
    table: xr.Dataset | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Rooftop PV potential, economics and carbon of every building.

    Parameters
    ----------
    buildings
        Footprints with ``building_id`` and geometry; optional ``commune_insee``,
        ``height_m``, ``n_floors``, ``roof_shape``, ``usage``, ``cadastre_parcel_id``.
        A geographic CRS is reprojected to EPSG:2154; a metric CRS is kept.
    weather, meta
        Site weather and its metadata (``latitude``, ``longitude``, ``altitude``,
        ``approximate``), as returned by :mod:`geopotential.io.weather`.
    params
        Parameters (defaults when None).
    faces
        Roof faces from the DSM engine (same columns as
        :func:`~geopotential.solar.roofs.roof_faces_from_footprints`); derived from the
        footprints when None. Buildings without any face get ``exclusion_reason`` 'no roof face'.
    irradiation_scale
        Spatial correction of the site irradiation per building [-], e.g. an irradiation
        raster's value at the building divided by the weather's annual GHI: an array aligned
        with ``buildings`` or a Series indexed by ``building_id``. NaN means 1.
    table
        A precomputed orientation yield table for this site (built from ``weather`` when
        None; ``weather`` may then be None). Reuse one table for all tiles of a site.

    Returns
    -------
    buildings_pv : geopandas.GeoDataFrame
        One row per input building, same order, geometry in the working CRS, with
        ``building_id``, ``commune_insee``, ``cadastre_parcel_id`` (when given),
        ``roof_area_m2`` [m2 of roof surface], ``usable_area_m2`` [m2 of modules],
        ``n_faces_usable``, ``pv_capacity_kwp`` [kWp], ``pv_energy_kwh_yr`` [kWh/yr],
        ``specific_yield_kwh_kwp_yr`` [kWh/kWp/yr], ``irradiation_kwh_m2_yr`` [kWh/m2/yr,
        mean on the usable modules; on all faces for excluded buildings],
        ``shading_loss_pct`` [%], ``pv_class`` (1 excluded; 2-5 by specific yield relative
        to the site table's optimum: >= ``class_good_ratio`` 3, >= ``class_very_good_ratio`` 4,
        >= ``class_excellent_ratio`` 5) and ``pv_class_label`` (French), ``capex_eur``,
        ``premium_eur``, ``opex_eur_yr``, ``revenue_eur_yr``, ``lcoe_eur_kwh``,
        ``payback_yr``, ``npv_eur``, ``co2_avoided_t_yr``, ``weather_approximate`` and
        ``exclusion_reason`` ('' when the building has potential).
    faces : pandas.DataFrame
        The faces with the columns added by :func:`~geopotential.solar.rules.apply_rules`.
    """
    params = params or SolarParameters()
    bld, present = _working(buildings)
    n = len(bld)
    ids = bld["building_id"]
    if ids.isna().any():
        raise MissingFieldError("some buildings have no building_id", field="building_id")
    if not ids.is_unique:
        dup = ids[ids.duplicated()].iloc[0]
        raise InputError(f"building_id is not unique (e.g. {dup!r})", field="building_id")
    if table is None:
        for key in ("latitude", "longitude"):
            if key not in meta:
                raise MissingFieldError("weather metadata lacks the site coordinates", field=key)
        table = orientation_yield_table(
            weather, meta["latitude"], meta["longitude"], meta.get("altitude", 0.0), params
        )
    if faces is None:
        faces = roof_faces_from_footprints(bld, params)
    id_index = pd.Index(ids)
    codes = id_index.get_indexer(faces["building_id"])
    unknown = codes < 0
    if unknown.any():
        logger.warning("%d faces refer to unknown building_id values and are ignored", int(unknown.sum()))
        faces = faces.loc[~unknown].reset_index(drop=True)
        codes = codes[~unknown]
    scale_b = np.ones(n)
    if irradiation_scale is not None:
        if isinstance(irradiation_scale, pd.Series):
            scale_b = irradiation_scale.reindex(ids.to_numpy()).to_numpy(float)
        else:
            scale_b = np.asarray(irradiation_scale, float)
            if scale_b.shape != (n,):
                raise InputError(f"irradiation_scale has {scale_b.size} values for {n} buildings", field="irradiation_scale")
        scale_b = np.where(np.isfinite(scale_b) & (scale_b > 0), scale_b, 1.0)
    faces = apply_rules(faces, table, params, irradiation_scale=scale_b[codes])

    usable = faces["usable"].to_numpy()
    area = faces["area_m2"].to_numpy(float)
    uarea = faces["usable_area_m2"].to_numpy(float)
    irr = faces["irradiation_kwh_m2_yr"].to_numpy(float)
    shade = faces["shading_factor"].to_numpy(float)

    def bsum(w: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=w, minlength=n)

    n_faces = np.bincount(codes, minlength=n)
    roof_area = bsum(area)
    u_w = np.where(usable, uarea, 0.0)
    usable_area = bsum(u_w)
    n_usable = np.bincount(codes, weights=usable.astype(float), minlength=n).astype(np.int64)
    capacity = bsum(faces["pv_capacity_kwp"].to_numpy(float))
    energy = bsum(faces["pv_energy_kwh_yr"].to_numpy(float))
    has = n_usable > 0
    irr_usable = np.divide(bsum(u_w * irr), usable_area, out=np.zeros(n), where=usable_area > 0)
    irr_all = np.divide(bsum(area * irr), roof_area, out=np.full(n, np.nan), where=roof_area > 0)
    shade_usable = np.divide(bsum(u_w * shade), usable_area, out=np.ones(n), where=usable_area > 0)
    shade_all = np.divide(bsum(area * shade), roof_area, out=np.ones(n), where=roof_area > 0)
    spec = np.divide(energy, capacity, out=np.zeros(n), where=capacity > 0)

    bits = np.zeros(len(faces), dtype=np.int64)
    reasons_f = faces["exclusion_reason"].to_numpy(dtype=object)
    for i, r in enumerate(FACE_REASONS):
        bits[reasons_f == r] = 1 << i
    reason = _building_reasons(codes, bits, n)
    geoms = bld.geometry
    missing_geom = ~present
    reason = np.where(has, "", reason)
    reason = np.where(~has & (n_faces == 0), NO_FACE, reason)
    degenerate = present & (geoms.isna() | geoms.is_empty | (geoms.area <= 0)).to_numpy()
    reason = np.where(~has & degenerate, DEGENERATE_GEOMETRY, reason)
    reason = np.where(~has & missing_geom, MISSING_GEOMETRY, reason)

    opt = float(table.attrs.get("opt_specific_yield_kwh_kwp_yr", np.nanmax(table["specific_yield_kwh_kwp_yr"].values)))
    rel = spec / opt if opt > 0 else np.zeros(n)
    pv_class = np.where(
        rel >= params.class_excellent_ratio, 5,
        np.where(rel >= params.class_very_good_ratio, 4, np.where(rel >= params.class_good_ratio, 3, 2)),
    )
    pv_class = np.where(has, pv_class, 1).astype(np.int64)

    out = pd.DataFrame({"building_id": ids.to_numpy()})
    out["commune_insee"] = bld["commune_insee"].to_numpy() if "commune_insee" in bld.columns else pd.NA
    if "cadastre_parcel_id" in bld.columns:
        out["cadastre_parcel_id"] = bld["cadastre_parcel_id"].to_numpy()
    out["roof_area_m2"] = roof_area
    out["usable_area_m2"] = usable_area
    out["n_faces_usable"] = n_usable
    out["pv_capacity_kwp"] = capacity
    out["pv_energy_kwh_yr"] = energy
    out["specific_yield_kwh_kwp_yr"] = spec
    out["irradiation_kwh_m2_yr"] = np.where(has, irr_usable, irr_all)
    out["shading_loss_pct"] = 100.0 * (1.0 - np.where(has, shade_usable, shade_all))
    out["pv_class"] = pv_class
    out["pv_class_label"] = pd.Series(pv_class).map(PV_CLASS_LABELS).to_numpy()
    econ = pv_economics(capacity, energy, params.economics)
    for col in econ.columns:
        out[col] = econ[col].to_numpy()
    out["weather_approximate"] = bool(meta.get("approximate", False))
    out["exclusion_reason"] = reason
    result = gpd.GeoDataFrame(out, geometry=geoms.to_numpy(), crs=bld.crs)
    logger.info(
        "solar potential: %d buildings, %d with potential, %.1f MWp, %.1f GWh/yr",
        n, int(has.sum()), capacity.sum() / 1e3, energy.sum() / 1e6,
    )
    return result, faces


def aggregate_pv(buildings_pv: pd.DataFrame, by: str = "commune_insee") -> pd.DataFrame:
    """Sum the additive columns of ``buildings_pv`` per ``by`` (commune, cadastral parcel).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``by``, with the sums of :data:`SUM_COLUMNS`, ``n_buildings``,
        ``n_buildings_with_potential`` and the capacity-weighted ``specific_yield_kwh_kwp_yr``.
    """
    if by not in buildings_pv.columns:
        raise MissingFieldError(f"buildings_pv has no '{by}' column", field=by)
    df = pd.DataFrame(buildings_pv.drop(columns="geometry", errors="ignore"))
    df["n_buildings_with_potential"] = (df["pv_capacity_kwp"] > 0).astype(np.int64)
    cols = [c for c in SUM_COLUMNS if c in df.columns] + ["n_buildings_with_potential"]
    agg = sum_by(df, by, cols, count_name="n_buildings")
    agg["specific_yield_kwh_kwp_yr"] = np.divide(
        agg["pv_energy_kwh_yr"].to_numpy(float), agg["pv_capacity_kwp"].to_numpy(float),
        out=np.zeros(len(agg)), where=agg["pv_capacity_kwp"].to_numpy(float) > 0,
    )
    return agg

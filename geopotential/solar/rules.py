"""Usable-area rules and per-face yield.

Each face of a faces table (from footprints or from the DSM engine) gets the orientation of
its modules, its usable (module) area, its irradiation and specific yield looked up in the
site's orientation yield table, and either ``usable = True`` or an ``exclusion_reason``.
All rules are parameters of :class:`~geopotential.solar.parameters.SolarParameters` with a
sourced default; all of it is vectorised over faces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from geopotential.exceptions import MissingFieldError
from geopotential.solar.parameters import SolarParameters
from geopotential.solar.yield_table import interpolate_yield

#: Face exclusion reasons, in the order they are tested (the first failing rule is kept).
FACE_REASONS = ("too steep", "north-facing", "too small", "heavily shaded", "low irradiation")

REQUIRED_FACE_COLUMNS = ("building_id", "tilt_deg", "azimuth_deg", "area_m2")


def _column(faces: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in faces.columns:
        return np.full(len(faces), default, dtype=float)
    return pd.to_numeric(faces[name], errors="coerce").to_numpy(float)


def apply_rules(
    faces: pd.DataFrame,
    table: xr.Dataset,
    params: SolarParameters | None = None,
    irradiation_scale: np.ndarray | None = None,
) -> pd.DataFrame:
    """Module orientation, usable area, irradiation, yield and exclusion of every face.

    Parameters
    ----------
    faces
        Faces table (see :data:`geopotential.solar.roofs.FACE_COLUMNS`). When
        ``usable_area_m2`` is given (not NaN) it is kept; otherwise it is
        ``area_m2 x setback_ratio x coverage`` (``setback_ratio`` column, 1 when absent).
        When ``irradiation_kwh_m2_yr`` is given (not NaN, measured on the roof by the DSM
        engine, shading included) it replaces the table's POA x ``shading_factor``.
    table
        Orientation yield table of the site (:func:`orientation_yield_table`).
    params
        Rules and PV parameters (defaults when None).
    irradiation_scale
        Per-face multiplier of the table's irradiation [-] (spatial correction from an
        irradiation raster); not applied to measured irradiation.

    Returns
    -------
    pandas.DataFrame
        ``faces`` with added/overwritten columns: ``flat`` (bool), ``module_tilt_deg``,
        ``module_azimuth_deg`` [deg], ``usable_area_m2`` [m2 of modules],
        ``poa_unshaded_kwh_m2_yr`` and ``irradiation_kwh_m2_yr`` [kWh/m2/yr on the modules],
        ``shading_factor`` [-], ``specific_yield_kwh_kwp_yr`` [kWh/kWp/yr],
        ``pv_capacity_kwp`` [kWp], ``pv_energy_kwh_yr`` [kWh/yr] (0 when excluded),
        ``usable`` (bool) and ``exclusion_reason`` ('' when usable).
    """
    params = params or SolarParameters()
    missing = [c for c in REQUIRED_FACE_COLUMNS if c not in faces.columns]
    if missing:
        raise MissingFieldError(f"faces table lacks columns {missing}", field=missing[0])
    out = faces.copy()
    n = len(out)
    tilt = _column(out, "tilt_deg", np.nan)
    az = np.mod(_column(out, "azimuth_deg", 180.0), 360.0)
    area = np.clip(np.nan_to_num(_column(out, "area_m2", 0.0)), 0.0, None)
    shading = np.clip(np.nan_to_num(_column(out, "shading_factor", 1.0), nan=1.0), 0.0, 1.0)
    setback = np.clip(np.nan_to_num(_column(out, "setback_ratio", 1.0), nan=1.0), 0.0, 1.0)
    measured = _column(out, "irradiation_kwh_m2_yr", np.nan)
    given_usable = _column(out, "usable_area_m2", np.nan)
    scale = np.ones(n) if irradiation_scale is None else np.nan_to_num(np.asarray(irradiation_scale, float), nan=1.0)

    flat = np.nan_to_num(tilt, nan=0.0) < params.flat_roof_threshold_deg
    ew = flat & (params.flat_racking_layout == "east_west")
    m_tilt = np.where(
        flat, np.where(ew, params.flat_ew_tilt_deg, params.flat_racking_tilt_deg), np.nan_to_num(tilt)
    )
    m_az = np.where(flat, np.where(ew, 90.0, params.flat_racking_azimuth_deg), az)
    coverage = np.where(
        flat,
        np.where(ew, params.flat_ew_ground_coverage_ratio, params.flat_ground_coverage_ratio),
        params.coverage_ratio,
    )
    usable_area = np.where(np.isnan(given_usable), area * setback * coverage, given_usable)

    look = interpolate_yield(table, m_tilt, m_az)
    poa = look["poa_kwh_m2_yr"]
    sy = look["specific_yield_kwh_kwp_yr"]
    if ew.any():
        look_w = interpolate_yield(table, m_tilt[ew], np.full(int(ew.sum()), 270.0))
        poa = poa.copy()
        sy = sy.copy()
        poa[ew] = 0.5 * (poa[ew] + look_w["poa_kwh_m2_yr"])
        sy[ew] = 0.5 * (sy[ew] + look_w["specific_yield_kwh_kwp_yr"])
    poa_unshaded = poa * scale
    has_measured = ~np.isnan(measured)
    if has_measured.any():
        horiz = interpolate_yield(table, np.zeros(int(has_measured.sum())), np.full(int(has_measured.sum()), 180.0))
        rack_gain = np.where(flat[has_measured], poa[has_measured] / horiz["poa_kwh_m2_yr"], 1.0)
        irr = poa_unshaded * shading
        irr[has_measured] = measured[has_measured] * rack_gain
    else:
        irr = poa_unshaded * shading
    ratio = np.divide(irr, poa, out=np.zeros(n), where=poa > 0)
    spec = sy * ratio

    reason = np.full(n, "", dtype=object)
    dist_north = np.minimum(az, 360.0 - az)
    rules = (
        ("too steep", np.nan_to_num(tilt, nan=90.0) > params.max_tilt_deg),
        ("north-facing", ~flat & (dist_north < params.north_exclusion_half_width_deg)),
        ("too small", usable_area < params.min_face_area_m2),
        ("heavily shaded", shading < params.min_shading_factor),
        ("low irradiation", irr < params.min_irradiation_kwh_m2_yr),
    )
    for label, fails in rules:
        reason = np.where((reason == "") & fails, label, reason)
    usable = reason == ""
    cap = np.where(usable, usable_area * params.module_power_density_kwp_m2, 0.0)
    out["flat"] = flat
    out["module_tilt_deg"] = m_tilt
    out["module_azimuth_deg"] = m_az
    out["usable_area_m2"] = usable_area
    out["shading_factor"] = shading
    out["poa_unshaded_kwh_m2_yr"] = poa_unshaded
    out["irradiation_kwh_m2_yr"] = irr
    out["specific_yield_kwh_kwp_yr"] = spec
    out["pv_capacity_kwp"] = cap
    out["pv_energy_kwh_yr"] = cap * spec
    out["usable"] = usable
    out["exclusion_reason"] = reason
    return out

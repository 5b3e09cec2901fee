"""Entry point: rooftop irradiation, shading and roof planes from a DSM.

:func:`roof_irradiation_from_dsm` turns a DSM (plus optional DEM and canopy), building
footprints and an hourly weather series into

* per-pixel rasters: annual irradiation on the tilted surface, the same without any
  shadow, and the sky view factor [kWh/m2/yr, -];
* a faces table (one row per roof plane) for the solar yield model;
* per-building statistics with an ``exclusion_reason``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geopotential.crs import ensure_crs
from geopotential.exceptions import InputError, MissingFieldError
from geopotential.shading.irradiance import tile_irradiation
from geopotential.shading.parameters import ShadingParameters
from geopotential.shading.planes import segment_planes
from geopotential.shading.sky import SkyEnergy, sky_energy
from geopotential.shading.terrain import slope_aspect
from geopotential.shading.tiles import run_tiled, shadow_margin_px
from geopotential.shading.zonal import rasterize_ids

logger = logging.getLogger(__name__)

FACE_COLUMNS = ["building_id", "face_id", "tilt_deg", "azimuth_deg", "area_m2", "usable_area_m2",
                "shading_factor", "irradiation_kwh_m2_yr", "source", "is_flat", "n_pixels"]
BUILDING_COLUMNS = ["building_id", "roof_irradiation_kwh_m2_yr", "unshaded_irradiation_kwh_m2_yr",
                    "shading_loss_pct", "roof_area_m2", "usable_area_m2", "n_planes",
                    "dsm_coverage_fraction", "exclusion_reason"]
#: Tilt above which a plane's surface area is capped (walls are not roofs) [deg].
MAX_AREA_TILT_DEG = 80.0
#: Share of a footprint's pixels with valid DSM below which the building is excluded [-].
MIN_DSM_COVERAGE = 0.5


@dataclass
class RoofIrradianceResult:
    """Output of :func:`roof_irradiation_from_dsm`.

    Attributes
    ----------
    irradiation_kwh_m2_yr, unshaded_kwh_m2_yr : float32 ndarray [kWh/m2/yr]
        Annual irradiation on each pixel's tilted surface, with and without shadows (NaN = nodata).
    sky_view_factor : float32 ndarray [-]
    slope_deg, aspect_deg : float32 ndarray [deg]
    transform, crs
        Georeferencing of the rasters.
    buildings : DataFrame
        ``building_id, roof_irradiation_kwh_m2_yr, unshaded_irradiation_kwh_m2_yr,
        shading_loss_pct, roof_area_m2, usable_area_m2, n_planes, dsm_coverage_fraction,
        exclusion_reason``.
    faces : DataFrame
        ``building_id, face_id, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
        shading_factor, irradiation_kwh_m2_yr, source ('dsm'), is_flat, n_pixels``.
    horizontal_unshaded_kwh_m2_yr : float
        What an open horizontal plane receives from the same sky.
    margin_px : int
        Tile overlap margin used.
    """

    irradiation_kwh_m2_yr: np.ndarray
    unshaded_kwh_m2_yr: np.ndarray
    sky_view_factor: np.ndarray
    slope_deg: np.ndarray
    aspect_deg: np.ndarray
    transform: object
    crs: CRS
    buildings: pd.DataFrame
    faces: pd.DataFrame
    horizontal_unshaded_kwh_m2_yr: float
    margin_px: int
    sky: SkyEnergy = field(repr=False, default=None)


def _check_grid(name, arr, shape):
    if arr is None:
        return None
    a = np.asarray(arr, dtype=np.float32)
    if a.shape != shape:
        raise InputError(f"{name} shape {a.shape} differs from the DSM {shape}; resample it first", field=name)
    return a


def _location(meta, transform, shape, crs):
    lat = meta.get("latitude") if meta else None
    lon = meta.get("longitude") if meta else None
    if lat is None or lon is None:
        x = transform.c + transform.a * shape[1] / 2
        y = transform.f + transform.e * shape[0] / 2
        lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
        logger.info("weather has no location: using the DSM centre %.4f N %.4f E", lat, lon)
    return float(lat), float(lon)


def compute_rasters(dsm, transform, sky: SkyEnergy, params: ShadingParameters, veg=None):
    """Tiled irradiation rasters of a DSM (NaN = nodata).

    Returns
    -------
    dict of float32 arrays and the margin [px]
    """
    res = float(transform.a)
    valid = np.isfinite(dsm)
    if not valid.any():
        raise InputError("DSM holds no valid pixel", field="dsm")
    zmin, zmax = float(np.nanmin(dsm)), float(np.nanmax(dsm))
    filled = np.where(valid, dsm, zmin).astype(np.float32)
    margin = shadow_margin_px(zmax - zmin, sky.lowest_elevation_deg, res, params.max_shadow_distance_m)
    arrays = {"dsm": filled, "want": valid}
    if veg is not None:
        arrays["veg"] = np.where(np.isfinite(veg), veg, -np.inf).astype(np.float32)

    def one(dsm, want, origin, veg=None):
        return tile_irradiation(dsm, res, sky, params.albedo, veg=veg, want=want,
                                canopy_transmissivity=params.canopy_transmissivity, origin=origin)

    names = ["irradiation_kwh_m2_yr", "unshaded_kwh_m2_yr", "sky_view_factor", "nx", "ny", "nz"]
    out = run_tiled(one, arrays, int(params.tile_size_px), margin, names, show_progress=params.show_progress)
    for k in names[:3]:
        out[k] = np.where(valid, out[k], np.nan).astype(np.float32)
    return out, margin


def roof_irradiation_from_dsm(dsm, transform, crs, buildings: gpd.GeoDataFrame, weather: pd.DataFrame,
                              meta: dict | None = None, params: ShadingParameters | None = None,
                              dem=None, canopy=None, canopy_relative: bool = True) -> RoofIrradianceResult:
    """Annual rooftop irradiation with shading, roof planes and per-building statistics.

    Parameters
    ----------
    dsm : ndarray (nrow, ncol) [m]
        Surface model (ground + buildings), NaN for nodata.
    transform : affine.Affine
        North-up, square pixels [m].
    crs : pyproj-compatible CRS in metres
    buildings : GeoDataFrame
        Footprints with a ``building_id`` column; reprojected to ``crs`` if needed.
    weather : DataFrame
        ``ghi, dni, dhi`` [W/m2] on a tz-aware index (as the io readers return).
    meta : dict, optional
        ``latitude, longitude, altitude, time_label``; the DSM centre is used when the
        location is missing.
    params : ShadingParameters, optional
    dem : ndarray, optional [m]
        Ground model on the DSM grid (needed for a relative canopy).
    canopy : ndarray, optional [m]
        Vegetation canopy heights on the DSM grid: above ground (UMEP CDSM) when
        ``canopy_relative``, else absolute. Crowns transmit ``canopy_transmissivity``.
    canopy_relative : bool

    Returns
    -------
    RoofIrradianceResult
    """
    params = params or ShadingParameters()
    meta = meta or {}
    dsm = np.asarray(dsm, dtype=np.float32)
    if dsm.ndim != 2:
        raise InputError("DSM must be a 2-D array", field="dsm")
    if transform.b != 0 or transform.d != 0 or transform.e >= 0 or not np.isclose(transform.a, -transform.e):
        raise InputError("DSM must be north-up with square pixels", field="transform")
    crs = CRS.from_user_input(crs)
    unit = crs.axis_info[0].unit_name if (crs.is_projected and crs.axis_info) else "degree"
    if unit not in ("metre", "meter", "m"):
        raise InputError(f"DSM CRS must be projected in metres, got {crs.name!r}", field="crs")
    if "building_id" not in buildings.columns:
        raise MissingFieldError("buildings lack 'building_id'", field="building_id")
    shape = dsm.shape
    dem = _check_grid("dem", dem, shape)
    canopy = _check_grid("canopy", canopy, shape)
    veg = None
    if canopy is not None:
        c = np.nan_to_num(canopy, nan=0.0)
        if canopy_relative:
            if dem is None:
                raise InputError("a relative canopy (CDSM) needs the DEM", field="canopy")
            veg = np.where(c > 0, dem + c, -np.inf).astype(np.float32)
        else:
            veg = np.where(c > 0, c, -np.inf).astype(np.float32)
    lat, lon = _location(meta, transform, shape, crs)
    sky = sky_energy(weather, lat, lon, float(meta.get("altitude") or 0.0), params.min_sun_elevation_deg,
                     time_label=meta.get("time_label", "end"), source=str(meta.get("source", "weather")))
    rasters, margin = compute_rasters(dsm, transform, sky, params, veg=veg)
    slope, aspect = slope_aspect(rasters["nx"], rasters["ny"], rasters["nz"])
    buildings = ensure_crs(buildings, crs, source="buildings")
    stats, faces = building_statistics(buildings, dsm, transform, rasters["irradiation_kwh_m2_yr"],
                                       rasters["unshaded_kwh_m2_yr"], slope, aspect, params)
    return RoofIrradianceResult(
        irradiation_kwh_m2_yr=rasters["irradiation_kwh_m2_yr"],
        unshaded_kwh_m2_yr=rasters["unshaded_kwh_m2_yr"],
        sky_view_factor=rasters["sky_view_factor"],
        slope_deg=slope, aspect_deg=aspect, transform=transform, crs=crs,
        buildings=stats, faces=faces,
        horizontal_unshaded_kwh_m2_yr=sky.unshaded_horizontal_wh_m2 / 1000.0 / sky.years,
        margin_px=margin, sky=sky,
    )


def building_statistics(buildings, dsm, transform, irr, unshaded, slope, aspect, params: ShadingParameters):
    """Faces table and per-building statistics from the rasters (see the result's docs)."""
    res = float(transform.a)
    shape = dsm.shape
    geoms = buildings.geometry.to_numpy()
    nb = len(geoms)
    valid = np.isfinite(dsm) & np.isfinite(irr)
    ids_full = rasterize_ids(geoms, transform, shape, all_touched=False)
    shrunk = shapely.buffer(geoms, -params.edge_buffer_m) if params.edge_buffer_m > 0 else geoms
    ids_roof = rasterize_ids(shrunk, transform, shape, all_touched=params.all_touched)
    ids_roof = np.where(valid, ids_roof, 0)

    face_ids, faces = segment_planes(ids_roof, np.where(valid, dsm, 0.0), slope, aspect, res,
                                     params.flat_roof_threshold_deg, int(params.aspect_classes),
                                     params.min_plane_area_m2)
    nf = len(faces)
    tilt = faces["tilt_deg"].to_numpy()
    az = faces["azimuth_deg"].to_numpy()
    north_dist = np.abs((az + 180.0) % 360.0 - 180.0)
    face_ok = (tilt <= params.max_tilt_deg) & ((faces["is_flat"].to_numpy()) | (north_dist > params.north_sector_half_width_deg))
    fr = face_ids.ravel()
    m = fr > 0
    f = fr[m]
    e = irr.ravel()[m].astype(np.float64)
    u = unshaded.ravel()[m].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(u > 0, e / u, 0.0)
    px_ok = face_ok[f - 1] & (e >= params.min_irradiation_kwh_m2_yr) & (ratio >= params.min_shading_ratio)
    n_px = np.bincount(f, minlength=nf + 1)[1:]
    s_e = np.bincount(f, weights=e, minlength=nf + 1)[1:]
    s_u = np.bincount(f, weights=u, minlength=nf + 1)[1:]
    n_ok = np.bincount(f, weights=px_ok.astype(float), minlength=nf + 1)[1:]
    area_factor = res * res / np.cos(np.radians(np.minimum(tilt, MAX_AREA_TILT_DEG)))
    bid = buildings["building_id"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        faces_out = pd.DataFrame({
            "building_id": bid[faces["zone"].to_numpy() - 1],
            "face_id": faces["face_id"].to_numpy(),
            "tilt_deg": tilt,
            "azimuth_deg": az,
            "area_m2": n_px * area_factor,
            "usable_area_m2": n_ok * area_factor,
            "shading_factor": np.where(s_u > 0, s_e / s_u, np.nan),
            "irradiation_kwh_m2_yr": s_e / n_px,
            "source": "dsm",
            "is_flat": faces["is_flat"].to_numpy(),
            "n_pixels": n_px,
        })
    zone_of_face = faces["zone"].to_numpy()

    # per building
    rr = ids_roof.ravel()
    mr = rr > 0
    z = rr[mr]
    cnt = np.bincount(z, minlength=nb + 1)[1:]
    be = np.bincount(z, weights=irr.ravel()[mr].astype(np.float64), minlength=nb + 1)[1:]
    bu = np.bincount(z, weights=unshaded.ravel()[mr].astype(np.float64), minlength=nb + 1)[1:]
    full = ids_full.ravel()
    mf = full > 0
    cov_px = np.bincount(full[mf], weights=valid.ravel()[mf].astype(float), minlength=nb + 1)[1:]
    area = shapely.area(geoms)
    expected = np.maximum(area / (res * res), 1.0)
    coverage = np.clip(cov_px / expected, 0.0, 1.0)
    nrow, ncol = shape
    x0, y0 = transform.c, transform.f
    bbox = shapely.box(x0, y0 + transform.e * nrow, x0 + res * ncol, y0)
    inside = shapely.intersects(geoms, bbox)
    with np.errstate(invalid="ignore", divide="ignore"):
        inside_share = shapely.area(shapely.intersection(geoms, bbox)) / area
    reason = np.full(nb, "", dtype=object)
    reason[cnt == 0] = "no roof pixel after edge buffer"
    low = coverage < MIN_DSM_COVERAGE
    reason[low] = "DSM nodata on roof"
    reason[low & (inside_share < 1.0 - 1e-6)] = "partly outside DSM"
    reason[~inside] = "outside DSM"
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    reason[empty] = "empty geometry"
    excluded = reason != ""
    roof_area = np.bincount(zone_of_face, weights=faces_out["area_m2"].to_numpy(), minlength=nb + 1)[1:]
    usable = np.bincount(zone_of_face, weights=faces_out["usable_area_m2"].to_numpy(), minlength=nb + 1)[1:]
    n_planes = np.bincount(zone_of_face, weights=(faces_out["face_id"].to_numpy() > 0).astype(float),
                           minlength=nb + 1)[1:].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_e = np.where(cnt > 0, be / cnt, np.nan)
        mean_u = np.where(cnt > 0, bu / cnt, np.nan)
        loss = np.where(bu > 0, 100.0 * (1.0 - be / bu), np.nan)
    stats = pd.DataFrame({
        "building_id": bid,
        "roof_irradiation_kwh_m2_yr": np.where(excluded, np.nan, mean_e),
        "unshaded_irradiation_kwh_m2_yr": np.where(excluded, np.nan, mean_u),
        "shading_loss_pct": np.where(excluded, np.nan, loss),
        "roof_area_m2": np.where(excluded, 0.0, roof_area),
        "usable_area_m2": np.where(excluded, 0.0, usable),
        "n_planes": np.where(excluded, 0, n_planes),
        "dsm_coverage_fraction": coverage,
        "exclusion_reason": reason.astype(str),
    })
    faces_out = faces_out[~excluded[zone_of_face - 1]].reset_index(drop=True)
    n_ex = int(excluded.sum())
    if n_ex:
        logger.info("%d of %d buildings excluded: %s", n_ex, nb,
                    pd.Series(reason[excluded]).value_counts().to_dict())
    return stats[BUILDING_COLUMNS], faces_out[FACE_COLUMNS]

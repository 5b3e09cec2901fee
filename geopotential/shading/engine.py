"""Entry points: rooftop irradiation, shading and roof planes from a DSM, tile by tile.

:func:`roof_irradiation_from_dsm` (arrays in memory) and :func:`roof_irradiation_tiled`
(any window reader and raster sink, e.g. GeoTIFF files of a whole territory) turn a DSM
(plus optional DEM and canopy), building footprints and an hourly weather series into

* per-pixel rasters: annual irradiation on the tilted surface, the same without any
  shadow, and the sky view factor [kWh/m2/yr, -];
* a faces table (one row per roof plane) for the solar yield model;
* per-building statistics with an ``exclusion_reason``.

The raster is cut into tiles of ``tile_size_px``. Each tile is computed on a window
padded by the shadow margin (longest shadow considered) plus the largest building extent;
its core is written out, and every building whose representative point lies in the core
is analysed on the core plus the building margin, where values are exact. Memory is
bounded by one padded tile; results do not depend on the tiling.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS, Transformer

from geopotential.crs import ensure_crs
from geopotential.exceptions import InputError, MissingFieldError
from geopotential.shading.irradiance import tile_irradiation
from geopotential.shading.parameters import ShadingParameters
from geopotential.shading.roofstats import BUILDING_COLUMNS, FACE_COLUMNS, building_statistics
from geopotential.shading.sky import SkyEnergy, sky_energy
from geopotential.shading.terrain import fill_nodata, slope_aspect
from geopotential.shading.tiles import iter_tiles, n_tiles, shadow_margin_px
from geopotential.shading.zonal import rasterize_ids

logger = logging.getLogger(__name__)

__all__ = ["roof_irradiation_from_dsm", "roof_irradiation_tiled", "RoofIrradianceResult", "ArrayReader",
           "ArraySink", "FACE_COLUMNS", "BUILDING_COLUMNS", "RASTER_NAMES"]

#: Bands produced per pixel.
RASTER_NAMES = ("irradiation_kwh_m2_yr", "unshaded_kwh_m2_yr", "sky_view_factor", "slope_deg", "aspect_deg")


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
        exclusion_reason`` (one row per input building, same order).
    faces : DataFrame
        ``building_id, face_id, tilt_deg, azimuth_deg, area_m2, usable_area_m2,
        shading_factor, irradiation_kwh_m2_yr, source ('dsm'), is_flat, n_pixels``.
    horizontal_unshaded_kwh_m2_yr : float
        What an open horizontal plane receives from the same sky.
    margin_px : int
        Tile overlap margin used (shadow margin + building margin).
    """

    irradiation_kwh_m2_yr: np.ndarray
    unshaded_kwh_m2_yr: np.ndarray
    sky_view_factor: np.ndarray
    slope_deg: np.ndarray
    aspect_deg: np.ndarray
    transform: Affine
    crs: CRS
    buildings: pd.DataFrame
    faces: pd.DataFrame
    horizontal_unshaded_kwh_m2_yr: float
    margin_px: int
    sky: SkyEnergy = field(repr=False, default=None)


class ArrayReader:
    """Window reader over in-memory arrays (the protocol :func:`roof_irradiation_tiled` reads).

    Attributes ``shape``, ``transform``, ``crs``; methods ``read(rows, cols) -> dict`` with
    ``dsm`` and ``veg`` (absolute vegetation top or None) and ``z_range() -> (min, max)``.
    """

    def __init__(self, dsm, transform, crs, veg=None):
        self.dsm, self.veg, self.transform, self.crs = dsm, veg, transform, crs
        self.shape = dsm.shape

    def read(self, rows: slice, cols: slice) -> dict:
        return {"dsm": self.dsm[rows, cols], "veg": None if self.veg is None else self.veg[rows, cols]}

    def z_range(self) -> tuple[float, float]:
        return float(np.nanmin(self.dsm)), float(np.nanmax(self.dsm))


class ArraySink:
    """Raster sink assembling tile cores into in-memory arrays (NaN = nodata)."""

    def __init__(self, shape, names=RASTER_NAMES):
        self.arrays = {k: np.full(shape, np.nan, np.float32) for k in names}

    def write(self, tile, core: dict) -> None:
        for k, a in self.arrays.items():
            a[tile.core] = core[k]


def _check_grid(name, arr, shape):
    if arr is None:
        return None
    a = np.asarray(arr, dtype=np.float32)
    if a.shape != shape:
        raise InputError(f"{name} shape {a.shape} differs from the DSM {shape}; resample it first", field=name)
    return a


def check_transform_crs(transform, crs, source="dsm") -> CRS:
    """Check a north-up, square-pixel grid in a metric CRS; return the pyproj CRS."""
    if transform.b != 0 or transform.d != 0 or transform.e >= 0 or not np.isclose(transform.a, -transform.e):
        raise InputError("DSM must be north-up with square pixels", path=source, field="transform")
    crs = CRS.from_user_input(crs)
    unit = crs.axis_info[0].unit_name if (crs.is_projected and crs.axis_info) else "degree"
    if unit not in ("metre", "meter", "m"):
        raise InputError(f"DSM CRS must be projected in metres, got {crs.name!r}", path=source, field="crs")
    return crs


def vegetation_top(canopy, dem=None, relative=True):
    """Absolute top of vegetation [m] (``-inf`` where none) from a canopy raster.

    Parameters
    ----------
    canopy : ndarray [m]
        Canopy heights: above ground (UMEP CDSM) when ``relative``, else absolute.
    dem : ndarray [m], optional
        Ground, required for a relative canopy.
    """
    c = np.nan_to_num(np.asarray(canopy, np.float32), nan=0.0)
    if relative:
        if dem is None:
            raise InputError("a relative canopy (CDSM) needs the DEM", field="canopy")
        return np.where(c > 0, dem + c, -np.inf).astype(np.float32)
    return np.where(c > 0, c, -np.inf).astype(np.float32)


def sky_for(weather, meta, transform, shape, crs, params: ShadingParameters) -> SkyEnergy:
    """Bin the weather onto the sky patches, locating it at the DSM centre if needed."""
    meta = meta or {}
    lat, lon = meta.get("latitude"), meta.get("longitude")
    if lat is None or lon is None:
        x = transform.c + transform.a * shape[1] / 2
        y = transform.f + transform.e * shape[0] / 2
        lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
        logger.info("weather has no location: using the DSM centre %.4f N %.4f E", lat, lon)
    return sky_energy(weather, float(lat), float(lon), float(meta.get("altitude") or 0.0),
                      params.min_sun_elevation_deg, time_label=meta.get("time_label", "center"),
                      source=str(meta.get("source", "weather")))


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
        ``latitude, longitude, altitude`` and optionally ``time_label`` ("center" by
        default: the readers' index holds mid-interval instants); the DSM centre is used
        when the location is missing.
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
    dsm = np.asarray(dsm, dtype=np.float32)
    if dsm.ndim != 2:
        raise InputError("DSM must be a 2-D array", field="dsm")
    crs = check_transform_crs(transform, crs)
    dem = _check_grid("dem", dem, dsm.shape)
    canopy = _check_grid("canopy", canopy, dsm.shape)
    veg = vegetation_top(canopy, dem, canopy_relative) if canopy is not None else None
    sky = sky_for(weather, meta, transform, dsm.shape, crs, params)
    reader = ArrayReader(dsm, transform, crs, veg)
    sink = ArraySink(dsm.shape)
    stats, faces, margin = roof_irradiation_tiled(reader, buildings, sky, params, sink)
    a = sink.arrays
    return RoofIrradianceResult(
        irradiation_kwh_m2_yr=a["irradiation_kwh_m2_yr"], unshaded_kwh_m2_yr=a["unshaded_kwh_m2_yr"],
        sky_view_factor=a["sky_view_factor"], slope_deg=a["slope_deg"], aspect_deg=a["aspect_deg"],
        transform=transform, crs=crs, buildings=stats, faces=faces,
        horizontal_unshaded_kwh_m2_yr=sky.unshaded_horizontal_wh_m2 / 1000.0 / sky.years,
        margin_px=margin, sky=sky,
    )


def _assign_tiles(geoms, transform, shape, tile_size):
    """Tile (row, col) index of each building's representative point (-1 if off the raster)."""
    pts = shapely.point_on_surface(geoms)
    inv = ~transform
    col = np.floor((shapely.get_x(pts) * inv.a + shapely.get_y(pts) * inv.b + inv.c)).astype(float)
    row = np.floor((shapely.get_x(pts) * inv.d + shapely.get_y(pts) * inv.e + inv.f)).astype(float)
    nrow, ncol = shape
    row = np.clip(np.nan_to_num(row, nan=-1), 0, nrow - 1)
    col = np.clip(np.nan_to_num(col, nan=-1), 0, ncol - 1)
    return (row // tile_size).astype(np.int64), (col // tile_size).astype(np.int64)


def roof_irradiation_tiled(reader, buildings: gpd.GeoDataFrame, sky: SkyEnergy, params: ShadingParameters,
                           sink) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Run the engine tile by tile from a window ``reader`` into a raster ``sink``.

    Parameters
    ----------
    reader
        Object with ``shape``, ``transform``, ``crs``, ``read(rows, cols)`` and ``z_range()``
        (:class:`ArrayReader`, :class:`geopotential.io.dsm.RasterWindowReader`).
    buildings : GeoDataFrame
        Footprints with ``building_id``.
    sky : SkyEnergy
    params : ShadingParameters
    sink
        Object with ``write(tile, core_arrays)`` receiving the bands of ``RASTER_NAMES``
        (:class:`ArraySink`, :class:`geopotential.io.raster.GeoTiffTileSink`).

    Returns
    -------
    stats : DataFrame, faces : DataFrame, margin_px : int
    """
    if "building_id" not in buildings.columns:
        raise MissingFieldError("buildings lack 'building_id'", field="building_id")
    transform, shape = reader.transform, reader.shape
    crs = check_transform_crs(transform, reader.crs)
    res = float(transform.a)
    buildings = ensure_crs(buildings, crs, source="buildings").reset_index(drop=True)
    geoms = buildings.geometry.to_numpy()
    nrow, ncol = shape
    bounds = (transform.c, transform.f + transform.e * nrow, transform.c + res * ncol, transform.f)
    tile_size = int(params.tile_size_px)
    zmin, zmax = reader.z_range()
    if not np.isfinite(zmin):
        raise InputError("DSM holds no valid pixel", field="dsm")
    m_shadow = shadow_margin_px(zmax - zmin, sky.lowest_elevation_deg, res, params.max_shadow_distance_m)
    on = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms)) & shapely.intersects(geoms, shapely.box(*bounds))
    b = shapely.bounds(geoms[on]) if on.any() else np.zeros((0, 4))
    extent = float(np.max(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]))) if len(b) else 0.0
    m_build = min(int(math.ceil(extent / res)) + 2, tile_size)
    margin = m_shadow + m_build
    trow, tcol = _assign_tiles(geoms, transform, shape, tile_size)
    trow[~on] = -1
    order = np.lexsort((tcol, trow))
    starts = {}
    for pos, i in enumerate(order):
        if trow[i] >= 0:
            starts.setdefault((int(trow[i]), int(tcol[i])), []).append(int(i))

    from tqdm.auto import tqdm

    stats_parts, face_parts = [], []
    for t in tqdm(list(iter_tiles(shape, tile_size, margin)), disable=not params.show_progress,
                  desc="shading tiles", total=n_tiles(shape, tile_size)):
        mine = starts.get((t.row0 // tile_size, t.col0 // tile_size), [])
        st, fc = _process_tile(t, reader, buildings, geoms, on, mine, m_build, zmin, bounds, sky, params, sink)
        if st is not None:
            stats_parts.append(st)
            face_parts.append(fc)
    stats = _assemble_stats(buildings, on, stats_parts)
    faces = pd.concat(face_parts, ignore_index=True) if face_parts else pd.DataFrame(columns=FACE_COLUMNS + ["_order"])
    faces = faces.sort_values(["_order", "face_id"], kind="stable").drop(columns="_order").reset_index(drop=True)
    excluded = stats["exclusion_reason"] != ""
    if excluded.any():
        logger.info("%d of %d buildings excluded: %s", int(excluded.sum()), len(stats),
                    stats.loc[excluded, "exclusion_reason"].value_counts().to_dict())
    return stats, faces[FACE_COLUMNS], margin


def _process_tile(t, reader, buildings, geoms, on, mine, m_build, zmin, bounds, sky, params, sink):
    """Shade one padded tile, write its core, analyse the buildings assigned to it."""
    transform = reader.transform
    res = float(transform.a)
    # read a little more than the padded window so that nodata filling near its edges sees
    # the same neighbours whatever the tiling
    fill_px = int(math.ceil(params.nodata_fill_distance_m / res))
    nrow, ncol = reader.shape
    er0, er1 = max(0, t.prow0 - fill_px), min(nrow, t.prow1 + fill_px)
    ec0, ec1 = max(0, t.pcol0 - fill_px), min(ncol, t.pcol1 + fill_px)
    data = reader.read(slice(er0, er1), slice(ec0, ec1))
    crop = (slice(t.prow0 - er0, t.prow1 - er0), slice(t.pcol0 - ec0, t.pcol1 - ec0))
    raw = np.asarray(data["dsm"], np.float32)
    dsm = raw[crop]
    veg = None if data.get("veg") is None else data["veg"][crop]
    valid = np.isfinite(dsm)
    ptransform = transform * Affine.translation(t.pcol0, t.prow0)
    want = valid
    if params.roofs_only:
        near = shapely.intersects(geoms, shapely.box(*_window_bounds(ptransform, dsm.shape))) & on
        want = valid & (rasterize_ids(geoms[near], ptransform, dsm.shape, all_touched=True) > 0)
    if not want.any():
        sink.write(t, {k: np.full((t.row1 - t.row0, t.col1 - t.col0), np.nan, np.float32) for k in RASTER_NAMES})
        if not mine:
            return None, None
        sub = buildings.iloc[mine]
        st, fc = _nodata_stats(sub)
        st.index = np.asarray(mine)
        return st, fc.assign(_order=_position(sub, fc))
    filled = fill_nodata(raw, fill_px, zmin)[crop] if not valid.all() else dsm
    out = tile_irradiation(filled, res, sky, params.albedo, veg=veg, want=want,
                           canopy_transmissivity=params.canopy_transmissivity, origin=(t.prow0, t.pcol0))
    slope, aspect = slope_aspect(out["nx"], out["ny"], out["nz"])
    bands = {"irradiation_kwh_m2_yr": out["irradiation_kwh_m2_yr"], "unshaded_kwh_m2_yr": out["unshaded_kwh_m2_yr"],
             "sky_view_factor": out["sky_view_factor"], "slope_deg": slope, "aspect_deg": aspect}
    bands = {k: np.where(want, v, np.nan).astype(np.float32) for k, v in bands.items()}
    cr, cc = t.core_in_padded
    sink.write(t, {k: v[cr, cc] for k, v in bands.items()})
    if not mine:
        return None, None
    # buildings of this core: analyse them on the core plus the building margin (exact values)
    r0 = max(t.row0 - m_build, t.prow0) - t.prow0
    r1 = min(t.row1 + m_build, t.prow1) - t.prow0
    c0 = max(t.col0 - m_build, t.pcol0) - t.pcol0
    c1 = min(t.col1 + m_build, t.pcol1) - t.pcol0
    win = (slice(r0, r1), slice(c0, c1))
    sub = buildings.iloc[mine]
    st, fc = building_statistics(
        sub, np.where(valid, dsm, np.nan)[win], ptransform * Affine.translation(c0, r0),
        bands["irradiation_kwh_m2_yr"][win], bands["unshaded_kwh_m2_yr"][win], bands["slope_deg"][win],
        bands["aspect_deg"][win], params, raster_bounds=bounds)
    st.index = np.asarray(mine)
    return st, fc.assign(_order=_position(sub, fc))


def _window_bounds(transform, shape):
    nrow, ncol = shape
    return (transform.c, transform.f + transform.e * nrow, transform.c + transform.a * ncol, transform.f)


def _position(sub, faces):
    """Original row position of each face's building (for a stable global order)."""
    pos = pd.Series(sub.index.to_numpy(), index=sub["building_id"].to_numpy())
    pos = pos[~pos.index.duplicated()]
    return pos.reindex(faces["building_id"].to_numpy()).to_numpy()


def _nodata_stats(sub):
    st = pd.DataFrame({
        "building_id": sub["building_id"].to_numpy(), "roof_irradiation_kwh_m2_yr": np.nan,
        "unshaded_irradiation_kwh_m2_yr": np.nan, "shading_loss_pct": np.nan, "roof_area_m2": 0.0,
        "usable_area_m2": 0.0, "n_planes": 0, "dsm_coverage_fraction": 0.0,
        "exclusion_reason": "DSM nodata on roof"})
    return st[BUILDING_COLUMNS], pd.DataFrame(columns=FACE_COLUMNS)


def _assemble_stats(buildings, on, parts):
    n = len(buildings)
    empty = shapely.is_empty(buildings.geometry.to_numpy()) | shapely.is_missing(buildings.geometry.to_numpy())
    base = pd.DataFrame({
        "building_id": buildings["building_id"].to_numpy(), "roof_irradiation_kwh_m2_yr": np.nan,
        "unshaded_irradiation_kwh_m2_yr": np.nan, "shading_loss_pct": np.nan, "roof_area_m2": 0.0,
        "usable_area_m2": 0.0, "n_planes": 0, "dsm_coverage_fraction": 0.0,
        "exclusion_reason": np.where(empty, "empty geometry", "outside DSM")}, index=np.arange(n))
    if parts:
        got = pd.concat(parts)
        base.loc[got.index, BUILDING_COLUMNS] = got[BUILDING_COLUMNS].to_numpy()
    base["n_planes"] = base["n_planes"].astype(np.int64)
    for c in ("roof_irradiation_kwh_m2_yr", "unshaded_irradiation_kwh_m2_yr", "shading_loss_pct", "roof_area_m2",
              "usable_area_m2", "dsm_coverage_fraction"):
        base[c] = base[c].astype(float)
    base["exclusion_reason"] = base["exclusion_reason"].astype(str)
    return base[BUILDING_COLUMNS].reset_index(drop=True)

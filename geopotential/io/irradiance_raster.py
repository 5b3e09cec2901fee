"""Irradiation rasters (e.g. Global Solar Atlas or PVGIS GHI maps) sampled per building.

The values scale a site's weather spatially: see ``irradiation_scale`` in
:func:`geopotential.solar.solar_potential`. Also exposed as
``geopotential.io.weather.sample_irradiation_raster``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from geopotential.exceptions import CorruptFileError, InputError, MissingCRSError

logger = logging.getLogger(__name__)


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError("raster file not found", path=path)


def sample_irradiation_raster(path: str | Path, points_gdf, band: int | None = None) -> np.ndarray:
    """Sample an annual irradiation raster (e.g. Global Solar Atlas / PVGIS GHI) per building.

    Parameters
    ----------
    path
        GeoTIFF of annual GHI [kWh/m2/yr] (one band), or of 12 monthly totals [kWh/m2/month],
        which are summed.
    points_gdf
        GeoDataFrame with a CRS; polygons are sampled at their representative point.
    band
        Sample only this (1-based) band instead.

    Returns
    -------
    numpy.ndarray
        Value per row of ``points_gdf`` [kWh/m2/yr]; NaN outside the raster, on nodata,
        on negative values (counted in a warning) or for empty geometries.
    """
    import geopandas as gpd
    import rasterio
    from rasterio.errors import RasterioIOError

    path = Path(path)
    _check_exists(path)
    if not isinstance(points_gdf, gpd.GeoDataFrame):
        raise InputError("points must be a GeoDataFrame", path=path)
    if points_gdf.crs is None:
        raise MissingCRSError("buildings to sample have no CRS", path=path)
    try:
        src = rasterio.open(path)
    except RasterioIOError as exc:
        raise CorruptFileError(f"not a readable raster ({exc})", path=path) from None
    with src:
        if src.crs is None:
                raise MissingCRSError("irradiation raster has no CRS", path=path)
        geom = points_gdf.geometry
        empty = geom.isna() | geom.is_empty
        pts = gpd.GeoSeries(geom.where(~empty)).copy()
        pts[~empty] = geom[~empty].representative_point()
        pts = gpd.GeoSeries(pts, crs=points_gdf.crs).to_crs(src.crs)
        x = pts.x.to_numpy(float, na_value=np.nan)
        y = pts.y.to_numpy(float, na_value=np.nan)
        inv = ~src.transform
        col = inv.a * x + inv.b * y + inv.c
        row = inv.d * x + inv.e * y + inv.f
        ok = np.isfinite(col) & np.isfinite(row)
        col = np.floor(np.where(ok, col, -1)).astype(np.int64)
        row = np.floor(np.where(ok, row, -1)).astype(np.int64)
        ok &= (col >= 0) & (col < src.width) & (row >= 0) & (row < src.height)
        out = np.full(len(x), np.nan)
        if not ok.any():
            return out
        r0, r1, c0, c1 = row[ok].min(), row[ok].max() + 1, col[ok].min(), col[ok].max() + 1
        from rasterio.windows import Window

        win = Window(c0, r0, c1 - c0, r1 - r0)
        bands = [band] if band is not None else list(range(1, src.count + 1))
        try:
            arr = src.read(bands, window=win, masked=True).astype(float).filled(np.nan)
        except Exception as exc:
            raise CorruptFileError(f"cannot read raster data ({exc})", path=path) from None
    vals = arr[:, row[ok] - r0, col[ok] - c0]
    if vals.shape[0] == 12 or (band is None and vals.shape[0] > 1):
        if vals.shape[0] != 12:
            raise InputError(f"raster has {vals.shape[0]} bands: expected 1 (annual) or 12 (monthly)", path=path)
        vals = vals.sum(axis=0, keepdims=True)
    neg = vals[0] < 0
    if neg.any():  # an undeclared nodata value or a corrupt raster: never an irradiation
        logger.warning("%s: %d building(s) sample a negative irradiation value (e.g. %g); set missing (NaN)",
                       path, int(neg.sum()), float(vals[0][neg][0]))
        vals = np.where(neg[None, :], np.nan, vals)
    out[ok] = vals[0]
    return out

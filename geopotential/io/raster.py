"""Write rasters as tiled, compressed GeoTIFF with nodata (atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio

from geopotential.io.writers import atomic_path

#: Nodata value written for float rasters.
NODATA = -9999.0


def write_geotiff(path: str | Path, arrays, transform, crs, names=None, nodata: float = NODATA,
                  blocksize: int = 256) -> Path:
    """Write one or more float bands as a tiled, deflate-compressed GeoTIFF.

    Parameters
    ----------
    path : path
    arrays : ndarray (nrow, ncol) or sequence of them
        NaN marks nodata.
    transform : affine.Affine
    crs : anything rasterio accepts (pyproj CRS is converted via WKT)
    names : sequence of str, optional
        Band descriptions (e.g. ``irradiation_kwh_m2_yr``).
    nodata : float
    blocksize : int [px]
    """
    arrs = [arrays] if isinstance(arrays, np.ndarray) else list(arrays)
    nrow, ncol = arrs[0].shape
    crs_wkt = crs.to_wkt() if hasattr(crs, "to_wkt") else crs
    bs = blocksize if min(nrow, ncol) >= blocksize else 16 * max(1, min(nrow, ncol) // 16)
    profile = dict(driver="GTiff", width=ncol, height=nrow, count=len(arrs), dtype="float32",
                   crs=crs_wkt, transform=transform, nodata=nodata, tiled=True, blockxsize=bs,
                   blockysize=bs, compress="deflate", predictor=3, zlevel=6)
    path = Path(path)
    with atomic_path(path) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            for i, a in enumerate(arrs, start=1):
                dst.write(np.where(np.isfinite(a), a, nodata).astype(np.float32), i)
                if names:
                    dst.set_band_description(i, names[i - 1])
    return path

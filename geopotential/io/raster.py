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


class GeoTiffTileSink:
    """Write engine tiles into a multi-band tiled, compressed GeoTIFF as they come.

    The file is written beside its final path and renamed on :meth:`close` (atomic), so an
    interrupted run leaves no half-written raster. Use as a context manager.

    Parameters
    ----------
    path : path
    shape : (nrow, ncol)
    transform : affine.Affine
    crs
    names : sequence of str
        Band names, in order (e.g. ``engine.RASTER_NAMES``).
    """

    def __init__(self, path, shape, transform, crs, names, nodata: float = NODATA, blocksize: int = 256):
        self.path = Path(path)
        self.names = list(names)
        self.nodata = nodata
        self._ctx = atomic_path(self.path)
        tmp = self._ctx.__enter__()
        nrow, ncol = shape
        crs_wkt = crs.to_wkt() if hasattr(crs, "to_wkt") else crs
        bs = blocksize if min(nrow, ncol) >= blocksize else 16 * max(1, min(nrow, ncol) // 16)
        self._dst = rasterio.open(tmp, "w", driver="GTiff", width=ncol, height=nrow, count=len(self.names),
                                  dtype="float32", crs=crs_wkt, transform=transform, nodata=nodata, tiled=True,
                                  blockxsize=bs, blockysize=bs, compress="deflate", predictor=3, zlevel=6,
                                  BIGTIFF="IF_SAFER")
        for i, n in enumerate(self.names, start=1):
            self._dst.set_band_description(i, n)

    def write(self, tile, core: dict) -> None:
        from rasterio.windows import Window

        w = Window(tile.col0, tile.row0, tile.col1 - tile.col0, tile.row1 - tile.row0)
        for i, n in enumerate(self.names, start=1):
            a = core[n]
            self._dst.write(np.where(np.isfinite(a), a, self.nodata).astype(np.float32), i, window=w)

    def close(self, failed: bool = False) -> None:
        self._dst.close()
        if failed:
            self._ctx.__exit__(RuntimeError, RuntimeError("failed"), None)
        else:
            self._ctx.__exit__(None, None, None)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(failed=exc_type is not None)
        return False

"""Read the part of a (possibly tiled) raster that covers an area, for one work unit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import rasterio
from rasterio.errors import RasterioIOError
from rasterio.merge import merge

from geopotential.exceptions import CorruptFileError, InputError
from geopotential.io.dsm import Raster, _check

logger = logging.getLogger(__name__)


def read_raster_window(
    paths: Sequence[str | Path],
    bounds: Sequence[float],
    margin_m: float = 0.0,
    crs=None,
    like: Raster | None = None,
    band: int = 1,
) -> Raster | None:
    """Mosaic the tiles of ``paths`` over ``bounds`` grown by ``margin_m``.

    Parameters
    ----------
    paths
        GeoTIFF tiles of one raster (same CRS and resolution).
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the area [m, raster CRS].
    margin_m
        Extra margin on each side [m] (e.g. the longest shadow considered).
    crs
        CRS of ``bounds``; must equal the raster's (checked).
    like
        A raster whose grid the result must match (DEM/canopy aligned on the DSM).
    band
        Band to read.

    Returns
    -------
    Raster or None
        Values as float32 with NaN for nodata, or None when no tile overlaps the area.
    """
    paths = [Path(p) for p in paths]
    if like is not None:
        x0, y1 = like.transform.c, like.transform.f
        ny, nx = like.array.shape
        x1, y0 = x0 + nx * like.transform.a, y1 + ny * like.transform.e
        want = (x0, y0, x1, y1)
    else:
        want = (bounds[0] - margin_m, bounds[1] - margin_m, bounds[2] + margin_m, bounds[3] + margin_m)
    srcs = []
    try:
        for p in paths:
            if not p.exists():
                raise InputError("raster file not found", path=p)
            src = rasterio.open(p)
            srcs.append(src)
            rcrs = _check(src, p)
            if crs is not None and not rcrs.equals(crs):
                raise InputError(
                    f"raster CRS {rcrs.name!r} differs from the working CRS; reproject the raster "
                    "or set territory.crs to the raster's CRS", path=p,
                )
        overlapping = [
            s for s in srcs
            if not (s.bounds.right <= want[0] or s.bounds.left >= want[2] or s.bounds.top <= want[1] or s.bounds.bottom >= want[3])
        ]
        if not overlapping:
            return None
        res = like.res if like is not None else abs(overlapping[0].transform.a)
        if like is None:
            # snap the window on the raster grid so units share pixel edges
            t = overlapping[0].transform
            ox, oy = t.c, t.f
            want = (
                ox + np.floor((want[0] - ox) / res) * res,
                oy - np.ceil((oy - want[1]) / res) * res,
                ox + np.ceil((want[2] - ox) / res) * res,
                oy - np.floor((oy - want[3]) / res) * res,
            )
        mosaic, transform = merge(overlapping, bounds=want, res=res, indexes=[band], nodata=np.nan, dtype="float32")
        arr = mosaic[0].astype(np.float32)
        arr[~np.isfinite(arr)] = np.nan
        for s in overlapping:
            nd = s.nodata
            if nd is not None and np.isfinite(nd):
                arr[arr == nd] = np.nan
        return Raster(arr, transform, _check(overlapping[0], paths[0]), ";".join(str(p) for p in paths))
    except RasterioIOError as exc:
        raise CorruptFileError(f"cannot read raster ({str(exc).splitlines()[0]})", path=paths[0]) from None
    finally:
        for s in srcs:
            s.close()

"""Read DSM / DEM / canopy GeoTIFFs (one file or several tiles mosaicked on the fly).

A raster must be north-up with square pixels in a projected CRS in metres (UMEP issue
#560: rasters not in metres give absurd shadows); nodata becomes NaN.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.errors import RasterioIOError

from geopotential.exceptions import CorruptFileError, InputError, MissingCRSError

logger = logging.getLogger(__name__)


@dataclass
class Raster:
    """A single-band raster in memory.

    Attributes
    ----------
    array : float32 ndarray (nrow, ncol)
        Values [m]; nodata as NaN.
    transform : affine.Affine
    crs : pyproj.CRS
    source : str
        File name(s) read.
    """

    array: np.ndarray
    transform: Affine
    crs: CRS
    source: str

    @property
    def res(self) -> float:
        return float(self.transform.a)


def _check(src, path) -> CRS:
    if src.crs is None:
        raise MissingCRSError("raster has no CRS", path=path)
    crs = CRS.from_user_input(src.crs.to_wkt())
    unit = crs.axis_info[0].unit_name if (crs.is_projected and crs.axis_info) else "degree"
    if not crs.is_projected or unit not in ("metre", "meter", "m"):
        raise InputError(f"raster must be in a projected CRS in metres, got {crs.name!r} ({unit})", path=path)
    t = src.transform
    if t.b != 0 or t.d != 0 or t.e >= 0:
        raise InputError("raster must be north-up without rotation", path=path)
    if not np.isclose(abs(t.a), abs(t.e), rtol=1e-6):
        raise InputError(f"raster pixels must be square, got {t.a} x {-t.e} m", path=path)
    return crs


def read_raster(path: str | Path | Sequence[str | Path], band: int = 1) -> Raster:
    """Read a DSM, DEM or canopy raster; several paths are mosaicked (``rasterio.merge``).

    Parameters
    ----------
    path : path or sequence of paths
        GeoTIFF file(s) in the same CRS and resolution.
    band : int
        Band to read.

    Returns
    -------
    Raster
        Heights [m] as float32 with NaN for nodata.

    Raises
    ------
    InputError
        Missing file, CRS not in metres, rotated or non-square pixels, CRS mismatch.
    CorruptFileError
        Unreadable file.
    """
    paths = [Path(p) for p in ([path] if isinstance(path, (str, Path)) else path)]
    if not paths:
        raise InputError("no raster path given")
    for p in paths:
        if not p.exists():
            raise InputError("raster file not found", path=p)
    try:
        if len(paths) == 1:
            with rasterio.open(paths[0]) as src:
                crs = _check(src, paths[0])
                arr = src.read(band, masked=True).astype(np.float32)
                transform = src.transform
            data = arr.filled(np.nan)
        else:
            from rasterio.merge import merge

            srcs = [rasterio.open(p) for p in paths]
            try:
                crs = _check(srcs[0], paths[0])
                for s, p in zip(srcs[1:], paths[1:]):
                    c = _check(s, p)
                    if not c.equals(crs):
                        raise InputError(f"CRS {c.name!r} differs from {crs.name!r} of {paths[0]}", path=p)
                    if not np.isclose(s.transform.a, srcs[0].transform.a):
                        raise InputError("resolution differs from the other tiles", path=p)
                mosaic, transform = merge(srcs, indexes=[band], nodata=np.nan, dtype="float32")
                data = mosaic[0]
            finally:
                for s in srcs:
                    s.close()
            logger.info("mosaicked %d rasters into %s px", len(paths), data.shape)
    except RasterioIOError as exc:
        raise CorruptFileError(f"cannot read raster ({exc})", path=paths[0]) from None
    data = np.where(np.isfinite(data), data, np.nan).astype(np.float32)
    return Raster(data, transform, crs, ";".join(str(p) for p in paths))

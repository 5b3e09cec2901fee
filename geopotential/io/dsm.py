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

#: Heights below this are no Earth surface (the Dead Sea shore is about -430 m): they are
#: an undeclared nodata sentinel such as -9999 and become NaN, with a warning [m].
MIN_PLAUSIBLE_HEIGHT_M = -500.0


def _sentinels_to_nan(data: np.ndarray, source) -> np.ndarray:
    bad = data < MIN_PLAUSIBLE_HEIGHT_M
    if bad.any():
        logger.warning("%s: %d pixels below %g m (undeclared nodata such as -9999?) set to nodata",
                       source, int(bad.sum()), MIN_PLAUSIBLE_HEIGHT_M)
        data = np.where(bad, np.nan, data).astype(np.float32)
    return data


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
    data = _sentinels_to_nan(data, ";".join(str(p) for p in paths))
    return Raster(data, transform, crs, ";".join(str(p) for p in paths))


class RasterWindowReader:
    """Read windows of a DSM (one or several GeoTIFF tiles) with optional DEM and canopy.

    Implements the reader protocol of :func:`geopotential.shading.engine.roof_irradiation_tiled`
    (``shape``, ``transform``, ``crs``, ``read(rows, cols)``, ``z_range()``), so a
    territory is processed tile by tile with memory bounded by one tile. Several DSM files
    are mosaicked on the fly for each window (``rasterio.merge.merge`` with bounds). DEM
    and canopy must share the DSM's pixel grid (same resolution, aligned origin).

    Parameters
    ----------
    dsm : path or sequence of paths
    dem, canopy : path or sequence of paths, optional
    canopy_relative : bool
        Canopy heights above ground (UMEP CDSM) rather than absolute.
    """

    def __init__(self, dsm, dem=None, canopy=None, canopy_relative: bool = True):
        self._sets = {}
        self._open("dsm", dsm)
        first = self._sets["dsm"]
        self.crs = first["crs"]
        self.transform = first["transform"]
        self.shape = first["shape"]
        self.source = first["source"]
        for name, p in (("dem", dem), ("canopy", canopy)):
            if p is not None:
                self._open(name, p)
                self._check_aligned(name)
        if canopy is not None and canopy_relative and dem is None:
            raise InputError("a relative canopy (CDSM) needs the DEM", path=self._sets["canopy"]["source"])
        self.canopy_relative = canopy_relative

    def _open(self, name, path):
        paths = [Path(p) for p in ([path] if isinstance(path, (str, Path)) else path)]
        srcs = []
        for p in paths:
            if not p.exists():
                raise InputError("raster file not found", path=p)
            try:
                srcs.append(rasterio.open(p))
            except RasterioIOError as exc:
                raise CorruptFileError(f"cannot read raster ({exc})", path=p) from None
        crs = _check(srcs[0], paths[0])
        res = srcs[0].transform.a
        xmin = min(s.bounds.left for s in srcs)
        ymax = max(s.bounds.top for s in srcs)
        xmax = max(s.bounds.right for s in srcs)
        ymin = min(s.bounds.bottom for s in srcs)
        for s, p in zip(srcs[1:], paths[1:]):
            c = _check(s, p)
            if not c.equals(crs) or not np.isclose(s.transform.a, res):
                raise InputError("CRS or resolution differs from the other tiles", path=p)
        shape = (int(round((ymax - ymin) / res)), int(round((xmax - xmin) / res)))
        self._sets[name] = {"srcs": srcs, "paths": paths, "crs": crs, "res": res,
                            "transform": Affine(res, 0, xmin, 0, -res, ymax), "shape": shape,
                            "source": ";".join(str(p) for p in paths)}

    def _check_aligned(self, name):
        s, d = self._sets[name], self._sets["dsm"]
        fx = (s["transform"].c - d["transform"].c) / d["res"]
        fy = (s["transform"].f - d["transform"].f) / d["res"]
        if not (np.isclose(s["res"], d["res"]) and s["crs"].equals(d["crs"])
                and np.isclose(fx, round(fx)) and np.isclose(fy, round(fy))):
            raise InputError("not on the DSM's pixel grid (same CRS, resolution, aligned origin): resample it",
                             path=s["source"])

    def _read_set(self, name, rows: slice, cols: slice) -> np.ndarray:
        from rasterio.merge import merge
        from rasterio.windows import Window, from_bounds

        s = self._sets[name]
        t = self.transform
        left = t.c + cols.start * t.a
        top = t.f + rows.start * t.e
        right = t.c + cols.stop * t.a
        bottom = t.f + rows.stop * t.e
        nr, nc = rows.stop - rows.start, cols.stop - cols.start
        if len(s["srcs"]) == 1:
            src = s["srcs"][0]
            w = from_bounds(left, bottom, right, top, src.transform)
            w = Window(round(w.col_off), round(w.row_off), nc, nr)
            a = src.read(1, window=w, boundless=True, masked=True).astype(np.float32).filled(np.nan)
        else:
            a = merge(s["srcs"], bounds=(left, bottom, right, top), res=s["res"], nodata=np.nan,
                      dtype="float32", indexes=[1])[0][0][:nr, :nc]
        a = np.where(np.isfinite(a), a, np.nan).astype(np.float32)
        return _sentinels_to_nan(a, s["source"])

    def read(self, rows: slice, cols: slice) -> dict:
        """Window ``rows x cols`` of the DSM grid: ``dsm`` [m] and ``veg`` (absolute top or None)."""
        out = {"dsm": self._read_set("dsm", rows, cols), "veg": None}
        if "canopy" in self._sets:
            c = np.nan_to_num(self._read_set("canopy", rows, cols), nan=0.0)
            if self.canopy_relative:
                g = self._read_set("dem", rows, cols)
                out["veg"] = np.where(c > 0, g + c, -np.inf).astype(np.float32)
            else:
                out["veg"] = np.where(c > 0, c, -np.inf).astype(np.float32)
        return out

    def z_range(self, block_rows: int = 2048) -> tuple[float, float]:
        """Minimum and maximum of the DSM [m] (one windowed pass)."""
        lo, hi = np.inf, -np.inf
        nrow, ncol = self.shape
        for r in range(0, nrow, block_rows):
            a = self._read_set("dsm", slice(r, min(r + block_rows, nrow)), slice(0, ncol))
            if np.isfinite(a).any():
                lo, hi = min(lo, float(np.nanmin(a))), max(hi, float(np.nanmax(a)))
        return lo, hi

    def close(self) -> None:
        for s in self._sets.values():
            for src in s["srcs"]:
                src.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

"""Slope, aspect and surface normals of a DSM (Horn 1981 finite differences)."""

from __future__ import annotations

import numpy as np


def surface_normals(dsm: np.ndarray, res: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit surface normal (east, north, up) of each pixel.

    Parameters
    ----------
    dsm : ndarray (nrow, ncol) [m]
        North-up surface model without NaN (row index increases southwards).
    res : float [m]
        Pixel size.

    Returns
    -------
    nx, ny, nz : float32 ndarrays
    """
    z = np.pad(np.asarray(dsm, dtype=np.float64), 1, mode="edge")
    # Horn's 3x3 weights; columns increase eastwards, rows southwards.
    dzdx = ((z[:-2, 2:] + 2 * z[1:-1, 2:] + z[2:, 2:]) - (z[:-2, :-2] + 2 * z[1:-1, :-2] + z[2:, :-2])) / (8 * res)
    dzds = ((z[2:, :-2] + 2 * z[2:, 1:-1] + z[2:, 2:]) - (z[:-2, :-2] + 2 * z[:-2, 1:-1] + z[:-2, 2:])) / (8 * res)
    dzdy = -dzds  # northwards
    norm = np.sqrt(dzdx**2 + dzdy**2 + 1.0)
    return (
        (-dzdx / norm).astype(np.float32),
        (-dzdy / norm).astype(np.float32),
        (1.0 / norm).astype(np.float32),
    )


def slope_aspect(nx: np.ndarray, ny: np.ndarray, nz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slope [deg] and aspect [deg, clockwise from north, 180 = south-facing] from normals."""
    slope = np.degrees(np.arccos(np.clip(nz, -1.0, 1.0))).astype(np.float32)
    aspect = np.mod(np.degrees(np.arctan2(nx, ny)), 360.0).astype(np.float32)
    return slope, aspect


def fill_nodata(dsm: np.ndarray, max_distance_px: float, default: float) -> np.ndarray:
    """Fill NaN pixels for shading and slopes.

    NaN pixels within ``max_distance_px`` of a valid pixel take the height of the nearest
    valid pixel (a LiDAR dropout on a roof keeps the roof's height, so its neighbours keep
    their true slope); farther ones take ``default`` (e.g. the DSM minimum: no false
    occluder). Returns a float32 copy without NaN.
    """
    from scipy import ndimage

    z = np.asarray(dsm, dtype=np.float32)
    bad = ~np.isfinite(z)
    if not bad.any():
        return z.copy()
    if bad.all() or max_distance_px <= 0:
        return np.where(bad, np.float32(default), z).astype(np.float32)
    dist, (ri, ci) = ndimage.distance_transform_edt(bad, return_indices=True)
    near = z[ri, ci]
    out = np.where(bad, np.where(dist <= max_distance_px, near, np.float32(default)), z)
    return out.astype(np.float32)

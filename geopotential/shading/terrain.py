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

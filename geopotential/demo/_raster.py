"""Synthetic terrain, roofs and trees on a 1 m grid (vectorised numpy, no file I/O).

The DSM is terrain + the tallest of (roof surface, tree crown). Roofs follow each
building's footprint, height and roof shape exactly, so that roof-plane detection on the
demo can be checked against the truth table written beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from affine import Affine
from rasterio import features

from geopotential.demo import _design as D


def dem_at(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Synthetic terrain elevation [m]: the Somme valley floor (about 28 m) to the north,
    rising southwards, with gentle undulations."""
    rise = 0.012 * np.clip(6978900.0 - y, 0.0, None)
    wave = 1.5 * np.sin(x / 310.0) * np.cos(y / 420.0)
    return 28.0 + rise + wave


def grid() -> tuple[Affine, int, int]:
    """Transform, width and height of the DSM grid."""
    xmin, ymin, xmax, ymax = D.DSM_BOUNDS
    res = D.DSM_RES_M
    width = int(round((xmax - xmin) / res))
    height = int(round((ymax - ymin) / res))
    return Affine(res, 0.0, xmin, 0.0, -res, ymax), width, height


def pixel_centres(transform: Affine, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """x (1, width) and y (height, 1) of pixel centres [m], broadcastable."""
    xs = transform.c + (np.arange(width) + 0.5) * transform.a
    ys = transform.f + (np.arange(height) + 0.5) * transform.e
    return xs[None, :], ys[:, None]


def roof_heights(b: pd.DataFrame, ids: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Roof height above ground [m] at points (x, y) inside building ``ids`` (0-based).

    Gabled: ridge along the building's long axis ``u``; hipped: same pitch on all four
    sides; shed: one slope rising across ``v``; flat: constant.
    """
    ang = b.angle.to_numpy()[ids]
    c, s = np.cos(ang), np.sin(ang)
    # building centre in world coordinates
    bx = b.cx.to_numpy()[ids] + b.du.to_numpy()[ids] * c - b.dv.to_numpy()[ids] * s
    by = b.cy.to_numpy()[ids] + b.du.to_numpy()[ids] * s + b.dv.to_numpy()[ids] * c
    dx, dy = x - bx, y - by
    u = dx * c + dy * s
    v = -dx * s + dy * c
    hu = b.half_u.to_numpy()[ids]
    hv = b.half_v.to_numpy()[ids]
    t = np.tan(np.deg2rad(b.pitch_deg.to_numpy()[ids]))
    eave = b.eave_m.to_numpy()[ids]
    shape = b.roof_shape.to_numpy()[ids]
    across = np.clip(hv - np.abs(v), 0.0, None)
    along = np.clip(hu - np.abs(u), 0.0, None)
    h = eave.astype(float).copy()
    g = shape == "gabled"
    h[g] += across[g] * t[g]
    hp = shape == "hipped"
    h[hp] += np.minimum(across[hp], along[hp]) * t[hp]
    sh = shape == "shed"
    h[sh] += np.clip(v[sh] + hv[sh], 0.0, 2 * hv[sh]) * t[sh]
    return np.minimum(h, b.ridge_m.to_numpy()[ids])


def tree_canopy(tx, ty, radius, height, transform: Affine, width: int, height_px: int) -> np.ndarray:
    """Canopy height above ground [m] of ellipsoidal crowns, max over trees.

    Crowns are half-ellipsoids from half the tree height to the top; the stencil is a
    fixed square so that all trees are rasterised in one vectorised pass.
    """
    canopy = np.zeros((height_px, width), np.float32)
    if len(tx) == 0:
        return canopy
    rmax = int(np.ceil(radius.max() / transform.a)) + 1
    off = np.arange(-rmax, rmax + 1)
    col0 = np.floor((tx - transform.c) / transform.a).astype(int)
    row0 = np.floor((ty - transform.f) / transform.e).astype(int)
    cols = col0[:, None, None] + off[None, None, :]
    rows = row0[:, None, None] + off[None, :, None]
    px = transform.c + (cols + 0.5) * transform.a
    py = transform.f + (rows + 0.5) * transform.e
    d2 = ((px - tx[:, None, None]) ** 2 + (py - ty[:, None, None]) ** 2) / radius[:, None, None] ** 2
    base = 0.5 * height[:, None, None]
    z = base + (height[:, None, None] - base) * np.sqrt(np.clip(1.0 - d2, 0.0, None))
    inside = (d2 < 1.0) & (rows >= 0) & (rows < height_px) & (cols >= 0) & (cols < width)
    rows_b, cols_b = np.broadcast_arrays(rows, cols)
    np.maximum.at(canopy, (rows_b[inside], cols_b[inside]), z[inside].astype(np.float32))
    return canopy


def rasters(b: pd.DataFrame, polys: np.ndarray, trees: pd.DataFrame) -> dict[str, np.ndarray | Affine]:
    """DEM, DSM and canopy height arrays of the demo grid.

    Returns
    -------
    dict
        ``dem``, ``dsm``, ``canopy`` (float32 [m]), ``building_id_px`` (int32, building row
        + 1, 0 where no building) and ``transform``.
    """
    transform, width, height = grid()
    xs, ys = pixel_centres(transform, width, height)
    dem = dem_at(xs, ys).astype(np.float64)
    ids = features.rasterize(
        zip(polys, range(1, len(polys) + 1)), out_shape=(height, width), transform=transform, fill=0, dtype="int32"
    )
    rr, cc = np.nonzero(ids)
    bid = ids[rr, cc] - 1
    px = xs[0, cc]
    py = ys[rr, 0]
    base = dem_at(b.cx.to_numpy(), b.cy.to_numpy())  # one ground level per building
    surface = dem.copy()
    surface[rr, cc] = base[bid] + roof_heights(b, bid, px, py)
    canopy = tree_canopy(trees.x.to_numpy(), trees.y.to_numpy(), trees.radius_m.to_numpy(), trees.height_m.to_numpy(),
                         transform, width, height)
    canopy[ids > 0] = 0.0
    dsm = np.maximum(surface, dem + canopy)
    return {
        "dem": np.round(dem, 2).astype(np.float32),
        "dsm": np.round(dsm, 2).astype(np.float32),
        "canopy": np.round(canopy, 2).astype(np.float32),
        "building_id_px": ids,
        "transform": transform,
    }

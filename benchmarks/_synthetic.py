"""Synthetic city for the shading and zonal benchmarks (perf-anchors.md, "Synthetic data").

One building per 22 m x 22 m cell of a jittered grid around (648000, 6977000) EPSG:2154;
70 % rotated rectangles, 30 % L-shapes, 8-16 m x 6-11 m, rotated +-20 deg, edges carrying
extra near-collinear vertices (1.5 cm jitter); eaves 3-20 m, half the roofs gabled
(25-45 deg); ground with a slope, an undulation, 5 cm noise and tree blobs; 1 m pixels.
"""

from __future__ import annotations

import numpy as np
import shapely
from affine import Affine

X0, Y0 = 648000.0, 6977000.0


def _densify(poly, rng):
    ring = np.asarray(poly.exterior.coords)[:-1]
    pts = []
    for a, b in zip(ring, np.roll(ring, -1, axis=0)):
        pts.append(a)
        for f in np.sort(rng.uniform(0.15, 0.85, rng.integers(0, 3))):
            pts.append(a + f * (b - a) + rng.normal(0, 0.015, 2))
    return shapely.Polygon(pts)


def footprints(n_side: int, seed: int = 0, cell: float = 22.0):
    """``n_side**2`` footprints; returns (polygons, their rotation [deg], raster extent [m])."""
    rng = np.random.default_rng(seed)
    polys, rots = [], []
    for i in range(n_side):
        for j in range(n_side):
            cx = X0 + (j + 0.5) * cell + rng.uniform(-2, 2)
            cy = Y0 - (i + 0.5) * cell + rng.uniform(-2, 2)
            w, h = rng.uniform(8, 16), rng.uniform(6, 11)
            p = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
            if rng.random() < 0.3:
                p = p.difference(shapely.box(0, 0, w, h))
            rot = rng.uniform(-20, 20)
            p = shapely.affinity.translate(shapely.affinity.rotate(p, rot, origin=(0, 0)), cx, cy)
            polys.append(_densify(p, rng))
            rots.append(rot)
    return np.array(polys, dtype=object), np.array(rots), n_side * cell


def city(n_px: int, seed: int = 0):
    """A DSM of ``n_px x n_px`` 1 m pixels, its transform, footprints and a roof mask."""
    rng = np.random.default_rng(seed)
    n_side = int(np.ceil(n_px / 22.0))
    polys, rots, _ = footprints(n_side, seed)
    T = Affine(1.0, 0.0, X0, 0.0, -1.0, Y0)
    yy, xx = np.mgrid[0:n_px, 0:n_px].astype(np.float32)
    ground = 40 + 0.01 * xx + 2.0 * np.sin(yy / 150.0) + rng.normal(0, 0.05, (n_px, n_px)).astype(np.float32)
    dsm = ground.copy()
    from geopotential.shading.zonal import rasterize_ids

    ids = rasterize_ids(polys, T, (n_px, n_px))
    eave = rng.uniform(3, 20, len(polys))
    pitch = np.where(rng.random(len(polys)) < 0.5, rng.uniform(25, 45, len(polys)), 0.0)
    rr, cc = np.nonzero(ids)
    k = ids[rr, cc] - 1
    cen = shapely.centroid(polys)
    cx = (shapely.get_x(cen) - X0)[k]
    cy = (Y0 - shapely.get_y(cen))[k]
    rot = np.radians(rots[k])
    # distance across the ridge (ridge along the building's long axis)
    across = -(cc + 0.5 - cx) * np.sin(rot) + (rr + 0.5 - cy) * np.cos(rot)
    half = 4.0
    roof = eave[k] + np.tan(np.radians(pitch[k])) * np.maximum(half - np.abs(across), 0)
    dsm[rr, cc] = ground[rr, cc] + roof
    # trees: blobs of 3-8 m radius, 6-15 m high, between buildings
    for _ in range(max(1, n_px * n_px // 4000)):
        r, c = rng.integers(0, n_px, 2)
        rad = rng.uniform(3, 8)
        r0, r1, c0, c1 = max(0, r - 8), min(n_px, r + 9), max(0, c - 8), min(n_px, c + 9)
        y, x = np.mgrid[r0:r1, c0:c1]
        d = np.hypot(y - r, x - c)
        top = ground[r0:r1, c0:c1] + rng.uniform(6, 15) * np.sqrt(np.clip(1 - (d / rad) ** 2, 0, 1))
        sub = dsm[r0:r1, c0:c1]
        free = ids[r0:r1, c0:c1] == 0
        sub[free] = np.maximum(sub[free], top[free])
    return dsm.astype(np.float32), T, polys, ids > 0

"""A Python mirror of the map runtime's decoder (geopotential_map.js), for tests."""

from __future__ import annotations

import numpy as np


def decode_polygons(geom: dict) -> list[list[list[np.ndarray]]]:
    """Per feature: list of polygons, each a list of rings of (lon, lat) arrays (not closed)."""
    coords = np.asarray(geom["coords"], dtype=np.int64).reshape(-1, 2)
    scale, origin = geom["scale"], np.asarray(geom["origin"], dtype=np.int64)
    ring_off = np.concatenate([[0], np.cumsum(geom["rings"])])
    poly_off = np.concatenate([[0], np.cumsum(geom["polys"])])
    feat_off = np.concatenate([[0], np.cumsum(geom["feats"])])
    out = []
    for f in range(len(geom["feats"])):
        polys = []
        for p in range(feat_off[f], feat_off[f + 1]):
            rings = []
            for r in range(poly_off[p], poly_off[p + 1]):
                d = coords[ring_off[r]:ring_off[r + 1]]
                rings.append((origin + np.cumsum(d, axis=0)) / scale)
            polys.append(rings)
        out.append(polys)
    return out


def column(cols: dict, name: str) -> list:
    c = cols[name]
    if isinstance(c, list):
        return c
    return [None if k < 0 else c["d"][k] for k in c["c"]]

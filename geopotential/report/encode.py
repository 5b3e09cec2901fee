"""Compact, columnar encoding of a layer for the HTML map (no per-feature Python loop).

A layer becomes one JSON object that the map's JavaScript (``assets/geopotential_map.js``)
decodes lazily:

* geometry simplified in the working CRS, reprojected to EPSG:4326, quantised to
  ``10**-digits`` degree, each ring stored as its first vertex (relative to the layer
  origin) then integer deltas, closing vertex dropped; flat arrays of ring lengths,
  rings per polygon and polygons per feature give the structure;
* properties stored per column (not per feature), rounded to the digits shown, text
  columns with few distinct values dictionary-encoded;
* large layers carry a grid bucket per feature so that only the buckets in view are drawn.

This cut the 60,000-building map to a fraction of folium's GeoJSON (see
``benchmarks/bench_map.py``).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geopotential.report import labels as L

logger = logging.getLogger(__name__)


def _clean_geoms(gdf: gpd.GeoDataFrame, polygonal: bool = False) -> gpd.GeoDataFrame:
    geom = gdf.geometry
    ok = geom.notna().to_numpy() & ~shapely.is_empty(geom.to_numpy())
    if polygonal:
        ok &= np.isin(shapely.get_type_id(geom.to_numpy()), (3, 6))
    if (~ok).any():
        logger.info("map: %d features without geometry left out", int((~ok).sum()))
    return gdf.loc[ok]


def prepare(gdf: gpd.GeoDataFrame, max_features: int, simplify_m: float) -> tuple[gpd.GeoDataFrame, int]:
    """Drop empty geometries, cap the count, simplify in the working CRS, go to EPSG:4326.

    Returns
    -------
    (GeoDataFrame in EPSG:4326, number of features left out by the cap)
    """
    gdf = _clean_geoms(gdf)
    left_out = max(0, len(gdf) - int(max_features))
    if left_out:
        logger.warning("map: %d features beyond max_features_per_layer=%d left out", left_out, max_features)
        gdf = gdf.iloc[: int(max_features)]
    if gdf.crs is not None and gdf.crs.is_projected and simplify_m > 0:
        kinds = shapely.get_type_id(gdf.geometry.to_numpy())
        if np.isin(kinds, (3, 6)).any():
            gdf = gdf.copy()
            gdf.geometry.values[:] = shapely.simplify(gdf.geometry.to_numpy(), simplify_m, preserve_topology=True)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    return gdf, left_out


def encode_polygons(geoms: np.ndarray, digits: int) -> dict:
    """Quantised, delta-encoded (Multi)Polygon geometry of ``geoms`` (EPSG:4326)."""
    scale = 10.0**digits
    if len(geoms) == 0:
        return {"scale": scale, "origin": [0, 0], "coords": [], "rings": [], "polys": [], "feats": []}
    # every feature is polygonal here (see _clean_geoms), so ``idx`` covers 0..n-1
    parts, idx = shapely.get_parts(geoms, return_index=True)
    multi = shapely.multipolygons(parts, indices=idx)
    _, coords, (ring_off, poly_off, geom_off) = shapely.to_ragged_array(multi)
    q = np.round(coords * scale).astype(np.int64)
    origin = q.min(axis=0) if len(q) else np.zeros(2, np.int64)
    ring_len = np.diff(ring_off)
    last = ring_off[1:] - 1
    keep = np.ones(len(q), bool)
    keep[last[ring_len > 0]] = False
    qq = q[keep]
    new_len = ring_len - 1
    starts = np.concatenate([[0], np.cumsum(new_len)[:-1]]).astype(np.int64)
    d = np.empty_like(qq)
    if len(qq):
        d[1:] = qq[1:] - qq[:-1]
        d[starts[new_len > 0]] = qq[starts[new_len > 0]] - origin
    return {
        "scale": scale,
        "origin": [int(origin[0]), int(origin[1])],
        "coords": d.ravel().tolist(),
        "rings": new_len.tolist(),
        "polys": np.diff(poly_off).tolist(),
        "feats": np.diff(geom_off).tolist(),
    }


def encode_points(geoms: np.ndarray, digits: int) -> dict:
    """Quantised point coordinates (representative point of any geometry)."""
    pts = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(pts)
    scale = 10.0**digits
    q = np.round(xy * scale).astype(np.int64)
    origin = q.min(axis=0) if len(q) else np.zeros(2, np.int64)
    return {"scale": scale, "origin": [int(origin[0]), int(origin[1])], "coords": (q - origin).ravel().tolist()}


def encode_column(s: pd.Series, col: str):
    """One property column: rounded numbers with ``null`` or (dictionary-encoded) text."""
    c = L.COLUMNS.get(col)
    numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    if numeric and (c is None or c.kind != "text"):
        v = pd.to_numeric(s, errors="coerce").to_numpy(float)
        nd = c.digits + (2 if c.kind == "pct" else 0) if c is not None else 3
        v = np.round(v, nd)
        out = v.astype(object)
        out[~np.isfinite(v)] = None
        if nd == 0:
            fin = np.isfinite(v)
            out[fin] = v[fin].astype(np.int64)
        return out.tolist()
    if numeric:  # a numeric code shown as text (pv_class)
        v = pd.to_numeric(s, errors="coerce")
        txt = v.map(lambda x: None if pd.isna(x) else (str(int(x)) if float(x).is_integer() else str(x)))
    else:
        txt = s.astype(object).where(s.notna(), None)
        txt = txt.map(lambda x: x if x is None or isinstance(x, str) else str(x))
    codes, uniques = pd.factorize(txt, use_na_sentinel=True)
    if len(uniques) <= max(64, len(s) // 4):
        return {"d": [str(u) for u in uniques], "c": codes.tolist()}
    return txt.tolist()


def bucket_index(gdf_work: gpd.GeoDataFrame, gdf_4326: gpd.GeoDataFrame, size_m: float) -> tuple[list, list]:
    """Grid bucket of each feature (from its bounds centre in the working CRS).

    Returns
    -------
    codes : list of int
        Bucket number per feature.
    bounds : list of float
        ``[south, west, north, east]`` per bucket, flattened, from the features' extents.
    """
    b = gdf_work.geometry.bounds.to_numpy()
    cx = (b[:, 0] + b[:, 2]) / 2
    cy = (b[:, 1] + b[:, 3]) / 2
    ix = np.floor((cx - np.nanmin(cx)) / size_m).astype(np.int64)
    iy = np.floor((cy - np.nanmin(cy)) / size_m).astype(np.int64)
    key = iy * (ix.max() + 1) + ix
    _, codes = np.unique(key, return_inverse=True)
    g = gdf_4326.geometry.bounds
    g["k"] = codes
    agg = g.groupby("k").agg(s=("miny", "min"), w=("minx", "min"), n=("maxy", "max"), e=("maxx", "max"))
    return codes.tolist(), np.round(agg[["s", "w", "n", "e"]].to_numpy(), 6).ravel().tolist()


def encode_layer(
    gdf: gpd.GeoDataFrame,
    *,
    columns: list[str],
    digits: int,
    max_features: int,
    simplify_m: float,
    kind: str,
    lazy_min_features: int,
    bucket_size_m: float,
) -> dict:
    """Encode ``gdf`` for the map.

    Parameters
    ----------
    gdf
        Layer in the working (metric) CRS.
    columns
        Columns kept (missing ones are skipped).
    digits
        Coordinate precision [decimal digits of degree].
    max_features
        Cap on the features embedded.
    simplify_m
        Simplification tolerance [m].
    kind
        ``"polygon"`` or ``"point"``.
    lazy_min_features
        Above this count, features get a grid bucket for drawing by viewport.
    bucket_size_m
        Bucket side [m].

    Returns
    -------
    dict
        ``{"n", "kind", "geom", "cols", "leftOut", "bucket"?, "bucketBounds"?}``.
    """
    clean = _clean_geoms(gdf, polygonal=(kind == "polygon"))
    work = clean.iloc[: int(max_features)].reset_index(drop=True)
    left_out = len(clean) - len(work)
    if left_out:
        logger.warning("map: %d features beyond max_features_per_layer=%d left out", left_out, max_features)
    g4326, _ = prepare(work, max_features, simplify_m if kind == "polygon" else 0.0)
    if kind == "polygon":  # simplification never empties a polygon with preserve_topology
        g4326 = _clean_geoms(g4326, polygonal=True)
        work = work.loc[g4326.index]
    geoms = g4326.geometry.to_numpy()
    geom = encode_polygons(geoms, digits) if kind == "polygon" else encode_points(geoms, digits)
    cols = {c: encode_column(g4326[c], c) for c in columns if c in g4326.columns}
    out = {"n": int(len(g4326)), "kind": kind, "geom": geom, "cols": cols, "leftOut": int(left_out)}
    if len(g4326) >= lazy_min_features:
        codes, bounds = bucket_index(work, g4326, bucket_size_m)
        out["bucket"] = codes
        out["bucketBounds"] = bounds
    return out

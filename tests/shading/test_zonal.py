"""Zonal statistics equal rasterstats.zonal_stats on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from affine import Affine
from rasterio.features import rasterize
from rasterstats import zonal_stats as rs_zonal_stats

from geopotential.shading.zonal import rasterize_ids, reduce_zones, zonal_stats

STATS = ["count", "min", "max", "mean", "sum", "percentile_50", "percentile_90"]
T = Affine(0.5, 0.0, 648000.0, 0.0, -0.5, 6977000.0)
SHAPE = (400, 420)


def _polygons(seed, n=250, gap=0.0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        cx = 648000 + rng.uniform(5, 205)
        cy = 6977000 - rng.uniform(5, 195)
        w, h = rng.uniform(1.5, 14, 2)
        p = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        p = shapely.affinity.rotate(p, rng.uniform(0, 180))
        if rng.random() < 0.3:  # L-shapes and holes
            p = p.difference(shapely.box(cx, cy, cx + w, cy + h))
        if rng.random() < 0.1 and w > 6 and h > 6:
            p = p.difference(shapely.Point(cx, cy).buffer(1.2))
        if not any(p.buffer(gap).intersects(q) for q in out):
            out.append(p)
    return out


@pytest.fixture(scope="module")
def raster():
    rng = np.random.default_rng(1)
    v = rng.normal(900.0, 120.0, SHAPE)
    v[rng.random(SHAPE) < 0.05] = -9999.0
    return v


def _compare(ours, ref, stats):
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        assert a["count"] == b["count"]
        for k in stats:
            if k == "count":
                continue
            if b[k] is None:
                assert a[k] is None
            else:
                assert a[k] == pytest.approx(b[k], rel=1e-6, abs=1e-6)


def test_centre_rule_ids_are_pixel_identical_to_rasterio():
    polys = _polygons(0)
    ours = rasterize_ids(polys, T, SHAPE)
    ref = rasterize(((g, i + 1) for i, g in enumerate(polys)), out_shape=SHAPE, transform=T, dtype="int32")
    assert len(polys) > 100
    np.testing.assert_array_equal(ours, ref)


def test_zonal_stats_equal_rasterstats_centre_rule(raster):
    polys = _polygons(2)
    ours = zonal_stats(polys, raster, affine=T, stats=STATS, nodata=-9999.0)
    ref = rs_zonal_stats(polys, raster, affine=T, stats=STATS, nodata=-9999.0)
    _compare(ours, ref, STATS)
    assert sum(r["count"] for r in ref) > 5000


def test_zonal_stats_equal_rasterstats_all_touched(raster):
    polys = _polygons(3, gap=1.5)  # no pixel touched by two polygons
    ours = zonal_stats(polys, raster, affine=T, stats=STATS, nodata=-9999.0, all_touched=True)
    ref = rs_zonal_stats(polys, raster, affine=T, stats=STATS, nodata=-9999.0, all_touched=True)
    _compare(ours, ref, STATS)


def test_negative_edge_buffer_equals_rasterstats_on_buffered_polygons(raster):
    polys = _polygons(4)
    ours = zonal_stats(polys, raster, affine=T, stats=STATS, nodata=-9999.0, edge_buffer_m=1.0)
    shrunk = [p.buffer(-1.0) for p in polys]
    kept = [i for i, g in enumerate(shrunk) if not g.is_empty]  # rasterstats fails on empty ones
    assert 0 < len(kept) < len(polys)
    ref = rs_zonal_stats([shrunk[i] for i in kept], raster, affine=T, stats=STATS, nodata=-9999.0)
    _compare([ours[i] for i in kept], ref, STATS)
    # buffering removes pixels and small polygons vanish (count 0, other stats None)
    plain = zonal_stats(polys, raster, affine=T, stats=["count"], nodata=-9999.0)
    assert all(a["count"] <= b["count"] for a, b in zip(ours, plain))
    assert any(a["count"] == 0 for a in ours)


def test_reduce_zones_sums_are_conserved():
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 50, (100, 100)).astype(np.int32)
    vals = rng.random((100, 100))
    df = reduce_zones(ids, vals, 49, stats=("count", "sum"))
    assert df["sum"].sum() == pytest.approx(vals[ids > 0].sum(), rel=1e-12)
    assert df["count"].sum() == (ids > 0).sum()


def test_multipolygons_and_empty_geometries(raster):
    polys = _polygons(6)
    # second parts lie off the raster
    multi = [shapely.MultiPolygon([p, shapely.affinity.translate(p, 0, -500)]) for p in polys[:5]]
    geoms = multi + polys[5:] + [shapely.Polygon()]
    ids = rasterize_ids(geoms, T, SHAPE)
    ref = rasterize(((g, i + 1) for i, g in enumerate(geoms) if not g.is_empty), out_shape=SHAPE, transform=T,
                    dtype="int32")
    np.testing.assert_array_equal(ids, ref)
    ours = zonal_stats(geoms, raster, affine=T, stats=STATS, nodata=-9999.0)
    assert ours[-1]["count"] == 0 and ours[-1]["mean"] is None
    _compare(ours[:-1], rs_zonal_stats(geoms[:-1], raster, affine=T, stats=STATS, nodata=-9999.0), STATS)

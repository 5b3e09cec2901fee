"""Compact layer encoding: geometry round-trips within the stated precision, columns keep
their values, the cap and buckets are honoured."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geopotential.report.encode import encode_column, encode_layer
from tests._shared import shared_path
from tests.report._report_decode import column, decode_polygons


def _rebuild(dec) -> list:
    out = []
    for polys in dec:
        ps = [shapely.Polygon(rings[0], rings[1:]) for rings in polys]
        out.append(ps[0] if len(ps) == 1 else shapely.MultiPolygon(ps))
    return out


def test_polygon_round_trip_without_simplification(plain):
    b = plain[0]["buildings_pv"]
    enc = encode_layer(b, columns=["building_id"], digits=6, max_features=10**6, simplify_m=0.0, kind="polygon",
                       lazy_min_features=10**6, bucket_size_m=400)
    geoms = _rebuild(decode_polygons(enc["geom"]))
    ref = b.to_crs("EPSG:4326").geometry.to_numpy()
    assert len(geoms) == len(ref) == enc["n"]
    d = shapely.hausdorff_distance(np.array(geoms), ref)
    assert d.max() <= 0.75e-6  # rounding to 1e-6 degree: at most half a unit per axis
    assert column(enc["cols"], "building_id") == b["building_id"].tolist()


def test_multipolygon_and_hole_survive():
    outer = shapely.box(648000, 6977000, 648100, 6977100)
    holed = outer.difference(shapely.box(648040, 6977040, 648060, 6977060))
    multi = shapely.MultiPolygon([shapely.box(648200, 6977000, 648210, 6977010), shapely.box(648300, 6977000, 648310, 6977010)])
    g = gpd.GeoDataFrame({"site_id": ["a", "b"]}, geometry=[holed, multi], crs="EPSG:2154")
    enc = encode_layer(g, columns=["site_id"], digits=7, max_features=10, simplify_m=0.0, kind="polygon",
                       lazy_min_features=100, bucket_size_m=400)
    dec = decode_polygons(enc["geom"])
    assert len(dec[0]) == 1 and len(dec[0][0]) == 2  # one polygon with a hole
    assert len(dec[1]) == 2  # two parts
    area = shapely.area(np.array(_rebuild(dec)))
    ref = shapely.area(g.to_crs("EPSG:4326").geometry.to_numpy())
    np.testing.assert_allclose(area, ref, rtol=5e-3)  # 1e-7 degree ~ 1 cm on 10 m squares


def test_cap_counts_left_out_and_buckets_cover_all(plain):
    b = plain[0]["buildings_pv"]
    enc = encode_layer(b, columns=["pv_class"], digits=6, max_features=100, simplify_m=0.2, kind="polygon",
                       lazy_min_features=10, bucket_size_m=100)
    assert enc["n"] == 100 and enc["leftOut"] == len(b) - 100
    assert len(enc["bucket"]) == 100
    nb = len(enc["bucketBounds"]) // 4
    assert set(enc["bucket"]) == set(range(nb)) and nb > 1
    # every feature lies inside the bounds of its bucket
    dec = decode_polygons(enc["geom"])
    bb = np.asarray(enc["bucketBounds"]).reshape(-1, 4)
    for i, polys in enumerate(dec):
        s, w, n, e = bb[enc["bucket"][i]]
        ring = polys[0][0]
        assert (ring[:, 0] >= w - 1e-6).all() and (ring[:, 0] <= e + 1e-6).all()
        assert (ring[:, 1] >= s - 1e-6).all() and (ring[:, 1] <= n + 1e-6).all()


def test_columns_rounded_nulls_and_dictionary():
    import pandas as pd

    s = pd.Series([1234.5678, np.nan, 3.0])
    assert encode_column(s, "pv_energy_kwh_yr") == [1235, None, 3]
    assert encode_column(s, "pv_capacity_kwp") == [1234.6, None, 3.0]
    t = pd.Series(["a", None, "a", "b"])
    enc = encode_column(t, "resource")
    assert enc["d"] == ["a", "b"] and enc["c"] == [0, -1, 0, 1]
    assert encode_column(pd.Series([1, 2]), "pv_class") == {"d": ["1", "2"], "c": [0, 1]}


def test_empty_and_non_polygon_geometries_dropped():
    g = gpd.GeoDataFrame({"site_id": ["a", "b", "c"]},
                         geometry=[shapely.box(0, 0, 1, 1), None, shapely.Point(0, 0)], crs="EPSG:2154")
    enc = encode_layer(g, columns=["site_id"], digits=6, max_features=10, simplify_m=0.0, kind="polygon",
                       lazy_min_features=100, bucket_size_m=400)
    assert enc["n"] == 1 and column(enc["cols"], "site_id") == ["a"]


def test_real_somme_communes_simplified_within_tolerance():
    path = shared_path("france-geojson-somme", "communes-80-somme.geojson")
    com = gpd.read_file(path).to_crs("EPSG:2154")
    assert len(com) == 779
    enc = encode_layer(com, columns=["code", "nom"], digits=6, max_features=10**6, simplify_m=5.0, kind="polygon",
                       lazy_min_features=10**6, bucket_size_m=400)
    assert enc["n"] == 779
    geoms = gpd.GeoSeries(_rebuild(decode_polygons(enc["geom"])), crs="EPSG:4326").to_crs("EPSG:2154")
    d = shapely.hausdorff_distance(geoms.to_numpy(), com.geometry.to_numpy())
    assert np.nanmax(d) < 5.0 + 0.2  # tolerance + rounding (1e-6 degree ~ 0.1 m)
    names = column(enc["cols"], "nom")
    assert "Amiens" in names and names == com["nom"].tolist()
    with pytest.raises(AssertionError):  # the check can fail: a 1 m tolerance would not hold 5 m
        assert np.nanmax(d) < 1.0

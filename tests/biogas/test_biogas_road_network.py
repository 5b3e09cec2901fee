"""Road-network distances for digester siting: graph, Manhattan grid, river gap, bad inputs, size."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geopotential.biogas import BiogasParameters, site_digesters
from geopotential.biogas.coefficients import ch4_for_capacity_nm3_yr
from geopotential.biogas.network import NetworkReach, network_distances, road_graph
from geopotential.exceptions import ConfigError, InputError
from geopotential.io.roads import read_roads

X0, Y0 = 650_000.0, 6_950_000.0


def _grid_lines(x_from, x_to, y_from, y_to, step):
    """Full-length horizontal and vertical lines (crossings are vertices of both lines)."""
    xs = np.arange(x_from, x_to + step / 2, step)
    ys = np.arange(y_from, y_to + step / 2, step)
    horiz = [shapely.LineString(np.column_stack([xs, np.full(xs.size, y)])) for y in ys]
    vert = [shapely.LineString(np.column_stack([np.full(ys.size, x), ys])) for x in xs]
    return horiz + vert


def _roads(lines, crs=2154):
    return gpd.GeoDataFrame({"nature": ["Route à 1 chaussée"] * len(lines)}, geometry=lines, crs=crs)


def _need(p, nm3_h):
    return float(ch4_for_capacity_nm3_yr(nm3_h, p))


# --- graph and distances --------------------------------------------------------------------


def test_grid_graph_nodes_edges_and_manhattan_distance():
    lines = _grid_lines(X0, X0 + 10_000, Y0, Y0 + 10_000, 1000)
    g = road_graph(_roads(lines), snap_tolerance_m=1.0)
    assert g.n_nodes == 11 * 11  # crossings merged across lines
    assert g.graph.nnz == 2 * 11 * 10
    np.testing.assert_allclose(g.graph.data, 1000.0)
    rng = np.random.default_rng(1)
    src = np.column_stack([X0 + 1000 * rng.integers(0, 11, 7), Y0 + 1000 * rng.integers(0, 11, 7)]).astype(float)
    tgt = np.column_stack([X0 + 1000 * rng.integers(0, 11, 40), Y0 + 1000 * rng.integers(0, 11, 40)]).astype(float)
    manhattan = np.abs(src[:, None, 0] - tgt[None, :, 0]) + np.abs(src[:, None, 1] - tgt[None, :, 1])
    D = network_distances(g, src, tgt, radius_m=1e9)
    np.testing.assert_allclose(D, manhattan)
    # bounded: beyond the radius is inf, within it exact
    D5 = network_distances(g, src, tgt, radius_m=5000)
    assert np.isinf(D5[manhattan > 5000]).all()
    np.testing.assert_allclose(D5[manhattan <= 5000], manhattan[manhattan <= 5000])
    # densified graph gives the same distances
    gd = road_graph(_roads(lines), snap_tolerance_m=1.0, max_segment_m=200)
    assert gd.n_nodes > g.n_nodes
    np.testing.assert_allclose(network_distances(gd, src, tgt, 1e9), manhattan, rtol=1e-9)


def test_access_legs_and_coverage():
    lines = _grid_lines(X0, X0 + 4000, Y0, Y0 + 4000, 1000)
    g = road_graph(_roads(lines))
    # a site 300 m north of node (1000, 1000), a target 400 m east of node (3000, 2000)
    site = np.array([[X0 + 1000, Y0 + 1300]])
    tgt = np.array([[X0 + 3000 + 400, Y0 + 2000], [X0 + 1000, Y0 + 1000]])
    D = network_distances(g, site, tgt, 1e9)
    np.testing.assert_allclose(D, [[300 + 3000 + 400, 300]])
    nr = NetworkReach(g, site, tgt, radius_m=3700)
    tot, cone = nr.coverage(np.array([2.0, 5.0]), cone_radius_m=10_000)
    np.testing.assert_allclose(tot, [7.0])  # 3700 <= radius: both
    np.testing.assert_allclose(cone, [2 * (1 - 3700 / 1e4) + 5 * (1 - 300 / 1e4)])
    nr = NetworkReach(g, site, tgt, radius_m=3699)
    np.testing.assert_allclose(nr.coverage(np.array([2.0, 5.0]))[0], [5.0])


def test_removed_matches_recomputed_coverage():
    rng = np.random.default_rng(5)
    g = road_graph(_roads(_grid_lines(X0, X0 + 20_000, Y0, Y0 + 20_000, 1000)), max_segment_m=500)
    src = np.column_stack([X0 + rng.uniform(0, 20_000, 60), Y0 + rng.uniform(0, 20_000, 60)])
    tgt = np.column_stack([X0 + rng.uniform(0, 20_000, 3000), Y0 + rng.uniform(0, 20_000, 3000)])
    w = rng.uniform(0, 2, 3000)
    nr = NetworkReach(g, src, tgt, radius_m=6000)
    tot, cone = nr.coverage(w, 7000)
    D = network_distances(g, src, tgt, 6000)
    np.testing.assert_allclose(tot, np.where(np.isfinite(D), w, 0).sum(axis=1), rtol=1e-9)
    np.testing.assert_allclose(cone, np.where(np.isfinite(D), w * (1 - D / 7000), 0).sum(axis=1), rtol=1e-6)
    taken = rng.choice(3000, 700, replace=False)
    dt, dc = nr.removed(taken, w[taken], 7000)
    w2 = w.copy()
    w2[taken] = 0
    tot2, cone2 = nr.coverage(w2, 7000)
    np.testing.assert_allclose(tot - dt, tot2, atol=1e-9)
    np.testing.assert_allclose(cone - dc, cone2, atol=1e-9)
    # road distance is never shorter than the straight line
    e = np.hypot(src[:, None, 0] - tgt[None, :, 0], src[:, None, 1] - tgt[None, :, 1])
    assert (D[np.isfinite(D)] >= e[np.isfinite(D)] - 1e-6).all()


def test_parallel_edges_keep_shortest_and_multilines():
    a = shapely.LineString([(X0, Y0), (X0 + 1000, Y0)])
    detour = shapely.LineString([(X0, Y0), (X0 + 500, Y0 + 2000), (X0 + 1000, Y0)])
    multi = shapely.MultiLineString([[(X0 + 1000, Y0), (X0 + 2000, Y0)], [(X0 + 5000, Y0), (X0 + 6000, Y0)]])
    g = road_graph(gpd.GeoSeries([detour, a, multi], crs=2154))
    D = network_distances(g, np.array([[X0, Y0]]), np.array([[X0 + 2000, Y0], [X0 + 6000, Y0]]), 1e9)
    np.testing.assert_allclose(D[0, 0], 2000.0)
    assert np.isinf(D[0, 1])  # the parts of a MultiLineString are not joined


# --- siting with road distances -------------------------------------------------------------


def _cluster(cx, cy, n, total, spread, rng):
    ang = rng.uniform(0, 2 * np.pi, n)
    rad = spread * np.sqrt(rng.uniform(0, 1, n))
    return cx + rad * np.cos(ang), cy + rad * np.sin(ang), np.full(n, total / n)


@pytest.fixture
def river():
    """Two supply clusters 8 km apart across a river with its only bridge 30 km north."""
    p = BiogasParameters()
    rng = np.random.default_rng(3)
    xa, ya, ca = _cluster(X0, Y0, 200, _need(p, 140), 1500, rng)
    xb, yb, cb = _cluster(X0 + 8000, Y0, 200, _need(p, 140), 1500, rng)
    sup = gpd.GeoDataFrame({"ch4_nm3_yr": np.r_[ca, cb], "side": ["west"] * 200 + ["east"] * 200},
                           geometry=gpd.points_from_xy(np.r_[xa, xb], np.r_[ya, yb]), crs=2154)
    west = _grid_lines(X0 - 12_000, X0 + 3500, Y0 - 10_000, Y0 + 30_000, 500)
    east = _grid_lines(X0 + 4500, X0 + 20_000, Y0 - 10_000, Y0 + 30_000, 500)
    bridge = [shapely.LineString([(X0 + 3500, Y0 + 30_000), (X0 + 4500, Y0 + 30_000)])]
    return p, sup, _roads(west + east + bridge)


def test_river_gap_pools_euclidean_but_not_road(river):
    p, sup, roads = river
    R = p.siting_radius_km * 1000
    sites_e, _, asg_e = site_digesters(sup, None, p)
    assert len(sites_e) == 1 and asg_e.notna().all()  # one plant collects both banks
    pr = p.model_copy(update={"distance": "road"})
    sites, catch, asg = site_digesters(sup, None, pr, roads=roads)
    assert len(sites) == 2 and asg.notna().all()
    for sid in sites["site_id"]:
        assert sup.loc[(asg == sid).fillna(False).to_numpy(bool), "side"].nunique() == 1  # never pooled across the river
    np.testing.assert_allclose(sites["supply_ch4_nm3_yr"].sum(), sup["ch4_nm3_yr"].sum())
    np.testing.assert_allclose(sorted(sites["capacity_nm3_h"]), [140, 140], rtol=1e-6)
    # every assigned point is within the radius by road
    g = road_graph(roads, pr.road_snap_tolerance_m, pr.road_max_segment_m)
    sxy = shapely.get_coordinates(sites.geometry.to_numpy())
    D = network_distances(g, sxy, shapely.get_coordinates(sup.geometry.to_numpy()), R)
    k = sites["site_id"].reset_index(drop=True)
    for j, sid in enumerate(k):
        assert np.isfinite(D[j, (asg == sid).fillna(False).to_numpy(bool)]).all()
    # and a road plant's other-bank points are within the Euclidean radius, yet not assigned to it
    euclid = np.hypot(*(sxy[0][:, None] - shapely.get_coordinates(sup.geometry.to_numpy()).T))
    other = (asg != k[0]).to_numpy()
    assert (euclid[other] <= R).any() and np.isinf(D[0, other]).all()
    assert set(catch["site_id"]) == set(sites["site_id"])


def test_existing_plant_takes_by_road_only(river):
    p, sup, roads = river
    pr = p.model_copy(update={"distance": "road"})
    # existing plant on the west bank, big enough to take both clusters
    ex = gpd.GeoDataFrame({"site_id": ["A"], "capacity_nm3_h": [400.0]},
                          geometry=gpd.points_from_xy([X0 + 3000], [Y0]), crs=2154)
    _, _, asg_e = site_digesters(sup, ex, p)
    assert (asg_e == "existing_A").all()
    sites, _, asg = site_digesters(sup, ex, pr, roads=roads)
    west = (sup["side"] == "west").to_numpy()
    assert (asg[west] == "existing_A").all()
    assert not (asg[~west] == "existing_A").any()
    assert asg[~west].notna().all() and (sites["status"] == "proposed").sum() == 1


def test_roads_ignored_with_euclidean(river):
    p, sup, roads = river
    a = site_digesters(sup, None, p)
    b = site_digesters(sup, None, p, roads=roads)
    assert a[2].equals(b[2])
    np.testing.assert_allclose(a[0]["supply_ch4_nm3_yr"], b[0]["supply_ch4_nm3_yr"])


# --- bad inputs -------------------------------------------------------------------------------


def test_road_distance_without_roads_is_a_config_error(river):
    p, sup, _ = river
    with pytest.raises(ConfigError, match="inputs.roads") as e:
        site_digesters(sup, None, p.model_copy(update={"distance": "road"}))
    assert e.value.key == "biogas.distance"


def test_road_layer_without_lines_is_an_input_error(river):
    p, sup, _ = river
    pts = gpd.GeoSeries(gpd.points_from_xy([X0, X0 + 10], [Y0, Y0]), crs=2154)
    with pytest.raises(InputError, match="inputs.roads"):
        site_digesters(sup, None, p.model_copy(update={"distance": "road"}), roads=pts)


def test_read_roads_point_file_names_the_file(tmp_path):
    f = tmp_path / "roads_points.gpkg"
    gpd.GeoDataFrame({"nature": ["a", "b"]}, geometry=gpd.points_from_xy([X0, X0 + 1], [Y0, Y0]), crs=2154).to_file(f)
    with pytest.raises(InputError, match="roads_points.gpkg") as e:
        read_roads(f)
    assert "line" in str(e.value).lower()
    with pytest.raises(InputError, match="nope.gpkg"):
        read_roads(tmp_path / "nope.gpkg")


def test_read_roads_bdtopo_and_osm(tmp_path):
    # BD TOPO-like GeoPackage with a troncon_de_route layer among others, plus a stray point
    f = tmp_path / "bdtopo.gpkg"
    lines = _grid_lines(X0, X0 + 2000, Y0, Y0 + 2000, 1000)
    t = gpd.GeoDataFrame({"cleabs": [f"TRONROUT{i}" for i in range(len(lines) + 1)],
                          "nature": ["Route à 1 chaussée"] * len(lines) + ["Sentier"]},
                         geometry=lines + [shapely.Point(X0, Y0)], crs=2154)
    t.to_file(f, layer="troncon_de_route")
    gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)], crs=2154).to_file(f, layer="batiment")
    r = read_roads(f)
    assert len(r) == len(lines) and r.attrs["n_dropped_non_line"] == 1
    assert r["road_id"].iloc[0] == "TRONROUT0" and (r["road_class"] == "Route à 1 chaussée").all()
    np.testing.assert_allclose(r["length_m"], 2000.0)
    # OSM highways GeoJSON in WGS84 -> reprojected to EPSG:2154, classes filtered
    lines_wgs = gpd.GeoSeries(lines, crs=2154).to_crs(4326)
    osm = gpd.GeoDataFrame({"osm_id": np.arange(len(lines)), "highway": ["residential"] * (len(lines) - 1) + ["footway"]},
                           geometry=lines_wgs, crs=4326)
    g = tmp_path / "osm.geojson"
    osm.to_file(g, driver="GeoJSON")
    r2 = read_roads(g, exclude_classes=["footway"])
    assert r2.crs.to_epsg() == 2154 and len(r2) == len(lines) - 1
    np.testing.assert_allclose(r2["length_m"], 2000.0, rtol=1e-3)
    graph = road_graph(r2)
    assert graph.n_nodes >= 9


# --- size ---------------------------------------------------------------------------------------


def test_100k_supply_points_on_a_50km_grid_network():
    p = BiogasParameters(distance="road")
    rng = np.random.default_rng(7)
    n = 100_000
    x = X0 + rng.uniform(0, 50_000, n)
    y = Y0 + rng.uniform(0, 50_000, n)
    total = _need(p, 200) * 40  # enough supply for ~40 plants
    sup = gpd.GeoDataFrame({"ch4_nm3_yr": rng.uniform(0.5, 1.5, n) * total / n},
                           geometry=gpd.points_from_xy(x, y), crs=2154)
    roads = _roads(_grid_lines(X0 - 2000, X0 + 52_000, Y0 - 2000, Y0 + 52_000, 500))
    t0 = time.perf_counter()
    sites, _, asg = site_digesters(sup, None, p, roads=roads)
    dt = time.perf_counter() - t0
    print(f"\nroad siting: {n} supply points, 50 km grid network (500 m), {len(sites)} sites in {dt:.2f} s")
    assert len(sites) > 10
    has = asg.notna().to_numpy()
    np.testing.assert_allclose(sites["supply_ch4_nm3_yr"].sum(), sup["ch4_nm3_yr"].to_numpy()[has].sum(), rtol=1e-9)
    assert (sites["capacity_nm3_h"] <= p.plant_max_nm3_h * (1 + 1e-9)).all()
    assert (sites["capacity_nm3_h"] >= p.plant_min_nm3_h * (1 - 1e-9)).all()
    # road radius respected for a few sites
    g = road_graph(roads, p.road_snap_tolerance_m, p.road_max_segment_m)
    xy = shapely.get_coordinates(sup.geometry.to_numpy())
    for j in range(3):
        sid = sites["site_id"].iloc[j]
        m = (asg == sid).fillna(False).to_numpy(bool)
        D = network_distances(g, shapely.get_coordinates(sites.geometry.iloc[[j]].to_numpy()), xy[m], 15_000)
        assert np.isfinite(D).all()

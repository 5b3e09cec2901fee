"""fetch() end to end against a local server serving real files in the sources' formats."""

from __future__ import annotations

import gzip
import json
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from werkzeug import Response

from geopotential.connectors import Cache, Territory, cached_files, fetch
from geopotential.connectors.sources import bbox_to_l93, lidar_tiles
from geopotential.exceptions import ConfigError, FetchError

SOMME = "france-geojson-somme/communes-80-somme.geojson"
PVGIS = "pvgis-weather"
AMIENS_BBOX = (2.22, 49.84, 2.35, 49.95)


@pytest.fixture
def somme(shared):
    return json.loads((shared / SOMME).read_text(encoding="utf-8"))


def _collection(features):
    return json.dumps({"type": "FeatureCollection", "features": features})


def _amiens(somme):
    return [f for f in somme["features"] if f["properties"]["code"] == "80021"]


def _urls(httpserver, *names, path="/"):
    return {name: httpserver.url_for(path) for name in names}


def test_cadastre_and_communes_for_amiens_then_cache_hit_and_offline(httpserver, cache_dir, somme, fast):
    amiens = _amiens(somme)
    gz = gzip.compress(_collection(amiens).encode())
    httpserver.expect_request("/geo/communes", query_string={
        "code": "80021", "format": "geojson", "geometry": "contour",
        "fields": "code,nom,codeDepartement,codeRegion,codesPostaux,population,surface",
    }).respond_with_data(_collection(amiens), content_type="application/json", headers={"ETag": '"c1"'})
    httpserver.expect_request("/cad/communes/80/80021/cadastre-80021-batiments.json.gz").respond_with_data(
        gz, content_type="application/gzip", headers={"ETag": '"b1"'})
    base = {"communes": httpserver.url_for("/geo"), "cadastre_buildings": httpserver.url_for("/cad")}

    paths = fetch("80021", sources=["communes", "cadastre_buildings"], cache_dir=cache_dir,
                  base_urls=base, retry=fast)
    assert set(paths) == {"communes", "cadastre_buildings"}
    cad = paths["cadastre_buildings"]
    assert cad == cache_dir / "cadastre_buildings" / "insee-80021"
    files = cached_files("cadastre_buildings", "80021", cache_dir)
    assert [f.name for f in files] == ["cadastre-80021-batiments.json.gz"]
    assert gzip.decompress(files[0].read_bytes()) == _collection(amiens).encode()
    manifest = json.loads((cache_dir / "manifest.json").read_text())
    entry = manifest["files"]["cadastre_buildings/insee-80021/cadastre-80021-batiments.json.gz"]
    assert entry["etag"] == '"b1"' and entry["size_bytes"] == len(gz)
    assert entry["url"].endswith("/cad/communes/80/80021/cadastre-80021-batiments.json.gz")
    assert "cadastre_buildings/insee-80021" in manifest["sets"]

    # cache hit: the server sees no request at all
    httpserver.clear_log()
    again = fetch("80021", sources=["communes", "cadastre_buildings"], cache_dir=cache_dir,
                  base_urls=base, retry=fast)
    assert again == paths
    assert len(httpserver.log) == 0

    # offline with the cache: same answer, no request
    off = fetch("80021", sources="communes,cadastre_buildings", cache_dir=cache_dir, offline=True,
                base_urls=base)
    assert off == paths and len(httpserver.log) == 0


def test_offline_without_cache_names_source_and_cache_path(httpserver, cache_dir):
    with pytest.raises(FetchError) as err:
        fetch("80021", sources=["cadastre_parcels"], cache_dir=cache_dir, offline=True,
              base_urls={"cadastre_parcels": httpserver.url_for("/")})
    msg = str(err.value)
    assert msg.startswith("cadastre_parcels: offline mode")
    assert str(cache_dir / "cadastre_parcels" / "insee-80021") in msg
    assert len(httpserver.log) == 0


def test_departement_communes_real_somme_file_and_etag_revalidation(httpserver, cache_dir, shared, fast):
    body = (shared / SOMME).read_bytes()
    httpserver.expect_request("/departements/80/communes").respond_with_data(
        body, content_type="application/json", headers={"ETag": '"somme-2018"'})
    base = {"communes": httpserver.url_for("/")}
    paths = fetch("80", sources=["communes"], cache_dir=cache_dir, base_urls=base, retry=fast)
    [path] = cached_files("communes", "80", cache_dir)
    assert path.read_bytes() == body and path.parent == paths["communes"]
    import geopandas as gpd

    gdf = gpd.read_file(path)
    assert len(gdf) == 779 and "80021" in set(gdf["code"])

    # --refresh: If-None-Match sent, 304 keeps the file
    httpserver.clear()
    httpserver.expect_request("/departements/80/communes",
                              headers={"If-None-Match": '"somme-2018"'}).respond_with_data("", status=304)
    fetch("80", sources=["communes"], cache_dir=cache_dir, base_urls=base, refresh=True, retry=fast)
    assert len(httpserver.log) == 1 and httpserver.log[0][1].status_code == 304
    assert path.read_bytes() == body

    # the server's copy changed: a new ETag and body replace the cached file
    smaller = _collection(json.loads(body)["features"][:10])
    httpserver.clear()
    httpserver.expect_request("/departements/80/communes").respond_with_data(
        smaller, content_type="application/json", headers={"ETag": '"somme-2024"'})
    fetch("80", sources=["communes"], cache_dir=cache_dir, base_urls=base, refresh=True, retry=fast)
    assert path.read_text() == smaller
    assert Cache(cache_dir).file_entry(path)["etag"] == '"somme-2024"'


def _wfs_pages(gdf, page_size, seen):
    def handler(request):
        seen.append(dict(request.args))
        start = int(request.args["STARTINDEX"])
        page = gdf.iloc[start:start + page_size]
        doc = json.loads(page.to_json(drop_id=True))
        doc["numberReturned"] = len(page)
        doc["numberMatched"] = len(gdf)
        return Response(json.dumps(doc), content_type="application/json")

    return handler


def test_rpg_wfs_paging_serves_real_rpg_parcels(httpserver, cache_dir, shared, fast):
    import geopandas as gpd

    rpg = gpd.read_file(shared / "rpg-2022-sample-fiboa/PARCELLES_GRAPHIQUES_sample100_2022.gpkg")
    seen: list[dict] = []
    httpserver.expect_request("/wfs").respond_with_handler(_wfs_pages(rpg, 40, seen))
    paths = fetch(AMIENS_BBOX, sources=["rpg"], cache_dir=cache_dir,
                  base_urls={"rpg": httpserver.url_for("/wfs")},
                  options={"rpg": {"year": 2022, "page_size": 40}}, retry=fast)
    files = cached_files("rpg", AMIENS_BBOX, cache_dir, options={"year": 2022, "page_size": 40})
    assert [f.name for f in files] == [f"rpg-2022-parcelles-page-{i:05d}.geojson" for i in range(3)]
    assert all(f.parent == paths["rpg"] for f in files)
    assert [s["STARTINDEX"] for s in seen] == ["0", "40", "80"]
    assert {s["TYPENAMES"] for s in seen} == {"RPG.2022:parcelles_graphiques"}
    assert seen[0]["SRSNAME"] == "EPSG:2154" and seen[0]["SORTBY"] == "id_parcel"
    xmin, ymin, xmax, ymax = (float(v) for v in seen[0]["BBOX"].split(",")[:4])
    assert 640_000 < xmin < xmax < 660_000 and 6_960_000 < ymin < ymax < 6_990_000  # Amiens in Lambert-93
    got = pd.concat([gpd.read_file(f) for f in files])
    assert sorted(got["id_parcel"]) == sorted(rpg["id_parcel"])
    assert got["surf_parc"].sum() == pytest.approx(rpg["surf_parc"].sum())


def test_bdtopo_for_insee_uses_the_commune_extent(httpserver, cache_dir, somme, fast):
    amiens = _amiens(somme)
    httpserver.expect_request("/geo/communes").respond_with_data(_collection(amiens), content_type="application/json")
    seen: list[dict] = []

    def wfs(request):
        seen.append(dict(request.args))
        return Response(_collection([]), content_type="application/json")

    httpserver.expect_request("/wfs").respond_with_handler(wfs)
    paths = fetch(["80021"], sources=["bdtopo_buildings"], cache_dir=cache_dir, retry=fast,
                  base_urls={"communes": httpserver.url_for("/geo"), "bdtopo_buildings": httpserver.url_for("/wfs")})
    assert set(paths) == {"communes", "bdtopo_buildings"}  # outlines fetched to know the extent
    assert len(seen) == 1 and seen[0]["TYPENAMES"] == "BDTOPO_V3:batiment"
    import geopandas as gpd

    bounds = gpd.GeoDataFrame.from_features(amiens, crs="EPSG:4326").to_crs(2154).total_bounds
    got = [float(v) for v in seen[0]["BBOX"].split(",")[:4]]
    assert got[0] <= bounds[0] and got[1] <= bounds[1] and got[2] >= bounds[2] and got[3] >= bounds[3]
    assert got[2] - got[0] < (bounds[2] - bounds[0]) + 500  # tight around the commune


def test_pvgis_tmy_real_file_matches_pvlib_get_pvgis_tmy(httpserver, cache_dir, shared, fast):
    from pvlib.iotools import get_pvgis_tmy, read_pvgis_tmy

    body = (shared / PVGIS / "tmy_45.000_8.000_2005_2023.json").read_bytes()
    httpserver.expect_request("/api/tmy").respond_with_data(body, content_type="application/json")
    bbox = (7.99, 44.99, 8.01, 45.01)  # centre 45.000 N, 8.000 E, the file's location
    paths = fetch(bbox, sources=["pvgis_tmy"], cache_dir=cache_dir, retry=fast,
                  base_urls={"pvgis_tmy": httpserver.url_for("/api/")})
    [path] = cached_files("pvgis_tmy", bbox, cache_dir)
    assert path.name == "pvgis_tmy_45.000_8.000.json" and path.parent == paths["pvgis_tmy"]
    query = parse_qs(urlparse(Cache(cache_dir).file_entry(path)["url"]).query)
    assert query == {"lat": ["45.000"], "lon": ["8.000"], "outputformat": ["json"]}
    ours = read_pvgis_tmy(str(path), pvgis_format="json")[0]
    # pvlib's own client, pointed at the same local server with url=, gets the same year
    theirs = get_pvgis_tmy(45.0, 8.0, url=httpserver.url_for("/api/"))[0]
    assert len(ours) == 8760
    # (get_pvgis_tmy coerces the index to the year 1990; the values are the same)
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True))
    assert ours["ghi"].sum() / 1000 == pytest.approx(1436, rel=0.02)  # [kWh/m2/yr], per SOURCE.txt


def test_pvgis_horizon_matches_pvlib(httpserver, cache_dir, shared, fast):
    from pvlib.iotools import get_pvgis_horizon

    ref = pd.read_csv(shared / PVGIS / "test_read_pvgis_horizon.csv")
    # PVGIS answers with azimuths counted from south (A = pvlib azimuth - 180), north repeated at 180
    profile = [{"A": float(a - 180), "H_hor": float(h)} for a, h in zip(ref.horizon_azimuth, ref.horizon_elevation)]
    profile.append({"A": 180.0, "H_hor": float(ref.horizon_elevation.iloc[0])})
    doc = {"inputs": {"location": {"latitude": 45.0, "longitude": 8.0}}, "meta": {"inputs": {}},
           "outputs": {"horizon_profile": profile}}
    httpserver.expect_request("/api/printhorizon").respond_with_json(doc)
    fetch((7.99, 44.99, 8.01, 45.01), sources=["pvgis_horizon"], cache_dir=cache_dir, retry=fast,
          base_urls={"pvgis_horizon": httpserver.url_for("/api/")})
    [path] = cached_files("pvgis_horizon", (7.99, 44.99, 8.01, 45.01), cache_dir)
    assert json.loads(path.read_text()) == doc
    series, _ = get_pvgis_horizon(45.0, 8.0, url=httpserver.url_for("/api/"))
    assert list(series.index) == list(ref.horizon_azimuth) and list(series) == list(ref.horizon_elevation)


def test_lidar_tiles_are_geotiffs_named_like_the_ign_index(httpserver, cache_dir, shared, fast):
    import rasterio

    tif = (shared / "umep-gothenburg/DSM_KRbig.tif").read_bytes()
    seen: list[dict] = []

    def wms(request):
        seen.append(dict(request.args))
        return Response(tif, content_type="image/geotiff")

    httpserver.expect_request("/wms-r").respond_with_handler(wms)
    bbox = (2.295, 49.892, 2.305, 49.897)  # about 700 m x 550 m in Amiens
    expected = lidar_tiles(bbox_to_l93(bbox))
    paths = fetch(bbox, sources=["lidar_dsm"], cache_dir=cache_dir, retry=fast,
                  base_urls={"lidar_dsm": httpserver.url_for("/wms-r")})
    files = cached_files("lidar_dsm", bbox, cache_dir)
    assert len(files) == len(seen) == len(expected) and 2 <= len(files) <= 4  # fetched in parallel
    by_bbox = {args["BBOX"]: args for args in seen}
    for (i, j), f in zip(expected, files):  # files listed in plan order whatever the finishing order
        assert f.name == f"LHD_FXX_{i:04d}_{j:04d}_MNS_O_0M50_LAMB93_IGN69.tif"
        args = by_bbox[f"{i * 1000 - 0.25},{(j - 1) * 1000 + 0.25},{i * 1000 + 999.75},{j * 1000 + 0.25}"]
        assert args["LAYERS"] == "IGNF_LIDAR-HD_MNS_ELEVATION.ELEVATIONGRIDCOVERAGE.LAMB93"
        assert args["WIDTH"] == args["HEIGHT"] == "2000" and args["FORMAT"] == "image/geotiff"
        with rasterio.open(f) as ds:
            assert ds.width == 234 and ds.height == 223
    assert files[0].parent == paths["lidar_dsm"]


def test_lidar_tile_limit_and_wms_error_answer(httpserver, cache_dir, fast):
    with pytest.raises(ConfigError, match="max_tiles"):
        fetch((2.2, 49.85, 2.4, 49.95), sources=["lidar_dsm"], cache_dir=cache_dir,
              options={"lidar_dsm": {"max_tiles": 10}}, base_urls={"lidar_dsm": httpserver.url_for("/")})
    assert len(httpserver.log) == 0
    httpserver.expect_request("/wms-r").respond_with_data(
        '<ServiceExceptionReport><ServiceException>Layer not found</ServiceException></ServiceExceptionReport>',
        content_type="text/xml")
    with pytest.raises(FetchError, match="lidar_dsm: .*Layer not found"):
        fetch((2.295, 49.892, 2.296, 49.893), sources=["lidar_dsm"], cache_dir=cache_dir, retry=fast,
              base_urls={"lidar_dsm": httpserver.url_for("/wms-r")})
    assert Cache(cache_dir).set_entry("lidar_dsm", Territory(bbox=(2.295, 49.892, 2.296, 49.893)).key) is None


def test_failure_of_one_source_keeps_the_others(httpserver, cache_dir, somme, fast):
    amiens = _amiens(somme)
    httpserver.expect_request("/geo/communes").respond_with_data(_collection(amiens), content_type="application/json")
    httpserver.expect_request("/cad/communes/80/80021/cadastre-80021-parcelles.json.gz").respond_with_data(
        "Not Found", status=404)
    with pytest.raises(FetchError) as err:
        fetch("80021", sources=["communes", "cadastre_parcels"], cache_dir=cache_dir, retry=fast,
              base_urls={"communes": httpserver.url_for("/geo"), "cadastre_parcels": httpserver.url_for("/cad")})
    assert str(err.value).startswith("cadastre_parcels: HTTP 404")
    assert set(err.value.results) == {"communes"} and set(err.value.failures) == {"cadastre_parcels"}
    assert cached_files("communes", "80021", cache_dir)


def test_bad_usage_is_a_config_error(cache_dir):
    with pytest.raises(ConfigError, match="unknown source 'bdtopo'"):
        fetch("80021", sources=["bdtopo"], cache_dir=cache_dir)
    with pytest.raises(ConfigError, match="cadastre_buildings needs a territory given by departement or insee"):
        fetch((2.2, 49.8, 2.3, 49.9), sources=["cadastre_buildings"], cache_dir=cache_dir)
    with pytest.raises(ConfigError, match="not an INSEE commune code: 8002"):
        Territory(insee=("8002",))
    with pytest.raises(ConfigError, match="bbox"):
        Territory(bbox=(2.3, 49.9, 2.2, 49.8))
    assert Territory.parse("2A").kind == "departement" and Territory.parse("2A004").kind == "insee"
    assert Territory.parse("80021,80001").key == "insee-80001_80021"


def test_osm_overpass_query_and_geojson_conversion(httpserver, cache_dir, fast):
    import geopandas as gpd

    square = [{"lat": 49.894, "lon": 2.295}, {"lat": 49.894, "lon": 2.296}, {"lat": 49.895, "lon": 2.296},
              {"lat": 49.895, "lon": 2.295}, {"lat": 49.894, "lon": 2.295}]
    hole = [{"lat": 49.8943, "lon": 2.2953}, {"lat": 49.8943, "lon": 2.2957}, {"lat": 49.8947, "lon": 2.2957},
            {"lat": 49.8947, "lon": 2.2953}, {"lat": 49.8943, "lon": 2.2953}]
    doc = {"version": 0.6, "generator": "Overpass API", "elements": [
        {"type": "way", "id": 1, "tags": {"building": "house", "height": "7"}, "geometry": square},
        {"type": "way", "id": 2, "tags": {"building": "yes"}, "geometry": square[:3]},  # not closed
        {"type": "relation", "id": 3, "tags": {"building": "yes", "type": "multipolygon"}, "members": [
            {"type": "way", "ref": 10, "role": "outer", "geometry": square[:3]},
            {"type": "way", "ref": 11, "role": "outer", "geometry": square[2:]},
            {"type": "way", "ref": 12, "role": "inner", "geometry": hole}]},
    ]}
    seen: list[str] = []

    def overpass(request):
        seen.append(request.args["data"])
        return Response(json.dumps(doc), content_type="application/json")

    httpserver.expect_request("/api/interpreter").respond_with_handler(overpass)
    paths = fetch("80021", sources=["osm_buildings"], cache_dir=cache_dir, retry=fast,
                  base_urls={"osm_buildings": httpserver.url_for("/api/interpreter")})
    assert 'area["ref:INSEE"~"^(80021)$"]' in seen[0] and "out geom;" in seen[0]
    files = cached_files("osm_buildings", "80021", cache_dir)
    assert [f.name for f in files] == ["osm-buildings.json", "osm-buildings.geojson"]
    gdf = gpd.read_file(files[1])
    assert list(gdf["osm_id"]) == [1, 3] and list(gdf["building"]) == ["house", "yes"]
    areas = gdf.to_crs(2154).area.to_numpy()
    assert areas[1] == pytest.approx(areas[0] * (1 - 0.16), rel=0.02)  # hole of 0.4 x 0.4 of the square
    meta = json.loads(files[1].read_text())["geopotential"]
    assert meta["unclosed_ways"] == 1 and meta["ways"] == 1 and meta["relations"] == 1
    assert paths["osm_buildings"] == files[0].parent
    assert Cache(cache_dir).file_entry(files[1])["derived_from"] == ["osm-buildings.json"]


def test_interrupted_set_is_not_complete_and_resumes_per_file(httpserver, cache_dir, fast):
    gz = gzip.compress(_collection([]).encode())
    httpserver.expect_request("/communes/80/80021/cadastre-80021-parcelles.json.gz").respond_with_data(gz)
    httpserver.expect_oneshot_request("/communes/80/80001/cadastre-80001-parcelles.json.gz").respond_with_data(
        "oops", status=404)
    base = {"cadastre_parcels": httpserver.url_for("/")}
    with pytest.raises(FetchError, match="80001"):
        fetch(["80021", "80001"], sources=["cadastre_parcels"], cache_dir=cache_dir, base_urls=base, retry=fast)
    with pytest.raises(FetchError, match="no complete copy"):
        cached_files("cadastre_parcels", ["80021", "80001"], cache_dir)
    httpserver.clear_log()
    httpserver.expect_request("/communes/80/80001/cadastre-80001-parcelles.json.gz").respond_with_data(gz)
    fetch(["80021", "80001"], sources=["cadastre_parcels"], cache_dir=cache_dir, base_urls=base, retry=fast)
    assert [r.path for r, _ in httpserver.log] == ["/communes/80/80001/cadastre-80001-parcelles.json.gz"]
    names = [f.name for f in cached_files("cadastre_parcels", ["80021", "80001"], cache_dir)]
    assert names == ["cadastre-80001-parcelles.json.gz", "cadastre-80021-parcelles.json.gz"]

"""`geopotential fetch` then `geopotential run` with `cache:<source>` inputs, all on 127.0.0.1."""

from __future__ import annotations

import json

import geopandas as gpd
from click.testing import CliRunner
from werkzeug import Response

from geopotential.cli import main
from geopotential.demo import generate_demo

CRS_2154 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}


def _wfs(gdf):
    """A WFS GetFeature answer as GeoServer writes it with SRSNAME=EPSG:2154 (one page)."""

    def handler(request):
        start = int(request.args.get("STARTINDEX", 0))
        count = int(request.args.get("COUNT", len(gdf)))
        page = gdf.iloc[start:start + count]
        doc = json.loads(page.to_json(drop_id=True))
        doc.update(crs=CRS_2154, numberReturned=len(page), numberMatched=len(gdf))
        return Response(json.dumps(doc), content_type="application/json")

    return handler


def test_fetch_then_run_uses_the_cached_sources(httpserver, cache_dir, shared, tmp_path, fast, monkeypatch):
    somme = json.loads((shared / "france-geojson-somme/communes-80-somme.geojson").read_text(encoding="utf-8"))
    amiens = {"type": "FeatureCollection", "features": [f for f in somme["features"] if f["properties"]["code"] == "80021"]}
    demo = generate_demo(tmp_path / "demo", n_buildings=200)
    buildings = gpd.read_file(demo["buildings"], layer="batiment")
    rpg = gpd.read_file(shared / "rpg-2022-sample-fiboa/PARCELLES_GRAPHIQUES_sample100_2022.gpkg").to_crs(2154)
    httpserver.expect_request("/geo/communes").respond_with_data(json.dumps(amiens), content_type="application/json")
    httpserver.expect_request("/bdtopo").respond_with_handler(_wfs(buildings))
    httpserver.expect_request("/rpg").respond_with_handler(_wfs(rpg))
    httpserver.expect_request("/api/tmy").respond_with_data(
        (shared / "pvgis-weather/tmy_45.000_8.000_2005_2023.json").read_bytes(), content_type="application/json")
    for name, path in (("COMMUNES", "/geo"), ("BDTOPO_BUILDINGS", "/bdtopo"), ("RPG", "/rpg"), ("PVGIS_TMY", "/api/")):
        monkeypatch.setenv(f"GEOPOTENTIAL_URL_{name}", httpserver.url_for(path))
    runner = CliRunner()
    r = runner.invoke(main, ["fetch", "--insee", "80021", "--sources", "communes,bdtopo_buildings,rpg,pvgis_tmy",
                             "--cache-dir", str(cache_dir), "--no-progress"])
    assert r.exit_code == 0, r.output

    cfg = tmp_path / "amiens.yaml"
    cfg.write_text(
        "territory: {name: Amiens}\n"
        f"fetch: {{territory: ['80021'], cache_dir: '{cache_dir}'}}\n"
        "inputs:\n"
        "  communes: {path: 'cache:communes'}\n"
        "  buildings: {path: 'cache:bdtopo_buildings'}\n"
        "  rpg: {path: 'cache:rpg'}\n"
        "  weather: 'cache:pvgis_tmy'\n"
        "stages: {map: false, report: false}\n"
        "outputs: {dir: out, run_name: amiens}\n"
    )
    r = runner.invoke(main, ["validate", str(cfg)])
    assert r.exit_code == 0, r.output
    assert "cache:bdtopo_buildings" in r.output
    httpserver.clear_log()
    r = runner.invoke(main, ["run", str(cfg), "--no-progress"])
    assert r.exit_code == 0, (r.output, r.stderr)
    assert len(httpserver.log) == 0  # the run reads the cache only
    out = tmp_path / "out" / "amiens" / "geopotential.gpkg"
    b = gpd.read_file(out, layer="buildings_pv")
    assert len(b) == 200 and set(b["commune_insee"]) <= {"80021", "unassigned"}
    p = gpd.read_file(out, layer="parcels_biogas")
    assert len(p) == 100
    meta = json.loads((tmp_path / "out" / "amiens" / "run.json").read_text())
    assert any(k.startswith("inputs.buildings.path:") for k in meta["inputs"])


def test_run_with_a_source_missing_from_the_cache_names_it(cache_dir, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"fetch: {{territory: ['80021'], cache_dir: '{cache_dir}'}}\ninputs:\n  rpg: {{path: 'cache:rpg'}}\n")
    r = CliRunner().invoke(main, ["validate", str(cfg)])
    assert r.exit_code != 0
    assert "rpg" in r.stderr and "geopotential fetch" in r.stderr

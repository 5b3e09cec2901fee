"""`geopotential fetch` (the click command the lead adds to the main group): output and exit codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from geopotential.connectors.cli import fetch_command


def _run(*args):
    return CliRunner().invoke(fetch_command, list(args))


def test_fetch_ok_prints_source_and_folder(httpserver, cache_dir, shared, monkeypatch):
    body = (shared / "france-geojson-somme/communes-80-somme.geojson").read_bytes()
    httpserver.expect_request("/departements/80/communes").respond_with_data(body, content_type="application/json")
    monkeypatch.setenv("GEOPOTENTIAL_URL_COMMUNES", httpserver.url_for("/"))
    res = _run("--departement", "80", "--sources", "communes", "--cache-dir", str(cache_dir), "--no-progress")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"communes\t{cache_dir / 'communes' / 'dep-80'}"
    assert (cache_dir / "communes" / "dep-80" / "communes-80.geojson").read_bytes() == body
    # offline afterwards: served from the cache, no request
    httpserver.clear_log()
    res = _run("--departement", "80", "--sources", "communes", "--cache-dir", str(cache_dir), "--offline")
    assert res.exit_code == 0 and len(httpserver.log) == 0


def test_bad_usage_exits_2(cache_dir):
    assert _run("--cache-dir", str(cache_dir)).exit_code == 2  # no territory
    assert _run("--insee", "80021", "--departement", "80").exit_code == 2
    res = _run("--insee", "8002x", "--cache-dir", str(cache_dir))
    assert res.exit_code == 2 and "not an INSEE commune code" in res.stderr
    res = _run("--insee", "80021", "--sources", "nope", "--cache-dir", str(cache_dir))
    assert res.exit_code == 2 and "unknown source 'nope'" in res.stderr
    res = _run("--bbox", "2.2,49.8,2.3", "--cache-dir", str(cache_dir))
    assert res.exit_code == 2
    res = _run("--bbox", "2.2,49.8,2.3,49.9", "--sources", "cadastre_parcels", "--cache-dir", str(cache_dir))
    assert res.exit_code == 2 and "needs a territory given by" in res.stderr


def test_fetch_failure_exits_1_with_one_line(httpserver, cache_dir, monkeypatch):
    httpserver.expect_request("/communes/80/80021/cadastre-80021-batiments.json.gz").respond_with_data(
        "gone", status=404)
    monkeypatch.setenv("GEOPOTENTIAL_URL_CADASTRE_BUILDINGS", httpserver.url_for("/"))
    res = _run("--insee", "80021", "--sources", "cadastre_buildings", "--cache-dir", str(cache_dir))
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cadastre_buildings: HTTP 404")
    assert str(cache_dir / "cadastre_buildings" / "insee-80021") in lines[0]
    assert "Traceback" not in res.output


def test_offline_without_cache_exits_1(httpserver, cache_dir):
    res = _run("--insee", "80021", "--insee", "80001", "--sources", "cadastre_parcels",
               "--cache-dir", str(cache_dir), "--offline")
    assert res.exit_code == 1 and len(httpserver.log) == 0
    line = res.stderr.strip()
    assert "\n" not in line and "cadastre_parcels: offline mode" in line
    assert str(cache_dir / "cadastre_parcels" / "insee-80001_80021") in line


def test_list_sources_names_licences():
    res = _run("--list-sources")
    assert res.exit_code == 0
    text = res.stdout
    for name in ("bdtopo_buildings", "cadastre_buildings", "osm_buildings", "rpg", "pvgis_tmy", "lidar_dsm"):
        assert name in text
    assert "ODbL" in text and "Licence Ouverte" in text


def test_default_cache_dir_follows_xdg_and_env(monkeypatch, tmp_path):
    from geopotential.connectors.cache import default_cache_dir

    monkeypatch.delenv("GEOPOTENTIAL_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "geopotential"
    monkeypatch.setenv("GEOPOTENTIAL_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    # the manifest is plain JSON that records sets and files
    from geopotential.connectors import Cache

    cache = Cache()
    f = cache.set_dir("rpg", "k") / "a.txt"
    f.parent.mkdir(parents=True)
    f.write_text("x")
    cache.record_file(f, size_bytes=1, sha256="s")
    cache.record_set("rpg", "k", [f])
    doc = json.loads((tmp_path / "mine" / "manifest.json").read_text())
    assert doc["files"]["rpg/k/a.txt"]["size_bytes"] == 1 and doc["sets"]["rpg/k"]["files"] == ["rpg/k/a.txt"]
    assert cache.complete_set("rpg", "k") == [f]
    f.write_text("xy")  # changed behind the cache's back: no longer a complete set
    assert cache.complete_set("rpg", "k") is None

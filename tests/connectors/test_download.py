"""The downloader against a real local HTTP server: success, retry, resume, errors, checks."""

from __future__ import annotations

import hashlib
import json
import socket

import pytest
from werkzeug import Response

from geopotential.connectors.cache import Cache
from geopotential.connectors.download import cached_download, download
from geopotential.connectors.validate import check_geojson, check_gzip
from geopotential.exceptions import FetchError


RPG_GPKG = "rpg-2022-sample-fiboa/PARCELLES_GRAPHIQUES_sample100_2022.gpkg"


@pytest.fixture
def rpg_bytes(shared):
    return (shared / RPG_GPKG).read_bytes()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_success_real_rpg_gpkg_recorded_in_manifest(fast, httpserver, tmp_path, rpg_bytes):
    httpserver.expect_request("/rpg.gpkg").respond_with_data(
        rpg_bytes, content_type="application/geopackage+sqlite3", headers={"ETag": '"v1"'}
    )
    cache = Cache(tmp_path / "cache")
    dest = cache.set_dir("rpg", "test") / "rpg.gpkg"
    res = download(httpserver.url_for("/rpg.gpkg"), dest, source="rpg", cache=cache, retry=fast)
    assert res.status == "downloaded" and res.attempts == 1
    assert dest.read_bytes() == rpg_bytes
    assert not dest.with_name("rpg.gpkg.part").exists()
    entry = cache.file_entry(dest)
    assert entry["sha256"] == _sha(rpg_bytes)
    assert entry["size_bytes"] == len(rpg_bytes) == 147456
    assert entry["etag"] == '"v1"'
    assert entry["url"] == httpserver.url_for("/rpg.gpkg")
    assert entry["source"] == "rpg" and entry["fetched_at"].endswith("+00:00")
    # the file is a real GeoPackage that pyogrio reads: 100 parcels in Lambert-93
    import pyogrio

    info = pyogrio.read_info(dest)
    assert info["features"] == 100 and "2154" in info["crs"]


def test_500_then_success_is_retried(fast, httpserver, tmp_path, rpg_bytes):
    httpserver.expect_oneshot_request("/f.gpkg").respond_with_data("busy", status=500)
    httpserver.expect_request("/f.gpkg").respond_with_data(rpg_bytes)
    slept: list[float] = []
    res = download(httpserver.url_for("/f.gpkg"), tmp_path / "f.gpkg", source="rpg",
                   retry=fast, sleep=slept.append)
    assert res.attempts == 2
    assert [h for h in res.history] == ["500", "200"]
    assert (tmp_path / "f.gpkg").read_bytes() == rpg_bytes
    assert len(httpserver.log) == 2


def test_backoff_grows_exponentially(httpserver, tmp_path):
    from geopotential.connectors.download import RetryPolicy

    httpserver.expect_request("/down").respond_with_data("no", status=503)
    slept: list[float] = []
    policy = RetryPolicy(max_attempts=4, backoff_s=0.5, backoff_factor=2.0)
    with pytest.raises(FetchError) as err:
        download(httpserver.url_for("/down"), tmp_path / "x", source="communes", retry=policy, sleep=slept.append)
    assert slept == [0.5, 1.0, 2.0]
    assert len(httpserver.log) == 4
    msg = str(err.value)
    assert "communes" in msg and "after 4 attempts" in msg and "HTTP 503" in msg
    assert str(tmp_path / "x") in msg


def _truncating_then_ranged(payload: bytes, cut: int, etag: str, seen: list):
    state = {"n": 0}

    def handler(request):
        state["n"] += 1
        seen.append(dict(request.headers))
        if state["n"] == 1:
            resp = Response(payload[:cut], status=200, headers={"ETag": etag})
            resp.headers["Content-Length"] = str(len(payload))
            resp.automatically_set_content_length = False
            return resp
        start = int(request.headers["Range"].split("=")[1].rstrip("-"))
        return Response(
            payload[start:], status=206,
            headers={"ETag": etag, "Content-Range": f"bytes {start}-{len(payload) - 1}/{len(payload)}"},
        )

    return handler


def test_truncated_download_is_detected_and_resumed(fast, httpserver, tmp_path, rpg_bytes):
    seen: list[dict] = []
    cut = 50_000
    httpserver.expect_request("/big.gpkg").respond_with_handler(
        _truncating_then_ranged(rpg_bytes, cut, '"abc"', seen)
    )
    res = download(httpserver.url_for("/big.gpkg"), tmp_path / "big.gpkg", source="rpg", retry=fast)
    assert res.resumed and res.attempts == 2
    resumed_from = int(seen[1]["Range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= cut  # whole 16 KiB chunks received before the cut are kept
    assert seen[1]["If-Range"] == '"abc"'
    assert "Range" not in seen[0]
    assert _sha((tmp_path / "big.gpkg").read_bytes()) == _sha(rpg_bytes)


def test_truncated_then_server_ignores_range_restarts_cleanly(fast, httpserver, tmp_path, rpg_bytes):
    def truncated(request):
        resp = Response(rpg_bytes[:40000], status=200)
        resp.headers["Content-Length"] = str(len(rpg_bytes))
        resp.automatically_set_content_length = False
        return resp

    httpserver.expect_oneshot_request("/g").respond_with_handler(truncated)
    httpserver.expect_request("/g").respond_with_data(rpg_bytes)  # 200, full body, Range ignored
    res = download(httpserver.url_for("/g"), tmp_path / "g", source="rpg", retry=fast)
    assert (tmp_path / "g").read_bytes() == rpg_bytes
    assert res.attempts == 2 and not res.resumed  # the 200 answer replaced the partial file
    assert httpserver.log[1][0].headers.get("Range", "").startswith("bytes=")  # a resume was asked


def test_truncation_on_every_attempt_fails_clearly(fast, httpserver, tmp_path, rpg_bytes):
    def truncated(request):
        resp = Response(rpg_bytes[:10], status=200)
        resp.headers["Content-Length"] = str(len(rpg_bytes))
        resp.automatically_set_content_length = False
        return resp

    httpserver.expect_request("/t").respond_with_handler(truncated)
    with pytest.raises(FetchError, match="rpg: could not download .* after 3 attempts"):
        download(httpserver.url_for("/t"), tmp_path / "t", source="rpg", retry=fast)
    assert not (tmp_path / "t").exists()


def test_404_is_a_clear_error_without_retry(fast, httpserver, tmp_path):
    httpserver.expect_request("/missing.json.gz").respond_with_data("Not Found", status=404)
    dest = tmp_path / "cadastre_buildings" / "insee-80021" / "cadastre-80021-batiments.json.gz"
    with pytest.raises(FetchError) as err:
        download(httpserver.url_for("/missing.json.gz"), dest, source="cadastre_buildings", retry=fast)
    msg = str(err.value)
    assert msg.startswith("cadastre_buildings: HTTP 404")
    assert str(dest) in msg and "missing.json.gz" in msg
    assert len(httpserver.log) == 1
    assert not dest.exists() and not dest.with_name(dest.name + ".part").exists()


def test_unreachable_host_names_source_and_cache_path(fast, tmp_path, network_guard):
    dest = tmp_path / "bdtopo.geojson"
    with pytest.raises(FetchError) as err:
        download("http://192.0.2.10:9/wfs", dest, source="bdtopo_buildings", retry=fast)
    msg = str(err.value)
    assert "bdtopo_buildings" in msg and "host unreachable" in msg and str(dest) in msg
    # three attempts, each refused by the guard (at the lookup or the connect)
    assert len(network_guard) == 3 and all("192.0.2.10" in str(t) for t in network_guard)


def test_network_guard_refuses_outside_addresses(network_guard):
    with pytest.raises(OSError):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    with pytest.raises(OSError):
        socket.getaddrinfo("data.geopf.fr", 443)
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with raw, pytest.raises(ConnectionRefusedError, match="network guard"):
        raw.connect(("93.184.216.34", 80))
    assert network_guard == ["93.184.216.34", "data.geopf.fr", ("93.184.216.34", 80)]


def test_wfs_exception_with_status_200_is_rejected(fast, httpserver, tmp_path):
    xml = ('<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1">'
           '<ows:Exception><ows:ExceptionText>Unknown type BDTOPO_V3:batimen</ows:ExceptionText>'
           "</ows:Exception></ows:ExceptionReport>")
    httpserver.expect_request("/wfs").respond_with_data(xml, content_type="text/xml")
    with pytest.raises(FetchError, match="Unknown type BDTOPO_V3:batimen"):
        download(httpserver.url_for("/wfs"), tmp_path / "p.geojson", source="bdtopo_buildings",
                 validate=check_geojson, retry=fast)
    assert not (tmp_path / "p.geojson").exists()


def test_corrupt_gzip_is_rejected(fast, httpserver, tmp_path):
    import gzip

    good = gzip.compress(b'{"type":"FeatureCollection","features":[]}' * 200)
    httpserver.expect_request("/c.json.gz").respond_with_data(good[: len(good) // 2])
    with pytest.raises(FetchError, match="gzip stream is truncated or corrupt"):
        download(httpserver.url_for("/c.json.gz"), tmp_path / "c.json.gz", source="cadastre_parcels",
                 validate=check_gzip, retry=fast)


def test_sha256_mismatch_fails(fast, httpserver, tmp_path, rpg_bytes):
    httpserver.expect_request("/s").respond_with_data(rpg_bytes)
    with pytest.raises(FetchError, match="sha256 mismatch"):
        download(httpserver.url_for("/s"), tmp_path / "s", source="rpg", expected_sha256="0" * 64, retry=fast)
    res = download(httpserver.url_for("/s"), tmp_path / "s", source="rpg",
                   expected_sha256=_sha(rpg_bytes), retry=fast)
    assert res.sha256 == _sha(rpg_bytes)


def test_cached_download_hit_offline_and_etag_revalidation(fast, httpserver, tmp_path):
    body = json.dumps({"type": "FeatureCollection", "features": []}).encode()
    httpserver.expect_request("/c.geojson").respond_with_data(body, headers={"ETag": '"e1"'})
    cache = Cache(tmp_path / "cache")
    dest = cache.set_dir("communes", "k") / "c.geojson"
    url = httpserver.url_for("/c.geojson")
    first = cached_download(cache, dest, url, source="communes", retry=fast)
    assert first.status == "downloaded"
    httpserver.clear_log()
    hit = cached_download(cache, dest, url, source="communes", retry=fast)
    off = cached_download(cache, dest, url, source="communes", offline=True)
    assert hit.status == off.status == "cached" and len(httpserver.log) == 0

    httpserver.clear()
    httpserver.expect_request("/c.geojson", headers={"If-None-Match": '"e1"'}).respond_with_data("", status=304)
    again = cached_download(cache, dest, url, source="communes", refresh=True, retry=fast)
    assert again.status == "not_modified" and dest.read_bytes() == body
    assert len(httpserver.log) == 1

    with pytest.raises(FetchError, match="offline mode"):
        cached_download(cache, dest.with_name("other.geojson"), url, source="communes", offline=True)


def test_revalidation_falls_back_on_last_modified(fast, httpserver, tmp_path):
    stamp = "Wed, 01 May 2024 10:00:00 GMT"
    httpserver.expect_oneshot_request("/p.json").respond_with_data("[1, 2]", headers={"Last-Modified": stamp})
    cache = Cache(tmp_path / "cache")
    dest = cache.set_dir("insee_population", "k") / "p.json"
    cached_download(cache, dest, httpserver.url_for("/p.json"), source="insee_population", retry=fast)
    httpserver.expect_request("/p.json", headers={"If-Modified-Since": stamp}).respond_with_data("", status=304)
    res = cached_download(cache, dest, httpserver.url_for("/p.json"), source="insee_population",
                          refresh=True, retry=fast)
    assert res.status == "not_modified" and dest.read_text() == "[1, 2]"
    assert "If-None-Match" not in httpserver.log[-1][0].headers

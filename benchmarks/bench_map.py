"""Benchmark: the planners' map with 60,000 synthetic buildings.

Builds map.html with :func:`geopotential.report.write_map` and, side by side, the folium
baseline of perf-anchors.md section D (GeoJson + GeoJsonTooltip, rounded to 1e-6 degree,
2 attributes, ``prefer_canvas``), then opens each in headless Chromium (offline: every
network request is blocked) and prints size, gzip size, write time, load time (navigation
to the ``load`` event and to map-ready) and the time to draw the buildings at zoom 16.

Limits (issue 6): map.html < 15 MB and load < 5 s.

Usage::

    .venv/bin/python benchmarks/bench_map.py [--n 60000] [--no-baseline] [--out outputs/bench-map]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from pathlib import Path

import folium

from geopotential.report._synthetic import synthetic_layers
from geopotential.report.assets import strip_folium_links, vendor_block
from geopotential.report.map import write_map

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SIZE_LIMIT_MB = 15.0
LOAD_LIMIT_S = 5.0


def build_baseline(layers, path: Path) -> float:
    """perf-anchors D best embedded folium variant (rounded, 2 attributes, canvas)."""
    t = time.perf_counter()
    b = layers["buildings_pv"][["building_id", "pv_class", "geometry"]].copy()
    b["geometry"] = b.geometry.simplify(0.2)
    b = b.to_crs("EPSG:4326")
    b["geometry"] = b.geometry.set_precision(1e-6)
    c = b.geometry.union_all().centroid
    m = folium.Map(location=[c.y, c.x], zoom_start=14, tiles=None, prefer_canvas=True)
    folium.GeoJson(
        b.to_json(drop_id=True, show_bbox=False),
        style_function=lambda f: {"fillColor": "#fc8d59", "color": "#555", "weight": 0.5},
        tooltip=folium.GeoJsonTooltip(["building_id", "pv_class"]),
    ).add_to(m)
    # offline like ours: Leaflet inlined from the vendored npm copy, CDN links dropped
    strip_folium_links(m, drop_all=True)
    m.get_root().header.add_child(folium.Element(vendor_block()), name="vendor")
    m.save(str(path))
    return time.perf_counter() - t


def measure(browser, path: Path, ready: str | None, repeats: int = 3) -> dict:
    loads, readies, walls, draws = [], [], [], []
    for _ in range(repeats):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t = time.perf_counter()
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=120000)
        if ready:
            page.wait_for_function(ready, timeout=120000)
        walls.append(time.perf_counter() - t)
        loads.append(page.evaluate("performance.timing.loadEventEnd - performance.timing.navigationStart") / 1000)
        if ready:
            readies.append(page.evaluate("GP.readyAt") / 1000)
            draws.append(page.evaluate(
                """() => new Promise(res => { const c = GP.map.getCenter(); const t0 = performance.now();
                    GP.map.setView(c, 16, {animate: false});
                    requestAnimationFrame(() => requestAnimationFrame(() =>
                      res([performance.now() - t0, GP.layers.buildings_pv.shownCount()]))); })"""
            ))
        if errors:
            raise SystemExit(f"JS errors in {path}: {errors}")
        page.close()
    out = {"load_s": statistics.median(loads), "wall_s": statistics.median(walls)}
    if readies:
        out["ready_s"] = statistics.median(readies)
        out["draw_z16_s"] = statistics.median(d[0] for d in draws) / 1000
        out["drawn"] = draws[0][1]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--out", default="outputs/bench-map")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    layers, meta = synthetic_layers(a.n, seed=0)

    rows = []
    t = time.perf_counter()
    ours = write_map(layers, meta, out / "map.html")
    rows.append(("geopotential map (compact, lazy buckets)", ours, time.perf_counter() - t, "window.GP && GP.ready"))
    if not a.no_baseline:
        base = out / "baseline_folium_geojson.html"
        rows.append(("folium GeoJson + tooltip (perf-anchors D)", base, build_baseline(layers, base), None))

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        results = []
        for name, path, write_s, ready in rows:
            size = path.stat().st_size / 1e6
            gz = len(gzip.compress(path.read_bytes(), 6)) / 1e6
            results.append((name, size, gz, write_s, measure(browser, path, ready)))
        browser.close()

    print(f"{a.n} synthetic buildings, EPSG:2154 near Amiens; medians of 3 loads in headless Chromium (offline)")
    print(f"{'variant':45s} {'MB':>6s} {'gz MB':>6s} {'write s':>8s} {'load s':>7s} {'ready s':>8s} {'wall s':>7s} {'z16 draw s':>10s}")
    for name, size, gz, w, r in results:
        print(f"{name:45s} {size:6.2f} {gz:6.2f} {w:8.2f} {r['load_s']:7.2f} {r.get('ready_s', float('nan')):8.2f}"
              f" {r['wall_s']:7.2f} {r.get('draw_z16_s', float('nan')):10.2f}")
    name, size, gz, w, r = results[0]
    if len(results) > 1:
        b = results[1]
        print(f"ratios baseline/ours: size {b[1] / size:.2f}x, write {b[3] / w:.2f}x, "
              f"load {b[4]['load_s'] / r['load_s']:.2f}x, wall {b[4]['wall_s'] / r['wall_s']:.2f}x")
    print(f"buildings drawn at zoom 16 around the centre: {r['drawn']}")
    ok_size, ok_load = size < SIZE_LIMIT_MB, r["wall_s"] < LOAD_LIMIT_S
    print(f"limits: size {size:.2f} MB < {SIZE_LIMIT_MB} MB: {'OK' if ok_size else 'FAIL'}; "
          f"load (wall, to map ready) {r['wall_s']:.2f} s < {LOAD_LIMIT_S} s: {'OK' if ok_load else 'FAIL'}")
    if not (ok_size and ok_load):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

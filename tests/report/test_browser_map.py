"""map.html in headless Chromium: loads offline with no JS error, lists the layers, a click
on a building opens its popup with French-formatted figures, script payloads in source text
never run, and a 1280x800 screenshot is not blank."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from geopotential.report import labels as L
from geopotential.report._synthetic import XSS_PAYLOADS
from geopotential.report.map import write_map

pytestmark = pytest.mark.browser

TILE_HOSTS = ("tile.openstreetmap.org", "basemaps.cartocdn.com", "data.geopf.fr")


@pytest.fixture(scope="module")
def hostile_map(hostile, tmp_path_factory, artifacts_dir):
    layers, meta = hostile
    path = write_map(layers, meta, tmp_path_factory.mktemp("map") / "map.html")
    shutil.copy(path, artifacts_dir / "map_hostile.html")
    return path


def _assert_clean(probe):
    assert probe.errors == [], probe.errors
    assert probe.dialogs == [], f"a payload ran: {probe.dialogs}"
    assert probe.page.evaluate("window.__xss") is None, "a payload set window.__xss"
    n = probe.page.evaluate("document.querySelectorAll('img[onerror], svg[onload], [onload], [onerror]').length")
    assert n == 0


def test_loads_offline_and_lists_layers(probe, hostile_map):
    page = probe.open(hostile_map)
    _assert_clean(probe)
    # only basemap tiles were asked from the network: Leaflet, plugins, CSS are inlined
    assert probe.blocked, "the basemap should have requested tiles"
    assert all(any(h in u for h in TILE_HOSTS) for u in probe.blocked), probe.blocked
    assert page.evaluate("typeof L.control.groupedLayers === 'function' && typeof L.Control.MiniMap === 'function'")
    listed = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers label')).map(l => l.textContent.trim())"
    )
    for key in ("buildings_pv", "parcels_biogas", "digester_sites", "catchments", "existing_plants",
                "communes_pv", "communes_biogas", "communes_autonomy"):
        assert L.layer_name(key) in listed, (key, listed)
    for key in ("osm", "ign_plan", "ign_ortho", "carto_positron"):
        assert L.ui(f"basemap_{key}") in listed
    groups = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-group-name')).map(l => l.textContent.trim())"
    )
    assert {L.group_name(g) for g in ("solar", "biogas", "communes")} <= set(groups), groups
    assert page.locator(".leaflet-control-scale").count() == 1
    assert page.locator(".leaflet-control-minimap").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen, .fullscreen-icon").count() >= 1
    # legend has a title with units
    legend = page.inner_text(".gp-legend")
    assert "MWh/an" in legend and L.layer_name("communes_pv") in legend
    # title block names territory, date, scenario and says the data are synthetic
    title = page.inner_text("#gp-title")
    assert "Amiens Métropole" in title and "2026-11-28" in title and L.ui("synthetic") in title
    assert XSS_PAYLOADS[2] in title  # shown as text


def test_click_building_opens_popup_with_figures(probe, hostile_map, hostile, artifacts_dir):
    layers, _ = hostile
    b = layers["buildings_pv"]
    i = 250  # a building with a plain name, far from the payload ones
    page = probe.open(hostile_map)
    pt = b.geometry.iloc[[i]].representative_point().to_crs("EPSG:4326").iloc[0]
    xy = probe.point_on_screen(pt.y, pt.x)
    assert page.evaluate("GP.layers.buildings_pv.shownCount()") > 0
    page.mouse.click(xy[0], xy[1])
    popup = page.wait_for_selector(".leaflet-popup-content .gp-popup-body", timeout=5000)
    assert popup.get_attribute("data-gp-layer") == "buildings_pv"
    assert popup.get_attribute("data-gp-index") == str(i)
    text = popup.inner_text()
    row = b.iloc[i]
    assert row["building_id"] in text
    assert L.format_number(row["pv_energy_kwh_yr"], "fr", 0) + "\u00a0kWh/an" in text
    assert L.format_number(row["usable_area_m2"], "fr", 0) + "\u00a0m²" in text
    assert L.format_number(row["pv_capacity_kwp"], "fr", 1) + "\u00a0kWc" in text
    assert L.label("specific_yield_kwh_kwp_yr") in text
    _assert_clean(probe)
    page.mouse.move(5, 400)  # away from the building: the tooltip closes, the popup stays
    page.wait_for_timeout(400)  # popup fade-in
    page.screenshot(path=str(artifacts_dir / "map_popup_1280x800.png"))


def test_xss_payloads_do_not_execute(probe, hostile_map, hostile, artifacts_dir):
    layers, _ = hostile
    page = probe.open(hostile_map)
    # open every popup and tooltip that carries a payload: buildings 0-4, communes 0-2, parcels 0-2
    for layer, idx in (("buildings_pv", range(5)), ("communes_pv", range(3)), ("parcels_biogas", range(3)),
                       ("existing_plants", [1])):
        for i in idx:
            page.evaluate("([l, i]) => GP.focus(l, i)", [layer, i])
            content = page.inner_text(".leaflet-popup-content")
            assert content
    # tooltips: hover the first (hostile-named) building
    pt = layers["buildings_pv"].geometry.iloc[[0]].representative_point().to_crs("EPSG:4326").iloc[0]
    xy = page.evaluate("([lat, lng]) => { GP.map.closePopup(); GP.map.setView([lat, lng], 19, {animate:false});"
                       " const p = GP.map.latLngToContainerPoint([lat, lng]); return [p.x, p.y]; }", [pt.y, pt.x])
    page.mouse.move(xy[0], xy[1])
    page.mouse.move(xy[0] + 1, xy[1] + 1)
    tip = page.wait_for_selector(".gp-tooltip", timeout=5000)
    assert XSS_PAYLOADS[0] in tip.inner_text()  # the payload is shown as text
    # search list with payload names
    page.fill(".gp-search-input", "onerror")
    assert page.locator(".gp-search-item").count() >= 1
    page.fill(".gp-search-input", "script")
    page.wait_for_timeout(200)
    _assert_clean(probe)
    page.screenshot(path=str(artifacts_dir / "map_xss_1280x800.png"))


def test_search_by_commune_and_building(probe, hostile_map, hostile):
    layers, _ = hostile
    page = probe.open(hostile_map)
    page.fill(".gp-search-input", "CAMON")  # case-insensitive
    page.click(".gp-search-item")
    assert "Camon" in page.inner_text(".leaflet-popup-content")
    bid = layers["buildings_pv"]["building_id"].iloc[123]
    page.fill(".gp-search-input", bid)
    page.wait_for_selector(".gp-search-item")
    page.keyboard.press("Enter")
    page.wait_for_function("(bid) => { const c = document.querySelector('.leaflet-popup-content');"
                           " return c && c.textContent.includes(bid); }", arg=bid, timeout=5000)
    assert page.evaluate("GP.map.getZoom()") >= 15
    _assert_clean(probe)


def test_screenshot_not_blank(probe, plain, tmp_path, artifacts_dir):
    layers, meta = plain
    path = write_map(layers, meta, tmp_path / "map.html")
    shutil.copy(path, artifacts_dir / "map_demo.html")
    page = probe.open(path)
    shot = artifacts_dir / "map_1280x800.png"
    page.screenshot(path=str(shot))
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    assert img.shape[:2] == (800, 1280)
    rgb = (img[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours = np.unique(rgb, axis=0)
    assert len(colours) > 50 and rgb.std() > 10
    _assert_clean(probe)

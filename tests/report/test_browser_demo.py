"""The demo run's own map.html and report.html, in headless Chromium (what a planner opens)."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest

from geopotential.pipeline.demo_run import run_demo
from geopotential.report import labels as L


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_demo(out, n_buildings=500, show_progress=False)
    return result


def _clean(probe):
    assert probe.errors == [], probe.errors
    assert probe.dialogs == [], probe.dialogs


def test_demo_map_in_browser(probe, demo_run, artifacts_dir):
    page = probe.open(demo_run.map_html)
    _clean(probe)
    listed = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers label')).map(l => l.textContent.trim())"
    )
    for key in ("buildings_pv", "parcels_biogas", "digester_sites", "catchments", "communes_pv", "communes_autonomy"):
        assert L.layer_name(key) in listed, (key, listed)
    assert L.ui("synthetic") in page.inner_text("#gp-title")
    page.screenshot(path=str(artifacts_dir / "demo_run_map_1280x800.png"))

    # click the building with the largest potential: its popup shows its own figures
    b = pyogrio.read_dataframe(demo_run.gpkg, layer="buildings_pv")
    i = int(np.argmax(b["pv_energy_kwh_yr"].to_numpy()))
    pt = b.geometry.iloc[[i]].representative_point().to_crs("EPSG:4326").iloc[0]
    xy = probe.point_on_screen(pt.y, pt.x)
    page.wait_for_function("GP.layers.buildings_pv.shownCount() > 0", timeout=10000)
    page.mouse.click(xy[0], xy[1])
    popup = page.wait_for_selector(".leaflet-popup-content .gp-popup-body", timeout=5000)
    text = popup.inner_text()
    row = b.iloc[i]
    assert row["building_id"] in text
    assert L.format_number(row["pv_energy_kwh_yr"], "fr", 0) + "\u00a0kWh/an" in text
    _clean(probe)
    page.mouse.move(5, 400)
    page.wait_for_timeout(400)
    png = artifacts_dir / "demo_run_map_popup_1280x800.png"
    page.screenshot(path=str(png))
    # not blank: many distinct colours
    from PIL import Image

    assert len(Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50


def test_demo_report_in_browser(probe, demo_run, artifacts_dir):
    page = probe.open(demo_run.report_html, ready=None)
    page.wait_for_load_state("load")
    _clean(probe)
    assert probe.blocked == []  # the report needs no network
    images = page.evaluate("Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth])")
    assert len(images) >= 5 and all(w > 0 for _, w in images), images
    assert page.locator("#balance-chart").count() == 1
    assert page.locator("#scenarios").count() == 1
    assert "synth" in page.inner_text("body").lower()
    page.screenshot(path=str(artifacts_dir / "demo_run_report_1280x800.png"), full_page=False)

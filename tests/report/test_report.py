"""report.html, summary.csv and figures; and report.html in headless Chromium."""

from __future__ import annotations

import shutil

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from geopotential.report import labels as L
from geopotential.report._synthetic import XSS_PAYLOADS
from geopotential.report.report import summary_table, territory_totals, write_report


@pytest.fixture(scope="module")
def hostile_report(hostile, tmp_path_factory, artifacts_dir):
    layers, meta = hostile
    out = tmp_path_factory.mktemp("report")
    path = write_report(layers, meta, out)
    dest = artifacts_dir / "report_hostile"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(out, dest)
    return path


def test_files_and_figures(hostile_report):
    out = hostile_report.parent
    for name in ("communes_potential", "pv_distributions", "biogas_by_resource", "digester_sizes"):
        img = mpimg.imread(out / "figures" / f"{name}.png")
        assert img.shape[0] > 100 and img[..., :3].std() > 0.05, name
    assert (out / "summary.csv").is_file()


def test_totals_conserved_and_csv_same_content(hostile, hostile_report):
    layers, _ = hostile
    tot = {k: v for k, v, _ in territory_totals(layers)}
    b = layers["buildings_pv"]
    assert tot["pv_energy_mwh_yr"] == pytest.approx(b["pv_energy_kwh_yr"].sum() / 1000)
    assert tot["n_buildings_included"] == (b["exclusion_reason"] == "").sum()
    csv = pd.read_csv(hostile_report.parent / "summary.csv", keep_default_na=False)
    terr = csv[csv.scope == "territory"].set_index("indicator")["value"].astype(float)
    assert terr["pv_energy_mwh_yr"] == pytest.approx(tot["pv_energy_mwh_yr"])
    com = csv[(csv.scope == "commune") & (csv.indicator == "pv_energy_mwh_yr")]["value"].astype(float)
    assert com.sum() == pytest.approx(layers["communes_summary"]["pv_energy_mwh_yr"].sum())
    # formula injection neutralised in text cells
    assert not csv["commune_name"].astype(str).str.startswith(("=", "+", "@")).any()


def test_html_escaped_has_tables_parameters_and_caveats(hostile_report):
    html = hostile_report.read_text(encoding="utf-8")
    for p in XSS_PAYLOADS[:4]:
        assert p not in html
    assert "<script" not in html.lower()  # the report carries no script at all
    assert "Content-Security-Policy" in html
    assert 'id="totals"' in html and 'class="communes"' in html and 'id="parameters"' in html
    assert "report_map_parameters" in html  # parameters and their sources listed
    assert L.ui("synthetic") in html and "Limites" in html


def test_missing_layers_do_not_crash(tmp_path):
    p = write_report({"buildings_pv": None}, {"territory": "Vide"}, tmp_path)
    assert p.is_file() and summary_table({}, {}).empty


@pytest.mark.browser
def test_report_in_browser(probe, hostile_report, artifacts_dir):
    page = probe.open(hostile_report, ready=None)
    page.wait_for_load_state("load")
    assert probe.errors == [] and probe.dialogs == []
    assert page.evaluate("window.__xss") is None
    widths = page.evaluate("Array.from(document.images).map(i => i.naturalWidth)")
    assert len(widths) == 4 and min(widths) > 0  # every figure loaded from figures/
    assert XSS_PAYLOADS[2] in page.inner_text("h1")
    assert probe.blocked == []  # the report needs no network at all
    shot = artifacts_dir / "report_1280x800.png"
    page.screenshot(path=str(shot))
    rgb = (mpimg.imread(shot)[..., :3] * 255).astype(np.uint8)
    assert rgb.shape[:2] == (800, 1280) and rgb.std() > 10 and len(np.unique(rgb.reshape(-1, 3), axis=0)) > 20

"""Escaping helpers, labels and number format, classes, parameters, vendored assets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from geopotential.exceptions import ComputationError
from geopotential.report import assets, classes
from geopotential.report import labels as L
from geopotential.report.escaping import csv_safe, escape_html, json_for_script, mpl_safe
from geopotential.report.parameters import MapParameters


def test_escape_html_and_none():
    assert escape_html('"><svg onload=x>') == "&quot;&gt;&lt;svg onload=x&gt;"
    assert escape_html(None) == "" and escape_html(float("nan")) == ""


def test_json_for_script_cannot_close_the_element_and_round_trips():
    obj = {"name": "</script><script>alert(1)</script>", "u": "\u2028&", "n": np.int64(3)}
    txt = json_for_script(obj)
    assert "<" not in txt and ">" not in txt and "&" not in txt and "\u2028" not in txt
    assert json.loads(txt) == {"name": obj["name"], "u": "\u2028&", "n": 3}


def test_csv_and_mpl_safe():
    assert csv_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and csv_safe("Amiens") == "Amiens" and csv_safe(3) == 3
    assert mpl_safe("$x$") == r"\$x\$"


def test_french_and_english_number_format():
    assert L.format_number(1234567.891, "fr", 1) == "1\u202f234\u202f567,9"
    assert L.format_number(1234567.891, "en", 0) == "1,234,568"
    assert L.format_number(-0.01, "fr", 1) == "0,0"
    assert L.format_number(None) == "" and L.format_number(float("nan")) == ""
    assert L.format_value("pv_energy_kwh_yr", 12345.4) == "12\u202f345 kWh/an"
    assert L.format_value("autonomy_ratio_potential", 0.456) == "46 %"
    assert L.label_with_unit("pv_capacity_kwp", "en") == "Installable capacity (kWp)"
    assert L.label("unknown_col") == "unknown_col"


def test_nice_breaks_and_graduated_labels():
    b = classes.nice_breaks(np.arange(1, 101, dtype=float), 5)
    assert b == [21.0, 41.0, 60.0, 80.0, 100.0]
    assert classes.nice_breaks([np.nan], 5) == []
    st = classes.graduated_style([0.05, 0.3, 1.3], "autonomy_ratio_potential", "RdYlGn", 5, "fr",
                                 breaks=classes.AUTONOMY_BREAKS)
    assert st.values[:4] == [0.1, 0.25, 0.5, 1.0] and len(st.colors) == len(st.values) == 5
    assert st.labels[0] == "≤ 10" and st.labels[-1] == "> 100"


def test_pv_class_direction_follows_yield():
    df = pd.DataFrame({"pv_class": [1, 2, 3], "specific_yield_kwh_kwp_yr": [1100, 1000, 900],
                       "pv_class_label": ["Bon", "Moyen", "Faible"]})
    st = classes.pv_class_style(df, "fr")
    assert st.colors[0] == classes.PV_CLASS_COLORS[-1]  # class 1 best -> red
    df["specific_yield_kwh_kwp_yr"] = [900, 1000, 1100]
    st2 = classes.pv_class_style(df, "fr")
    assert st2.colors[0] == classes.PV_CLASS_COLORS[0]  # class 1 worst -> blue
    assert st.labels[0] == "Classe 1 – Bon"


def test_map_parameters_defaults_from_table_and_validation():
    p = MapParameters()
    assert p.simplify_tolerance_m == 0.2 and p.coordinate_precision_digits == 6 and p.building_min_zoom == 15
    assert isinstance(p.max_features_per_layer, int) and p.offline is True and p.language == "fr"
    assert "perf-anchors" in MapParameters.model_fields["simplify_tolerance_m"].description
    with pytest.raises(ValidationError):
        MapParameters(language="de")
    with pytest.raises(ValidationError):
        MapParameters(unknown=1)
    with pytest.raises(ValidationError):
        MapParameters(simplify_tolerance_m=-1)


def test_vendored_assets_match_registry_copies(tmp_path, monkeypatch):
    assets.verify_vendor()
    names = {e["npm_package"] for e in assets.manifest()}
    assert names == {"leaflet", "leaflet.fullscreen", "leaflet-minimap", "leaflet-groupedlayercontrol"}
    block = assets.vendor_block()
    assert "url(images/" not in block and "data:image/png;base64," in block
    # a tampered copy is refused
    fake = tmp_path / "vendor"
    fake.mkdir()
    for e in assets.manifest():
        (fake / e["file"]).parent.mkdir(parents=True, exist_ok=True)
        (fake / e["file"]).write_bytes((assets.VENDOR_DIR / e["file"]).read_bytes())
    (fake / "MANIFEST.json").write_bytes((assets.VENDOR_DIR / "MANIFEST.json").read_bytes())
    (fake / "leaflet.js").write_text("alert(1)")
    monkeypatch.setattr(assets, "VENDOR_DIR", fake)
    with pytest.raises(ComputationError, match="leaflet.js"):
        assets.verify_vendor()

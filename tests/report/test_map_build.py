"""build_map / write_map without a browser: offline HTML, escaping, missing layers/columns."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely

from geopotential.exceptions import InputError
from geopotential.report._synthetic import XSS_PAYLOADS
from geopotential.report.map import build_map, write_map
from geopotential.report.parameters import MapParameters

EXTERNAL = re.compile(r"""<(script|link)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", re.I)


def _html(layers, meta, params=None):
    return build_map(layers, meta, params).get_root().render()


def test_offline_html_has_no_external_script_or_css(hostile):
    html = _html(*hostile)
    assert not EXTERNAL.search(html)
    assert "L.control.groupedLayers" in html and "GP.finish" in html
    assert "Leaflet 1.9.4" in html  # inlined from the vendored npm copy


def test_online_html_links_cdn_but_not_unused_assets(plain):
    html = _html(*plain, MapParameters(offline=False))
    assert EXTERNAL.search(html)
    assert "leaflet@1.9.3/dist/leaflet.js" in html
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()


def test_payloads_never_appear_raw_in_html(hostile):
    html = _html(*hostile)
    for payload in XSS_PAYLOADS[:4]:
        assert payload not in html, payload
    # </script> inside data cannot close the JSON element
    assert "\\u003c/script\\u003e" in html
    # the title block is escaped
    assert "&lt;svg onload=" in html or "&quot;&gt;&lt;svg onload=" in html


def test_missing_layers_and_optional_columns(plain):
    layers, meta = plain
    only = {"communes_summary": layers["communes_summary"].drop(columns=["autonomy_ratio_today",
                                                                         "autonomy_ratio_potential"])}
    html = _html(only, {"territory": "X"})
    assert "communes_pv" in html and "communes_autonomy" not in html
    b = layers["buildings_pv"][["building_id", "geometry"]]  # no PV columns at all
    html = _html({"buildings_pv": b, "existing_plants": None}, {})
    assert "buildings_pv" in html
    assert _html({}, {})  # nothing at all still makes a map


def test_layer_without_crs_or_not_a_geodataframe_is_named():
    g = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(InputError, match="digester_sites"):
        build_map({"digester_sites": g}, {})
    with pytest.raises(InputError, match="catchments"):
        build_map({"catchments": [1, 2]}, {})


def test_write_map_file_and_cap_reported(plain, tmp_path):
    layers, meta = plain
    p = write_map(layers, meta, tmp_path / "sub" / "map.html", MapParameters(max_features_per_layer=50))
    html = p.read_text(encoding="utf-8")
    assert '"leftOut":' + str(len(layers["buildings_pv"]) - 50) in html
    assert not (tmp_path / "sub" / "map.html.tmp").exists()


def test_english_labels(plain):
    html = _html(*plain, MapParameters(language="en"))
    assert "Buildings \\u2013 solar potential" in html or "Buildings – solar potential" in html
    assert '"lang":"en"' in html


def test_empty_layers_and_all_nan_column(plain, tmp_path):
    import numpy as np

    from geopotential.report.report import write_report

    layers, meta = plain
    empty = {k: v.iloc[:0] for k, v in layers.items()}
    html = _html(empty, meta)
    assert 'id="gp-data-' not in html  # empty layers are not drawn
    assert write_report(empty, meta, tmp_path / "e").is_file()
    c = layers["communes_summary"].copy()
    c["pv_energy_mwh_yr"] = np.nan
    c["population"] = c["population"].astype(str)
    html = _html({"communes_summary": c}, meta)
    assert "communes_pv" in html
    assert write_report({"communes_summary": c}, meta, tmp_path / "n").is_file()

"""QGIS styles and field dictionary in the GeoPackage; notebook summary and explore()."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import folium
import pandas as pd
import pyogrio
import pytest

from geopotential.exceptions import InputError, MissingFieldError
from geopotential.report._synthetic import XSS_PAYLOADS
from geopotential.report.classes import layer_styles
from geopotential.report.notebook import ResultsView, explore, explore_layer
from geopotential.report.qgis_styles import default_field_dictionary, write_field_dictionary, write_qgis_styles


@pytest.fixture()
def gpkg(plain, tmp_path):
    layers, _ = plain
    p = tmp_path / "geopotential.gpkg"
    for k, g in layers.items():
        g.to_file(p, layer=k)
    return p


def _rgb(hexc):
    h = hexc.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)}"


def test_styles_same_classes_and_colours_as_map(plain, gpkg):
    layers, _ = plain
    written = write_qgis_styles(gpkg, layers)
    assert ("buildings_pv", "buildings_pv") in written
    assert "layer_styles" in pyogrio.list_layers(gpkg)[:, 0]
    df = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    styles = layer_styles(layers, 5, "fr")
    b = ET.fromstring(df.loc[df.f_table_name == "buildings_pv", "styleQML"].iloc[0].split("\n", 1)[1])
    r = b.find("renderer-v2")
    assert r.get("type") == "categorizedSymbol" and r.get("attr") == "pv_class"
    assert [c.get("value") for c in r.iter("category")] == [str(v) for v in styles["buildings_pv"].values]
    colours = [o.get("value") for o in r.iter("Option") if o.get("name") == "color"]
    assert [c.rsplit(",", 1)[0] for c in colours] == [_rgb(c) for c in styles["buildings_pv"].colors]
    aliases = {a.get("field"): a.get("name") for a in b.iter("alias")}
    assert aliases["pv_energy_kwh_yr"] == "Production PV (kWh/an)"
    c = df[df.f_table_name == "communes_summary"]
    assert len(c) == 3 and c.useAsDefault.sum() == 1
    q = ET.fromstring(c.styleQML.iloc[0].split("\n", 1)[1])
    uppers = [float(x.get("upper")) for x in q.iter("range")]
    assert uppers == pytest.approx(styles["communes_pv"].values)
    # writing again replaces, not duplicates
    write_qgis_styles(gpkg, layers)
    assert len(pyogrio.read_dataframe(gpkg, layer="layer_styles")) == len(df)


def test_hostile_labels_are_valid_xml(hostile, tmp_path):
    layers, _ = hostile
    layers = dict(layers)
    b = layers["buildings_pv"].copy()
    b["pv_class_label"] = XSS_PAYLOADS[0]
    layers["buildings_pv"] = b
    p = tmp_path / "h.gpkg"
    b.to_file(p, layer="buildings_pv")
    write_qgis_styles(p, {"buildings_pv": b})
    qml = pyogrio.read_dataframe(p, layer="layer_styles").styleQML.iloc[0]
    labels = [c.get("label") for c in ET.fromstring(qml.split("\n", 1)[1]).iter("category")]
    assert all(XSS_PAYLOADS[0] in lab for lab in labels)


def test_field_dictionary_table(plain, gpkg):
    layers, _ = plain
    n = write_field_dictionary(gpkg, default_field_dictionary(layers))
    fd = pyogrio.read_dataframe(gpkg, layer="field_dictionary")
    assert len(fd) == n > 20
    row = fd[(fd.layer == "buildings_pv") & (fd.name == "pv_energy_kwh_yr")].iloc[0]
    assert row.unit == "kWh/yr" and row.description == "Production PV"
    with pytest.raises(MissingFieldError, match="unit"):
        write_field_dictionary(gpkg, pd.DataFrame({"name": ["a"], "description": ["b"], "source": ["c"]}))
    with pytest.raises(InputError, match="GeoPackage not found"):
        write_field_dictionary(gpkg.with_name("none.gpkg"), default_field_dictionary(layers))


def test_results_view_repr_and_explore(hostile):
    layers, meta = hostile
    v = ResultsView(layers, meta, {"map": "outputs/demo/map.html"})
    html = v._repr_html_()
    assert "buildings_pv" in html and "MWh/an" in html and "outputs/demo/map.html" in html
    assert XSS_PAYLOADS[2] not in html and "&lt;svg" in html
    assert "buildings_pv=600" in repr(v)
    m = v.explore("buildings_pv")
    assert isinstance(m, folium.Map) and "GP.addLayer" in m.get_root().render()
    with pytest.raises(KeyError, match="nope"):
        v.explore("nope")
    other = explore(layers["communes_summary"][["commune_name", "geometry"]], name="my table")
    html = other.get_root().render()
    assert "GP.addLayer" in html and "GeoJsonTooltip" not in html
    for p in XSS_PAYLOADS[:4]:
        assert p not in html
    with pytest.raises(InputError, match="lines"):
        explore(layers["catchments"].boundary.to_frame("geometry").set_geometry("geometry"), name="lines")


def test_explore_layer_by_column(plain):
    layers, _ = plain
    m = explore_layer(layers["buildings_pv"], "buildings_pv", column="pv_energy_kwh_yr", tooltip=False)
    html = m.get_root().render()
    assert '"kind":"graduated"' in html and '"column":"pv_energy_kwh_yr"' in html
    with pytest.raises(InputError, match="nope"):
        explore_layer(layers["buildings_pv"], "buildings_pv", column="nope")

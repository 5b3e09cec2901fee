"""OpenStreetMap XML / PBF extracts read with GDAL's OSM driver."""

from __future__ import annotations

import pytest

from geopotential.exceptions import InputError
from geopotential.io.buildings import read_buildings

# Two buildings near Amiens cathedral (a tagged house and a flat-roofed shop), one park.
OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="geopotential-test">
  <node id="1" lat="49.8940" lon="2.3020" version="1"/>
  <node id="2" lat="49.8940" lon="2.3022" version="1"/>
  <node id="3" lat="49.8941" lon="2.3022" version="1"/>
  <node id="4" lat="49.8941" lon="2.3020" version="1"/>
  <node id="5" lat="49.8950" lon="2.3030" version="1"/>
  <node id="6" lat="49.8950" lon="2.3033" version="1"/>
  <node id="7" lat="49.8952" lon="2.3033" version="1"/>
  <node id="8" lat="49.8952" lon="2.3030" version="1"/>
  <node id="9" lat="49.8960" lon="2.3040" version="1"/>
  <node id="10" lat="49.8960" lon="2.3050" version="1"/>
  <node id="11" lat="49.8965" lon="2.3050" version="1"/>
  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="building" v="house"/><tag k="building:levels" v="2"/><tag k="roof:shape" v="gabled"/>
    <tag k="name" v="&lt;img src=x onerror=alert(1)&gt;"/></way>
  <way id="101" version="1"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="5"/>
    <tag k="building" v="retail"/><tag k="height" v="7 m"/><tag k="roof:shape" v="flat"/></way>
  <way id="102" version="1"><nd ref="9"/><nd ref="10"/><nd ref="11"/><nd ref="9"/>
    <tag k="leisure" v="park"/></way>
</osm>
"""


def test_osm_xml_buildings(tmp_path):
    path = tmp_path / "extract.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    b = read_buildings(path).set_index("building_id")
    assert sorted(b.index) == ["w100", "w101"]  # the park is not a building
    assert b.crs.to_epsg() == 2154
    assert b.loc["w100", "n_floors"] == 2 and b.loc["w100", "roof_shape"] == "gabled"
    assert b.loc["w101", "height_m"] == pytest.approx(7.0) and b.loc["w101", "roof_shape"] == "flat"
    assert b.loc["w101", "usage"] == "retail"
    assert b.loc["w100", "name"] == "<img src=x onerror=alert(1)>"  # kept as text, escaped on display
    assert 150 < b.loc["w100"].geometry.area < 190  # ~14.3 m x 11.1 m


def test_osm_file_without_buildings(tmp_path):
    path = tmp_path / "park.osm"
    path.write_text(OSM_XML.replace('k="building"', 'k="amenity"'), encoding="utf-8")
    with pytest.raises(InputError, match="no building"):
        read_buildings(path)

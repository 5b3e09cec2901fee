"""Engine input checks and the roofs-only mode."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from geopotential.exceptions import InputError, MissingFieldError
from geopotential.shading.engine import roof_irradiation_from_dsm
from geopotential.shading.parameters import ShadingParameters

T = Affine(1.0, 0.0, 648000.0, 0.0, -1.0, 6977000.0)


def _scene():
    dsm = np.zeros((120, 120), np.float32)
    dsm[40:60, 20:50] = 6.0  # low building
    dsm[62:90, 20:50] = 20.0  # tall building just south of it
    dsm[40:60, 80:110] = 6.0  # same low building, open
    boxes = [shapely.box(648020, 6977000 - 60, 648050, 6977000 - 40),
             shapely.box(648020, 6977000 - 90, 648050, 6977000 - 62),
             shapely.box(648080, 6977000 - 60, 648110, 6977000 - 40),
             shapely.box(649000, 6978000, 649010, 6978010)]  # far outside
    b = gpd.GeoDataFrame({"building_id": ["low_shaded", "tall", "low_open", "away"]}, geometry=boxes, crs="EPSG:2154")
    return dsm, b


def test_building_south_of_a_taller_one_loses_more(gbg_weather):
    weather, meta = gbg_weather
    dsm, b = _scene()
    r = roof_irradiation_from_dsm(dsm, T, "EPSG:2154", b, weather, meta)
    s = r.buildings.set_index("building_id")
    assert s.loc["away", "exclusion_reason"] == "outside DSM"
    assert s.loc["low_open", "shading_loss_pct"] < 1.0
    assert s.loc["low_shaded", "shading_loss_pct"] > 20.0
    assert s.loc["low_open", "roof_irradiation_kwh_m2_yr"] == pytest.approx(r.horizontal_unshaded_kwh_m2_yr, rel=0.01)
    # the open flat roof is one flat face of its footprint shrunk by the 1 m edge buffer: 28 x 18 m
    f = r.faces[r.faces["building_id"] == "low_open"]
    assert len(f) == 1 and bool(f["is_flat"].iloc[0])
    assert f["area_m2"].iloc[0] == pytest.approx(28 * 18, rel=0.01)
    assert f["usable_area_m2"].iloc[0] == pytest.approx(28 * 18, rel=0.01)
    shaded = r.faces[r.faces["building_id"] == "low_shaded"]
    assert shaded["usable_area_m2"].sum() < shaded["area_m2"].sum()


def test_roofs_only_gives_the_same_roof_values(gbg_weather):
    weather, meta = gbg_weather
    dsm, b = _scene()
    full = roof_irradiation_from_dsm(dsm, T, "EPSG:2154", b, weather, meta)
    roofs = roof_irradiation_from_dsm(dsm, T, "EPSG:2154", b, weather, meta, params=ShadingParameters(roofs_only=True))
    on = np.isfinite(roofs.irradiation_kwh_m2_yr)
    assert 0 < on.mean() < 0.5
    np.testing.assert_array_equal(roofs.irradiation_kwh_m2_yr[on], full.irradiation_kwh_m2_yr[on])
    pd.testing.assert_frame_equal(roofs.buildings, full.buildings)
    pd.testing.assert_frame_equal(roofs.faces, full.faces)


def test_bad_inputs_raise_project_errors(gbg_weather):
    weather, meta = gbg_weather
    dsm, b = _scene()
    with pytest.raises(MissingFieldError, match="building_id"):
        roof_irradiation_from_dsm(dsm, T, "EPSG:2154", b.rename(columns={"building_id": "id"}), weather, meta)
    with pytest.raises(InputError, match="metres"):
        roof_irradiation_from_dsm(dsm, Affine(0.001, 0, 2.3, 0, -0.001, 49.9), "EPSG:4326", b, weather, meta)
    with pytest.raises(InputError, match="canopy"):
        roof_irradiation_from_dsm(dsm, T, "EPSG:2154", b, weather, meta, canopy=np.zeros((5, 5)))
    with pytest.raises(InputError, match="ghi"):
        roof_irradiation_from_dsm(dsm, T, "EPSG:2154", b, weather.drop(columns="ghi"), meta)


def test_nodata_hole_in_a_roof_does_not_bias_it(gbg_weather):
    weather, meta = gbg_weather
    dsm, b = _scene()
    holed = dsm.copy()
    holed[44:50, 86:92] = np.nan  # LiDAR dropout inside the open low roof
    r0 = roof_irradiation_from_dsm(dsm, T, "EPSG:2154", b, weather, meta)
    r1 = roof_irradiation_from_dsm(holed, T, "EPSG:2154", b, weather, meta)
    s0 = r0.buildings.set_index("building_id")
    s1 = r1.buildings.set_index("building_id")
    assert s1.loc["low_open", "exclusion_reason"] == ""
    assert s1.loc["low_open", "dsm_coverage_fraction"] == pytest.approx(1 - 36 / 600)
    assert s1.loc["low_open", "roof_irradiation_kwh_m2_yr"] == pytest.approx(
        s0.loc["low_open", "roof_irradiation_kwh_m2_yr"], rel=0.005)
    assert np.isnan(r1.irradiation_kwh_m2_yr[44:50, 86:92]).all()

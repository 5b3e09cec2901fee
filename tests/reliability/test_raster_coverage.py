"""Rasters that do not cover the footprints: buildings are flagged with a reason and get
NaN irradiation, never zero; a window or a sample outside the raster is None / NaN."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geopotential.io.irradiance_raster import sample_irradiation_raster
from geopotential.io.raster_window import read_raster_window
from geopotential.shading.engine import roof_irradiation_from_dsm

from ._builders import X0, Y0, write_tif
from ._shading import META, clear_day, scene


@pytest.fixture(scope="module")
def result():
    dsm, transform, buildings = scene()
    res = roof_irradiation_from_dsm(dsm, transform, "EPSG:2154", buildings, clear_day(), META)
    return res.buildings.set_index("building_id"), res.faces


def test_building_outside_dsm_is_flagged_not_zero(result):
    s, faces = result
    row = s.loc["out"]
    assert row["exclusion_reason"] == "outside DSM"
    assert row["dsm_coverage_fraction"] == 0.0
    assert np.isnan(row["roof_irradiation_kwh_m2_yr"]) and np.isnan(row["shading_loss_pct"])
    assert "out" not in set(faces["building_id"])


def test_building_partly_outside_dsm_is_flagged(result):
    s, faces = result
    row = s.loc["edge"]
    assert row["exclusion_reason"] == "partly outside DSM"
    assert row["dsm_coverage_fraction"] == pytest.approx(0.25)
    assert np.isnan(row["roof_irradiation_kwh_m2_yr"]) and "edge" not in set(faces["building_id"])


def test_covered_buildings_are_computed(result):
    s, _ = result
    for b in ("in", "twin"):
        assert s.loc[b, "exclusion_reason"] == "" and s.loc[b, "dsm_coverage_fraction"] == 1.0
        assert s.loc[b, "roof_irradiation_kwh_m2_yr"] > 0
    assert s.loc["in", "roof_irradiation_kwh_m2_yr"] == pytest.approx(s.loc["twin", "roof_irradiation_kwh_m2_yr"])


def test_window_outside_every_tile_is_none(tmp_path):
    path = write_tif(tmp_path / "dsm.tif", np.ones((10, 10)))
    assert read_raster_window([path], (X0 + 1000, Y0, X0 + 1010, Y0 + 10), margin_m=5) is None


def test_window_partly_outside_is_padded_with_nan(tmp_path):
    path = write_tif(tmp_path / "dsm.tif", np.ones((10, 10)))
    r = read_raster_window([path], (X0 + 5, Y0, X0 + 15, Y0 + 10))
    assert r.array.shape == (10, 10)
    assert np.isnan(r.array[:, 5:]).all() and (r.array[:, :5] == 1.0).all()


def test_irradiation_sample_outside_raster_is_nan(tmp_path):
    path = write_tif(tmp_path / "ghi.tif", np.full((10, 10), 1150.0))
    pts = gpd.GeoDataFrame(geometry=[shapely.box(X0 + 2, Y0 + 2, X0 + 4, Y0 + 4),
                                     shapely.box(X0 + 500, Y0, X0 + 510, Y0 + 5),
                                     shapely.Polygon()], crs=2154)
    v = sample_irradiation_raster(path, pts)
    assert v[0] == 1150.0 and np.isnan(v[1:]).all()

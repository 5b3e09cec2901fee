"""DSM / raster nodata, NaN, infinite and negative values: nodata and non-finite values
become NaN (never a height or an irradiation), heights below sea level are kept (the
shading works on height differences), a DSM without any valid pixel is an error."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from rasterio.transform import from_origin

from geopotential.exceptions import InputError
from geopotential.io.dsm import read_raster
from geopotential.io.irradiance_raster import sample_irradiation_raster
from geopotential.io.raster_window import read_raster_window
from geopotential.shading.engine import roof_irradiation_from_dsm

from ._builders import X0, Y0, project_error, write_tif
from ._shading import META, clear_day, scene


@pytest.fixture
def dsm_values():
    a = np.full((20, 20), 50.0)
    a[0, 0] = -9999.0  # declared nodata
    a[1, 1] = np.nan
    a[2, 2] = np.inf
    a[3, 3] = -np.inf
    a[4, 4] = -5.0  # below sea level: a real height
    return a


def test_nodata_nan_inf_become_nan(tmp_path, dsm_values):
    r = read_raster(write_tif(tmp_path / "dsm.tif", dsm_values, nodata=-9999.0))
    assert r.array.dtype == np.float32
    assert np.isnan(r.array[[0, 1, 2, 3], [0, 1, 2, 3]]).all()
    assert r.array[4, 4] == -5.0
    assert np.isfinite(r.array).sum() == 400 - 4


def test_integer_raster_nodata(tmp_path):
    a = np.array([[0, 12], [-32768, 15]])
    r = read_raster(write_tif(tmp_path / "dsm.tif", a, nodata=-32768, dtype="int16"))
    assert np.isnan(r.array[1, 0]) and r.array[0, 0] == 0.0 and r.array[1, 1] == 15.0


def test_window_nodata_becomes_nan(tmp_path, dsm_values):
    path = write_tif(tmp_path / "dsm.tif", dsm_values, nodata=-9999.0)
    r = read_raster_window([path], (X0, Y0 + 15, X0 + 5, Y0 + 20))
    assert r.array.shape == (5, 5)
    assert np.isnan(r.array[[0, 1], [0, 1]]).all() and r.array[4, 4] == -5.0


def test_window_infinite_values_become_nan(tmp_path, dsm_values):
    path = write_tif(tmp_path / "dsm.tif", dsm_values, nodata=-9999.0)
    r = read_raster_window([path], (X0, Y0 + 15, X0 + 5, Y0 + 20))
    assert np.isnan(r.array[[2, 3], [2, 3]]).all()


def test_irradiation_sample_on_nodata_is_nan(tmp_path):
    path = write_tif(tmp_path / "ghi.tif", np.array([[-9999.0, 1200.0]]), transform=from_origin(X0, Y0 + 1, 1, 1),
                     nodata=-9999.0)
    pts = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 0.5, Y0 + 1), shapely.box(X0 + 1, Y0, X0 + 1.5, Y0 + 1)],
                           crs=2154)
    v = sample_irradiation_raster(path, pts)
    assert np.isnan(v[0]) and v[1] == 1200.0


def test_dsm_without_valid_pixel_is_an_error():
    dsm, transform, buildings = scene()
    err = project_error(roof_irradiation_from_dsm, np.full_like(dsm, np.nan), transform, "EPSG:2154", buildings,
                        clear_day(), META)
    assert isinstance(err, InputError) and err.field == "dsm" and "no valid pixel" in str(err)


def test_sentinel_without_nodata_tag(tmp_path, dsm_values):
    r = read_raster(write_tif(tmp_path / "dsm.tif", dsm_values, nodata=None))
    assert np.isnan(r.array[0, 0]) or np.nanmin(r.array) > -500


def test_negative_irradiation_value(tmp_path):
    path = write_tif(tmp_path / "ghi.tif", np.array([[-50.0, 1200.0]]), transform=from_origin(X0, Y0 + 1, 1, 1))
    pts = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 0.5, Y0 + 1)], crs=2154)
    try:
        v = sample_irradiation_raster(path, pts)
    except InputError:
        return
    assert not (v < 0).any()


def test_nodata_hole_in_a_roof_does_not_bias_it():
    dsm, transform, buildings = scene(hole=True)
    res = roof_irradiation_from_dsm(dsm, transform, "EPSG:2154", buildings, clear_day(), META)
    s = res.buildings.set_index("building_id")
    assert s.loc["twin", "exclusion_reason"] == ""
    assert s.loc["twin", "roof_irradiation_kwh_m2_yr"] == pytest.approx(s.loc["in", "roof_irradiation_kwh_m2_yr"],
                                                                       rel=0.05)


def test_negative_irradiation_value_is_nan_and_counted(tmp_path, geo_log):
    path = write_tif(tmp_path / "ghi.tif", np.array([[-50.0, 1200.0]]), transform=from_origin(X0, Y0 + 1, 1, 1))
    pts = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 0.5, Y0 + 1), shapely.box(X0 + 1, Y0, X0 + 2, Y0 + 1)],
                           crs=2154)
    v = sample_irradiation_raster(path, pts)
    assert np.isnan(v[0]) and v[1] == 1200.0
    assert "1 building(s) sample a negative irradiation value" in geo_log.text

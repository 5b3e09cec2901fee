"""Mismatched resolutions, CRSs and grids: DSM tiles must share CRS and resolution (error
naming the tile); pixels must be square and north-up; a DEM or canopy is resampled onto the
DSM grid when read for a work unit; arrays of other shapes are refused by the engine."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from rasterio.transform import from_origin

from geopotential.exceptions import InputError
from geopotential.io.dsm import read_raster
from geopotential.io.raster_window import read_raster_window
from geopotential.shading.engine import roof_irradiation_from_dsm

from ._builders import X0, Y0, project_error, write_tif
from ._shading import META, clear_day, scene


def test_tiles_with_different_resolution(tmp_path):
    a = write_tif(tmp_path / "a.tif", np.ones((10, 10)))
    b = write_tif(tmp_path / "b.tif", np.ones((5, 5)), transform=from_origin(X0 + 10, Y0 + 10, 2, 2))
    err = project_error(read_raster, [a, b])
    assert isinstance(err, InputError) and "resolution differs" in str(err) and str(b) in str(err)


def test_tiles_with_different_crs(tmp_path):
    a = write_tif(tmp_path / "a.tif", np.ones((10, 10)))
    b = write_tif(tmp_path / "b.tif", np.ones((10, 10)), crs="EPSG:3857")
    err = project_error(read_raster, [a, b])
    assert "differs" in str(err) and "Pseudo-Mercator" in str(err) and str(b) in str(err)


def test_adjacent_tiles_are_mosaicked(tmp_path):
    a = write_tif(tmp_path / "a.tif", np.full((10, 10), 1.0))
    b = write_tif(tmp_path / "b.tif", np.full((10, 10), 2.0), transform=from_origin(X0 + 10, Y0 + 10, 1, 1))
    r = read_raster([a, b])
    assert r.array.shape == (10, 20) and r.array.sum() == pytest.approx(300.0)


def test_non_square_pixels(tmp_path):
    path = write_tif(tmp_path / "a.tif", np.ones((10, 10)), transform=from_origin(X0, Y0, 1, 2))
    assert "square" in str(project_error(read_raster, path))


def test_rotated_raster(tmp_path):
    path = write_tif(tmp_path / "a.tif", np.ones((5, 5)), transform=Affine(1, 0.2, X0, 0.2, -1, Y0))
    assert "north-up" in str(project_error(read_raster, path))


def test_dem_at_another_resolution_is_put_on_the_dsm_grid(tmp_path):
    dsm = write_tif(tmp_path / "dsm.tif", np.full((100, 100), 40.0))
    dem = write_tif(tmp_path / "dem.tif", np.full((50, 50), 7.0), transform=from_origin(X0, Y0 + 100, 2, 2))
    d = read_raster_window([dsm], (X0 + 10, Y0 + 10, X0 + 30, Y0 + 30), margin_m=5)
    e = read_raster_window([dem], (X0 + 10, Y0 + 10, X0 + 30, Y0 + 30), like=d)
    assert d.array.shape == e.array.shape == (30, 30)
    assert e.transform == d.transform and (e.array == 7.0).all()


def test_window_crs_must_match(tmp_path):
    from pyproj import CRS

    path = write_tif(tmp_path / "dsm.tif", np.ones((10, 10)))
    err = project_error(read_raster_window, [path], (X0, Y0, X0 + 5, Y0 + 5), crs=CRS.from_epsg(3857))
    assert "differs from the working CRS" in str(err) and str(path) in str(err)


def test_engine_refuses_a_dem_of_another_shape():
    dsm, transform, buildings = scene()
    err = project_error(roof_irradiation_from_dsm, dsm, transform, "EPSG:2154", buildings, clear_day(), META,
                        dem=np.zeros((30, 30)), canopy=np.zeros((30, 30)))
    assert err.field == "dem" and "resample" in str(err)

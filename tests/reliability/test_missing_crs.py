"""Missing CRS: a layer or raster without a CRS is an error naming the file, unless the
user gives the CRS explicitly; a given CRS never overrides the one a file declares."""

from __future__ import annotations

import geopandas as gpd
import pytest

from geopotential.exceptions import MissingCRSError
from geopotential.io.buildings import read_buildings
from geopotential.io.dsm import read_raster
from geopotential.io.irradiance_raster import sample_irradiation_raster
from geopotential.io.rpg import read_rpg
from geopotential.io.vector import read_vector

from ._builders import X0, Y0, project_error, square, write_layer, write_tif


@pytest.fixture
def shp_without_prj(tmp_path):
    path = write_layer(tmp_path / "footprints.shp", {"id": ["a", "b"]}, [square(), square(X0 + 20)])
    path.with_suffix(".prj").unlink()
    return path


def test_shapefile_without_prj_names_the_file(shp_without_prj):
    err = project_error(read_buildings, shp_without_prj)
    assert isinstance(err, MissingCRSError)
    assert str(shp_without_prj) in str(err)
    assert "no CRS" in str(err) and "crs" in str(err)


def test_shapefile_without_prj_reads_with_given_crs(shp_without_prj, geo_log):
    gdf = read_buildings(shp_without_prj, crs="EPSG:2154")
    assert gdf.crs.to_epsg() == 2154
    assert gdf.geometry.area.tolist() == pytest.approx([100.0, 100.0])
    assert "no CRS in the file" in geo_log.text


def test_given_crs_does_not_override_declared_crs(tmp_path, geo_log):
    # a Web-Mercator file: a wrong crs= hint must be ignored, with a warning
    gdf0 = gpd.GeoDataFrame({"id": ["a"]}, geometry=[square()], crs=2154).to_crs(3857)
    path = tmp_path / "merc.gpkg"
    gdf0.to_file(path)
    gdf = read_vector(path, crs="EPSG:4326")
    assert gdf.crs.to_epsg() == 2154
    assert gdf.geometry.area.iloc[0] == pytest.approx(100.0, rel=1e-6)
    assert "is ignored" in geo_log.text


def test_invalid_given_crs_is_an_input_error(shp_without_prj):
    err = project_error(read_vector, shp_without_prj, crs="EPSG:999999")
    assert "crs" in str(err) and str(shp_without_prj) in str(err)


def test_rpg_shapefile_without_prj(tmp_path):
    path = write_layer(tmp_path / "rpg.shp", {"ID_PARCEL": ["1"], "SURF_PARC": [1.0], "CODE_CULTU": ["BTH"]},
                       [square()])
    path.with_suffix(".prj").unlink()
    err = project_error(read_rpg, path)
    assert isinstance(err, MissingCRSError) and str(path) in str(err)


def test_raster_without_crs(tmp_path):
    path = write_tif(tmp_path / "dsm.tif", [[1.0, 2.0], [3.0, 4.0]], crs=None)
    err = project_error(read_raster, path)
    assert isinstance(err, MissingCRSError) and str(path) in str(err)


def test_irradiation_raster_without_crs(tmp_path):
    path = write_tif(tmp_path / "ghi.tif", [[1200.0]], crs=None)
    pts = gpd.GeoDataFrame(geometry=[square(X0, Y0 - 1, 1)], crs=2154)
    err = project_error(sample_irradiation_raster, path, pts)
    assert isinstance(err, MissingCRSError) and str(path) in str(err)


def test_buildings_to_sample_without_crs(tmp_path):
    path = write_tif(tmp_path / "ghi.tif", [[1200.0]])
    pts = gpd.GeoDataFrame(geometry=[square(X0, Y0, 1)])
    err = project_error(sample_irradiation_raster, path, pts)
    assert isinstance(err, MissingCRSError)

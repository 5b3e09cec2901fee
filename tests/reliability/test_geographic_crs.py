"""Geographic CRS: layers in degrees are reprojected into the metric working CRS (and
logged); rasters in degrees are refused (their pixel size would be in degrees); a layer
whose coordinates are degrees but which declares a metric CRS must not pass silently."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from rasterio.transform import from_origin

from geopotential.crs import parse_crs
from geopotential.exceptions import ConfigError, InputError
from geopotential.io.communes import read_communes
from geopotential.io.dsm import read_raster
from geopotential.io.rpg import read_rpg
from geopotential.io.vector import read_vector

from ._builders import project_error, square, write_layer, write_tif


def test_real_geojson_in_degrees_is_reprojected(shared_data, geo_log):
    gdf = read_communes(shared_data / "france-geojson-somme" / "communes-80-somme.geojson")
    assert gdf.crs.to_epsg() == 2154
    xmin, ymin, xmax, ymax = gdf.total_bounds
    # the Somme in Lambert-93 [m]
    assert 560_000 < xmin < xmax < 760_000 and 6_900_000 < ymin < ymax < 7_060_000
    amiens = gdf.loc[gdf.commune_insee == "80021"].geometry.area.iloc[0] / 1e6
    assert amiens == pytest.approx(49.5, rel=0.05)  # INSEE: 49.46 km2
    assert "reprojecting from geographic" in geo_log.text


def test_square_in_degrees_keeps_its_area(tmp_path):
    sq = gpd.GeoSeries([square()], crs=2154).to_crs(4326)
    path = write_layer(tmp_path / "sq.geojson", {"id": ["a"]}, sq, crs=4326)
    gdf = read_vector(path)
    assert gdf.crs.to_epsg() == 2154
    assert gdf.geometry.area.iloc[0] == pytest.approx(100.0, rel=1e-4)


def test_rpg_in_degrees_is_reprojected(tmp_path):
    sq = gpd.GeoSeries([square(size=100)], crs=2154).to_crs(4326)
    path = write_layer(tmp_path / "rpg.geojson", {"ID_PARCEL": ["1"], "CODE_CULTU": ["BTH"]}, sq, crs=4326)
    gdf = read_rpg(path)
    assert gdf.crs.to_epsg() == 2154
    assert gdf.area_ha.iloc[0] == pytest.approx(1.0, rel=1e-4)  # from the geometry, in metres


def test_raster_in_degrees_is_refused(tmp_path):
    path = write_tif(tmp_path / "dsm.tif", [[1.0, 2.0]], crs="EPSG:4326", transform=from_origin(2.3, 49.9, 1e-5, 1e-5))
    err = project_error(read_raster, path)
    assert isinstance(err, InputError)
    assert "metres" in str(err) and str(path) in str(err)


def test_raster_in_feet_is_refused(tmp_path):
    path = write_tif(tmp_path / "dsm.tif", [[1.0, 2.0]], crs="EPSG:2249")
    err = project_error(read_raster, path)
    assert "metres" in str(err) and "foot" in str(err)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:2249", "not-a-crs"])
def test_working_crs_must_be_metric(crs):
    with pytest.raises(ConfigError, match="territory.crs"):
        parse_crs(crs)


def test_degrees_declared_as_metres_are_refused(tmp_path):
    lonlat = shapely.box(2.29, 49.89, 2.2901, 49.8901)  # Amiens in degrees, labelled Lambert-93
    path = write_layer(tmp_path / "deg.gpkg", {"id": ["a"]}, [lonlat], crs=2154)
    err = project_error(read_vector, path)
    assert isinstance(err, InputError) and str(path) in str(err)


@pytest.mark.parametrize("crs", [2154, 32631])
def test_degrees_declared_as_metres_are_refused_by_rpg(tmp_path, crs):
    lonlat = shapely.box(2.29, 49.89, 2.2901, 49.8901)
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["1"], "CODE_CULTU": ["BTH"]}, [lonlat], crs=crs)
    err = project_error(read_rpg, path)
    assert isinstance(err, InputError) and str(path) in str(err) and "area of use" in str(err)
    assert "degrees" in str(err)


def test_metres_far_outside_the_area_of_use_are_refused(tmp_path):
    far = shapely.box(5.0e6, 5.0e7, 5.0e6 + 10, 5.0e7 + 10)  # a typo'd northing, 40 000 km north of France
    path = write_layer(tmp_path / "far.gpkg", {"id": ["a"]}, [far], crs=2154)
    err = project_error(read_vector, path)
    assert isinstance(err, InputError) and "area of use" in str(err)


def test_metres_inside_the_area_of_use_pass(tmp_path):
    path = write_layer(tmp_path / "ok.gpkg", {"id": ["a"]}, [square()], crs=2154)
    assert read_vector(path).geometry.area.iloc[0] == pytest.approx(100.0)

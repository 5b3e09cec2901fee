"""read_vector: bad files give the project's exceptions naming the file; geometries are cleaned."""

from __future__ import annotations

import gzip
import logging

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geopotential.exceptions import (
    ConfigError,
    CorruptFileError,
    GeopotentialError,
    InputError,
    MissingCRSError,
    MissingFieldError,
)
from geopotential.io.vector import clean_geometries, map_fields, read_vector

SQUARE = shapely.box(650000, 6977000, 650010, 6977010)
BOWTIE = shapely.Polygon([(650000, 6977000), (650010, 6977010), (650010, 6977000), (650000, 6977010)])


def _gdf(geoms, crs="EPSG:2154", **cols):
    data = {"fid_src": [f"f{i}" for i in range(len(geoms))], **cols}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=crs)


def _raises_naming(exc_type, path, func, *args, **kwargs):
    with pytest.raises(exc_type) as info:
        func(*args, **kwargs)
    assert str(path) in str(info.value)
    assert isinstance(info.value, GeopotentialError)
    assert info.value.__suppress_context__ or info.value.__cause__ is None  # no chained GDAL traceback
    return info.value


def test_missing_file(tmp_path):
    p = tmp_path / "nope.gpkg"
    err = _raises_naming(InputError, p, read_vector, p)
    assert "not found" in str(err)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.gpkg"
    p.write_bytes(b"")
    _raises_naming(CorruptFileError, p, read_vector, p)


def test_truncated_geopackage(tmp_path):
    good = tmp_path / "good.gpkg"
    _gdf([SQUARE] * 50).to_file(good, layer="x")
    bad = tmp_path / "truncated.gpkg"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    _raises_naming(CorruptFileError, bad, read_vector, bad)


def test_not_a_vector_file(tmp_path):
    p = tmp_path / "notes.geojson"
    p.write_text('{"type": "FeatureCollection", "features": [ {"type": "Feat', encoding="utf-8")
    _raises_naming(CorruptFileError, p, read_vector, p)


def test_shapefile_without_crs(tmp_path):
    p = tmp_path / "noprj.shp"
    _gdf([SQUARE], crs=None).to_file(p)
    assert not p.with_suffix(".prj").exists()
    err = _raises_naming(MissingCRSError, p, read_vector, p)
    assert "CRS" in str(err)
    gdf = read_vector(p, crs="EPSG:2154")
    assert gdf.crs.to_epsg() == 2154 and len(gdf) == 1


def test_given_crs_does_not_override_the_file(tmp_path, caplog):
    p = tmp_path / "l93.gpkg"
    _gdf([SQUARE]).to_file(p)
    with caplog.at_level(logging.WARNING):
        gdf = read_vector(p, crs="EPSG:4326")
    assert gdf.crs.to_epsg() == 2154
    assert gdf.geometry.iloc[0].equals(SQUARE)
    assert "ignored" in caplog.text


def test_unusable_working_crs_is_a_config_error(tmp_path):
    p = tmp_path / "l93.gpkg"
    _gdf([SQUARE]).to_file(p)
    with pytest.raises(ConfigError, match="territory.crs"):
        read_vector(p, working_crs="EPSG:4326")  # degrees, not metres
    with pytest.raises(ConfigError):
        read_vector(p, working_crs="EPSG:99999999")


def test_geographic_layer_is_reprojected(tmp_path):
    p = tmp_path / "wgs84.geojson"
    _gdf([SQUARE]).to_crs(4326).to_file(p)
    gdf = read_vector(p)
    assert gdf.crs.to_epsg() == 2154
    assert gdf.geometry.iloc[0].area == pytest.approx(100.0, rel=1e-4)


def test_geometries_cleaned_and_counted(tmp_path, caplog):
    multi = shapely.MultiPolygon([SQUARE, shapely.box(650020, 6977000, 650030, 6977010)])
    z_square = shapely.force_3d(SQUARE, 42.0)
    geoms = [SQUARE, BOWTIE, None, shapely.Polygon(), multi, z_square]
    p = tmp_path / "mixed.gpkg"
    _gdf(geoms).to_file(p)
    with caplog.at_level(logging.WARNING):
        gdf = read_vector(p)
    assert gdf.attrs["n_dropped_empty"] == 2
    assert gdf.attrs["n_repaired"] == 1
    assert len(gdf) == 4
    assert gdf.is_valid.all() and not gdf.has_z.any()
    assert list(gdf.fid_src) == ["f0", "f1", "f4", "f5"]
    repaired = gdf.geometry.iloc[1]
    assert repaired.geom_type == "MultiPolygon" and repaired.area == pytest.approx(50.0)
    assert gdf.geometry.iloc[2].geom_type == "MultiPolygon"
    assert "repaired" in caplog.text and "dropped" in caplog.text


def test_polygons_only_drops_lines():
    gdf = _gdf([SQUARE, shapely.LineString([(0, 0), (1, 1)])])
    out, stats = clean_geometries(gdf, polygons_only=True)
    assert len(out) == 1 and stats["n_dropped_non_polygonal"] == 1


def test_nothing_left_is_an_error(tmp_path):
    p = tmp_path / "allnull.gpkg"
    _gdf([None, None]).to_file(p)
    _raises_naming(InputError, p, read_vector, p)
    assert len(read_vector(p, allow_empty=True)) == 0


def test_layers(tmp_path):
    p = tmp_path / "two.gpkg"
    _gdf([SQUARE]).to_file(p, layer="a")
    _gdf([SQUARE, SQUARE]).to_file(p, layer="b")
    err = _raises_naming(InputError, p, read_vector, p)
    assert "layer" in str(err)
    assert len(read_vector(p, layer="b")) == 2
    assert len(read_vector(p, preferred_layers=("b",))) == 2
    _raises_naming(InputError, p, read_vector, p, layer="c")


def test_gzipped_geojson(tmp_path):
    src = tmp_path / "plain.geojson"
    _gdf([SQUARE]).to_crs(4326).to_file(src)
    gz = tmp_path / "layer.json.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    gdf = read_vector(gz)
    assert len(gdf) == 1 and gdf.crs.to_epsg() == 2154


def test_map_fields_reports_unmapped_and_missing():
    df = pd.DataFrame({"CODE": ["80021"], "Nom": ["Amiens"], "extra": [1]})
    out, unmapped = map_fields(df, {"commune_insee": ("code",), "commune_name": ("nom",)}, required=("commune_insee",))
    assert list(out.columns) == ["commune_insee", "commune_name"]
    assert unmapped == ["extra"]
    with pytest.raises(MissingFieldError) as info:
        map_fields(df, {"population": ("pop",)}, source="f.csv", required=("population",))
    assert "f.csv" in str(info.value) and info.value.field == "population"

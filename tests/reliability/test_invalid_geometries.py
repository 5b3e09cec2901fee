"""Invalid and self-intersecting geometries are repaired with make_valid and counted."""

from __future__ import annotations

import pytest
import shapely

from geopotential.io.buildings import read_buildings
from geopotential.io.communes import read_communes
from geopotential.io.rpg import read_rpg
from geopotential.io.vector import clean_geometries, read_vector

from ._builders import X0, Y0, bowtie, square, write_layer


def test_bowtie_is_repaired_and_counted(tmp_path, geo_log):
    path = write_layer(tmp_path / "b.gpkg", {"id": ["a", "b"]}, [square(), bowtie(X0 + 20)])
    gdf = read_buildings(path)
    assert gdf.attrs["n_repaired"] == 1
    assert gdf.geometry.is_valid.all()
    # the two triangles of the bow-tie are kept: 2 x 25 m2, not 0 m2
    assert gdf.geometry.area.tolist() == pytest.approx([100.0, 50.0])
    assert gdf.geom_type.tolist() == ["Polygon", "MultiPolygon"]
    assert "1 invalid geometry repaired with make_valid" in geo_log.text
    assert "Self-intersection" in geo_log.text


def test_repair_that_leaves_a_line_is_dropped_and_counted(tmp_path):
    spike = shapely.Polygon([(X0, Y0), (X0 + 10, Y0), (X0 + 5, Y0)])  # zero-area ring
    path = write_layer(tmp_path / "s.gpkg", {"id": ["a", "b"]}, [square(), spike])
    gdf = read_vector(path, polygons_only=True)
    assert len(gdf) == 1
    assert gdf.attrs["n_dropped_non_polygonal"] + gdf.attrs["n_dropped_empty"] == 1


def test_clean_geometries_counts_on_a_frame():
    import geopandas as gpd

    gdf = gpd.GeoDataFrame({"id": [1, 2, 3]}, geometry=[square(), bowtie(), bowtie(X0 + 30)], crs=2154)
    out, stats = clean_geometries(gdf, polygons_only=True)
    assert stats["n_repaired"] == 2 and len(out) == 3
    assert out.geometry.area.sum() == pytest.approx(200.0)


def test_real_gothenburg_footprints_two_self_intersections(shared_data):
    gdf = read_buildings(shared_data / "umep-gothenburg" / "buildings.shp")
    assert len(gdf) == 137
    assert gdf.attrs["n_repaired"] == 2
    assert gdf.geometry.is_valid.all()


def test_commune_bowtie_repaired(tmp_path):
    path = write_layer(tmp_path / "c.gpkg", {"code": ["80021"], "nom": ["Amiens"]}, [bowtie()])
    gdf = read_communes(path)
    assert gdf.attrs["n_repaired"] == 1 and gdf.geometry.area.iloc[0] == pytest.approx(50.0)


def test_rpg_bowtie_is_repaired(tmp_path):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["1"], "SURF_PARC": [None], "CODE_CULTU": ["BTH"]},
                       [bowtie()])
    gdf = read_rpg(path)
    assert gdf.geometry.is_valid.all()
    assert gdf.area_ha.iloc[0] == pytest.approx(50.0 / 1e4)

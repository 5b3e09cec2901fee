"""MultiPolygons are kept whole; Z coordinates are dropped (areas are planimetric)."""

from __future__ import annotations

import pytest
import shapely

from geopotential.io.buildings import read_buildings
from geopotential.io.communes import read_communes
from geopotential.io.rpg import read_rpg

from ._builders import X0, square, write_layer


def test_multipolygon_building_kept_whole(tmp_path):
    mp = shapely.MultiPolygon([square(), square(X0 + 20)])
    path = write_layer(tmp_path / "b.gpkg", {"id": ["a"]}, [mp])
    gdf = read_buildings(path)
    assert len(gdf) == 1 and gdf.geom_type.iloc[0] == "MultiPolygon"
    assert gdf.geometry.area.iloc[0] == pytest.approx(200.0)


def test_z_dropped_from_buildings(tmp_path, geo_log):
    path = write_layer(tmp_path / "b.gpkg", {"id": ["a"]}, [shapely.force_3d(square(), 35.0)])
    gdf = read_buildings(path)
    assert not gdf.has_z.any()
    assert gdf.geometry.area.iloc[0] == pytest.approx(100.0)
    assert "Z coordinates dropped" in geo_log.text


def test_z_multipolygon_commune(tmp_path):
    mp = shapely.force_3d(shapely.MultiPolygon([square(), square(X0 + 20)]), 10.0)
    path = write_layer(tmp_path / "c.gpkg", {"code": ["80021"]}, [mp])
    gdf = read_communes(path)
    assert not gdf.has_z.any() and gdf.geometry.area.iloc[0] == pytest.approx(200.0)


def test_points_in_a_building_layer_are_dropped_and_counted(tmp_path):
    path = write_layer(tmp_path / "b.geojson", {"id": ["a", "b"]}, [square(), shapely.Point(X0, 0)])
    gdf = read_buildings(path)
    assert gdf.building_id.tolist() == ["a"]
    assert gdf.attrs["n_dropped_non_polygonal"] == 1


def test_rpg_multipolygon_area_from_geometry(tmp_path):
    mp = shapely.MultiPolygon([square(size=100), square(X0 + 200, size=100)])
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["1"], "CODE_CULTU": ["BTH"]}, [mp])
    assert read_rpg(path).area_ha.iloc[0] == pytest.approx(2.0)


def test_z_dropped_from_rpg(tmp_path):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["1"], "SURF_PARC": [1.0], "CODE_CULTU": ["BTH"]},
                       [shapely.force_3d(square(), 80.0)])
    assert not read_rpg(path).has_z.any()

"""Null and empty geometries are dropped and counted; a layer left with nothing is an error."""

from __future__ import annotations

import json

import shapely

from geopotential.exceptions import InputError
from geopotential.io.buildings import read_buildings
from geopotential.io.communes import read_communes
from geopotential.io.injection_sites import read_injection_sites
from geopotential.io.rpg import read_rpg
from geopotential.io.vector import read_vector

from ._builders import project_error, square, write_layer


def test_null_and_empty_dropped_and_counted(tmp_path, geo_log):
    path = write_layer(tmp_path / "b.gpkg", {"id": ["a", "b", "c"]}, [square(), None, shapely.Polygon()])
    gdf = read_buildings(path)
    assert gdf.building_id.tolist() == ["a"]
    assert gdf.attrs["n_dropped_empty"] == 2
    assert "2 feature(s) with null or empty geometry dropped" in geo_log.text


def test_only_null_geometries_is_an_error(tmp_path):
    path = write_layer(tmp_path / "b.gpkg", {"id": ["a"]}, [None])
    err = project_error(read_buildings, path)
    assert isinstance(err, InputError) and "no usable feature" in str(err) and str(path) in str(err)


def test_only_null_geometries_allowed_when_asked(tmp_path):
    path = write_layer(tmp_path / "b.gpkg", {"id": ["a"]}, [None])
    assert len(read_vector(path, allow_empty=True)) == 0


def test_geojson_without_features(tmp_path):
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    err = project_error(read_communes, path)
    assert isinstance(err, InputError) and str(path) in str(err)


def test_geojson_feature_with_null_geometry(tmp_path):
    path = tmp_path / "c.geojson"
    feats = [{"type": "Feature", "properties": {"code": "80021", "nom": "Amiens"},
              "geometry": json.loads(shapely.to_geojson(shapely.box(2.2, 49.8, 2.4, 49.95)))},
             {"type": "Feature", "properties": {"code": "80001", "nom": "X"}, "geometry": None}]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    gdf = read_communes(path)
    assert gdf.commune_insee.tolist() == ["80021"] and gdf.attrs["n_dropped_empty"] == 1


def test_injection_site_without_coordinates_gets_a_reason(tmp_path):
    path = tmp_path / "inj.csv"
    path.write_text("Nom du site;Coordonnees;Capacite de production (GWh/an)\n"
                    "A;49.9, 2.3;20\nB;;15\n", encoding="utf-8")
    gdf = read_injection_sites(path)
    assert gdf.exclusion_reason.tolist() == ["", "no coordinates in the source file"]
    assert gdf.geometry.isna().tolist() == [False, True]


def test_rpg_null_geometry_dropped_or_flagged(tmp_path):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["1", "2"], "SURF_PARC": [None, None],
                                               "CODE_CULTU": ["BTH", "BTH"]}, [square(), None])
    gdf = read_rpg(path)
    flagged = "exclusion_reason" in gdf.columns and (gdf.exclusion_reason != "").sum() == 1
    assert flagged or (len(gdf) == 1 and gdf.geometry.notna().all())
    assert gdf.area_ha.notna().all() or flagged

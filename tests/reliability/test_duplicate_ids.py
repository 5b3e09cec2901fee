"""Duplicate identifiers: an error naming the field for buildings, communes and population;
Etalab multi-part parcels sharing an idu are merged (logged)."""

from __future__ import annotations

import pytest

from geopotential.exceptions import InputError
from geopotential.io.buildings import read_buildings
from geopotential.io.cadastre import read_cadastre_parcels
from geopotential.io.communes import read_communes, read_population
from geopotential.io.rpg import read_rpg

from ._builders import X0, project_error, square, write_layer


def test_duplicate_building_ids(tmp_path):
    path = write_layer(tmp_path / "b.gpkg", {"cleabs": ["BATI1", "BATI1", "BATI2"], "hauteur": [5.0, 6.0, 7.0]},
                       [square(), square(X0 + 20), square(X0 + 40)])
    err = project_error(read_buildings, path)
    assert isinstance(err, InputError)
    assert err.field == "cleabs" and "BATI1" in str(err) and "2 buildings share an identifier" in str(err)


def test_dbf_float_ids_are_not_falsely_duplicated(tmp_path):
    path = write_layer(tmp_path / "b.shp", {"id": [1.0, 2.0, 10.0]}, [square(), square(X0 + 20), square(X0 + 40)])
    assert read_buildings(path).building_id.tolist() == ["1", "2", "10"]


def test_missing_building_ids_are_generated_and_logged(tmp_path, geo_log):
    path = write_layer(tmp_path / "b.gpkg", {"id": ["a", None]}, [square(), square(X0 + 20)])
    gdf = read_buildings(path)
    assert gdf.building_id.is_unique and gdf.building_id.iloc[0] == "a"
    assert "without identifier got a generated one" in geo_log.text


def test_duplicate_commune_codes(tmp_path):
    path = write_layer(tmp_path / "c.gpkg", {"code": ["80021", "80021"]}, [square(), square(X0 + 20)])
    err = project_error(read_communes, path)
    assert err.field == "code" and "80021" in str(err)


def test_duplicate_population_rows(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("insee_com,population_2021\n80021,133625\n80021,133625\n")
    err = project_error(read_population, path)
    assert err.field == "insee_com" and "share an INSEE code" in str(err)


def test_cadastre_parcels_sharing_an_idu_are_merged(tmp_path, geo_log):
    path = write_layer(tmp_path / "p.gpkg", {"id": ["80021000AB0001", "80021000AB0001", "80021000AB0002"],
                                             "contenance": [200, 200, 100]},
                       [square(), square(X0 + 20), square(X0 + 40)])
    gdf = read_cadastre_parcels(path)
    assert gdf.cadastre_parcel_id.tolist() == ["80021000AB0001", "80021000AB0002"]
    assert gdf.geometry.area.tolist() == pytest.approx([200.0, 100.0])
    assert "share 1 parcel identifiers" in geo_log.text


def test_duplicate_rpg_parcel_ids_are_reported(tmp_path, geo_log):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["7", "7"], "SURF_PARC": [1.0, 1.0],
                                               "CODE_CULTU": ["BTH", "BTH"]}, [square(), square()])
    try:
        gdf = read_rpg(path)
    except InputError as exc:
        assert "ID_PARCEL" in str(exc) or exc.field == "ID_PARCEL"
        return
    assert "ID_PARCEL" in geo_log.text or gdf.parcel_id.is_unique


def test_exact_rpg_copies_are_dropped_once(tmp_path, geo_log):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["7", "7", "8"], "SURF_PARC": [1.0, 1.0, 2.0],
                                               "CODE_CULTU": ["BTH", "BTH", "MIS"]},
                       [square(), square(), square(X0 + 20)])
    gdf = read_rpg(path)
    assert gdf.parcel_id.tolist() == ["7", "8"] and gdf.area_ha.sum() == pytest.approx(3.0)  # not 4 ha
    assert gdf.attrs["n_dropped_duplicates"] == 1
    assert "[ID_PARCEL]: 1 exact copy of parcels already listed dropped" in geo_log.text


def test_conflicting_rpg_parcel_ids_are_an_error(tmp_path):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["7", "7"], "SURF_PARC": [1.0, 1.0],
                                               "CODE_CULTU": ["BTH", "MIS"]}, [square(), square(X0 + 20)])
    err = project_error(read_rpg, path)
    assert isinstance(err, InputError) and err.field == "ID_PARCEL" and "'7'" in str(err) and str(path) in str(err)


def test_rpg_parcels_without_id_are_not_duplicates(tmp_path):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": [None, None], "SURF_PARC": [1.0, 2.0],
                                               "CODE_CULTU": ["BTH", "MIS"]}, [square(), square(X0 + 20)])
    gdf = read_rpg(path)
    assert len(gdf) == 2 and gdf.attrs["n_dropped_duplicates"] == 0

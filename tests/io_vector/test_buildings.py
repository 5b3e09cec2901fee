"""read_buildings on BD TOPO (demo GPKG and SHP edition), OSM, Etalab and the real Gothenburg shapefile."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geopotential.demo import generate_demo
from geopotential.exceptions import InputError
from geopotential.io.buildings import detect_source, parse_height, read_buildings

#: A point in Amiens, Lambert-93 [m] (synthetic layers must lie in their CRS's area of use).
X0, Y0 = 648_000.0, 6_975_000.0

CANONICAL = ["building_id", "commune_insee", "height_m", "n_floors", "roof_shape", "usage", "name", "geometry"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo(tmp_path_factory.mktemp("demo_io"))


def _ring(x, y, d=1e-4):
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def test_bdtopo_demo_geopackage(demo):
    b = read_buildings(demo["buildings"])
    src = gpd.read_file(demo["buildings"])
    assert list(b.columns) == CANONICAL
    assert b.attrs["source"] == "bdtopo"
    assert len(b) == len(src) == 3000
    assert (b.building_id.to_numpy() == src.cleabs.to_numpy()).all()
    assert np.allclose(b.height_m.to_numpy(float), src.hauteur.to_numpy(float), equal_nan=True)
    assert b.height_m.isna().sum() == src.hauteur.isna().sum() > 0
    assert b.n_floors.dtype == "Int64" and b.n_floors.isna().sum() == src.nombre_d_etages.isna().sum()
    assert (b.usage.to_numpy() == src.usage_1.to_numpy()).all()
    assert b.name.notna().sum() == src.nom.notna().sum() > 0
    assert set(b.roof_shape) == {"unknown"}  # BD TOPO has no roof shape
    assert "altitude_maximale_toit" in b.attrs["unmapped_fields"] and "nature" in b.attrs["unmapped_fields"]
    assert "cleabs" not in b.attrs["unmapped_fields"]
    assert b.crs.to_epsg() == 2154


def test_bdtopo_shapefile_edition(demo, tmp_path):
    """BD TOPO's shapefile edition uses 10-character upper-case names (ID, HAUTEUR, NB_ETAGES, USAGE1)."""
    src = gpd.read_file(demo["buildings"]).head(50)
    shp = src.rename(columns={"cleabs": "ID", "hauteur": "HAUTEUR", "nombre_d_etages": "NB_ETAGES",
                              "usage_1": "USAGE1", "nature": "NATURE"})[["ID", "NATURE", "USAGE1", "NB_ETAGES",
                                                                         "HAUTEUR", "geometry"]]
    p = tmp_path / "BATIMENT.shp"
    shp.to_file(p, encoding="utf-8")
    b = read_buildings(p)
    assert b.attrs["source"] == "bdtopo"
    assert (b.building_id.to_numpy() == src.cleabs.to_numpy()).all()
    assert np.allclose(b.height_m.to_numpy(float), src.hauteur.to_numpy(float), equal_nan=True)
    assert b.attrs["unmapped_fields"] == ["NATURE"]
    assert "Résidentiel" in set(b.usage)


def test_osm_geojson(tmp_path):
    feats = [
        {"type": "Feature", "properties": {"@id": "way/101", "building": "house", "building:levels": "2",
                                           "height": "7.5 m", "roof:shape": "gabled", "name": "Maison"},
         "geometry": {"type": "Polygon", "coordinates": _ring(2.30, 49.89)}},
        {"type": "Feature", "properties": {"@id": "way/102", "building": "industrial", "height": "12,5",
                                           "roof:shape": "skillion", "source": "survey"},
         "geometry": {"type": "Polygon", "coordinates": _ring(2.301, 49.89)}},
        {"type": "Feature", "properties": {"@id": "relation/7", "building": "yes", "height": "about ten",
                                           "roof:shape": "dome", "building:levels": "-1"},
         "geometry": {"type": "MultiPolygon", "coordinates": [_ring(2.302, 49.89), _ring(2.3025, 49.89)]}},
    ]
    p = tmp_path / "export.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    b = read_buildings(p)
    assert b.attrs["source"] == "osm"
    assert list(b.building_id) == ["w101", "w102", "r7"]
    assert b.height_m.iloc[0] == 7.5 and b.height_m.iloc[1] == 12.5 and np.isnan(b.height_m.iloc[2])
    assert list(b.roof_shape) == ["gabled", "shed", "unknown"]
    assert b.n_floors.iloc[0] == 2 and b.n_floors.isna().iloc[2]
    assert list(b.usage) == ["house", "industrial", "yes"]
    assert b.geometry.iloc[2].geom_type == "MultiPolygon"
    assert b.attrs["unmapped_fields"] == ["source"]
    assert b.crs.to_epsg() == 2154


def test_etalab_batiments_json_gz(tmp_path):
    feats = [
        {"type": "Feature", "properties": {"type": "01", "nom": None, "commune": "80021", "created": "2004-05-19",
                                           "updated": "2023-01-02"},
         "geometry": {"type": "Polygon", "coordinates": _ring(2.30 + i * 2e-4, 49.89)}}
        for i in range(3)
    ]
    feats[2]["properties"]["type"] = "02"
    p = tmp_path / "cadastre-80021-batiments.json.gz"
    p.write_bytes(gzip.compress(json.dumps({"type": "FeatureCollection", "features": feats}).encode()))
    b = read_buildings(p)
    assert b.attrs["source"] == "etalab"
    assert list(b.building_id) == ["etalab-80021-000001", "etalab-80021-000002", "etalab-80021-000003"]
    assert (b.commune_insee == "80021").all()
    assert list(b.usage) == ["bâti dur", "bâti dur", "bâti léger"]
    assert b.attrs["unmapped_fields"] == []
    assert b.area.between(50, 200).all()  # 1e-4 deg squares, about 7 m x 11 m


def test_gothenburg_latin1_shapefile(shared_data):
    p = shared_data / "umep-gothenburg" / "buildings.shp"
    b = read_buildings(p, working_crs="EPSG:3007")
    assert len(b) == 137 and b.attrs["source"] == "generic"
    assert b.building_id.is_unique and b.building_id.iloc[0] == "100006475"
    assert "Kretsloppskontoret/Konsument Göteborg" in set(b.name.dropna())  # latin-1 DBF decoded
    assert "Kyrka/Kapell" in set(b.usage.dropna())
    assert b.attrs["n_repaired"] == 2 and b.is_valid.all()
    assert "OPERATÖR" in b.attrs["unmapped_fields"]
    assert b.height_m.isna().all()
    # into the default Lambert-93 (far outside France, so only the count is compared)
    l93 = read_buildings(p)
    assert l93.crs.to_epsg() == 2154 and len(l93) == 137 and l93.is_valid.all()


def test_duplicate_ids_are_an_error(tmp_path):
    gdf = gpd.GeoDataFrame({"cleabs": ["BATIMENT1", "BATIMENT1"], "hauteur": [5.0, 6.0]},
                           geometry=[shapely.box(X0, Y0, X0 + 5, Y0 + 5), shapely.box(X0 + 10, Y0, X0 + 15, Y0 + 5)], crs=2154)
    p = tmp_path / "dup.gpkg"
    gdf.to_file(p)
    with pytest.raises(InputError) as info:
        read_buildings(p)
    assert str(p) in str(info.value) and info.value.field == "cleabs"


def test_unknown_source_and_bad_heights(tmp_path, caplog):
    gdf = gpd.GeoDataFrame({"id": ["a", "b", "c"], "height": [-3.0, 2000.0, 9.0]},
                           geometry=[shapely.box(X0 + i * 10, Y0, X0 + i * 10 + 5, Y0 + 5) for i in range(3)], crs=2154)
    p = tmp_path / "generic.gpkg"
    gdf.to_file(p)
    with pytest.raises(InputError):
        read_buildings(p, source="bdnb")
    b = read_buildings(p, source="generic")
    assert b.height_m.isna().tolist() == [True, True, False]
    assert "set missing" in caplog.text


def test_parse_height_and_detection():
    h = parse_height(pd.Series(["12", "12.5 m", "7,5", "40'", "10 ft 6 in", "n/a", None]))
    assert h.iloc[:5].round(3).tolist() == [12.0, 12.5, 7.5, 12.192, 3.2]
    assert h.iloc[5:].isna().all()
    assert detect_source(["cleabs", "hauteur"]) == "bdtopo"
    assert detect_source(["ID", "HAUTEUR", "NB_ETAGES"]) == "bdtopo"
    assert detect_source(["@id", "building"]) == "osm"
    assert detect_source(["type", "nom", "commune", "created", "updated"]) == "etalab"
    assert detect_source(["MI_PRINX", "TYP"]) == "generic"

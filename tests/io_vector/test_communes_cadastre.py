"""read_communes / read_population / communes_with_population and read_cadastre_parcels."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geopotential.demo import generate_demo
from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError
from geopotential.io.cadastre import read_cadastre_parcels
from geopotential.io.communes import communes_with_population, normalise_insee, read_communes, read_population

#: A point in Amiens, Lambert-93 [m] (synthetic layers must lie in their CRS's area of use).
X0, Y0 = 648_000.0, 6_975_000.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate_demo(tmp_path_factory.mktemp("demo_communes"), n_buildings=600)


@pytest.fixture(scope="module")
def somme(shared_data):
    return read_communes(shared_data / "france-geojson-somme" / "communes-80-somme.geojson")


@pytest.fixture(scope="module")
def population(shared_data):
    return read_population(shared_data / "insee-communes-population" / "communes_80_somme_insee.csv")


def test_real_somme_communes(somme):
    assert len(somme) == 779
    assert list(somme.columns) == ["commune_insee", "commune_name", "geometry"]
    assert somme.crs.to_epsg() == 2154
    assert somme.commune_insee.is_unique and somme.commune_insee.str.fullmatch(r"80\d{3}").all()
    amiens = somme.set_index("commune_insee").loc["80021"]
    assert amiens.commune_name == "Amiens"
    assert 45e6 < amiens.geometry.area < 55e6  # Amiens covers about 49.5 km2
    assert somme.attrs["unmapped_fields"] == []


def test_real_insee_population(population):
    assert len(population) == 772
    assert population.attrs["population_field"] == "population_2021"
    assert population.set_index("commune_insee").loc["80021", "population"] == 133625
    assert int(population.population.sum()) == 566252
    assert "superficie_km2" in population.attrs["unmapped_fields"]


def test_population_year_choice(shared_data):
    p = read_population(shared_data / "insee-communes-population" / "communes_80_somme_insee.csv", year=2015)
    assert p.attrs["population_field"] == "population_2015"
    with pytest.raises(MissingFieldError) as info:
        read_population(shared_data / "insee-communes-population" / "communes_80_somme_insee.csv", year=1999)
    assert "population_1999" in str(info.value)


def test_join_reports_codes_on_one_side(somme, population):
    joined = communes_with_population(somme, population)
    # the 2018 boundaries hold 7 communes merged away before the 2024 population file
    assert len(joined.attrs["codes_without_population"]) == 7
    assert joined.attrs["codes_without_boundary"] == []
    assert joined.population.isna().sum() == 7
    assert int(joined.population.sum()) == 566252
    assert joined.set_index("commune_insee").loc["80021", "population"] == 133625


def test_demo_communes_and_join(demo, population):
    c = read_communes(demo["communes"])
    assert list(c.commune_insee) == ["80021", "80164", "80489", "80674"]
    assert c.population.dtype == "Int64" and c.population.sum() > 10000
    joined = communes_with_population(c, population.iloc[:5])  # a table without the demo's codes
    assert joined.attrs["codes_without_population"] == ["80021", "80164", "80489", "80674"]
    assert (joined.population == c.population).all()  # the file's own population fills the gap
    assert len(joined.attrs["codes_without_boundary"]) == 5


def test_communes_bad_inputs(tmp_path):
    base = gpd.GeoDataFrame({"nom": ["A", "B"]}, geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1),
                                                      shapely.box(X0 + 1, Y0, X0 + 2, Y0 + 1)], crs=2154)
    p = tmp_path / "nocode.geojson"
    base.to_file(p)
    with pytest.raises(MissingFieldError) as info:
        read_communes(p)
    assert str(p) in str(info.value)
    p2 = tmp_path / "dup.geojson"
    base.assign(code=["80021", "80021"]).to_file(p2)
    with pytest.raises(InputError, match="share an INSEE code"):
        read_communes(p2)
    p3 = tmp_path / "badcode.geojson"
    base.assign(code=["80021", "amiens"]).to_file(p3)
    with pytest.raises(InputError, match="invalid INSEE"):
        read_communes(p3)


def test_population_bad_inputs(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CorruptFileError):
        read_population(empty)
    nopop = tmp_path / "nopop.csv"
    nopop.write_text("insee_com;commune\n80021;Amiens\n", encoding="utf-8")
    with pytest.raises(MissingFieldError) as info:
        read_population(nopop)
    assert str(nopop) in str(info.value)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("CODGEO;LIBGEO;PMUN\n1001;L'Abergement-Clémenciat;779\n80021;Amiens;133 625\n".encode("latin-1"))
    p = read_population(latin)
    assert list(p.commune_insee) == ["01001", "80021"]
    assert list(p.population) == [779, 133625]
    assert p.commune_name.iloc[0] == "L'Abergement-Clémenciat"
    neg = tmp_path / "neg.csv"
    neg.write_text("insee_com,population\n80021,-5\n", encoding="utf-8")
    with pytest.raises(InputError, match="population"):
        read_population(neg)


def test_normalise_insee():
    assert list(normalise_insee(pd.Series(["1001", "2a004", "80021", "1001.0"]))) == ["01001", "2A004", "80021",
                                                                                      "01001"]


def _etalab_parcel(idu, x, y, contenance, d=2e-4):
    return {
        "type": "Feature",
        "id": idu,
        "properties": {"id": idu, "commune": idu[:5], "prefixe": idu[5:8], "section": idu[8:10],
                       "numero": idu[10:].lstrip("0"), "contenance": contenance, "arpente": False,
                       "created": "2005-06-03", "updated": "2024-01-01"},
        "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]},
    }


def test_etalab_parcels_json_gz(tmp_path):
    feats = [_etalab_parcel("80021000AB0001", 2.30, 49.89, 321), _etalab_parcel("80021000AB0002", 2.3003, 49.89, 330)]
    p = tmp_path / "cadastre-80021-parcelles.json.gz"
    p.write_bytes(gzip.compress(json.dumps({"type": "FeatureCollection", "features": feats}).encode()))
    gdf = read_cadastre_parcels(p)
    assert list(gdf.columns) == ["cadastre_parcel_id", "commune_insee", "area_m2", "geometry"]
    assert list(gdf.cadastre_parcel_id) == ["80021000AB0001", "80021000AB0002"]
    assert list(gdf.commune_insee) == ["80021", "80021"] and list(gdf.area_m2) == [321.0, 330.0]
    assert gdf.crs.to_epsg() == 2154
    assert gdf.area.iloc[0] == pytest.approx(321, rel=0.05)  # 2e-4 deg square at 49.89 N
    assert gdf.attrs["unmapped_fields"] == []


def test_demo_parcels(demo):
    gdf = read_cadastre_parcels(demo["parcels"])
    src = gpd.read_file(demo["parcels"])
    assert len(gdf) == len(src) and gdf.cadastre_parcel_id.is_unique
    assert set(gdf.commune_insee) == {"80021", "80164", "80489", "80674"}
    assert (gdf.area_m2.to_numpy() == src.contenance.to_numpy()).all()
    assert abs(gdf.area.sum() - gdf.area_m2.sum()) / gdf.area_m2.sum() < 1e-3


def test_parcels_bad_inputs(tmp_path):
    bad = [_etalab_parcel("80021000AB0001", 2.30, 49.89, 100), _etalab_parcel("8002100AB1", 2.3003, 49.89, 100)]
    p = tmp_path / "badid.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": bad}), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_cadastre_parcels(p)
    assert str(p) in str(info.value) and info.value.field == "id"
    gdf = gpd.GeoDataFrame({"surface": [1.0]}, geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)], crs=2154)
    p2 = tmp_path / "noid.gpkg"
    gdf.to_file(p2)
    with pytest.raises(MissingFieldError):
        read_cadastre_parcels(p2)

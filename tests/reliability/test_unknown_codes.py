"""Unknown codes are reported: per-feature exclusion reasons (crop codes, substrates),
a warning and a documented fallback (consumption carriers and sectors), or an error when
no fallback is meaningful (INSEE codes, production sources, livestock categories)."""

from __future__ import annotations

import pandas as pd

from geopotential.biogas.potential import livestock_potential, point_source_potential
from geopotential.biogas.resources import map_codes
from geopotential.exceptions import InputError
from geopotential.io.buildings import read_buildings
from geopotential.io.communes import read_population
from geopotential.io.consumption import read_consumption, read_existing_production
from geopotential.io.rpg import read_rpg

from ._builders import X0, project_error, square, write_layer


def test_unknown_crop_code_gets_a_reason():
    out = map_codes(pd.Series(["BTH", "zzz", None]))
    reasons = out.exclusion_reason.tolist()
    assert "unknown CODE_CULTU ZZZ" in reasons[1] and reasons[2] == "missing CODE_CULTU"
    assert out.resource.tolist()[1:] == ["unknown", "unknown"]
    assert not out.include.iloc[1]


def test_real_rpg_codes_all_get_a_resource_or_reason(shared_data):
    gdf = read_rpg(shared_data / "rpg-2022-sample-fiboa" / "PARCELLES_GRAPHIQUES_sample100_2022.gpkg")
    out = map_codes(gdf.code_cultu)
    assert len(out) == 100
    assert ((out.resource != "unknown") | out.exclusion_reason.str.startswith("unknown CODE_CULTU")).all()
    assert (out.include | (out.exclusion_reason != "")).all()


def test_unknown_substrate_of_a_point_source():
    src = pd.DataFrame({"source_id": ["1", "2"], "substrate": ["sugar_beet_pulp", "kryptonite"],
                        "t_fm_yr": [100.0, 100.0]})
    out = point_source_potential(src)
    assert out.exclusion_reason.tolist() == ["", "unknown substrate (not in data/biogas_substrates.csv)"]
    ch4 = [c for c in out.columns if c.startswith("ch4_nm3_yr")]
    assert ch4 and (out.loc[1, ch4] == 0).all() and (out.loc[0, ch4[0]] > 0)


def test_unknown_livestock_category():
    long = pd.DataFrame({"commune_insee": ["80021"], "category": ["dragons"], "heads": [3.0]})
    err = project_error(livestock_potential, long)
    assert isinstance(err, InputError) and "dragons" in str(err)


def test_unknown_consumption_carrier_and_sector_are_logged(tmp_path, geo_log):
    path = tmp_path / "conso.csv"
    path.write_text("code_commune;filiere;code_grand_secteur;conso;annee\n"
                    "80021;Electricite;RESIDENTIEL;100;2022\n80021;Plasma;MARTIEN;50;2022\n")
    out = read_consumption(path)
    assert out.consumption_mwh_yr.sum() == 150.0  # nothing lost
    assert set(out.carrier) == {"electricity", "other"} and set(out.sector) == {"residential", "unknown"}
    assert "Plasma" in geo_log.text and "MARTIEN" in geo_log.text


def test_unknown_production_source_is_an_error(tmp_path):
    path = tmp_path / "prod.csv"
    path.write_text("commune_insee,source,production_mwh_yr\n80021,fusion,10\n")
    err = project_error(read_existing_production, path)
    assert err.field == "source" and "fusion" in str(err)


def test_malformed_insee_codes(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("insee_com,population_2021\n80021,1\nAMIENS,2\n800210,3\n")
    err = project_error(read_population, path)
    assert err.field == "insee_com" and "2 invalid INSEE code(s)" in str(err) and "AMIENS" in str(err)


def test_insee_code_lost_its_leading_zero_is_restored(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("insee_com,population_2021\n1001,800\n2A004,60000\n")
    assert read_population(path).commune_insee.tolist() == ["01001", "2A004"]


def test_unknown_gas_heating_value(tmp_path):
    path = tmp_path / "conso.csv"
    path.write_text("commune_insee;carrier;consumption_mwh_yr;heating_value\n80021;gaz;10;lhv?\n")
    err = project_error(read_consumption, path)
    assert err.field == "heating_value"


def test_unknown_roof_shape_becomes_unknown(tmp_path):
    path = write_layer(tmp_path / "b.geojson", {"@id": ["way/1", "way/2"], "building": ["yes", "yes"],
                                                "roof:shape": ["gabled", "onion"]},
                       [square(), square(X0 + 20)], crs=2154)
    gdf = read_buildings(path, source="osm")
    assert gdf.roof_shape.tolist() == ["gabled", "unknown"]


def test_commune_codes_missing_from_the_population_table_are_reported(shared_data, geo_log):
    from geopotential.io.communes import communes_with_population, read_communes

    # boundaries of the 2018 COG against populations of the 2024 COG: merged communes differ
    communes = read_communes(shared_data / "france-geojson-somme" / "communes-80-somme.geojson")
    pop = read_population(shared_data / "insee-communes-population" / "communes_80_somme_insee.csv")
    out = communes_with_population(communes, pop)
    missing = out.attrs["codes_without_population"]
    assert len(missing) >= 7
    assert out.set_index("commune_insee").loc[missing, "population"].isna().all()  # NA, not 0
    assert "without a population row" in geo_log.text
    assert int(out.population.sum()) <= int(pop.population.sum())

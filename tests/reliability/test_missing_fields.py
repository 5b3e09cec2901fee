"""Missing required fields: one error naming the file and listing what is missing (and
what was found); field-name case changes between editions are accepted."""

from __future__ import annotations

import pytest

from geopotential.exceptions import MissingFieldError
from geopotential.io.communes import read_communes, read_population
from geopotential.io.consumption import read_consumption
from geopotential.io.injection_sites import read_injection_sites
from geopotential.io.livestock import read_livestock
from geopotential.io.point_sources import read_point_sources
from geopotential.io.rpg import read_rpg
from geopotential.io.weather import read_canonical_csv

from ._builders import project_error, square, write_layer


def _missing(func, path) -> MissingFieldError:
    err = project_error(func, path)
    assert isinstance(err, MissingFieldError), f"{type(err).__name__}: {err}"
    assert str(path) in str(err)
    return err


def test_rpg_lists_every_missing_field(tmp_path):
    path = write_layer(tmp_path / "rpg.gpkg", {"SURF_PARC": [1.0]}, [square()])
    err = _missing(read_rpg, path)
    assert "ID_PARCEL" in str(err) and "CODE_CULTU" in str(err) and "SURF_PARC" in str(err)  # found fields listed


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_rpg_field_case_of_any_edition(tmp_path, case):
    data = {case("ID_PARCEL"): ["1"], case("SURF_PARC"): [2.5], case("CODE_CULTU"): ["bth"], case("CODE_GROUP"): ["1"]}
    gdf = read_rpg(write_layer(tmp_path / "rpg.gpkg", data, [square()]))
    assert gdf.loc[0, ["parcel_id", "area_ha", "code_cultu", "code_group"]].tolist() == ["1", 2.5, "BTH", "1"]


def test_communes_without_code(tmp_path):
    err = _missing(read_communes, write_layer(tmp_path / "c.gpkg", {"nom": ["Amiens"]}, [square()]))
    assert "commune_insee" in str(err) and "nom" in str(err)


def test_population_without_population_column(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("insee_com,commune\n80021,Amiens\n")
    err = _missing(read_population, path)
    assert err.field == "population"


def test_population_year_not_in_file(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("insee_com,population_2021\n80021,133625\n")
    err = project_error(read_population, path, year=2015)
    assert isinstance(err, MissingFieldError) and "2021" in str(err)


def test_point_sources_list_missing_fields(tmp_path):
    path = tmp_path / "ps.csv"
    path.write_text("id,name\n1,Sucrerie\n")
    err = _missing(read_point_sources, path)
    for f in ("substrate", "t_fm_yr", "x/y or lon/lat"):
        assert f in str(err)


def test_injection_sites_without_capacity(tmp_path):
    path = tmp_path / "inj.csv"
    path.write_text("Nom du site;Coordonnees\nA;49.9, 2.3\n")
    assert "capacity" in str(_missing(read_injection_sites, path))


def test_livestock_without_commune(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("dairy_cows\n10\n")
    assert _missing(read_livestock, path).field == "commune_insee"


def test_consumption_without_carrier(tmp_path):
    path = tmp_path / "conso.csv"
    path.write_text("code_commune;conso\n80021;1200\n")
    err = _missing(read_consumption, path)
    assert "filiere" in str(err) and "code_commune" in str(err)


def test_weather_csv_without_time(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("# latitude: 49.9\n# longitude: 2.3\n# altitude: 30\nghi\n100\n")
    assert _missing(read_canonical_csv, path).field == "time"


def test_weather_csv_without_ghi(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("# latitude: 49.9\n# longitude: 2.3\n# altitude: 30\ntime,temp_air\n2021-06-01T12:00Z,20\n")
    assert _missing(read_canonical_csv, path).field == "ghi"


def test_weather_csv_without_site(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("time,ghi\n2021-06-01T12:00Z,800\n")
    assert _missing(read_canonical_csv, path).field == "latitude"

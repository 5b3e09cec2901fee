"""Empty files (0 bytes, blank lines, header without rows) give one clear error naming the
file, or, where an empty input is meaningful, an empty table with the canonical columns."""

from __future__ import annotations

import pytest

from geopotential.config import load_config
from geopotential.exceptions import CorruptFileError, GeopotentialError, InputError
from geopotential.io.buildings import read_buildings
from geopotential.io.cadastre import read_cadastre_parcels
from geopotential.io.communes import read_communes, read_population
from geopotential.io.consumption import read_consumption, read_existing_production
from geopotential.io.dsm import read_raster
from geopotential.io.injection_sites import read_injection_sites
from geopotential.io.livestock import read_livestock
from geopotential.io.point_sources import read_point_sources
from geopotential.io.raster_window import read_raster_window
from geopotential.io.rpg import read_rpg
from geopotential.io.umep_met import read_umep_met
from geopotential.io.weather import read_canonical_csv, read_epw, read_netcdf_weather, read_pvgis_tmy

from ._builders import X0, Y0, project_error

READERS = {
    "buildings.gpkg": read_buildings,
    "buildings.shp": read_buildings,
    "communes.geojson": read_communes,
    "parcelles.json": read_cadastre_parcels,
    "rpg.gpkg": read_rpg,
    "population.csv": read_population,
    "livestock.csv": read_livestock,
    "point_sources.csv": read_point_sources,
    "injection.csv": read_injection_sites,
    "consumption.csv": read_consumption,
    "production.csv": read_existing_production,
    "weather.csv": read_canonical_csv,
    "weather.epw": read_epw,
    "pvgis.json": read_pvgis_tmy,
    "pvgis.csv": read_pvgis_tmy,
    "met.txt": read_umep_met,
    "weather.nc": lambda p: read_netcdf_weather(p, 49.9, 2.3),
    "dsm.tif": read_raster,
    "window.tif": lambda p: read_raster_window([p], (X0, Y0, X0 + 10, Y0 + 10)),
}

CONTENTS = {"empty": b"", "blank": b"\n  \n\n"}


def _cases():
    for kind in CONTENTS:
        for name in READERS:
            yield pytest.param(name, kind, id=f"{name}-{kind}")


@pytest.mark.parametrize(("name", "kind"), list(_cases()))
def test_empty_file_is_one_clear_error(tmp_path, name, kind):
    path = tmp_path / name
    path.write_bytes(CONTENTS[kind])
    err = project_error(READERS[name], path)
    assert isinstance(err, InputError), f"{type(err).__name__}: {err}"
    assert str(path) in str(err)


def test_empty_gpkg_message(tmp_path):
    path = tmp_path / "b.gpkg"
    path.write_bytes(b"")
    err = project_error(read_buildings, path)
    assert isinstance(err, CorruptFileError) and "file is empty (0 bytes)" in str(err)


@pytest.mark.parametrize(
    ("func", "header", "columns"),
    [
        (read_livestock, "commune_insee,dairy_cows\n", ["commune_insee", "category", "heads"]),
        (read_point_sources, "source_id,substrate,t_fm_yr,x,y\n", ["source_id", "substrate", "t_fm_yr", "geometry"]),
        (read_existing_production, "commune_insee,source,production_mwh_yr\n",
         ["commune_insee", "source", "carrier", "production_mwh_yr", "heating_value"]),
    ],
    ids=["livestock", "point_sources", "production"],
)
def test_header_only_optional_tables_are_empty(tmp_path, func, header, columns):
    path = tmp_path / "t.csv"
    path.write_text(header)
    out = func(path)
    assert len(out) == 0 and list(out.columns) == columns


@pytest.mark.parametrize(
    ("func", "header"),
    [
        (read_consumption, "commune_insee;carrier;consumption_mwh_yr\n"),
        (read_canonical_csv, "# latitude: 49.9\n# longitude: 2.3\n# altitude: 30\ntime,ghi\n"),
        (read_population, "insee_com,population_2021\n"),
        (read_injection_sites, "Nom du site;Coordonnees;Capacite de production (GWh/an)\n"),
    ],
    ids=["consumption", "weather", "population", "injection_sites"],
)
def test_header_only_required_tables(tmp_path, func, header):
    path = tmp_path / "t.csv"
    path.write_text(header)
    err = project_error(func, path)
    assert isinstance(err, GeopotentialError) and str(path) in str(err)


@pytest.mark.parametrize("name", ["run.yaml", "run.toml"])
def test_empty_config_means_all_defaults(tmp_path, name):
    path = tmp_path / name
    path.write_text("")
    cfg = load_config(path)
    assert cfg.territory.crs == "EPSG:2154" and cfg.outputs.run_name == "run"

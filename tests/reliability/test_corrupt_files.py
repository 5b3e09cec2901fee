"""Truncated or corrupt files (GPKG, GeoTIFF, CSV, EPW, JSON, shapefile sets): one
CorruptFileError / InputError naming the file, never a library traceback and never a
partial table passed off as the whole file."""

from __future__ import annotations

import json
import shutil

import pytest

from geopotential.exceptions import CorruptFileError, InputError
from geopotential.io.buildings import read_buildings
from geopotential.io.communes import read_communes, read_population
from geopotential.io.dsm import read_raster
from geopotential.io.injection_sites import read_injection_sites
from geopotential.io.livestock import read_livestock
from geopotential.io.rpg import read_rpg
from geopotential.io.weather import read_epw, read_pvgis_tmy

from ._builders import project_error

RPG = ("rpg-2022-sample-fiboa", "PARCELLES_GRAPHIQUES_sample100_2022.gpkg")
DSM = ("umep-gothenburg", "DSM_KRbig.tif")
POP = ("insee-communes-population", "communes_80_somme_insee.csv")
EPW = ("larochelle-tmyx", "FRA_AC_La.Rochelle.Intl.AP.073160_TMYx_UWG.epw")
INJ = ("biomethane-injection-sites", "points-injection.csv")


def _truncated(shared_data, parts, tmp_path, fraction: float) -> tuple:
    src = shared_data.joinpath(*parts)
    data = src.read_bytes()
    dst = tmp_path / src.name
    dst.write_bytes(data[: int(len(data) * fraction)])
    return dst


def _cut_mid_row(shared_data, parts, tmp_path):
    """Copy a CSV cut in the middle of a data row (as an interrupted download leaves it)."""
    src = shared_data.joinpath(*parts)
    data = src.read_bytes()
    mid = len(data) // 2
    start = data.rfind(b"\n", 0, mid) + 1
    end = data.find(b"\n", mid)
    cut = start + (end - start) // 3  # a third of the way into the row
    dst = tmp_path / src.name
    dst.write_bytes(data[:cut])
    return dst


@pytest.mark.parametrize("fraction", [0.01, 0.5, 0.97])
def test_truncated_gpkg(shared_data, tmp_path, fraction):
    path = _truncated(shared_data, RPG, tmp_path, fraction)
    err = project_error(read_rpg, path)
    assert isinstance(err, CorruptFileError) and str(path) in str(err)


@pytest.mark.parametrize("fraction", [0.01, 0.33, 0.9])
def test_truncated_geotiff(shared_data, tmp_path, fraction):
    path = _truncated(shared_data, DSM, tmp_path, fraction)
    err = project_error(read_raster, path)
    assert isinstance(err, CorruptFileError) and str(path) in str(err)


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".tif", ".geojson", ".json", ".epw"])
def test_html_error_page_saved_as_data(tmp_path, suffix):
    # what a failed download often leaves behind
    path = tmp_path / f"data{suffix}"
    path.write_text("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n")
    func = {".gpkg": read_rpg, ".parquet": read_rpg, ".tif": read_raster, ".geojson": read_communes, ".json": read_pvgis_tmy,
            ".epw": read_epw}[suffix]
    err = project_error(func, path)
    assert isinstance(err, CorruptFileError) and str(path) in str(err)


def test_latin1_population_csv_is_decoded(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_bytes("insee_com;commune;population_2021\n80021;Amiens \xe9;133625\n".encode("latin-1"))
    assert read_population(path).commune_name.tolist() == ["Amiens \xe9"]


def test_latin1_livestock_csv_is_a_clear_error(tmp_path):
    path = tmp_path / "l.csv"
    path.write_bytes("commune_insee;commune;dairy_cows\n80021;Amiens \xe9;10\n".encode("latin-1"))
    err = project_error(read_livestock, path)
    assert isinstance(err, CorruptFileError) and str(path) in str(err) and "utf-8" in str(err)


def test_truncated_pvgis_json(shared_data, tmp_path):
    path = _truncated(shared_data, ("pvgis-weather", "tmy_45.000_8.000_2005_2023.json"), tmp_path, 0.5)
    err = project_error(read_pvgis_tmy, path)
    assert isinstance(err, CorruptFileError) and "JSON" in str(err)


def test_truncated_pvgis_csv(shared_data, tmp_path):
    path = _truncated(shared_data, ("pvgis-weather", "tmy_45.000_8.000_2005_2023.csv"), tmp_path, 0.5)
    assert isinstance(project_error(read_pvgis_tmy, path), CorruptFileError)


def test_shapefile_without_shx(shared_data, tmp_path):
    for ext in ("shp", "dbf", "prj"):
        shutil.copyfile(shared_data / "umep-gothenburg" / f"buildings.{ext}", tmp_path / f"buildings.{ext}")
    err = project_error(read_buildings, tmp_path / "buildings.shp")
    assert isinstance(err, CorruptFileError) and "buildings.shx" in str(err)


def test_shapefile_without_dbf_reads_geometries(shared_data, tmp_path):
    for ext in ("shp", "shx", "prj"):
        shutil.copyfile(shared_data / "umep-gothenburg" / f"buildings.{ext}", tmp_path / f"buildings.{ext}")
    gdf = read_buildings(tmp_path / "buildings.shp")
    assert len(gdf) == 137 and gdf.building_id.str.startswith("generic-").all()


def test_unclosed_ring(tmp_path):
    ring = [[2.29, 49.89], [2.31, 49.89], [2.31, 49.91], [2.29, 49.91], [2.295, 49.905]]
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "80021"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    err = project_error(read_communes, path)
    assert isinstance(err, InputError) and str(path) in str(err)


def test_corrupt_prj(shared_data, tmp_path):
    for ext in ("shp", "shx", "dbf"):
        shutil.copyfile(shared_data / "umep-gothenburg" / f"buildings.{ext}", tmp_path / f"buildings.{ext}")
    prj = (shared_data / "umep-gothenburg" / "buildings.prj").read_text()
    (tmp_path / "buildings.prj").write_text(prj.replace("Transverse_Mercator", "Transverse_Mercat=r"))
    err = project_error(read_buildings, tmp_path / "buildings.shp")
    assert isinstance(err, InputError) and "buildings" in str(err)


def test_population_csv_cut_mid_row(shared_data, tmp_path):
    path = _cut_mid_row(shared_data, POP, tmp_path)
    err = project_error(read_population, path)
    assert isinstance(err, CorruptFileError)


def test_injection_csv_cut_mid_row(shared_data, tmp_path):
    path = _cut_mid_row(shared_data, INJ, tmp_path)
    assert isinstance(project_error(read_injection_sites, path), CorruptFileError)


@pytest.mark.parametrize("fraction", [0.5, 0.002])
def test_truncated_epw(shared_data, tmp_path, fraction):
    path = _truncated(shared_data, EPW, tmp_path, fraction)
    assert isinstance(project_error(read_epw, path), CorruptFileError)


def test_epw_record_with_text_in_a_number(shared_data, tmp_path):
    lines = shared_data.joinpath(*EPW).read_text().splitlines()
    fields = lines[20].split(",")
    fields[13] = "abc"  # global horizontal radiation of one hour
    lines[20] = ",".join(fields)
    path = tmp_path / "w.epw"
    path.write_text("\n".join(lines) + "\n")
    try:
        weather, _ = read_epw(path)
    except InputError:
        return
    assert len(weather) == 8760 and weather["ghi"].notna().sum() >= 8759


def test_injection_coordinates_without_comma(tmp_path):
    path = tmp_path / "inj.csv"
    path.write_text("Nom du site;Coordonnees;Capacite de production (GWh/an)\nA;49.9 2.3;20\n", encoding="utf-8")
    try:
        gdf = read_injection_sites(path)
    except InputError as exc:
        assert "Coordonnees" in str(exc)
        return
    assert gdf.exclusion_reason.tolist() == ["no coordinates in the source file"]


def test_prj_not_utf8(shared_data, tmp_path):
    for ext in ("shp", "shx", "dbf"):
        shutil.copyfile(shared_data / "umep-gothenburg" / f"buildings.{ext}", tmp_path / f"buildings.{ext}")
    prj = (shared_data / "umep-gothenburg" / "buildings.prj").read_text()
    (tmp_path / "buildings.prj").write_bytes(prj.replace("D_SWEREF99", "D_SWÉREF99").encode("latin-1"))
    err = project_error(read_buildings, tmp_path / "buildings.shp")
    assert isinstance(err, InputError) and "buildings" in str(err)


def test_csv_without_final_line_break_but_complete_is_read(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("insee_com,population_2021\n80021,133625\n80001,22595")  # last row complete
    assert read_population(path).population.tolist() == [133625, 22595]


def test_cut_mid_row_message(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("insee_com,commune,population_2021\n80021,Amiens,133625\n80001,Abbev")
    err = project_error(read_population, path)
    assert isinstance(err, CorruptFileError) and "last row has 2 of the 3 fields" in str(err)
    assert "truncated" in str(err) and str(path) in str(err)

"""Negative or absurd heights and quantities: building heights outside (0, 830] m are set
missing with a warning; negative areas, tonnages, heads, consumptions and populations are
errors naming the field."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geopotential.exceptions import InputError
from geopotential.io.buildings import parse_height, read_buildings
from geopotential.io.cadastre import read_cadastre_parcels
from geopotential.io.communes import read_population
from geopotential.io.consumption import read_consumption
from geopotential.io.livestock import read_livestock
from geopotential.io.point_sources import read_point_sources
from geopotential.io.rpg import read_rpg

from ._builders import X0, project_error, square, write_layer


def test_negative_zero_and_absurd_heights_set_missing(tmp_path, geo_log):
    path = write_layer(tmp_path / "b.gpkg", {"cleabs": list("abcde"), "hauteur": [-3.0, 0.0, 12.5, 9999.0, None]},
                       [square(X0 + 20 * i) for i in range(5)])
    gdf = read_buildings(path)
    assert gdf.height_m.tolist()[2] == 12.5
    assert gdf.height_m.isna().tolist() == [True, True, False, True, True]
    assert "3 height(s) <= 0 or > 830 m set missing" in geo_log.text


def test_bad_storey_counts_set_missing(tmp_path):
    path = write_layer(tmp_path / "b.gpkg", {"cleabs": list("abcd"), "nombre_d_etages": [-1.0, 2.5, 3.0, 500.0]},
                       [square(X0 + 20 * i) for i in range(4)])
    assert read_buildings(path).n_floors.tolist() == [pd.NA, pd.NA, 3, pd.NA]


def test_osm_text_heights(tmp_path, geo_log):
    path = write_layer(tmp_path / "b.geojson", {"@id": list("abcd"), "building": ["yes"] * 4,
                                                "height": ["12.5 m", "7,5", "tall", "-4"]},
                       [square(X0 + 20 * i) for i in range(4)])
    h = read_buildings(path, source="osm").height_m.tolist()
    assert h[:2] == [12.5, 7.5] and np.isnan(h[2]) and np.isnan(h[3])
    assert "not understood as a height" in geo_log.text


def test_feet_heights_converted():
    assert parse_height(pd.Series(["40'", "10 ft 6\""])).tolist() == pytest.approx([12.192, 3.2004])


def test_integer_and_feet_heights_mixed(tmp_path):
    path = write_layer(tmp_path / "b.geojson", {"@id": ["a", "b"], "building": ["yes", "yes"],
                                                "height": ["12", "40'"]}, [square(), square(X0 + 20)])
    h = read_buildings(path, source="osm").height_m.tolist()
    assert h == pytest.approx([12.0, 12.192])


def test_negative_cadastre_area(tmp_path):
    path = write_layer(tmp_path / "p.gpkg", {"id": ["80021000AB0001"], "contenance": [-5]}, [square()])
    err = project_error(read_cadastre_parcels, path)
    assert isinstance(err, InputError) and err.field == "contenance"


def test_negative_rpg_area(tmp_path):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["1"], "SURF_PARC": [-3.0], "CODE_CULTU": ["BTH"]},
                       [square(size=100)])
    try:
        gdf = read_rpg(path)
    except InputError as exc:
        assert "SURF_PARC" in str(exc)
        return
    assert (gdf.area_ha >= 0).all()


@pytest.mark.parametrize(
    ("func", "text", "field"),
    [
        (read_point_sources, "source_id,substrate,t_fm_yr,x,y\n1,sugar_beet_pulp,-10,648000,6975000\n", "t_fm_yr"),
        (read_livestock, "commune_insee,dairy_cows\n80021,-4\n", "heads"),
        (read_consumption, "commune_insee;carrier;consumption_mwh_yr\n80021;electricity;-1\n", "consumption_mwh_yr"),
        (read_population, "insee_com,population_2021\n80021,-5\n", "population_2021"),
    ],
    ids=["point_sources", "livestock", "consumption", "population"],
)
def test_negative_quantities(tmp_path, func, text, field):
    path = tmp_path / "in.csv"
    path.write_text(text)
    err = project_error(func, path)
    assert isinstance(err, InputError) and err.field == field and str(path) in str(err)


def test_negative_rpg_area_falls_back_to_the_geometry(tmp_path, geo_log):
    path = write_layer(tmp_path / "rpg.gpkg", {"ID_PARCEL": ["1", "2"], "SURF_PARC": [-3.0, 0.5],
                                               "CODE_CULTU": ["BTH", "BTH"]}, [square(size=100), square(X0 + 200)])
    gdf = read_rpg(path)
    assert gdf.area_ha.tolist() == pytest.approx([1.0, 0.5])  # 100 x 100 m from the geometry; SURF_PARC kept
    assert gdf.attrs["n_area_from_geometry"] == 1
    assert "[SURF_PARC]: 1 negative parcel area(s) (e.g. ID_PARCEL ['1']" in geo_log.text

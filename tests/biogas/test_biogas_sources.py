"""Livestock, biowaste and point sources: readers and potentials (real Somme populations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geopotential.biogas import (
    biowaste_potential,
    ch4_per_tonne_fm,
    commune_biogas_summary,
    livestock_potential,
    point_source_potential,
    territory_totals,
)
from geopotential.exceptions import InputError, MissingFieldError
from geopotential.io.livestock import read_livestock
from geopotential.io.point_sources import read_point_sources


def test_read_livestock_wide_and_long(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("code_insee;dairy_cows;fattening_pigs\n80021;100;s\n1001;0;2000\n")
    w = read_livestock(wide)
    assert set(w["commune_insee"]) == {"80021", "01001"}
    assert w.loc[(w.commune_insee == "80021") & (w.category == "fattening_pigs"), "heads"].item() == 0  # secret -> 0
    long = tmp_path / "long.csv"
    long.write_text("commune_insee,category,heads\n80021,dairy_cows,100\n01001,fattening_pigs,2000\n")
    lg = read_livestock(long)
    a = livestock_potential(w).set_index("commune_insee")["ch4_nm3_yr"]
    b = livestock_potential(lg).set_index("commune_insee")["ch4_nm3_yr"]
    pd.testing.assert_series_equal(a.sort_index(), b.sort_index())
    bad = tmp_path / "bad.csv"
    bad.write_text("commune_insee,dairy_cows\n80021,lots\n")
    with pytest.raises(InputError, match="dairy_cows|heads"):
        read_livestock(bad)
    nokey = tmp_path / "nokey.csv"
    nokey.write_text("x,dairy_cows\n1,2\n")
    with pytest.raises(MissingFieldError):
        read_livestock(nokey)


def test_livestock_levels_follow_housed_fraction():
    heads = pd.DataFrame({"commune_insee": ["80021"], "ewes": [1000]})
    out = livestock_potential(heads).iloc[0]
    assert out["t_fm_yr"] == pytest.approx(1000 * 1.1)
    assert out["ch4_available_nm3_yr"] == pytest.approx(0.33 * out["ch4_nm3_yr"])  # sheep housed 33 %
    assert out["ch4_mobilisable_2030_nm3_yr"] == pytest.approx(0.4 * 0.85 * 0.33 * out["ch4_nm3_yr"])
    with pytest.raises(InputError, match="unicorns"):
        livestock_potential(pd.DataFrame({"commune_insee": ["80021"], "unicorns": [3]}))


def test_biowaste_on_real_somme_population(shared_data, params):
    pop = pd.read_csv(shared_data / "insee-communes-population" / "communes_80_somme_insee.csv", dtype={"insee_com": str})
    communes = pd.DataFrame({"commune_insee": pop["insee_com"], "population": pop["population_2021"]})
    bw = biowaste_potential(communes, params)
    amiens = bw.set_index("commune_insee").loc["80021"]
    assert amiens["t_fm_yr"] == pytest.approx(133_625 * 0.083)
    assert amiens["ch4_nm3_yr"] == pytest.approx(133_625 * 0.083 * ch4_per_tonne_fm("biowaste_household"))
    summ = commune_biogas_summary(biowaste_biogas=bw, params=params)
    assert len(summ) == 772
    assert territory_totals(summ)["biogas_t_fm_yr"] == pytest.approx(566_252 * 0.083)


def test_point_sources_reader_and_potential(tmp_path, params):
    f = tmp_path / "ps.csv"
    f.write_text("id,name,substrate,t_fm_yr,lon,lat,commune_insee\nsf1,Sucrerie,sugar_beet_pulp,1000,2.3,49.9,80021\n"
                 "w1,STEP,sewage_sludge,5000,2.4,49.8,80001\nx,odd,moon_dust,10,2.4,49.8,80001\n")
    ps = read_point_sources(f)
    assert ps.crs.to_epsg() == 2154 and 600e3 < ps.geometry.x.iloc[0] < 700e3
    out = point_source_potential(ps, params)
    assert out.loc[0, "ch4_nm3_yr"] == pytest.approx(1000 * ch4_per_tonne_fm("sugar_beet_pulp"))
    assert out.loc[2, "exclusion_reason"] != "" and out.loc[2, "ch4_nm3_yr"] == 0
    assert out.loc[0, "resource_family"] == "agrifood" and out.loc[1, "resource_family"] == "sludge"
    xy = tmp_path / "xy.csv"
    xy.write_text("source_id,substrate,t_fm_yr,x,y\na,agrifood_generic,10,650000,6970000\n")
    assert read_point_sources(xy).geometry.x.iloc[0] == 650000
    bad = tmp_path / "bad.csv"
    bad.write_text("source_id,substrate,t_fm_yr\na,agrifood_generic,10\n")
    with pytest.raises(MissingFieldError, match="lon/lat"):
        read_point_sources(bad)
    summ = commune_biogas_summary(point_sources_biogas=out, params=params)
    assert np.isclose(summ["biogas_point_sources_energy_gross_mwh_pcs_yr"].sum(), out["energy_mwh_pcs_yr"].sum())

"""RPG reader and parcel potential on the 100 real RPG 2022 parcels (fiboa sample)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geopotential.aggregate import check_conservation
from geopotential.biogas import (
    BiogasParameters,
    commune_biogas_summary,
    parcel_potential,
    territory_totals,
    unmapped_codes,
)
from geopotential.exceptions import CorruptFileError, InputError, MissingCRSError, MissingFieldError
from geopotential.io.rpg import read_rpg


@pytest.fixture(scope="module")
def raw(rpg_path):
    return gpd.read_file(rpg_path)


@pytest.fixture(scope="module")
def parcels(rpg_path):
    p = read_rpg(rpg_path)
    # the sample spans France; the pipeline's spatial join is emulated by a grouping with gaps
    p["commune_insee"] = np.where(np.arange(len(p)) % 11 == 0, None, "C" + (np.arange(len(p)) % 7).astype(str))
    return p


@pytest.fixture(scope="module")
def pb(parcels, params):
    return parcel_potential(parcels, params)


def test_read_rpg_canonical_columns(rpg_path, raw):
    p = read_rpg(rpg_path)
    assert len(p) == 100
    for c in ("parcel_id", "area_ha", "code_cultu", "code_group", "culture_d1", "culture_d2"):
        assert c in p.columns
    assert p.crs.to_epsg() == 2154
    assert (p["parcel_id"].to_numpy() == raw["id_parcel"].astype(str).to_numpy()).all()
    assert set(p.loc[p["code_cultu"] == "BTN", "code_group"]) == {"24"}


def test_areas_agree_with_surf_parc(rpg_path, raw):
    p = read_rpg(rpg_path)
    np.testing.assert_allclose(p["area_ha"].to_numpy(), raw["surf_parc"].to_numpy(dtype=float), rtol=1e-6)
    geom_ha = p.geometry.area.to_numpy() / 1e4
    big = p["area_ha"].to_numpy() >= 0.5  # SURF_PARC is rounded to 0.01 ha
    np.testing.assert_allclose(geom_ha[big], p["area_ha"].to_numpy()[big], rtol=0.02)


def test_uppercase_fields_and_shapefile(tmp_path, raw):
    up = raw.rename(columns={c: c.upper() for c in raw.columns if c != "geometry"})
    f = tmp_path / "rpg_upper.shp"
    up.to_file(f)
    p = read_rpg(f)
    assert len(p) == 100 and p["code_cultu"].iloc[0] == raw["code_cultu"].iloc[0]
    np.testing.assert_allclose(p["area_ha"], raw["surf_parc"].astype(float), rtol=1e-6)


def test_fiboa_style_names_and_missing_area(tmp_path, raw):
    fb = raw.rename(columns={"id_parcel": "id", "code_cultu": "crop:code"}).drop(columns=["surf_parc"])
    f = tmp_path / "fiboa.parquet"
    fb.to_parquet(f)
    p = read_rpg(f)
    np.testing.assert_allclose(p["area_ha"], raw.geometry.area / 1e4)
    assert (p["culture_d1"] == raw["culture_d1"].fillna("").str.upper()).all()


def test_missing_fields_listed(tmp_path, raw):
    f = tmp_path / "bad.gpkg"
    raw.drop(columns=["id_parcel", "code_cultu"]).to_file(f)
    with pytest.raises(MissingFieldError) as e:
        read_rpg(f)
    assert "ID_PARCEL" in str(e.value) and "CODE_CULTU" in str(e.value) and "bad.gpkg" in str(e.value)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_missing_file_and_corrupt(tmp_path, raw):
    f = tmp_path / "nocrs.gpkg"
    raw.set_crs(None, allow_override=True).to_file(f)
    with pytest.raises(MissingCRSError):
        read_rpg(f)
    with pytest.raises(InputError, match="not found"):
        read_rpg(tmp_path / "absent.gpkg")
    bad = tmp_path / "corrupt.gpkg"
    bad.write_bytes(b"not a geopackage at all")
    with pytest.raises(CorruptFileError):
        read_rpg(bad)


def test_every_code_mapped_or_excluded_with_reason(pb, parcels):
    assert unmapped_codes(parcels["code_cultu"]) == []
    assert (pb["resource"] != "unknown").all()
    zero = pb["energy_mwh_pcs_yr"] <= 0
    assert (pb.loc[zero, "exclusion_reason"].str.len() > 0).all()
    assert (pb.loc[~zero, "exclusion_reason"] == "").all()
    assert (pb["parcel_id"].to_numpy() == parcels["parcel_id"].to_numpy()).all()
    # wheat, maize grain, beet give residues; grassland and vines are excluded by default
    assert (pb.loc[pb["code_cultu"].isin(["BTH", "MIS", "BTN"]), "energy_net_mwh_pcs_yr"] > 0).all()
    assert (pb.loc[pb["code_cultu"].isin(["PPH", "VRC"]) & (pb["cive_area_ha"] == 0), "energy_mwh_pcs_yr"] == 0).all()


def test_cive_from_declared_catch_crops(pb, parcels):
    declared = (parcels["culture_d1"] != "") | (parcels["culture_d2"] != "")
    assert declared.sum() == 2
    assert (pb.loc[declared, "cive_area_ha"] == parcels.loc[declared, "area_ha"]).all()
    assert (pb.loc[~declared, "cive_area_ha"] == 0).all()
    # 10 t DM/ha x 275 m3/t DM
    np.testing.assert_allclose(pb.loc[declared, "cive_ch4_nm3_yr"], parcels.loc[declared, "area_ha"] * 10 * 275, rtol=1e-3)


def test_levels_ordered_and_bounds(pb, params):
    tol = 1e-9
    levels = params.levels()
    for a, b in zip(levels[:3], levels[1:3]):
        assert (pb[f"energy_{a}_mwh_pcs_yr"] >= pb[f"energy_{b}_mwh_pcs_yr"] - tol).all()
    for s in levels[3:]:
        assert (pb["energy_net_mwh_pcs_yr"] >= pb[f"energy_{s}_mwh_pcs_yr"] - tol).all()
    assert (pb["energy_mwh_pcs_yr_low"] <= pb["energy_mwh_pcs_yr"] + tol).all()
    assert (pb["energy_mwh_pcs_yr"] <= pb["energy_mwh_pcs_yr_high"] + tol).all()
    np.testing.assert_allclose(pb["energy_mwh_pcs_yr"], pb["ch4_nm3_yr"] * params.pcs_kwh_nm3_ch4 / 1000)
    np.testing.assert_allclose(pb["energy_gross_mwh_pcs_yr"], pb["energy_mwh_pcs_yr"])
    # net = 0.85 x available
    np.testing.assert_allclose(pb["ch4_net_nm3_yr"], 0.85 * pb["ch4_available_nm3_yr"])


def test_sums_conserved_parcel_commune_territory(pb, params):
    summ = commune_biogas_summary(pb, params=params)
    assert "unassigned" in set(summ["commune_insee"])
    cols = [c for c in pb.columns if c.startswith(("energy_", "ch4_", "t_fm_")) and f"biogas_{c}" in summ.columns]
    assert len(cols) > 30
    check_conservation(pb, summ.rename(columns={f"biogas_{c}": c for c in cols}), cols)
    tot = territory_totals(summ)
    for c in cols:
        assert tot[f"biogas_{c}"] == pytest.approx(pb[c].sum(), rel=1e-12, abs=1e-9)
    assert tot["biogas_n_parcels"] == 100
    np.testing.assert_allclose(summ["biogas_crops_energy_net_mwh_pcs_yr"], summ["biogas_energy_net_mwh_pcs_yr"])
    assert summ["biogas_cive_energy_gross_mwh_pcs_yr"].sum() == pytest.approx(pb["cive_ch4_nm3_yr"].sum() * params.pcs_kwh_nm3_ch4 / 1000)


def test_optional_resources_and_yield_override(parcels):
    base = parcel_potential(parcels)
    p = BiogasParameters(include_resources=["permanent_grassland"], yields_t_fm_ha={"BTH": 10.0}, exclude_resources=["beet_leaves"])
    alt = parcel_potential(parcels, p)
    pph = (parcels["code_cultu"] == "PPH").to_numpy()
    assert (alt.loc[pph, "energy_mwh_pcs_yr"] > 0).all() and (alt.loc[pph, "exclusion_reason"] == "").all()
    bth = (parcels["code_cultu"] == "BTH").to_numpy() & (base["cive_area_ha"] == 0).to_numpy()
    np.testing.assert_allclose(alt.loc[bth, "t_fm_yr"], base.loc[bth, "t_fm_yr"] * 10.0 / 8.3)
    btn = (parcels["code_cultu"] == "BTN").to_numpy()
    assert (alt.loc[btn, "energy_mwh_pcs_yr"] == 0).all() and (alt.loc[btn, "exclusion_reason"] != "").all()


def test_unknown_code_and_bad_area_reported():
    df = pd.DataFrame({"parcel_id": ["a", "b", "c"], "code_cultu": ["ZZZ9", "bth", "BTH"], "area_ha": [1.0, 2.0, np.nan]})
    out = parcel_potential(df)
    assert "unknown CODE_CULTU ZZZ9" in out.loc[0, "exclusion_reason"]
    assert out.loc[1, "exclusion_reason"] == "" and out.loc[1, "t_fm_yr"] > 0  # lower case accepted
    assert "area" in out.loc[2, "exclusion_reason"] and out.loc[2, "t_fm_yr"] == 0
    with pytest.raises(MissingFieldError):
        parcel_potential(df.drop(columns=["area_ha"]))

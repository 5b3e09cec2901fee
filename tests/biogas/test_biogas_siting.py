"""Digester siting: analytic clusters, existing plants, catchments; real ODRE injection sites."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geopotential.biogas import BiogasParameters, parcel_potential, site_digesters, supply_points
from geopotential.biogas.coefficients import ch4_for_capacity_nm3_yr
from geopotential.exceptions import ConfigError, MissingFieldError
from geopotential.io.injection_sites import read_injection_sites
from geopotential.io.rpg import read_rpg


def _cluster(cx, cy, n, total_ch4, spread, rng):
    ang = rng.uniform(0, 2 * np.pi, n)
    rad = spread * np.sqrt(rng.uniform(0, 1, n))
    return cx + rad * np.cos(ang), cy + rad * np.sin(ang), np.full(n, total_ch4 / n)


def _supply(clusters, seed=0):
    rng = np.random.default_rng(seed)
    xs, ys, cs = zip(*[_cluster(*c, rng=rng) for c in clusters])
    x, y, c = np.concatenate(xs), np.concatenate(ys), np.concatenate(cs)
    return gpd.GeoDataFrame({"ch4_nm3_yr": c, "manure_t_fm_yr": c / 20.0}, geometry=gpd.points_from_xy(x, y), crs=2154)


@pytest.fixture
def p():
    return BiogasParameters()


def _need(p, nm3_h):
    return float(ch4_for_capacity_nm3_yr(nm3_h, p))


def test_two_clusters_two_plants(p):
    sup = _supply([(650e3, 6.95e6, 300, _need(p, 200), 3000), (700e3, 6.95e6, 300, _need(p, 150), 3000)])
    sites, catch, asg = site_digesters(sup, None, p)
    assert len(sites) == 2 and (sites["status"] == "proposed").all()
    np.testing.assert_allclose(sorted(sites["capacity_nm3_h"]), [150, 200], rtol=1e-6)
    assert asg.notna().all()
    np.testing.assert_allclose(sites["supply_ch4_nm3_yr"].sum(), sup["ch4_nm3_yr"].sum())
    np.testing.assert_allclose(sites["manure_t_fm_yr"].sum(), sup["manure_t_fm_yr"].sum())
    assert (sites["n_supply_points"] == 300).all()
    # each site near its cluster; delivered = supply x practical factor
    assert sorted(np.round(sites.geometry.x / 1e4)) == [65, 70]
    np.testing.assert_allclose(sites["ch4_nm3_yr"], sites["supply_ch4_nm3_yr"] * p.practical_factor)
    np.testing.assert_allclose(sites["energy_mwh_pcs_yr"], sites["ch4_nm3_yr"] * p.pcs_kwh_nm3_ch4 / 1000)
    assert (sites["capacity_kwe"] > 0).all()
    # catchments: one per site, inside the radius circle, holding its points
    assert set(catch["site_id"]) == set(sites["site_id"])
    for _, row in catch.iterrows():
        site = sites.set_index("site_id").loc[row.site_id]
        assert row.geometry.within(site.geometry.buffer(p.siting_radius_km * 1000 + 1))
        pts = sup.geometry[asg == row.site_id]
        assert shapely.contains(row.geometry, pts.to_numpy()).all()
    np.testing.assert_allclose(catch["supply_mwh_pcs_yr"].sum(), sup["ch4_nm3_yr"].sum() * p.pcs_kwh_nm3_ch4 / 1000)


def test_small_cluster_gets_no_plant(p):
    sup = _supply([(650e3, 6.95e6, 100, _need(p, 60), 3000)])
    sites, catch, asg = site_digesters(sup, None, p)
    assert len(sites) == 0 and len(catch) == 0 and asg.isna().all()


def test_large_cluster_split_within_band(p):
    sup = _supply([(650e3, 6.95e6, 3000, _need(p, 1000), 8000)], seed=2)
    sites, _, asg = site_digesters(sup, None, p)
    assert len(sites) >= 4
    assert (sites["capacity_nm3_h"] <= p.plant_max_nm3_h + 1e-6).all()
    assert (sites["capacity_nm3_h"] >= p.plant_min_nm3_h - 1e-6).all()
    # each point feeds at most one plant; supply conserved over plants + unassigned
    counts = asg.value_counts()
    np.testing.assert_array_equal(counts.sort_index().to_numpy(), sites.set_index("site_id")["n_supply_points"].loc[counts.sort_index().index])
    got = sup["ch4_nm3_yr"][asg.notna()].sum()
    assert got == pytest.approx(sites["supply_ch4_nm3_yr"].sum())
    assert got >= 0.7 * sup["ch4_nm3_yr"].sum()
    # every assigned point lies within the radius of its plant
    xy = sites.set_index("site_id").geometry
    d = sup.geometry[asg.notna()].distance(gpd.GeoSeries(xy.loc[asg[asg.notna()]].to_numpy(), index=asg[asg.notna()].index, crs=2154))
    assert (d <= p.siting_radius_km * 1000 + 1e-6).all()


def test_existing_plant_takes_supply_first(p):
    sup = _supply([(650e3, 6.95e6, 300, _need(p, 200), 3000)])
    existing = gpd.GeoDataFrame({"site_id": ["X1"], "capacity_gwh_pcs_yr": [np.nan], "capacity_nm3_h": [150.0],
                                 "exclusion_reason": [""]}, geometry=gpd.points_from_xy([651e3], [6.95e6]), crs=2154)
    sites, _, asg = site_digesters(sup, existing, p)
    ex = sites[sites["status"] == "existing"].iloc[0]
    assert ex["site_id"] == "existing_X1" and ex["capacity_nm3_h"] == 150
    assert ex["supply_ch4_nm3_yr"] == pytest.approx(_need(p, 150), rel=0.02)
    # what is left (about 50 Nm3/h) is below the band minimum: no new plant
    assert (sites["status"] == "proposed").sum() == 0
    assert (asg == "existing_X1").sum() == ex["n_supply_points"]
    far = existing.set_geometry(gpd.points_from_xy([900e3], [6.5e6], crs=2154))
    sites2, _, _ = site_digesters(sup, far, p)
    assert (sites2["status"] == "existing").sum() == 0  # no supply within its radius


def test_road_option_and_bad_input(p):
    sup = _supply([(650e3, 6.95e6, 10, 1e6, 1000)])
    with pytest.raises(ConfigError, match="road"):
        site_digesters(sup, None, BiogasParameters(distance="road"))
    with pytest.raises(MissingFieldError):
        site_digesters(sup.drop(columns=["ch4_nm3_yr"]), None, p)
    with pytest.raises(ConfigError):
        supply_points(sup, params=p, level="mobilisable_2099")


def test_supply_points_from_real_parcels(rpg_path, p):
    parcels = read_rpg(rpg_path)
    pb = parcel_potential(parcels, p)
    sup = supply_points(pb, params=p, level="net")
    assert len(sup) == int((pb["ch4_net_nm3_yr"] > 0).sum())
    assert sup["ch4_nm3_yr"].sum() == pytest.approx(pb["ch4_net_nm3_yr"].sum())
    fam = [c for c in sup.columns if c.endswith("_t_fm_yr")]
    assert sup[fam].to_numpy().sum() == pytest.approx(pb["t_fm_net_yr"].sum())
    assert sup["cive_t_fm_yr"].sum() == pytest.approx(pb["cive_t_fm_net_yr"].sum())
    assert (sup.geometry.geom_type == "Point").all()
    # 100 parcels scattered over France: far too little supply for a plant
    sites, _, asg = site_digesters(sup, None, p)
    assert len(sites) == 0 and asg.isna().all()


def test_read_real_injection_sites(injection_path):
    g = read_injection_sites(injection_path)
    assert len(g) == 566 and g.crs.to_epsg() == 2154
    somme = g[g["department"] == "80"]
    assert len(somme) == 8 and somme.geometry.notna().all()
    cott = somme[somme["name"].str.contains("Bioagrienergies")].iloc[0]
    assert cott["capacity_gwh_pcs_yr"] == pytest.approx(35.75, abs=0.01)
    assert 600e3 < cott.geometry.x < 720e3 and 6.9e6 < cott.geometry.y < 7.05e6  # Somme in Lambert-93
    assert (g["exclusion_reason"] == "no coordinates in the source file").sum() == 2
    assert (g["exclusion_reason"] == "site closed").sum() == 1
    assert g["capacity_nm3_h"].isna().all()  # this edition gives GWh/yr only


def test_injection_sites_missing_fields(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("Nom du site;Capacite de production (GWh/an)\nA;10\n")
    with pytest.raises(MissingFieldError, match="coordinates"):
        read_injection_sites(f)


def test_biogas_layers_on_somme(shared_data, rpg_path, injection_path, p):
    """End to end on real Somme communes, populations and ODRE plants, with the real RPG parcels
    replicated over the Somme (the sample itself is spread over France)."""
    from geopotential.biogas import biogas_layers

    communes = gpd.read_file(shared_data / "france-geojson-somme" / "communes-80-somme.geojson").to_crs(2154)
    communes = communes.rename(columns={"code": "commune_insee"})[["commune_insee", "geometry"]]
    pop = pd.read_csv(shared_data / "insee-communes-population" / "communes_80_somme_insee.csv", dtype={"insee_com": str})
    communes = communes.merge(pop[["insee_com", "population_2021"]].rename(columns={"insee_com": "commune_insee",
                                                                                 "population_2021": "population"}),
                              on="commune_insee", how="left")
    base = read_rpg(rpg_path)
    rng = np.random.default_rng(0)
    pts = communes.sample_points(20, rng=rng).explode(index_parts=False)  # 20 fields per commune
    idx = rng.integers(0, len(base), len(pts))
    parcels = gpd.GeoDataFrame(base.drop(columns="geometry").iloc[idx].reset_index(drop=True),
                               geometry=pts.buffer(100).to_numpy(), crs=2154)
    parcels["parcel_id"] = parcels["parcel_id"] + "_" + parcels.index.astype(str)
    parcels["commune_insee"] = communes["commune_insee"].to_numpy()[pts.index.to_numpy()]
    livestock = pd.DataFrame({"commune_insee": communes["commune_insee"], "dairy_cows": 60.0, "fattening_pigs": 300.0})
    existing = read_injection_sites(injection_path)
    out = biogas_layers(parcels, livestock, communes, None, existing, p)
    pb, sites, summ = out["parcels_biogas"], out["digester_sites"], out["communes_biogas"]
    assert len(pb) == len(parcels) and pb["site_id"].notna().any()
    assert (pb.loc[pb["ch4_net_nm3_yr"] == 0, "site_id"].isna()).all()
    # the 8 Somme plants (and none far away) are used first
    ex = sites[sites["status"] == "existing"]
    assert 8 <= len(ex) <= 20 and (ex["supply_ch4_nm3_yr"] > 0).all()
    prop = sites[sites["status"] == "proposed"]
    assert len(prop) > 0 and prop["capacity_nm3_h"].between(p.plant_min_nm3_h - 1e-6, p.plant_max_nm3_h + 1e-6).all()
    sup = out["supply_assignment"]
    assert sup["ch4_nm3_yr"].sum() == pytest.approx(pb["ch4_net_nm3_yr"].sum() + out["livestock_biogas"]["ch4_net_nm3_yr"].sum()
                                                     + out["biowaste_biogas"]["ch4_net_nm3_yr"].sum(), rel=1e-9)
    assert sites["supply_ch4_nm3_yr"].sum() == pytest.approx(sup.loc[sup["site_id"].notna(), "ch4_nm3_yr"].sum())
    tot = out["territory_biogas"].iloc[0]
    assert tot["biogas_energy_net_mwh_pcs_yr"] == pytest.approx(summ["biogas_energy_net_mwh_pcs_yr"].sum())
    assert tot["biogas_energy_gross_mwh_pcs_yr"] > tot["biogas_energy_net_mwh_pcs_yr"] > tot["biogas_energy_mobilisable_2030_mwh_pcs_yr"]
    assert tot["biogas_manure_energy_net_mwh_pcs_yr"] > 0 and tot["biogas_biowaste_energy_net_mwh_pcs_yr"] > 0

"""A balance of the real Somme communes with per-inhabitant defaults and the real injection sites."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from geopotential.balance import (
    BalanceParameters,
    ScenarioParameters,
    additive_columns,
    apply_scenarios,
    balance_mismatches,
    commune_balance,
    consumption_defaults_table,
    default_consumption,
    match_communes_population,
    territory_balance,
)
from geopotential.io.consumption import read_existing_production

# communes of the 2018 geometry file absent from the 2024 population file (merged since 2018)
MERGED_SINCE_2018 = {"80175", "80209", "80389", "80419", "80551", "80594", "80761"}


@pytest.fixture(scope="module")
def somme(somme_communes, somme_population, shared_data):
    params = BalanceParameters(scenarios=[ScenarioParameters(),
                                          ScenarioParameters(name="autonomy", target_rule="autonomy")])
    communes, mismatches = match_communes_population(somme_communes, somme_population)
    consumption = default_consumption(communes, params)
    existing = read_existing_production(shared_data / "biomethane-injection-sites" / "points-injection.csv")
    existing = existing[existing["commune_insee"].str.startswith("80")]
    balance = apply_scenarios(commune_balance(communes, consumption, None, existing, params), params)
    return params, communes, mismatches, consumption, existing, balance


def test_mismatches_reported_by_code(somme_communes, somme_population, caplog):
    with caplog.at_level(logging.WARNING, logger="geopotential.balance.consumption"):
        communes, mismatches = match_communes_population(somme_communes, somme_population)
    assert len(somme_communes) == 779 and len(somme_population) == 772
    assert set(mismatches["commune_insee"]) == MERGED_SINCE_2018
    assert (mismatches["missing_from"] == "population").all()
    assert "Contoire" in set(mismatches["commune_name"])
    for code in MERGED_SINCE_2018:
        assert code in caplog.text
    # nothing dropped: union of both code lists
    assert set(communes["commune_insee"]) == set(somme_communes["commune_insee"]) | set(somme_population["commune_insee"])
    assert communes.loc[communes["commune_insee"].isin(MERGED_SINCE_2018), "population"].isna().all()


def test_balance_for_every_commune(somme, somme_population):
    params, communes, _, consumption, _, balance = somme
    assert len(balance) == len(communes) == 779
    assert balance["commune_insee"].is_unique
    with_pop = balance["population"].notna()
    assert with_pop.sum() == 772
    assert balance.loc[with_pop, "consumption_is_default"].all()
    assert balance.loc[with_pop, "autonomy_ratio_today"].notna().all()
    assert (balance.loc[with_pop, "exclusion_reason"] == "").all()
    # merged communes are in the balance, with the reason they have no consumption
    merged = balance[~with_pop]
    assert set(merged["commune_insee"]) == MERGED_SINCE_2018
    assert merged["exclusion_reason"].str.contains("no population").all()
    assert set(balance_mismatches(balance)["commune_insee"]) == MERGED_SINCE_2018
    # default consumption = population x national per-inhabitant value
    table = consumption_defaults_table(params).set_index("carrier")
    pop = somme_population["population"].sum()
    assert pop == 566_252
    assert balance["consumption_electricity_mwh_yr"].sum() == pytest.approx(
        pop * table.loc["electricity", "consumption_mwh_per_inhabitant_yr"])
    assert balance["consumption_gas_mwh_pcs_yr"].sum() == pytest.approx(
        pop * table.loc["gas", "consumption_mwh_per_inhabitant_yr"])


def test_commune_sums_equal_territory(somme):
    params, _, _, _, existing, balance = somme
    terr = territory_balance(balance, params, name="Somme")
    assert len(terr) == 1 and terr.loc[0, "territory"] == "Somme"
    cols = additive_columns(balance)
    assert "scenario_autonomy_gap_mwh_pcs_yr" in cols and "consumption_total_mwh_pcs_yr" in cols
    for c in cols:
        assert terr.loc[0, c] == pytest.approx(np.nansum(balance[c].to_numpy(float)), rel=1e-12), c
    # the real injection sites of the Somme are counted as today's biomethane
    assert terr.loc[0, "production_today_gas_mwh_pcs_yr"] == pytest.approx(existing["production_mwh_yr"].sum())
    assert terr.loc[0, "production_today_gas_mwh_pcs_yr"] > 100_000  # 8+ sites of 13-36 GWh/yr
    # ratios recomputed from sums, not averaged
    expect = terr.loc[0, "production_today_gas_mwh_pcs_yr"] / terr.loc[0, "consumption_gas_mwh_pcs_yr"]
    assert terr.loc[0, "autonomy_ratio_gas_today"] == pytest.approx(expect)
    assert terr.loc[0, "n_communes_without_consumption"] == 7
    # autonomy-rule target = consumption 2050 = 40 % of today's
    assert terr.loc[0, "scenario_autonomy_target_production_mwh_pcs_yr"] == pytest.approx(
        0.4 * terr.loc[0, "consumption_total_mwh_pcs_yr"])


def test_not_in_communes_rows_kept(somme_communes):
    communes = somme_communes.head(3).assign(population=[100.0, 200.0, 300.0])
    potential = pd.DataFrame({"commune_insee": ["99999", communes["commune_insee"].iloc[0]],
                              "pv_energy_mwh_yr": [5.0, 7.0]})
    b = commune_balance(communes, default_consumption(communes), potential)
    assert len(b) == 4
    extra = b.set_index("commune_insee").loc["99999"]
    assert extra["commune_match_status"] == "not_in_communes"
    assert "production potential" in extra["exclusion_reason"]
    assert b["potential_pv_mwh_yr"].sum() == 12.0


def test_nullable_population_from_io_join(somme_communes, somme_population):
    from geopotential.io.communes import communes_with_population

    joined = communes_with_population(somme_communes, somme_population)  # Int64 with NA for merged communes
    assert str(joined["population"].dtype) == "Int64"
    b = commune_balance(joined, default_consumption(joined))
    assert len(b) == 779
    assert set(b.loc[b["population"].isna(), "commune_insee"]) == MERGED_SINCE_2018
    assert territory_balance(b).loc[0, "population"] == 566_252

"""Scenario arithmetic on a hand-computed two-commune case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from geopotential.balance import (
    BalanceParameters,
    ScenarioParameters,
    apply_scenarios,
    commune_balance,
    compare_scenarios,
    scenario_2050,
    scenario_columns,
    territory_balance,
)
from geopotential.params import parameter_values


@pytest.fixture()
def two_communes():
    communes = pd.DataFrame({"commune_insee": ["80001", "80002"], "commune_name": ["A", "B"],
                             "population": [100.0, 50.0]})
    consumption = pd.DataFrame({
        "commune_insee": ["80001", "80001", "80001", "80002", "80002"],
        "carrier": ["electricity", "gas", "other", "electricity", "other"],
        "sector": "all",
        "consumption_mwh_yr": [1000.0, 2000.0, 1000.0, 500.0, 500.0],
        "heating_value": ["", "pcs", "", "", ""],
    })
    existing = pd.DataFrame({"commune_insee": ["80001", "80002"], "source": ["pv", "wind"],
                             "production_mwh_yr": [40.0, 60.0]})
    potential = pd.DataFrame({
        "commune_insee": ["80001", "80002"],
        "pv_energy_mwh_yr": [200.0, 100.0],
        "energy_net_mwh_pcs_yr": [100.0, 300.0],
        "energy_mobilisable_2030_mwh_pcs_yr": [50.0, 100.0],
        "energy_mobilisable_2050_mwh_pcs_yr": [80.0, 240.0],
    })
    return communes, consumption, potential, existing


def _scenario(**kw):
    base = dict(name="s", consumption_cut_pct=60, production_multiplier=7, pv_mobilisation_2030_pct=20,
                pv_mobilisation_2050_pct=50, biomethane_mobilisation_2030_pct=100,
                biomethane_mobilisation_2050_pct=100)
    base.update(kw)
    return ScenarioParameters(**base)


def test_balance_ratios_by_hand(two_communes):
    b = commune_balance(*two_communes, params=BalanceParameters()).set_index("commune_insee")
    assert b.loc["80001", "consumption_total_mwh_pcs_yr"] == 4000.0
    assert b.loc["80001", "production_today_mwh_pcs_yr"] == 40.0
    np.testing.assert_allclose(b.loc["80001", ["autonomy_ratio_electricity_today", "autonomy_ratio_gas_today",
                                               "autonomy_ratio_today"]].astype(float), [0.04, 0.0, 0.01])
    # at the potential (net biomethane, potentials added to today's production)
    np.testing.assert_allclose(b.loc["80001", ["autonomy_ratio_electricity_potential", "autonomy_ratio_gas_potential",
                                               "autonomy_ratio_potential"]].astype(float), [0.24, 0.05, 0.085])
    np.testing.assert_allclose(b.loc["80002", ["autonomy_ratio_electricity_today", "autonomy_ratio_today",
                                               "autonomy_ratio_electricity_potential", "autonomy_ratio_potential"]
                                      ].astype(float), [0.12, 0.06, 0.32, 0.46])
    # no gas consumed in B: gas ratio undefined, not infinite
    assert np.isnan(b.loc["80002", "autonomy_ratio_gas_potential"])
    assert (b["exclusion_reason"] == "").all()
    assert (b["commune_match_status"] == "matched").all()


def test_pci_basis_is_named_and_converted(two_communes):
    ratio = parameter_values("balance_parameters")["gas_pci_per_pcs"]
    b = commune_balance(*two_communes, params=BalanceParameters(heating_value="pci")).set_index("commune_insee")
    assert "consumption_gas_mwh_pci_yr" in b and "consumption_gas_mwh_pcs_yr" not in b
    assert b.loc["80001", "consumption_gas_mwh_pci_yr"] == pytest.approx(2000.0 * ratio)
    assert b.loc["80001", "potential_biomethane_net_mwh_pci_yr"] == pytest.approx(100.0 * ratio)
    assert b.loc["80001", "consumption_total_mwh_pci_yr"] == pytest.approx(2000.0 + 2000.0 * ratio)


def test_existing_vs_potential_max(two_communes):
    b = commune_balance(*two_communes, params=BalanceParameters(existing_vs_potential="max"))
    b = b.set_index("commune_insee")
    assert b.loc["80001", "production_potential_electricity_mwh_yr"] == 200.0  # max(40 existing, 200)
    assert b.loc["80002", "production_potential_electricity_mwh_yr"] == 160.0  # wind 60 + PV 100


def test_scenario_multiplier_by_hand(two_communes):
    b = commune_balance(*two_communes)
    s = scenario_2050(b, _scenario()).set_index("commune_insee")
    c = scenario_columns("s")
    # territory: consumption 5000, production today 100 -> target 700, shared by consumption (4/5, 1/5)
    np.testing.assert_allclose(s[c["target_production"]], [560.0, 140.0])
    np.testing.assert_allclose(s[c["consumption_2050"]], [1600.0, 400.0])
    np.testing.assert_allclose(s[c["projected_pv_2030"]], [40.0, 20.0])
    np.testing.assert_allclose(s[c["projected_biomethane_2030"]], [50.0, 100.0])
    np.testing.assert_allclose(s[c["projected_production_2030"]], [130.0, 180.0])
    np.testing.assert_allclose(s[c["projected_pv_2050"]], [100.0, 50.0])
    np.testing.assert_allclose(s[c["projected_biomethane_2050"]], [80.0, 240.0])
    np.testing.assert_allclose(s[c["projected_production_2050"]], [220.0, 350.0])
    np.testing.assert_allclose(s[c["required_addition"]], [520.0, 80.0])
    np.testing.assert_allclose(s[c["gap"]], [340.0, -210.0])
    np.testing.assert_allclose(s[c["autonomy_ratio_2050"]], [0.1375, 0.875])
    assert s[c["target_met"]].tolist() == [False, True]
    shares = s[[c["share_gap_closed_pv"], c["share_gap_closed_biomethane"], c["share_gap_remaining"]]]
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)

    t = territory_balance(apply_scenarios(b, BalanceParameters(scenarios=[_scenario()])),
                          BalanceParameters(scenarios=[_scenario()])).iloc[0]
    assert t[c["target_production"]] == pytest.approx(700.0)
    assert t[c["projected_production_2050"]] == pytest.approx(570.0)
    assert t[c["gap"]] == pytest.approx(130.0)
    assert t[c["share_gap_closed_pv"]] == pytest.approx(150.0 / 600.0)
    assert t[c["share_gap_closed_biomethane"]] == pytest.approx(320.0 / 600.0)
    assert t[c["share_gap_remaining"]] == pytest.approx(130.0 / 600.0)
    assert t[c["autonomy_ratio_2050"]] == pytest.approx(570.0 / 2000.0)
    assert not t[c["target_met"]]


def test_scenario_variants_by_hand(two_communes):
    b = commune_balance(*two_communes)
    c = scenario_columns("s")
    auto = scenario_2050(b, _scenario(target_rule="autonomy"))
    np.testing.assert_allclose(auto[c["target_production"]], [1600.0, 400.0])
    np.testing.assert_allclose(auto[c["gap"]], [1380.0, 50.0])
    own = scenario_2050(b, _scenario(target_allocation="production_today"))
    np.testing.assert_allclose(own[c["target_production"]], [280.0, 420.0])
    net = scenario_2050(b, _scenario(biomethane_basis="net", biomethane_mobilisation_2050_pct=50))
    np.testing.assert_allclose(net[c["projected_biomethane_2050"]], [50.0, 150.0])


def test_two_scenarios_side_by_side(two_communes):
    params = BalanceParameters(scenarios=[_scenario(name="amiens"), _scenario(name="autonomy", target_rule="autonomy")])
    b = apply_scenarios(commune_balance(*two_communes, params=params), params)
    table = compare_scenarios(b, params)
    assert list(table.columns) == ["unit", "amiens", "autonomy"]
    assert table.loc["target_production", "amiens"] == pytest.approx(700.0)
    assert table.loc["target_production", "autonomy"] == pytest.approx(2000.0)
    assert table.loc["gap", "autonomy"] == pytest.approx(2000.0 - 570.0)
    assert table.loc["consumption_today", "unit"] == "MWh PCS/yr"
    assert table.loc["projected_pv_2050", "unit"] == "MWh/yr"


def test_parameters_defaults_and_validation():
    values = parameter_values("balance_parameters")
    s = ScenarioParameters()
    assert s.consumption_cut_pct == values["consumption_cut_pct"] == 60
    assert s.production_multiplier == values["production_multiplier"] == 7
    assert s.mobilisation_fraction("pv", 2050) == values["pv_mobilisation_2050_pct"] / 100
    assert "Source:" in ScenarioParameters.model_fields["consumption_cut_pct"].description
    with pytest.raises(ValidationError):
        ScenarioParameters(unknown_key=1)
    with pytest.raises(ValidationError):
        ScenarioParameters(consumption_cut_pct=120)
    with pytest.raises(ValidationError):
        ScenarioParameters(name="Bad Name")
    with pytest.raises(ValidationError):
        BalanceParameters(scenarios=[ScenarioParameters(name="a"), ScenarioParameters(name="a")])
    with pytest.raises(ValidationError):
        BalanceParameters(heating_value="hhv")


def test_pci_scenario_columns_named(two_communes):
    params = BalanceParameters(heating_value="pci", scenarios=[_scenario()])
    b = apply_scenarios(commune_balance(*two_communes, params=params), params)
    assert "scenario_s_gap_mwh_pci_yr" in b and "scenario_s_projected_pv_2050_mwh_yr" in b
    assert not any(c.endswith("_mwh_pcs_yr") for c in b.columns)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_pos = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    cons=st.lists(st.tuples(_pos, _pos), min_size=1, max_size=6),
    today=st.lists(_pos, min_size=6, max_size=6),
    pv=st.lists(_pos, min_size=6, max_size=6),
    bm=st.lists(_pos, min_size=6, max_size=6),
    cut=st.floats(min_value=0, max_value=100),
    mult=st.floats(min_value=0, max_value=30),
    rule=st.sampled_from(["production_multiplier", "autonomy"]),
)
def test_scenario_identities(cons, today, pv, bm, cut, mult, rule):
    n = len(cons)
    codes = [f"800{i:02d}" for i in range(n)]
    communes = pd.DataFrame({"commune_insee": codes})
    consumption = pd.DataFrame({
        "commune_insee": codes * 2, "carrier": ["electricity"] * n + ["gas"] * n,
        "consumption_mwh_yr": [c[0] for c in cons] + [c[1] for c in cons]})
    existing = pd.DataFrame({"commune_insee": codes, "source": "pv", "production_mwh_yr": today[:n]})
    potential = pd.DataFrame({"commune_insee": codes, "pv_energy_mwh_yr": pv[:n],
                              "energy_mobilisable_2050_mwh_pcs_yr": bm[:n]})
    params = BalanceParameters(scenarios=[_scenario(consumption_cut_pct=cut, production_multiplier=mult,
                                                    target_rule=rule)])
    b = apply_scenarios(commune_balance(communes, consumption, potential, existing, params), params)
    t = territory_balance(b, params).iloc[0]
    c = scenario_columns("s")
    for col in (c["target_production"], c["gap"], c["projected_production_2050"], c["required_addition"]):
        assert t[col] == pytest.approx(b[col].sum(), rel=1e-9, abs=1e-6)
    shares = b[[c["share_gap_closed_pv"], c["share_gap_closed_biomethane"], c["share_gap_remaining"]]]
    scale = np.maximum(b[c["target_production"]].abs(), b[c["projected_production_2050"]].abs())
    ok = shares.notna().all(axis=1) & (b[c["required_addition"]] > 1e-6 * np.maximum(scale, 1.0))
    np.testing.assert_allclose(shares[ok].sum(axis=1), 1.0, rtol=1e-9)
    # projected = today + mobilised potentials, never below today's production
    assert (b[c["projected_production_2050"]] >= b["production_today_mwh_pcs_yr"] - 1e-9).all()
    if rule == "production_multiplier":
        assert t[c["target_production"]] == pytest.approx(mult * t["production_today_mwh_pcs_yr"], rel=1e-9, abs=1e-6)

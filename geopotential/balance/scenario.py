"""2050 autonomy scenarios: target, projected production, remaining gap, share closed per source.

For a scenario ``s`` (see :class:`~geopotential.balance.parameters.ScenarioParameters`), per
commune (``u`` is ``mwh_pcs_yr`` or ``mwh_pci_yr``, the balance's heating value):

* ``consumption_2050 = consumption_total x (1 - consumption_cut_pct / 100)``
* target, rule ``production_multiplier``: territory target ``T = multiplier x sum(production_today)``,
  shared among communes by consumption today (``T x C_i / sum C``) or by production today
  (``multiplier x P_i``); rule ``autonomy``: ``target = consumption_2050``
* ``projected_pv_<y> = potential_pv x pv_mobilisation_<y>``;
  ``projected_biomethane_<y> = potential_biomethane_<basis> x biomethane_mobilisation_<y>``
  (basis ``mobilisable``: ``energy_mobilisable_<y>``; ``net``: ``energy_net``)
* ``projected_production_<y> = production_today + projected_pv_<y> + projected_biomethane_<y>``
* ``required_addition = target - production_today``; ``gap = target - projected_production_2050``
  (negative: surplus); ``share_gap_closed_pv = projected_pv_2050 / required_addition``, same for
  biomethane, ``share_gap_remaining = gap / required_addition``: the three add up to 1
  (NaN where nothing is required).
* ``autonomy_ratio_2050 = projected_production_2050 / consumption_2050``.

All energy columns are additive: commune sums equal the territory's; shares and ratios are
recomputed from sums (:func:`recompute_scenario_ratios`).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geopotential.balance.balance import _ratio, heating_value_of, territory_balance
from geopotential.balance.parameters import CALENDAR_YEARS, BalanceParameters, ScenarioParameters, energy_unit
from geopotential.exceptions import MissingFieldError

logger = logging.getLogger(__name__)


def scenario_columns(name: str, heating_value: str = "pcs") -> dict[str, str]:
    """Names of the columns a scenario adds, keyed by short name."""
    p, u = f"scenario_{name}_", energy_unit(heating_value)
    cols = {
        "consumption_2050": f"{p}consumption_2050_{u}",
        "target_production": f"{p}target_production_{u}",
    }
    for y in CALENDAR_YEARS:
        cols[f"projected_pv_{y}"] = f"{p}projected_pv_{y}_mwh_yr"
        cols[f"projected_biomethane_{y}"] = f"{p}projected_biomethane_{y}_{u}"
        cols[f"projected_production_{y}"] = f"{p}projected_production_{y}_{u}"
    cols.update({
        "required_addition": f"{p}required_addition_{u}",
        "gap": f"{p}gap_{u}",
        "share_gap_closed_pv": f"{p}share_gap_closed_pv",
        "share_gap_closed_biomethane": f"{p}share_gap_closed_biomethane",
        "share_gap_remaining": f"{p}share_gap_remaining",
        "autonomy_ratio_2050": f"{p}autonomy_ratio_2050",
        "target_met": f"{p}target_met",
    })
    return cols


def _col(balance: pd.DataFrame, name: str) -> np.ndarray:
    if name not in balance.columns:
        raise MissingFieldError("column missing from the balance table", field=name)
    return pd.to_numeric(balance[name], errors="coerce").to_numpy(dtype=float)


def scenario_2050(balance: pd.DataFrame, scenario: ScenarioParameters) -> pd.DataFrame:
    """Apply one 2050 scenario to a commune balance.

    Parameters
    ----------
    balance
        Output of :func:`geopotential.balance.balance.commune_balance`.
    scenario
        The scenario parameters.

    Returns
    -------
    pandas.DataFrame
        Same rows as ``balance``: ``commune_insee`` and the columns of
        :func:`scenario_columns` (energies [MWh/yr, gas in the balance's heating value],
        shares and ratio [-], ``target_met`` bool).
    """
    hv = heating_value_of(balance)
    u = energy_unit(hv)
    cols = scenario_columns(scenario.name, hv)
    cons = _col(balance, f"consumption_total_{u}")
    today = _col(balance, f"production_today_{u}")
    pv = _col(balance, "potential_pv_mwh_yr")
    cons0 = np.nan_to_num(cons)
    keep = 1.0 - scenario.consumption_cut_pct / 100.0
    cons_2050 = cons * keep

    if scenario.target_rule == "autonomy":
        target = np.nan_to_num(cons_2050)
    else:
        m = scenario.production_multiplier
        if scenario.target_allocation == "consumption_share" and cons0.sum() > 0:
            target = m * today.sum() * cons0 / cons0.sum()
        else:
            if scenario.target_allocation == "consumption_share":
                logger.warning("scenario %s: no consumption known, target shared by production today",
                               scenario.name)
            target = m * today

    out = pd.DataFrame({"commune_insee": balance["commune_insee"].to_numpy()}, index=balance.index)
    out[cols["consumption_2050"]] = cons_2050
    out[cols["target_production"]] = target
    for y in CALENDAR_YEARS:
        level = f"mobilisable_{y}" if scenario.biomethane_basis == "mobilisable" else "net"
        bm = _col(balance, f"potential_biomethane_{level}_{u}")
        add_pv = pv * scenario.mobilisation_fraction("pv", y)
        add_bm = bm * scenario.mobilisation_fraction("biomethane", y)
        out[cols[f"projected_pv_{y}"]] = add_pv
        out[cols[f"projected_biomethane_{y}"]] = add_bm
        out[cols[f"projected_production_{y}"]] = today + add_pv + add_bm
    out[cols["required_addition"]] = target - today
    out[cols["gap"]] = target - out[cols["projected_production_2050"]].to_numpy()
    recompute_scenario_ratios(out, scenario.name, hv)
    return out


def recompute_scenario_ratios(df: pd.DataFrame, name: str, heating_value: str) -> pd.DataFrame:
    """(Re)compute a scenario's shares, 2050 autonomy ratio and ``target_met`` from its energies, in place."""
    cols = scenario_columns(name, heating_value)
    req = df[cols["required_addition"]].to_numpy(float)
    # a required addition that is only rounding noise of target - today counts as none (shares NaN)
    target = df[cols["target_production"]].to_numpy(float)
    req = np.where(req > 1e-9 * np.maximum(np.abs(target), 1.0), req, 0.0)
    gap = df[cols["gap"]].to_numpy(float)
    df[cols["share_gap_closed_pv"]] = _ratio(df[cols["projected_pv_2050"]].to_numpy(float), req)
    df[cols["share_gap_closed_biomethane"]] = _ratio(df[cols["projected_biomethane_2050"]].to_numpy(float), req)
    df[cols["share_gap_remaining"]] = _ratio(gap, req)
    df[cols["autonomy_ratio_2050"]] = _ratio(df[cols["projected_production_2050"]].to_numpy(float),
                                             df[cols["consumption_2050"]].to_numpy(float))
    df[cols["target_met"]] = gap <= 1e-9 * np.maximum(1.0, np.abs(df[cols["target_production"]].to_numpy(float)))
    return df


def apply_scenarios(balance: pd.DataFrame, params: BalanceParameters | None = None) -> pd.DataFrame:
    """The balance with the columns of every scenario of ``params`` appended."""
    params = params or BalanceParameters()
    out = balance.copy()
    for s in params.scenarios:
        sc = scenario_2050(balance, s).drop(columns="commune_insee")
        out = pd.concat([out.drop(columns=[c for c in sc.columns if c in out.columns]), sc], axis=1)
    return out


_COMPARE_ROWS = (
    ("consumption_today", None, "consumption_total_{u}"),
    ("production_today", None, "production_today_{u}"),
    ("autonomy_ratio_today", None, "autonomy_ratio_today"),
    ("consumption_2050", "consumption_2050", None),
    ("target_production", "target_production", None),
    ("required_addition", "required_addition", None),
    ("projected_pv_2030", "projected_pv_2030", None),
    ("projected_biomethane_2030", "projected_biomethane_2030", None),
    ("projected_production_2030", "projected_production_2030", None),
    ("projected_pv_2050", "projected_pv_2050", None),
    ("projected_biomethane_2050", "projected_biomethane_2050", None),
    ("projected_production_2050", "projected_production_2050", None),
    ("gap", "gap", None),
    ("share_gap_closed_pv", "share_gap_closed_pv", None),
    ("share_gap_closed_biomethane", "share_gap_closed_biomethane", None),
    ("share_gap_remaining", "share_gap_remaining", None),
    ("autonomy_ratio_2050", "autonomy_ratio_2050", None),
    ("target_met", "target_met", None),
)


def compare_scenarios(
    balance: pd.DataFrame,
    params: BalanceParameters | None = None,
    name: str = "territory",
) -> pd.DataFrame:
    """Territory-level results of every scenario, side by side.

    Parameters
    ----------
    balance
        Commune balance (scenario columns are computed when absent).
    params
        Parameters holding the scenarios to compare.
    name
        Territory name.

    Returns
    -------
    pandas.DataFrame
        One row per quantity (index ``quantity``), a ``unit`` column, then one column per
        scenario name. Energies in MWh/yr (gas-including totals in the balance's heating value).
    """
    params = params or BalanceParameters()
    hv = heating_value_of(balance)
    u = energy_unit(hv)
    balance = apply_scenarios(balance, params)  # always: columns of an earlier run may hold other parameters
    terr = territory_balance(balance, params, name=name).iloc[0]
    table = {}
    for s in params.scenarios:
        cols = scenario_columns(s.name, hv)
        table[s.name] = [terr[base.format(u=u)] if base else terr[cols[key]] for _, key, base in _COMPARE_ROWS]
    units = []
    for _, key, base in _COMPARE_ROWS:
        col = base.format(u=u) if base else scenario_columns("x", hv)[key]
        units.append(_unit_of(col))
    out = pd.DataFrame(table, index=pd.Index([q for q, _, _ in _COMPARE_ROWS], name="quantity"))
    out.insert(0, "unit", units)
    return out


def _unit_of(col: str) -> str:
    for suffix, unit in (("_mwh_pcs_yr", "MWh PCS/yr"), ("_mwh_pci_yr", "MWh PCI/yr"), ("_mwh_yr", "MWh/yr")):
        if col.endswith(suffix):
            return unit
    return "bool" if col.endswith("target_met") else "-"

"""Energy balance per commune and for the territory.

Consumption by carrier (electricity, gas, heat, other) is set against today's local
renewable production (by source) and the mapped potentials (rooftop PV electricity,
biomethane), giving autonomy ratios (production / consumption) today and at the
potential, for electricity, gas and in total.

Every gas quantity and every total that includes gas is in the heating value of
:attr:`BalanceParameters.heating_value`, named in the column (``_mwh_pcs_yr`` or
``_mwh_pci_yr``); electricity and heat columns are ``_mwh_yr``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geopotential.aggregate import check_conservation
from geopotential.balance.consumption import as_float
from geopotential.balance.parameters import CARRIERS, SOURCE_CARRIER, BalanceParameters, energy_unit
from geopotential.exceptions import ComputationError, InputError, MissingFieldError

logger = logging.getLogger(__name__)

ELECTRICITY_SOURCES = tuple(s for s, c in SOURCE_CARRIER.items() if c == "electricity")
BIOGAS_LEVELS = ("net", "mobilisable_2030", "mobilisable_2050")


def _hv_factor(hv_from: str, hv_to: str, pci_per_pcs: float) -> float:
    if hv_from == hv_to:
        return 1.0
    return pci_per_pcs if (hv_from, hv_to) == ("pcs", "pci") else 1.0 / pci_per_pcs


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(num.shape, np.nan)
    ok = np.isfinite(den) & (den > 0)
    with np.errstate(over="ignore"):
        out[ok] = num[ok] / den[ok]
    return out


def heating_value_of(balance: pd.DataFrame) -> str:
    """Heating value ("pcs" or "pci") a balance table is expressed in, read from its columns."""
    for hv in ("pcs", "pci"):
        if f"consumption_total_{energy_unit(hv)}" in balance.columns:
            return hv
    raise MissingFieldError("not a balance table: no consumption_total_mwh_pcs_yr / _pci_yr column",
                            field="consumption_total")


def balance_columns(heating_value: str = "pcs") -> dict[str, str]:
    """Names of the main balance columns for a heating value (for reports and charts)."""
    u = energy_unit(heating_value)
    return {
        "consumption_electricity": "consumption_electricity_mwh_yr",
        "consumption_gas": f"consumption_gas_{u}",
        "consumption_heat": "consumption_heat_mwh_yr",
        "consumption_other": "consumption_other_mwh_yr",
        "consumption_total": f"consumption_total_{u}",
        "production_today_electricity": "production_today_electricity_mwh_yr",
        "production_today_gas": f"production_today_gas_{u}",
        "production_today_heat": "production_today_heat_mwh_yr",
        "production_today_total": f"production_today_{u}",
        "potential_pv": "potential_pv_mwh_yr",
        "potential_biomethane_net": f"potential_biomethane_net_{u}",
        "potential_biomethane_mobilisable_2030": f"potential_biomethane_mobilisable_2030_{u}",
        "potential_biomethane_mobilisable_2050": f"potential_biomethane_mobilisable_2050_{u}",
        "production_potential_electricity": "production_potential_electricity_mwh_yr",
        "production_potential_gas": f"production_potential_gas_{u}",
        "production_potential_total": f"production_potential_{u}",
    }


RATIO_COLUMNS = (
    "autonomy_ratio_electricity_today", "autonomy_ratio_gas_today", "autonomy_ratio_today",
    "autonomy_ratio_electricity_potential", "autonomy_ratio_gas_potential", "autonomy_ratio_potential",
)


def _codes(df: pd.DataFrame, what: str) -> pd.Series:
    if "commune_insee" not in df.columns:
        raise MissingFieldError(f"column missing from the {what} table", field="commune_insee")
    return df["commune_insee"].astype(str)


def _energy_rows(df: pd.DataFrame, what: str, kind_col: str, kinds, value_col: str, is_gas,
                 hv: str, ratio: float) -> pd.DataFrame:
    """Validated long rows ``commune_insee, <kind_col>, v`` with gas converted to the balance's heating value.

    Parameters
    ----------
    df
        Long table (consumption per carrier, or production per source).
    what
        Table name for messages.
    kind_col, kinds
        Category column and its allowed values.
    value_col
        Energy column [MWh/yr]; must not be negative.
    is_gas
        Function of the category Series giving the rows that are gas (PCS when unstated).
    hv, ratio
        Heating value of the balance and PCI/PCS ratio.
    """
    for c in (kind_col, value_col):
        if c not in df.columns:
            raise MissingFieldError(f"column missing from the {what} table", field=c)
    codes = _codes(df, what)
    kind = df[kind_col].astype(str)
    unknown = sorted(set(kind) - set(kinds))
    if unknown:
        raise InputError(f"unknown {kind_col} values {unknown}; expected {list(kinds)}", field=kind_col)
    values = pd.to_numeric(df[value_col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    if (values < 0).any():
        raise InputError(f"negative values in the {what} table", field=value_col)
    gas = np.asarray(is_gas(kind), dtype=bool)
    if "heating_value" in df.columns:
        row_hv = df["heating_value"].fillna("").astype(str).str.lower().to_numpy()
    else:
        row_hv = np.full(len(values), "", dtype=object)
    missing_hv = gas & (row_hv == "")
    if missing_hv.any():
        logger.info("%d gas rows of the %s table without heating_value taken as PCS (ORE/SDES convention)",
                    int(missing_hv.sum()), what)
        row_hv = np.where(missing_hv, "pcs", row_hv)
    bad = sorted(set(row_hv[gas]) - {"pcs", "pci"})
    if bad:
        raise InputError(f"heating_value of gas rows must be pcs or pci, found {bad}", field="heating_value")
    factor = np.ones(len(values))
    for src in ("pcs", "pci"):
        factor[gas & (row_hv == src)] = _hv_factor(src, hv, ratio)
    return pd.DataFrame({"commune_insee": codes.to_numpy(), kind_col: kind.to_numpy(), "v": values * factor})


def _consumption_wide(consumption: pd.DataFrame, hv: str, ratio: float) -> pd.DataFrame:
    data = _energy_rows(consumption, "consumption", "carrier", CARRIERS, "consumption_mwh_yr",
                        lambda k: k == "gas", hv, ratio)
    wide = data.pivot_table(index="commune_insee", columns="carrier", values="v", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=list(CARRIERS), fill_value=0.0)
    if "consumption_is_default" in consumption.columns:
        flag = consumption["consumption_is_default"].fillna(False).astype(bool).to_numpy()
    else:
        flag = np.zeros(len(data), dtype=bool)
    wide["consumption_is_default"] = pd.Series(flag, index=data["commune_insee"].to_numpy()).groupby(level=0).any()
    return wide


def _existing_wide(existing: pd.DataFrame, hv: str, ratio: float) -> pd.DataFrame:
    data = _energy_rows(existing, "existing-production", "source", SOURCE_CARRIER, "production_mwh_yr",
                        lambda k: k.map(SOURCE_CARRIER) == "gas", hv, ratio)
    wide = data.pivot_table(index="commune_insee", columns="source", values="v", aggfunc="sum", fill_value=0.0)
    return wide.reindex(columns=list(SOURCE_CARRIER), fill_value=0.0)


def _potential_wide(potential: pd.DataFrame, hv: str, ratio: float) -> pd.DataFrame:
    codes = _codes(potential, "production-potential")
    other = "pci" if hv == "pcs" else "pcs"
    cols: dict[str, np.ndarray] = {}
    if "pv_energy_mwh_yr" in potential.columns:
        cols["pv"] = pd.to_numeric(potential["pv_energy_mwh_yr"], errors="coerce").fillna(0.0).to_numpy(float)
    else:
        logger.info("production potential has no pv_energy_mwh_yr: PV potential taken as 0")
        cols["pv"] = np.zeros(len(potential))
    for level in BIOGAS_LEVELS:
        same, alt = f"energy_{level}_mwh_{hv}_yr", f"energy_{level}_mwh_{other}_yr"
        if same in potential.columns:
            v = pd.to_numeric(potential[same], errors="coerce").fillna(0.0).to_numpy(float)
        elif alt in potential.columns:
            v = pd.to_numeric(potential[alt], errors="coerce").fillna(0.0).to_numpy(float)
            v = v * _hv_factor(other, hv, ratio)
        else:
            logger.info("production potential has no %s: biomethane %s potential taken as 0", same, level)
            v = np.zeros(len(potential))
        cols[f"biomethane_{level}"] = v
    for k, v in cols.items():
        if (v < 0).any():
            raise InputError(f"negative potential values ({k})", field=k)
    data = pd.DataFrame(cols)
    data["commune_insee"] = codes.to_numpy()
    return data.groupby("commune_insee", sort=False).sum()


def commune_balance(
    communes: pd.DataFrame,
    consumption: pd.DataFrame | None = None,
    production_potential: pd.DataFrame | None = None,
    existing_production: pd.DataFrame | None = None,
    params: BalanceParameters | None = None,
) -> pd.DataFrame:
    """Energy balance of every commune.

    Parameters
    ----------
    communes
        ``commune_insee`` and optionally ``commune_name``, ``population`` [inhabitants] and
        ``match_status`` (from :func:`~geopotential.balance.consumption.match_communes_population`).
    consumption
        Long table ``commune_insee, carrier, consumption_mwh_yr`` [MWh/yr] with optional
        ``heating_value`` (gas rows; PCS when absent) and ``consumption_is_default``, as
        returned by ``read_consumption`` or ``default_consumption``. Several tables may be
        concatenated. ``None``: no consumption known (ratios are NaN).
    production_potential
        Per-commune potentials: ``commune_insee``, ``pv_energy_mwh_yr`` [MWh/yr] and
        ``energy_net_mwh_pcs_yr``, ``energy_mobilisable_2030_mwh_pcs_yr``,
        ``energy_mobilisable_2050_mwh_pcs_yr`` (or the ``_pci_`` variants) [MWh/yr].
        Missing columns count as no potential (logged).
    existing_production
        Long table ``commune_insee, source, production_mwh_yr`` [MWh/yr] (``read_existing_production``).
    params
        :class:`BalanceParameters`.

    Returns
    -------
    pandas.DataFrame
        One row per commune (the communes table's order, then codes found only in the other
        tables, with ``commune_match_status = "not_in_communes"``): consumption per carrier
        and total, ``consumption_is_default``, production today per source and per carrier,
        potentials, production at the potential, the six ``autonomy_ratio_*`` columns [-],
        ``commune_match_status`` and ``exclusion_reason`` (why a commune has no ratio; empty
        otherwise). Energy columns as listed by :func:`balance_columns`.
    """
    params = params or BalanceParameters()
    hv, ratio = params.heating_value, params.gas_pci_per_pcs
    u = energy_unit(hv)
    cnames = _codes(communes, "communes")
    if cnames.duplicated().any():
        raise InputError(f"duplicate commune codes: {sorted(set(cnames[cnames.duplicated()]))[:10]}",
                         field="commune_insee")

    cons = _consumption_wide(consumption, hv, ratio) if consumption is not None else None
    exist = _existing_wide(existing_production, hv, ratio) if existing_production is not None else None
    pot = _potential_wide(production_potential, hv, ratio) if production_potential is not None else None
    if consumption is None:
        logger.warning("no consumption given: autonomy ratios are NaN")
    if existing_production is None:
        logger.info("no existing production given: production today taken as 0")

    known = set(cnames)
    extra: dict[str, list[str]] = {}
    for what, t in (("consumption", cons), ("existing production", exist), ("production potential", pot)):
        if t is None:
            continue
        codes = sorted(set(t.index) - known)
        if codes:
            logger.warning("%d communes of the %s table are not in the communes table; kept as "
                           "'not_in_communes' rows: %s", len(codes), what, codes)
            for c in codes:
                extra.setdefault(c, []).append(what)
    index = pd.Index(list(cnames) + sorted(extra), name="commune_insee")

    out = pd.DataFrame(index=index)
    src = communes.assign(commune_insee=cnames).set_index("commune_insee")
    out["commune_name"] = src["commune_name"].reindex(index) if "commune_name" in src else pd.NA
    out["population"] = (pd.Series(as_float(src["population"]), index=src.index).reindex(index).to_numpy(float)
                         if "population" in src else np.nan)

    # consumption
    if cons is not None:
        c = cons.reindex(index)
        has_cons = c[list(CARRIERS)].notna().all(axis=1).to_numpy()
    else:
        c = pd.DataFrame(np.nan, index=index, columns=list(CARRIERS) + ["consumption_is_default"])
        has_cons = np.zeros(len(index), dtype=bool)
    out["consumption_electricity_mwh_yr"] = c["electricity"].to_numpy(float)
    out[f"consumption_gas_{u}"] = c["gas"].to_numpy(float)
    out["consumption_heat_mwh_yr"] = c["heat"].to_numpy(float)
    out["consumption_other_mwh_yr"] = c["other"].to_numpy(float)
    cons_total = c[list(CARRIERS)].to_numpy(float).sum(axis=1)
    out[f"consumption_total_{u}"] = cons_total
    out["consumption_is_default"] = c["consumption_is_default"].fillna(False).astype(bool).to_numpy()

    # production today
    e = exist.reindex(index, fill_value=0.0) if exist is not None else pd.DataFrame(
        0.0, index=index, columns=list(SOURCE_CARRIER))
    for s in ELECTRICITY_SOURCES:
        out[f"production_today_{s}_mwh_yr"] = e[s].to_numpy(float)
    out[f"production_today_biomethane_{u}"] = e["biomethane"].to_numpy(float)
    out["production_today_heat_mwh_yr"] = e["heat"].to_numpy(float)
    today_el = e[list(ELECTRICITY_SOURCES)].to_numpy(float).sum(axis=1)
    today_gas = e["biomethane"].to_numpy(float)
    today_heat = e["heat"].to_numpy(float)
    out["production_today_electricity_mwh_yr"] = today_el
    out[f"production_today_gas_{u}"] = today_gas
    out[f"production_today_{u}"] = today_el + today_gas + today_heat

    # potentials
    p = pot.reindex(index, fill_value=0.0) if pot is not None else pd.DataFrame(
        0.0, index=index, columns=["pv"] + [f"biomethane_{lv}" for lv in BIOGAS_LEVELS])
    out["potential_pv_mwh_yr"] = p["pv"].to_numpy(float)
    for lv in BIOGAS_LEVELS:
        out[f"potential_biomethane_{lv}_{u}"] = p[f"biomethane_{lv}"].to_numpy(float)

    # production at the potential
    pv = p["pv"].to_numpy(float)
    bm = p[f"biomethane_{params.potential_biomethane_level}"].to_numpy(float)
    today_pv = e["pv"].to_numpy(float)
    if params.existing_vs_potential == "add":
        pot_el = today_el + pv
        pot_gas = today_gas + bm
    else:
        pot_el = today_el - today_pv + np.maximum(today_pv, pv)
        pot_gas = np.maximum(today_gas, bm)
    out["production_potential_electricity_mwh_yr"] = pot_el
    out[f"production_potential_gas_{u}"] = pot_gas
    out[f"production_potential_{u}"] = pot_el + pot_gas + today_heat

    add_ratios(out, hv)

    # status and reasons
    status = pd.Series("matched", index=index, dtype=object)
    if "match_status" in src:
        status.loc[list(cnames)] = src["match_status"].astype(str).to_numpy()
    status.loc[list(extra)] = "not_in_communes"
    out["commune_match_status"] = status.to_numpy()
    reason = np.full(len(index), "", dtype=object)
    pop_missing = out["population"].isna().to_numpy()
    reason[~has_cons] = "no consumption data"
    reason[~has_cons & pop_missing] = "no consumption data: commune has no population"
    is_extra = index.isin(list(extra))
    reason[is_extra] = [f"not in the communes table (found in: {', '.join(extra[c])})" for c in index[is_extra]]
    out["exclusion_reason"] = reason
    out = out.reset_index()
    n_no = int((~has_cons).sum())
    if n_no and consumption is not None:
        logger.warning("%d communes have no consumption data: %s", n_no, list(index[~has_cons])[:20])
    return out


def add_ratios(df: pd.DataFrame, heating_value: str) -> pd.DataFrame:
    """(Re)compute the six autonomy ratios of a balance table in place [-] and return it."""
    u = energy_unit(heating_value)
    df["autonomy_ratio_electricity_today"] = _ratio(df["production_today_electricity_mwh_yr"],
                                                    df["consumption_electricity_mwh_yr"])
    df["autonomy_ratio_gas_today"] = _ratio(df[f"production_today_gas_{u}"], df[f"consumption_gas_{u}"])
    df["autonomy_ratio_today"] = _ratio(df[f"production_today_{u}"], df[f"consumption_total_{u}"])
    df["autonomy_ratio_electricity_potential"] = _ratio(df["production_potential_electricity_mwh_yr"],
                                                        df["consumption_electricity_mwh_yr"])
    df["autonomy_ratio_gas_potential"] = _ratio(df[f"production_potential_gas_{u}"], df[f"consumption_gas_{u}"])
    df["autonomy_ratio_potential"] = _ratio(df[f"production_potential_{u}"], df[f"consumption_total_{u}"])
    return df


def additive_columns(balance: pd.DataFrame) -> list[str]:
    """Columns of a balance that sum from communes to the territory (energies and population).

    Intensive quantities (per kWp, per m2, per kWh, payback times) are not additive.
    """
    intensive = ("_kwh_kwp_yr", "_kwh_m2_yr", "payback_yr", "_eur_kwh")
    return [c for c in balance.columns
            if (c.endswith("_yr") or c == "population") and not any(c.endswith(t) for t in intensive)
            and pd.api.types.is_numeric_dtype(balance[c])]


def territory_balance(
    balance: pd.DataFrame,
    params: BalanceParameters | None = None,
    name: str = "territory",
) -> pd.DataFrame:
    """The balance of the whole territory: sums of the commune balance.

    Parameters
    ----------
    balance
        Output of :func:`commune_balance` (optionally with scenario columns from
        :func:`geopotential.balance.scenario.apply_scenarios`).
    params
        The parameters used (their scenarios' ratios and shares are recomputed from the sums).
    name
        Name of the territory, put in column ``territory``.

    Returns
    -------
    pandas.DataFrame
        One row: ``territory``, ``n_communes``, ``n_communes_default_consumption``,
        ``n_communes_without_consumption``, every additive column summed (NaN counts as 0),
        ratios and scenario shares recomputed from the sums (not averaged).
    """
    hv = heating_value_of(balance)
    cols = additive_columns(balance)
    sums = {c: float(np.nansum(pd.to_numeric(balance[c], errors="coerce").to_numpy(float))) for c in cols}
    row = {"territory": name, "n_communes": int(len(balance))}
    if "consumption_is_default" in balance:
        row["n_communes_default_consumption"] = int(balance["consumption_is_default"].fillna(False).sum())
    row["n_communes_without_consumption"] = int(balance[f"consumption_total_{energy_unit(hv)}"].isna().sum())
    row.update(sums)
    out = pd.DataFrame([row])
    add_ratios(out, hv)
    if params is not None:
        from geopotential.balance.scenario import recompute_scenario_ratios

        for s in params.scenarios:
            if any(c.startswith(f"scenario_{s.name}_") for c in out.columns):
                recompute_scenario_ratios(out, s.name, hv)
    try:
        check_conservation(balance, out, cols)
    except AssertionError as exc:  # pragma: no cover - guards the summation above
        raise ComputationError(f"territory balance: {exc}") from None
    return out


def balance_mismatches(balance: pd.DataFrame) -> pd.DataFrame:
    """Communes of a balance whose code did not match across the inputs, with the reason."""
    sel = balance["commune_match_status"] != "matched"
    return balance.loc[sel, ["commune_insee", "commune_name", "commune_match_status", "exclusion_reason"]].reset_index(
        drop=True)

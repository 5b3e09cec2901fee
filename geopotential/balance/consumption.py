"""Consumption inputs of the balance: per-inhabitant defaults and commune/population matching.

Where no local consumption file (ORE / SDES, read by
:func:`geopotential.io.consumption.read_consumption`) is given, each commune gets
population x the national per-inhabitant consumption of each carrier
(``data/consumption_per_inhabitant.csv``, with its sources), flagged
``consumption_is_default = True``.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geopotential.balance.parameters import CARRIERS, BalanceParameters
from geopotential.exceptions import InputError, MissingFieldError
from geopotential.params import load_table

logger = logging.getLogger(__name__)

#: Columns of a long consumption table (as returned by ``read_consumption``).
CONSUMPTION_COLUMNS = ("commune_insee", "carrier", "sector", "consumption_mwh_yr", "heating_value")


def as_float(values: pd.Series) -> np.ndarray:
    """Numbers of a column as float64, NaN for missing (accepts nullable Int64 / Float64 / text)."""
    return pd.to_numeric(values, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def consumption_defaults_table(params: BalanceParameters | None = None) -> pd.DataFrame:
    """The per-inhabitant consumption table in use, one row per carrier, with its sources.

    Returns
    -------
    pandas.DataFrame
        ``carrier``, ``consumption_mwh_per_inhabitant_yr`` [MWh/inhabitant/yr; gas in the
        table's ``heating_value``], ``heating_value``, ``sector``, ``source`` (and the
        table's other columns).
    """
    params = params or BalanceParameters()
    path = params.consumption_per_inhabitant_table
    t = load_table("consumption_per_inhabitant", path)
    where = path or "data/consumption_per_inhabitant.csv"
    for c in ("carrier", "consumption_mwh_per_inhabitant_yr"):
        if c not in t.columns:
            raise MissingFieldError("column missing from the per-inhabitant consumption table", path=where, field=c)
    unknown = sorted(set(t["carrier"]) - set(CARRIERS))
    if unknown:
        raise InputError(f"unknown carriers {unknown}; expected {list(CARRIERS)}", path=where, field="carrier")
    if t["carrier"].duplicated().any():
        raise InputError("one row per carrier expected", path=where, field="carrier")
    values = pd.to_numeric(t["consumption_mwh_per_inhabitant_yr"], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise InputError("values must be non-negative numbers", path=where, field="consumption_mwh_per_inhabitant_yr")
    t["consumption_mwh_per_inhabitant_yr"] = values
    if "heating_value" not in t.columns:
        t["heating_value"] = ""
    t["heating_value"] = t["heating_value"].fillna("").astype(str).str.strip().str.lower()
    gas_hv = set(t.loc[t["carrier"] == "gas", "heating_value"])
    if gas_hv - {"pcs", "pci"}:
        raise InputError("the gas row needs heating_value pcs or pci", path=where, field="heating_value")
    t.loc[t["carrier"] != "gas", "heating_value"] = ""
    if "sector" not in t.columns:
        t["sector"] = "all"
    return t


def default_consumption(communes: pd.DataFrame, params: BalanceParameters | None = None) -> pd.DataFrame:
    """Per-inhabitant default consumption of every commune and carrier.

    Parameters
    ----------
    communes
        Table with ``commune_insee`` and ``population`` [inhabitants]. Communes without a
        population get no rows (they are reported by the balance as having no consumption).
    params
        Balance parameters (``consumption_per_inhabitant_table`` to use another table).

    Returns
    -------
    pandas.DataFrame
        Long table ``commune_insee``, ``carrier``, ``sector`` ("all"), ``consumption_mwh_yr``
        [MWh/yr; gas in the table's heating value, PCS by default], ``heating_value``,
        ``consumption_is_default`` (True), ``consumption_source`` (the table's source).
    """
    for c in ("commune_insee", "population"):
        if c not in communes.columns:
            raise MissingFieldError("column missing from the communes table", field=c)
    table = consumption_defaults_table(params)
    pop = as_float(communes["population"])
    if (pop < 0).any():
        raise InputError("negative population", field="population")
    has_pop = ~np.isnan(pop)
    n_missing = int((~has_pop).sum())
    if n_missing:
        codes = communes.loc[~has_pop, "commune_insee"].astype(str).tolist()
        logger.warning("%d communes have no population, so no default consumption: %s", n_missing, codes)
    codes = communes["commune_insee"].astype(str).to_numpy()[has_pop]
    pop = pop[has_pop]
    n_c, n_k = len(codes), len(table)
    out = pd.DataFrame({
        "commune_insee": np.repeat(codes, n_k),
        "carrier": np.tile(table["carrier"].to_numpy(dtype=object), n_c),
        "sector": np.tile(table["sector"].astype(str).to_numpy(dtype=object), n_c),
        "consumption_mwh_yr": np.repeat(pop, n_k) * np.tile(table["consumption_mwh_per_inhabitant_yr"].to_numpy(), n_c),
        "heating_value": np.tile(table["heating_value"].to_numpy(dtype=object), n_c),
        "consumption_is_default": True,
        "consumption_source": np.tile(table["source"].astype(str).to_numpy(dtype=object), n_c),
    })
    return out


def match_communes_population(
    communes: pd.DataFrame, population: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join a commune list (e.g. the geometries) with a population table, reporting mismatches.

    Commune lists of different vintages differ by mergers (communes nouvelles): a 2018
    geometry file holds codes absent from a 2024 population file. No commune is dropped:
    the result holds the union of codes, and every code present in only one input is
    returned in ``mismatches`` and logged.

    Parameters
    ----------
    communes
        ``commune_insee`` and optionally ``commune_name`` (e.g. from the geometry layer).
    population
        ``commune_insee``, ``population`` [inhabitants] and optionally ``commune_name``.

    Returns
    -------
    communes : pandas.DataFrame
        ``commune_insee``, ``commune_name``, ``population`` (NaN where unknown),
        ``match_status`` ("matched", "missing_population", "missing_geometry").
    mismatches : pandas.DataFrame
        The rows whose ``match_status`` is not "matched": ``commune_insee``, ``commune_name``,
        ``match_status``, ``present_in``, ``missing_from``.
    """
    for name, t, cols in (("communes", communes, ("commune_insee",)),
                          ("population", population, ("commune_insee", "population"))):
        for c in cols:
            if c not in t.columns:
                raise MissingFieldError(f"column missing from the {name} table", field=c)
        dup = t["commune_insee"][t["commune_insee"].duplicated()]
        if len(dup):
            raise InputError(f"duplicate commune codes in the {name} table: {sorted(set(dup))[:10]}",
                             field="commune_insee")
    left = communes[["commune_insee"] + (["commune_name"] if "commune_name" in communes else [])].copy()
    right = population[["commune_insee", "population"] + (["commune_name"] if "commune_name" in population else [])]
    right = right.rename(columns={"commune_name": "commune_name_population"})
    left["commune_insee"] = left["commune_insee"].astype(str)
    right = right.assign(commune_insee=right["commune_insee"].astype(str))
    m = left.merge(right, on="commune_insee", how="outer", indicator=True, sort=True)
    if "commune_name" not in m:
        m["commune_name"] = pd.NA
    if "commune_name_population" in m:
        m["commune_name"] = m["commune_name"].fillna(m.pop("commune_name_population"))
    status = m.pop("_merge").map({"both": "matched", "left_only": "missing_population",
                                  "right_only": "missing_geometry"}).astype(str)
    m["match_status"] = status.to_numpy()
    m["population"] = as_float(m["population"])
    out = m[["commune_insee", "commune_name", "population", "match_status"]].reset_index(drop=True)
    mism = out.loc[out["match_status"] != "matched", ["commune_insee", "commune_name", "match_status"]].copy()
    mism["present_in"] = np.where(mism["match_status"] == "missing_population", "communes", "population")
    mism["missing_from"] = np.where(mism["match_status"] == "missing_population", "population", "communes")
    mism = mism.reset_index(drop=True)
    if len(mism):
        logger.warning(
            "%d communes in one table and not the other (mergers?): %s", len(mism),
            ", ".join(f"{r.commune_insee} ({r.commune_name}, missing from {r.missing_from})"
                      for r in mism.itertuples()),
        )
    return out, mism

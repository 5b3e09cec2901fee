"""Aggregation to cadastral parcels, communes and territory; energy balance and scenarios.

Every summed column is checked for conservation: features -> parcels -> communes -> territory.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from geopotential.aggregate import UNASSIGNED, check_conservation
from geopotential.pipeline.context import RunContext

logger = logging.getLogger(__name__)

KWH_PER_MWH = 1000.0


def cadastre_parcels_pv(buildings_pv: pd.DataFrame, cadastre: gpd.GeoDataFrame | None) -> pd.DataFrame | None:
    """PV totals per cadastral parcel (buildings lying on no parcel are summed under '')."""
    from geopotential.solar import aggregate_pv

    if "cadastre_parcel_id" not in buildings_pv.columns:
        return None
    agg = aggregate_pv(buildings_pv, "cadastre_parcel_id").reset_index()
    if cadastre is not None:
        geo = cadastre[["cadastre_parcel_id", "commune_insee", "geometry"]].drop_duplicates("cadastre_parcel_id")
        agg = geo.merge(agg, on="cadastre_parcel_id", how="right")
        agg = gpd.GeoDataFrame(agg, geometry="geometry", crs=cadastre.crs)
    return agg


def communes_summary(ctx: RunContext, data, layers: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict]:
    """One row per commune: PV, biogas and (if enabled) the energy balance and scenarios.

    Returns
    -------
    communes_summary, territory
        The per-commune layer (with geometry when communes were given) and a one-row
        territory table with the same additive columns summed.
    """
    from geopotential.solar import aggregate_pv

    codes: set[str] = set()
    communes = data.communes
    if communes is not None:
        codes |= set(communes["commune_insee"].astype(str))
    parts: list[pd.DataFrame] = []
    bpv = layers.get("buildings_pv")
    if bpv is not None:
        pv = aggregate_pv(bpv, "commune_insee")
        pv = pv.add_prefix("pv_").rename(
            columns={
                "pv_pv_capacity_kwp": "pv_capacity_kwp",
                "pv_pv_energy_kwh_yr": "pv_energy_kwh_yr",
                "pv_n_buildings": "n_buildings",
                "pv_n_buildings_with_potential": "n_buildings_with_pv_potential",
            }
        )
        pv["pv_energy_mwh_yr"] = pv["pv_energy_kwh_yr"] / KWH_PER_MWH
        parts.append(pv)
    bsum = layers.get("_biogas_commune_summary")
    if bsum is not None and len(bsum):
        parts.append(bsum.set_index("commune_insee"))
    for p in parts:
        codes |= set(p.index.astype(str))
    index = pd.Index(sorted(codes), name="commune_insee")
    table = pd.DataFrame(index=index)
    for p in parts:
        p = p.copy()
        p.index = p.index.astype(str)
        table = table.join(p, how="left")
    num = table.select_dtypes("number").columns
    table[num] = table[num].fillna(0.0)
    if communes is not None:
        info_cols = [c for c in ("commune_name", "population") if c in communes.columns]
        info = communes.set_index(communes["commune_insee"].astype(str))[info_cols + ["geometry"]]
        table = table.join(info, how="left")
        table = gpd.GeoDataFrame(table.reset_index(), geometry="geometry", crs=communes.crs)
    else:
        table = table.reset_index()
    balance_cols: list[str] = []
    if ctx.config.stages.balance:
        table, balance_cols = _with_balance(ctx, data, table)
    if bpv is not None:
        for c in ("pv_capacity_kwp", "pv_energy_kwh_yr"):
            check_conservation(bpv, table, [c])
    if layers.get("parcels_biogas") is not None and "biogas_energy_net_mwh_pcs_yr" in table.columns:
        parts_sum = sum(
            float(layers[n]["energy_net_mwh_pcs_yr"].sum())
            for n in ("parcels_biogas", "livestock_biogas", "biowaste_biogas", "point_sources_biogas")
            if layers.get(n) is not None
        )
        if not np.isclose(parts_sum, float(table["biogas_energy_net_mwh_pcs_yr"].sum()), rtol=1e-9, atol=1e-6):
            raise AssertionError("biogas net energy not conserved from features to communes")
    territory = _territory(ctx, table, balance_cols)
    return table, territory


def _with_balance(ctx: RunContext, data, table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    from geopotential import balance as bal

    params = ctx.config.balance
    comm = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    comm = comm[comm["commune_insee"] != UNASSIGNED]
    if "population" not in comm.columns:
        comm["population"] = np.nan
    if "commune_name" not in comm.columns:
        comm["commune_name"] = ""
    consumption = data.consumption
    if consumption is None:
        logger.warning("no consumption file (inputs.consumption): per-inhabitant defaults used, flagged in the outputs")
        consumption = bal.default_consumption(comm[["commune_insee", "population"]], params)
    potential = pd.DataFrame({"commune_insee": comm["commune_insee"]})
    potential["pv_energy_mwh_yr"] = comm.get("pv_energy_mwh_yr", 0.0)
    for c in comm.columns:
        if c.startswith("biogas_energy_") and (c.endswith("_mwh_pcs_yr") or c.endswith("_mwh_pci_yr")):
            potential[c.removeprefix("biogas_")] = comm[c]
    existing = data.existing_production
    b = bal.commune_balance(comm[["commune_insee", "commune_name", "population"]], consumption, potential, existing, params)
    b = bal.apply_scenarios(b, params)
    new_cols = [c for c in b.columns if c not in table.columns and c != "commune_insee"]
    merged = table.merge(b[["commune_insee", *new_cols]], on="commune_insee", how="outer")
    if isinstance(table, gpd.GeoDataFrame):
        merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=table.crs)
    return merged, new_cols


def _territory(ctx: RunContext, table: pd.DataFrame, balance_cols: list[str]) -> dict:
    """Territory totals (sums of the commune table; ratios recomputed from the sums)."""
    df = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
    totals: dict = {"territory": ctx.config.territory.name, "n_communes": int((df["commune_insee"] != UNASSIGNED).sum())}
    for c in df.select_dtypes("number").columns:
        if "ratio" in c or c.endswith("_pct") or c.startswith("share") or "_share_" in c or c == "pv_specific_yield_kwh_kwp_yr":
            continue
        totals[c] = float(np.nansum(df[c].to_numpy(dtype=float)))
    if ctx.config.stages.balance and balance_cols:
        from geopotential import balance as bal

        comm = df[df["commune_insee"] != UNASSIGNED]
        terr = bal.territory_balance(comm, ctx.config.balance, name=ctx.config.territory.name)
        for c in terr.columns:
            v = terr[c].iloc[0]
            if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
                totals[c] = float(v)
    if totals.get("pv_capacity_kwp"):
        totals["pv_specific_yield_kwh_kwp_yr"] = totals["pv_energy_kwh_yr"] / totals["pv_capacity_kwp"]
    return totals

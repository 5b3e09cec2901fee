"""Methanisation potential per parcel, commune and territory (ADEME/Solagro levels).

Levels (ADEME/Solagro-Inddigo 2013):

* ``gross`` (GBP): everything produced (for crop residues: the technically harvestable
  residue, yield x residue-to-product ratio x harvestable fraction);
* ``available`` (GBD): gross minus competing uses (straw for litter, housed share of manure);
* ``net`` (GND): ``net_fraction`` (85 %) of the available potential (``net_basis='available'``)
  or ``min(0.85 x gross, available)`` (``net_basis='gross'``);
* ``mobilisable_<scenario>``: net x the scenario's mobilisation rate of the resource family.

Each level is given as ``t_fm_<level>_yr`` [t FM/yr], ``t_dm_<level>_yr`` [t DM/yr],
``ch4_<level>_nm3_yr`` [Nm3 CH4/yr] and ``energy_<level>_mwh_pcs_yr`` /
``energy_<level>_mwh_pci_yr`` [MWh/yr], with ``_low``/``_high`` bounds of the PCS energy.
The unprefixed ``t_fm_yr``, ``t_dm_yr``, ``ch4_nm3_yr``, ``energy_mwh_pcs_yr`` are the gross level.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from geopotential.aggregate import check_conservation, sum_by
from geopotential.exceptions import InputError, MissingFieldError

from .coefficients import crops, manure, substrates
from .parameters import BiogasParameters
from .resources import declared_catch_crop, map_codes

logger = logging.getLogger(__name__)

COMPONENTS = ("crops", "cive", "manure", "biowaste", "point_sources")


def level_columns(params: BiogasParameters, detail: bool = True) -> list[str]:
    """Names of the quantity columns the potential functions return."""
    cols = ["t_fm_yr", "t_dm_yr", "ch4_nm3_yr", "ch4_nm3_yr_low", "ch4_nm3_yr_high",
            "energy_mwh_pcs_yr", "energy_mwh_pcs_yr_low", "energy_mwh_pcs_yr_high", "energy_mwh_pci_yr"]
    for lv in params.levels():
        cols += [f"t_fm_{lv}_yr", f"t_dm_{lv}_yr", f"ch4_{lv}_nm3_yr", f"energy_{lv}_mwh_pcs_yr",
                 f"energy_{lv}_mwh_pcs_yr_low", f"energy_{lv}_mwh_pcs_yr_high", f"energy_{lv}_mwh_pci_yr"]
    return cols


def _level_factors(available_fraction: np.ndarray, family: np.ndarray, params: BiogasParameters) -> dict[str, np.ndarray]:
    a = np.clip(np.asarray(available_fraction, dtype=float), 0.0, 1.0)
    if params.net_basis == "available":
        net = params.net_fraction * a
    else:
        net = np.minimum(params.net_fraction, a)
    out = {"gross": np.ones_like(a), "available": a, "net": net}
    fam = pd.Series(np.asarray(family, dtype=object))
    for s, rates in params.scenarios.items():
        r = fam.map(rates).fillna(0.0).to_numpy(dtype=float)
        out[f"mobilisable_{s}"] = net * r
    return out


def _levels(t_fm, t_dm, ch4, ch4_low, ch4_high, available_fraction, family, params: BiogasParameters) -> dict[str, np.ndarray]:
    """All level columns from gross quantities (arrays of one length)."""
    t_fm, t_dm, ch4, ch4_low, ch4_high = (np.nan_to_num(np.asarray(x, dtype=float)) for x in (t_fm, t_dm, ch4, ch4_low, ch4_high))
    pcs, pci = params.pcs_kwh_nm3_ch4 / 1000.0, params.pci_kwh_nm3_ch4 / 1000.0
    out = {"t_fm_yr": t_fm, "t_dm_yr": t_dm, "ch4_nm3_yr": ch4, "ch4_nm3_yr_low": ch4_low, "ch4_nm3_yr_high": ch4_high,
           "energy_mwh_pcs_yr": ch4 * pcs, "energy_mwh_pcs_yr_low": ch4_low * pcs,
           "energy_mwh_pcs_yr_high": ch4_high * pcs, "energy_mwh_pci_yr": ch4 * pci}
    for lv, f in _level_factors(available_fraction, family, params).items():
        out[f"t_fm_{lv}_yr"] = t_fm * f
        out[f"t_dm_{lv}_yr"] = t_dm * f
        out[f"ch4_{lv}_nm3_yr"] = ch4 * f
        out[f"energy_{lv}_mwh_pcs_yr"] = ch4 * f * pcs
        out[f"energy_{lv}_mwh_pcs_yr_low"] = ch4_low * f * pcs
        out[f"energy_{lv}_mwh_pcs_yr_high"] = ch4_high * f * pcs
        out[f"energy_{lv}_mwh_pci_yr"] = ch4 * f * pci
    return out


def _require(df: pd.DataFrame, cols, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise MissingFieldError(f"{what} lacks required fields {missing}", field=", ".join(missing))


def parcel_potential(parcels: pd.DataFrame, params: BiogasParameters | None = None) -> pd.DataFrame:
    """Methanisation potential of each RPG parcel (crop residues, dedicated crops and CIVE).

    Parameters
    ----------
    parcels
        Canonical RPG parcels (:func:`geopotential.io.rpg.read_rpg`): ``parcel_id``,
        ``area_ha`` [ha], ``code_cultu``, optional ``code_group``, ``culture_d1``,
        ``culture_d2`` and ``commune_insee`` (kept when present), geometry kept.
    params
        Run parameters (defaults when None).

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        ``parcels_biogas``: one row per parcel with ``parcel_id``, ``commune_insee``,
        ``code_cultu``, ``resource``, ``resource_family``, ``area_ha`` [ha],
        ``cive_area_ha`` [ha], ``exclusion_reason`` ('' when the parcel contributes),
        the level columns of :func:`level_columns` and the CIVE share
        ``cive_t_fm_<level>_yr`` / ``cive_ch4_<level>_nm3_yr``.
        An excluded parcel has zero quantities and the reason of its main crop.
    """
    params = params or BiogasParameters()
    _require(parcels, ("parcel_id", "code_cultu", "area_ha"), "parcels")
    n = len(parcels)
    tab = crops(params)
    sub = substrates(params)
    res = map_codes(parcels["code_cultu"], params)
    area = pd.to_numeric(parcels["area_ha"], errors="coerce").to_numpy(dtype=float)
    bad_area = ~np.isfinite(area) | (area <= 0)
    area_ok = np.where(bad_area, 0.0, area)

    code = res["code_cultu"].to_numpy()
    ix = tab.index.get_indexer(code)
    known = ix >= 0

    def col(name):
        return np.where(known, tab[name].to_numpy(dtype=float)[ix], np.nan)

    include = res["include"].to_numpy() & ~bad_area
    residue_per_ha = col("residue_to_product_ratio") * col("harvestable_fraction")
    y, y_lo, y_hi = col("yield_t_fm_ha"), col("yield_t_fm_ha_low"), col("yield_t_fm_ha_high")
    s_ix = sub.index.get_indexer(res["substrate"].to_numpy())
    s_ok = s_ix >= 0
    scol = lambda name: np.where(s_ok, sub[name].to_numpy(dtype=float)[s_ix], 0.0)  # noqa: E731
    w = np.where(include, area_ok * residue_per_ha, 0.0)
    w = np.nan_to_num(w)
    t_fm = w * np.nan_to_num(y)
    main = _levels(
        t_fm, t_fm * scol("dm_fraction"), t_fm * scol("ch4_nm3_t_fm"),
        w * np.nan_to_num(y_lo) * scol("ch4_nm3_t_fm_low"), w * np.nan_to_num(y_hi) * scol("ch4_nm3_t_fm_high"),
        1.0 - np.nan_to_num(col("competing_use_fraction")), res["resource_family"].to_numpy(), params,
    )

    # CIVE on parcels declaring a catch crop
    d1 = parcels["culture_d1"] if "culture_d1" in parcels.columns else None
    d2 = parcels["culture_d2"] if "culture_d2" in parcels.columns else None
    cive_on = declared_catch_crop(d1, d2, parcels.index) & params.cive_enabled & ~bad_area
    cive_area = np.where(cive_on, area_ok, 0.0)
    c = sub.loc["cive"]
    c_dm = cive_area * params.cive_yield_t_dm_ha
    cive = _levels(
        c_dm / c["dm_fraction"], c_dm, c_dm * c["ch4_nm3_t_dm"],
        cive_area * params.cive_yield_t_dm_ha_low * c["bmp_nm3_ch4_t_odm_low"] * c["odm_pct_dm"] / 100.0,
        cive_area * params.cive_yield_t_dm_ha_high * c["bmp_nm3_ch4_t_odm_high"] * c["odm_pct_dm"] / 100.0,
        np.ones(n), np.full(n, "cive", dtype=object), params,
    )

    reason = res["exclusion_reason"].to_numpy(dtype=object)
    reason = np.where(bad_area, "missing, zero or negative area_ha", reason)
    reason = np.where(cive_on, "", reason)  # the parcel contributes through its CIVE
    reason = np.where(include | cive_on, "", reason)

    out = pd.DataFrame(index=parcels.index)
    out["parcel_id"] = parcels["parcel_id"].to_numpy()
    out["commune_insee"] = parcels["commune_insee"].to_numpy() if "commune_insee" in parcels.columns else pd.NA
    out["code_cultu"] = code
    if "code_group" in parcels.columns:
        out["code_group"] = parcels["code_group"].to_numpy()
    out["resource"] = res["resource"].to_numpy()
    out["resource_family"] = res["resource_family"].to_numpy()
    out["area_ha"] = area
    out["cive_area_ha"] = cive_area
    out["exclusion_reason"] = reason.astype(str)
    data = {k: main[k] + cive[k] for k in main}
    for lv in ["", *[f"_{x}" for x in params.levels()]]:
        lvl = lv.lstrip("_")
        tkey = f"t_fm_{lvl}_yr" if lvl else "t_fm_yr"
        ckey = f"ch4_{lvl}_nm3_yr" if lvl else "ch4_nm3_yr"
        data[f"cive_{tkey}"] = cive[tkey]
        data[f"cive_{ckey}"] = cive[ckey]
    out = pd.concat([out, pd.DataFrame(data, index=parcels.index)], axis=1)
    if hasattr(parcels, "geometry") and "geometry" in parcels.columns:
        import geopandas as gpd

        out = gpd.GeoDataFrame(out, geometry=parcels.geometry.to_numpy(), crs=parcels.crs)
    n_exc = int((out["exclusion_reason"] != "").sum())
    logger.info("parcel potential: %d parcels, %d excluded, %.1f MWh PCS/yr gross", n, n_exc, out["energy_mwh_pcs_yr"].sum())
    return out


def _livestock_long(livestock: pd.DataFrame, categories) -> pd.DataFrame:
    _require(livestock, ("commune_insee",), "livestock table")
    if {"category", "heads"} <= set(livestock.columns):
        long = livestock[["commune_insee", "category", "heads"]].copy()
    else:
        cats = [c for c in livestock.columns if c in set(categories)]
        others = [c for c in livestock.columns if c not in set(categories) and c not in ("commune_insee", "geometry", "commune_name")]
        if others:
            numeric = [c for c in others if pd.api.types.is_numeric_dtype(livestock[c])]
            if numeric:
                raise InputError(f"unknown livestock categories {numeric}; known: {sorted(categories)}", field=", ".join(numeric))
        long = livestock.melt(id_vars=["commune_insee"], value_vars=cats, var_name="category", value_name="heads")
    long["heads"] = pd.to_numeric(long["heads"], errors="coerce").fillna(0.0)
    unknown = sorted(set(long["category"]) - set(categories))
    if unknown:
        raise InputError(f"unknown livestock categories {unknown}; known: {sorted(categories)}", field="category")
    if (long["heads"] < 0).any():
        raise InputError("negative head counts", field="heads")
    return long


def livestock_potential(livestock: pd.DataFrame, params: BiogasParameters | None = None, detail: bool = False) -> pd.DataFrame:
    """Methanisation potential of livestock manure per commune.

    Parameters
    ----------
    livestock
        Heads per commune: wide (``commune_insee`` + one column per category of
        ``data/biogas_manure.csv``) or long (``commune_insee``, ``category``, ``heads``).
    params
        Run parameters.
    detail
        Return one row per commune, category and housing instead of per commune.

    Returns
    -------
    pandas.DataFrame
        ``commune_insee``, ``resource`` ('manure'), ``heads`` [heads] and the level columns.
        Gross = all manure produced; available = housed share (collectable).
    """
    params = params or BiogasParameters()
    man = manure(params)
    sub = substrates(params)
    long = _livestock_long(livestock, man["category"].unique())
    rows = long.merge(man, on="category", how="left")
    t_fm = rows["heads"].to_numpy() * rows["housing_share"].to_numpy() * rows["t_fm_head_yr"].to_numpy()
    s = sub.reindex(rows["substrate"])
    lv = _levels(t_fm, t_fm * s["dm_fraction"].to_numpy(), t_fm * s["ch4_nm3_t_fm"].to_numpy(),
                 t_fm * s["ch4_nm3_t_fm_low"].to_numpy(), t_fm * s["ch4_nm3_t_fm_high"].to_numpy(),
                 rows["housed_fraction"].to_numpy(), s["family"].to_numpy(), params)
    det = pd.concat([rows[["commune_insee", "category", "housing", "substrate"]].reset_index(drop=True),
                     pd.DataFrame({"heads": rows["heads"].to_numpy() * rows["housing_share"].to_numpy()}),
                     pd.DataFrame(lv)], axis=1)
    det["resource"] = "manure"
    if detail:
        return det
    cols = ["heads", *level_columns(params)]
    out = sum_by(det, "commune_insee", cols).reset_index()
    out.insert(1, "resource", "manure")
    check_conservation(det, out, cols)
    return out


def biowaste_potential(communes: pd.DataFrame, params: BiogasParameters | None = None) -> pd.DataFrame:
    """Household biowaste potential per commune.

    Parameters
    ----------
    communes
        ``commune_insee`` and ``population`` [inhabitants]; geometry kept if present.

    Returns
    -------
    pandas.DataFrame
        ``commune_insee``, ``population``, ``resource`` ('biowaste') and the level columns.
    """
    params = params or BiogasParameters()
    _require(communes, ("commune_insee", "population"), "communes")
    pop = pd.to_numeric(communes["population"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    s = substrates(params).loc["biowaste_household"]
    t_fm = pop * params.biowaste_kg_inhabitant_yr / 1000.0
    n = len(pop)
    lv = _levels(t_fm, t_fm * s["dm_fraction"], t_fm * s["ch4_nm3_t_fm"], t_fm * s["ch4_nm3_t_fm_low"],
                 t_fm * s["ch4_nm3_t_fm_high"], np.full(n, 1.0 - params.biowaste_competing_use_fraction),
                 np.full(n, s["family"], dtype=object), params)
    out = pd.DataFrame({"commune_insee": communes["commune_insee"].to_numpy(), "population": pop,
                        "resource": "biowaste"}, index=communes.index)
    out = pd.concat([out, pd.DataFrame(lv, index=communes.index)], axis=1)
    if "geometry" in communes.columns:
        import geopandas as gpd

        out = gpd.GeoDataFrame(out, geometry=communes.geometry.to_numpy(), crs=getattr(communes, "crs", None))
    return out


def point_source_potential(sources: pd.DataFrame, params: BiogasParameters | None = None) -> pd.DataFrame:
    """Potential of point sources (agrifood plants, sugar factories, wastewater plants).

    Parameters
    ----------
    sources
        ``source_id``, ``substrate`` (a row of ``data/biogas_substrates.csv``),
        ``t_fm_yr`` [t FM/yr], optional ``competing_use_fraction`` [-] and
        ``commune_insee``; geometry kept.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        Input identity columns, ``resource`` (the substrate), ``resource_family``,
        ``exclusion_reason`` and the level columns.
    """
    params = params or BiogasParameters()
    _require(sources, ("source_id", "substrate", "t_fm_yr"), "point sources")
    sub = substrates(params)
    substrate = sources["substrate"].astype(str).str.strip().to_numpy()
    ok = np.isin(substrate, sub.index)
    t_fm = np.where(ok, pd.to_numeric(sources["t_fm_yr"], errors="coerce").fillna(0.0).to_numpy(dtype=float), 0.0)
    s = sub.reindex(substrate)
    comp = (pd.to_numeric(sources["competing_use_fraction"], errors="coerce").fillna(0.0).to_numpy()
            if "competing_use_fraction" in sources.columns else np.zeros(len(sources)))
    lv = _levels(t_fm, t_fm * s["dm_fraction"].fillna(0).to_numpy(), t_fm * s["ch4_nm3_t_fm"].fillna(0).to_numpy(),
                 t_fm * s["ch4_nm3_t_fm_low"].fillna(0).to_numpy(), t_fm * s["ch4_nm3_t_fm_high"].fillna(0).to_numpy(),
                 1.0 - comp, s["family"].fillna("").to_numpy(), params)
    keep = [c for c in ("source_id", "name", "source_type", "commune_insee") if c in sources.columns]
    out = sources[keep].copy()
    out["resource"] = substrate
    out["resource_family"] = s["family"].fillna("").to_numpy()
    out["exclusion_reason"] = np.where(ok, "", "unknown substrate (not in data/biogas_substrates.csv)")
    out = pd.concat([out, pd.DataFrame(lv, index=sources.index)], axis=1)
    if "geometry" in sources.columns:
        import geopandas as gpd

        out = gpd.GeoDataFrame(out, geometry=sources.geometry.to_numpy(), crs=getattr(sources, "crs", None))
    return out


def _summary_cols(params: BiogasParameters) -> list[str]:
    cols = ["t_fm_yr", "ch4_nm3_yr", "energy_mwh_pcs_yr", "energy_mwh_pcs_yr_low", "energy_mwh_pcs_yr_high", "energy_mwh_pci_yr"]
    for lv in params.levels():
        cols += [f"t_fm_{lv}_yr", f"ch4_{lv}_nm3_yr", f"energy_{lv}_mwh_pcs_yr", f"energy_{lv}_mwh_pcs_yr_low",
                 f"energy_{lv}_mwh_pcs_yr_high", f"energy_{lv}_mwh_pci_yr"]
    return cols


def commune_biogas_summary(
    parcels_biogas: pd.DataFrame | None = None,
    livestock_biogas: pd.DataFrame | None = None,
    biowaste_biogas: pd.DataFrame | None = None,
    point_sources_biogas: pd.DataFrame | None = None,
    params: BiogasParameters | None = None,
) -> pd.DataFrame:
    """Biogas columns of ``communes_summary``: one row per commune.

    Returns
    -------
    pandas.DataFrame
        ``commune_insee``; totals ``biogas_<col>`` for every summary column (t FM, Nm3 CH4,
        MWh PCS with low/high, MWh PCI, per level); per component
        (``crops`` incl. CIVE, ``cive``, ``manure``, ``biowaste``, ``point_sources``)
        ``biogas_<component>_energy_<level>_mwh_pcs_yr``; ``biogas_n_parcels``.
        Rows without a commune are summed under ``'unassigned'`` so totals are conserved.
    """
    params = params or BiogasParameters()
    cols = _summary_cols(params)
    pcs = params.pcs_kwh_nm3_ch4 / 1000.0
    parts = {}
    frames = {"crops": parcels_biogas, "manure": livestock_biogas, "biowaste": biowaste_biogas,
              "point_sources": point_sources_biogas}
    for name, df in frames.items():
        if df is None or len(df) == 0:
            continue
        if "commune_insee" not in df.columns:
            raise MissingFieldError(f"{name} potential lacks commune_insee", field="commune_insee")
        parts[name] = sum_by(df, "commune_insee", cols, count_name="n" if name == "crops" else None)
    if parcels_biogas is not None and len(parcels_biogas):
        cdf = pd.DataFrame({"commune_insee": parcels_biogas["commune_insee"].to_numpy()})
        for lv in params.levels():
            cdf[f"energy_{lv}_mwh_pcs_yr"] = parcels_biogas[f"cive_ch4_{lv}_nm3_yr"].to_numpy() * pcs
        parts["cive"] = sum_by(cdf, "commune_insee", [c for c in cdf.columns if c != "commune_insee"])
    keys = sorted(set().union(*[p.index for p in parts.values()])) if parts else []
    out = pd.DataFrame(index=pd.Index(keys, name="commune_insee"))
    for c in cols:
        out[f"biogas_{c}"] = sum(parts[p][c].reindex(out.index).fillna(0.0) for p in parts if p != "cive") if parts else 0.0
    for name in COMPONENTS:
        for lv in params.levels():
            c = f"energy_{lv}_mwh_pcs_yr"
            out[f"biogas_{name}_{c}"] = parts[name][c].reindex(out.index).fillna(0.0) if name in parts else 0.0
    out["biogas_n_parcels"] = parts["crops"]["n"].reindex(out.index).fillna(0).astype(int) if "crops" in parts else 0
    return out.reset_index()


def territory_totals(communes_summary: pd.DataFrame) -> pd.Series:
    """Territory totals of the biogas summary [units of each column].

    Returns
    -------
    pandas.Series
        Sum of every numeric ``biogas_*`` column over the communes.
    """
    num = [c for c in communes_summary.columns if c.startswith("biogas_") and pd.api.types.is_numeric_dtype(communes_summary[c])]
    tot = communes_summary[num].sum()
    tot.name = "territory"
    return tot

"""Coefficient tables of the methanisation stage and per-tonne methane yields.

Tables (``data/``): ``biogas_substrates.csv`` (DM, oDM, BMP per substrate),
``biogas_crops.csv`` (CODE_CULTU -> resource, yield, residue ratios),
``biogas_manure.csv`` (manure per head by category and housing).
Methane per tonne of fresh matter is ``BMP x DM x oDM`` (LfL Bavaria convention).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geopotential.exceptions import InputError
from geopotential.params import load_table, table_path

from .parameters import FAMILIES, BiogasParameters

SUBSTRATE_COLUMNS = ("substrate", "family", "dm_pct", "odm_pct_dm", "bmp_nm3_ch4_t_odm",
                     "bmp_nm3_ch4_t_odm_low", "bmp_nm3_ch4_t_odm_high")
CROP_COLUMNS = ("code_cultu", "resource", "substrate", "include_default", "yield_t_fm_ha", "yield_t_fm_ha_low",
                "yield_t_fm_ha_high", "residue_to_product_ratio", "harvestable_fraction",
                "competing_use_fraction", "exclusion_reason")
MANURE_COLUMNS = ("category", "housing", "substrate", "t_fm_head_yr", "housing_share", "housed_fraction")


def _check(df: pd.DataFrame, cols, name: str, path) -> pd.DataFrame:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"coefficient table lacks columns {missing}", path=path or table_path(name))
    return df


def substrates(params: BiogasParameters | None = None) -> pd.DataFrame:
    """Substrate table indexed by substrate, with methane yields per tonne.

    Returns
    -------
    pandas.DataFrame
        Columns of ``biogas_substrates.csv`` plus ``dm_fraction`` [-],
        ``ch4_nm3_t_dm`` [Nm3 CH4/t DM] and ``ch4_nm3_t_fm`` (+ ``_low``/``_high``)
        [Nm3 CH4/t FM].
    """
    path = params.substrates_table if params else None
    df = _check(load_table("biogas_substrates", path), SUBSTRATE_COLUMNS, "biogas_substrates", path)
    bad = sorted(set(df["family"]) - set(FAMILIES))
    if bad:
        raise InputError(f"unknown families {bad}; known: {FAMILIES}", path=path or table_path("biogas_substrates"), field="family")
    df = df.set_index("substrate")
    odm = df["odm_pct_dm"] / 100.0
    df["dm_fraction"] = df["dm_pct"] / 100.0
    df["ch4_nm3_t_dm"] = df["bmp_nm3_ch4_t_odm"] * odm
    for sfx in ("", "_low", "_high"):
        df[f"ch4_nm3_t_fm{sfx}"] = df[f"bmp_nm3_ch4_t_odm{sfx}"] * odm * df["dm_fraction"]
    return df


def ch4_per_tonne_fm(substrate: str, params: BiogasParameters | None = None, bound: str = "") -> float:
    """Methane potential of one substrate [Nm3 CH4/t FM] (``bound`` '', '_low' or '_high')."""
    tab = substrates(params)
    if substrate not in tab.index:
        raise KeyError(f"unknown substrate {substrate!r}; known: {sorted(tab.index)}")
    return float(tab.at[substrate, f"ch4_nm3_t_fm{bound}"])


def crops(params: BiogasParameters | None = None) -> pd.DataFrame:
    """CODE_CULTU table indexed by code, with run overrides applied.

    Overrides: ``params.yields_t_fm_ha`` (per code, low/high scaled alike),
    ``params.competing_use_fraction`` (per resource), ``include_resources`` and
    ``exclude_resources``.
    """
    path = params.crops_table if params else None
    df = _check(load_table("biogas_crops", path), CROP_COLUMNS, "biogas_crops", path)
    df["code_cultu"] = df["code_cultu"].astype(str).str.strip().str.upper()
    if df["code_cultu"].duplicated().any():
        dup = df.loc[df["code_cultu"].duplicated(), "code_cultu"].tolist()
        raise InputError(f"duplicated codes {dup}", path=path or table_path("biogas_crops"), field="code_cultu")
    df = df.set_index("code_cultu")
    df["substrate"] = df["substrate"].fillna("").astype(str)
    df["exclusion_reason"] = df["exclusion_reason"].fillna("").astype(str)
    df["include"] = df["include_default"].astype(str).str.lower().isin(("true", "1", "yes"))
    if params is not None:
        for code, y in params.yields_t_fm_ha.items():
            code = code.upper()
            if code not in df.index:
                raise KeyError(f"yields_t_fm_ha: unknown CODE_CULTU {code!r}")
            old = df.at[code, "yield_t_fm_ha"]
            ratio = y / old if old and np.isfinite(old) else np.nan
            df.at[code, "yield_t_fm_ha"] = y
            df.at[code, "yield_t_fm_ha_low"] = df.at[code, "yield_t_fm_ha_low"] * ratio if np.isfinite(ratio) else y
            df.at[code, "yield_t_fm_ha_high"] = df.at[code, "yield_t_fm_ha_high"] * ratio if np.isfinite(ratio) else y
        for res, f in params.competing_use_fraction.items():
            if not 0 <= f <= 1:
                raise ValueError(f"competing_use_fraction[{res}] must be within [0, 1]")
            df.loc[df["resource"] == res, "competing_use_fraction"] = f
        inc = df["resource"].isin(params.include_resources)
        df.loc[inc, "include"] = True
        exc = df["resource"].isin(params.exclude_resources)
        df.loc[exc, "include"] = False
        df.loc[exc, "exclusion_reason"] = "resource excluded by the run's parameters"
    df.loc[df["include"], "exclusion_reason"] = ""
    no_coef = df["include"] & (df["substrate"] == "")
    df.loc[no_coef, "include"] = False
    df.loc[no_coef, "exclusion_reason"] = "no methane coefficients for this resource"
    return df


def manure(params: BiogasParameters | None = None) -> pd.DataFrame:
    """Manure table (one row per category and housing) with run overrides of the housing split."""
    path = params.manure_table if params else None
    df = _check(load_table("biogas_manure", path), MANURE_COLUMNS, "biogas_manure", path).copy()
    if params is not None:
        for cat, split in params.housing_share.items():
            if cat not in set(df["category"]):
                raise KeyError(f"housing_share: unknown livestock category {cat!r}")
            if not np.isclose(sum(split.values()), 1.0):
                raise ValueError(f"housing_share[{cat}] must sum to 1")
            m = df["category"] == cat
            df.loc[m, "housing_share"] = df.loc[m, "housing"].map(split).fillna(0.0)
    return df


def mix_ch4_nm3_yr(tonnes_fm: dict[str, float], params: BiogasParameters | None = None, bound: str = "") -> float:
    """Methane potential of a substrate mix [Nm3 CH4/yr] from tonnes of fresh matter per substrate [t FM/yr]."""
    tab = substrates(params)
    unknown = sorted(set(tonnes_fm) - set(tab.index))
    if unknown:
        raise KeyError(f"unknown substrates {unknown}")
    return float(sum(t * tab.at[s, f"ch4_nm3_t_fm{bound}"] for s, t in tonnes_fm.items()))


def plant_flow_nm3_h(ch4_nm3_yr, params: BiogasParameters):
    """Mean methane flow a plant delivers [Nm3 CH4/h] from its feed's BMP [Nm3 CH4/yr].

    ``flow = ch4 x practical_factor / plant_hours_yr``.
    """
    return np.asarray(ch4_nm3_yr, dtype=float) * params.practical_factor / params.plant_hours_yr


def injection_capacity_nm3_h(ch4_nm3_yr, params: BiogasParameters):
    """Nominal injection capacity [Nm3/h]: mean flow divided by the injection utilisation."""
    return plant_flow_nm3_h(ch4_nm3_yr, params) / params.injection_utilisation


def chp_capacity_kwe(ch4_nm3_yr, params: BiogasParameters):
    """Electrical capacity of a CHP alternative [kWe].

    ``kWe = ch4 x practical x PCI x eta_el / full-load hours``.
    """
    ch4 = np.asarray(ch4_nm3_yr, dtype=float) * params.practical_factor
    return ch4 * params.pci_kwh_nm3_ch4 * params.chp_electrical_efficiency / params.chp_full_load_hours


def ch4_for_capacity_nm3_yr(capacity_nm3_h, params: BiogasParameters):
    """Feed methane (BMP basis) [Nm3 CH4/yr] a plant of nominal ``capacity_nm3_h`` consumes."""
    return (np.asarray(capacity_nm3_h, dtype=float) * params.injection_utilisation * params.plant_hours_yr
            / params.practical_factor)

"""The field dictionary of the outputs: name, unit, description and source of every column."""

from __future__ import annotations

import re

import pandas as pd

from geopotential.params import load_table

#: Unit of a column, read from its suffix when the dictionary does not list it.
SUFFIX_UNITS = (
    (r"_mwh_pcs_yr(_low|_high)?$", "MWh PCS/yr"),
    (r"_mwh_pci_yr(_low|_high)?$", "MWh PCI/yr"),
    (r"_gwh_pcs_yr$", "GWh PCS/yr"),
    (r"_mwh_yr$", "MWh/yr"),
    (r"_kwh_yr$", "kWh/yr"),
    (r"_kwh_m2_yr$", "kWh/m2/yr"),
    (r"_kwh_kwp_yr$", "kWh/kWp/yr"),
    (r"_nm3_yr(_low|_high)?$", "Nm3 CH4/yr"),
    (r"_nm3_h$", "Nm3/h"),
    (r"_t_fm_yr$|^t_fm_.*_yr$", "t/yr"),
    (r"^t_dm_.*_yr$", "t DM/yr"),
    (r"_kwp$", "kWp"),
    (r"_kwe$", "kWe"),
    (r"_m2$", "m2"),
    (r"_ha$", "ha"),
    (r"_eur$", "EUR"),
    (r"_eur_yr$", "EUR/yr"),
    (r"_eur_kwh$", "EUR/kWh"),
    (r"_pct$", "%"),
    (r"_yr$", "yr"),
    (r"_deg$", "deg"),
    (r"ratio|fraction|share", "-"),
)


def unit_of(column: str) -> str:
    """Unit of ``column`` from its suffix ('-' when dimensionless or unknown)."""
    for pattern, unit in SUFFIX_UNITS:
        if re.search(pattern, column):
            return unit
    return "-"


def field_dictionary(layers: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (layer, field) of the outputs, with unit, description and source.

    Parameters
    ----------
    layers
        The layers written (attribute tables or GeoDataFrames).

    Returns
    -------
    pandas.DataFrame
        ``layer, name, unit, description, source``.
    """
    known = load_table("field_dictionary").set_index("field")
    rows = []
    for layer, df in layers.items():
        if df is None:
            continue
        for col in df.columns:
            if col == "geometry":
                continue
            if col in known.index:
                k = known.loc[col]
                rows.append((layer, col, k["unit"], k["description"], k["source"]))
            else:
                rows.append((layer, col, unit_of(col), col.replace("_", " "), "geopotential (see docs)"))
    return pd.DataFrame(rows, columns=["layer", "name", "unit", "description", "source"])

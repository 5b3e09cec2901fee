"""CODE_CULTU -> methanisable resource mapping of RPG parcels.

The mapping lives in ``data/biogas_crops.csv``: one row per code of the RPG nomenclature
(282 codes of the 2018 EuroCrops list), each either mapped to a resource (cereal straw,
maize stover, beet leaves...) or excluded with a reason. Mapping is on ``CODE_CULTU``,
never on ``CODE_GROUP`` (sugar beet BTN sits in group 24, potatoes in 25; grain maize MIS
and silage maize MIE share group 2 but one gives residues, the other is a dedicated crop).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .coefficients import crops, substrates
from .parameters import BiogasParameters

UNKNOWN = "unknown"


def normalise_codes(codes: pd.Series) -> pd.Series:
    """Upper-case, stripped CODE_CULTU strings ('' for missing)."""
    return codes.astype("string").fillna("").str.strip().str.upper().astype(object)


def map_codes(codes: pd.Series, params: BiogasParameters | None = None) -> pd.DataFrame:
    """Resource of each crop code.

    Parameters
    ----------
    codes
        CODE_CULTU values (any case).
    params
        Run parameters (overrides of inclusion and competing uses).

    Returns
    -------
    pandas.DataFrame
        Same index as ``codes``; columns ``code_cultu``, ``resource``, ``resource_family``,
        ``substrate``, ``include`` (bool) and ``exclusion_reason`` ('' when included).
        Codes missing from the table get resource ``'unknown'`` and a reason naming them.
    """
    tab = crops(params)
    fam = substrates(params)["family"]
    c = normalise_codes(codes)
    known = c.isin(tab.index).to_numpy()
    idx = tab.index.get_indexer(c)
    take = lambda col, fill: np.where(known, tab[col].to_numpy()[idx], fill)  # noqa: E731
    out = pd.DataFrame(index=codes.index)
    out["code_cultu"] = c.to_numpy()
    out["resource"] = take("resource", UNKNOWN)
    out["substrate"] = take("substrate", "")
    out["resource_family"] = pd.Series(out["substrate"]).map(fam).fillna("").to_numpy()
    out["include"] = take("include", False).astype(bool)
    reason = take("exclusion_reason", "")
    unknown_reason = np.where(c.to_numpy() == "", "missing CODE_CULTU",
                              "unknown CODE_CULTU " + pd.Series(c).astype(str).to_numpy() + " (not in data/biogas_crops.csv)")
    out["exclusion_reason"] = np.where(known, reason, unknown_reason)
    return out


def unmapped_codes(codes, params: BiogasParameters | None = None) -> list[str]:
    """Codes of ``codes`` that are neither mapped nor listed as excluded in the crops table."""
    tab = crops(params)
    c = set(normalise_codes(pd.Series(list(codes))))
    return sorted(c - set(tab.index))


def declared_catch_crop(d1: pd.Series | None, d2: pd.Series | None, index: pd.Index) -> np.ndarray:
    """True where CULTURE_D1 or CULTURE_D2 declares a catch crop (culture derobee, a CIVE candidate)."""
    out = np.zeros(len(index), dtype=bool)
    for s in (d1, d2):
        if s is not None:
            out |= normalise_codes(s).to_numpy() != ""
    return out

"""Aggregation of per-feature results to parcels, communes and the territory.

Sums are conserved: the total of every summed column over the groups equals its total
over the features (features without a group key go to an explicit ``"unassigned"``
group instead of being dropped).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

UNASSIGNED = "unassigned"


def sum_by(
    df: pd.DataFrame,
    by: str,
    columns: Sequence[str],
    count_name: str | None = None,
) -> pd.DataFrame:
    """Sum ``columns`` of ``df`` per value of ``by``.

    Parameters
    ----------
    df
        Per-feature table (a GeoDataFrame is accepted; geometry is ignored).
    by
        Grouping column (e.g. ``commune_insee``). Missing keys are grouped under
        ``"unassigned"`` so that no quantity is lost.
    columns
        Numeric columns to sum; NaN counts as zero.
    count_name
        If given, name of a column with the number of features per group.

    Returns
    -------
    pandas.DataFrame
        One row per group, indexed by ``by``, sorted by key.
    """
    keys = df[by].astype("string").fillna(UNASSIGNED)
    data = pd.DataFrame({c: pd.to_numeric(df[c], errors="coerce").fillna(0.0).to_numpy() for c in columns})
    data[by] = keys.to_numpy()
    out = data.groupby(by, sort=True).sum()
    if count_name:
        out[count_name] = keys.value_counts().reindex(out.index).to_numpy()
    n_unassigned = int((keys == UNASSIGNED).sum())
    if n_unassigned:
        logger.warning("%d features have no %s; summed under %r", n_unassigned, by, UNASSIGNED)
    return out


def check_conservation(
    detail: pd.DataFrame, summary: pd.DataFrame, columns: Sequence[str], rtol: float = 1e-9
) -> None:
    """Assert that every column sums to the same total in ``detail`` and ``summary``.

    Raises
    ------
    AssertionError
        Naming the column whose totals differ.
    """
    for c in columns:
        a = float(np.nansum(pd.to_numeric(detail[c], errors="coerce")))
        b = float(np.nansum(pd.to_numeric(summary[c], errors="coerce")))
        if not np.isclose(a, b, rtol=rtol, atol=1e-9):
            raise AssertionError(f"sum of {c} not conserved: {a} vs {b}")

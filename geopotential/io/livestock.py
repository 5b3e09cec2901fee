"""Reader of livestock head counts per commune (Agreste RA-style CSV keyed by INSEE code).

Two layouts are accepted:

* wide: ``commune_insee`` (or ``insee``, ``code_insee``, ``codgeo``) and one column per
  category (``dairy_cows``, ``fattening_pigs``... as in ``data/biogas_manure.csv``);
* long: ``commune_insee``, ``category``, ``heads``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError
from geopotential.io.csv_text import check_csv_text

INSEE_ALIASES = ("commune_insee", "insee", "code_insee", "insee_com", "codgeo", "code_commune")


def read_livestock(path: str | Path) -> pd.DataFrame:
    """Read livestock heads per commune.

    Parameters
    ----------
    path
        CSV file (``,`` or ``;`` separated).

    Returns
    -------
    pandas.DataFrame
        Long table ``commune_insee`` (str, 5 characters), ``category`` (str),
        ``heads`` [heads] (float; blank or secret cells count as 0). A header-only file
        gives an empty table.

    Raises
    ------
    CorruptFileError
        Empty, blank or truncated (last row cut) file, not UTF-8, or an unparsable CSV.
    MissingFieldError, InputError
        No INSEE or category field; non-numeric or negative head counts.
    """
    path = Path(path)
    check_csv_text(path, "livestock")
    try:
        df = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise CorruptFileError(f"cannot parse livestock CSV ({exc})", path=path) from None
    lower = {c.lower().strip(): c for c in df.columns}
    key = next((lower[a] for a in INSEE_ALIASES if a in lower), None)
    if key is None:
        raise MissingFieldError("livestock CSV has no INSEE commune field", path=path, field="commune_insee")
    df = df.rename(columns={key: "commune_insee"})
    df["commune_insee"] = df["commune_insee"].fillna("").str.strip().str.zfill(5)
    if {"category", "heads"} <= set(c.lower() for c in df.columns):
        df = df.rename(columns={lower["category"]: "category", lower["heads"]: "heads"})
        long = df[["commune_insee", "category", "heads"]].copy()
    else:
        cats = [c for c in df.columns if c != "commune_insee" and c.lower() not in ("commune", "commune_name", "nom", "libgeo")]
        if not cats:
            raise MissingFieldError("livestock CSV has no category columns", path=path, field="category")
        long = df.melt(id_vars=["commune_insee"], value_vars=cats, var_name="category", value_name="heads")
    raw = long["heads"].fillna("").astype(str).str.strip().str.replace(",", ".")
    heads = pd.to_numeric(raw, errors="coerce")
    bad = heads.isna() & ~raw.isin(["", "s", "nd", "NA", "secret"])
    if bad.any():
        ex = raw[bad].iloc[0]
        raise InputError(f"non-numeric head count {ex!r}", path=path, field="heads")
    long["heads"] = heads.fillna(0.0)
    long["category"] = long["category"].str.strip()
    if (long["heads"] < 0).any():
        raise InputError("negative head count", path=path, field="heads")
    return long.reset_index(drop=True)

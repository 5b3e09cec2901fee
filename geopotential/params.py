"""Parameter tables: every coefficient with its unit and source.

Tables are CSV files in ``data/`` (see :func:`geopotential._paths.data_dir`). Lines that
start with ``#`` are comments (title, notes, licence). Two shapes are used:

* **long tables** (one parameter per row) with columns
  ``parameter, value, unit, low, high, source, date, note``; read them with
  :func:`load_parameters`, which returns :class:`Parameter` records;
* **wide tables** (one entity per row, e.g. one substrate or crop per row) whose numeric
  columns carry their unit in their name and which have a ``source`` column; read them
  with :func:`load_table`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geopotential._paths import data_dir
from geopotential.exceptions import InputError

LONG_COLUMNS = ("parameter", "value", "unit", "low", "high", "source")


@dataclass(frozen=True)
class Parameter:
    """One sourced coefficient.

    Attributes
    ----------
    name
        Parameter key.
    value
        Central value, in ``unit``.
    unit
        Unit of ``value``, ``low`` and ``high`` (``-`` for dimensionless).
    low, high
        Bounds of the plausible range (NaN where not known).
    source
        Bibliographic source (short citation or URL).
    """

    name: str
    value: float
    unit: str
    low: float = math.nan
    high: float = math.nan
    source: str = ""
    date: str = ""
    note: str = ""


def table_path(name: str) -> Path:
    """Path of the shipped table ``name`` (with or without ``.csv``)."""
    stem = name[:-4] if name.endswith(".csv") else name
    return data_dir() / f"{stem}.csv"


@lru_cache(maxsize=64)
def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, comment="#", skipinitialspace=True)
    except FileNotFoundError:
        raise InputError("parameter table not found", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot parse parameter table ({exc})", path=path) from None


def load_table(name: str, path: str | Path | None = None) -> pd.DataFrame:
    """Read a wide parameter table (one entity per row).

    Parameters
    ----------
    name
        Table name in ``data/`` (e.g. ``"biogas_substrates"``).
    path
        A user's own table to use instead of the shipped one.

    Returns
    -------
    pandas.DataFrame
        A copy of the table; callers may modify it.
    """
    p = Path(path) if path is not None else table_path(name)
    df = _read(p.resolve())
    if "source" not in df.columns:
        raise InputError("parameter table has no 'source' column", path=p)
    return df.copy()


def load_parameters(name: str, path: str | Path | None = None) -> dict[str, Parameter]:
    """Read a long parameter table into a mapping ``name -> Parameter``.

    Parameters
    ----------
    name
        Table name in ``data/`` (e.g. ``"solar_parameters"``).
    path
        A user's own table to use instead of the shipped one.
    """
    p = Path(path) if path is not None else table_path(name)
    df = _read(p.resolve())
    missing = [c for c in LONG_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"parameter table lacks columns {missing}", path=p)
    out: dict[str, Parameter] = {}
    for rec in df.to_dict("records"):
        out[str(rec["parameter"])] = Parameter(
            name=str(rec["parameter"]),
            value=float(rec["value"]),
            unit=str(rec["unit"]),
            low=float(rec["low"]) if pd.notna(rec["low"]) else math.nan,
            high=float(rec["high"]) if pd.notna(rec["high"]) else math.nan,
            source=str(rec["source"]),
            date=str(rec.get("date", "") if pd.notna(rec.get("date", "")) else ""),
            note=str(rec.get("note", "") if pd.notna(rec.get("note", "")) else ""),
        )
    return out


def parameter_values(name: str, path: str | Path | None = None) -> dict[str, float]:
    """Central values of a long table, ``name -> value``."""
    return {k: p.value for k, p in load_parameters(name, path).items()}


def describe(p: Parameter) -> str:
    """One-line description of a parameter for config docs and schemas."""
    rng = ""
    if not math.isnan(p.low) and not math.isnan(p.high):
        rng = f" (range {p.low:g}-{p.high:g})"
    note = f" {p.note}." if p.note else ""
    return f"[{p.unit}]{rng}.{note} Source: {p.source}"


def field_from(params: dict[str, Parameter], key: str, **constraints):
    """A pydantic ``Field`` whose default, unit and source come from a parameter table.

    Parameters
    ----------
    params
        Mapping returned by :func:`load_parameters`.
    key
        Parameter name in that table.
    **constraints
        Extra ``Field`` arguments (``ge``, ``le``...).

    Examples
    --------
    >>> _P = load_parameters("solar_parameters")  # doctest: +SKIP
    >>> class SolarParameters(BaseModel):  # doctest: +SKIP
    ...     system_losses_pct: float = field_from(_P, "system_losses_pct", ge=0, le=100)
    """
    from pydantic import Field

    p = params[key]
    constraints.setdefault("validate_default", True)  # an int field gets int(value), checked
    return Field(p.value, description=describe(p), **constraints)

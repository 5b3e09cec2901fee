"""Communes: boundaries (france-geojson, IGN Admin Express) and INSEE populations.

* :func:`read_communes` reads commune polygons (``code``/``nom`` of france-geojson,
  ``INSEE_COM``/``NOM`` of Admin Express, or canonical names) into ``commune_insee``,
  ``commune_name`` and, when the file has it, ``population``.
* :func:`read_population` reads an INSEE-based population table (the ``insee_com`` /
  ``population_2021`` extract, or ``CODGEO``/``PMUN``-style files).
* :func:`communes_with_population` joins them and reports the codes present in one and
  not in the other (commune mergers between two COG vintages show up here).
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from geopotential.crs import DEFAULT_WORKING_CRS
from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError
from geopotential.io.csv_text import check_csv_text
from geopotential.io.vector import map_fields, read_vector

logger = logging.getLogger(__name__)

COMMUNE_FIELDS = {
    "commune_insee": ("commune_insee", "code", "insee_com", "code_insee", "insee", "codgeo", "com"),
    "commune_name": ("commune_name", "nom", "nom_com", "libelle", "libgeo", "name", "commune"),
    "population": ("population", "population_2021", "pmun", "popul", "pop"),
}
POPULATION_CODE_FIELDS = ("commune_insee", "insee_com", "codgeo", "code_insee", "code", "com", "depcom")
POPULATION_NAME_FIELDS = ("commune_name", "commune", "nom", "libgeo", "libelle", "nom_commune")
POPULATION_VALUE_FIELDS = ("population", "pmun", "ptot", "popul", "pop")

#: INSEE commune code: 2 digits or 2A/2B (Corsica), then 3 digits.
INSEE_RE = re.compile(r"^(\d{2}|2[AB])\d{3}$")


def normalise_insee(values: pd.Series) -> pd.Series:
    """INSEE codes as 5-character strings (``1001`` -> ``01001``, ``2a004`` -> ``2A004``)."""
    s = pd.Series(values).astype("string").str.strip().str.upper()
    s = s.str.replace(r"\.0$", "", regex=True)
    return s.where(s.str.len() != 4, s.str.zfill(5))


def check_insee(codes: pd.Series, path, field: str) -> None:
    """Raise :class:`InputError` if codes are missing, malformed or duplicated."""
    bad = codes.isna() | ~codes.fillna("").str.match(INSEE_RE)
    if bad.any():
        raise InputError(f"{int(bad.sum())} invalid INSEE code(s), e.g. {list(codes[bad].astype(str).unique()[:5])}",
                         path=path, field=field)
    dup = codes.duplicated(keep=False)
    if dup.any():
        raise InputError(f"{int(dup.sum())} rows share an INSEE code, e.g. {sorted(codes[dup].unique())[:5]}",
                         path=path, field=field)


def read_communes(
    path: str | Path,
    layer: str | int | None = None,
    working_crs: str | int | CRS = DEFAULT_WORKING_CRS,
    crs: str | int | CRS | None = None,
) -> gpd.GeoDataFrame:
    """Read commune boundaries into the canonical schema.

    Parameters
    ----------
    path
        france-geojson / Admin Express GeoJSON, GPKG or SHP.
    layer, working_crs, crs
        As in :func:`geopotential.io.vector.read_vector`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune_insee`` (str, 5 characters, unique), ``commune_name`` (str),
        ``population`` [inhabitants] (Int64, when the file has it), ``geometry``;
        ``attrs['unmapped_fields']`` lists the source fields not mapped.

    Raises
    ------
    MissingFieldError
        No INSEE code field.
    InputError
        Malformed or duplicated codes.
    """
    raw = read_vector(path, layer=layer, working_crs=working_crs, crs=crs, polygons_only=True,
                      preferred_layers=("commune", "communes"))
    gdf, unmapped = map_fields(raw, COMMUNE_FIELDS, source=path, required=("commune_insee",))
    gdf = gdf.copy()
    gdf["commune_insee"] = normalise_insee(gdf["commune_insee"])
    check_insee(gdf["commune_insee"], path, _field_name(raw, COMMUNE_FIELDS["commune_insee"]))
    if "commune_name" in gdf.columns:
        gdf["commune_name"] = gdf["commune_name"].astype("string")
    else:
        gdf["commune_name"] = pd.Series(pd.NA, index=gdf.index, dtype="string")
    if "population" in gdf.columns:
        gdf["population"] = _population_values(gdf["population"], path, "population")
    cols = ["commune_insee", "commune_name"] + (["population"] if "population" in gdf.columns else [])
    out = gpd.GeoDataFrame(gdf[cols], geometry=gdf.geometry.values, crs=gdf.crs)
    out.attrs.update(raw.attrs)
    out.attrs["unmapped_fields"] = unmapped
    logger.info("%s: %d communes read", path, len(out))
    return out


def _field_name(raw: pd.DataFrame, candidates) -> str:
    low = {str(c).lower(): str(c) for c in raw.columns}
    return next((low[c] for c in candidates if c in low), candidates[0])


def _population_values(values: pd.Series, path, field: str) -> pd.Series:
    txt = pd.Series(values).astype("string").str.replace(r"[\s\u202f\u00a0]", "", regex=True).str.replace(",", ".")
    num = pd.to_numeric(txt, errors="coerce")
    bad = (txt.notna() & num.isna()) | (num < 0)
    if bad.any():
        raise InputError(f"{int(bad.sum())} population value(s) are not non-negative numbers, "
                         f"e.g. {list(pd.Series(values)[bad].astype(str)[:3])}", path=path, field=field)
    return num.round().astype("Int64")


def read_population(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read an INSEE commune population table.

    Parameters
    ----------
    path
        CSV (``,`` or ``;`` separated, UTF-8 with or without BOM, or Latin-1) with a code
        column (``insee_com``, ``CODGEO``...) and population columns (``population_2021``,
        ``PMUN``...). With several ``population_YYYY`` columns the latest is used unless
        ``year`` is given.
    year
        Census year of the ``population_YYYY`` column to use.

    Returns
    -------
    pandas.DataFrame
        ``commune_insee`` (str), ``commune_name`` (str), ``population`` [inhabitants]
        (Int64); ``attrs['population_field']``, ``attrs['unmapped_fields']``.

    Raises
    ------
    CorruptFileError
        Empty, blank, header-only or truncated (last row cut) file, or an unparsable CSV.
    MissingFieldError, InputError
        No code or population column; malformed, duplicated codes or bad populations.
    """
    p = Path(path)
    check_csv_text(p, "population", require_rows=True)
    df = None
    for enc in ("utf-8-sig", "latin-1"):
        try:
            df = pd.read_csv(p, sep=None, engine="python", dtype=str, encoding=enc, keep_default_na=False)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError, csv.Error) as exc:
            raise CorruptFileError(f"cannot parse as a CSV table ({str(exc).splitlines()[0]})", path=p) from None
    if df is None:
        raise CorruptFileError("cannot decode the file as UTF-8 or Latin-1", path=p)
    low = {c.lower().strip(): c for c in df.columns}
    code_col = next((low[c] for c in POPULATION_CODE_FIELDS if c in low), None)
    if code_col is None:
        raise MissingFieldError(f"no INSEE code column (looked for {POPULATION_CODE_FIELDS}; found {list(df.columns)})",
                                path=p, field="insee_com")
    pop_col = _population_column(df, low, year, p)
    name_col = next((low[c] for c in POPULATION_NAME_FIELDS if c in low and low[c] != code_col), None)
    codes = normalise_insee(df[code_col].replace("", pd.NA))
    check_insee(codes, p, code_col)
    out = pd.DataFrame(
        {
            "commune_insee": codes.astype("string"),
            "commune_name": (df[name_col] if name_col else pd.Series(pd.NA, index=df.index)).astype("string"),
            "population": _population_values(df[pop_col].replace("", pd.NA), p, pop_col),
        }
    )
    used = {code_col, pop_col, name_col}
    out.attrs["population_field"] = pop_col
    out.attrs["unmapped_fields"] = [c for c in df.columns if c not in used]
    logger.info("%s: population of %d communes from %s (total %s)", p, len(out), pop_col, int(out.population.sum()))
    return out


def _population_column(df: pd.DataFrame, low: dict[str, str], year: int | None, path: Path) -> str:
    years = {int(m.group(1)): col for key, col in low.items() if (m := re.fullmatch(r"population_(\d{4})", key))}
    if year is not None:
        if year not in years:
            raise MissingFieldError(f"no population_{year} column (years available: {sorted(years)})", path=path,
                                    field=f"population_{year}")
        return years[year]
    if years:
        return years[max(years)]
    col = next((low[c] for c in POPULATION_VALUE_FIELDS if c in low), None)
    if col is None:
        raise MissingFieldError(f"no population column (looked for population_YYYY, {POPULATION_VALUE_FIELDS}; "
                                f"found {list(df.columns)})", path=path, field="population")
    return col


def communes_with_population(communes: gpd.GeoDataFrame, population: pd.DataFrame) -> gpd.GeoDataFrame:
    """Join a population table to commune boundaries on ``commune_insee``.

    The table's population wins; a population already in ``communes`` fills the codes the
    table lacks. Codes present on one side only are logged and returned in ``attrs``:
    ``codes_without_population`` (boundaries with no population row) and
    ``codes_without_boundary`` (population rows with no boundary).

    Returns
    -------
    geopandas.GeoDataFrame
        ``communes`` with ``population`` [inhabitants] (Int64, NA where unknown).
    """
    if "commune_insee" not in communes.columns:
        raise MissingFieldError("communes layer lacks commune_insee", field="commune_insee")
    if "commune_insee" not in population.columns or "population" not in population.columns:
        raise MissingFieldError("population table lacks commune_insee or population", field="population")
    pop = population.set_index("commune_insee")["population"]
    codes = communes["commune_insee"]
    joined = codes.map(pop).astype("Int64")
    if "population" in communes.columns:
        joined = joined.fillna(communes["population"].astype("Int64"))
    no_pop = sorted(set(codes) - set(pop.index))
    no_geom = sorted(set(pop.index) - set(codes))
    if no_pop:
        logger.warning("%d commune(s) without a population row: %s", len(no_pop), no_pop[:20])
    if no_geom:
        logger.info("%d population row(s) without a commune boundary: %s", len(no_geom), no_geom[:20])
    out = communes.copy()
    out["population"] = joined.to_numpy()
    out["population"] = out["population"].astype("Int64")
    if "commune_name" in out.columns and "commune_name" in population.columns:
        names = codes.map(population.set_index("commune_insee")["commune_name"])
        out["commune_name"] = out["commune_name"].fillna(names).astype("string")
    out.attrs = dict(communes.attrs)
    out.attrs["codes_without_population"] = no_pop
    out.attrs["codes_without_boundary"] = no_geom
    return out


__all__ = ["read_communes", "read_population", "communes_with_population", "normalise_insee"]

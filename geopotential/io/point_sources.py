"""Reader of point sources of methanisable matter (agrifood plants, sugar factories,
wastewater treatment plants) with annual tonnages.

CSV columns: ``source_id`` (or ``id``), ``substrate`` (a row of
``data/biogas_substrates.csv``, e.g. ``sugar_beet_pulp``), ``t_fm_yr`` [t FM/yr], optional
``name``, ``source_type``, ``competing_use_fraction`` [-], ``commune_insee``, and either
``x``/``y`` in the working CRS (or ``crs`` given) or ``lon``/``lat`` in WGS84.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geopotential.crs import DEFAULT_WORKING_CRS, ensure_crs
from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError
from geopotential.io.csv_text import check_csv_text


def read_point_sources(path: str | Path, working_crs=DEFAULT_WORKING_CRS, xy_crs=None) -> gpd.GeoDataFrame:
    """Read point sources.

    Parameters
    ----------
    path
        CSV file.
    working_crs
        Target metric CRS.
    xy_crs
        CRS of ``x``/``y`` columns (default: ``working_crs``); ``lon``/``lat`` are WGS84.

    Returns
    -------
    geopandas.GeoDataFrame
        ``source_id``, ``substrate``, ``t_fm_yr`` [t FM/yr], the optional columns, Point geometry.
        A header-only file gives an empty layer.

    Raises
    ------
    CorruptFileError
        Empty, blank or truncated (last row cut) file, or an unparsable CSV.
    MissingFieldError, InputError
        Missing fields; non-numeric or negative values.
    """
    path = Path(path)
    check_csv_text(path, "point-source")
    try:
        df = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise CorruptFileError(f"cannot parse point-source CSV ({exc})", path=path) from None
    df.columns = [c.strip().lower() for c in df.columns]
    if "source_id" not in df.columns and "id" in df.columns:
        df = df.rename(columns={"id": "source_id"})
    missing = [c for c in ("source_id", "substrate", "t_fm_yr") if c not in df.columns]
    if {"x", "y"} <= set(df.columns):
        xcol, ycol, crs = "x", "y", xy_crs or working_crs
    elif {"lon", "lat"} <= set(df.columns):
        xcol, ycol, crs = "lon", "lat", "EPSG:4326"
    else:
        xcol = ycol = crs = None
        missing.append("x/y or lon/lat")
    if missing:
        raise MissingFieldError(f"point-source CSV lacks fields {missing}", path=path, field=", ".join(missing))
    for c in (xcol, ycol, "t_fm_yr"):
        v = pd.to_numeric(df[c], errors="coerce")
        if v.isna().any():
            raise InputError(f"non-numeric or empty values in row {int(v.isna().idxmax()) + 2}", path=path, field=c)
        df[c] = v
    if (df["t_fm_yr"] < 0).any():
        raise InputError("negative tonnage", path=path, field="t_fm_yr")
    df["source_id"] = df["source_id"].astype(str)
    gdf = gpd.GeoDataFrame(df.drop(columns=[xcol, ycol]), geometry=gpd.points_from_xy(df[xcol], df[ycol]), crs=crs)
    return ensure_crs(gdf, working_crs, source=path)

"""Reader of the ODRE / GRDF-GRTgaz open data "Points d'injection de biomethane en France".

The CSV is ``;``-separated, UTF-8 with BOM, with French column names such as
``Nom du site``, ``Type de site``, ``Coordonnees`` (``"lat, lon"``), ``Capacite de production
(GWh/an)``, ``Site ouvert ?``, ``Code Commune Courant``. Other editions give ``Latitude`` /
``Longitude`` or ``geo_point_2d`` and an injection capacity in Nm3/h; all are handled.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geopotential.crs import DEFAULT_WORKING_CRS, ensure_crs
from geopotential.exceptions import CorruptFileError, MissingFieldError
from geopotential.io.csv_text import check_csv_text

logger = logging.getLogger(__name__)


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", str(name).replace("\ufeff", "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _find(cols: dict[str, str], *patterns: str) -> str | None:
    for p in patterns:
        for norm, orig in cols.items():
            if re.fullmatch(p, norm):
                return orig
    return None


def _number(values: pd.Series, decimal_comma: bool = False) -> pd.Series:
    """Float values of a text column (NaN where empty or not a number), whatever its dtype."""
    txt = values.astype("string").str.strip()
    if decimal_comma:
        txt = txt.str.replace(",", ".", regex=False)
    return pd.to_numeric(txt, errors="coerce").astype("float64")


def read_injection_sites(path: str | Path, working_crs=DEFAULT_WORKING_CRS) -> gpd.GeoDataFrame:
    """Read existing biomethane injection sites.

    Parameters
    ----------
    path
        ODRE ``points-injection.csv`` (``;`` or ``,`` separated).
    working_crs
        Target metric CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id`` (str), ``name``, ``site_type``, ``commune_insee``, ``department``,
        ``commissioning_date``, ``is_open`` (bool), ``capacity_gwh_pcs_yr`` [GWh PCS/yr]
        (NaN where not given), ``capacity_nm3_h`` [Nm3/h] (NaN where not given),
        ``exclusion_reason`` ('' or why the site cannot be placed/used) and Point geometry
        (empty where the file gives no coordinates, also for a ``Coordonnees`` value
        without a comma).

    Raises
    ------
    CorruptFileError
        Empty, blank, header-only or truncated (last row cut) file, or an unparsable CSV.
    MissingFieldError
        No coordinate field or no capacity field.
    """
    path = Path(path)
    check_csv_text(path, "injection-site", require_rows=True)
    try:
        df = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig", dtype=str)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise CorruptFileError(f"cannot parse injection-site CSV ({exc})", path=path) from None
    cols = {_norm(c): c for c in df.columns}
    c_name = _find(cols, r"nom_du_site", r"nom", r"name", r"site")
    c_coord = _find(cols, r"coordonnees", r"geo_point_2d", r"coordinates")
    c_lat = _find(cols, r"latitude", r"lat")
    c_lon = _find(cols, r"longitude", r"lon", r"lng")
    c_gwh = _find(cols, r"capacite_de_production_gwh_an", r"capacite.*gwh.*", r".*capacity.*gwh.*")
    c_nm3 = _find(cols, r"capacite_d_injection.*nm3_h", r".*nm3_h.*")
    if c_coord is None and (c_lat is None or c_lon is None):
        raise MissingFieldError("injection-site CSV has no coordinates (Coordonnees or Latitude/Longitude)",
                                path=path, field="Coordonnees")
    if c_gwh is None and c_nm3 is None:
        raise MissingFieldError("injection-site CSV has no capacity field (GWh/an or Nm3/h)", path=path,
                                field="Capacite de production (GWh/an)")
    if c_coord is not None:
        # "lat, lon"; a value without a comma leaves column 1 all-NaN (float): cast to text first
        parts = (df[c_coord].astype("string").fillna("").str.split(",", n=1, expand=True)
                 .reindex(columns=[0, 1]).astype("string"))
        lat, lon = _number(parts[0]), _number(parts[1])
    else:
        lat, lon = _number(df[c_lat], decimal_comma=True), _number(df[c_lon], decimal_comma=True)
    num = lambda c: (_number(df[c], decimal_comma=True)  # noqa: E731
                     if c is not None else pd.Series(np.nan, index=df.index))
    has_xy = lat.notna() & lon.notna() & lat.between(-90, 90) & lon.between(-180, 180)
    geom = gpd.GeoSeries(gpd.points_from_xy(lon.fillna(0.0), lat.fillna(0.0)), crs="EPSG:4326")
    geom[~has_xy.to_numpy()] = None
    c_id = _find(cols, r"id_unique_projet", r"n_de_pitd_pitp", r"id")
    c_open = _find(cols, r"site_ouvert")
    out = gpd.GeoDataFrame(
        {
            "site_id": (df[c_id].fillna("").astype(str) if c_id else pd.Series(df.index.astype(str))).to_numpy(),
            "name": df[c_name].fillna("").to_numpy() if c_name else "",
            "site_type": df[cols[_norm("Type de site")]].fillna("").to_numpy() if "type_de_site" in cols else "",
            "commune_insee": df[_find(cols, r"code_commune.*", r"code_insee.*")].fillna("").str.zfill(5).replace("00000", "").to_numpy()
            if _find(cols, r"code_commune.*", r"code_insee.*") else "",
            "department": df[_find(cols, r"code_departement")].fillna("").to_numpy() if _find(cols, r"code_departement") else "",
            "commissioning_date": df[_find(cols, r"date_de_mise_en_service")].fillna("").to_numpy()
            if _find(cols, r"date_de_mise_en_service") else "",
            "is_open": (df[c_open].fillna("True").str.strip().str.lower().isin(("true", "1", "oui", "yes"))).to_numpy()
            if c_open else True,
            "capacity_gwh_pcs_yr": num(c_gwh).to_numpy(dtype=float),
            "capacity_nm3_h": num(c_nm3).to_numpy(dtype=float),
        },
        geometry=geom.to_numpy(),
        crs="EPSG:4326",
    )
    reason = np.where(~has_xy.to_numpy(), "no coordinates in the source file", "")
    reason = np.where((reason == "") & ~out["is_open"].to_numpy(), "site closed", reason)
    no_cap = out["capacity_gwh_pcs_yr"].isna() & out["capacity_nm3_h"].isna()
    reason = np.where((reason == "") & no_cap.to_numpy(), "no capacity given", reason)
    out["exclusion_reason"] = reason
    out = ensure_crs(out, working_crs, source=path)
    logger.info("%s: %d injection sites (%d usable)", path, len(out), int((out["exclusion_reason"] == "").sum()))
    return out

"""Reader of the Registre Parcellaire Graphique (RPG) agricultural parcels.

Handles the IGN/ASP editions 2015-2024 (GeoPackage or shapefile, upper- or lower-case
fields ``ID_PARCEL``, ``SURF_PARC`` [ha], ``CODE_CULTU``, ``CODE_GROUP``, ``CULTURE_D1``,
``CULTURE_D2``) and fiboa GeoParquet conversions (``id``, ``area`` [ha], ``crop:code``...).
Fields are mapped to the canonical names of :data:`geopotential.schema.RPG_PARCELS`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geopotential.crs import DEFAULT_WORKING_CRS, ensure_crs
from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError

logger = logging.getLogger(__name__)

#: canonical name -> accepted source names (compared case-insensitively), first match wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "parcel_id": ("id_parcel", "num_parcel", "id", "parcel_id"),
    "area_ha": ("surf_parc", "surf_parcel", "surf_ha", "area", "area_ha"),
    "code_cultu": ("code_cultu", "code_culture", "crop:code", "crop_code", "crop:code_fr"),
    "code_group": ("code_group", "code_groupe", "crop:group", "crop_group"),
    "culture_d1": ("culture_d1", "culture_derobee_1", "crop:derived_1"),
    "culture_d2": ("culture_d2", "culture_derobee_2", "crop:derived_2"),
    "commune_insee": ("commune_insee", "insee_com", "code_insee"),
}
REQUIRED = ("parcel_id", "code_cultu")


def _read_any(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputError("file not found", path=path)
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        return gpd.read_file(path, layer=layer)
    except (ValueError, KeyError) as exc:
        if layer is not None and "layer" in str(exc).lower():
            raise InputError(f"layer {layer!r} not found ({exc})", path=path, field=layer) from None
        raise CorruptFileError(f"cannot read RPG layer ({exc})", path=path) from None
    except Exception as exc:  # pyogrio/fiona/arrow errors: corrupt or unsupported file
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if layer is not None and "layer" in msg.lower():
            raise InputError(f"layer {layer!r} not found ({msg})", path=path, field=layer) from None
        raise CorruptFileError(f"cannot read RPG file ({type(exc).__name__}: {msg})", path=path) from None


def canonical_columns(columns) -> dict[str, str]:
    """Map source column names to canonical RPG names (case-insensitive)."""
    lower = {str(c).lower(): c for c in columns}
    rename: dict[str, str] = {}
    for canon, names in ALIASES.items():
        for n in names:
            if n in lower and lower[n] not in rename:
                rename[lower[n]] = canon
                break
    return rename


def read_rpg(path: str | Path, layer: str | None = None, working_crs=DEFAULT_WORKING_CRS) -> gpd.GeoDataFrame:
    """Read RPG parcels into canonical columns.

    Parameters
    ----------
    path
        GeoPackage, shapefile, GeoJSON or (fiboa) GeoParquet file.
    layer
        Layer name for multi-layer files (default: the first layer).
    working_crs
        Target metric CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        ``parcel_id`` (str), ``area_ha`` [ha] (SURF_PARC; the geometry's area where SURF_PARC
        is absent), ``code_cultu`` (upper-case str), ``code_group`` (str, '' if absent),
        ``culture_d1``, ``culture_d2`` (str, '' if none), ``commune_insee`` if the file has it,
        and geometry in ``working_crs``.

    Raises
    ------
    MissingFieldError
        Naming every required field missing (``ID_PARCEL``, ``CODE_CULTU``).
    MissingCRSError, CorruptFileError, InputError
        For a file without CRS, an unreadable file or a missing file/layer.
    """
    path = Path(path)
    gdf = _read_any(path, layer)
    rename = canonical_columns(gdf.columns)
    missing = [c for c in REQUIRED if c not in rename.values()]
    if missing:
        src = {"parcel_id": "ID_PARCEL", "code_cultu": "CODE_CULTU"}
        names = [src[m] for m in missing]
        raise MissingFieldError(f"RPG layer lacks required fields {names} (found {list(gdf.columns)})",
                                path=path, field=", ".join(names))
    gdf = gdf.rename(columns=rename)
    gdf = ensure_crs(gdf, working_crs, source=path)
    out = gpd.GeoDataFrame(index=pd.RangeIndex(len(gdf)), geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    out["parcel_id"] = gdf["parcel_id"].astype("string").fillna("").astype(str).to_numpy()
    if "area_ha" in gdf.columns:
        area = pd.to_numeric(gdf["area_ha"], errors="coerce").to_numpy(dtype=float)
        n_bad = int(np.isnan(area).sum())
        if n_bad:
            logger.warning("%s: %d parcels without SURF_PARC; using the geometry area", path, n_bad)
            area = np.where(np.isnan(area), gdf.geometry.area.to_numpy() / 1e4, area)
    else:
        logger.warning("%s: no SURF_PARC field; area_ha from the geometry", path)
        area = gdf.geometry.area.to_numpy() / 1e4
    out["area_ha"] = area
    for c in ("code_cultu", "code_group", "culture_d1", "culture_d2"):
        if c in gdf.columns:
            s = gdf[c].astype("string").fillna("").str.strip()
            if c == "code_group":
                s = s.str.replace(r"\.0$", "", regex=True)
            out[c] = s.str.upper().astype(str).to_numpy()
        else:
            out[c] = ""
    if "commune_insee" in gdf.columns:
        out["commune_insee"] = gdf["commune_insee"].astype("string").to_numpy()
    out = out[[c for c in out.columns if c != "geometry"] + ["geometry"]]
    logger.info("%s: %d RPG parcels, %.1f ha", path, len(out), float(np.nansum(area)))
    return out

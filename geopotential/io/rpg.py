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
import shapely

from geopotential.crs import DEFAULT_WORKING_CRS, ensure_crs
from geopotential.exceptions import CorruptFileError, InputError, MissingCRSError, MissingFieldError
from geopotential.io.vector import check_area_of_use, clean_geometries

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


def _drop_duplicate_copies(gdf: gpd.GeoDataFrame, path: Path) -> tuple[gpd.GeoDataFrame, int]:
    """Drop exact copies of a parcel (same ID_PARCEL, geometry, crop and area); refuse conflicting ones.

    A parcel listed twice would have its area and potential counted twice.
    """
    ids = gdf["parcel_id"].astype("string").fillna("").astype(str)
    gdf = gdf.assign(parcel_id=ids.to_numpy())
    named = (ids != "").to_numpy()  # parcels without an id are not duplicates of each other
    dup = ids.duplicated(keep=False).to_numpy() & named
    if not dup.any():
        return gdf, 0
    sub = gdf.loc[dup]
    attrs = [c for c in ("area_ha", "code_cultu", "culture_d1", "culture_d2") if c in sub.columns]
    key = sub[attrs].astype("string").fillna("").agg("|".join, axis=1) if attrs else pd.Series("", index=sub.index)
    key = sub["parcel_id"] + "|" + key + "|" + pd.Series(shapely.to_wkb(shapely.normalize(
        sub.geometry.to_numpy()), hex=True), index=sub.index)
    conflicting = sub.loc[~key.duplicated(keep=False), "parcel_id"].unique()
    if len(conflicting):
        raise InputError(f"{len(conflicting)} ID_PARCEL value(s) are shared by parcels of different geometry, crop "
                         f"or area, e.g. {sorted(conflicting)[:5]}: the file mixes two extracts or editions; keep "
                         "one of each parcel", path=path, field="ID_PARCEL")
    copies = ids.duplicated(keep="first").to_numpy() & named
    n = int(copies.sum())
    logger.warning("%s [ID_PARCEL]: %d exact cop%s of parcels already listed dropped (not counted twice), e.g. %s",
                   path, n, "y" if n == 1 else "ies", sorted(ids[copies].unique())[:5])
    return gdf.loc[~copies].reset_index(drop=True), n


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
        and geometry in ``working_crs`` (2D, valid, polygonal). A negative SURF_PARC is
        replaced by the geometry area (warning). Parcels with a null/empty geometry are
        dropped, invalid ones repaired with ``make_valid`` and exact copies of a parcel
        (same ID_PARCEL, geometry, crop and area) dropped, all counted in ``attrs``
        (``n_dropped_empty``, ``n_repaired``, ``n_dropped_non_polygonal``,
        ``n_dropped_duplicates``, ``n_area_from_geometry``).

    Raises
    ------
    MissingFieldError
        Naming every required field missing (``ID_PARCEL``, ``CODE_CULTU``).
    MissingCRSError, CorruptFileError, InputError
        For a file without CRS, an unreadable file or a missing file/layer, coordinates
        outside the declared CRS's area of use, no usable parcel, or an ID_PARCEL shared
        by parcels that differ (field ``ID_PARCEL``).
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
    if gdf.crs is None:
        raise MissingCRSError("layer has no CRS (a shapefile without .prj?); set it with the layer's 'crs' option "
                              "in the config or fix the file", path=path)
    # null/empty geometries dropped and counted, Z dropped, bow-ties repaired, non-polygons dropped
    gdf, stats = clean_geometries(gdf, path, polygons_only=True)
    if len(gdf) == 0:
        raise InputError("RPG layer has no usable parcel (every geometry is null, empty or not a polygon)", path=path)
    check_area_of_use(gdf, path)
    gdf = ensure_crs(gdf, working_crs, source=path)
    gdf, n_dup = _drop_duplicate_copies(gdf, path)
    out = gpd.GeoDataFrame(index=pd.RangeIndex(len(gdf)), geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    out["parcel_id"] = gdf["parcel_id"].to_numpy()
    geom_ha = gdf.geometry.area.to_numpy() / 1e4
    n_geom = len(gdf)
    if "area_ha" in gdf.columns:
        area = pd.to_numeric(gdf["area_ha"], errors="coerce").to_numpy(dtype=float)
        missing, negative = np.isnan(area), area < 0
        n_geom = int((missing | negative).sum())
        if missing.any():
            logger.warning("%s: %d parcels without SURF_PARC; using the geometry area", path, int(missing.sum()))
        if negative.any():
            logger.warning("%s [SURF_PARC]: %d negative parcel area(s) (e.g. ID_PARCEL %s: %s ha); using the "
                           "geometry area", path, int(negative.sum()), list(out["parcel_id"][negative][:3]),
                           list(area[negative][:3]))
        area = np.where(missing | negative, geom_ha, area)
    else:
        logger.warning("%s: no SURF_PARC field; area_ha from the geometry", path)
        area = geom_ha
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
    out.attrs.update({"source_path": str(path), **stats, "n_dropped_duplicates": n_dup, "n_area_from_geometry": n_geom})
    logger.info("%s: %d RPG parcels, %.1f ha", path, len(out), float(np.nansum(area)))
    return out

"""Cadastral parcels: Etalab ``cadastre-<insee>-parcelles.json(.gz)`` and similar layers.

Etalab parcel features carry ``id`` (the 14-character *idu*: INSEE code 5 + prefix 3 +
section 2 + number 4), ``commune``, ``prefixe``, ``section``, ``numero``, ``contenance``
(cadastral area [m2]), ``arpente``, ``created``, ``updated``. They are mapped to
``cadastre_parcel_id``, ``commune_insee`` and ``area_m2``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from geopotential.crs import DEFAULT_WORKING_CRS
from geopotential.exceptions import InputError
from geopotential.io.communes import normalise_insee
from geopotential.io.vector import map_fields, read_vector

logger = logging.getLogger(__name__)

PARCEL_FIELDS = {
    "cadastre_parcel_id": ("cadastre_parcel_id", "id", "idu", "id_parcelle", "idpar", "geo_parcelle"),
    "commune_insee": ("commune_insee", "commune", "code_insee", "insee", "code_com_insee"),
    "area_m2": ("area_m2", "contenance", "supf", "dcntpa"),
}
#: Etalab fields known and not needed downstream (their content is inside the idu).
IGNORED = ("prefixe", "section", "numero", "created", "updated", "arpente")

#: idu: INSEE code (2 digits or 2A/2B + 3 digits), prefix (3 digits), section (2 chars), number (4 digits).
IDU_RE = re.compile(r"^(?:\d{2}|2[AB])\d{3}\d{3}[0-9A-Z]{2}\d{4}$")


def read_cadastre_parcels(
    path: str | Path,
    layer: str | int | None = None,
    working_crs: str | int | CRS = DEFAULT_WORKING_CRS,
    crs: str | int | CRS | None = None,
) -> gpd.GeoDataFrame:
    """Read cadastral parcels into the canonical schema.

    Parameters
    ----------
    path
        Etalab parcel GeoJSON or ``.json.gz``, or any layer with an idu field.
    layer, working_crs, crs
        As in :func:`geopotential.io.vector.read_vector`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cadastre_parcel_id`` (str, 14 characters, unique), ``commune_insee`` (str;
        taken from the idu when the file has no commune field), ``area_m2`` [m2] (the
        cadastral ``contenance``; NaN where absent — it may differ from the geometric area),
        ``geometry``; ``attrs['unmapped_fields']``.

    Raises
    ------
    MissingFieldError
        No parcel identifier field.
    InputError
        Malformed or duplicated identifiers, negative areas.
    """
    raw = read_vector(path, layer=layer, working_crs=working_crs, crs=crs, polygons_only=True,
                      preferred_layers=("parcelles", "parcelle", "parcels"))
    gdf, unmapped = map_fields(raw, PARCEL_FIELDS, source=path, required=("cadastre_parcel_id",), ignore=IGNORED)
    id_field = next((c for c in raw.columns if str(c).lower() in PARCEL_FIELDS["cadastre_parcel_id"]), "id")
    ids = gdf["cadastre_parcel_id"].astype("string").str.strip().str.upper()
    bad = ids.isna() | ~ids.fillna("").str.match(IDU_RE)
    if bad.any():
        raise InputError(f"{int(bad.sum())} parcel identifier(s) are not 14-character idu, "
                         f"e.g. {list(ids[bad].astype(str).unique()[:5])}", path=path, field=id_field)
    dup = ids.duplicated(keep=False)
    if dup.any():
        # Etalab splits a few multi-part parcels into several features: merge them
        n_dup = int(dup.sum())
        logger.warning("%s: %d features share %d parcel identifiers; their geometries are merged", path, n_dup,
                       int(ids[dup].nunique()))
    if "commune_insee" in gdf.columns:
        communes = normalise_insee(gdf["commune_insee"])
        communes = communes.fillna(ids.str[:5])
    else:
        communes = ids.str[:5]
    if "area_m2" in gdf.columns:
        area = pd.to_numeric(gdf["area_m2"], errors="coerce").astype("float64")
        if (area < 0).any():
            raise InputError(f"{int((area < 0).sum())} negative parcel area(s)", path=path, field="contenance")
    else:
        area = pd.Series(float("nan"), index=gdf.index)
    out = gpd.GeoDataFrame(
        {"cadastre_parcel_id": ids.to_numpy(), "commune_insee": communes.astype("string").to_numpy(),
         "area_m2": area.to_numpy()},
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    out["cadastre_parcel_id"] = out["cadastre_parcel_id"].astype("string")
    out["commune_insee"] = out["commune_insee"].astype("string")
    if dup.any():
        out = out.dissolve(by="cadastre_parcel_id", aggfunc={"commune_insee": "first", "area_m2": "first"},
                           sort=False).reset_index()
        out = out[["cadastre_parcel_id", "commune_insee", "area_m2", "geometry"]]
    out.attrs.update(raw.attrs)
    out.attrs["unmapped_fields"] = unmapped
    logger.info("%s: %d cadastral parcels read", path, len(out))
    return out

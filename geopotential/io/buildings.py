"""Building footprints: IGN BD TOPO, OpenStreetMap, Etalab cadastre, or any footprint layer.

:func:`read_buildings` maps each source's fields onto the canonical building schema
(``geopotential.schema.BUILDINGS``): ``building_id``, ``commune_insee``, ``height_m``,
``n_floors``, ``roof_shape``, ``usage``, ``name``. Source fields it cannot map are logged
and listed in ``gdf.attrs['unmapped_fields']``.

Sources
-------
* ``bdtopo``: BD TOPO v3 ``batiment``: GPKG fields ``cleabs``, ``hauteur`` [m],
  ``nombre_d_etages``, ``usage_1``, ``nom`` where present; shapefile edition ``ID``,
  ``HAUTEUR``, ``NB_ETAGES``, ``USAGE1``. BD TOPO has no roof shape.
* ``osm``: OSM GeoJSON exports (overpass-turbo, osmium, QuickOSM) and ``.osm.pbf`` / ``.osm``
  extracts (GDAL OSM driver, ``multipolygons`` with ``building``): ``id``/``@id``/
  ``osm_id``, ``height`` (``"12 m"`` accepted), ``building:levels``, ``roof:shape``,
  ``building`` (kept as usage), ``name``.
* ``etalab``: cadastre ``batiments`` GeoJSON or ``.json.gz`` (``type`` 01 hard / 02 light
  building, ``commune``, ``nom``); these features carry no identifier, so one is built
  from the commune code and the feature order.
* ``generic``: any footprint layer (e.g. the UMEP Gothenburg shapefile, latin-1 DBF);
  common id/height/name fields are looked up, otherwise ids are built from the row order.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geopotential.crs import DEFAULT_WORKING_CRS
from geopotential.exceptions import InputError
from geopotential.io.vector import map_fields, read_vector
from geopotential.schema import BUILDINGS

logger = logging.getLogger(__name__)

SOURCES = ("auto", "bdtopo", "osm", "etalab", "generic")

#: Canonical field -> candidate source fields, per source.
FIELD_MAPS: dict[str, dict[str, tuple[str, ...]]] = {
    "bdtopo": {
        "building_id": ("cleabs", "id"),
        "commune_insee": ("code_insee", "insee_com"),
        "height_m": ("hauteur",),
        "n_floors": ("nombre_d_etages", "nb_etages"),
        "usage": ("usage_1", "usage1"),
        "name": ("nom", "toponyme"),
    },
    "osm": {
        "building_id": ("@id", "id", "osm_id", "osm_way_id", "full_id"),
        "height_m": ("height", "building:height"),
        "n_floors": ("building:levels", "levels"),
        "roof_shape": ("roof:shape",),
        "usage": ("building",),
        "name": ("name",),
    },
    "etalab": {
        "building_id": ("id",),
        "commune_insee": ("commune",),
        "usage": ("type",),
        "name": ("nom",),
    },
    "generic": {
        "building_id": ("building_id", "id", "fid", "objectid", "gml_id", "mi_prinx", "cleabs", "osm_id"),
        "commune_insee": ("commune_insee", "insee", "code_insee", "insee_com"),
        "height_m": ("height_m", "height", "hauteur", "haut", "h"),
        "n_floors": ("n_floors", "floors", "levels", "nb_etages", "nombre_d_etages"),
        "roof_shape": ("roof_shape", "roof:shape", "roof_type"),
        "usage": ("usage", "use", "usage_1", "verksamhet"),
        "name": ("name", "nom", "byggnadsna", "byggnadsnamn"),
    },
}

#: Known source fields that carry nothing the canonical schema needs (not reported).
IGNORED_FIELDS = {
    "bdtopo": ("usage_2", "usage_3", "usage_4", "date_creation", "date_modification", "date_d_apparition",
               "date_de_confirmation", "sources", "identifiants_sources", "methode_d_acquisition_planimetrique",
               "methode_d_acquisition_altimetrique", "precision_planimetrique", "precision_altimetrique",
               "etat_de_l_objet", "construction_legere",
               # the same in BD TOPO's shapefile edition (10-character names)
               "usage2", "leger", "etat", "date_creat", "date_maj", "date_app", "date_conf", "source", "id_source",
               "prec_plani", "prec_alti", "acqu_plani", "acqu_alti"),
    "osm": ("type",),
    "etalab": ("created", "updated"),
    "generic": (),
}

#: OSM ``roof:shape`` values -> canonical roof shape.
OSM_ROOF_SHAPES = {
    "flat": "flat",
    "gabled": "gabled",
    "saltbox": "gabled",
    "gambrel": "gabled",
    "mansard": "gabled",
    "half-hipped": "hipped",
    "hipped": "hipped",
    "pyramidal": "hipped",
    "side_hipped": "hipped",
    "skillion": "shed",
    "lean_to": "shed",
}
ROOF_SHAPES = ("flat", "gabled", "hipped", "shed", "unknown")
ETALAB_TYPES = {"01": "bâti dur", "02": "bâti léger", "1": "bâti dur", "2": "bâti léger"}

#: Heights outside this range [m] are treated as errors and set missing (tallest building ~830 m).
HEIGHT_RANGE_M = (0.0, 830.0)

_NUMBER = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*(m|metres|meters|mètres)?\s*$", re.IGNORECASE)
_FEET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:'|ft)\s*(?:(\d+(?:\.\d+)?)\s*(?:\"|in))?\s*$", re.IGNORECASE)


def detect_source(columns) -> str:
    """Guess the source of a building layer from its field names."""
    low = {str(c).lower() for c in columns}
    if "cleabs" in low or "usage_1" in low or {"hauteur", "nombre_d_etages"} <= low or {"hauteur", "nb_etages"} <= low:
        return "bdtopo"
    if low & {"building", "building:levels", "roof:shape", "@id", "osm_id", "osm_way_id"}:
        return "osm"
    if {"type", "commune"} <= low and low <= {"id", "type", "nom", "commune", "created", "updated"}:
        return "etalab"
    return "generic"


def read_buildings(
    path: str | Path,
    source: str = "auto",
    layer: str | int | None = None,
    working_crs: str | int | CRS = DEFAULT_WORKING_CRS,
    crs: str | int | CRS | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read building footprints into the canonical schema.

    Parameters
    ----------
    path
        BD TOPO GPKG/SHP, OSM GeoJSON, Etalab ``batiments`` GeoJSON or ``.json.gz``, or any
        polygon layer.
    source
        ``'auto'`` (from the field names), ``'bdtopo'``, ``'osm'``, ``'etalab'`` or ``'generic'``.
    layer
        Layer to read; BD TOPO's ``batiment`` is chosen by default in multi-layer files.
    working_crs
        Target metric CRS.
    crs
        CRS to assume if the file has none.
    encoding
        Attribute encoding override (shapefiles without ``.cpg``).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``building_id`` (str), ``commune_insee`` (str or NA), ``height_m`` [m]
        (float, NaN when unknown), ``n_floors`` (Int64), ``roof_shape`` (str, one of
        flat/gabled/hipped/shed/unknown), ``usage`` (str), ``name`` (str), ``geometry``
        (Polygon/MultiPolygon). ``attrs``: ``source``, ``unmapped_fields``, and the counts of
        :func:`geopotential.io.vector.read_vector`.

    Raises
    ------
    InputError
        Unknown source, duplicated identifiers; see also :func:`read_vector`.
    """
    if source not in SOURCES:
        raise InputError(f"unknown building source {source!r}; expected one of {SOURCES}", path=path, field="source")
    if Path(path).suffix.lower() in OSM_FILE_SUFFIXES:
        raw = _read_osm_file(path, working_crs)
        source = "osm" if source == "auto" else source
    else:
        raw = read_vector(path, layer=layer, working_crs=working_crs, crs=crs, polygons_only=True,
                          preferred_layers=("batiment", "buildings", "batiments"), encoding=encoding)
    kind = detect_source([c for c in raw.columns if c != raw.geometry.name]) if source == "auto" else source
    mapping = FIELD_MAPS[kind]
    gdf, unmapped = map_fields(raw, mapping, source=path, ignore=IGNORED_FIELDS[kind])
    n = len(gdf)

    if "building_id" in gdf.columns:
        ids = _id_strings(gdf["building_id"])
        if kind == "osm":
            ids = ids.str.replace(r"^(way|relation|node)/", lambda m: m.group(1)[0], regex=True)
    else:
        ids = _generated_ids(gdf, kind)
        logger.info("%s: no identifier field, building_id built from the feature order", path)
    missing_id = ids.isna() | (ids == "")
    if missing_id.any():
        fill = _generated_ids(gdf, kind)
        ids = ids.where(~missing_id, fill)
        logger.warning("%s: %d building(s) without identifier got a generated one", path, int(missing_id.sum()))
    dup = ids.duplicated(keep=False)
    if dup.any():
        examples = sorted(ids[dup].unique())[:5]
        raise InputError(f"{int(dup.sum())} buildings share an identifier (e.g. {examples})", path=path,
                         field=_source_field(raw, mapping, "building_id"))

    out = gpd.GeoDataFrame(
        {
            "building_id": ids.astype("string"),
            "commune_insee": _text(gdf.get("commune_insee"), n),
            "height_m": _heights(gdf.get("height_m"), n, path),
            "n_floors": _floors(gdf.get("n_floors"), n, path),
            "roof_shape": _roof_shapes(gdf.get("roof_shape"), n, kind),
            "usage": _usage(gdf.get("usage"), n, kind),
            "name": _text(gdf.get("name"), n),
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    out = out[[*BUILDINGS, "geometry"]]  # canonical order of geopotential.schema
    out.attrs.update(raw.attrs)
    out.attrs.update({"source": kind, "unmapped_fields": unmapped})
    logger.info("%s: %d buildings read as %s (%d with a height)", path, len(out), kind, int(out.height_m.notna().sum()))
    return out


#: OpenStreetMap files read with GDAL's OSM driver (PBF and XML).
OSM_FILE_SUFFIXES = (".pbf", ".osm")


def _read_osm_file(path: str | Path, working_crs) -> gpd.GeoDataFrame:
    """Buildings of an OSM PBF/XML extract: the driver's ``multipolygons`` layer where ``building``
    is set, with the tags geopotential uses taken out of ``other_tags``."""
    raw = read_vector(path, layer="multipolygons", working_crs=working_crs, polygons_only=True)
    if "building" not in raw.columns:
        raise InputError("OSM file holds no building polygon", path=path, field="building")
    raw = raw[raw["building"].notna() & (raw["building"].astype(str) != "no")].copy()
    if raw.empty:
        raise InputError("OSM file holds no building polygon", path=path, field="building")
    tags = raw.get("other_tags", pd.Series("", index=raw.index)).fillna("").astype(str)
    for key in ("height", "building:height", "building:levels", "roof:shape"):  # vectorised hstore lookup
        raw[key] = tags.str.extract(rf'(?:^|,)"{re.escape(key)}"=>"((?:[^"\\]|\\.)*)"', expand=False)
    way = raw.get("osm_way_id", pd.Series(pd.NA, index=raw.index))
    rel = raw.get("osm_id", pd.Series(pd.NA, index=raw.index))
    raw["@id"] = np.where(way.notna(), "w" + way.astype(str), "r" + rel.astype(str))
    keep = ["@id", "building", "name", "height", "building:height", "building:levels", "roof:shape", raw.geometry.name]
    out = raw[[c for c in keep if c in raw.columns]]
    out.attrs.update(raw.attrs)
    return out


def _source_field(raw: pd.DataFrame, mapping, canonical: str) -> str:
    low = {str(c).lower(): c for c in raw.columns}
    for cand in mapping.get(canonical, ()):
        if cand.lower() in low:
            return str(low[cand.lower()])
    return canonical


def _id_strings(values: pd.Series) -> pd.Series:
    """Identifiers as strings; integral floats (DBF numbers) lose their ``.0``."""
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_float_dtype(s):
        integral = s.notna() & (np.floor(s.fillna(0)) == s.fillna(0))
        txt = s.astype("string")
        txt[integral] = s[integral].astype("int64").astype(str)
        return txt.astype("string")
    return s.astype("string").str.strip()


def _generated_ids(gdf: pd.DataFrame, kind: str) -> pd.Series:
    n = len(gdf)
    prefix = kind
    if kind == "etalab" and "commune_insee" in gdf.columns:
        communes = gdf["commune_insee"].astype("string").fillna("00000").reset_index(drop=True)
        rank = communes.groupby(communes).cumcount() + 1
        return ("etalab-" + communes + "-" + rank.map("{:06d}".format)).astype("string")
    return pd.Series([f"{prefix}-{i + 1:07d}" for i in range(n)], dtype="string")


def _text(values, n: int) -> pd.Series:
    if values is None:
        return pd.Series(pd.NA, index=range(n), dtype="string")
    s = pd.Series(values).reset_index(drop=True).astype("string").str.strip()
    return s.mask(s == "")


def parse_height(values: pd.Series) -> pd.Series:
    """Heights [m] from numbers or OSM-style text (``"12"``, ``"12.5 m"``, ``"40'"``, ``"12,5"``)."""
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64")
    txt = s.astype("string").str.strip()
    num = txt.str.extract(_NUMBER)[0].str.replace(",", ".", regex=False)
    out = pd.to_numeric(num, errors="coerce").astype("float64")  # integer text alone would give Int64
    feet = txt.str.extract(_FEET)
    ft = (pd.to_numeric(feet[0], errors="coerce").astype("float64") * 0.3048
          + pd.to_numeric(feet[1], errors="coerce").astype("float64").fillna(0.0) * 0.0254)
    return out.fillna(ft).astype("float64")


def _heights(values, n: int, path) -> pd.Series:
    if values is None:
        return pd.Series(np.nan, index=range(n), dtype="float64")
    raw = pd.Series(values).reset_index(drop=True)
    h = parse_height(raw)
    unparsed = raw.notna() & (raw.astype("string").str.strip() != "") & h.isna()
    if unparsed.any():
        logger.warning("%s [height]: %d value(s) not understood as a height, set missing (e.g. %s)", path,
                       int(unparsed.sum()), list(raw[unparsed].astype(str).unique()[:3]))
    bad = (h <= HEIGHT_RANGE_M[0]) | (h > HEIGHT_RANGE_M[1])
    if bad.any():
        logger.warning("%s [height]: %d height(s) <= 0 or > %g m set missing", path, int(bad.sum()), HEIGHT_RANGE_M[1])
        h = h.mask(bad)
    return h


def _floors(values, n: int, path) -> pd.Series:
    if values is None:
        return pd.Series(pd.NA, index=range(n), dtype="Int64")
    f = pd.to_numeric(pd.Series(values).reset_index(drop=True).astype("string").str.replace(",", ".", regex=False),
                      errors="coerce")
    bad = (f < 0) | (f > 200) | (f.notna() & (np.floor(f.fillna(0)) != f.fillna(0)))
    if bad.any():
        logger.warning("%s [n_floors]: %d storey count(s) negative, fractional or > 200 set missing", path,
                       int(bad.sum()))
    return f.mask(bad).round().astype("Int64")


def _roof_shapes(values, n: int, kind: str) -> pd.Series:
    if values is None:
        return pd.Series("unknown", index=range(n), dtype="string")
    s = pd.Series(values).reset_index(drop=True).astype("string").str.strip().str.lower()
    table = dict(OSM_ROOF_SHAPES, **{k: k for k in ROOF_SHAPES})
    return s.map(table).fillna("unknown").astype("string")


def _usage(values, n: int, kind: str) -> pd.Series:
    s = _text(values, n)
    if kind == "etalab":
        s = s.map(lambda v: ETALAB_TYPES.get(v, v) if isinstance(v, str) else v).astype("string")
    return s

"""QGIS faces of the run's GeoPackage: default styles and a field dictionary.

* :func:`write_qgis_styles` writes one QML style per layer into the GeoPackage's
  ``layer_styles`` table (the table QGIS itself uses, registered in ``gpkg_contents``), with
  the same classes and colours as the HTML map (:func:`geopotential.report.classes.layer_styles`)
  and human field aliases, so the layers open classified.
* :func:`write_field_dictionary` writes a non-spatial ``field_dictionary`` table
  (layer, name, description, unit, source).

References: GeoPackage ``layer_styles`` as QGIS writes it (style-anchors.md section 5,
https://gis.stackexchange.com/questions/341720).
"""

from __future__ import annotations

import logging
import sqlite3
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from geopotential.exceptions import InputError, MissingFieldError
from geopotential.report import labels as L
from geopotential.report.classes import StyleSpec, layer_styles

logger = logging.getLogger(__name__)

QGIS_VERSION = "3.28.0"
LAYER_STYLES_DDL = """
CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
  f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""
FIELD_DICTIONARY_COLUMNS = ("name", "description", "unit", "source")

#: map layer key -> (GeoPackage table, geometry kind)
_TABLE_OF = {
    "buildings_pv": ("buildings_pv", "fill"),
    "parcels_biogas": ("parcels_biogas", "fill"),
    "digester_sites": ("digester_sites", "marker"),
    "catchments": ("catchments", "fill"),
    "existing_plants": ("existing_plants", "marker"),
    "communes_pv": ("communes_summary", "fill"),
    "communes_biogas": ("communes_summary", "fill"),
    "communes_autonomy": ("communes_summary", "fill"),
}


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def _symbol(parent: ET.Element, name: str, kind: str, colour: str, single_fill_alpha: int = 255) -> None:
    sym = ET.SubElement(parent, "symbol", {"type": kind, "name": name, "alpha": "1", "clip_to_extent": "1",
                                           "force_rhr": "0"})
    if kind == "marker":
        lyr = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
        opts = {"color": _rgba(colour), "name": "circle", "size": "3.5", "size_unit": "MM",
                "outline_color": "255,255,255,255", "outline_width": "0.4", "outline_width_unit": "MM"}
    else:
        lyr = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
        opts = {"color": _rgba(colour, single_fill_alpha), "style": "solid", "outline_color": "60,60,60,255",
                "outline_width": "0.1", "outline_width_unit": "MM", "outline_style": "solid"}
    om = ET.SubElement(lyr, "Option", {"type": "Map"})
    for k, v in opts.items():
        ET.SubElement(om, "Option", {"name": k, "type": "QString", "value": v})


def style_qml(st: StyleSpec, kind: str, fields: list[str], lang: str = "fr") -> str:
    """QML text of a style (renderer + field aliases).

    Parameters
    ----------
    st
        Classes and colours (from :func:`layer_styles`).
    kind
        ``"fill"`` or ``"marker"``.
    fields
        Field names of the table, for the aliases.
    """
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology|Fields"})
    if st.kind == "categorical":
        r = ET.SubElement(root, "renderer-v2", {"type": "categorizedSymbol", "attr": st.column or "",
                                                "symbollevels": "0", "enableorderby": "0", "forceraster": "0"})
        cats = ET.SubElement(r, "categories")
        for i, (v, lab) in enumerate(zip(st.values, st.labels)):
            ET.SubElement(cats, "category", {"symbol": str(i), "value": str(v), "label": lab, "render": "true"})
        syms = ET.SubElement(r, "symbols")
        for i, c in enumerate(st.colors):
            _symbol(syms, str(i), kind, c)
    elif st.kind == "graduated":
        r = ET.SubElement(root, "renderer-v2", {"type": "graduatedSymbol", "attr": st.column or "",
                                                "graduatedMethod": "GraduatedColor", "symbollevels": "0",
                                                "enableorderby": "0", "forceraster": "0"})
        ranges = ET.SubElement(r, "ranges")
        lower = 0.0 if st.values and float(st.values[0]) >= 0 else -1e300  # potentials are >= 0
        for i, (upper, lab) in enumerate(zip(st.values, st.labels)):
            ET.SubElement(ranges, "range", {"symbol": str(i), "lower": repr(float(lower)), "upper": repr(float(upper)),
                                            "label": lab, "render": "true"})
            lower = upper
        syms = ET.SubElement(r, "symbols")
        for i, c in enumerate(st.colors):
            _symbol(syms, str(i), kind, c)
    else:
        r = ET.SubElement(root, "renderer-v2", {"type": "singleSymbol", "symbollevels": "0", "enableorderby": "0",
                                                "forceraster": "0"})
        syms = ET.SubElement(r, "symbols")
        _symbol(syms, "0", kind, st.single_color, single_fill_alpha=40 if kind == "fill" else 255)
    aliases = ET.SubElement(root, "aliases")
    for i, f in enumerate(fields):
        if f in L.COLUMNS:
            ET.SubElement(aliases, "alias", {"index": str(i), "field": f, "name": L.label_with_unit(f, lang)})
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body


def _connect(gpkg_path: str | Path) -> sqlite3.Connection:
    p = Path(gpkg_path)
    if not p.is_file():
        raise InputError("GeoPackage not found", path=p)
    con = sqlite3.connect(p)
    try:
        con.execute("SELECT 1 FROM gpkg_contents LIMIT 1")
    except sqlite3.DatabaseError:
        con.close()
        raise InputError("not a GeoPackage (no gpkg_contents table)", path=p) from None
    return con


def _register(con: sqlite3.Connection, table: str, description: str) -> None:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    con.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
        "VALUES (?, 'attributes', ?, ?, ?)",
        (table, table, description, now),
    )


def write_qgis_styles(gpkg_path: str | Path, layers: dict, lang: str = "fr", n_classes: int = 5) -> list[tuple[str, str]]:
    """Write the QML styles of the run's layers into ``layer_styles``.

    Parameters
    ----------
    gpkg_path
        The run's GeoPackage (layers already written under their names).
    layers
        The same layers, to compute the classes (as the map does).
    lang
        Language of legend labels and aliases.
    n_classes
        Number of choropleth classes (as :class:`MapParameters.n_classes`).

    Returns
    -------
    list of (table, style name)
        Styles written; the first style of each table is its default.
    """
    styles = layer_styles({k: v for k, v in layers.items() if v is not None}, n_classes, lang)
    con = _connect(gpkg_path)
    written: list[tuple[str, str]] = []
    try:
        geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        con.execute(LAYER_STYLES_DDL)
        _register(con, "layer_styles", "QGIS layer styles")
        defaults: set[str] = set()
        for key, st in styles.items():
            table, kind = _TABLE_OF[key]
            if table not in geom_cols:
                logger.warning("QGIS style of %s skipped: no table %s in %s", key, table, gpkg_path)
                continue
            fields = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")').fetchall()]
            qml = style_qml(st, kind, fields, lang)
            name = L.layer_name(key, lang)[:30] if table == "communes_summary" else table
            con.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (table, name))
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui) VALUES "
                "('', '', ?, ?, ?, ?, '', ?, ?, '', '')",
                (table, geom_cols[table], name, qml, int(table not in defaults), L.layer_name(key, lang)),
            )
            defaults.add(table)
            written.append((table, name))
        con.commit()
    finally:
        con.close()
    return written


def default_field_dictionary(layers: dict, lang: str = "fr") -> pd.DataFrame:
    """A field dictionary built from the labels of :mod:`geopotential.report.labels`.

    Columns: ``layer, name, description, unit, source``.
    """
    rows = []
    for layer, gdf in layers.items():
        if gdf is None:
            continue
        for col in gdf.columns:
            if col == gdf.geometry.name:
                continue
            rows.append({"layer": layer, "name": col, "description": L.label(col, lang), "unit": L.unit(col, "en"),
                         "source": "geopotential"})
    return pd.DataFrame(rows, columns=["layer", "name", "description", "unit", "source"])


def write_field_dictionary(gpkg_path: str | Path, dictionary_df: pd.DataFrame, table: str = "field_dictionary") -> int:
    """Write the non-spatial field dictionary table (replaced if present).

    Parameters
    ----------
    gpkg_path
        The run's GeoPackage.
    dictionary_df
        Columns ``name, description, unit, source`` (and optionally ``layer``).

    Returns
    -------
    int
        Rows written.

    Raises
    ------
    MissingFieldError
        A required column is missing (named).
    """
    missing = [c for c in FIELD_DICTIONARY_COLUMNS if c not in dictionary_df.columns]
    if missing:
        raise MissingFieldError(f"field dictionary lacks columns {missing}", path=gpkg_path, field=missing[0])
    cols = (["layer"] if "layer" in dictionary_df.columns else []) + list(FIELD_DICTIONARY_COLUMNS)
    df = dictionary_df[cols].astype(object).where(dictionary_df[cols].notna(), "").astype(str)
    con = _connect(gpkg_path)
    try:
        con.execute(f'DROP TABLE IF EXISTS "{table}"')
        con.execute(f'CREATE TABLE "{table}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
                    + ", ".join(f'"{c}" TEXT' for c in cols) + ")")
        con.executemany(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})',
                        df.itertuples(index=False, name=None))
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))
        _register(con, table, "Field dictionary: name, description, unit, source")
        con.commit()
    finally:
        con.close()
    return len(df)

"""The planners' interactive map (``map.html``) built with folium.

Layers are embedded in a compact columnar form (:mod:`geopotential.report.encode`) and drawn
by a small runtime (``assets/geopotential_map.js``) on Leaflet's canvas renderer: buildings
appear from ``building_min_zoom`` on and only in the viewport, communes give the overview.
folium's ``GeoJsonTooltip``/``GeoJsonPopup`` are not used: they write property values into
``innerHTML`` unescaped. Here every value from source data reaches the DOM through
``textContent`` (tooltips, popups, legends, search) or :func:`escape_html` (title block).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
from folium.plugins import Fullscreen, GroupedLayerControl, MiniMap
from folium.template import Template

from geopotential.exceptions import InputError
from geopotential.report import labels as L
from geopotential.report.assets import runtime_block, strip_folium_links, vendor_block
from geopotential.report.classes import StyleSpec, graduated_style, layer_styles
from geopotential.report.encode import encode_layer
from geopotential.report.escaping import escape_html, json_for_script
from geopotential.report.parameters import MapParameters

logger = logging.getLogger(__name__)

#: Basemaps: key -> (tile URL template, attribution HTML written by us, max zoom).
BASEMAPS = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        19,
    ),
    "carto_positron": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors '
        '&copy; <a href="https://carto.com/attributions">CARTO</a>',
        20,
    ),
    "ign_plan": (
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&FORMAT=image/png",
        '&copy; <a href="https://www.ign.fr/">IGN</a> – Géoplateforme',
        19,
    ),
    "ign_ortho": (
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=ORTHOIMAGERY.ORTHOPHOTOS&STYLE=normal&TILEMATRIXSET=PM"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&FORMAT=image/jpeg",
        '&copy; <a href="https://www.ign.fr/">IGN</a> – Géoplateforme',
        19,
    ),
}

# Columns of the layer contract, popup order.
BUILDING_COLS = [
    "building_id", "name", "commune_insee", "pv_class", "pv_class_label", "roof_area_m2",
    "usable_area_m2", "pv_capacity_kwp", "pv_energy_kwh_yr", "specific_yield_kwh_kwp_yr",
    "irradiation_kwh_m2_yr", "payback_yr", "lcoe_eur_kwh", "exclusion_reason",
]
PARCEL_COLS = [
    "parcel_id", "commune_insee", "code_cultu", "crop_label", "resource", "area_ha",
    "energy_mwh_pcs_yr", "energy_net_mwh_pcs_yr", "exclusion_reason",
]
COMMUNE_COLS = [
    "commune_name", "commune_insee", "population", "pv_energy_mwh_yr", "pv_capacity_kwp",
    "biogas_energy_net_mwh_pcs_yr", "autonomy_ratio_today", "autonomy_ratio_potential",
]


@dataclass
class _LayerDef:
    key: str  # map layer key (labels.LAYERS)
    source: str  # key in the layers dict
    kind: str  # polygon / point
    group: str
    columns: list[str]
    tooltip: list[str]
    title_cols: list[str]
    show: bool = True
    min_zoom: int | None = None
    fade_at_zoom: int | None = None
    radius_by: str | None = None
    path_style: dict = field(default_factory=dict)


def _layer_defs(p: MapParameters) -> list[_LayerDef]:
    return [
        _LayerDef("communes_pv", "communes_summary", "polygon", "communes", COMMUNE_COLS,
                  ["pv_energy_mwh_yr", "pv_capacity_kwp", "population"], ["commune_name", "commune_insee"],
                  True, None, p.building_min_zoom, None, {"color": "#333333", "weight": 1.2, "fillOpacity": 0.6}),
        _LayerDef("communes_biogas", "communes_summary", "polygon", "communes", COMMUNE_COLS,
                  ["biogas_energy_net_mwh_pcs_yr", "population"], ["commune_name", "commune_insee"],
                  False, None, p.building_min_zoom, None, {"color": "#333333", "weight": 1.2, "fillOpacity": 0.6}),
        _LayerDef("communes_autonomy", "communes_summary", "polygon", "communes", COMMUNE_COLS,
                  ["autonomy_ratio_potential", "autonomy_ratio_today", "population"], ["commune_name", "commune_insee"],
                  False, None, p.building_min_zoom, None, {"color": "#333333", "weight": 1.2, "fillOpacity": 0.6}),
        _LayerDef("parcels_biogas", "parcels_biogas", "polygon", "biogas", PARCEL_COLS,
                  ["resource", "area_ha", "energy_net_mwh_pcs_yr"], ["crop_label", "parcel_id"],
                  True, p.parcel_min_zoom, None, None, {"color": "#33691e", "weight": 0.6, "fillOpacity": 0.7}),
        _LayerDef("catchments", "catchments", "polygon", "biogas", ["site_id", "supply_mwh_pcs_yr"],
                  ["supply_mwh_pcs_yr"], ["site_id"], True, None, None, None,
                  {"weight": 2, "fillOpacity": 0.06, "dashArray": "6 4"}),
        _LayerDef("digester_sites", "digester_sites", "point", "biogas",
                  ["site_id", "capacity_nm3_h", "energy_mwh_pcs_yr"], ["capacity_nm3_h", "energy_mwh_pcs_yr"],
                  ["site_id"], True, None, None, "capacity_nm3_h",
                  {"color": "#ffffff", "weight": 1.5, "fillOpacity": 0.9}),
        _LayerDef("existing_plants", "existing_plants", "point", "biogas", ["name", "capacity_nm3_h"],
                  ["capacity_nm3_h"], ["name"], True, None, None, "capacity_nm3_h",
                  {"color": "#ffffff", "weight": 1.5, "fillOpacity": 0.9}),
        _LayerDef("buildings_pv", "buildings_pv", "polygon", "solar", BUILDING_COLS,
                  ["pv_class_label", "usable_area_m2", "pv_capacity_kwp", "pv_energy_kwh_yr"],
                  ["name", "building_id"], True, p.building_min_zoom, None, None,
                  {"color": "#555555", "weight": 0.5, "fillOpacity": 0.85}),
    ]


class _GPLayer(folium.map.Layer):
    """A layer drawn by the geopotential runtime (``GP.addLayer``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = GP.addLayer({{ this._parent.get_name() }}, {{ this.spec_json }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict, name: str, show: bool):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GPLayer"
        self.spec_json = json_for_script(spec)


class _Finish(folium.MacroElement):
    """Adds the legend and the search control once every layer exists."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            GP.finish({{ this._parent.get_name() }}, {{ this.cfg_json }});
        {% endmacro %}
        """
    )

    def __init__(self, cfg: dict):
        super().__init__()
        self._name = "GPFinish"
        self.cfg_json = json_for_script(cfg)


def _check_layers(layers: dict) -> dict[str, gpd.GeoDataFrame]:
    out = {}
    for key, gdf in (layers or {}).items():
        if gdf is None:
            continue
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise InputError(f"layer is a {type(gdf).__name__}, not a GeoDataFrame", field=key)
        if gdf.crs is None:
            raise InputError("layer has no CRS", field=key)
        out[key] = gdf
    return out


def _style_json(st: StyleSpec, lang: str) -> dict:
    return {
        "column": st.column,
        "kind": st.kind,
        "values": st.values,
        "colors": st.colors,
        "labels": st.labels,
        "title": st.title,
        "missing": st.missing_color,
        "missingLabel": L.ui("no_data", lang),
        "showMissing": st.kind != "single",
        "single": st.single_color,
    }


def _field(col: str, lang: str) -> dict:
    c = L.COLUMNS.get(col)
    return {
        "col": col,
        "label": L.label(col, lang),
        "unit": L.unit(col, lang),
        "digits": c.digits if c is not None else 2,
        "kind": c.kind if c is not None else "num",
    }


def _bounds_4326(layers: dict[str, gpd.GeoDataFrame]) -> list[list[float]] | None:
    order = ["communes_summary", "buildings_pv", "parcels_biogas", "catchments", "digester_sites", "existing_plants"]
    for key in order:
        g = layers.get(key)
        if g is not None and len(g):
            b = g.to_crs("EPSG:4326").total_bounds
            if np.all(np.isfinite(b)):
                return [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]
    return None


def _title_html(meta: dict, lang: str) -> str:
    name = escape_html(meta.get("territory") or meta.get("territory_name") or "")
    bits = []
    if meta.get("run_date"):
        bits.append(f"{escape_html(L.ui('run_date', lang))} {escape_html(meta['run_date'])}")
    if meta.get("scenario"):
        bits.append(f"{escape_html(L.ui('scenario', lang))} : {escape_html(meta['scenario'])}")
    if not name and not bits and not meta.get("synthetic"):
        return ""
    synth = (
        f'<div class="gp-synthetic">{escape_html(L.ui("synthetic", lang))}</div>' if meta.get("synthetic") else ""
    )
    return (
        f'<div class="gp-title" id="gp-title"><h1>{name}</h1>'
        f'<div class="gp-meta">{" · ".join(bits)}</div>{synth}</div>'
    )


def _base_map(bounds, meta: dict, p: MapParameters) -> folium.Map:
    """Map with assets, runtime, title block and basemaps (no data layers yet)."""
    lang = p.language
    center = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(location=center, zoom_start=12, tiles=None, prefer_canvas=True, control_scale=True)
    fig = m.get_root()
    if p.offline:
        fig.header.add_child(folium.Element(vendor_block()), name="gp_vendor")
    fig.html.add_child(folium.Element(runtime_block()), name="gp_runtime")
    ui = {k: L.ui(k, lang) for k in L.UI}
    fig.html.add_child(
        folium.Element(f"<script>GP.init({json_for_script({'lang': lang, 'ui': ui})});</script>"), name="gp_init"
    )
    fig.html.add_child(folium.Element(_title_html(meta, lang)), name="gp_title")

    for i, key in enumerate(p.basemaps):
        url, attr, maxz = BASEMAPS[key]
        folium.TileLayer(url, attr=attr, name=L.ui(f"basemap_{key}", lang), max_zoom=maxz,
                         overlay=False, control=True, show=(i == 0)).add_to(m)

    return m


def build_map(layers: dict[str, gpd.GeoDataFrame], meta: dict, params: MapParameters | None = None) -> folium.Map:
    """Build the planners' map.

    Parameters
    ----------
    layers
        Run layers by name (``buildings_pv``, ``parcels_biogas``, ``digester_sites``,
        ``catchments``, ``existing_plants``, ``communes_summary``), in a metric CRS; any may
        be absent or ``None``, missing optional columns are skipped.
    meta
        ``territory``, ``run_date``, ``scenario``, ``synthetic`` (bool), ``crs``.
    params
        Display parameters (defaults from ``data/report_map_parameters.csv``).

    Returns
    -------
    folium.Map
        Save it with :func:`write_map` (or ``Map.save``).

    Raises
    ------
    InputError
        A layer is not a GeoDataFrame or has no CRS (the layer is named).
    """
    p = params or MapParameters()
    lang = p.language
    layers = _check_layers(layers)
    styles = layer_styles(layers, p.n_classes, lang)
    bounds = _bounds_4326(layers) or [[49.85, 2.2], [49.95, 2.4]]

    m = _base_map(bounds, meta or {}, p)
    fig = m.get_root()

    groups: dict[str, list] = {}
    search = []
    for d in _layer_defs(p):
        gdf = layers.get(d.source)
        if gdf is None or d.key not in styles:
            continue
        if len(gdf) == 0:
            logger.info("map: layer %s is empty, not drawn", d.source)
            continue
        big = len(gdf) >= p.lazy_min_features
        cols = [c for c in d.columns if c in gdf.columns]
        if not big:  # the full record for small layers
            cols += [c for c in gdf.columns if c not in cols and c != gdf.geometry.name]
        data = encode_layer(
            gdf, columns=cols, digits=p.coordinate_precision_digits, max_features=p.max_features_per_layer,
            simplify_m=p.simplify_tolerance_m, kind=d.kind, lazy_min_features=p.lazy_min_features,
            bucket_size_m=p.bucket_size_m,
        )
        data_id = f"gp-data-{d.key}"
        fig.html.add_child(
            folium.Element(f'<script type="application/json" id="{data_id}">{json_for_script(data)}</script>'),
            name=data_id,
        )
        st = styles[d.key]
        popup_cols = [c for c in cols if not (c == "pv_class" and "pv_class_label" in cols)]
        radius_max = None
        if d.radius_by and d.radius_by in gdf.columns:
            v = gdf[d.radius_by].astype(float)
            radius_max = float(np.nanmax(v)) if v.notna().any() else None
        path_style = dict(d.path_style)
        if st.kind == "single" and "color" not in path_style:
            path_style["color"] = st.single_color
        spec = {
            "id": d.key,
            "name": L.layer_name(d.key, lang),
            "dataId": data_id,
            "style": _style_json(st, lang),
            "fields": [_field(c, lang) for c in popup_cols],
            "tooltip": [_field(c, lang) for c in d.tooltip if c in cols],
            "titleCols": [c for c in d.title_cols if c in cols],
            "minZoom": d.min_zoom,
            "fadeAtZoom": d.fade_at_zoom,
            "radiusBy": d.radius_by if radius_max else None,
            "radiusMax": radius_max,
            "pathStyle": path_style,
            "leftOut": data["leftOut"],
        }
        layer = _GPLayer(spec, escape_html(L.layer_name(d.key, lang)), d.show)
        layer.add_to(m)
        groups.setdefault(escape_html(L.group_name(d.group, lang)), []).append(layer)
        if d.key == "buildings_pv":
            search.append({"layer": d.key, "cols": [c for c in ("building_id", "name") if c in cols],
                           "prefix": L.ui("building", lang)})
        elif d.source == "communes_summary" and not any(s["prefix"] == L.ui("commune", lang) for s in search):
            search.insert(0, {"layer": d.key, "cols": [c for c in ("commune_name", "commune_insee") if c in cols],
                              "prefix": L.ui("commune", lang)})

    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    if groups:
        GroupedLayerControl(groups, exclusive_groups=False, collapsed=False, position="topright").add_to(m)
    if p.fullscreen:
        Fullscreen(position="topleft").add_to(m)
    if p.minimap and p.basemaps:
        url, attr, _ = BASEMAPS[p.basemaps[0]]
        MiniMap(tile_layer=folium.TileLayer(url, attr=attr), toggle_display=True, position="bottomleft").add_to(m)
    m.fit_bounds(bounds)
    _Finish({"search": search}).add_to(m)
    strip_folium_links(m, drop_all=p.offline)
    return m


def write_map(
    layers: dict[str, gpd.GeoDataFrame],
    meta: dict,
    out_path: str | Path,
    params: MapParameters | None = None,
) -> Path:
    """Build the map and write it to ``out_path`` atomically.

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    m = build_map(layers, meta, params)
    html = m.get_root().render()
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    logger.info("map written: %s (%.1f MB)", out, out.stat().st_size / 1e6)
    return out


def explore_generic(gdf: gpd.GeoDataFrame, name: str, params: MapParameters | None = None,
                    column: str | None = None) -> folium.Map:
    """Safe map of any (Multi)Polygon or Point table, popups with every column.

    One colour, or graduated classes of the numeric ``column`` when given.

    Used by :func:`geopotential.report.notebook.explore` for tables that are not run layers
    (geopandas' own ``explore`` writes values unescaped and needs mapclassify).
    """
    p = params or MapParameters()
    gdf = _check_layers({name: gdf})[name]
    types = set(gdf.geometry.geom_type.dropna().unique())
    if types <= {"Point"}:
        kind = "point"
    elif types <= {"Polygon", "MultiPolygon"}:
        kind = "polygon"
    else:
        raise InputError(f"explore draws polygons or points, not {sorted(types)}", field=name)
    b = gdf.to_crs("EPSG:4326").total_bounds
    m = _base_map([[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]], {}, p)
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    data = encode_layer(gdf, columns=cols, digits=p.coordinate_precision_digits, max_features=p.max_features_per_layer,
                        simplify_m=p.simplify_tolerance_m if gdf.crs.is_projected else 0.0, kind=kind,
                        lazy_min_features=p.lazy_min_features, bucket_size_m=p.bucket_size_m)
    m.get_root().html.add_child(folium.Element(
        f'<script type="application/json" id="gp-data-generic">{json_for_script(data)}</script>'), name="gp-data")
    st = StyleSpec(None, "single", single_color="#3388ff", title=name)
    if column is not None:
        if column not in gdf.columns:
            raise InputError(f"no column {column!r} to colour by", field=name)
        st = graduated_style(gdf[column], column, "YlOrRd", p.n_classes, p.language)
    spec = {"id": "generic", "name": name, "dataId": "gp-data-generic", "style": _style_json(st, p.language),
            "fields": [_field(c, p.language) for c in cols], "tooltip": [_field(c, p.language) for c in cols[:3]],
            "titleCols": cols[:1], "minZoom": None, "fadeAtZoom": None, "radiusBy": None, "radiusMax": None,
            "pathStyle": {"color": "#1f4e99", "weight": 1, "fillOpacity": 0.5}, "leftOut": data["leftOut"]}
    _GPLayer(spec, escape_html(name), True).add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    m.fit_bounds([[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]])
    _Finish({"search": []}).add_to(m)
    strip_folium_links(m, drop_all=p.offline)
    return m

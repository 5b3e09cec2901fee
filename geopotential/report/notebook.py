"""Notebook faces: a readable ``_repr_html_`` summary and safe ``explore()`` maps.

geopandas' ``GeoDataFrame.explore`` writes property values into tooltips with folium's
``GeoJsonTooltip`` (``innerHTML``, unescaped) and needs mapclassify; :func:`explore` here draws
any layer with the same escaped runtime as ``map.html``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import folium
import geopandas as gpd

from geopotential.report import labels as L
from geopotential.report.escaping import escape_html
from geopotential.report.parameters import MapParameters

logger = logging.getLogger(__name__)

#: Layers the map knows how to draw.
KNOWN_LAYERS = ("buildings_pv", "parcels_biogas", "digester_sites", "catchments", "existing_plants",
                "communes_summary")


def explore(layer: gpd.GeoDataFrame, name: str | None = None, meta: dict | None = None,
            params: MapParameters | None = None) -> folium.Map:
    """An interactive map of one layer for Jupyter.

    Parameters
    ----------
    layer
        A run layer (metric CRS) or any GeoDataFrame.
    name
        Its layer name (``buildings_pv``...); a known name gets the planners' map styling;
        any other (Multi)Polygon or Point table is drawn in one colour with every column in
        its popup. Both use the escaped runtime of ``map.html``.
    meta
        Title block (``territory``, ``run_date``, ``scenario``, ``synthetic``).
    params
        Map parameters; in a notebook the offline inlining is kept (no network needed).
    """
    if name in KNOWN_LAYERS:
        from geopotential.report.map import build_map

        return build_map({name: layer}, meta or {}, params)
    from geopotential.report.map import explore_generic

    return explore_generic(layer, name or "layer", params)


def results_html(layers: dict, meta: dict, paths: dict | None = None, lang: str = "fr") -> str:
    """HTML summary of a run: territory, CRS, feature counts, totals with units, outputs."""
    from geopotential.report.report import _ind_label, territory_totals

    layers = {k: v for k, v in (layers or {}).items() if v is not None}
    meta = meta or {}
    rows = "".join(
        f"<tr><td>{escape_html(k)}</td><td style='text-align:right'>{len(g):,}</td>"
        f"<td>{escape_html(g.geometry.geom_type.iloc[0] if len(g) else '')}</td></tr>"
        for k, g in layers.items()
    )
    totals = "".join(
        f"<tr><td>{escape_html(_ind_label(k, lang))}</td><td style='text-align:right'>"
        f"{escape_html(L.format_number(v, lang, L.digits(u) if u else 0))} {escape_html(L.unit(u, lang) if u else '')}"
        f"</td></tr>"
        for k, v, u in territory_totals(layers)
    )
    outs = "".join(f"<li>{escape_html(k)}: <code>{escape_html(v)}</code></li>" for k, v in (paths or {}).items())
    synth = (f"<p><b style='color:#b30000'>{escape_html(L.ui('synthetic', lang))}</b></p>"
             if meta.get("synthetic") else "")
    return (
        "<div class='geopotential-results'>"
        f"<h4 style='margin:0'>geopotential – {escape_html(meta.get('territory', ''))}</h4>"
        f"<p style='margin:2px 0'>{escape_html(L.ui('run_date', lang))} {escape_html(meta.get('run_date', ''))} · "
        f"{escape_html(L.ui('scenario', lang))} : {escape_html(meta.get('scenario', ''))} · "
        f"CRS {escape_html(meta.get('crs', ''))}</p>{synth}"
        "<div style='display:flex;gap:24px;flex-wrap:wrap'>"
        f"<table><thead><tr><th>layer</th><th>features</th><th>geometry</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<table><tbody>{totals}</tbody></table></div>"
        + (f"<ul>{outs}</ul>" if outs else "")
        + "</div>"
    )


def explore_layer(layer: gpd.GeoDataFrame, name: str, column: str | None = None, meta: dict | None = None,
                  params: MapParameters | None = None, **kwargs) -> folium.Map:
    """:func:`explore` with an optional ``column`` to colour by (graduated classes).

    Without ``column`` a run layer gets the planners' styling; with it, any layer is drawn
    in classes of that numeric column. Extra keyword arguments (``GeoDataFrame.explore``
    ones) are accepted and ignored, so callers written for geopandas keep working.
    """
    if kwargs:
        logger.debug("explore_layer ignores %s", sorted(kwargs))
    if column is None:
        return explore(layer, name=name, meta=meta, params=params)
    from geopotential.report.map import explore_generic

    return explore_generic(layer, name, params, column=column)


class ResultsView:
    """A run's layers with a Jupyter summary and one ``explore`` per layer.

    Examples
    --------
    >>> view = ResultsView(layers, meta)  # doctest: +SKIP
    >>> view                      # a table of layers and totals in Jupyter  # doctest: +SKIP
    >>> view.explore("buildings_pv")  # doctest: +SKIP
    """

    def __init__(self, layers: dict, meta: dict | None = None, paths: dict[str, str | Path] | None = None):
        self.layers = {k: v for k, v in (layers or {}).items() if v is not None}
        self.meta = meta or {}
        self.paths = {k: str(v) for k, v in (paths or {}).items()}

    def _repr_html_(self) -> str:
        return results_html(self.layers, self.meta, self.paths)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.layers.items())
        return f"ResultsView({self.meta.get('territory', '')!r}: {counts})"

    def explore(self, name: str, params: MapParameters | None = None) -> folium.Map:
        """Interactive map of layer ``name`` (see :func:`explore`)."""
        if name not in self.layers:
            raise KeyError(f"no layer {name!r}; layers: {sorted(self.layers)}")
        return explore(self.layers[name], name=name, meta=self.meta, params=params)

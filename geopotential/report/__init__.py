"""Shells for planners, analysts and researchers: HTML map, report, QGIS styles, notebook.

Public API::

    build_map(layers, meta, params) -> folium.Map
    write_map(layers, meta, out_path, params) -> Path
    write_report(layers, meta, out_dir) -> Path            # report.html (+ summary.csv, figures/)
    write_qgis_styles(gpkg_path, layers)                    # QML into layer_styles
    write_field_dictionary(gpkg_path, dictionary_df)        # non-spatial field_dictionary table
    MapParameters                                           # pydantic display parameters
    explore(layer, ...) / ResultsView                       # notebook faces
"""

from __future__ import annotations

from geopotential.report.parameters import MapParameters

__all__ = [
    "MapParameters",
    "build_map",
    "write_map",
    "write_report",
    "write_qgis_styles",
    "write_field_dictionary",
    "explore",
    "ResultsView",
]


def __getattr__(name):  # lazy: folium / matplotlib load only when used
    if name in ("build_map", "write_map"):
        from geopotential.report import map as _m

        return getattr(_m, name)
    if name == "write_report":
        from geopotential.report.report import write_report

        return write_report
    if name in ("write_qgis_styles", "write_field_dictionary"):
        from geopotential.report import qgis_styles as _q

        return getattr(_q, name)
    if name in ("explore", "ResultsView"):
        from geopotential.report import notebook as _n

        return getattr(_n, name)
    raise AttributeError(name)

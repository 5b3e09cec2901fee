"""Parameters of the planners' map: display limits, language and options.

Numeric defaults come from ``data/report_map_parameters.csv`` (unit and source per row).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from geopotential.params import field_from, load_parameters

_P = load_parameters("report_map_parameters")

#: Basemaps the map can offer (key -> shown in the layer control).
BASEMAP_KEYS = ("osm", "carto_positron", "ign_plan", "ign_ortho")


class MapParameters(BaseModel):
    """How the HTML map is built.

    Attributes
    ----------
    max_features_per_layer : int [features]
        Cap on the features embedded per layer; the rest are left out and counted.
    simplify_tolerance_m : float [m]
        Douglas-Peucker tolerance in the working CRS before reprojection (0 = none).
    coordinate_precision_digits : int [decimal digits of degree]
        Coordinates are rounded to ``10**-digits`` degree (6 -> about 0.1 m).
    building_min_zoom : int [zoom level]
        Buildings are drawn from this zoom on; communes are the overview below it.
    parcel_min_zoom : int [zoom level]
        Agricultural parcels are drawn from this zoom on.
    lazy_min_features : int [features]
        Layers with more features are drawn per viewport bucket.
    bucket_size_m : float [m]
        Side of the grid cells of the viewport buckets.
    n_classes : int [classes]
        Number of choropleth classes (same in the map and the QGIS styles).
    offline : bool
        Inline Leaflet, its plugins and their CSS in the HTML (no CDN; tiles aside).
    language : {"fr", "en"}
        Language of labels, legends, tooltips and number format.
    basemaps : list of str
        Basemaps offered, first one shown (keys of ``BASEMAP_KEYS``).
    minimap, fullscreen : bool
        Show the minimap and the fullscreen button.
    """

    model_config = ConfigDict(extra="forbid", validate_default=True)

    max_features_per_layer: int = field_from(_P, "max_features_per_layer", ge=1)
    simplify_tolerance_m: float = field_from(_P, "simplify_tolerance_m", ge=0)
    coordinate_precision_digits: int = field_from(_P, "coordinate_precision_digits", ge=3, le=9)
    building_min_zoom: int = field_from(_P, "building_min_zoom", ge=0, le=22)
    parcel_min_zoom: int = field_from(_P, "parcel_min_zoom", ge=0, le=22)
    lazy_min_features: int = field_from(_P, "lazy_min_features", ge=1)
    bucket_size_m: float = field_from(_P, "bucket_size_m", gt=0)
    n_classes: int = field_from(_P, "n_classes", ge=2, le=9)
    offline: bool = Field(True, description="Inline Leaflet, plugins and CSS (no CDN). Default true.")
    language: Literal["fr", "en"] = Field("fr", description="Language of what planners read. Default fr.")
    basemaps: list[Literal["osm", "carto_positron", "ign_plan", "ign_ortho"]] = Field(
        default_factory=lambda: ["osm", "carto_positron", "ign_plan", "ign_ortho"],
        description="Basemaps offered, the first one shown.",
    )
    minimap: bool = Field(True, description="Show a minimap. Default true.")
    fullscreen: bool = Field(True, description="Show a fullscreen button. Default true.")

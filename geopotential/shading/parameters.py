"""Parameters of the DSM shading engine, defaults from ``data/shading_parameters.csv``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from geopotential.params import field_from, load_parameters

_P = load_parameters("shading_parameters")


class ShadingParameters(BaseModel):
    """Parameters of :func:`geopotential.shading.engine.roof_irradiation_from_dsm`.

    Every default, unit and source comes from ``data/shading_parameters.csv``.
    """

    model_config = ConfigDict(extra="forbid")

    flat_roof_threshold_deg: float = field_from(_P, "flat_roof_threshold_deg", ge=0, le=45)
    edge_buffer_m: float = field_from(_P, "edge_buffer_m", ge=0, le=10)
    max_shadow_distance_m: float = field_from(_P, "max_shadow_distance_m", gt=0)
    min_sun_elevation_deg: float = field_from(_P, "min_sun_elevation_deg", ge=0, le=20)
    canopy_transmissivity: float = field_from(_P, "canopy_transmissivity", ge=0, le=1)
    albedo: float = field_from(_P, "albedo", ge=0, le=1)
    min_shading_ratio: float = field_from(_P, "min_shading_ratio", ge=0, le=1)
    max_tilt_deg: float = field_from(_P, "max_tilt_deg", ge=0, le=90)
    north_sector_half_width_deg: float = field_from(_P, "north_sector_half_width_deg", ge=0, le=180)
    min_irradiation_kwh_m2_yr: float = field_from(_P, "min_irradiation_kwh_m2_yr", ge=0)
    min_plane_area_m2: float = field_from(_P, "min_plane_area_m2", ge=0)
    aspect_classes: int = field_from(_P, "aspect_classes", ge=4, le=36, validate_default=True)
    nodata_fill_distance_m: float = field_from(_P, "nodata_fill_distance_m", ge=0)
    tile_size_px: int = field_from(_P, "tile_size_px", ge=16, validate_default=True)
    all_touched: bool = Field(
        False,
        description="[-] Zonal rule: False counts pixels whose centre is inside the (buffered) "
        "footprint (rasterstats default), True every pixel touched.",
    )
    roofs_only: bool = Field(
        False,
        description="[-] Compute the rasters only on pixels touched by a footprint (faster; other "
        "pixels are nodata). Shadows are still cast by every pixel.",
    )
    show_progress: bool = Field(False, description="[-] Show a tqdm progress bar over tiles.")

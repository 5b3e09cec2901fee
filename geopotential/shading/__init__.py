"""Rooftop irradiation from a LiDAR DSM with shading (SEBE-like, numba sweep over 145 sky patches).

Modules
-------
parameters  : :class:`ShadingParameters` (pydantic, defaults from ``data/shading_parameters.csv``)
terrain     : slope, aspect and unit normals of a DSM
sky         : Tregenza 145-patch sky, sun binning, Perez (1990) diffuse split onto patches
kernels     : numba upwind-sweep shadow kernel accumulating irradiation over sky patches
irradiance  : annual irradiation on the tilted surface of every pixel of a tile
tiles       : tiling with an overlap margin (seamless results)
planes      : roof-plane segmentation per building
roofstats   : faces table and per-building statistics (usable area, shading loss)
zonal       : rasterize-once zonal statistics (rasterstats-compatible)
engine      : :func:`roof_irradiation_from_dsm` (in memory) and :func:`roof_irradiation_tiled`
              (window reader -> raster sink, for a whole territory)
"""

from geopotential.shading.engine import (
    BUILDING_COLUMNS,
    FACE_COLUMNS,
    RoofIrradianceResult,
    roof_irradiation_from_dsm,
    roof_irradiation_tiled,
)
from geopotential.shading.parameters import ShadingParameters
from geopotential.shading.zonal import zonal_stats, zonal_table

__all__ = ["ShadingParameters", "roof_irradiation_from_dsm", "roof_irradiation_tiled", "RoofIrradianceResult",
           "FACE_COLUMNS", "BUILDING_COLUMNS", "zonal_stats", "zonal_table"]

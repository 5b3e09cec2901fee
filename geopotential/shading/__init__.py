"""Rooftop irradiation from a LiDAR DSM with shading (SEBE-like, numba sweep over 145 sky patches).

Modules
-------
parameters  : :class:`ShadingParameters` (pydantic, defaults from ``data/shading_parameters.csv``)
terrain     : slope, aspect and unit normals of a DSM
sky         : Tregenza 145-patch sky, sun binning, Perez (1990) diffuse split onto patches
kernels     : numba upwind-sweep shadow kernel accumulating irradiation over sky patches
irradiance  : annual irradiation on the tilted surface of every pixel of a tile
tiles       : tiling with an overlap margin, seamless assembly
planes      : roof-plane segmentation per building
zonal       : rasterize-once zonal statistics (rasterstats-compatible)
engine      : :func:`roof_irradiation_from_dsm`, the entry point
"""

from geopotential.shading.parameters import ShadingParameters

__all__ = ["ShadingParameters"]

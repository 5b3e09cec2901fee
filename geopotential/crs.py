"""The working-CRS contract: every layer is brought into one metric CRS at the boundary.

A layer without a CRS is an error that names the file; a layer in a geographic CRS
(degrees) is reprojected and the reprojection is logged. EPSG:4326 is used only for
web maps.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from geopotential.exceptions import ConfigError, InputError, MissingCRSError

logger = logging.getLogger(__name__)

DEFAULT_WORKING_CRS = "EPSG:2154"


def parse_crs(value: str | int | CRS, key: str = "territory.crs") -> CRS:
    """Parse a CRS given by the user and check it is projected in metres.

    Parameters
    ----------
    value
        Anything :class:`pyproj.CRS` accepts (``"EPSG:2154"``, ``2154``, WKT).
    key
        Config key named in the error message.
    """
    try:
        crs = CRS.from_user_input(value)
    except CRSError as exc:
        raise ConfigError(f"not a valid CRS ({value!r}): {exc}", key=key) from None
    if not crs.is_projected:
        raise ConfigError(f"working CRS must be projected in metres, got {crs.name}", key=key)
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter", "m"):
        raise ConfigError(f"working CRS must use metres, not {unit!r}", key=key)
    return crs


def ensure_crs(
    gdf: gpd.GeoDataFrame,
    working_crs: str | int | CRS = DEFAULT_WORKING_CRS,
    source: str | Path = "<data frame>",
) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the working CRS.

    Parameters
    ----------
    gdf
        Layer to check.
    working_crs
        Target metric CRS.
    source
        File or layer name used in messages.

    Raises
    ------
    MissingCRSError
        If ``gdf`` has no CRS.
    """
    if gdf.crs is None:
        raise MissingCRSError(
            "layer has no CRS (a shapefile without .prj?); set it with the layer's "
            "'crs' option in the config or fix the file",
            path=source,
        )
    target = CRS.from_user_input(working_crs)
    if gdf.crs.equals(target):
        return gdf
    kind = "geographic " if gdf.crs.is_geographic else ""
    logger.info("%s: reprojecting from %s%s to %s", source, kind, gdf.crs.to_string(), target.to_string())
    try:
        out = gdf.to_crs(target)
    except (ProjError, CRSError) as exc:
        raise InputError(
            f"cannot reproject from {gdf.crs.name!r} to {target.name!r} ({str(exc).splitlines()[0]}); "
            "check the layer's CRS (.prj)", path=source,
        ) from None
    return out

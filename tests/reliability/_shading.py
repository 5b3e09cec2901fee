"""A tiny synthetic DSM scene and one clear-sky day for the shading-engine checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio.transform import from_origin

from ._builders import X0, Y0

#: Site of the synthetic scene (Amiens) [deg, m].
META = {"latitude": 49.9, "longitude": 2.3, "altitude": 30.0, "time_label": "center", "source": "clear sky"}


def clear_day() -> pd.DataFrame:
    """Hourly clear-sky weather of 21 June at Amiens (canonical columns, UTC, centred stamps)."""
    import pvlib

    times = pd.date_range("2021-06-21 00:30", periods=24, freq="1h", tz="UTC")
    cs = pvlib.location.Location(META["latitude"], META["longitude"], altitude=META["altitude"]).get_clearsky(times)
    return pd.DataFrame({"ghi": cs["ghi"], "dni": cs["dni"], "dhi": cs["dhi"], "temp_air": 20.0, "wind_speed": 2.0},
                        index=times)


def scene(hole: bool = False):
    """60 x 60 m DSM at 1 m: ground 30 m, two identical 10 m-high flat blocks.

    Buildings: ``in`` (fully covered), ``twin`` (the same block; with ``hole`` a 6 x 6 m
    nodata patch in its roof), ``out`` (200 m away: no DSM), ``edge`` (three quarters
    beyond the DSM's east edge).

    Returns
    -------
    dsm : float32 ndarray [m], transform, buildings GeoDataFrame (EPSG:2154)
    """
    dsm = np.full((60, 60), 30.0, np.float32)
    dsm[10:20, 10:20] = 40.0
    dsm[10:20, 35:45] = 40.0
    if hole:
        dsm[12:18, 37:43] = np.nan
    transform = from_origin(X0, Y0 + 60, 1.0, 1.0)
    buildings = gpd.GeoDataFrame(
        {"building_id": ["in", "twin", "out", "edge"]},
        geometry=[shapely.box(X0 + 10, Y0 + 40, X0 + 20, Y0 + 50), shapely.box(X0 + 35, Y0 + 40, X0 + 45, Y0 + 50),
                  shapely.box(X0 + 200, Y0, X0 + 210, Y0 + 10), shapely.box(X0 + 55, Y0 + 20, X0 + 75, Y0 + 30)],
        crs="EPSG:2154",
    )
    return dsm, transform, buildings

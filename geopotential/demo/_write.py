"""Deterministic writers of the demo files (GeoPackage, GeoJSON, GeoTIFF, CSV).

Byte-identical output needs: the GeoPackage ``last_change`` timestamps pinned through GDAL's
``OGR_CURRENT_DATE``; no date tag in the GeoTIFFs; fixed float formatting and ``\\n`` line
ends in the CSV files; rows and columns in a fixed order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from affine import Affine

from geopotential.demo import _design as D

#: Timestamp written into GeoPackage metadata tables instead of "now".
FIXED_DATE = "2026-01-01T00:00:00.000Z"


@contextlib.contextmanager
def _gdal_option(key: str, value: str) -> Iterator[None]:
    previous = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: value})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: previous})


def write_vector(table: pd.DataFrame, geoms: np.ndarray, epsg: int, path: Path, layer: str,
                 to_epsg: int | None = None, precision: int | None = None, multi: bool = False) -> None:
    """Write a vector layer (GeoPackage or GeoJSON by suffix) marked as synthetic."""
    if multi:
        geoms = _as_multi(geoms)
    gdf = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(geoms), crs=f"EPSG:{epsg}")
    if to_epsg is not None:
        gdf = gdf.to_crs(f"EPSG:{to_epsg}")
    if path.suffix == ".gpkg":
        with _gdal_option("OGR_CURRENT_DATE", FIXED_DATE):
            pyogrio.write_dataframe(
                gdf, path, layer=layer, driver="GPKG",
                layer_options={"DESCRIPTION": D.SYNTHETIC_NOTE, "SPATIAL_INDEX": "YES"},
                layer_metadata={"SYNTHETIC": "YES", "NOTE": D.SYNTHETIC_NOTE},
            )
    else:
        opts = {"DESCRIPTION": D.SYNTHETIC_NOTE, "RFC7946": "NO", "WRITE_BBOX": "NO"}
        opts["COORDINATE_PRECISION"] = str(precision if precision is not None else 2)
        pyogrio.write_dataframe(gdf, path, layer=layer, driver="GeoJSON", layer_options=opts)


def _as_multi(geoms: np.ndarray) -> np.ndarray:
    """Polygons as one-part MultiPolygons (the RPG stores MultiPolygons)."""
    out = np.empty(len(geoms), dtype=object)
    out[:] = [shapely.MultiPolygon([g]) for g in geoms]
    return out


def write_csv(df: pd.DataFrame, path: Path, sep: str = ",", comment: bool = True) -> None:
    """CSV with fixed formatting, optionally preceded by a ``# SYNTHETIC`` comment line."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        if comment:
            f.write(f"# {D.SYNTHETIC_NOTE}\n")
        df.to_csv(f, sep=sep, index=False, lineterminator="\n", float_format="%.6g")


def write_weather_csv(df: pd.DataFrame, path: Path, site: dict) -> None:
    """Canonical weather CSV: ``# key: value`` header comments, then hourly columns."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(f"# {D.SYNTHETIC_NOTE}\n")
        f.write(f"# latitude: {site['latitude']:.2f}\n")
        f.write(f"# longitude: {site['longitude']:.2f}\n")
        f.write(f"# altitude: {site['altitude']:.0f}\n")
        f.write("# time: UTC, start of the hour; ghi, dni, dhi [W/m2] hourly means; temp_air [degC]; wind_speed [m/s]\n")
        df.to_csv(f, index=False, lineterminator="\n", float_format="%.1f")


def write_geotiff(array: np.ndarray, transform: Affine, epsg: int, path: Path, what: str) -> None:
    """Tiled, deflate-compressed float32 GeoTIFF with nodata set and a SYNTHETIC tag."""
    profile = {
        "driver": "GTiff",
        "dtype": "float32",
        "count": 1,
        "width": array.shape[1],
        "height": array.shape[0],
        "crs": f"EPSG:{epsg}",
        "transform": transform,
        "nodata": D.DSM_NODATA,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "predictor": 3,
        "zlevel": 6,
        "interleave": "band",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array.astype(np.float32), 1)
        dst.update_tags(SYNTHETIC="YES", NOTE=D.SYNTHETIC_NOTE, CONTENT=what, UNIT="m")
        dst.set_band_description(1, f"{what} [m] (synthetic)")

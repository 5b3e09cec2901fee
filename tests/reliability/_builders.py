"""Builders of small bad inputs for the reliability tests (written to ``tmp_path``)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from geopotential.exceptions import GeopotentialError

#: A point in Amiens, Lambert-93 [m].
X0, Y0 = 648_000.0, 6_975_000.0


def square(x: float = X0, y: float = Y0, size: float = 10.0) -> shapely.Polygon:
    """Axis-aligned square [m] with its lower-left corner at ``(x, y)``."""
    return shapely.box(x, y, x + size, y + size)


def bowtie(x: float = X0, y: float = Y0, size: float = 10.0) -> shapely.Polygon:
    """Self-intersecting 'bow-tie' polygon: two triangles of ``size**2 / 4`` each [m2]."""
    return shapely.Polygon([(x, y), (x + size, y + size), (x + size, y), (x, y + size)])


def write_layer(path: Path, data: dict, geoms, crs="EPSG:2154", **kw) -> Path:
    """Write a small vector layer (driver from the extension)."""
    gdf = gpd.GeoDataFrame(data, geometry=list(geoms), crs=crs)
    driver = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON"}[path.suffix]
    gdf.to_file(path, driver=driver, **kw)
    return path


def write_tif(path: Path, array, crs="EPSG:2154", transform=None, nodata=None, dtype="float32") -> Path:
    """Write a one-band GeoTIFF; default grid 1 m with its top-left corner at (X0, Y0 + nrow)."""
    a = np.asarray(array)
    if transform is None:
        transform = from_origin(X0, Y0 + a.shape[0], 1.0, 1.0)
    with rasterio.open(path, "w", driver="GTiff", width=a.shape[1], height=a.shape[0], count=1, dtype=dtype,
                       crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(a.astype(dtype), 1)
    return path


def project_error(func, *args, **kwargs) -> GeopotentialError:
    """Call ``func`` and return the project's exception it raises (fail on anything else)."""
    try:
        func(*args, **kwargs)
    except GeopotentialError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - the point of the helper
        pytest.fail(f"{func.__name__} let a library exception escape: {type(exc).__name__}: {exc}")
    pytest.fail(f"{func.__name__} accepted the bad input without an error")

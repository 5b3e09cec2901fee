"""Versions of geopotential and of what it runs on, for bug reports and run metadata."""

from __future__ import annotations

import importlib.metadata as md
import platform
import sys

import geopotential

DEPENDENCIES = (
    "numpy", "pandas", "scipy", "shapely", "pyproj", "geopandas", "pyogrio", "rasterio",
    "rasterstats", "pvlib", "xarray", "numba", "pydantic", "click", "folium", "matplotlib",
    "dask", "distributed", "pyarrow",
)


def versions() -> dict[str, str]:
    """Versions of Python, the platform, the dependencies, GDAL, GEOS and PROJ."""
    out: dict[str, str] = {
        "geopotential": geopotential.__version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    for name in DEPENDENCIES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    try:
        import rasterio

        out["GDAL (rasterio)"] = rasterio.__gdal_version__
    except Exception:  # noqa: BLE001 - a broken optional import must not break the report
        pass
    try:
        import pyogrio

        out["GDAL (pyogrio)"] = pyogrio.__gdal_version_string__
    except Exception:  # noqa: BLE001
        pass
    try:
        import shapely

        out["GEOS"] = shapely.geos_version_string
    except Exception:  # noqa: BLE001
        pass
    try:
        import pyproj

        out["PROJ"] = pyproj.proj_version_str
    except Exception:  # noqa: BLE001
        pass
    return out


def show_versions() -> str:
    """The versions as aligned text lines."""
    v = versions()
    width = max(len(k) for k in v)
    return "\n".join(f"{k:<{width}} : {val}" for k, val in v.items())

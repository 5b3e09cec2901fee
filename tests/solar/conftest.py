"""Shared fixtures of the solar tests: real PVGIS weather, its yield table, a synthetic town."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geopotential.io.weather import read_pvgis_tmy
from geopotential.solar import SolarParameters, orientation_yield_table
from tests._shared import shared_path


@pytest.fixture(scope="session")
def pvgis_dir():
    d = shared_path("pvgis-weather")
    assert d.is_dir(), f"shared dataset missing: {d}"
    return d


@pytest.fixture(scope="session")
def pvgis_weather(pvgis_dir):
    return read_pvgis_tmy(pvgis_dir / "tmy_45.000_8.000_2005_2023.csv")


@pytest.fixture(scope="session")
def pvgis_table(pvgis_weather):
    weather, meta = pvgis_weather
    return orientation_yield_table(weather, meta["latitude"], meta["longitude"], meta["altitude"], SolarParameters())


def make_town(n: int = 300, seed: int = 0, x0: float = 650_000.0, y0: float = 6_860_000.0) -> gpd.GeoDataFrame:
    """Synthetic buildings in EPSG:2154: rotated rectangles and L shapes, all roof shapes,
    a few tiny sheds, missing and empty geometries, two communes and parcels."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    cx = x0 + (i % side) * 60.0
    cy = y0 + (i // side) * 60.0
    w = rng.uniform(2.0, 40.0, n)
    h = rng.uniform(2.0, 25.0, n)
    boxes = shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    ell = shapely.union(boxes, shapely.box(cx - w / 2, cy - h / 2, cx - w / 2 + 5, cy + h / 2 + 8))
    geoms = np.where(rng.random(n) < 0.2, ell, boxes)
    ang = rng.uniform(0, 180, n)
    geoms = np.array([shapely.affinity.rotate(g, a, origin="centroid") for g, a in zip(geoms, ang)], dtype=object)
    geoms[5] = None
    geoms[7] = shapely.Polygon()
    # exact squares have no main axis: their ridge must not follow coordinate noise
    for k, a in ((9, 25.0), (11, 0.0), (13, 71.0)):
        geoms[k] = shapely.affinity.rotate(shapely.box(cx[k] - 5, cy[k] - 5, cx[k] + 5, cy[k] + 5), a)
    shapes = np.array(["flat", "gabled", "hipped", "shed", "unknown", None], dtype=object)
    gdf = gpd.GeoDataFrame(
        {
            "building_id": [f"BATIMENT{k:08d}" for k in i],
            "commune_insee": np.where(i % 3 == 0, "80021", "80001"),
            "cadastre_parcel_id": [f"80021000AB{k // 4:04d}" for k in i],
            "height_m": rng.uniform(3, 20, n),
            "roof_shape": shapes[rng.integers(0, shapes.size, n)],
        },
        geometry=list(geoms),
        crs="EPSG:2154",
    )
    return gdf


@pytest.fixture(scope="session")
def town():
    return make_town()

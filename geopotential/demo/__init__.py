"""Built-in demo territory: a deterministic, entirely synthetic piece of Amiens.

:func:`generate_demo` writes, at Amiens' real location in EPSG:2154, four communes, about
3,000 buildings in BD TOPO fields, cadastral parcels in Etalab fields, RPG-like farmland,
livestock, consumption in the ORE layout, a 1 m DSM/DEM/canopy and a weather year. The same
seed gives the same bytes in every file (GeoPackage timestamps are pinned, no dates in the
GeoTIFFs, fixed float formatting), so tests can compare runs byte for byte.

Every file says it is synthetic (layer description and metadata, GeoTIFF tags, CSV header
comment or README).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geopotential.demo import _design as D
from geopotential.demo import _land, _layout, _raster, _series
from geopotential.exceptions import ConfigError
from geopotential.demo._write import (
    write_csv,
    write_geotiff,
    write_vector,
    write_weather_csv,
)

logger = logging.getLogger(__name__)

__all__ = ["generate_demo", "DEMO_FILES", "SYNTHETIC_NOTE"]

SYNTHETIC_NOTE = D.SYNTHETIC_NOTE

#: File names written by :func:`generate_demo`, by key.
DEMO_FILES = {
    "communes": "communes.geojson",
    "buildings": "buildings.gpkg",
    "roof_truth": "roof_truth.csv",
    "parcels": "parcelles.geojson",
    "rpg": "rpg.gpkg",
    "livestock": "livestock.csv",
    "consumption": "consumption.csv",
    "existing_production": "existing_production.csv",
    "dsm": "dsm.tif",
    "dem": "dem.tif",
    "canopy": "canopy.tif",
    "weather": "weather.csv",
    "readme": "README.txt",
}


def generate_demo(out_dir: str | Path, seed: int = 20260, n_buildings: int = 3000) -> dict[str, Path]:
    """Write the synthetic demo territory into ``out_dir``.

    Parameters
    ----------
    out_dir
        Destination folder (created if needed). Files are written in a temporary folder
        inside it and moved in when all are complete.
    seed
        Seed of every random draw; the same seed gives byte-identical files.
    n_buildings
        Number of buildings (the layout holds up to about 3,200).

    Returns
    -------
    dict[str, Path]
        Path of each file by key (see :data:`DEMO_FILES`).
    """
    if int(n_buildings) != n_buildings or n_buildings < 50:
        raise ConfigError(f"must be an integer >= 50, got {n_buildings!r}", key="n_buildings")
    t0 = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]

    communes, commune_geoms = _land.commune_polygons()
    codes = communes["code"].tolist()

    plots = _layout.make_plots()
    b, built = _layout.make_buildings(plots, n_buildings, streams[0])
    polys = _layout.building_polygons(b)
    trees = _land.make_trees(plots, streams[1])
    ras = _raster.rasters(b, polys, trees)

    buildings = _bdtopo_buildings(b, polys, streams[2])
    truth = _roof_truth(b, buildings["cleabs"])

    fields = _land.make_fields(streams[3])
    rpg = _land.rpg_table(fields, streams[4])
    fc = shapely.centroid(fields)
    field_commune = _land.commune_of(shapely.get_x(fc), shapely.get_y(fc), commune_geoms, codes)

    plot_geoms = _layout.plot_polygons(plots)
    parcel_geoms = np.concatenate([plot_geoms, fields])
    pc = shapely.centroid(parcel_geoms)
    px, py = shapely.get_x(pc), shapely.get_y(pc)
    parcels = _land.cadastre_ids(_land.commune_of(px, py, commune_geoms, codes), px, py)
    parcels["contenance"] = np.round(shapely.area(parcel_geoms)).astype(np.int64)
    parcels["arpente"] = False
    parcels["created"] = "2020-01-01"
    parcels["updated"] = "2026-01-01"

    livestock = _land.livestock_table(rpg, field_commune, codes, streams[5])
    consumption = _series.consumption_table(communes, streams[6])
    weather = _series.weather_year(streams[7])

    tmp = Path(tempfile.mkdtemp(prefix=".demo-", dir=out))
    try:
        write_vector(communes, commune_geoms, D.WORKING_EPSG, tmp / DEMO_FILES["communes"], "communes",
                     to_epsg=4326, precision=7)
        write_vector(buildings, polys, D.WORKING_EPSG, tmp / DEMO_FILES["buildings"], "batiment")
        write_csv(truth, tmp / DEMO_FILES["roof_truth"])
        write_vector(parcels, parcel_geoms, D.WORKING_EPSG, tmp / DEMO_FILES["parcels"], "parcelles",
                     to_epsg=4326, precision=7)
        write_vector(rpg, fields, D.WORKING_EPSG, tmp / DEMO_FILES["rpg"], "parcelles_graphiques", multi=True)
        write_csv(livestock, tmp / DEMO_FILES["livestock"], comment=False)
        write_csv(consumption, tmp / DEMO_FILES["consumption"], sep=";", comment=False)
        write_csv(_series.existing_production_table(consumption), tmp / DEMO_FILES["existing_production"],
                  comment=False)
        for key, band in (("dsm", "dsm"), ("dem", "dem"), ("canopy", "canopy")):
            write_geotiff(ras[band], ras["transform"], D.WORKING_EPSG, tmp / DEMO_FILES[key], key)
        write_weather_csv(weather, tmp / DEMO_FILES["weather"], D.WEATHER_SITE)
        (tmp / DEMO_FILES["readme"]).write_text(_readme(seed, len(buildings), len(rpg), len(parcels)), encoding="utf-8")
        paths = {}
        for key, name in DEMO_FILES.items():
            os.replace(tmp / name, out / name)
            paths[key] = out / name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("demo territory written to %s in %.1f s (%d buildings, %d RPG parcels, %d cadastral parcels)",
                out, time.perf_counter() - t0, len(buildings), len(rpg), len(parcels))
    return paths


def _bdtopo_buildings(b: pd.DataFrame, polys: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """BD TOPO ``batiment`` attributes of the synthetic buildings.

    ``hauteur`` is the height of the roof edge (gutter) above ground, as BD TOPO measures it
    on the building outline; ``altitude_maximale_toit`` is the ridge. About 1.5 % of heights
    and 3 % of storey counts are missing, as in the real product.
    """
    n = len(b)
    ground = _raster.dem_at(b.cx.to_numpy(), b.cy.to_numpy())
    missing_h = rng.random(n) < 0.015
    missing_f = rng.random(n) < 0.03
    hauteur = pd.array(np.where(missing_h, np.nan, b.eave_m.to_numpy()), dtype="Float64")
    floors = pd.array(np.where(missing_f, -1, b.floors.to_numpy()), dtype="Int64")
    floors[missing_f] = pd.NA
    hauteur[missing_h] = pd.NA
    alt_sol = np.round(ground, 1)
    toit_min = pd.array(np.round(ground + b.eave_m.to_numpy(), 1), dtype="Float64")
    toit_max = pd.array(np.round(ground + b.ridge_m.to_numpy(), 1), dtype="Float64")
    toit_min[missing_h] = pd.NA
    toit_max[missing_h] = pd.NA
    return pd.DataFrame(
        {
            "cleabs": [f"BATIMENT0000000{800000000 + i:09d}" for i in range(n)],
            "nature": b.nature.to_numpy(),
            "usage_1": b.usage.to_numpy(),
            "usage_2": pd.array([None] * n, dtype="string"),
            "construction_legere": np.zeros(n, bool),
            "etat_de_l_objet": np.full(n, "En service", dtype=object),
            "nombre_de_logements": pd.array(b.dwellings.to_numpy(), dtype="Int64"),
            "nombre_d_etages": floors,
            "hauteur": hauteur,
            "altitude_minimale_sol": alt_sol,
            "altitude_minimale_toit": toit_min,
            "altitude_maximale_toit": toit_max,
            "nom": pd.array(b.name.to_numpy(), dtype="string"),
        }
    )


def _roof_truth(b: pd.DataFrame, cleabs: pd.Series) -> pd.DataFrame:
    """Ground truth of the roofs drawn in the DSM, keyed by ``cleabs``.

    ``ridge_azimuth_deg`` is the direction of the long axis (ridge of gabled roofs)
    clockwise from north in [0, 180); ``shed_aspect_deg`` is the downslope direction of
    mono-pitch roofs [deg from north].
    """
    theta = np.rad2deg(b.angle.to_numpy())
    ridge_az = np.mod(90.0 - theta, 180.0)
    shed_aspect = np.where(b.roof_shape.to_numpy() == "shed", np.mod(90.0 - (theta - 90.0), 360.0), np.nan)
    return pd.DataFrame(
        {
            "cleabs": cleabs.to_numpy(),
            "district": b.zone.to_numpy(),
            "roof_shape": b.roof_shape.to_numpy(),
            "roof_pitch_deg": np.round(b.pitch_deg.to_numpy(), 2),
            "ridge_azimuth_deg": np.round(ridge_az, 2),
            "shed_aspect_deg": np.round(shed_aspect, 2),
            "eave_height_m": b.eave_m.to_numpy(),
            "ridge_height_m": b.ridge_m.to_numpy(),
            "length_m": np.round(2 * b.half_u.to_numpy(), 2),
            "width_m": np.round(2 * b.half_v.to_numpy(), 2),
        }
    )


def _readme(seed: int, n_buildings: int, n_rpg: int, n_parcels: int) -> str:
    return f"""SYNTHETIC DEMO TERRITORY - geopotential
=========================================

{D.SYNTHETIC_NOTE}

Generated by geopotential.demo.generate_demo(seed={seed}). Same seed -> same bytes.
Location: Amiens (Somme, France), EPSG:2154 (Lambert-93), territory {D.TERRITORY}.
Commune codes and names are those of real Amiens Metropole communes; their boundaries,
populations, buildings, parcels, farms, consumption and weather are invented.

Files (every one is SYNTHETIC):
  communes.geojson    4 communes tiling the territory (EPSG:4326); fields code, nom, population.
  buildings.gpkg      layer 'batiment', {n_buildings} buildings in IGN BD TOPO fields (cleabs, nature,
                      usage_1, nombre_d_etages, hauteur [m, gutter height], altitude_* [m], nom...).
  roof_truth.csv      roof shape, pitch, ridge azimuth, eave and ridge heights drawn in the DSM.
  parcelles.geojson   {n_parcels} cadastral parcels in Etalab fields (id = idu, commune, contenance [m2]).
  rpg.gpkg            layer 'parcelles_graphiques', {n_rpg} RPG-like parcels (ID_PARCEL, SURF_PARC [ha],
                      CODE_CULTU, CODE_GROUP, CULTURE_D1, CULTURE_D2) with a Somme-like crop mix.
  livestock.csv       heads per commune (commune_insee) and category.
  consumption.csv     electricity and gas per commune x sector, Agence ORE column layout, ';'-separated,
                      conso in MWh.
  dsm.tif, dem.tif,   1 m rasters over the built area {D.DSM_BOUNDS}: surface (terrain + roofs + trees),
  canopy.tif          terrain, and tree canopy height above ground [m]; nodata {D.DSM_NODATA}.
  weather.csv         8,760 hourly rows, year {D.WEATHER_YEAR} (UTC, start of the hour): ghi, dni, dhi [W/m2],
                      temp_air [degC], wind_speed [m/s]; pvlib clear sky x seeded clouds, annual GHI
                      tuned to {D.GHI_TARGET_KWH_M2:.0f} kWh/m2.
"""

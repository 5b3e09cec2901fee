"""Synthetic territories of a given size for the benchmark suite (vectorised, seconds per 100k buildings).

:func:`generate_territory` writes the same kinds of input files as :mod:`geopotential.demo`
(BD TOPO-like ``buildings.gpkg``, ``communes.geojson`` with several communes, Etalab-like
``parcelles.geojson``, ``rpg.gpkg``, ``livestock.csv``, ``consumption.csv``, ``weather.csv``
and, over a sub-area, ``dsm.tif`` / ``dem.tif`` / ``canopy.tif``) for any number of buildings,
so that the real pipeline runs on them through a :class:`~geopotential.config.Config`
(:func:`territory_config`). It reuses the demo's building, raster, land and writer helpers;
only the layout (a street grid over a square territory, buildings picked by a clustered
density of villages) is new.

Layout, in EPSG:2154 with its south-west corner at (647300, 6975500) near Amiens:

- a square of ``area_km2`` (default: ``n_buildings / density_per_km2``, i.e. 2,000 buildings
  per km2, so that a 100,000-building territory covers 50 km2 and every size has the same
  building mix and density: the per-building cost is comparable across sizes);
- one commune per ~5 km2 (at least 4): Voronoi cells of jittered grid seeds, real-looking
  INSEE codes ``80xxx`` (synthetic names and populations);
- a rotated street grid of 12 m x 16 m plots; ``n_buildings`` plots are chosen by a
  Gumbel top-k draw weighted by a sum of Gaussian "villages" (one per commune, the first a
  town three times as heavy), so buildings cluster and fields fill the gaps;
- one building per chosen plot: dense places get terraced 2-3 storey houses, the rest
  detached 1-2 storey houses, 2 % flat-roofed commercial boxes; roof shapes flat / gabled /
  hipped / shed with the demo's pitch ranges;
- cadastral parcels = built plots + fields; RPG fields = 260 m x 180 m blocks split in 1-3
  strips, kept where no built plot touches them, with the demo's Somme crop mix;
- the DSM covers a square of ``dsm_fraction`` of the territory centred on the town, 1 m
  pixels (terrain + roofs drawn from each building's shape + tree crowns in empty plots).

Everything is SYNTHETIC (said in every file, as in the demo).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from affine import Affine

from geopotential.demo import _bdtopo_buildings
from geopotential.demo import _design as D
from geopotential.demo._land import cadastre_ids, commune_of, livestock_table, rpg_table
from geopotential.demo._layout import Plots, building_polygons, grid_plots, plot_polygons, rect_corners
from geopotential.demo._raster import dem_at, roof_heights, tree_canopy
from geopotential.demo._series import consumption_table, weather_year
from geopotential.demo._write import write_csv, write_geotiff, write_vector, write_weather_csv
from geopotential.exceptions import ConfigError

logger = logging.getLogger(__name__)

ORIGIN = (D.TERRITORY[0], D.TERRITORY[1])  # south-west corner [m, EPSG:2154]
PLOT_W_M, PLOT_D_M = 12.0, 16.0
#: Largest territory: the demo's 500 m cadastral sections are lettered over 23 x 500 m.
MAX_SIDE_M = 11_400.0
VERSION = 1  # bump when the generated files change (invalidates cached territories)

FILES = {
    "communes": "communes.geojson",
    "buildings": "buildings.gpkg",
    "parcels": "parcelles.geojson",
    "rpg": "rpg.gpkg",
    "livestock": "livestock.csv",
    "consumption": "consumption.csv",
    "weather": "weather.csv",
    "dsm": "dsm.tif",
    "dem": "dem.tif",
    "canopy": "canopy.tif",
}


def _square(area_km2: float) -> tuple[float, float, float, float]:
    side = float(np.sqrt(area_km2) * 1000.0)
    if side > MAX_SIDE_M:
        raise ConfigError(f"at most {(MAX_SIDE_M / 1000) ** 2:.0f} km2, got {area_km2}", key="area_km2")
    return ORIGIN[0], ORIGIN[1], ORIGIN[0] + side, ORIGIN[1] + side


def _communes(box, n: int, rng) -> tuple[pd.DataFrame, np.ndarray]:
    """Voronoi cells of ``n`` jittered grid seeds clipped to ``box``."""
    k = int(np.ceil(np.sqrt(n)))
    side = box[2] - box[0]
    cell = side / k
    i = np.arange(k * k)[:n]
    sx = box[0] + (i % k + 0.5 + rng.uniform(-0.3, 0.3, n)) * cell
    sy = box[1] + (i // k + 0.5 + rng.uniform(-0.3, 0.3, n)) * cell
    seeds = shapely.points(sx, sy)
    sq = shapely.box(*box)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=sq))
    tree = shapely.STRtree(cells)
    ip, ic = tree.query(seeds, predicate="within")
    order = np.empty(n, int)
    order[ip] = ic
    geoms = shapely.set_precision(shapely.intersection(cells[order], sq), 0.01)
    codes = [f"80{101 + 3 * j:03d}" for j in range(n)]
    table = pd.DataFrame({"code": codes, "nom": [f"Commune synthétique {j + 1}" for j in range(n)]})
    return table, geoms, sx, sy


def _plots(box) -> Plots:
    side = box[2] - box[0]
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    p = grid_plots(centre, 10.0, side / 2 * 1.45, PLOT_W_M, PLOT_D_M, 12, 6.0, 8.0, "plot")
    n = len(p)
    c = rect_corners(p.cx, p.cy, p.angle, np.zeros(n), np.zeros(n), p.width / 2, p.depth / 2)
    ok = ((c[..., 0] > box[0] + 5) & (c[..., 0] < box[2] - 5) & (c[..., 1] > box[1] + 5) & (c[..., 1] < box[3] - 5)).all(1)
    return p.take(np.flatnonzero(ok))


def _density(x, y, vx, vy, side) -> np.ndarray:
    w = np.ones(len(vx))
    w[0] = 3.0
    sig = np.full(len(vx), 0.09 * side)
    sig[0] = 0.16 * side
    d = np.zeros_like(x)
    for k in range(len(vx)):  # one pass per village (a handful), vectorised over plots
        d += w[k] * np.exp(-((x - vx[k]) ** 2 + (y - vy[k]) ** 2) / (2 * sig[k] ** 2))
    return d + 1e-3


def _buildings(p: Plots, dens: np.ndarray, rng) -> pd.DataFrame:
    """One building per plot of ``p`` (the demo's building table columns)."""
    n = len(p)
    u = rng.random((n, 8))
    dense = dens >= np.quantile(dens, 0.7)
    shop = u[:, 7] < 0.02
    half_u = np.where(dense, PLOT_W_M / 2 - 0.05, (7.0 + 3.0 * u[:, 0]) / 2)
    half_v = np.where(dense, (9.0 + 4.0 * u[:, 1]) / 2, (6.5 + 3.0 * u[:, 1]) / 2)
    setback = np.where(dense, 1.0 * u[:, 2], 1.5 + 1.5 * u[:, 2])
    du = np.where(dense, 0.0, (u[:, 3] - 0.5) * np.maximum(PLOT_W_M - 2 * half_u - 1.5, 0.0))
    floors = np.where(dense, 2 + np.floor(2.0 * u[:, 4]), 1 + np.floor(1.7 * u[:, 4]))
    eave = np.where(dense, 3.0 * floors + 0.6, 2.8 * floors + 0.5)
    pitch = np.where(dense, 35.0 + 10.0 * u[:, 5], 30.0 + 15.0 * u[:, 5])
    shapes = np.array(["gabled", "hipped", "flat", "shed"], dtype=object)
    r = u[:, 6]
    shape = shapes[np.where(r < 0.62, 0, np.where(r < 0.9, 1, np.where(r < 0.97, 2, 3)))]
    shape[shop] = "flat"
    eave[shop] = 6.0 + 4.0 * u[shop, 4]
    floors[shop] = np.floor(eave[shop] / 3.2)
    pitch[shape == "flat"] = 0.0
    pitch[shape == "shed"] = np.minimum(pitch[shape == "shed"], 20.0)
    eave = np.round(eave, 1)
    rad = np.deg2rad(pitch)
    rise = np.where(shape == "shed", 2 * half_v * np.tan(rad), np.where(shape == "flat", 0.0, half_v * np.tan(rad)))
    usage = np.where(shop, "Commercial et services", "Résidentiel").astype(object)
    return pd.DataFrame({
        "zone": np.where(dense, "core", "suburb"),
        "cx": p.cx, "cy": p.cy, "angle": p.angle, "du": du,
        "dv": p.front * (p.depth / 2 - setback - half_v),
        "half_u": half_u, "half_v": half_v, "roof_shape": shape, "pitch_deg": pitch,
        "eave_m": eave, "ridge_m": np.round(eave + rise, 2), "usage": usage,
        "nature": np.full(n, "Indifférenciée", dtype=object),
        "floors": floors.astype(int), "dwellings": np.where(shop, 0, 1).astype(int),
        "name": np.full(n, None, dtype=object),
    })


def _fields(box, built_polys, rng) -> np.ndarray:
    """RPG-like fields: strips of a rotated block grid, where no built plot touches them."""
    side = box[2] - box[0]
    g = grid_plots(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), 12.0, side / 2 * 1.45, 260.0, 180.0, 1000, 0.0,
                   8.0, "field")
    k = 1 + np.floor(3.0 * rng.random(len(g))).astype(int)
    j = np.concatenate([np.arange(kk) for kk in k])
    src = np.repeat(np.arange(len(g)), k)
    kk = k[src]
    off = ((j + 0.5) / kk - 0.5) * g.width[src]
    a = g.angle[src]
    strips = Plots(cx=g.cx[src] + off * np.cos(a), cy=g.cy[src] + off * np.sin(a), angle=a,
                   width=g.width[src] / kk - 4.0, depth=g.depth[src], front=g.front[src], zone=g.zone[src])
    polys = shapely.intersection(plot_polygons(strips), shapely.box(*box))
    hit = np.unique(shapely.STRtree(built_polys).query(polys, predicate="intersects")[0])
    keep = np.ones(len(polys), bool)
    keep[hit] = False
    polys = shapely.set_precision(polys[keep], 0.01)
    polys = polys[shapely.area(polys) > 2000.0]
    return polys[shapely.get_type_id(polys) == 3]


def _rasters(dsm_box, b: pd.DataFrame, polys: np.ndarray, empty: Plots, rng) -> dict:
    """DEM, DSM and canopy over ``dsm_box`` (1 m), as the demo draws them."""
    from geopotential.shading.zonal import rasterize_ids

    width = int(round(dsm_box[2] - dsm_box[0]))
    height = int(round(dsm_box[3] - dsm_box[1]))
    T = Affine(1.0, 0.0, dsm_box[0], 0.0, -1.0, dsm_box[3])
    xs = (dsm_box[0] + np.arange(width) + 0.5)[None, :]
    ys = (dsm_box[3] - np.arange(height) - 0.5)[:, None]
    dem = dem_at(xs, ys)
    sel = np.flatnonzero(shapely.intersects(polys, shapely.box(*dsm_box)))
    ids = rasterize_ids(polys[sel], T, (height, width))
    rr, cc = np.nonzero(ids)
    bid = sel[ids[rr, cc] - 1]
    surface = dem.copy()
    base = dem_at(b.cx.to_numpy(), b.cy.to_numpy())
    surface[rr, cc] = base[bid] + roof_heights(b, bid, xs[0, cc], ys[rr, 0])
    inside = (empty.cx > dsm_box[0]) & (empty.cx < dsm_box[2]) & (empty.cy > dsm_box[1]) & (empty.cy < dsm_box[3])
    t = np.flatnonzero(inside & (rng.random(len(empty)) < 0.5))
    canopy = tree_canopy(empty.cx[t], empty.cy[t], 2.0 + 2.5 * rng.random(len(t)), 6.0 + 10.0 * rng.random(len(t)),
                         T, width, height)
    canopy[ids > 0] = 0.0
    dsm = np.maximum(surface, dem + canopy)
    return {"dem": np.round(dem, 2).astype(np.float32), "dsm": np.round(dsm, 2).astype(np.float32),
            "canopy": np.round(canopy, 2).astype(np.float32), "transform": T}


def generate_territory(out_dir: str | Path, n_buildings: int, area_km2: float | None = None, seed: int = 0,
                       dsm_fraction: float = 1.0, density_per_km2: float = 2000.0, reuse: bool = True) -> dict:
    """Write a synthetic territory of ``n_buildings`` buildings into ``out_dir``.

    Parameters
    ----------
    out_dir
        Destination folder (created).
    n_buildings
        Number of buildings (>= 100).
    area_km2 : float [km2], optional
        Area of the square territory; default ``n_buildings / density_per_km2``.
    seed
        Seed of every draw (same seed, same files).
    dsm_fraction : float [-]
        Share of the territory covered by the 1 m DSM (0 writes no raster).
    density_per_km2 : float [buildings/km2]
        Used when ``area_km2`` is not given.
    reuse
        Keep the files of an earlier call with the same arguments (``manifest.json``).

    Returns
    -------
    dict
        The manifest: arguments, feature counts, ``paths`` (key -> file), generation seconds.
    """
    n = int(n_buildings)
    if n < 100:
        raise ConfigError(f"must be >= 100, got {n_buildings!r}", key="n_buildings")
    area = float(area_km2) if area_km2 else n / float(density_per_km2)
    out = Path(out_dir)
    args = {"version": VERSION, "n_buildings": n, "area_km2": round(area, 6), "seed": seed,
            "dsm_fraction": dsm_fraction}
    mpath = out / "manifest.json"
    if reuse and mpath.exists():
        old = json.loads(mpath.read_text(encoding="utf-8"))
        if old.get("args") == args and all(Path(p).exists() for p in old["paths"].values()):
            logger.info("reusing synthetic territory %s", out)
            return old
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    mpath.unlink(missing_ok=True)
    rng = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    box = _square(area)
    side = box[2] - box[0]
    n_communes = max(4, int(round(area / 5.0)))
    communes, cgeoms, vx, vy = _communes(box, n_communes, rng[0])
    codes = communes["code"].tolist()

    plots = _plots(box)
    if len(plots) < n:
        raise ConfigError(f"{area:.1f} km2 holds at most {len(plots)} plots, {n} buildings asked", key="n_buildings")
    dens = _density(plots.cx, plots.cy, vx, vy, side)
    # Gumbel top-k: a draw without replacement weighted by dens**4 (sharp village edges, room for fields)
    key = 4.0 * np.log(dens) - np.log(-np.log(rng[1].random(len(plots))))
    chosen = np.sort(np.argpartition(-key, n - 1)[:n])
    built = plots.take(chosen)
    b = _buildings(built, dens[chosen], rng[2])
    polys = building_polygons(b)
    bcode = commune_of(b.cx.to_numpy(), b.cy.to_numpy(), cgeoms, codes)
    counts = pd.Series(bcode).value_counts()
    communes["population"] = [int(round(counts.get(c, 0) * 2.2 + 50)) for c in codes]
    buildings = _bdtopo_buildings(b, polys, rng[3])

    plot_geoms = plot_polygons(built)
    fields = _fields(box, plot_geoms, rng[4])
    rpg = rpg_table(fields, rng[5])
    fc = shapely.centroid(fields)
    field_commune = commune_of(shapely.get_x(fc), shapely.get_y(fc), cgeoms, codes)
    parcel_geoms = np.concatenate([plot_geoms, fields])
    pc = shapely.centroid(parcel_geoms)
    px, py = shapely.get_x(pc), shapely.get_y(pc)
    parcels = cadastre_ids(commune_of(px, py, cgeoms, codes), px, py)
    parcels["contenance"] = np.round(shapely.area(parcel_geoms)).astype(np.int64)
    parcels["arpente"] = False
    parcels["created"] = "2020-01-01"
    parcels["updated"] = "2026-01-01"
    livestock = livestock_table(rpg, field_commune, codes, rng[6])
    consumption = consumption_table(communes, rng[6])
    weather = weather_year(rng[7])

    paths = {}

    def p(k):
        paths[k] = str((out / FILES[k]).resolve())
        return out / FILES[k]

    write_vector(communes, cgeoms, D.WORKING_EPSG, p("communes"), "communes", to_epsg=4326, precision=7)
    write_vector(buildings, polys, D.WORKING_EPSG, p("buildings"), "batiment")
    write_vector(parcels, parcel_geoms, D.WORKING_EPSG, p("parcels"), "parcelles", to_epsg=4326, precision=7)
    write_vector(rpg, fields, D.WORKING_EPSG, p("rpg"), "parcelles_graphiques", multi=True)
    write_csv(livestock, p("livestock"), comment=False)
    write_csv(consumption, p("consumption"), sep=";", comment=False)
    write_weather_csv(weather, p("weather"), D.WEATHER_SITE)
    dsm_px = 0
    dsm_box = None
    if dsm_fraction > 0:
        half = np.sqrt(dsm_fraction) * side / 2
        cx = float(np.clip(vx[0], box[0] + half, box[2] - half))
        cy = float(np.clip(vy[0], box[1] + half, box[3] - half))
        dsm_box = (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
        empty_idx = np.setdiff1d(np.arange(len(plots)), chosen)
        ras = _rasters(dsm_box, b, polys, plots.take(empty_idx), rng[7])
        for k in ("dsm", "dem", "canopy"):
            write_geotiff(ras[k], ras["transform"], D.WORKING_EPSG, p(k), k)
        dsm_px = int(ras["dsm"].size)
    in_dsm = 0 if dsm_box is None else int(shapely.within(polys, shapely.box(*dsm_box)).sum())
    manifest = {
        "args": args,
        "synthetic": D.SYNTHETIC_NOTE,
        "bounds_epsg2154": [round(v, 1) for v in box],
        "n_buildings": n,
        "n_communes": n_communes,
        "n_cadastre_parcels": int(len(parcels)),
        "n_rpg_parcels": int(len(rpg)),
        "dsm_bounds_epsg2154": list(dsm_box) if dsm_box else None,
        "dsm_pixels": dsm_px,
        "n_buildings_inside_dsm": in_dsm,
        "footprint_area_km2": round(float(shapely.area(polys).sum()) / 1e6, 4),
        "paths": paths,
        "generation_s": round(time.perf_counter() - t0, 2),
    }
    mpath.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    logger.info("synthetic territory of %d buildings (%.1f km2) written to %s in %.1f s", n, area, out,
                manifest["generation_s"])
    return manifest


def territory_config(manifest: dict, out_dir: str | Path, run_name: str, executor: str = "serial", workers: int = 2,
                     dsm: bool = True, stages: dict | None = None):
    """The pipeline :class:`~geopotential.config.Config` of a generated territory (as the demo's)."""
    from geopotential.config import config_from_dict

    f = manifest["paths"]
    inputs = {
        "communes": {"path": f["communes"]},
        "buildings": {"path": f["buildings"], "layer": "batiment", "source": "bdtopo"},
        "cadastre_parcels": {"path": f["parcels"]},
        "rpg": {"path": f["rpg"], "layer": "parcelles_graphiques"},
        "livestock": f["livestock"],
        "consumption": f["consumption"],
        "weather": f["weather"],
    }
    if dsm and "dsm" in f:
        inputs.update(dsm=[f["dsm"]], dem=[f["dem"]], canopy=[f["canopy"]])
    data = {
        "territory": {"name": f"Synthetic {manifest['n_buildings']:,} buildings", "crs": "EPSG:2154",
                      "synthetic": True},
        "inputs": inputs,
        "stages": stages or {},
        "outputs": {"dir": str(Path(out_dir).resolve()), "run_name": run_name},
        "execution": {"executor": executor, "workers": workers, "show_progress": False, "resume": False},
    }
    return config_from_dict(data, source="benchmarks")

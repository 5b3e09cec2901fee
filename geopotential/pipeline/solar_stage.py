"""The solar stage: weather and yield table once, then one work unit per commune.

Each unit reads its own buildings (GeoParquet), the site's weather and orientation yield
table by path, runs the DSM shading engine on the DSM window around its buildings when a DSM
is configured (footprint roof model for buildings the DSM does not cover), and writes its
``buildings_pv`` and ``roof_faces`` partial results. The merge is deterministic (units in
sorted order, rows in input order).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from geopotential.aggregate import UNASSIGNED
from geopotential.io.writers import atomic_path, read_frame, write_frame_atomic, write_json_atomic
from geopotential.pipeline.context import RunContext
from geopotential.pipeline.executors import UnitTask, run_units

logger = logging.getLogger(__name__)

#: Environment variable naming a unit (``stage:unit_id``) that fails on purpose (fault tests).
FAIL_UNIT_ENV = "GEOPOTENTIAL_FAIL_UNIT"


def _unit_name(code: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(code)) or "unit"


def site_weather(ctx: RunContext, data) -> tuple[pd.DataFrame, dict]:
    """The run's weather: the configured file, or approximate clear-sky weather at the centre."""
    from geopotential.io import weather as io_weather

    cfg = ctx.config
    path = cfg.inputs.weather
    if path is not None:
        path = cfg.resolve(path)[0]
        if Path(path).suffix.lower() == ".txt":
            from geopotential.io.umep_met import read_umep_met

            lat, lon = _territory_centre_lonlat(data, cfg.territory.crs)
            return read_umep_met(path, latitude=lat, longitude=lon)
        return io_weather.read_weather(path)
    lat, lon = _territory_centre_lonlat(data, cfg.territory.crs)
    logger.warning(
        "no weather file configured (inputs.weather): using clear-sky weather scaled by monthly "
        "clear-sky indices at %.3f N %.3f E; results are flagged approximate", lat, lon
    )
    return io_weather.clearsky_weather(lat, lon, altitude=0.0, params=cfg.solar)


def _territory_centre_lonlat(data, crs) -> tuple[float, float]:
    for layer in (data.communes, data.buildings, data.rpg):
        if layer is not None and len(layer):
            x0, y0, x1, y1 = layer.total_bounds
            pt = gpd.GeoSeries(gpd.points_from_xy([(x0 + x1) / 2], [(y0 + y1) / 2]), crs=layer.crs).to_crs(4326)
            return float(pt.y.iloc[0]), float(pt.x.iloc[0])
    from geopotential.exceptions import ConfigError

    raise ConfigError("no layer locates the territory: give inputs.communes or inputs.buildings", key="inputs")


def prepare_solar_units(ctx: RunContext, data) -> list[UnitTask]:
    """Write the shared solar inputs (weather, yield table) and one buildings file per unit."""
    from geopotential.solar import orientation_yield_table

    cfg = ctx.config
    weather_path = ctx.work_path("solar", "weather.parquet")
    meta_path = ctx.work_path("solar", "weather_meta.json")
    table_path = ctx.work_path("solar", "yield_table.nc")
    if not (weather_path.exists() and meta_path.exists() and table_path.exists()):
        weather, meta = site_weather(ctx, data)
        table = orientation_yield_table(
            weather, meta["latitude"], meta["longitude"], meta.get("altitude", 0.0) or 0.0, cfg.solar
        )
        write_frame_atomic(weather_path, weather)
        write_json_atomic(meta_path, meta)
        with atomic_path(table_path) as tmp:
            table.to_netcdf(tmp, engine="h5netcdf")
    buildings = data.buildings
    tasks: list[UnitTask] = []
    shading = cfg.stages.shading == "on" or (cfg.stages.shading == "auto" and bool(cfg.inputs.dsm))
    if shading and not cfg.inputs.dsm:
        from geopotential.exceptions import ConfigError

        raise ConfigError("stages.shading is 'on' but no inputs.dsm is given", key="stages.shading")
    params = {
        "solar": cfg.solar.model_dump(mode="json"),
        "shading": cfg.shading.model_dump(mode="json") if shading else None,
        "dsm": [str(p) for p in cfg.resolve(cfg.inputs.dsm)] if shading else [],
        "dem": [str(p) for p in cfg.resolve(cfg.inputs.dem)] if shading else [],
        "canopy": [str(p) for p in cfg.resolve(cfg.inputs.canopy)] if shading else [],
        "irradiation_raster": str(cfg.inputs.irradiation_raster) if cfg.inputs.irradiation_raster else None,
        "write_raster": bool(shading and cfg.outputs.rasters),
    }
    if shading:
        keys, tile_bounds = _dsm_tile_keys(buildings, params["dsm"], cfg.shading.tile_size_px)
    else:
        keys, tile_bounds = buildings["commune_insee"].fillna(UNASSIGNED).astype(str), {}
    for code in sorted(keys.unique()):
        unit = _unit_name(code)
        bpath = ctx.work_path("solar", "units", f"{unit}.buildings.parquet")
        if not bpath.exists():
            write_frame_atomic(bpath, buildings[keys.to_numpy() == code].reset_index(drop=True))
        tasks.append(
            UnitTask(
                stage="solar",
                unit_id=unit,
                inputs={
                    "buildings": str(bpath),
                    "weather": str(weather_path),
                    "meta": str(meta_path),
                    "table": str(table_path),
                },
                output=str(ctx.work_path("solar", "units", f"{unit}.buildings_pv.parquet")),
                params={**params, "tile_bounds": tile_bounds.get(code)},
            )
        )
    return tasks


def _dsm_tile_keys(buildings: gpd.GeoDataFrame, dsm_paths: list[str], tile_size_px: int):
    """Work units of the shading stage: the DSM's tile grid (``tile_size_px`` square cores).

    Each building goes to the tile holding a point inside it; a unit reads its core plus the
    shadow margin, so results are the same whatever the tiling. Buildings off the DSM go to
    the tile they would fall in (their unit finds no DSM and uses the footprint model).

    Returns
    -------
    keys : pandas.Series
        Unit key per building (``t<row>_<col>``).
    bounds : dict
        Core bounds ``(xmin, ymin, xmax, ymax)`` [m] of each key's tile.
    """
    import rasterio
    import shapely

    from geopotential.exceptions import InputError

    lefts, tops, res = [], [], None
    for p in dsm_paths:
        try:
            with rasterio.open(p) as src:
                lefts.append(src.bounds.left)
                tops.append(src.bounds.top)
                res = res or abs(src.transform.a)
        except rasterio.errors.RasterioIOError as exc:
            raise InputError(f"cannot open DSM ({str(exc).splitlines()[0]})", path=p) from None
    x0, y0 = min(lefts), max(tops)
    size = float(tile_size_px) * float(res)
    pts = shapely.point_on_surface(buildings.geometry.to_numpy())
    col = np.floor((shapely.get_x(pts) - x0) / size).astype(np.int64)
    row = np.floor((y0 - shapely.get_y(pts)) / size).astype(np.int64)
    keys = pd.Series([f"t{r:04d}_{c:04d}" for r, c in zip(row, col)], index=buildings.index)
    bounds = {
        f"t{r:04d}_{c:04d}": (x0 + c * size, y0 - (r + 1) * size, x0 + (c + 1) * size, y0 - r * size)
        for r, c in set(zip(row.tolist(), col.tolist()))
    }
    return keys, bounds


def solar_unit(task: UnitTask) -> str:
    """Compute one unit's ``buildings_pv`` and ``roof_faces`` (top-level: runs in workers)."""
    from geopotential.solar import SolarParameters, solar_potential

    fail = os.environ.get(FAIL_UNIT_ENV, "")
    if fail == task.key:
        raise RuntimeError(f"unit {task.key} failed on purpose ({FAIL_UNIT_ENV})")
    if fail == f"{task.key}:kill":
        os._exit(9)  # simulate a worker killed mid-unit (out of memory, node lost)
    if fail == f"{task.key}:hang":
        time.sleep(3600)  # simulate a long unit, for interruption tests
    buildings = read_frame(task.inputs["buildings"])
    weather = read_frame(task.inputs["weather"])
    meta = json.loads(Path(task.inputs["meta"]).read_text(encoding="utf-8"))
    with xr.open_dataset(task.inputs["table"], engine="h5netcdf") as ds:
        table = ds.load()
    sp = SolarParameters.model_validate(task.params["solar"])
    faces = None
    dsm_stats = None
    if task.params.get("shading"):
        faces, dsm_stats = _dsm_faces(task, buildings, weather, meta, sp)
    scale = None
    if task.params.get("irradiation_raster"):
        from geopotential.io.weather import sample_irradiation_raster

        ghi = sample_irradiation_raster(task.params["irradiation_raster"], buildings)
        annual = float(weather["ghi"].sum()) * _step_h(weather.index) / 1000.0
        scale = np.asarray(ghi, dtype=float) / annual if annual > 0 else None
    bpv, bfaces = solar_potential(buildings, weather, meta, sp, faces=faces, irradiation_scale=scale, table=table)
    if dsm_stats is not None:
        extra = dsm_stats.set_index("building_id")
        bpv["roof_source"] = np.where(bpv["building_id"].isin(extra.index[extra["_dsm_used"]]), "dsm", "footprint")
        bpv["dsm_coverage_fraction"] = bpv["building_id"].map(extra["dsm_coverage_fraction"]).astype(float)
    else:
        bpv["roof_source"] = "footprint"
    out = Path(task.output)
    write_frame_atomic(out.with_name(out.name.replace(".buildings_pv.", ".faces.")), pd.DataFrame(bfaces))
    write_frame_atomic(out, bpv)
    return str(out)


def _step_h(index: pd.DatetimeIndex) -> float:
    if len(index) < 2:
        return 1.0
    return float(pd.Series(index).diff().median() / pd.Timedelta(hours=1))  # whatever the time resolution


def _dsm_faces(task: UnitTask, buildings, weather, meta, sp):
    """DSM faces for the buildings the DSM covers, footprint faces for the others."""
    from geopotential.io.raster_window import read_raster_window
    from geopotential.shading import ShadingParameters
    from geopotential.shading.engine import roof_irradiation_from_dsm
    from geopotential.solar import roof_faces_from_footprints

    shp = ShadingParameters.model_validate(task.params["shading"])
    margin_m = float(shp.max_shadow_distance_m)
    bounds = buildings.total_bounds
    dsm = read_raster_window(task.params["dsm"], bounds, margin_m, crs=buildings.crs)
    if dsm is None:
        logger.info("unit %s: no DSM over its buildings; footprint roof model", task.unit_id)
        return None, None
    dem = read_raster_window(task.params["dem"], bounds, margin_m, crs=buildings.crs, like=dsm) if task.params["dem"] else None
    canopy = (
        read_raster_window(task.params["canopy"], bounds, margin_m, crs=buildings.crs, like=dsm)
        if task.params["canopy"]
        else None
    )
    res = roof_irradiation_from_dsm(
        dsm.array, dsm.transform, dsm.crs, buildings, weather, meta, shp,
        dem=None if dem is None else dem.array, canopy=None if canopy is None else canopy.array,
    )
    stats = res.buildings.copy()
    stats["_dsm_used"] = stats["exclusion_reason"].fillna("") == ""
    used = set(stats.loc[stats["_dsm_used"], "building_id"])
    dsm_faces = res.faces[res.faces["building_id"].isin(used)].copy()
    # one face_id format whatever the roof model: "<building_id>-<k>" (k = 0 for the DSM's residual face)
    dsm_faces["face_id"] = dsm_faces["building_id"].astype(str) + "-" + dsm_faces["face_id"].astype(str)
    rest = buildings[~buildings["building_id"].isin(used)]
    parts = [dsm_faces]
    if len(rest):
        parts.append(roof_faces_from_footprints(rest, sp))
    faces = pd.concat(parts, ignore_index=True)
    if task.params.get("write_raster") and task.params.get("tile_bounds"):
        from geopotential.io.raster import write_geotiff

        bands, transform = _crop_to(
            [res.irradiation_kwh_m2_yr, res.unshaded_kwh_m2_yr], res.transform, task.params["tile_bounds"]
        )
        if bands is not None:
            out = Path(task.output)
            write_geotiff(
                out.with_name(out.name.replace(".buildings_pv.parquet", ".irradiation.tif")),
                bands, transform, res.crs,
                names=["irradiation_kwh_m2_yr", "unshaded_irradiation_kwh_m2_yr"],
            )
    return faces, stats


def _crop_to(arrays, transform, bounds):
    """The part of ``arrays`` inside ``bounds`` (a unit's tile core), so units do not overlap."""
    from affine import Affine

    inv = ~transform
    c0, r0 = inv * (bounds[0], bounds[3])
    c1, r1 = inv * (bounds[2], bounds[1])
    nrow, ncol = arrays[0].shape
    r0, c0 = max(0, int(round(r0))), max(0, int(round(c0)))
    r1, c1 = min(nrow, int(round(r1))), min(ncol, int(round(c1)))
    if r1 <= r0 or c1 <= c0:
        return None, None
    return [a[r0:r1, c0:c1] for a in arrays], transform * Affine.translation(c0, r0)


def run_solar(ctx: RunContext, data, client=None) -> dict[str, pd.DataFrame]:
    """Run the solar units with the configured executor and merge their results."""
    from geopotential.exceptions import ComputationError

    tasks = prepare_solar_units(ctx, data)
    ex = ctx.config.execution
    outcomes = run_units(
        tasks, solar_unit, executor=ex.executor, workers=ex.workers, scheduler=ex.scheduler,
        retries=ex.retries, resume=ex.resume, show_progress=ex.show_progress, client=client,
    )
    failed = [o for o in outcomes if o.status == "failed"]
    ctx.unit_outcomes = getattr(ctx, "unit_outcomes", []) + outcomes  # type: ignore[attr-defined]
    if failed:
        names = ", ".join(f"{o.task.unit_id} ({o.error})" for o in failed[:5])
        raise ComputationError(
            f"{len(failed)} of {len(tasks)} solar unit(s) failed: {names}; the {len(tasks) - len(failed)} "
            "finished unit(s) are kept and a rerun resumes from them"
        )
    pv_parts, face_parts = [], []
    for t in tasks:
        out = Path(t.output)
        pv_parts.append(read_frame(out))
        face_parts.append(read_frame(out.with_name(out.name.replace(".buildings_pv.", ".faces."))))
    buildings_pv = gpd.GeoDataFrame(pd.concat(pv_parts, ignore_index=True), crs=pv_parts[0].crs)
    faces = pd.concat(face_parts, ignore_index=True)
    buildings_pv = buildings_pv.sort_values("building_id", kind="stable").reset_index(drop=True)
    faces = faces.sort_values(["building_id", "face_id"], kind="stable").reset_index(drop=True)
    rasters = sorted(Path(t.output).with_name(Path(t.output).name.replace(".buildings_pv.parquet", ".irradiation.tif")) for t in tasks)
    ctx.rasters = [r for r in rasters if r.exists()]  # type: ignore[attr-defined]
    return {"buildings_pv": buildings_pv, "roof_faces": faces}

"""Shading engine vs a numpy shift-and-compare implementation of SEBE, side by side.

Same synthetic DSM (``_synthetic.py``), same 145-patch sky (Gothenburg TMY), same normals
and energy bookkeeping; only the shadow casting differs. Prints the measured times and
ratio, the agreement of the two annual irradiation rasters on roof pixels, then times one
territory tile (2000 x 2000 px core + its shadow margin) and extrapolates to a 1.8e8-pixel
territory (Amiens Metropole at 1 m) with memory bounded by the tile.

Finally runs the whole engine end to end on a synthetic GeoTIFF of ``e2e_px`` squared
(reading windows, shading, roof planes and per-building statistics, writing the tiled
GeoTIFF) and extrapolates that measured time to 1.8e8 px, with the peak memory.

Run:  .venv/bin/python benchmarks/bench_shading.py [side_px=1000] [tile_px=2000] [e2e_px=4000]
"""

from __future__ import annotations

import math
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _synthetic import city  # noqa: E402
from reference_sebe import sebe_irradiation  # noqa: E402

from geopotential._paths import shared_data_dir  # noqa: E402
from geopotential.io.umep_met import read_umep_met  # noqa: E402
from geopotential.shading import kernels  # noqa: E402
from geopotential.shading.irradiance import tile_irradiation  # noqa: E402
from geopotential.shading.sky import sky_energy  # noqa: E402
from geopotential.shading.tiles import shadow_margin_px  # noqa: E402

TERRITORY_PX = 1.8e8


def main(side: int = 1000, tile: int = 2000, e2e: int = 4000) -> None:
    w, meta = read_umep_met(shared_data_dir() / "umep-gothenburg" / "GBG_TMY_1977.txt", 57.7, 12.0)
    sky = sky_energy(w, meta["latitude"], meta["longitude"])
    dsm, _, _, roofs = city(side)
    print(f"DSM {side}x{side} px ({side * side / 1e6:.1f} Mpx), roofs {roofs.mean():.0%} of pixels, "
          f"z range {dsm.max() - dsm.min():.1f} m, 145 sky patches, numba threads {kernels.n_threads()}")
    tile_irradiation(dsm[:64, :64], 1.0, sky, 0.15)  # compile / load the numba cache

    t0 = time.perf_counter()
    ours = tile_irradiation(dsm, 1.0, sky, 0.15)["irradiation_kwh_m2_yr"]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours_roof = tile_irradiation(dsm, 1.0, sky, 0.15, want=roofs)["irradiation_kwh_m2_yr"]
    t_ours_roof = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = sebe_irradiation(dsm, 1.0, sky, 0.15)
    t_ref = time.perf_counter() - t0

    rel = (ours[roofs] - ref[roofs]) / np.maximum(ref[roofs], 1.0)
    print("\n| method (same DSM, same 145 patches) | time [s] | px.patch/s | ratio vs numpy SEBE |")
    print("|---|---|---|---|")
    npp = side * side * 145
    print(f"| numpy shift-and-compare (SEBE method, reference_sebe.py) | {t_ref:.2f} | {npp / t_ref:.2e} | 1.0x |")
    print(f"| numba sweep, all pixels | {t_ours:.2f} | {npp / t_ours:.2e} | **{t_ref / t_ours:.1f}x** |")
    print(f"| numba sweep, results on roof pixels only | {t_ours_roof:.2f} | {npp / t_ours_roof:.2e} | "
          f"**{t_ref / t_ours_roof:.1f}x** |")
    print(f"\nagreement on roof pixels (numba vs numpy SEBE annual irradiation): median |diff| "
          f"{np.median(np.abs(rel)):.2%}, p95 {np.percentile(np.abs(rel), 95):.2%}, "
          f"total {ours[roofs].sum() / ref[roofs].sum() - 1:+.3%}; "
          f"roof-only run equals all-pixel run: {np.array_equal(ours_roof[roofs], ours[roofs])}")

    # one territory tile: core tile x tile plus the margin for the longest shadow
    margin = shadow_margin_px(float(dsm.max() - dsm.min()), sky.lowest_elevation_deg, 1.0, 400.0)
    padded = tile + 2 * margin
    big, _, _, big_roofs = city(padded, seed=1)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    tile_irradiation(big, 1.0, sky, 0.15)
    t_tile = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    tile_irradiation(big, 1.0, sky, 0.15, want=big_roofs)
    t_tile_roof = time.perf_counter() - t0
    n_tiles = math.ceil(TERRITORY_PX / (tile * tile))
    print(f"\nterritory tile: core {tile}^2 px + margin {margin} px (z range "
          f"{dsm.max() - dsm.min():.1f} m / tan {sky.lowest_elevation_deg:.0f} deg) = {padded}^2 px "
          f"({padded * padded / 1e6:.1f} Mpx)")
    print(f"  all pixels: {t_tile:.1f} s per tile; roofs only: {t_tile_roof:.1f} s per tile; "
          f"peak RSS {rss1:.0f} MiB (was {rss0:.0f} MiB before the tile)")
    print(f"  1.8e8 px = {n_tiles} tiles -> extrapolated {n_tiles * t_tile / 60:.1f} min (all pixels), "
          f"{n_tiles * t_tile_roof / 60:.1f} min (roofs only), memory bounded by one tile "
          f"(target < 15 min on 2 cores)")
    binning_accuracy(w, meta, sky)
    if e2e > 0:
        end_to_end(e2e, tile, sky, meta, w)


def binning_accuracy(weather, meta, sky, side: int = 300) -> None:
    """Direct beam on roofs: 145-patch binning (the engine's method) vs every hour shaded exactly."""
    import pvlib

    from geopotential.shading.irradiance import shadow_mask_for
    from geopotential.shading.terrain import surface_normals

    dsm, _, _, roofs = city(side, seed=4)
    nx, ny, nz = surface_normals(dsm, 1.0)
    n = np.stack([nx[roofs], ny[roofs], nz[roofs]], axis=1).astype(np.float64)
    sp = pvlib.solarposition.get_solarposition(weather.index, meta["latitude"], meta["longitude"])
    el = 90 - sp["apparent_zenith"].to_numpy()
    az = sp["azimuth"].to_numpy()
    dni = weather["dni"].to_numpy()
    on = (el > 2) & (dni > 0)
    t0 = time.perf_counter()
    hourly = np.zeros(len(n))
    for a, e, d in zip(az[on], el[on], dni[on]):
        s = np.array([np.sin(np.radians(a)) * np.cos(np.radians(e)), np.cos(np.radians(a)) * np.cos(np.radians(e)),
                      np.sin(np.radians(e))])
        lit = ~shadow_mask_for(dsm, a, e, 1.0)[roofs]
        hourly += lit * d * np.maximum(n @ s, 0)
    t_hourly = time.perf_counter() - t0
    from geopotential.shading.sky import sky_energy

    sky = sky_energy(weather.assign(dhi=0.0), meta["latitude"], meta["longitude"])  # beam only, no circumsolar
    binned = np.zeros(len(n))
    for i in range(sky.patches.n):
        if not sky.beam_wh_m2[i].any():
            continue
        lit = ~shadow_mask_for(dsm, sky.patches.azimuth_deg[i], sky.patches.elevation_deg[i], 1.0)[roofs]
        binned += lit * np.maximum(n @ sky.beam_wh_m2[i], 0)
    ok = hourly > 0.05 * hourly.max()
    rel = binned[ok] / hourly[ok] - 1
    print(f"\nbinning accuracy, direct beam on {ok.sum():,} roof pixels of a {side}^2 DSM: 145 patches vs "
          f"{on.sum():,} hourly sun positions each shaded exactly ({t_hourly:.0f} s): median {np.median(rel):+.2%}, "
          f"median |diff| {np.median(np.abs(rel)):.2%}, p95 |diff| {np.percentile(np.abs(rel), 95):.2%}, "
          f"total {binned[ok].sum() / hourly[ok].sum() - 1:+.2%}")


def end_to_end(side: int, tile: int, sky, meta, weather) -> None:
    """Whole engine from a GeoTIFF, in a fresh process whose peak memory is measured."""
    import subprocess
    import tempfile

    import geopandas as gpd

    from geopotential.io.raster import write_geotiff

    dsm, T, polys, _ = city(side, seed=2)
    b = gpd.GeoDataFrame({"building_id": np.arange(len(polys)).astype(str)}, geometry=polys, crs="EPSG:2154")
    with tempfile.TemporaryDirectory() as d:
        write_geotiff(Path(d) / "dsm.tif", dsm, T, "EPSG:2154")
        b.to_parquet(Path(d) / "buildings.parquet")
        del dsm
        proc = subprocess.run([sys.executable, __file__, "--child", d, str(tile)], capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr)
            return
        dt, n_b, n_inc, n_faces, med_e, med_loss, margin = proc.stdout.split()
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    dt = float(dt)
    print(f"\nend to end in a fresh process (GeoTIFF in, windows, shading, planes, stats, tiled GeoTIFF out): "
          f"{side}^2 px ({side * side / 1e6:.0f} Mpx), {int(n_b):,} buildings, tiles {tile}^2 + margin {margin} px: "
          f"{dt:.1f} s -> {dt * TERRITORY_PX / (side * side) / 60:.1f} min extrapolated to 1.8e8 px; peak RSS of "
          f"that process {child_rss:.0f} MiB (one padded tile + the building tables); {int(n_inc):,} buildings "
          f"analysed, {int(n_faces):,} faces, median roof irradiation {float(med_e):.0f} kWh/m2/yr, median shading "
          f"loss {float(med_loss):.1f} %")


def _child(d: str, tile: int) -> None:
    import geopandas as gpd

    from geopotential.io.dsm import RasterWindowReader
    from geopotential.io.raster import GeoTiffTileSink
    from geopotential.shading.engine import RASTER_NAMES, roof_irradiation_tiled, sky_for
    from geopotential.shading.parameters import ShadingParameters

    w, meta = read_umep_met(shared_data_dir() / "umep-gothenburg" / "GBG_TMY_1977.txt", 57.7, 12.0)
    b = gpd.read_parquet(Path(d) / "buildings.parquet")
    params = ShadingParameters(tile_size_px=tile)
    t0 = time.perf_counter()
    with RasterWindowReader(Path(d) / "dsm.tif") as reader, GeoTiffTileSink(
            Path(d) / "out.tif", reader.shape, reader.transform, reader.crs, RASTER_NAMES) as sink:
        sky = sky_for(w, meta, reader.transform, reader.shape, reader.crs, params)
        stats, faces, margin = roof_irradiation_tiled(reader, b, sky, params, sink)
    dt = time.perf_counter() - t0
    inc = stats["exclusion_reason"] == ""
    print(dt, len(b), int(inc.sum()), len(faces), stats.loc[inc, "roof_irradiation_kwh_m2_yr"].median(),
          stats.loc[inc, "shading_loss_pct"].median(), margin)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]))
    else:
        main(*[int(a) for a in sys.argv[1:]])

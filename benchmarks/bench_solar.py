"""Benchmark of the rooftop PV stage on 100,000 synthetic footprints.

Times, in one run and side by side:
  1. the orientation yield table (PVGIS TMY 45N 8E, 19 tilts x 36 azimuths);
  2. roof faces from footprints;
  3. rules + per-building sums + classes + economics (``solar_potential`` with the table given);
  4. the naive alternative: one pvlib ModelChain per roof face of each building, timed on a
     small sample and extrapolated to all buildings.

Run:  .venv/bin/python benchmarks/bench_solar.py [n_buildings] [n_sample]
"""

from __future__ import annotations

import sys
import time

import geopandas as gpd
import numpy as np
import shapely


def synthetic_buildings(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """Rotated rectangles on a grid in EPSG:2154 around Amiens (a third in terraces), mixed roof shapes."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n)))
    i = np.arange(n)
    cx = 640_000.0 + (i % side) * 40.0
    cy = 6_860_000.0 + (i // side) * 40.0
    half_l = rng.uniform(3.0, 15.0, n)
    half_w = rng.uniform(2.5, 8.0, n)
    ang = rng.uniform(0, np.pi, n)
    # every third row is a terrace of 10 m-wide houses sharing their side walls
    terrace = (i // side) % 3 == 0
    half_l = np.where(terrace, 5.0, half_l)
    ang = np.where(terrace, 0.0, ang)
    cx = np.where(terrace, 640_000.0 + (i % side) * 10.0, cx)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], float)
    lx = corners[None, :, 0] * half_l[:, None]
    ly = corners[None, :, 1] * half_w[:, None]
    x = cx[:, None] + lx * np.cos(ang)[:, None] - ly * np.sin(ang)[:, None]
    y = cy[:, None] + lx * np.sin(ang)[:, None] + ly * np.cos(ang)[:, None]
    geoms = shapely.polygons(np.stack([x, y], axis=-1))
    shapes = np.array(["flat", "gabled", "gabled", "hipped", "shed", "unknown", None], dtype=object)
    return gpd.GeoDataFrame(
        {
            "building_id": np.char.add("BATIMENT", i.astype(str)),
            "commune_insee": np.where(i % 2 == 0, "80021", "80001"),
            "roof_shape": shapes[rng.integers(0, shapes.size, n)],
        },
        geometry=geoms,
        crs="EPSG:2154",
    )


def modelchain_per_face(weather, meta, params, tilt, azimuth):
    from pvlib.location import Location
    from pvlib.modelchain import ModelChain
    from pvlib.pvsystem import PVSystem

    loc = Location(meta["latitude"], meta["longitude"], altitude=meta["altitude"])
    zero = dict(shading=0, snow=0, mismatch=0, wiring=0, connections=0, lid=0, nameplate_rating=0, age=0, availability=0)
    system = PVSystem(
        surface_tilt=tilt, surface_azimuth=azimuth, albedo=params.albedo,
        module_parameters={"pdc0": 1.0, "gamma_pdc": params.temperature_coefficient_pct_k / 100},
        inverter_parameters={"pdc0": 1.0, "eta_inv_nom": params.inverter_efficiency},
        temperature_model_parameters={"u0": params.faiman_u0_w_m2k, "u1": params.faiman_u1_w_m3sk},
        losses_parameters=dict(soiling=params.system_losses_pct, **zero),
    )
    mc = ModelChain(system, loc, transposition_model=params.transposition_model, aoi_model="physical",
                    spectral_model="no_loss", temperature_model="faiman", losses_model="pvwatts",
                    dc_model="pvwatts", ac_model="pvwatts")
    mc.run_model(weather)
    return float(mc.results.dc.clip(lower=0).sum())


def main(n: int = 100_000, n_sample: int = 20) -> None:
    from geopotential._paths import shared_data_dir
    from geopotential.io.weather import read_pvgis_tmy
    from geopotential.solar import SolarParameters, orientation_yield_table, roof_faces_from_footprints, solar_potential

    params = SolarParameters()
    weather, meta = read_pvgis_tmy(shared_data_dir() / "pvgis-weather" / "tmy_45.000_8.000_2005_2023.csv")
    buildings = synthetic_buildings(n)

    t0 = time.perf_counter()
    table = orientation_yield_table(weather, meta["latitude"], meta["longitude"], meta["altitude"], params)
    t1 = time.perf_counter()
    faces = roof_faces_from_footprints(buildings, params)
    t2 = time.perf_counter()
    bpv, faces_out = solar_potential(buildings, weather, meta, params, faces=faces, table=table)
    t3 = time.perf_counter()
    total = t3 - t0

    # naive route: one ModelChain per face of each sampled building
    sample = faces_out[faces_out["building_id"].isin(bpv["building_id"].iloc[:n_sample])]
    s0 = time.perf_counter()
    for tilt, az in zip(sample["module_tilt_deg"].to_numpy(), sample["module_azimuth_deg"].to_numpy()):
        modelchain_per_face(weather, meta, params, float(tilt), float(az))
    s1 = time.perf_counter()
    per_building = (s1 - s0) / n_sample
    naive_total = per_building * n

    has = bpv["exclusion_reason"] == ""
    w = 72
    lines = [
        "=" * w,
        f"rooftop PV potential, {n:,} synthetic footprints, {len(faces):,} faces (PVGIS TMY 45N 8E)",
        "-" * w,
        f"{'orientation yield table (' + str(table.sizes['tilt_deg'] * table.sizes['azimuth_deg']) + ' orientations)':<52}{t1 - t0:>10.2f} s",
        f"{'roof faces from footprints':<52}{t2 - t1:>10.2f} s",
        f"{'rules + per-building sums + classes + economics':<52}{t3 - t2:>10.2f} s",
        f"{'TOTAL (target < 60 s)':<52}{total:>10.2f} s",
        "-" * w,
        f"{'ModelChain per building (' + str(n_sample) + ' sampled, ' + str(len(sample)) + ' faces)':<52}{per_building * 1000:>10.1f} ms/building",
        f"{'ModelChain per building, extrapolated to ' + format(n, ',')}{'':<8}{naive_total:>10.0f} s",
        f"{'ratio naive / vectorised':<52}{naive_total / total:>10.0f} x",
        "-" * w,
        f"buildings with potential: {int(has.sum()):,} ({has.mean():.1%}); "
        f"{bpv['pv_capacity_kwp'].sum() / 1e3:,.1f} MWp, {bpv['pv_energy_kwh_yr'].sum() / 1e6:,.1f} GWh/yr",
        "=" * w,
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)

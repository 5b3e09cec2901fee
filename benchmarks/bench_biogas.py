"""Benchmark of the biogas stage: potentials for 1,000,000 synthetic RPG parcels (a whole
region) and digester siting for 100,000 supply points.

Run: ``.venv/bin/python benchmarks/bench_biogas.py [--parcels 1000000] [--points 100000]``.
Prints times side by side with a 10x smaller run (scaling ratio); targets: < 60 s each on a
2-core machine.
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import numpy as np
import pandas as pd

from geopotential.biogas import BiogasParameters, commune_biogas_summary, parcel_potential, site_digesters

# crop mix of an arable region (shares of parcels), as in the Somme
MIX = {"BTH": 0.30, "ORH": 0.06, "ORP": 0.05, "BTN": 0.08, "MIS": 0.04, "MIE": 0.04, "CZH": 0.05, "PTC": 0.05,
       "PPR": 0.03, "FEV": 0.02, "PPH": 0.12, "PTR": 0.04, "LUZ": 0.02, "J5M": 0.03, "SNE": 0.03, "BTA": 0.02,
       "FLA": 0.01, "LIF": 0.01}


def synthetic_parcels(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = np.array(list(MIX))
    p = np.array(list(MIX.values()))
    return pd.DataFrame({
        "parcel_id": np.arange(n).astype(str),
        "code_cultu": codes[rng.choice(len(codes), n, p=p / p.sum())],
        "area_ha": rng.lognormal(1.2, 0.9, n),
        "culture_d1": np.where(rng.uniform(size=n) < 0.05, "DPH", ""),
        "culture_d2": "",
        "commune_insee": (80000 + rng.integers(1, 800, n)).astype(str),
    })


def synthetic_supply(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(580e3, 780e3, n)  # about the Somme/Picardie extent in Lambert-93
    y = rng.uniform(6.88e6, 7.08e6, n)
    ch4 = rng.lognormal(8.5, 1.0, n)  # Nm3 CH4/yr per supply point
    return gpd.GeoDataFrame({"ch4_nm3_yr": ch4, "crop_residue_t_fm_yr": ch4 / 150}, geometry=gpd.points_from_xy(x, y), crs=2154)


def timed(f, *a, **k):
    t = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--points", type=int, default=100_000)
    a = ap.parse_args()
    params = BiogasParameters()
    parcel_potential(synthetic_parcels(1000), params)  # warm the table caches

    rows = []
    for n in (a.parcels // 10, a.parcels):
        df = synthetic_parcels(n)
        pb, t1 = timed(parcel_potential, df, params)
        summ, t2 = timed(commune_biogas_summary, pb, params=params)
        rows.append(("parcel potentials", n, t1))
        rows.append(("commune summary", n, t2))
        total_gwh = pb["energy_net_mwh_pcs_yr"].sum() / 1000
        del pb, summ, df
    for n in (a.points // 10, a.points):
        sup = synthetic_supply(n)
        (sites, catch, asg), t = timed(site_digesters, sup, None, params)
        rows.append((f"siting ({len(sites)} plants)", n, t))
    print(f"{'step':32s} {'n':>10s} {'seconds':>9s} {'per 1e6':>9s}")
    for name, n, t in rows:
        print(f"{name:32s} {n:10d} {t:9.2f} {t / n * 1e6:9.2f}")
    print(f"scaling ratio 10x size: potentials {rows[2][2] / rows[0][2]:.1f}x, summary {rows[3][2] / rows[1][2]:.1f}x, "
          f"siting {rows[5][2] / rows[4][2]:.1f}x")
    print(f"net potential of the synthetic region: {total_gwh:.0f} GWh PCS/yr")


if __name__ == "__main__":
    main()

"""A run on the real Somme communes and INSEE populations with per-inhabitant consumption
defaults: a balance for every commune, sums conserved, merged communes reported by code."""

from __future__ import annotations

import json

import numpy as np
import pyogrio

from geopotential.config import config_from_dict
from geopotential.pipeline.runner import run_pipeline


def test_somme_run_with_default_consumption(shared_data, tmp_path):
    cfg = config_from_dict({
        "territory": {"name": "Somme"},
        "inputs": {
            "communes": {"path": str(shared_data / "france-geojson-somme/communes-80-somme.geojson")},
            "population": str(shared_data / "insee-communes-population/communes_80_somme_insee.csv"),
            "existing_plants": str(shared_data / "biomethane-injection-sites/points-injection.csv"),
        },
        "stages": {"solar": False, "map": False, "report": True},
        "outputs": {"dir": str(tmp_path), "run_name": "somme"},
        "execution": {"show_progress": False},
    })
    result = run_pipeline(cfg)
    gpkg = result.run_dir / "geopotential.gpkg"
    c = pyogrio.read_dataframe(gpkg, layer="communes_summary")
    assert len(c) == 779  # every boundary of the geojson, whether or not INSEE lists it
    with_pop = c["population"].notna()
    assert c.loc[with_pop, "consumption_is_default"].astype(bool).all()
    assert with_pop.sum() == 772 and np.isfinite(c.loc[with_pop, "autonomy_ratio_today"]).all()
    # the communes merged since 2018 are reported by code, not dropped
    m = pyogrio.read_dataframe(gpkg, layer="commune_mismatches")
    assert {"80175", "80209", "80389", "80419", "80551", "80594", "80761"} <= set(m["commune_insee"])
    assert c.loc[~with_pop, "exclusion_reason"].str.len().gt(0).all()
    # commune sums equal the territory total
    t = pyogrio.read_dataframe(gpkg, layer="territory_summary")
    for col in ("population", "consumption_total_mwh_pcs_yr", "biogas_energy_net_mwh_pcs_yr"):
        assert np.isclose(float(t[col].iloc[0]), float(c[col].sum()), rtol=1e-9), col
    # today's production: the Somme's injection sites (about 187 GWh PCS/yr in the ODRE file)
    assert 150_000 < float(t["production_today_mwh_pcs_yr"].iloc[0]) < 250_000
    run = json.loads((result.run_dir / "run.json").read_text())
    assert run["totals"]["population"] == 566252
    assert any("no population" in k or "population" in k for k in run["warnings"])

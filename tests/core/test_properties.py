"""Property-based tests (hypothesis) on the core functions: finite, non-negative potentials,
conserved sums, independence from row order and input CRS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geopotential.aggregate import UNASSIGNED, check_conservation, sum_by
from geopotential.io.weather import clearsky_weather
from geopotential.solar import SolarParameters, orientation_yield_table, solar_potential

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def site():
    params = SolarParameters()
    weather, meta = clearsky_weather(49.89, 2.30, altitude=30.0, params=params)
    table = orientation_yield_table(weather, meta["latitude"], meta["longitude"], meta["altitude"], params)
    return weather, meta, table, params


building = st.tuples(
    st.floats(4.0, 60.0),  # width [m]
    st.floats(4.0, 80.0),  # length [m]
    st.floats(0.0, 180.0),  # rotation [deg]
    st.one_of(st.none(), st.floats(2.5, 40.0)),  # height [m]
    st.sampled_from(["flat", "gabled", "hipped", "shed", "unknown", None]),
    st.sampled_from(["80021", "80164", None]),
)


def _buildings(specs):
    geoms, rows = [], []
    for i, (w, l, rot, h, shape, commune) in enumerate(specs):
        x0, y0 = 648000.0 + 100.0 * (i % 20), 6977000.0 + 100.0 * (i // 20)
        g = shapely.affinity.rotate(shapely.box(x0, y0, x0 + w, y0 + l), rot)
        geoms.append(g)
        rows.append({"building_id": f"B{i:04d}", "height_m": h, "roof_shape": shape, "commune_insee": commune})
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=2154)


@SETTINGS
@given(st.lists(building, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_solar_potential_properties(site, specs, rnd):
    weather, meta, table, params = site
    b = _buildings(specs)
    out, _ = solar_potential(b, weather, meta, params, table=table)
    num = out[["roof_area_m2", "usable_area_m2", "pv_capacity_kwp", "pv_energy_kwh_yr", "irradiation_kwh_m2_yr"]]
    assert np.isfinite(num.to_numpy(float)).all()
    assert (num.to_numpy(float) >= 0).all()
    assert ((out["pv_energy_kwh_yr"] > 0) ^ (out["exclusion_reason"].fillna("") != "")).all()
    assert (out["usable_area_m2"] <= out["roof_area_m2"] + 1e-9).all()

    # row order does not matter
    order = list(range(len(b)))
    rnd.shuffle(order)
    shuffled, _ = solar_potential(b.iloc[order].reset_index(drop=True), weather, meta, params, table=table)
    a = out.set_index("building_id").sort_index()
    s = shuffled.set_index("building_id").sort_index()
    np.testing.assert_allclose(a["pv_energy_kwh_yr"], s["pv_energy_kwh_yr"], rtol=1e-12)

    # the input CRS does not matter
    geo, _ = solar_potential(b.to_crs(4326), weather, meta, params, table=table)
    np.testing.assert_allclose(
        geo.set_index("building_id").sort_index()["pv_energy_kwh_yr"], a["pv_energy_kwh_yr"], rtol=1e-6, atol=1e-6
    )

    # sums are conserved through aggregation, buildings without commune included
    agg = sum_by(out, "commune_insee", ["pv_energy_kwh_yr", "pv_capacity_kwp"])
    check_conservation(out, agg, ["pv_energy_kwh_yr", "pv_capacity_kwp"])
    if out["commune_insee"].isna().any():
        assert UNASSIGNED in agg.index


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c", None]), st.floats(0, 1e6), st.one_of(st.none(), st.floats(0, 1e3))),
             min_size=0, max_size=60)
)
def test_sum_by_conserves_and_keeps_unassigned(rows):
    df = pd.DataFrame(rows, columns=["k", "x", "y"])
    out = sum_by(df, "k", ["x", "y"], count_name="n")
    check_conservation(df, out, ["x", "y"])
    assert int(out["n"].sum()) == len(df) if len(df) else True

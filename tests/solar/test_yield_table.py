"""Orientation yield table: done-when figures on the real PVGIS TMY, ModelChain cross-check,
interpolation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pvlib.location import Location
from pvlib.modelchain import ModelChain
from pvlib.pvsystem import PVSystem

from geopotential.exceptions import InputError
from geopotential.solar import SolarParameters, interpolate_yield, orientation_yield_table
from geopotential.solar.yield_table import orientation_power, solar_inputs


def test_optimum_faces_south_at_plausible_tilt(pvgis_table):
    a = pvgis_table.attrs
    assert abs(a["opt_azimuth_deg"] - 180.0) <= 10.0
    assert 28.0 <= a["opt_tilt_deg"] <= 45.0
    sy = pvgis_table["specific_yield_kwh_kwp_yr"]
    assert float(sy.max()) == pytest.approx(a["opt_specific_yield_kwh_kwp_yr"])


def test_optimum_specific_yield_with_14pct_losses(pvgis_table):
    assert pvgis_table.attrs["system_losses_pct"] == 14.0
    assert 1150.0 <= pvgis_table.attrs["opt_specific_yield_kwh_kwp_yr"] <= 1450.0


def test_horizontal_poa_equals_ghi(pvgis_table, pvgis_weather):
    weather, _ = pvgis_weather
    ghi = weather["ghi"].sum() / 1000.0
    horiz = pvgis_table["poa_kwh_m2_yr"].sel(tilt_deg=0.0).values
    np.testing.assert_allclose(horiz, horiz[0])  # no azimuth dependence at tilt 0
    assert horiz[0] == pytest.approx(ghi, rel=0.005)
    assert pvgis_table.attrs["ghi_kwh_m2_yr"] == pytest.approx(ghi)


def test_physical_ordering(pvgis_table):
    sy = pvgis_table["specific_yield_kwh_kwp_yr"]
    at35 = sy.sel(tilt_deg=35.0)
    assert float(at35.sel(azimuth_deg=180.0)) > float(at35.sel(azimuth_deg=90.0)) > float(at35.sel(azimuth_deg=0.0))
    # east and west are close (TMY hours are centred on the irradiance instant)
    assert float(at35.sel(azimuth_deg=90.0)) == pytest.approx(float(at35.sel(azimuth_deg=270.0)), rel=0.06)
    pr = sy / pvgis_table["poa_kwh_m2_yr"]
    assert float(pr.sel(tilt_deg=35.0, azimuth_deg=180.0)) == pytest.approx(0.80, abs=0.06)
    assert (pvgis_table["poa_effective_kwh_m2_yr"] <= pvgis_table["poa_kwh_m2_yr"] + 1e-9).all()


def _modelchain(weather, meta, params, tilt, azimuth):
    loc = Location(meta["latitude"], meta["longitude"], altitude=meta["altitude"])
    zero = dict(shading=0, snow=0, mismatch=0, wiring=0, connections=0, lid=0,
                nameplate_rating=0, age=0, availability=0)
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
    return mc.results


@pytest.mark.parametrize("include_inverter", [True, False])
def test_cross_check_against_modelchain(pvgis_weather, include_inverter):
    weather, meta = pvgis_weather
    params = SolarParameters(losses_include_inverter=include_inverter)
    tilt, azimuth = 30.0, 150.0  # a grid node: interpolation error excluded
    table = orientation_yield_table(weather, meta["latitude"], meta["longitude"], meta["altitude"], params)
    res = _modelchain(weather, meta, params, tilt, azimuth)
    ours = interpolate_yield(table, tilt, azimuth)
    mc_ac = res.ac.clip(lower=0).sum() if not include_inverter else res.dc.clip(lower=0).sum()
    assert float(ours["specific_yield_kwh_kwp_yr"]) == pytest.approx(mc_ac, rel=0.01)
    assert float(ours["dc_kwh_kwp_yr"]) == pytest.approx(res.dc.clip(lower=0).sum(), rel=0.01)
    assert float(ours["poa_kwh_m2_yr"]) == pytest.approx(res.total_irrad["poa_global"].sum() / 1000, rel=0.01)


def test_hay_davies_and_inverter_convention(pvgis_weather):
    weather, meta = pvgis_weather
    sun = solar_inputs(weather, meta["latitude"], meta["longitude"], meta["altitude"])
    p_pvgis = SolarParameters(transposition_model="haydavies")
    p_pvwatts = SolarParameters(transposition_model="haydavies", losses_include_inverter=False)
    a = orientation_power(sun, np.array([30.0]), np.array([180.0]), p_pvgis)
    b = orientation_power(sun, np.array([30.0]), np.array([180.0]), p_pvwatts)
    np.testing.assert_allclose(a["ac"], a["dc"])
    ratio = b["ac"].sum() / b["dc"].sum()
    assert 0.94 < ratio < 0.97  # PVWatts inverter ~ eta 0.96 at part load
    res = _modelchain(weather, meta, p_pvwatts, 30.0, 180.0)
    assert b["ac"].sum() == pytest.approx(res.ac.clip(lower=0).sum(), rel=0.01)


def test_interpolation_exact_on_nodes_and_periodic(pvgis_table):
    sy = pvgis_table["specific_yield_kwh_kwp_yr"]
    v = interpolate_yield(pvgis_table, [35.0, 35.0, 90.0], [180.0, 0.0, 350.0])["specific_yield_kwh_kwp_yr"]
    np.testing.assert_allclose(v, [float(sy.sel(tilt_deg=35, azimuth_deg=180)),
                                   float(sy.sel(tilt_deg=35, azimuth_deg=0)),
                                   float(sy.sel(tilt_deg=90, azimuth_deg=350))])
    # 355 lies half-way between 350 and 0 (wrap-around), -10 is 350, 720 + 180 is 180
    mid = interpolate_yield(pvgis_table, 35.0, 355.0)["specific_yield_kwh_kwp_yr"]
    expect = 0.5 * (float(sy.sel(tilt_deg=35, azimuth_deg=350)) + float(sy.sel(tilt_deg=35, azimuth_deg=0)))
    assert float(mid) == pytest.approx(expect)
    w = interpolate_yield(pvgis_table, [35.0, 35.0], [-10.0, 900.0])["specific_yield_kwh_kwp_yr"]
    np.testing.assert_allclose(w, [float(sy.sel(tilt_deg=35, azimuth_deg=350)), float(sy.sel(tilt_deg=35, azimuth_deg=180))])
    # tilts beyond the table are clipped; shapes are kept
    out = interpolate_yield(pvgis_table, np.full((2, 3), 120.0), 180.0)
    assert out["poa_kwh_m2_yr"].shape == (2, 3)
    np.testing.assert_allclose(out["poa_kwh_m2_yr"], float(pvgis_table["poa_kwh_m2_yr"].sel(tilt_deg=90, azimuth_deg=180)))


def test_interpolation_error_off_grid_below_one_percent(pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    rng = np.random.default_rng(1)
    tilt = rng.uniform(5, 60, 40)
    az = rng.uniform(60, 300, 40)
    sun = solar_inputs(weather, meta["latitude"], meta["longitude"], meta["altitude"])
    direct = orientation_power(sun, tilt, az, SolarParameters())["ac"].sum(axis=0)
    look = interpolate_yield(pvgis_table, tilt, az)["specific_yield_kwh_kwp_yr"]
    assert np.max(np.abs(look / direct - 1)) < 0.01


def test_table_rejects_naive_index(pvgis_weather):
    weather, meta = pvgis_weather
    naive = weather.tz_localize(None)
    with pytest.raises(InputError, match="tz-aware"):
        orientation_yield_table(naive, 45.0, 8.0)


def test_multi_year_series_is_annualised(pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    two = pd.concat([weather, weather.set_axis(weather.index + pd.DateOffset(years=1))])
    table2 = orientation_yield_table(two, meta["latitude"], meta["longitude"], meta["altitude"],
                                     SolarParameters(table_tilt_step_deg=30, table_azimuth_step_deg=90))
    a = float(table2["specific_yield_kwh_kwp_yr"].sel(tilt_deg=30, azimuth_deg=180))
    b = float(pvgis_table["specific_yield_kwh_kwp_yr"].sel(tilt_deg=30, azimuth_deg=180))
    assert table2.attrs["years_of_data"] == pytest.approx(2.0)
    assert a == pytest.approx(b, rel=0.002)

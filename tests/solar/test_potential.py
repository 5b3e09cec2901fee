"""Per-building potential: contracts, invariants (reasons, sums, CRS), DSM faces, economics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geopotential.aggregate import check_conservation
from geopotential.exceptions import InputError, MissingCRSError, MissingFieldError
from geopotential.io.weather import clearsky_weather
from geopotential.solar import (
    SolarEconomics,
    SolarParameters,
    aggregate_pv,
    pv_economics,
    roof_faces_from_footprints,
    solar_potential,
)
from geopotential.solar.economics import band_index
from geopotential.solar.potential import SUM_COLUMNS

OUTPUT_COLUMNS = (
    "building_id", "commune_insee", "cadastre_parcel_id", "roof_area_m2", "usable_area_m2", "n_faces_usable",
    "pv_capacity_kwp", "pv_energy_kwh_yr", "specific_yield_kwh_kwp_yr", "irradiation_kwh_m2_yr",
    "shading_loss_pct", "pv_class", "pv_class_label", "capex_eur", "lcoe_eur_kwh", "payback_yr", "npv_eur",
    "co2_avoided_t_yr", "weather_approximate", "exclusion_reason",
)


@pytest.fixture(scope="module")
def result(town, pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    return solar_potential(town, weather, meta, table=pvgis_table)


def test_output_contract(result, town):
    bpv, faces = result
    for col in OUTPUT_COLUMNS:
        assert col in bpv.columns, col
    assert list(bpv["building_id"]) == list(town["building_id"])
    assert bpv.crs == town.crs
    assert set(bpv["pv_class"]) <= {1, 2, 3, 4, 5}
    assert bpv["pv_class"].dtype.kind == "i"
    assert (bpv["weather_approximate"] == False).all()  # noqa: E712
    for col in ("building_id", "face_id", "tilt_deg", "azimuth_deg", "area_m2", "usable_area_m2",
                "shading_factor", "irradiation_kwh_m2_yr", "source"):
        assert col in faces.columns


def test_every_building_has_potential_or_a_reason(result):
    bpv, _ = result
    has = bpv["pv_capacity_kwp"] > 0
    reason = bpv["exclusion_reason"] != ""
    assert (has ^ reason).all()
    ex = bpv[reason]
    assert (ex[["usable_area_m2", "pv_capacity_kwp", "pv_energy_kwh_yr", "capex_eur", "npv_eur"]] == 0).all().all()
    assert (ex["pv_class"] == 1).all() and (bpv.loc[has, "pv_class"] >= 2).all()
    assert (bpv.loc[has, "pv_energy_kwh_yr"] > 0).all()
    assert set(bpv.loc[[5, 7], "exclusion_reason"]) == {"missing geometry"}
    assert has.mean() > 0.5  # most synthetic roofs carry modules
    assert (bpv.loc[has, "specific_yield_kwh_kwp_yr"].between(800, 1500)).all()


def test_sums_conserved(result):
    bpv, faces = result
    for by in ("commune_insee", "cadastre_parcel_id"):
        agg = aggregate_pv(bpv, by)
        check_conservation(bpv, agg, [c for c in SUM_COLUMNS if c in agg.columns])
        assert agg["n_buildings"].sum() == len(bpv)
    used = faces[faces["usable"]]
    assert used["pv_energy_kwh_yr"].sum() == pytest.approx(bpv["pv_energy_kwh_yr"].sum())
    assert used["usable_area_m2"].sum() == pytest.approx(bpv["usable_area_m2"].sum())


def test_results_do_not_depend_on_input_crs(result, town, pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    bpv_4326, _ = solar_potential(town.to_crs(4326), weather, meta, table=pvgis_table)
    bpv, _ = result
    assert bpv_4326.crs.to_epsg() == 2154
    pd.testing.assert_series_equal(bpv_4326["exclusion_reason"], bpv["exclusion_reason"])
    for col in ("roof_area_m2", "usable_area_m2", "pv_capacity_kwp", "pv_energy_kwh_yr", "npv_eur"):
        np.testing.assert_allclose(bpv_4326[col], bpv[col], rtol=1e-6, atol=1e-6, err_msg=col)


def test_dsm_faces_and_missing_faces(town, pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    b = town.iloc[:4].copy()
    faces = pd.DataFrame({
        "building_id": [b.building_id.iloc[0]] * 2 + [b.building_id.iloc[1]] + ["not-a-building"],
        "face_id": ["x0", "x1", "y0", "z0"], "tilt_deg": [30.0, 30.0, 45.0, 30.0],
        "azimuth_deg": [180.0, 0.0, 200.0, 180.0], "area_m2": [60.0, 60.0, 40.0, 10.0],
        "shading_factor": [0.8, 1.0, 1.0, 1.0], "irradiation_kwh_m2_yr": [np.nan, np.nan, 1300.0, np.nan],
        "source": ["dsm"] * 4,
    })
    bpv, f = solar_potential(b, weather, meta, faces=faces, table=pvgis_table)
    assert len(f) == 3
    assert bpv["n_faces_usable"].tolist() == [1, 1, 0, 0]
    assert bpv["shading_loss_pct"].iloc[0] == pytest.approx(20.0)
    assert bpv["irradiation_kwh_m2_yr"].iloc[1] == pytest.approx(1300.0)
    assert bpv["exclusion_reason"].iloc[2] == "no roof face" and bpv["exclusion_reason"].iloc[3] == "no roof face"


def test_irradiation_scale_is_linear(town, pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    b = town.iloc[:30]
    base, _ = solar_potential(b, weather, meta, table=pvgis_table)
    scaled, _ = solar_potential(b, weather, meta, table=pvgis_table,
                                irradiation_scale=pd.Series(1.05, index=b["building_id"]))
    same = (base["exclusion_reason"] == "") & (scaled["exclusion_reason"] == "")
    np.testing.assert_allclose(scaled.loc[same, "pv_energy_kwh_yr"], 1.05 * base.loc[same, "pv_energy_kwh_yr"])
    with pytest.raises(InputError, match="irradiation_scale"):
        solar_potential(b, weather, meta, table=pvgis_table, irradiation_scale=np.ones(3))


def test_clear_sky_weather_is_flagged(town):
    weather, meta = clearsky_weather(49.894, 2.296, 30.0)
    p = SolarParameters(table_tilt_step_deg=10, table_azimuth_step_deg=30)
    bpv, _ = solar_potential(town.iloc[:20], weather, meta, params=p)
    assert bpv["weather_approximate"].all()


def test_minimal_columns_and_bad_inputs(town, pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    bare = town[["building_id", "geometry"]].iloc[:10]
    bpv, _ = solar_potential(bare, weather, meta, table=pvgis_table)
    assert "commune_insee" in bpv.columns and "cadastre_parcel_id" not in bpv.columns
    with pytest.raises(MissingFieldError, match="building_id"):
        solar_potential(town[["geometry"]], weather, meta, table=pvgis_table)
    with pytest.raises(InputError, match="not unique"):
        solar_potential(pd.concat([bare, bare]), weather, meta, table=pvgis_table)
    with pytest.raises(MissingCRSError):
        solar_potential(bare.set_crs(None, allow_override=True), weather, meta, table=pvgis_table)


def test_invalid_and_degenerate_footprints(pvgis_weather, pvgis_table):
    import geopandas as gpd
    import shapely

    weather, meta = pvgis_weather
    bowtie = shapely.Polygon([(0, 0), (20, 10), (20, 0), (0, 10)])  # self-intersecting, two 50 m2 triangles
    sliver = shapely.Polygon([(0, 0), (10, 0), (20, 0)])  # zero area
    b = gpd.GeoDataFrame({"building_id": ["bow", "sliver"], "roof_shape": ["flat", "flat"]},
                         geometry=[bowtie, sliver], crs=2154)
    bpv, _ = solar_potential(b, weather, meta, table=pvgis_table)
    assert bpv["roof_area_m2"].iloc[0] == pytest.approx(100.0)
    assert bpv["exclusion_reason"].tolist() == ["", "degenerate geometry"]


def test_footprint_faces_reused(town, pvgis_weather, pvgis_table):
    weather, meta = pvgis_weather
    faces = roof_faces_from_footprints(town)
    a, _ = solar_potential(town, weather, meta, faces=faces, table=pvgis_table)
    b, _ = solar_potential(town, weather, meta, table=pvgis_table)
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))


# ----------------------------------------------------------------------------- economics
def test_band_boundaries():
    econ = SolarEconomics()
    assert band_index(np.array([0.5, 3.0, 3.01, 9.0, 36.0, 100.0, 499.0, 5000.0]), econ).tolist() == [0, 0, 1, 1, 2, 3, 4, 5]


def test_npv_lcoe_payback_analytic():
    econ = SolarEconomics(discount_rate_pct=0, degradation_pct_yr=0, price_escalation_pct_yr=0,
                          opex_pct_capex_yr=1.0, self_consumption_share=0.5, retail_price_eur_kwh=0.2,
                          npv_period_yr=20, lifetime_yr=25)
    cap, energy = 6.0, 6000.0  # band 2 (<= 9 kWp)
    band = econ.size_bands[1]
    out = pv_economics([cap, 0.0], [energy, 0.0], econ)
    capex = cap * band.capex_eur_kwp
    premium = cap * band.premium_eur_kwp
    revenue = energy * (0.5 * 0.2 + 0.5 * band.surplus_tariff_eur_kwh)
    opex = capex * 0.01
    assert out["capex_eur"].iloc[0] == pytest.approx(capex)
    assert out["revenue_eur_yr"].iloc[0] == pytest.approx(revenue)
    assert out["npv_eur"].iloc[0] == pytest.approx(-(capex - premium) + 20 * (revenue - opex))
    assert out["lcoe_eur_kwh"].iloc[0] == pytest.approx((capex + 25 * opex) / (25 * energy))
    assert out["payback_yr"].iloc[0] == pytest.approx((capex - premium) / (revenue - opex))
    assert out["co2_avoided_t_yr"].iloc[0] == pytest.approx(energy * econ.grid_co2_kg_kwh / 1000)
    assert out["capex_eur"].iloc[1] == 0 and np.isnan(out["lcoe_eur_kwh"].iloc[1]) and out["npv_eur"].iloc[1] == 0


def test_discounting_and_total_sale():
    base = SolarEconomics()
    worse = SolarEconomics(degradation_pct_yr=2.0)
    a = pv_economics([50.0], [55_000.0], base)
    b = pv_economics([50.0], [55_000.0], worse)
    assert b["npv_eur"].iloc[0] < a["npv_eur"].iloc[0] and b["lcoe_eur_kwh"].iloc[0] > a["lcoe_eur_kwh"].iloc[0]
    total = pv_economics([50.0], [55_000.0], SolarEconomics(business_model="total_sale"))
    assert total["revenue_eur_yr"].iloc[0] == pytest.approx(55_000.0 * base.size_bands[3].total_sale_tariff_eur_kwh)
    assert total["premium_eur"].iloc[0] == 0
    # no eligible tariff above 500 kWp: market price
    big = pv_economics([600.0], [600_000.0], SolarEconomics(business_model="total_sale"))
    assert big["revenue_eur_yr"].iloc[0] == pytest.approx(600_000.0 * base.market_price_eur_kwh)


def test_parameters_round_trip_and_reject_unknown_keys():
    p = SolarParameters()
    assert SolarParameters.model_validate_json(p.model_dump_json()) == p
    with pytest.raises(Exception, match="extra"):
        SolarParameters(not_a_key=1)
    assert "Source:" in SolarParameters.model_fields["system_losses_pct"].description
    assert p.system_losses_pct == 14.0 and p.economics.degradation_pct_yr == 0.5

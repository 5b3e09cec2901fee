"""Roof faces from footprints (analytic cases) and usable-area rules."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geopotential.exceptions import MissingFieldError
from geopotential.solar import SolarParameters, apply_rules, interpolate_yield, roof_faces_from_footprints
from geopotential.solar.roofs import normalise_roof_shape

P0 = SolarParameters(edge_setback_m=0.0)


def _gdf(geoms, shapes, ids=None):
    ids = ids or [f"b{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"building_id": ids, "roof_shape": shapes}, geometry=geoms, crs=2154)


def test_gabled_faces_along_main_axis():
    box = shapely.box(0, 0, 20, 10)  # ridge west-east: faces south and north
    rot = shapely.affinity.translate(shapely.affinity.rotate(box, 30, origin="centroid"), 100, 0)  # CCW 30 deg
    f = roof_faces_from_footprints(_gdf([box, rot], ["gabled", "gabled"]), P0)
    assert len(f) == 4 and list(f["face_id"]) == ["b0-0", "b0-1", "b1-0", "b1-1"]
    assert sorted(f.loc[f.building_id == "b0", "azimuth_deg"]) == pytest.approx([0.0, 180.0])
    assert sorted(f.loc[f.building_id == "b1", "azimuth_deg"]) == pytest.approx([150.0, 330.0])
    np.testing.assert_allclose(f["area_m2"], 100.0 / np.cos(np.radians(P0.default_pitch_deg)))
    assert (f["tilt_deg"] == P0.default_pitch_deg).all() and (f["source"] == "footprint").all()
    assert (f["shading_factor"] == 1.0).all()


def test_square_footprint_axis_is_deterministic():
    from geopotential.solar.roofs import footprint_axes

    sq = shapely.box(0, 0, 10, 10)
    bearing, length, width = footprint_axes([sq, shapely.affinity.rotate(sq, 30), shapely.affinity.rotate(sq, 60)])
    # ridge along the edge direction closest to east-west
    np.testing.assert_allclose(bearing, [90.0, 60.0, 120.0])
    np.testing.assert_allclose(length, 10.0)
    np.testing.assert_allclose(width, 10.0)


def test_terraced_houses_ridge_across_party_walls():
    # three row houses 6 m wide (frontage along x) and 10 m deep, sharing their side walls
    row = [shapely.box(x, 0, x + 6, 10) for x in (0.0, 6.0, 12.0)]
    lone = shapely.box(100, 0, 106, 10)
    gdf = _gdf(row + [lone], ["gabled"] * 4)
    f = roof_faces_from_footprints(gdf, P0)
    terr = f[f.building_id.isin(["b0", "b1", "b2"])]
    assert terr["ridge_from_party_walls"].all() and not f.loc[f.building_id == "b3", "ridge_from_party_walls"].any()
    assert sorted(set(terr["azimuth_deg"].round(6))) == [0.0, 180.0]  # ridge parallel to the street
    assert sorted(f.loc[f.building_id == "b3", "azimuth_deg"].round(6)) == [90.0, 270.0]  # main axis
    off = roof_faces_from_footprints(gdf, SolarParameters(edge_setback_m=0.0, ridge_across_party_walls=False))
    assert sorted(set(off.loc[off.building_id == "b1", "azimuth_deg"].round(6))) == [90.0, 270.0]


def test_hipped_shares_and_shed_faces_south():
    box = shapely.box(0, 0, 30, 10)
    f = roof_faces_from_footprints(_gdf([box, shapely.affinity.translate(box, 100, 0)], ["hipped", "shed"]), P0)
    hip = f[f.building_id == "b0"]
    horiz = hip["area_m2"] * np.cos(np.radians(hip["tilt_deg"]))
    assert horiz.sum() == pytest.approx(300.0)
    # rectangle 30 x 10: triangular ends W^2/4 = 25 m2 each, trapezoids 125 m2 each
    assert sorted(horiz) == pytest.approx([25.0, 25.0, 125.0, 125.0])
    shed = f[f.building_id == "b1"]
    assert len(shed) == 1 and shed["azimuth_deg"].iloc[0] == 180.0
    assert shed["tilt_deg"].iloc[0] == P0.shed_pitch_deg


def test_unknown_shape_and_missing_geometry():
    big, small = shapely.box(0, 0, 40, 20), shapely.box(0, 0, 10, 8)
    f = roof_faces_from_footprints(_gdf([big, small, None, shapely.Polygon()], ["unknown", None, "flat", "flat"]), P0)
    assert set(f["building_id"]) == {"b0", "b1"}
    b0, b1 = f[f.building_id == "b0"], f[f.building_id == "b1"]
    assert len(b0) == 1 and b0["tilt_deg"].iloc[0] == 0.0 and b0["area_m2"].iloc[0] == pytest.approx(800.0)
    assert b0["roof_shape_inferred"].all() and (b1["roof_shape"] == "gabled").all()
    assert len(b1) == 2


def test_usage_makes_unknown_roofs_flat():
    boxes = [shapely.box(x, 0, x + 10, 8) for x in (0.0, 50.0, 100.0)]
    gdf = _gdf(boxes, [None, None, "gabled"]).assign(usage=["Commercial et services", "Résidentiel", "Industriel"])
    f = roof_faces_from_footprints(gdf, P0)
    assert f.groupby("building_id")["roof_shape"].first().to_dict() == {"b0": "flat", "b1": "gabled", "b2": "gabled"}


def test_roof_shape_synonyms():
    out = normalise_roof_shape(["Flat", "skillion", "pyramidal", "gabled", "dome", None, np.nan])
    assert list(out) == ["flat", "shed", "hipped", "gabled", "unknown", "unknown", "unknown"]


def test_edge_setback_ratio():
    f = roof_faces_from_footprints(_gdf([shapely.box(0, 0, 20, 10)], ["flat"]), SolarParameters(edge_setback_m=1.0))
    assert f["setback_ratio"].iloc[0] == pytest.approx(18 * 8 / 200)


def _faces(**cols):
    n = len(next(iter(cols.values())))
    base = {"building_id": [f"b{i}" for i in range(n)], "face_id": [f"f{i}" for i in range(n)],
            "area_m2": [100.0] * n, "source": ["dsm"] * n}
    base.update(cols)
    return pd.DataFrame(base)


def test_rules_reasons(pvgis_table):
    faces = _faces(
        tilt_deg=[35.0, 35.0, 70.0, 35.0, 35.0, 35.0],
        azimuth_deg=[180.0, 20.0, 180.0, 180.0, 180.0, 90.0],
        area_m2=[100.0, 100.0, 100.0, 5.0, 100.0, 100.0],
        shading_factor=[1.0, 1.0, 1.0, 1.0, 0.5, 0.6],
    )
    out = apply_rules(faces, pvgis_table, SolarParameters())
    assert list(out["exclusion_reason"]) == ["", "north-facing", "too steep", "too small", "heavily shaded", "heavily shaded"]
    assert list(out["usable"]) == [True, False, False, False, False, False]
    assert out["pv_capacity_kwp"].iloc[0] == pytest.approx(100 * 0.9 * 0.2)
    assert (out.loc[~out.usable, "pv_energy_kwh_yr"] == 0).all()
    low = apply_rules(faces.iloc[[0]], pvgis_table, SolarParameters(min_irradiation_kwh_m2_yr=5000))
    assert low["exclusion_reason"].iloc[0] == "low irradiation"


def test_rules_yield_matches_table_and_shading(pvgis_table):
    faces = _faces(tilt_deg=[30.0, 30.0], azimuth_deg=[150.0, 150.0], shading_factor=[1.0, 0.8])
    out = apply_rules(faces, pvgis_table, SolarParameters())
    ref = interpolate_yield(pvgis_table, 30.0, 150.0)
    assert out["irradiation_kwh_m2_yr"].iloc[0] == pytest.approx(float(ref["poa_kwh_m2_yr"]))
    assert out["specific_yield_kwh_kwp_yr"].iloc[0] == pytest.approx(float(ref["specific_yield_kwh_kwp_yr"]))
    assert out["irradiation_kwh_m2_yr"].iloc[1] == pytest.approx(0.8 * float(ref["poa_kwh_m2_yr"]))
    assert out["pv_energy_kwh_yr"].iloc[1] == pytest.approx(0.8 * out["pv_energy_kwh_yr"].iloc[0])


def test_rules_keep_given_usable_area_and_measured_irradiation(pvgis_table):
    faces = _faces(tilt_deg=[30.0, 2.0], azimuth_deg=[180.0, 0.0], usable_area_m2=[42.0, np.nan],
                   irradiation_kwh_m2_yr=[1000.0, 1200.0], shading_factor=[0.9, 1.0])
    out = apply_rules(faces, pvgis_table, SolarParameters())
    assert out["usable_area_m2"].iloc[0] == 42.0
    assert out["irradiation_kwh_m2_yr"].iloc[0] == pytest.approx(1000.0)
    # flat DSM face: measured horizontal irradiation raised by the racking gain, modules racked south
    p = SolarParameters()
    racked = interpolate_yield(pvgis_table, p.flat_racking_tilt_deg, 180.0)["poa_kwh_m2_yr"]
    horiz = interpolate_yield(pvgis_table, 0.0, 180.0)["poa_kwh_m2_yr"]
    assert out["irradiation_kwh_m2_yr"].iloc[1] == pytest.approx(1200.0 * float(racked / horiz))
    assert out["module_azimuth_deg"].iloc[1] == 180.0 and out["exclusion_reason"].iloc[1] == ""
    assert out["usable_area_m2"].iloc[1] == pytest.approx(100.0 * p.flat_ground_coverage_ratio)


def test_east_west_racking(pvgis_table):
    faces = _faces(tilt_deg=[0.0], azimuth_deg=[180.0])
    p = SolarParameters(flat_racking_layout="east_west")
    out = apply_rules(faces, pvgis_table, p)
    e = interpolate_yield(pvgis_table, p.flat_ew_tilt_deg, 90.0)["specific_yield_kwh_kwp_yr"]
    w = interpolate_yield(pvgis_table, p.flat_ew_tilt_deg, 270.0)["specific_yield_kwh_kwp_yr"]
    assert out["specific_yield_kwh_kwp_yr"].iloc[0] == pytest.approx(0.5 * float(e + w))
    assert out["usable_area_m2"].iloc[0] == pytest.approx(100.0 * p.flat_ew_ground_coverage_ratio)


def test_rules_need_columns(pvgis_table):
    with pytest.raises(MissingFieldError, match="tilt_deg"):
        apply_rules(pd.DataFrame({"building_id": ["a"], "azimuth_deg": [1.0], "area_m2": [1.0]}), pvgis_table)

"""End to end on the real Gothenburg DSM, DEM, canopy, footprints and TMY (EPSG:3007)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geopotential.io.dsm import read_raster
from geopotential.shading.engine import BUILDING_COLUMNS, FACE_COLUMNS, roof_irradiation_from_dsm
from geopotential.shading.zonal import zonal_table


@pytest.fixture(scope="module")
def run(gbg_dir, gbg_weather):
    dsm = read_raster(gbg_dir / "DSM_KRbig.tif")
    dem = read_raster(gbg_dir / "DEM_KRbig.tif")
    cdsm = read_raster(gbg_dir / "CDSM_KRbig.tif")
    b = gpd.read_file(gbg_dir / "buildings.shp", encoding="ISO-8859-1")  # latin-1 DBF
    b["building_id"] = b["MI_PRINX"].astype("int64").astype(str)
    weather, meta = gbg_weather
    res = roof_irradiation_from_dsm(dsm.array, dsm.transform, dsm.crs, b, weather, meta,
                                    dem=dem.array, canopy=cdsm.array)
    return res, b, dsm, dem


def test_outputs_have_the_contract_columns(run):
    res, b, dsm, _ = run
    assert list(res.faces.columns) == FACE_COLUMNS
    assert list(res.buildings.columns) == BUILDING_COLUMNS
    assert len(res.buildings) == len(b)
    assert (res.faces["source"] == "dsm").all()
    assert res.irradiation_kwh_m2_yr.shape == dsm.array.shape


def test_no_negative_and_shading_never_adds(run):
    res = run[0]
    e, _u = res.irradiation_kwh_m2_yr, res.unshaded_kwh_m2_yr
    assert np.isfinite(e).all() and (e >= 0).all()
    assert (res.faces["shading_factor"].between(0, 1.0001)).all()
    f = res.faces
    assert (f["usable_area_m2"] <= f["area_m2"] + 1e-9).all()


def test_exclusions_are_explained(run):
    res, b, _, _ = run
    s = res.buildings
    inc = s["exclusion_reason"] == ""
    # most municipal footprints lie beyond the 234 x 223 m DSM
    assert set(s.loc[~inc, "exclusion_reason"]) <= {"outside DSM", "partly outside DSM", "DSM nodata on roof",
                                                    "no roof pixel after edge buffer"}
    assert (s.loc[s["exclusion_reason"] == "outside DSM", "dsm_coverage_fraction"] == 0).all()
    assert inc.sum() >= 25
    assert s.loc[inc, "roof_irradiation_kwh_m2_yr"].notna().all()
    assert set(res.faces["building_id"]) <= set(s.loc[inc, "building_id"])


def test_plausible_ranges(run):
    res = run[0]
    s = res.buildings[res.buildings["exclusion_reason"] == ""]
    ghi = res.horizontal_unshaded_kwh_m2_yr  # about 970 kWh/m2/yr in Gothenburg's TMY
    assert 900 < ghi < 1050
    # roofs: tilted planes can beat the horizontal, shaded ones fall far below it
    assert s["roof_irradiation_kwh_m2_yr"].between(100, 1.25 * ghi).all()
    assert 600 < s["roof_irradiation_kwh_m2_yr"].median() < 1.05 * ghi
    assert s["shading_loss_pct"].between(0, 95).all()
    assert 1 < s["shading_loss_pct"].median() < 40
    assert (s["n_planes"] >= 0).all() and s["n_planes"].sum() > 50
    # roof area is the tilted area of the buffered footprint: not below its flat area
    assert (s["roof_area_m2"] > 0).all()
    f = res.faces
    assert f["tilt_deg"].between(0, 90).all() and f["azimuth_deg"].between(0, 360).all()


def test_buildings_beside_taller_ones_lose_more(run):
    res, b, dsm, dem = run
    h = zonal_table(b.geometry.to_numpy(), dsm.array - dem.array, dsm.transform,
                    stats=("percentile_90",), edge_buffer_m=1.0)["percentile_90"].to_numpy()
    b = b.assign(h=h)
    ring = b[["building_id", "geometry"]].copy()
    ring["geometry"] = ring.buffer(15.0)
    j = gpd.sjoin(ring, b[["building_id", "h", "geometry"]], predicate="intersects")
    j = j[j["building_id_left"] != j["building_id_right"]]
    taller_nb = j.groupby("building_id_left")["h"].max()
    s = res.buildings.set_index("building_id")
    s = s[s["exclusion_reason"] == ""].join(pd.Series(h, index=b["building_id"], name="h"))
    s["neighbour_excess_m"] = taller_nb.reindex(s.index) - s["h"]
    beside = s["neighbour_excess_m"] > 3.0
    assert beside.sum() >= 5 and (~beside).sum() >= 5
    assert s.loc[beside, "shading_loss_pct"].mean() > 2 * s.loc[~beside, "shading_loss_pct"].mean()
    # and the rank correlation between neighbour excess height and loss is positive
    rho = s["neighbour_excess_m"].fillna(-50).rank().corr(s["shading_loss_pct"].rank())
    assert rho > 0.3

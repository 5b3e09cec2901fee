"""Analytic shading checks: wall shadow length, trench sky view factor, positivity, tiling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geopotential.shading.irradiance import shadow_mask_for, tile_irradiation
from geopotential.shading.parameters import ShadingParameters
from geopotential.shading.sky import SkyEnergy, sky_energy, tregenza_patches
from geopotential.shading.engine import ArrayReader, ArraySink, roof_irradiation_tiled


@pytest.mark.parametrize("azimuth,axis,sign", [(180.0, 0, -1), (0.0, 0, 1), (90.0, 1, -1), (270.0, 1, 1)])
def test_wall_casts_shadow_of_known_length(azimuth, axis, sign):
    """A 10 m wall with the sun at atan(10/10.5): shadow reaches 10.5 m, i.e. 10 pixel centres."""
    height, res = 10.0, 1.0
    elevation = np.degrees(np.arctan(height / 10.5))
    dsm = np.zeros((101, 101), np.float32)
    if axis == 0:
        dsm[50, :] = height
    else:
        dsm[:, 50] = height
    m = shadow_mask_for(dsm, azimuth, elevation, res)
    line = m[:, 30] if axis == 0 else m[30, :]
    shaded = np.flatnonzero(line)
    # shadow falls away from the sun: rows decrease (north) for a southern sun, etc.
    expected = 50 + sign * np.arange(1, 11)
    assert sorted(shaded.tolist()) == sorted(expected.tolist())


def test_wall_shadow_scales_with_elevation():
    dsm = np.zeros((200, 60), np.float32)
    dsm[150, :] = 8.0
    for el in (20.0, 35.0, 60.0):
        length = np.flatnonzero(shadow_mask_for(dsm, 180.0, el, 0.5)[:, 30]).size
        expected = 8.0 / np.tan(np.radians(el)) / 0.5
        assert abs(length - expected) <= 1.0


def test_diagonal_sun_shadow_length():
    dsm = np.zeros((120, 120), np.float32)
    dsm[60:, 60:] = 12.0  # block; sun from the south-east
    m = shadow_mask_for(dsm, 135.0, 45.0, 1.0)
    # along the diagonal away from the corner, horizontal shadow length is 12 m = 12/sqrt2 px steps
    diag = [m[59 - k, 59 - k] for k in range(0, 15)]
    n = int(np.sum(diag))
    assert abs(n - 12.0 / np.sqrt(2.0)) <= 1.0


def _svf_sky():
    p = tregenza_patches()
    vec = p.vectors()
    w = p.solid_angle_sr * vec[:, 2] / np.pi
    w /= w.sum()
    n = p.n
    return SkyEnergy(p, np.zeros((n, 3)), np.zeros(n), np.zeros(n), w, 0.0, 0.0, 6.0, 1.0)


def test_sky_view_factor_at_bottom_of_long_trench():
    """Infinite canyon floor centre: SVF = cos(atan(2H/W)) (Oke 1987); here 2H/W = 1.

    Floor pixels |x| <= 10 m, wall pixels from |x| = 11 m (DSM sampled at pixel centres),
    depth 11 m, 600 m long.
    """
    dsm = np.full((600, 121), 11.0, np.float32)
    dsm[:, 50:71] = 0.0
    out = tile_irradiation(dsm, 1.0, _svf_sky(), albedo=0.0)
    svf = out["sky_view_factor"][300, 60]
    analytic = np.cos(np.arctan(2 * 11.0 / 22.0))
    assert svf == pytest.approx(analytic, rel=0.02)
    assert out["sky_view_factor"][300, 5] == pytest.approx(1.0, abs=1e-5)  # top of the bank


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), tau=st.floats(0.0, 1.0), albedo=st.floats(0.0, 0.9))
def test_no_pixel_is_ever_negative(seed, tau, albedo, gbg_sky):
    rng = np.random.default_rng(seed)
    dsm = rng.gamma(1.0, 4.0, (48, 48)).astype(np.float32)  # rough: walls, spikes, pits
    dsm[rng.random(dsm.shape) < 0.1] += 30.0
    veg = np.where(rng.random(dsm.shape) < 0.2, dsm + 6.0, -np.inf).astype(np.float32)
    out = tile_irradiation(dsm, 0.5, gbg_sky, albedo=albedo, veg=veg, canopy_transmissivity=tau)
    for k in ("irradiation_kwh_m2_yr", "unshaded_kwh_m2_yr", "sky_view_factor"):
        assert np.isfinite(out[k]).all()
        assert (out[k] >= 0).all()
    assert (out["irradiation_kwh_m2_yr"] <= out["unshaded_kwh_m2_yr"] * 1.0001 + albedo * 1500).all()


@pytest.fixture(scope="module")
def gbg_sky(gbg_weather):
    weather, meta = gbg_weather
    return sky_energy(weather, meta["latitude"], meta["longitude"])


def _tiling_run(dsm, boxes, sky, tile):
    reader = ArrayReader(dsm, _T, "EPSG:2154")
    sink = ArraySink(dsm.shape)
    b = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(len(boxes))]}, geometry=boxes, crs="EPSG:2154")
    params = ShadingParameters(tile_size_px=tile, max_shadow_distance_m=2000.0, min_plane_area_m2=2.0)
    stats, faces, margin = roof_irradiation_tiled(reader, b, sky, params, sink)
    return sink.arrays, stats, faces, margin


def test_pixel_equal_in_two_tilings(gbg_sky):
    rng = np.random.default_rng(3)
    dsm = rng.normal(0.0, 0.05, (260, 280)).astype(np.float32)
    boxes = []
    for _ in range(120):  # buildings up to 8 m, some overlapping into blocks
        r, c = int(rng.integers(0, 250)), int(rng.integers(0, 270))
        h, w = int(rng.integers(4, 12)), int(rng.integers(4, 12))
        dsm[r:r + h, c:c + w] = rng.uniform(3, 8)
        if not any(bx.intersects(shapely.box(_T.c + c, _T.f - r - h, _T.c + c + w, _T.f - r)) for bx in boxes):
            boxes.append(shapely.box(_T.c + c, _T.f - r - h, _T.c + c + w, _T.f - r))
    a, sa, fa, ma = _tiling_run(dsm, boxes, gbg_sky, 64)
    b, sb, fb, mb = _tiling_run(dsm, boxes, gbg_sky, 100)
    w, sw, fw, _ = _tiling_run(dsm, boxes, gbg_sky, 1000)
    assert ma == mb and ma < 100  # the margin, not the whole raster, bounds the reach
    for k in ("irradiation_kwh_m2_yr", "unshaded_kwh_m2_yr", "sky_view_factor", "slope_deg"):
        np.testing.assert_array_equal(a[k], b[k])
        np.testing.assert_array_equal(a[k], w[k])
    # per-building results do not depend on the tiling either
    pd.testing.assert_frame_equal(sa, sw)
    pd.testing.assert_frame_equal(sb, sw)
    pd.testing.assert_frame_equal(fa, fw, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(fb, fw, check_exact=False, rtol=1e-9)
    assert (sw["exclusion_reason"] == "").sum() > 30


import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from affine import Affine  # noqa: E402

_T = Affine(1.0, 0.0, 648000.0, 0.0, -1.0, 6977000.0)

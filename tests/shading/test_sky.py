"""Sky patches, sun binning and the flat / tilted open-plane checks against pvlib."""

from __future__ import annotations

import numpy as np
import pvlib
import pytest

from geopotential.shading.irradiance import tile_irradiation
from geopotential.shading.sky import patch_index, perez_horizontal_reference, sky_energy, tregenza_patches


def test_tregenza_has_145_patches_covering_the_hemisphere():
    p = tregenza_patches()
    assert p.n == 145
    assert np.bincount(p.band).tolist() == [30, 30, 24, 24, 18, 12, 6, 1]
    assert p.solid_angle_sr.sum() == pytest.approx(2 * np.pi, rel=1e-12)


def test_patch_index_finds_the_patch_of_its_centre():
    p = tregenza_patches()
    assert (patch_index(p, p.azimuth_deg, p.elevation_deg) == np.arange(p.n)).all()


def test_flat_open_plane_receives_unshaded_horizontal_irradiation(gbg_weather):
    weather, meta = gbg_weather
    sky = sky_energy(weather, meta["latitude"], meta["longitude"])
    ref = perez_horizontal_reference(weather, meta["latitude"], meta["longitude"])
    dsm = np.full((60, 60), 12.0, np.float32)
    out = tile_irradiation(dsm, 1.0, sky, albedo=0.15)
    e = out["irradiation_kwh_m2_yr"]
    assert np.allclose(e, ref / 1000.0, rtol=1e-5)
    assert np.allclose(out["unshaded_kwh_m2_yr"], e, rtol=1e-6)
    assert np.allclose(out["sky_view_factor"], 1.0, atol=1e-5)
    # and it is the file's global horizontal irradiation (beam below 2 deg aside)
    assert e[30, 30] == pytest.approx(weather["ghi"].sum() / 1000.0, rel=0.01)


@pytest.mark.parametrize("tilt,azimuth", [(30.0, 180.0), (45.0, 90.0)])
def test_open_tilted_plane_matches_pvlib_perez(gbg_weather, tilt, azimuth):
    weather, meta = gbg_weather
    sky = sky_energy(weather, meta["latitude"], meta["longitude"])
    yy, xx = np.mgrid[0:80, 0:80].astype(np.float64)
    # z rises opposite to the facing direction
    e_dir, n_dir = np.sin(np.radians(azimuth)), np.cos(np.radians(azimuth))
    dsm = (-np.tan(np.radians(tilt)) * (xx * e_dir - yy * n_dir)).astype(np.float32)
    dsm -= dsm.min()
    out = tile_irradiation(dsm, 1.0, sky, albedo=0.2)
    times = weather.index  # mid-interval instants
    sp = pvlib.solarposition.get_solarposition(times, meta["latitude"], meta["longitude"])
    zen = sp["apparent_zenith"].to_numpy()
    el = 90 - zen
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azimuth, zen, sp["azimuth"].to_numpy(), np.where(el > 2, weather["dni"].to_numpy(), 0.0),
        weather["ghi"].to_numpy(), weather["dhi"].to_numpy(),
        dni_extra=pvlib.irradiance.get_extra_radiation(times).to_numpy(), model="perez",
        airmass=pvlib.atmosphere.get_relative_airmass(np.where(el > 0, zen, 89.0)), albedo=0.2)
    ref = np.nansum(np.where(el > 0, poa["poa_global"], 0.0)) / 1000.0
    # the plane faces no obstacle: the pixel far from the upslope edge is unshaded
    assert out["unshaded_kwh_m2_yr"][40, 40] == pytest.approx(ref, rel=0.01)
    assert out["irradiation_kwh_m2_yr"][40, 40] == pytest.approx(ref, rel=0.01)

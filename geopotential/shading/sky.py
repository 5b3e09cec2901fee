"""The sky: Tregenza's 145 patches, sun binning and the Perez (1990) diffuse split.

Annual irradiation is reduced to one entry per sky patch, so shading is cast 145 times
whatever the length of the weather series (SEBE's method, Lindberg et al. 2015; patch
layout from ``UMEP-dev/UMEP: SEBE/SEBEfiles/sunmapcreator_2015a.py``).

Unlike SEBE, the beam is not moved to the patch centre for the cosine of incidence: each
patch keeps the *vector* sum ``sum_h DNI_h * s_h`` [Wh/m2] of the hours binned into it, so
that ``max(0, n . B_p)`` is exact whenever the surface faces all those hours (always for a
horizontal surface). Only the shadow test uses the patch centre.

Diffuse light follows Perez et al. (1990) as implemented by :func:`pvlib.irradiance.perez`:
an isotropic part ``DHI (1 - F1)`` spread with uniform radiance over the patches, a
circumsolar part ``DHI F1 / max(cos 85deg, cos Z)`` that behaves as a beam from the sun
(so it is shaded with the sun's patch), and a horizon band ``DHI F2`` placed on the lowest
band of patches with horizontal directions. A horizontal, unobstructed surface therefore
receives exactly pvlib's Perez plane-of-array global irradiance for tilt 0.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pvlib

from geopotential.exceptions import InputError

logger = logging.getLogger(__name__)

#: Tregenza & Sharples (1993) bands: centre elevation [deg] and number of patches.
BAND_ELEVATION_DEG = np.array([6.0, 18.0, 30.0, 42.0, 54.0, 66.0, 78.0, 90.0])
BAND_COUNT = np.array([30, 30, 24, 24, 18, 12, 6, 1])
BAND_WIDTH_DEG = 12.0


@dataclass(frozen=True)
class SkyPatches:
    """Geometry of the sky patches.

    Attributes
    ----------
    elevation_deg, azimuth_deg : ndarray (n,)
        Patch centres [deg]; azimuth clockwise from north (pvlib convention).
    solid_angle_sr : ndarray (n,)
        Solid angle of each patch [sr].
    band : ndarray (n,)
        Band index (0 = lowest).
    """

    elevation_deg: np.ndarray
    azimuth_deg: np.ndarray
    solid_angle_sr: np.ndarray
    band: np.ndarray

    @property
    def n(self) -> int:
        return len(self.elevation_deg)

    def vectors(self) -> np.ndarray:
        """Unit vectors (east, north, up) of the patch centres, shape (n, 3)."""
        return unit_vector(self.azimuth_deg, self.elevation_deg)


def unit_vector(azimuth_deg, elevation_deg) -> np.ndarray:
    """East-north-up unit vector(s) towards (azimuth, elevation) [deg], shape (..., 3)."""
    az = np.radians(np.asarray(azimuth_deg, dtype=float))
    el = np.radians(np.asarray(elevation_deg, dtype=float))
    return np.stack([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)], axis=-1)


def tregenza_patches() -> SkyPatches:
    """The 145 Tregenza patches (bands 6..90 deg with 30,30,24,24,18,12,6,1 patches)."""
    el, az, om, band = [], [], [], []
    for b, (e, n) in enumerate(zip(BAND_ELEVATION_DEG, BAND_COUNT)):
        lo = np.radians(max(e - BAND_WIDTH_DEG / 2, 0.0))
        hi = np.radians(min(e + BAND_WIDTH_DEG / 2, 90.0))
        omega = 2 * np.pi * (np.sin(hi) - np.sin(lo)) / n
        for k in range(n):
            el.append(e)
            az.append(360.0 * k / n)
            om.append(omega)
            band.append(b)
    return SkyPatches(np.array(el), np.array(az), np.array(om), np.array(band))


def patch_index(patches: SkyPatches, azimuth_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    """Index of the patch holding each (azimuth, elevation) [deg] (nearest centre in its band)."""
    b = np.clip(np.floor(np.asarray(elevation_deg) / BAND_WIDTH_DEG).astype(int), 0, len(BAND_COUNT) - 1)
    starts = np.concatenate([[0], np.cumsum(BAND_COUNT)[:-1]])
    n = BAND_COUNT[b]
    k = np.round(np.mod(np.asarray(azimuth_deg), 360.0) / (360.0 / n)).astype(int) % n
    return starts[b] + k


@dataclass(frozen=True, eq=False)
class SkyEnergy:
    """Annual energy reaching the ground from each sky patch.

    Attributes
    ----------
    patches : SkyPatches
    beam_wh_m2 : ndarray (n, 3)
        Vector sum over the hours binned into each patch of (DNI + circumsolar normal
        irradiance) x sun unit vector [Wh/m2]; a surface of unit normal ``n`` unshaded by
        that patch receives ``max(0, n . beam)``.
    isotropic_wh_m2 : ndarray (n,)
        Isotropic diffuse energy of each patch for a surface facing it [Wh/m2]
        (``sum DHI (1-F1) * Omega_p / pi``, normalised so that a horizontal unobstructed
        surface receives ``sum DHI (1-F1)``).
    horizon_wh_m2 : ndarray (n,)
        Horizon-brightening energy of the lowest band (zero elsewhere) for a surface
        facing the patch azimuth horizontally [Wh/m2]; its direction is horizontal.
    svf_weight : ndarray (n,)
        Weights of the cosine-weighted sky view factor of a horizontal surface (sum 1).
    ghi_wh_m2 : float
        Annual global horizontal irradiation of the series [Wh/m2] (for the reflected part).
    unshaded_horizontal_wh_m2 : float
        What an unobstructed horizontal surface receives from this sky [Wh/m2].
    lowest_elevation_deg : float
        Lowest patch-centre elevation carrying energy [deg]: shadows are cast at patch
        centres, so this sizes the tile margin.
    years : float
        Length of the series in years (results are divided by it).
    """

    patches: SkyPatches
    beam_wh_m2: np.ndarray
    isotropic_wh_m2: np.ndarray
    horizon_wh_m2: np.ndarray
    svf_weight: np.ndarray
    ghi_wh_m2: float
    unshaded_horizontal_wh_m2: float
    lowest_elevation_deg: float
    years: float


def _interval_hours(index: pd.DatetimeIndex) -> float:
    if len(index) < 2:
        return 1.0
    return float(pd.Series(index).diff().dropna().median() / pd.Timedelta(hours=1))


def sky_energy(
    weather: pd.DataFrame,
    latitude: float,
    longitude: float,
    altitude: float = 0.0,
    min_sun_elevation_deg: float = 2.0,
    time_label: str = "center",
    source: str = "weather",
) -> SkyEnergy:
    """Bin a weather series onto the 145 Tregenza patches.

    Parameters
    ----------
    weather : DataFrame
        Columns ``ghi``, ``dni``, ``dhi`` [W/m2], tz-aware index.
    latitude, longitude : float [deg]
    altitude : float [m]
    min_sun_elevation_deg : float [deg]
        Beam and circumsolar light are counted only above this sun elevation.
    time_label : {"center", "end", "start"}
        What each timestamp marks in its interval; sun positions are taken at the centre.
        The project's readers return mid-interval instants ("center").
    source : str
        Name used in error messages.

    Returns
    -------
    SkyEnergy
    """
    for col in ("ghi", "dni", "dhi"):
        if col not in weather.columns:
            raise InputError(f"weather lacks column {col!r}", path=source, field=col)
    idx = weather.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise InputError("weather must have a tz-aware DatetimeIndex", path=source)
    dt_h = _interval_hours(idx)
    shift = {"end": -0.5, "start": 0.5, "center": 0.0}[time_label] * dt_h
    times = idx + pd.Timedelta(hours=shift)
    ghi = np.clip(np.nan_to_num(weather["ghi"].to_numpy(float)), 0, None)
    dni = np.clip(np.nan_to_num(weather["dni"].to_numpy(float)), 0, None)
    dhi = np.clip(np.nan_to_num(weather["dhi"].to_numpy(float)), 0, None)

    sp = pvlib.solarposition.get_solarposition(times, latitude, longitude, altitude=altitude)
    zen = sp["apparent_zenith"].to_numpy()
    az = sp["azimuth"].to_numpy()
    el = 90.0 - zen
    up = el > 0
    dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()
    airmass = pvlib.atmosphere.get_relative_airmass(np.where(up, zen, 89.0))
    # Perez F1, F2 through pvlib: horizontal surface gives F1, vertical south gives F2.
    comp_h = pvlib.irradiance.perez(0.0, 180.0, dhi, dni, dni_extra, zen, az, airmass, return_components=True)
    comp_v = pvlib.irradiance.perez(90.0, 180.0, dhi, dni, dni_extra, zen, az, airmass, return_components=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(dhi > 0, 1.0 - np.asarray(comp_h["poa_isotropic"], float) / dhi, 0.0)
        f2 = np.where(dhi > 0, np.asarray(comp_v["poa_horizon"], float) / dhi, 0.0)
    f1 = np.nan_to_num(f1)
    f2 = np.nan_to_num(f2)
    b = np.maximum(np.cos(np.radians(85.0)), np.cos(np.radians(zen)))
    beam_on = el > min_sun_elevation_deg
    normal = np.where(beam_on, dni + dhi * f1 / b, 0.0) * dt_h  # [Wh/m2] normal to the sun
    iso = np.where(up, dhi * (1.0 - f1), 0.0) * dt_h
    iso += np.where(up & ~beam_on, dhi * f1 * np.cos(np.radians(zen)) / b, 0.0) * dt_h
    hor = np.where(up, dhi * f2, 0.0) * dt_h

    patches = tregenza_patches()
    vec = patches.vectors()
    n = patches.n
    s = unit_vector(az, el)
    pid = patch_index(patches, az, np.clip(el, 0, 90))
    beam = np.zeros((n, 3))
    for k in range(3):
        beam[:, k] = np.bincount(pid[beam_on], weights=(normal * s[:, k])[beam_on], minlength=n)

    w_h = patches.solid_angle_sr * vec[:, 2] / np.pi
    w_h = w_h / w_h.sum()  # cosine-weighted SVF weights of a horizontal surface (sum 1)
    iso_p = iso.sum() * w_h / vec[:, 2]  # energy for a surface facing the patch

    low = patches.band == 0
    hvec = vec.copy()
    hvec[:, 2] = 0.0
    hvec /= np.linalg.norm(hvec, axis=1, keepdims=True)
    # Perez horizon band gives DHI F2 sin(tilt) on a tilted surface: calibrate on a vertical
    # plane, averaging over the facing directions of the discrete band.
    az_low = patches.azimuth_deg[low]
    test_az = np.linspace(0.0, 360.0, 72, endpoint=False)
    cosines = np.maximum(0.0, np.cos(np.radians(test_az[:, None] - az_low[None, :]))).sum(axis=1).mean()
    hor_p = np.where(low, hor.sum() / cosines, 0.0)

    years = max(len(idx) * dt_h / 8760.0, 1e-9)
    unshaded_h = float(beam[:, 2].sum() + iso.sum())
    lowest = float(patches.elevation_deg[np.flatnonzero((np.linalg.norm(beam, axis=1) > 0) | (iso_p > 0))].min())
    logger.debug("sky: %d h binned, beam on %d patches", int(beam_on.sum()), int((beam[:, 2] > 0).sum()))
    return SkyEnergy(
        patches=patches,
        beam_wh_m2=beam,
        isotropic_wh_m2=iso_p,
        horizon_wh_m2=hor_p,
        svf_weight=w_h,
        ghi_wh_m2=float(ghi.sum() * dt_h),
        unshaded_horizontal_wh_m2=unshaded_h,
        lowest_elevation_deg=lowest,
        years=years,
    )


def perez_horizontal_reference(weather, latitude, longitude, altitude=0.0, min_sun_elevation_deg=2.0,
                               time_label="center"):
    """Annual pvlib Perez POA global on an unobstructed horizontal plane [Wh/m2] (for checks).

    The beam below ``min_sun_elevation_deg`` is dropped, as in :func:`sky_energy`.
    """
    idx = weather.index
    dt_h = _interval_hours(idx)
    shift = {"end": -0.5, "start": 0.5, "center": 0.0}[time_label] * dt_h
    times = idx + pd.Timedelta(hours=shift)
    sp = pvlib.solarposition.get_solarposition(times, latitude, longitude, altitude=altitude)
    zen = sp["apparent_zenith"].to_numpy()
    el = 90.0 - zen
    dni = weather["dni"].to_numpy(float)
    poa = pvlib.irradiance.get_total_irradiance(
        0.0, 180.0, zen, sp["azimuth"].to_numpy(), dni, weather["ghi"].to_numpy(float),
        weather["dhi"].to_numpy(float), dni_extra=pvlib.irradiance.get_extra_radiation(times).to_numpy(),
        model="perez", airmass=pvlib.atmosphere.get_relative_airmass(np.where(el > 0, zen, 89.0)),
    )
    low_beam = np.where((el > 0) & (el <= min_sun_elevation_deg), dni * np.sin(np.radians(el)), 0.0)
    total = np.nansum(np.where(el > 0, poa["poa_global"], 0.0)) - low_beam.sum()
    return float(total * dt_h)

"""Orientation yield table: annual POA irradiation and specific yield on a tilt x azimuth grid.

Roofs are not simulated one by one (perf-anchors.md, section C and recommendation 7): the
site's weather is run once through pvlib's functions, vectorised over every orientation of
a tilt x azimuth grid at once (solar position computed once), and each roof face then
interpolates its values in that table (:func:`interpolate_yield`).

The chain per orientation is the one of ``pvlib.modelchain.ModelChain`` with PVWatts:
transposition (Perez, Hay-Davies or isotropic, with albedo), physical incidence-angle
modifier on the beam, Faiman cell temperature, PVWatts DC with a temperature coefficient,
system losses, and optionally the PVWatts inverter.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import xarray as xr

from geopotential.exceptions import ComputationError, InputError
from geopotential.solar.parameters import SolarParameters

logger = logging.getLogger(__name__)

#: Variables of the table, all per year.
TABLE_VARIABLES = (
    "poa_kwh_m2_yr",
    "poa_effective_kwh_m2_yr",
    "dc_kwh_kwp_yr",
    "specific_yield_kwh_kwp_yr",
)


def _time_step_h(index: pd.DatetimeIndex) -> float:
    if len(index) < 2:
        raise InputError("weather needs at least two time steps", field="time")
    ns = index.values.astype("datetime64[ns]").astype(np.int64)
    step = float(np.median(np.diff(ns))) / 3.6e12
    if step <= 0:
        raise InputError("weather time index is not increasing", field="time")
    return step


def solar_inputs(weather: pd.DataFrame, latitude: float, longitude: float, altitude: float) -> pd.DataFrame:
    """Solar geometry and clean weather for the daylight records (computed once per site).

    Returns
    -------
    pandas.DataFrame
        Daylight rows only, with ``zenith``, ``apparent_zenith``, ``azimuth`` [deg],
        ``dni_extra`` [W/m2], ``airmass`` [-] and the weather columns (``temp_air`` missing
        values filled with 20 degC, ``wind_speed`` with 0 m/s, as pvlib's ModelChain does).
    """
    import pvlib

    for col in ("ghi", "dni", "dhi"):
        if col not in weather.columns:
            raise InputError("weather lacks an irradiance column", field=col)
    w = weather.copy()
    temp = w["temp_air"] if "temp_air" in w else pd.Series(np.nan, index=w.index)
    w["temp_air"] = temp.fillna(20.0)
    wind = w["wind_speed"] if "wind_speed" in w else pd.Series(np.nan, index=w.index)
    w["wind_speed"] = wind.fillna(0.0)
    for col in ("ghi", "dni", "dhi"):
        w[col] = w[col].fillna(0.0).clip(lower=0.0)
    pressure = pvlib.atmosphere.alt2pres(altitude)
    sp = pvlib.solarposition.get_solarposition(
        w.index, latitude, longitude, altitude=altitude, pressure=pressure, temperature=w["temp_air"]
    )
    day = (sp["apparent_zenith"] < 90.0).to_numpy() & ((w["ghi"] > 0) | (w["dni"] > 0) | (w["dhi"] > 0)).to_numpy()
    out = w.loc[day, ["ghi", "dni", "dhi", "temp_air", "wind_speed"]].copy()
    out["zenith"] = sp["zenith"].to_numpy()[day]
    out["apparent_zenith"] = sp["apparent_zenith"].to_numpy()[day]
    out["azimuth"] = sp["azimuth"].to_numpy()[day]
    out["dni_extra"] = pvlib.irradiance.get_extra_radiation(out.index).to_numpy()
    out["airmass"] = pvlib.atmosphere.get_relative_airmass(out["apparent_zenith"]).to_numpy()
    return out


def orientation_power(
    sun: pd.DataFrame, tilt_deg: np.ndarray, azimuth_deg: np.ndarray, params: SolarParameters
) -> dict[str, np.ndarray]:
    """Hourly POA irradiance and power per kWp for many orientations at once.

    Parameters
    ----------
    sun
        Output of :func:`solar_inputs` (T rows).
    tilt_deg, azimuth_deg
        Orientations, 1-D arrays of the same length N [deg; azimuth 180 = south].
    params
        PV system parameters.

    Returns
    -------
    dict of (T, N) arrays
        ``poa_global``, ``poa_effective`` [W/m2], ``dc`` (after system losses) and ``ac``
        [kW/kWp] (``ac`` equals ``dc`` under the PVGIS convention ``losses_include_inverter``).
    """
    import pvlib

    tilt = np.asarray(tilt_deg, float)[None, :]
    azim = np.asarray(azimuth_deg, float)[None, :]

    def col(name: str) -> np.ndarray:
        return sun[name].to_numpy(float)[:, None]

    zen, saz = col("apparent_zenith"), col("azimuth")
    dni, ghi, dhi = col("dni"), col("ghi"), col("dhi")
    aoi = pvlib.irradiance.aoi(tilt, azim, zen, saz)
    kw = {}
    if params.transposition_model in ("perez", "haydavies"):
        kw["dni_extra"] = col("dni_extra")
    if params.transposition_model == "perez":
        kw["airmass"] = col("airmass")
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azim, zen, saz, dni, ghi, dhi, albedo=params.albedo, model=params.transposition_model, **kw
    )
    poa_global = np.nan_to_num(np.broadcast_to(poa["poa_global"], aoi.shape).astype(float))
    poa_direct = np.nan_to_num(np.broadcast_to(poa["poa_direct"], aoi.shape).astype(float))
    poa_diffuse = poa_global - poa_direct
    iam = pvlib.iam.physical(aoi, n=params.iam_n, K=params.iam_k_per_m, L=params.iam_l_m)
    eff = poa_direct * np.nan_to_num(iam) + poa_diffuse
    tcell = pvlib.temperature.faiman(
        poa_global, col("temp_air"), col("wind_speed"), u0=params.faiman_u0_w_m2k, u1=params.faiman_u1_w_m3sk
    )
    dc = pvlib.pvsystem.pvwatts_dc(eff, tcell, pdc0=1.0, gamma_pdc=params.temperature_coefficient_pct_k / 100.0)
    dc = np.clip(np.asarray(dc, float), 0.0, None) * (1.0 - params.system_losses_pct / 100.0)
    if params.losses_include_inverter:
        ac = dc
    else:
        ac = np.asarray(pvlib.inverter.pvwatts(dc, 1.0, eta_inv_nom=params.inverter_efficiency), float)
    return {"poa_global": poa_global, "poa_effective": eff, "dc": dc, "ac": ac}


def orientation_yield_table(
    weather: pd.DataFrame,
    latitude: float,
    longitude: float,
    altitude: float = 0.0,
    params: SolarParameters | None = None,
    chunk: int = 128,
) -> xr.Dataset:
    """Annual irradiation and specific yield on a tilt x azimuth grid.

    Parameters
    ----------
    weather
        Canonical weather (see :mod:`geopotential.io.weather`), UTC index.
    latitude, longitude
        Site [deg].
    altitude
        Site altitude [m].
    params
        Parameters (defaults when None); the grid steps are ``table_tilt_step_deg`` and
        ``table_azimuth_step_deg``.
    chunk
        Orientations computed per vectorised block (memory bound).

    Returns
    -------
    xarray.Dataset
        Dimensions ``tilt_deg`` (0..90) and ``azimuth_deg`` (0..360 excluded); variables
        ``poa_kwh_m2_yr`` (plane-of-array global irradiation [kWh/m2/yr]),
        ``poa_effective_kwh_m2_yr`` (after incidence-angle losses [kWh/m2/yr]),
        ``dc_kwh_kwp_yr`` (DC after system losses [kWh/kWp/yr]) and
        ``specific_yield_kwh_kwp_yr`` (AC [kWh/kWp/yr]). Attributes: site, ``ghi_kwh_m2_yr``,
        optimum ``opt_tilt_deg`` / ``opt_azimuth_deg`` / ``opt_poa_kwh_m2_yr`` /
        ``opt_specific_yield_kwh_kwp_yr`` and the main parameters.
    """
    params = params or SolarParameters()
    if not isinstance(weather.index, pd.DatetimeIndex) or weather.index.tz is None:
        raise InputError("weather must have a tz-aware DatetimeIndex", field="time")
    step_h = _time_step_h(weather.index)
    years = len(weather) * step_h / 8760.0
    tilts = np.arange(0.0, 90.0 + 1e-9, params.table_tilt_step_deg)
    if tilts[-1] < 90.0:
        tilts = np.append(tilts, 90.0)
    azims = np.arange(0.0, 360.0 - 1e-9, params.table_azimuth_step_deg)
    tt, aa = np.meshgrid(tilts, azims, indexing="ij")
    tt, aa = tt.ravel(), aa.ravel()
    sun = solar_inputs(weather, latitude, longitude, altitude)
    sums = {k: np.zeros(tt.size) for k in ("poa_global", "poa_effective", "dc", "ac")}
    for s in range(0, tt.size, chunk):
        res = orientation_power(sun, tt[s : s + chunk], aa[s : s + chunk], params)
        for k in sums:
            sums[k][s : s + chunk] = res[k].sum(axis=0)
    scale = step_h / years
    shape = (tilts.size, azims.size)
    data = {
        "poa_kwh_m2_yr": sums["poa_global"] * scale / 1000.0,
        "poa_effective_kwh_m2_yr": sums["poa_effective"] * scale / 1000.0,
        "dc_kwh_kwp_yr": sums["dc"] * scale,
        "specific_yield_kwh_kwp_yr": sums["ac"] * scale,
    }
    if not np.isfinite(data["specific_yield_kwh_kwp_yr"]).all():
        raise ComputationError("orientation yield table has non-finite values")
    ds = xr.Dataset(
        {k: (("tilt_deg", "azimuth_deg"), v.reshape(shape)) for k, v in data.items()},
        coords={"tilt_deg": tilts, "azimuth_deg": azims},
    )
    units = {"poa_kwh_m2_yr": "kWh/m2/yr", "poa_effective_kwh_m2_yr": "kWh/m2/yr",
             "dc_kwh_kwp_yr": "kWh/kWp/yr", "specific_yield_kwh_kwp_yr": "kWh/kWp/yr"}
    for k, u in units.items():
        ds[k].attrs["units"] = u
    sy = ds["specific_yield_kwh_kwp_yr"]
    i, j = np.unravel_index(int(np.argmax(sy.values)), shape)
    ghi = float(weather["ghi"].fillna(0).clip(lower=0).sum()) * step_h / years / 1000.0
    ds.attrs.update(
        latitude=float(latitude), longitude=float(longitude), altitude=float(altitude),
        ghi_kwh_m2_yr=ghi, years_of_data=years, time_step_h=step_h,
        opt_tilt_deg=float(tilts[i]), opt_azimuth_deg=float(azims[j]),
        opt_poa_kwh_m2_yr=float(ds["poa_kwh_m2_yr"].values[i, j]),
        opt_specific_yield_kwh_kwp_yr=float(sy.values[i, j]),
        transposition_model=params.transposition_model, albedo=params.albedo,
        system_losses_pct=params.system_losses_pct, losses_include_inverter=int(params.losses_include_inverter),
    )
    logger.info(
        "yield table: %d orientations x %d daylight steps; optimum tilt %.0f az %.0f -> %.0f kWh/kWp/yr",
        tt.size, len(sun), tilts[i], azims[j], sy.values[i, j],
    )
    return ds


def interpolate_yield(table: xr.Dataset, tilt_deg, azimuth_deg) -> dict[str, np.ndarray]:
    """Bilinear interpolation of every table variable at many orientations (azimuth periodic).

    Parameters
    ----------
    table
        Output of :func:`orientation_yield_table` (regular grids).
    tilt_deg
        Tilts [deg], clipped to the table's range.
    azimuth_deg
        Azimuths [deg, 180 = south], any real value (taken modulo 360).

    Returns
    -------
    dict
        Variable name -> array of the broadcast shape of the inputs.
    """
    tilt = np.asarray(tilt_deg, float)
    az = np.asarray(azimuth_deg, float)
    tilt, az = np.broadcast_arrays(tilt, az)
    shape = tilt.shape
    tilt, az = tilt.ravel(), az.ravel()
    tg = table["tilt_deg"].values.astype(float)
    ag = table["azimuth_deg"].values.astype(float)
    nt, na = tg.size, ag.size
    dt = (tg[-1] - tg[0]) / (nt - 1)
    da = 360.0 / na
    if not np.allclose(np.diff(tg), dt) or not np.allclose(np.diff(ag), da) or abs(ag[0]) > 1e-9:
        raise InputError("yield table must have regular tilt and azimuth grids starting at 0", field="table")
    tc = np.clip(np.nan_to_num(tilt, nan=tg[0]), tg[0], tg[-1])
    x = (tc - tg[0]) / dt
    i0 = np.clip(np.floor(x).astype(np.int64), 0, nt - 2)
    wt = x - i0
    y = np.mod(np.nan_to_num(az, nan=180.0), 360.0) / da
    j0 = np.floor(y).astype(np.int64) % na
    wa = y - np.floor(y)
    j1 = (j0 + 1) % na
    out = {}
    for name, var in table.data_vars.items():
        v = var.values
        if v.shape != (nt, na):
            continue
        val = (
            v[i0, j0] * (1 - wt) * (1 - wa)
            + v[i0 + 1, j0] * wt * (1 - wa)
            + v[i0, j1] * (1 - wt) * wa
            + v[i0 + 1, j1] * wt * wa
        )
        out[name] = val.reshape(shape)
    return out

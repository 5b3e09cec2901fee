"""Weather time series from NetCDF (ERA5 / SARAH-like variables), one grid cell per site.

Variables are mapped to the canonical names (ghi, dni, dhi [W/m2], temp_air [degC],
wind_speed [m/s]); accumulated energies and Kelvin temperatures are converted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geopotential.exceptions import CorruptFileError, MissingFieldError
from geopotential.io.weather import _check_exists, _finish

_NC_VARIABLES = {
    "ghi": ("ghi", None), "GHI": ("ghi", None), "SIS": ("ghi", None), "rsds": ("ghi", None),
    "ssrd": ("ghi", "j_per_hour"), "influx": ("ghi", None),
    "dni": ("dni", None), "DNI": ("dni", None),
    "dhi": ("dhi", None), "DHI": ("dhi", None),
    "SID": ("direct_horizontal", None), "fdir": ("direct_horizontal", "j_per_hour"),
    "influx_direct": ("direct_horizontal", None),
    "temp_air": ("temp_air", None), "t2m": ("temp_air", "kelvin"), "tas": ("temp_air", "kelvin"),
    "temperature": ("temp_air", "kelvin_if_large"),
    "wind_speed": ("wind_speed", None), "si10": ("wind_speed", None), "sfcWind": ("wind_speed", None),
    "wnd100m": ("wind_speed", None),
}


def read_netcdf_weather(path: str | Path, latitude: float, longitude: float) -> tuple[pd.DataFrame, dict]:
    """Read an hourly weather time series from a NetCDF file at the grid cell nearest a site.

    ERA5 names (``ssrd``, ``fdir`` [J/m2 per hour], ``t2m`` [K], ``u10``/``v10`` or ``si10``),
    SARAH names (``SIS``, ``SID``, ``DNI`` [W/m2]), CF names (``rsds``, ``tas``, ``sfcWind``)
    and canonical names are recognised. Coordinates may be ``latitude``/``longitude`` or
    ``lat``/``lon`` (longitudes 0-360 accepted) and time ``time`` or ``valid_time``.

    Parameters
    ----------
    path
        NetCDF file.
    latitude, longitude
        Site [deg]; the nearest grid cell is used and its coordinates go into ``meta``.

    Returns
    -------
    weather, meta
        ``meta`` also holds ``grid_latitude``/``grid_longitude`` of the cell used; altitude
        comes from a ``z``/``altitude`` variable when present (geopotential divided by g), else 0.
    """
    import xarray as xr

    path = Path(path)
    _check_exists(path)
    try:
        ds = xr.open_dataset(path)
    except Exception as exc:
        raise CorruptFileError(f"not a readable NetCDF file ({type(exc).__name__}: {exc})", path=path) from None
    with ds:
        latn = next((n for n in ("latitude", "lat", "y") if n in ds.coords or n in ds.dims), None)
        lonn = next((n for n in ("longitude", "lon", "x") if n in ds.coords or n in ds.dims), None)
        timen = next((n for n in ("time", "valid_time") if n in ds.coords or n in ds.dims), None)
        if latn is None or lonn is None:
            raise MissingFieldError("NetCDF file has no latitude/longitude coordinates", path=path, field="latitude")
        if timen is None:
            raise MissingFieldError("NetCDF file has no time coordinate", path=path, field="time")
        lon = float(longitude)
        lons = ds[lonn].values
        if np.nanmax(lons) > 180 and lon < 0:
            lon += 360.0
        cell = ds.sel({latn: float(latitude), lonn: lon}, method="nearest")
        times = pd.DatetimeIndex(cell[timen].values)
        cols: dict[str, np.ndarray] = {}
        for name, (qty, conv) in _NC_VARIABLES.items():
            if name in cell.data_vars and qty not in cols:
                v = np.asarray(cell[name].values, dtype=float).reshape(len(times), -1)[:, 0]
                if conv == "j_per_hour":
                    v = v / 3600.0
                elif conv == "kelvin" or (conv == "kelvin_if_large" and np.nanmean(v) > 150):
                    v = v - 273.15
                cols[qty] = v
        if "wind_speed" not in cols and "u10" in cell.data_vars and "v10" in cell.data_vars:
            cols["wind_speed"] = np.hypot(
                np.asarray(cell["u10"].values, float).reshape(len(times), -1)[:, 0],
                np.asarray(cell["v10"].values, float).reshape(len(times), -1)[:, 0],
            )
        alt = 0.0
        for zname, scale in (("altitude", 1.0), ("elevation", 1.0), ("z", 1 / 9.80665)):
            if zname in cell.data_vars:
                alt = float(np.asarray(cell[zname].values, float).ravel()[0]) * scale
                break
        glat, glon = float(cell[latn].values), float(cell[lonn].values)
    if "ghi" not in cols:
        raise MissingFieldError(
            "no global irradiance variable (ghi, GHI, SIS, rsds, ssrd, influx)", path=path, field="ghi"
        )
    df = pd.DataFrame(cols, index=times)
    meta = {
        "latitude": float(latitude), "longitude": float(longitude), "altitude": alt,
        "grid_latitude": glat, "grid_longitude": glon if glon <= 180 else glon - 360,
        "source": f"NetCDF {path.name} cell ({glat:.3f}, {glon:.3f})", "approximate": False,
    }
    if "direct_horizontal" in df.columns:
        import pvlib

        idx = df.index.tz_localize("UTC") if df.index.tz is None else df.index
        zen = pvlib.solarposition.get_solarposition(idx, latitude, longitude)["zenith"].to_numpy()
        cosz = np.cos(np.radians(zen))
        bh = df.pop("direct_horizontal").to_numpy()
        if "dhi" not in df.columns:
            df["dhi"] = np.clip(df["ghi"].to_numpy() - bh, 0, None)
        if "dni" not in df.columns:
            df["dni"] = np.where(cosz > 0.065, bh / np.maximum(cosz, 0.065), 0.0)
    return _finish(df, meta, path)


# --------------------------------------------------------------------------- dispatch

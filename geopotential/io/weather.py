"""Weather and irradiance readers for the solar stage.

Every reader returns ``(weather, meta)``:

* ``weather``: :class:`pandas.DataFrame` indexed by tz-aware UTC timestamps, with the
  canonical columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [degC] and
  ``wind_speed`` [m/s]. Timestamps are the instants at which the irradiance values are valid:
  EPW hours (labelled by pvlib at the start of their hour) are moved to mid-hour, PVGIS
  records by their ``irradiance time offset``; the shift applied is ``meta["time_shift_h"]``.
  Typical years whose months come from different years are put on one year (``meta["year"]``).
* ``meta``: ``latitude`` / ``longitude`` [deg], ``altitude`` [m], ``source`` (text),
  ``approximate`` (bool: True for the offline clear-sky default), ``path``.

Bad files raise :class:`~geopotential.exceptions.CorruptFileError` or
:class:`~geopotential.exceptions.InputError` naming the file.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError
from geopotential.io.irradiance_raster import sample_irradiation_raster  # noqa: F401  (part of this API)
from geopotential.schema import WEATHER_COLUMNS

logger = logging.getLogger(__name__)

#: Year used to put typical years (months from different years) on one calendar.
TYPICAL_YEAR = 2001
_EPW_N_FIELDS = 35


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError("weather file not found", path=path)
    if path.is_dir():
        raise InputError("expected a weather file, got a directory", path=path)


def _to_typical_year(index: pd.DatetimeIndex, year: int) -> pd.DatetimeIndex:
    """Put a typical year's timestamps on ``year`` (Feb 29 kept only if ``year`` is leap)."""
    idx = index.tz_convert("UTC")
    off = idx - idx.normalize()
    days = pd.to_datetime(
        {"year": np.full(len(idx), year), "month": idx.month, "day": idx.day}, errors="coerce"
    )
    out = pd.DatetimeIndex(days).tz_localize("UTC") + off
    return out


def _finish(df: pd.DataFrame, meta: dict, path: Path | str, shift_h: float = 0.0) -> tuple[pd.DataFrame, dict]:
    """Validate and normalise a weather frame to the canonical shape."""
    if "ghi" not in df.columns:
        raise MissingFieldError("weather has no global horizontal irradiance", path=path, field="ghi")
    if not isinstance(df.index, pd.DatetimeIndex):
        raise CorruptFileError("weather index is not a time index", path=path)
    idx = df.index
    idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
    if shift_h:
        idx = idx + pd.Timedelta(hours=shift_h)
    out = pd.DataFrame(index=idx)
    for col in WEATHER_COLUMNS:
        out[col] = pd.to_numeric(df[col], errors="coerce").to_numpy(float) if col in df.columns else np.nan
    out = out[~out.index.isna()]
    out = out[~out.index.duplicated(keep="first")].sort_index()
    if len(out) == 0:
        raise CorruptFileError("weather file holds no record", path=path)
    if np.isnan(out["ghi"].to_numpy()).all():
        raise CorruptFileError("ghi column is empty or not numeric", path=path, field="ghi")
    for col in ("ghi", "dni", "dhi"):
        out[col] = out[col].clip(lower=0)
    _check_below_extraterrestrial(out, path)
    meta = dict(meta)
    meta.setdefault("approximate", False)
    meta["path"] = str(path)
    meta["time_shift_h"] = float(shift_h)
    for key in ("latitude", "longitude", "altitude"):
        try:
            meta[key] = float(meta[key])
        except (KeyError, TypeError, ValueError):
            raise MissingFieldError("site coordinate missing from the weather file", path=path, field=key) from None
        if not np.isfinite(meta[key]):
            raise MissingFieldError("site coordinate missing from the weather file", path=path, field=key)
    if out[["dni", "dhi"]].isna().all().any():
        out = _decompose(out, meta["latitude"], meta["longitude"])
    out.index.name = "time"
    return out, meta


def _check_below_extraterrestrial(df: pd.DataFrame, path: Path | str) -> None:
    """Refuse irradiance above the extraterrestrial normal irradiance of its day [W/m2].

    No ground irradiance (global, direct or diffuse) exceeds what reaches the top of the
    atmosphere (~1321-1412 W/m2, :func:`pvlib.irradiance.get_extra_radiation`); such values
    come from a wrong unit (Wh per sub-hourly step, kWh) or a missing-value code.
    """
    import pvlib

    e0 = pvlib.irradiance.get_extra_radiation(df.index).to_numpy(float)
    for col in ("ghi", "dni", "dhi"):
        v = df[col].to_numpy(float)
        above = v > e0
        if above.any():
            i = int(np.flatnonzero(above)[np.argmax(v[above])])
            raise InputError(
                f"{int(above.sum())} {col} value(s) above the extraterrestrial irradiance (up to {v[i]:g} W/m2 at "
                f"{df.index[i]}, where the Sun delivers at most {e0[i]:.0f} W/m2 above the atmosphere): wrong unit "
                "(Wh per sub-hourly step, kWh/m2?) or a missing-value code; irradiance must be in W/m2",
                path=path, field=col,
            )


def _decompose(df: pd.DataFrame, latitude: float, longitude: float) -> pd.DataFrame:
    """Split GHI into DNI and DHI with the Erbs model where they are missing."""
    import pvlib

    sp = pvlib.solarposition.get_solarposition(df.index, latitude, longitude)
    erbs = pvlib.irradiance.erbs(df["ghi"].fillna(0.0), sp["zenith"], df.index)
    df = df.copy()
    df["dni"] = df["dni"].fillna(erbs["dni"].clip(lower=0))
    df["dhi"] = df["dhi"].fillna(erbs["dhi"].clip(lower=0))
    return df


# --------------------------------------------------------------------------- PVGIS
def read_pvgis_tmy(path: str | Path, year: int = TYPICAL_YEAR) -> tuple[pd.DataFrame, dict]:
    """Read a PVGIS typical meteorological year (CSV, JSON or EPW output of PVGIS).

    Parameters
    ----------
    path
        PVGIS TMY file; its extension (``.csv``, ``.json``, ``.epw``) gives the format.
    year
        Calendar year the typical months are put on.

    Returns
    -------
    weather : pandas.DataFrame
        Canonical columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [degC],
        ``wind_speed`` [m/s], UTC index at the instants the irradiance is valid.
    meta : dict
        ``latitude``, ``longitude`` [deg], ``altitude`` [m], ``source``, ``approximate``.
    """
    import pvlib

    path = Path(path)
    _check_exists(path)
    ext = path.suffix.lower().lstrip(".")
    if ext == "epw":
        weather, meta = read_epw(path, year=year)
        meta["source"] = f"PVGIS TMY (EPW) {path.name}"
        return weather, meta
    if ext not in ("csv", "json"):
        raise InputError(f"unknown PVGIS format '.{ext}' (expected .csv, .json or .epw)", path=path)
    try:
        data, pmeta = pvlib.iotools.read_pvgis_tmy(str(path), pvgis_format=ext)
    except Exception as exc:  # pvlib raises many kinds on a bad file
        raise CorruptFileError(f"not a readable PVGIS TMY {ext.upper()} file ({type(exc).__name__}: {exc})", path=path) from None
    inputs = pmeta.get("inputs", {}) if isinstance(pmeta, dict) else {}
    loc = inputs.get("location", inputs)
    offset = loc.get("irradiance_time_offset", loc.get("irradiance time offset", 0.0)) or 0.0
    meta = {
        "latitude": loc.get("latitude"),
        "longitude": loc.get("longitude"),
        "altitude": loc.get("elevation", 0.0),
        "source": f"PVGIS TMY ({ext.upper()}) {path.name}",
        "approximate": False,
        "year": year,
    }
    if not isinstance(data.index, pd.DatetimeIndex):
        raise CorruptFileError("PVGIS TMY has no time index", path=path)
    data = data.copy()
    data.index = _to_typical_year(data.index, year)
    return _finish(data, meta, path, shift_h=float(offset))


# --------------------------------------------------------------------------- EPW
def read_epw(path: str | Path, year: int = TYPICAL_YEAR, utc_clock: bool | None = None) -> tuple[pd.DataFrame, dict]:
    """Read an EnergyPlus weather file (EPW) through :func:`pvlib.iotools.read_epw`.

    Records with more than the 35 standard EPW fields (some converters append one) are
    trimmed. A file without a full year of records (8760 or 8784 per record-per-hour) is
    refused as truncated; the EPW missing-value codes (9999 for radiation, 99.9 for air
    temperature, 999 for wind speed) become NaN with a warning. EPW values cover the hour *ending* at their time stamp; pvlib labels them at
    the start of that hour and they are moved to mid-hour here (``time_shift_h = 0.5``).

    Parameters
    ----------
    path
        EPW file.
    year
        Calendar year the typical year is put on.
    utc_clock
        Read the hours as UTC whatever the header's time zone. PVGIS writes its UTC series
        into EPW with ``TZ = 1`` in the header (checked against the same year in PVGIS CSV:
        EPW hour h holds the CSV record of UTC hour h - 1). None (default): True for
        PVGIS files (data source ``ECMWF/ERA`` in the LOCATION line), False otherwise.

    Returns
    -------
    weather, meta
        See :mod:`geopotential.io.weather`.
    """
    import pvlib

    path = Path(path)
    _check_exists(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read EPW file ({exc})", path=path) from None
    lines = text.splitlines()
    if not lines or not lines[0].startswith("LOCATION"):
        raise CorruptFileError("not an EPW file (first line must start with 'LOCATION')", path=path)
    if len(lines) > 8 and lines[8].count(",") + 1 > _EPW_N_FIELDS:
        logger.info("%s: EPW records have extra fields; keeping the first %d", path, _EPW_N_FIELDS)
        lines = lines[:8] + [",".join(ln.split(",")[:_EPW_N_FIELDS]) for ln in lines[8:] if ln.strip()]
    try:
        data, emeta = pvlib.iotools.read_epw(io.StringIO("\n".join(lines)), coerce_year=year)
    except Exception as exc:
        raise CorruptFileError(f"not a readable EPW file ({type(exc).__name__}: {exc})", path=path) from None
    _check_epw_records(data, lines, path)
    data = _epw_missing_to_nan(data, path)
    if utc_clock is None:
        utc_clock = str(emeta.get("data_type", "")).startswith("ECMWF/ERA")
    if utc_clock:
        data.index = data.index.tz_localize(None).tz_localize("UTC")
    meta = {
        "latitude": emeta.get("latitude"),
        "longitude": emeta.get("longitude"),
        "altitude": emeta.get("altitude", 0.0),
        "utc_clock": bool(utc_clock),
        "source": f"EPW {emeta.get('city', '')} {emeta.get('data_type', '')} {path.name}".replace("  ", " "),
        "approximate": False,
        "year": year,
    }
    return _finish(data, meta, path, shift_h=0.5)


#: EPW missing-value codes (EnergyPlus Auxiliary Programs, EPW data dictionary): a value
#: at or above the code is missing. pvlib.iotools.read_epw returns them as numbers.
_EPW_MISSING = {"ghi": 9999.0, "dni": 9999.0, "dhi": 9999.0, "temp_air": 99.9, "wind_speed": 999.0}


def _check_epw_records(data: pd.DataFrame, lines: list[str], path: Path) -> None:
    """A typical-year EPW holds 8760 (8784 in a leap year) records per record-per-hour."""
    try:  # DATA PERIODS,<n periods>,<records per hour>,...
        per_hour = max(int(lines[7].split(",")[2]), 1) if lines[7].upper().startswith("DATA PERIODS") else 1
    except (IndexError, ValueError):
        per_hour = 1
    full = (8760 * per_hour, 8784 * per_hour)
    if len(data) not in full:
        raise CorruptFileError(
            f"EPW holds {len(data)} records; a full year has {full[0]} ({full[1]} in a leap year): truncated file?",
            path=path,
        )


def _epw_missing_to_nan(data: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Turn EPW missing-value codes into NaN, counted in a warning (the solar stage fills them)."""
    data = data.copy()
    counts = {}
    for col, code in _EPW_MISSING.items():
        if col in data.columns:
            v = pd.to_numeric(data[col], errors="coerce")
            missing = v >= code
            if missing.any():
                counts[col] = int(missing.sum())
                data[col] = v.mask(missing)
    if counts:
        logger.warning("%s: EPW missing-value codes (9999 radiation, 99.9 temperature, 999 wind) set missing "
                       "(NaN): %s", path, counts)
    return data


# --------------------------------------------------------------------------- canonical CSV
def read_canonical_csv(path: str | Path) -> tuple[pd.DataFrame, dict]:
    """Read geopotential's own weather CSV.

    The file has a ``time`` column (UTC, ISO 8601) and canonical columns (``ghi`` required;
    ``dni``/``dhi`` derived with Erbs when absent); header comment lines ``# latitude: 49.9``,
    ``# longitude: 2.3``, ``# altitude: 30`` (and optionally ``# source: ...``,
    ``# approximate: true``) give the site. Time stamps are taken as the instants the
    irradiance is valid, unless ``# time_shift_h: <h>`` says how far to move them, or a
    ``# time: ...`` line says the values are hourly means labelled at the ``start of the
    hour`` (moved +0.5 h) or ``end of the hour`` (moved -0.5 h).

    Returns
    -------
    weather, meta
        See :mod:`geopotential.io.weather`.
    """
    path = Path(path)
    _check_exists(path)
    meta: dict = {"source": f"canonical CSV {path.name}", "approximate": False}
    shift: float | None = None
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    break
                key, sep, value = line[1:].partition(":")
                if not sep:
                    continue
                key, value = key.strip().lower(), value.strip()
                if key in ("latitude", "longitude", "altitude"):
                    meta[key] = float(value)
                elif key == "approximate":
                    meta[key] = value.lower() in ("1", "true", "yes")
                elif key == "source":
                    meta[key] = value
                elif key == "time_shift_h":
                    shift = float(value)
                elif key == "time" and shift is None:
                    low = value.lower()
                    if "start of the hour" in low or "hour start" in low:
                        shift = 0.5
                    elif "end of the hour" in low or "hour end" in low:
                        shift = -0.5
        df = pd.read_csv(path, comment="#")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorruptFileError(f"cannot parse weather CSV ({exc})", path=path) from None
    if "time" not in df.columns:
        raise MissingFieldError("weather CSV has no 'time' column", path=path, field="time")
    try:
        df.index = pd.to_datetime(df.pop("time"), utc=True)
    except (ValueError, TypeError) as exc:
        raise CorruptFileError(f"cannot parse the time column ({exc})", path=path, field="time") from None
    return _finish(df, meta, path, shift_h=shift or 0.0)


# --------------------------------------------------------------------------- NetCDF
#: NetCDF variable names -> (canonical quantity, converter). ERA5 accumulations are hourly [J/m2].
def read_weather(path: str | Path, **kw) -> tuple[pd.DataFrame, dict]:
    """Read any supported weather file, choosing the reader from its extension and content.

    ``.epw`` -> :func:`read_epw`; ``.json`` -> :func:`read_pvgis_tmy`; ``.csv`` -> PVGIS TMY
    when the file starts with PVGIS's ``Latitude`` header, else :func:`read_canonical_csv`;
    ``.nc``/``.nc4``/``.netcdf``/``.h5`` -> :func:`read_netcdf_weather` (``latitude`` and
    ``longitude`` keywords required).
    """
    path = Path(path)
    _check_exists(path)
    ext = path.suffix.lower()
    if ext == ".epw":
        return read_epw(path, **kw)
    if ext == ".json":
        return read_pvgis_tmy(path, **kw)
    if ext == ".csv":
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(200)
        if head.startswith("Latitude"):
            return read_pvgis_tmy(path, **kw)
        return read_canonical_csv(path)
    if ext in (".nc", ".nc4", ".netcdf", ".h5", ".cdf"):
        if "latitude" not in kw or "longitude" not in kw:
            raise InputError("reading NetCDF weather needs the site latitude and longitude", path=path)
        from geopotential.io.netcdf_weather import read_netcdf_weather

        return read_netcdf_weather(path, kw["latitude"], kw["longitude"])
    raise InputError(f"unknown weather format '{ext}' (expected .epw, .json, .csv or .nc)", path=path)


# --------------------------------------------------------------------------- offline default
def clearsky_weather(
    latitude: float,
    longitude: float,
    altitude: float = 0.0,
    year: int = TYPICAL_YEAR,
    params=None,
    table: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Offline approximate weather: clear sky scaled by a monthly clear-sky index.

    Hourly Ineichen clear-sky GHI with pvlib's Linke turbidity climatology, multiplied by the
    monthly clear-sky index of the nearest site of ``data/solar_clearsky_index.csv``, then
    split into DNI/DHI with Erbs. Air temperature and wind speed are constants
    (``params.clearsky_temp_air_c``, ``params.clearsky_wind_speed_m_s``).

    Parameters
    ----------
    latitude, longitude
        Site [deg].
    altitude
        Site altitude [m].
    year
        Calendar year of the series.
    params
        :class:`geopotential.solar.parameters.SolarParameters` (defaults when None).
    table
        Clear-sky index table (columns ``site, latitude_deg, longitude_deg, month,
        clearsky_index, source``); the shipped one when None.

    Returns
    -------
    weather, meta
        ``meta["approximate"]`` is True and ``meta["source"]`` names the index site and source.
    """
    import pvlib

    from geopotential.params import load_table, table_path

    if params is None:
        from geopotential.solar.parameters import SolarParameters

        params = SolarParameters()
    tab = load_table("solar_clearsky_index") if table is None else table
    src_path = table_path("solar_clearsky_index") if table is None else "<clear-sky index table>"
    need = {"site", "latitude_deg", "longitude_deg", "month", "clearsky_index", "source"}
    if not need <= set(tab.columns):
        raise MissingFieldError(f"clear-sky index table lacks {sorted(need - set(tab.columns))}", path=src_path)
    sites = tab.groupby("site")[["latitude_deg", "longitude_deg"]].first()
    d = np.hypot(
        sites["latitude_deg"] - latitude, (sites["longitude_deg"] - longitude) * np.cos(np.radians(latitude))
    )
    site = d.idxmin()
    rows = tab[tab["site"] == site].set_index("month")["clearsky_index"]
    if set(rows.index) != set(range(1, 13)):
        raise InputError(f"clear-sky index of site {site!r} does not cover the 12 months", path=src_path)
    times = pd.date_range(f"{year}-01-01 00:30", f"{year}-12-31 23:30", freq="1h", tz="UTC")
    loc = pvlib.location.Location(latitude, longitude, altitude=altitude)
    cs = loc.get_clearsky(times, model="ineichen")
    k = rows.reindex(times.month).to_numpy(float)
    ghi = cs["ghi"].to_numpy() * k
    zen = loc.get_solarposition(times)["zenith"]
    erbs = pvlib.irradiance.erbs(pd.Series(ghi, index=times), zen, times)
    weather = pd.DataFrame(
        {
            "ghi": ghi,
            "dni": erbs["dni"].clip(lower=0).to_numpy(),
            "dhi": erbs["dhi"].clip(lower=0).to_numpy(),
            "temp_air": params.clearsky_temp_air_c,
            "wind_speed": params.clearsky_wind_speed_m_s,
        },
        index=times,
    )
    weather.index.name = "time"
    src = str(tab.loc[tab["site"] == site, "source"].iloc[0])
    meta = {
        "latitude": float(latitude), "longitude": float(longitude), "altitude": float(altitude),
        "source": f"clear-sky Ineichen/Linke x monthly clear-sky index of {site} ({src})",
        "approximate": True, "path": "", "time_shift_h": 0.0, "year": year, "clearsky_index_site": str(site),
    }
    logger.warning(
        "no weather file: using approximate clear-sky weather scaled by the clear-sky index of %s", site
    )
    return weather, meta


def __getattr__(name: str):
    # read_netcdf_weather lives in its own module (one reader per format); kept importable here
    if name == "read_netcdf_weather":
        from geopotential.io.netcdf_weather import read_netcdf_weather

        return read_netcdf_weather
    raise AttributeError(name)

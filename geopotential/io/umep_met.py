"""Read UMEP / SUEWS meteorological forcing files (``*.txt``, 24 space-separated columns).

Columns: ``iy id it imin qn qh qe qs qf U RH Tair pres rain kdown snow ldown fcld wuh xsmd
lai kdiff kdir wdir``; -999 is missing. ``kdown`` is global horizontal, ``kdiff`` diffuse
horizontal and ``kdir`` direct *normal* irradiance [W/m2] (SEBE's ``sunmapcreator``
divides ``kdown - kdiff`` by sin(altitude) when ``kdir`` is missing). Timestamps are in
local time and mark the end of the interval (SUEWS convention). The file holds no
location: pass the site's latitude and longitude. As the project's other weather readers
(:mod:`geopotential.io.weather`), the returned index holds the instants at which the values
are valid: interval ends are moved back by half an interval (``meta["time_shift_h"]``). The
UTC offset, when not given, is
inferred as the whole hour that puts no irradiance at night and none above the
extraterrestrial value; the same check rejects a file whose dates are not those of its
irradiance (e.g. a series shifted by half a year).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from geopotential.exceptions import CorruptFileError, InputError

logger = logging.getLogger(__name__)

UMEP_COLUMNS = ["iy", "id", "it", "imin", "qn", "qh", "qe", "qs", "qf", "U", "RH", "Tair", "pres",
                "rain", "kdown", "snow", "ldown", "fcld", "wuh", "xsmd", "lai", "kdiff", "kdir", "wdir"]
MISSING = -999.0
#: Share of the annual irradiance allowed at night or above the extraterrestrial value
#: before the time stamps are declared inconsistent [-] (GBG_TMY_1977 gives 0 at UTC+1).
MAX_INCONSISTENT_SHARE = 0.02


def _inconsistency(times_utc_mid, ghi, latitude, longitude) -> float:
    import pvlib

    sp = pvlib.solarposition.get_solarposition(times_utc_mid, latitude, longitude)
    cosz = np.cos(np.radians(sp["apparent_zenith"].to_numpy()))
    toa = np.maximum(0.0, pvlib.irradiance.get_extra_radiation(times_utc_mid).to_numpy() * cosz)
    excess = np.maximum(ghi - toa - 20.0, 0.0)  # 20 W/m2 slack for interval averaging
    total = max(float(ghi.sum()), 1e-9)
    return float(excess.sum() / total)


def read_umep_met(path: str | Path, latitude: float | None = None, longitude: float | None = None,
                  altitude: float = 0.0, utc_offset_h: float | None = None, validate: bool = True):
    """Read a UMEP/SUEWS met forcing file.

    Parameters
    ----------
    path : path
    latitude, longitude : float [deg], optional
        Site location (the file has none). Needed to infer the UTC offset and to check the
        time stamps; without them ``utc_offset_h`` must be given (else 0 is assumed and
        logged) and the check is skipped.
    altitude : float [m]
    utc_offset_h : float [h], optional
        Offset of the file's local time from UTC (Gothenburg: +1).
    validate : bool
        Raise when more than 2 % of the irradiance falls at night or above the
        extraterrestrial irradiance at the stamped times.

    Returns
    -------
    weather : DataFrame
        ``ghi, dni, dhi`` [W/m2], ``temp_air`` [degC], ``wind_speed`` [m/s],
        ``relative_humidity`` [%], indexed by tz-aware UTC mid-interval times.
    meta : dict
        ``latitude, longitude, altitude, source, approximate (False), path, utc_offset_h,
        time_shift_h (-interval/2), interval_min``.

    Raises
    ------
    InputError
        Missing file or columns, duplicated stamps, inconsistent time stamps.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("met file not found", path=path)
    try:
        raw = pd.read_csv(path, sep=r"\s+", header=None, comment=None, dtype=str, encoding="latin-1")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"cannot parse UMEP met file ({exc})", path=path) from None
    if raw.shape[1] != len(UMEP_COLUMNS):
        raise CorruptFileError(f"expected {len(UMEP_COLUMNS)} columns, found {raw.shape[1]}", path=path)
    first = str(raw.iloc[0, 0]).lstrip("%")
    if not first.lstrip("-").isdigit():
        raw = raw.iloc[1:]
    try:
        df = raw.astype(float)
    except ValueError as exc:
        raise CorruptFileError(f"non-numeric value ({exc})", path=path) from None
    df.columns = UMEP_COLUMNS
    df = df.replace(MISSING, np.nan)
    try:
        stamp = (pd.to_datetime(df["iy"].astype(int).astype(str), format="%Y")
                 + pd.to_timedelta(df["id"] - 1, unit="D") + pd.to_timedelta(df["it"], unit="h")
                 + pd.to_timedelta(df["imin"], unit="min"))
    except (ValueError, OverflowError) as exc:  # a year such as '201' from a truncated line
        raise CorruptFileError(f"invalid time stamp in columns iy/id/it/imin ({str(exc).splitlines()[0]})",
                               path=path, field="iy") from None
    local = pd.DatetimeIndex(stamp)
    if local.has_duplicates:
        raise InputError(f"{int(local.duplicated().sum())} duplicated time stamps", path=path, field="iy/id/it/imin")
    order = np.argsort(local.values, kind="stable")
    df = df.iloc[order]
    local = local[order]
    step = pd.Series(local).diff().median()
    interval_min = float(step / pd.Timedelta(minutes=1)) if pd.notna(step) else 60.0

    ghi = df["kdown"].to_numpy()
    if np.all(np.isnan(ghi)):
        raise InputError("no global radiation (kdown) in file", path=path, field="kdown")
    dhi_raw = df["kdiff"].to_numpy()
    dni_raw = df["kdir"].to_numpy()
    if np.all(np.isnan(dhi_raw)) or np.all(np.isnan(dni_raw)):
        raise InputError("kdiff/kdir missing: split global radiation first (e.g. Reindl et al. 1990)",
                         path=path, field="kdiff")
    for name, col in (("kdown", ghi), ("kdiff", dhi_raw), ("kdir", dni_raw)):
        n_missing = int(np.isnan(col).sum())
        if n_missing:
            logger.warning("%s: %d missing (-999) %s values counted as 0 W/m2", path, n_missing, name)
    ghi = np.clip(np.nan_to_num(ghi), 0, None)

    half = pd.Timedelta(minutes=interval_min / 2)
    if utc_offset_h is None:
        if latitude is None or longitude is None:
            logger.warning("%s: no location and no utc_offset_h given, assuming UTC", path)
            utc_offset_h = 0.0
        else:
            guess = round(longitude / 15.0)
            cands = sorted(range(-12, 15), key=lambda h: abs(h - guess))
            scores = {h: _inconsistency(local - pd.Timedelta(hours=h) - half, ghi, latitude, longitude)
                      for h in cands[:5]}
            utc_offset_h = float(min(scores, key=lambda h: (round(scores[h], 4), abs(h - guess))))
            logger.info("%s: inferred UTC offset %+g h (inconsistent share %.4f)", path, utc_offset_h,
                        scores[int(utc_offset_h)])
    utc = (local - pd.Timedelta(hours=utc_offset_h)).tz_localize("UTC")
    if validate and latitude is not None and longitude is not None:
        bad = _inconsistency(utc - half, ghi, latitude, longitude)
        if bad > MAX_INCONSISTENT_SHARE:
            raise InputError(
                f"{100 * bad:.1f} % of the global radiation falls at night or above the extraterrestrial "
                f"irradiance at the stamped times (UTC offset {utc_offset_h:+g} h): the dates (iy/id) or "
                "hours do not match the irradiance; fix the file or pass validate=False",
                path=path, field="iy/id/it")
    weather = pd.DataFrame(
        {
            "ghi": ghi,
            "dni": np.clip(np.nan_to_num(dni_raw), 0, None),
            "dhi": np.clip(np.nan_to_num(dhi_raw), 0, None),
            "temp_air": df["Tair"].to_numpy(),
            "wind_speed": df["U"].to_numpy(),
            "relative_humidity": df["RH"].to_numpy(),
        },
        index=utc - half,
    )
    weather.index.name = "time"
    meta = {
        "latitude": latitude, "longitude": longitude, "altitude": altitude, "source": str(path),
        "approximate": False, "path": str(path), "utc_offset_h": utc_offset_h,
        "time_shift_h": -interval_min / 120.0, "interval_min": interval_min,
    }
    return weather, meta

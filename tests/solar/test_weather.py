"""Weather readers: real PVGIS/EPW files, canonical CSV, NetCDF, rasters, clear-sky default."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
import xarray as xr
from rasterio.transform import from_origin

from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError
from geopotential.io.weather import (
    clearsky_weather,
    read_canonical_csv,
    read_epw,
    read_netcdf_weather,
    read_pvgis_tmy,
    read_weather,
    sample_irradiation_raster,
)
from geopotential.schema import WEATHER_COLUMNS
from tests._shared import shared_path

PVGIS_GHI_KWH = 1435.861  # sum of G(h) in the PVGIS TMY file [kWh/m2/yr]


def _check_canonical(weather: pd.DataFrame) -> None:
    assert list(weather.columns) == list(WEATHER_COLUMNS)
    assert str(weather.index.tz) == "UTC"
    assert weather.index.is_monotonic_increasing and weather.index.is_unique
    assert (weather[["ghi", "dni", "dhi"]] >= 0).all().all()


@pytest.mark.parametrize("name", ["tmy_45.000_8.000_2005_2023.csv", "tmy_45.000_8.000_2005_2023.json",
                                  "tmy_45.000_8.000_2005_2023.epw"])
def test_pvgis_tmy_three_formats(pvgis_dir, name):
    weather, meta = read_weather(pvgis_dir / name)
    _check_canonical(weather)
    assert len(weather) == 8760
    assert weather["ghi"].sum() / 1000 == pytest.approx(PVGIS_GHI_KWH, abs=0.01)
    assert not weather.isna().any().any()
    assert (meta["latitude"], meta["longitude"], meta["altitude"]) == (45.0, 8.0, 250.0)
    assert meta["approximate"] is False and name in meta["source"]


def test_pvgis_time_offset_applied(pvgis_dir):
    weather, meta = read_pvgis_tmy(pvgis_dir / "tmy_45.000_8.000_2005_2023.json")
    assert meta["time_shift_h"] == pytest.approx(0.1761)
    assert weather.index[0] == pd.Timestamp("2001-01-01 00:00", tz="UTC") + pd.Timedelta(hours=0.1761)


def test_pvgis_epw_is_aligned_with_pvgis_csv(pvgis_dir):
    csv, _ = read_weather(pvgis_dir / "tmy_45.000_8.000_2005_2023.csv")
    epw, meta = read_weather(pvgis_dir / "tmy_45.000_8.000_2005_2023.epw")
    assert meta["utc_clock"] is True
    # same records; the EPW stamps (mid-hour) are 20 min after PVGIS's irradiance instants
    np.testing.assert_allclose(epw["ghi"].to_numpy(), csv["ghi"].to_numpy())
    lag = (epw.index - csv.index).total_seconds() / 60.0
    np.testing.assert_allclose(lag, 30.0 - 0.1761 * 60.0, atol=0.01)


def test_epw_with_extra_field_is_read():
    path = shared_path("larochelle-tmyx", "FRA_AC_La.Rochelle.Intl.AP.073160_TMYx_UWG.epw")
    weather, meta = read_epw(path)
    _check_canonical(weather)
    assert len(weather) == 8760
    assert weather["ghi"].sum() / 1000 == pytest.approx(1377.874, abs=0.01)
    assert meta["latitude"] == pytest.approx(46.1781) and meta["longitude"] == pytest.approx(-1.1931)
    assert meta["time_shift_h"] == 0.5


def test_canonical_csv_roundtrip(tmp_path, pvgis_weather):
    weather, _ = pvgis_weather
    path = tmp_path / "w.csv"
    with path.open("w") as fh:
        fh.write("# latitude: 49.894\n# longitude: 2.296\n# altitude: 30\n# source: demo\n")
        weather.iloc[:48].rename_axis("time").reset_index().to_csv(fh, index=False)
    w2, meta = read_weather(path)
    assert meta["latitude"] == 49.894 and meta["altitude"] == 30.0 and meta["source"] == "demo"
    pd.testing.assert_frame_equal(w2, weather.iloc[:48], check_freq=False, check_names=False)


@pytest.mark.parametrize("line, shift", [("# time: UTC, start of the hour; hourly means\n", 0.5),
                                         ("# time: UTC, end of the hour\n", -0.5),
                                         ("# time_shift_h: 0.25\n", 0.25), ("", 0.0)])
def test_canonical_csv_time_label(tmp_path, line, shift):
    path = tmp_path / "w.csv"
    path.write_text("# latitude: 49.9\n# longitude: 2.3\n# altitude: 30\n" + line
                    + "time,ghi,dni,dhi\n2021-06-21T12:00:00Z,800,600,200\n2021-06-21T13:00:00Z,700,500,200\n")
    w, meta = read_canonical_csv(path)
    assert meta["time_shift_h"] == shift
    assert w.index[0] == pd.Timestamp("2021-06-21 12:00", tz="UTC") + pd.Timedelta(hours=shift)


def test_canonical_csv_ghi_only_is_decomposed(tmp_path):
    t = pd.date_range("2021-06-21 00:30", periods=24, freq="1h", tz="UTC")
    ghi = np.clip(800 * np.sin(np.pi * (t.hour - 4) / 16), 0, None)
    path = tmp_path / "g.csv"
    path.write_text("# latitude: 49.9\n# longitude: 2.3\n# altitude: 30\n"
                    + pd.DataFrame({"time": t, "ghi": ghi}).to_csv(index=False))
    w, _ = read_canonical_csv(path)
    assert (w["dhi"] <= w["ghi"] + 1e-9).all() and w["dni"].max() > 0
    assert w["temp_air"].isna().all()


def test_bad_files_name_the_file(tmp_path):
    missing = tmp_path / "nope.epw"
    with pytest.raises(InputError, match="nope.epw"):
        read_weather(missing)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CorruptFileError, match="bad.json"):
        read_weather(bad)
    notime = tmp_path / "notime.csv"
    notime.write_text("# latitude: 1\n# longitude: 1\n# altitude: 0\nghi\n1\n")
    with pytest.raises(MissingFieldError, match="notime.csv"):
        read_weather(notime)
    nolat = tmp_path / "nolat.csv"
    nolat.write_text("time,ghi\n2020-01-01T12:00Z,100\n2020-01-01T13:00Z,100\n")
    with pytest.raises(MissingFieldError, match="latitude"):
        read_weather(nolat)
    epw = tmp_path / "x.epw"
    epw.write_text("garbage\n")
    with pytest.raises(CorruptFileError, match="x.epw"):
        read_weather(epw)
    with pytest.raises(InputError, match="unknown weather format"):
        other = tmp_path / "w.xyz"
        other.write_text("x")
        read_weather(other)


def test_netcdf_era5_like_nearest_cell(tmp_path):
    t = pd.date_range("2020-06-01", periods=48, freq="1h")
    lat = np.array([50.0, 49.75, 49.5])
    lon = np.array([2.0, 2.25, 2.5])
    shape = (t.size, lat.size, lon.size)
    ghi_wm2 = np.clip(700 * np.sin(np.pi * (t.hour.to_numpy() - 4) / 16), 0, None)
    ssrd = np.broadcast_to(ghi_wm2[:, None, None] * 3600.0, shape).copy()
    ssrd[:, 1, 1] *= 0.5  # the cell nearest the site
    ds = xr.Dataset(
        {
            "ssrd": (("valid_time", "latitude", "longitude"), ssrd),
            "fdir": (("valid_time", "latitude", "longitude"), ssrd * 0.6),
            "t2m": (("valid_time", "latitude", "longitude"), np.full(shape, 293.15)),
            "u10": (("valid_time", "latitude", "longitude"), np.full(shape, 3.0)),
            "v10": (("valid_time", "latitude", "longitude"), np.full(shape, 4.0)),
        },
        coords={"valid_time": t, "latitude": lat, "longitude": lon},
    )
    path = tmp_path / "era5.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    w, meta = read_weather(path, latitude=49.8, longitude=2.3)
    _check_canonical(w)
    assert meta["grid_latitude"] == 49.75 and meta["grid_longitude"] == 2.25
    np.testing.assert_allclose(w["ghi"].to_numpy(), 0.5 * ghi_wm2)
    np.testing.assert_allclose(w["dhi"].to_numpy(), 0.5 * ghi_wm2 * 0.4, atol=1e-9)
    np.testing.assert_allclose(w["temp_air"], 20.0)
    np.testing.assert_allclose(w["wind_speed"], 5.0)
    with pytest.raises(InputError, match="latitude"):
        read_weather(path)


def test_netcdf_without_irradiance(tmp_path):
    ds = xr.Dataset({"t2m": (("time", "lat", "lon"), np.ones((2, 1, 1)))},
                    coords={"time": pd.date_range("2020", periods=2, freq="h"), "lat": [49.0], "lon": [2.0]})
    path = tmp_path / "t.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    with pytest.raises(MissingFieldError, match="t.nc"):
        read_netcdf_weather(path, 49.0, 2.0)


def _write_raster(path, data, crs="EPSG:4326", transform=None):
    transform = transform or from_origin(2.0, 50.0, 0.1, 0.1)
    with rasterio.open(path, "w", driver="GTiff", height=data.shape[-2], width=data.shape[-1],
                       count=data.shape[0], dtype="float32", crs=crs, transform=transform, nodata=-9999) as dst:
        dst.write(data.astype("float32"))


def test_sample_irradiation_raster_reprojects_points(tmp_path):
    data = np.arange(100, dtype=float).reshape(1, 10, 10) + 1000.0
    data[0, 0, 1] = -9999
    path = tmp_path / "ghi.tif"
    _write_raster(path, data)
    # cell (row 2, col 3) covers lon 2.3-2.4, lat 49.7-49.8; (0, 1) is nodata; one point outside
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(2.35, 49.75), shapely.Point(2.15, 49.95),
                                     shapely.Point(5.0, 45.0), None], crs="EPSG:4326")
    poly = gpd.GeoDataFrame(geometry=[shapely.Point(2.35, 49.75).buffer(0.001)], crs="EPSG:4326").to_crs(2154)
    v = sample_irradiation_raster(path, pts.to_crs(2154))
    assert v[0] == pytest.approx(1023.0)
    assert np.isnan(v[1]) and np.isnan(v[2]) and np.isnan(v[3])
    assert sample_irradiation_raster(path, poly)[0] == pytest.approx(1023.0)


def test_raster_without_crs_and_points_without_crs(tmp_path):
    path = tmp_path / "nocrs.tif"
    _write_raster(path, np.ones((1, 10, 10)), crs=None)
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(2.35, 49.75)], crs="EPSG:4326")
    with pytest.raises(InputError, match="nocrs.tif"):
        sample_irradiation_raster(path, pts)
    ok = tmp_path / "ok.tif"
    _write_raster(ok, np.ones((1, 10, 10)))
    with pytest.raises(InputError, match="no CRS"):
        sample_irradiation_raster(ok, pts.set_crs(None, allow_override=True))


def test_sample_monthly_raster_is_summed(tmp_path):
    data = np.stack([np.full((10, 10), float(m)) for m in range(1, 13)])
    path = tmp_path / "monthly.tif"
    _write_raster(path, data)
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(2.35, 49.75)], crs="EPSG:4326")
    assert sample_irradiation_raster(path, pts)[0] == pytest.approx(78.0)
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"not a tiff")
    with pytest.raises(CorruptFileError, match="bad.tif"):
        sample_irradiation_raster(bad, pts)


def test_clearsky_default_is_flagged_approximate():
    weather, meta = clearsky_weather(49.894, 2.296, 30.0, year=2021)
    _check_canonical(weather)
    assert len(weather) == 8760 and meta["approximate"] is True
    assert "Ineichen" in meta["source"] and meta["clearsky_index_site"] == "la_rochelle"
    ghi = weather["ghi"].sum() / 1000
    assert 1000 < ghi < 1400  # northern-France order of magnitude scaled by La Rochelle's k
    # dni/dhi consistent with ghi (Erbs closure, within 2 %)
    import pvlib

    zen = pvlib.solarposition.get_solarposition(weather.index, 49.894, 2.296)["zenith"]
    closure = weather["dhi"] + weather["dni"] * np.cos(np.radians(zen)).clip(lower=0)
    assert closure.sum() == pytest.approx(weather["ghi"].sum(), rel=0.02)


def test_clearsky_index_table_nearest_site():
    tab = pd.DataFrame({"site": ["a"] * 12 + ["b"] * 12, "latitude_deg": [10.0] * 12 + [50.0] * 12,
                        "longitude_deg": [0.0] * 24, "month": list(range(1, 13)) * 2,
                        "clearsky_index": [1.0] * 12 + [0.5] * 12, "source": ["x"] * 24})
    full, _ = clearsky_weather(49.0, 0.0, 0.0, table=tab.assign(clearsky_index=1.0))
    half, meta = clearsky_weather(49.0, 0.0, 0.0, table=tab)
    assert meta["clearsky_index_site"] == "b"
    assert half["ghi"].sum() == pytest.approx(0.5 * full["ghi"].sum())


def test_pvgis_json_metadata_not_hidden(tmp_path, pvgis_dir):
    # a PVGIS JSON stripped of its location must fail naming the field, not with a KeyError
    src = json.loads((pvgis_dir / "tmy_45.000_8.000_2005_2023.json").read_text())
    del src["inputs"]["location"]
    path = tmp_path / "noloc.json"
    path.write_text(json.dumps(src))
    with pytest.raises(InputError, match="noloc.json"):
        read_pvgis_tmy(path)

"""Readers: UMEP met files, DSM/DEM/canopy GeoTIFFs, the GeoTIFF writer."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine

from geopotential.exceptions import InputError
from geopotential.io.dsm import read_raster
from geopotential.io.raster import NODATA, write_geotiff
from geopotential.io.umep_met import read_umep_met
from tests._shared import shared_path


def test_read_umep_met_gothenburg(gbg_weather):
    w, meta = gbg_weather
    assert list(w.columns[:5]) == ["ghi", "dni", "dhi", "temp_air", "wind_speed"]
    assert len(w) == 8760 and str(w.index.tz) == "UTC"
    assert meta["utc_offset_h"] == 1.0  # Swedish standard time, inferred from the irradiance
    assert meta["approximate"] is False and meta["latitude"] == 57.7
    assert w["ghi"].sum() / 1000 == pytest.approx(970.0, abs=1.0)
    assert (w[["ghi", "dni", "dhi"]] >= 0).all().all()
    # the first hour ends 1977-01-01 00:00 local = 1976-12-31 23:00 UTC; its middle is 22:30
    assert str(w.index[0]) == "1976-12-31 22:30:00+00:00" and meta["time_shift_h"] == -0.5


def test_read_umep_met_rejects_mislabelled_dates():
    """The La Rochelle TMYx file carries January irradiance stamped as July (day 181 first)."""
    path = shared_path("larochelle-tmyx", "FRA_AC_La.Rochelle.073150_TMYx.2004-2018_UMEP.txt")
    with pytest.raises(InputError, match="La.Rochelle"):
        read_umep_met(path, latitude=46.18, longitude=-1.19, utc_offset_h=1)
    w, meta = read_umep_met(path, latitude=46.18, longitude=-1.19, utc_offset_h=1, validate=False)
    assert len(w) == 8760 and w["ghi"].sum() / 1000 == pytest.approx(1391.7, abs=1.0)


def test_read_raster_gothenburg_and_mosaic(gbg_dir, tmp_path):
    r = read_raster(gbg_dir / "DSM_KRbig.tif")
    assert r.array.shape == (223, 234) and r.res == 1.0 and r.crs.to_epsg() == 3007
    # split into two files and mosaic them back
    top, bottom = tmp_path / "a.tif", tmp_path / "b.tif"
    write_geotiff(top, r.array[:100], r.transform, r.crs)
    write_geotiff(bottom, r.array[100:], r.transform * Affine.translation(0, 100), r.crs)
    m = read_raster([top, bottom])
    np.testing.assert_array_equal(m.array, r.array)


def test_read_raster_not_in_metres_names_the_file(tmp_path):
    path = tmp_path / "geographic.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       crs="EPSG:4326", transform=Affine(0.001, 0, 2.3, 0, -0.001, 49.9)) as dst:
        dst.write(np.ones((1, 4, 4), np.float32))
    with pytest.raises(InputError, match="geographic.tif"):
        read_raster(path)
    with pytest.raises(InputError, match="not found"):
        read_raster(tmp_path / "missing.tif")


def test_write_geotiff_is_tiled_compressed_with_nodata(tmp_path):
    a = np.arange(600 * 500, dtype=np.float32).reshape(600, 500)
    a[0, 0] = np.nan
    p = write_geotiff(tmp_path / "irr.tif", a, Affine(1, 0, 0, 0, -1, 600), "EPSG:2154",
                      names=["irradiation_kwh_m2_yr"])
    with rasterio.open(p) as src:
        assert src.profile["tiled"] and src.compression.name.lower() == "deflate"
        assert src.nodata == NODATA and src.descriptions[0] == "irradiation_kwh_m2_yr"
        back = src.read(1, masked=True)
    assert back.mask[0, 0] and back[1, 1] == a[1, 1]
    nodata_tile = read_raster(p)
    assert np.isnan(nodata_tile.array[0, 0])


def test_undeclared_nodata_sentinel_becomes_nan(tmp_path, caplog):
    path = tmp_path / "sentinel.tif"
    a = np.full((4, 4), 35.0, np.float32)
    a[0, 0] = -9999.0
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       crs="EPSG:2154", transform=Affine(1, 0, 648000, 0, -1, 6977000)) as dst:
        dst.write(a[None])  # no nodata tag
    with caplog.at_level("WARNING"):
        r = read_raster(path)
    assert np.isnan(r.array[0, 0]) and np.nanmin(r.array) == 35.0
    assert any("sentinel.tif" in rec.getMessage() for rec in caplog.records)


def test_missing_kdown_is_reported(gbg_dir, tmp_path, caplog):
    lines = (gbg_dir / "GBG_TMY_1977.txt").read_text().splitlines()
    fields = lines[13].split()  # 1 January, 12:00 local: kdown 94 W/m2
    assert float(fields[14]) > 0
    fields[14] = "-999.00"
    lines[13] = " ".join(fields)
    path = tmp_path / "met.txt"
    path.write_text("\n".join(lines) + "\n")
    with caplog.at_level("WARNING"):
        w, _ = read_umep_met(path, latitude=57.7, longitude=12.0)
    assert any("kdown" in rec.getMessage() and rec.levelname == "WARNING" for rec in caplog.records)
    assert (w["ghi"] >= 0).all()

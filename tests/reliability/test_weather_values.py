"""NaN, negative, missing-code and absurd values in weather files: negative irradiance is
clipped to 0; missing-value codes must never be read as irradiance; values above what the
Sun can deliver must not pass silently."""

from __future__ import annotations

import numpy as np
import pytest

from geopotential.exceptions import InputError
from geopotential.io.umep_met import read_umep_met
from geopotential.io.weather import read_canonical_csv, read_epw

EPW = ("larochelle-tmyx", "FRA_AC_La.Rochelle.Intl.AP.073160_TMYx_UWG.epw")
MET = ("larochelle-tmyx", "FRA_AC_La.Rochelle.073150_TMYx.2004-2018_UMEP.txt")
HEADER = "# latitude: 49.9\n# longitude: 2.3\n# altitude: 30\n"
#: Solar constant [W/m2]: no hourly GHI at the ground exceeds it.
SOLAR_CONSTANT = 1361.0


def _epw_with(shared_data, tmp_path, row: int, values: dict[int, str]):
    lines = shared_data.joinpath(*EPW).read_text().splitlines()
    fields = lines[8 + row].split(",")
    for i, v in values.items():
        fields[i] = v
    lines[8 + row] = ",".join(fields)
    path = tmp_path / "w.epw"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_negative_irradiance_is_clipped(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(HEADER + "time,ghi,dni,dhi\n2021-06-01T12:00Z,-5,-1,-2\n2021-06-01T13:00Z,700,500,200\n")
    w, _ = read_canonical_csv(path)
    assert w[["ghi", "dni", "dhi"]].iloc[0].tolist() == [0.0, 0.0, 0.0]
    assert w["ghi"].iloc[1] == 700.0


def test_negative_epw_irradiance_is_clipped(shared_data, tmp_path):
    path = _epw_with(shared_data, tmp_path, 12, {13: "-50"})  # 1 Jan 13:00, GHI
    w, _ = read_epw(path)
    assert len(w) == 8760 and (w[["ghi", "dni", "dhi"]] >= 0).all().all()


def test_all_ghi_missing_is_an_error(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(HEADER + "time,ghi\n2021-06-01T12:00Z,\n2021-06-01T13:00Z,n/a\n")
    with pytest.raises(InputError, match="ghi"):
        read_canonical_csv(path)


def test_epw_missing_code_is_not_irradiance(shared_data, tmp_path):
    path = _epw_with(shared_data, tmp_path, 12, {13: "9999", 14: "9999", 15: "9999"})
    w, _ = read_epw(path)
    assert not (w[["ghi", "dni", "dhi"]] > SOLAR_CONSTANT).any().any()


def test_ghi_above_solar_constant(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(HEADER + "time,ghi\n2021-06-01T12:00Z,5000\n2021-06-01T13:00Z,700\n")
    try:
        w, _ = read_canonical_csv(path)
    except InputError as exc:
        assert "ghi" in str(exc)
        return
    assert (w["ghi"] <= SOLAR_CONSTANT).all()


def test_umep_missing_daytime_kdown_is_reported(shared_data, tmp_path, geo_log):
    lines = shared_data.joinpath(*MET).read_text().splitlines()
    fields = lines[13].split()  # 30 June, 13:00 local: kdown 153 W/m2
    assert fields[2] == "13" and float(fields[14]) > 0
    fields[14] = "-999.0"
    lines[13] = " ".join(fields)
    path = tmp_path / "met.txt"
    path.write_text("\n".join(lines) + "\n")
    w0, _ = read_umep_met(shared_data.joinpath(*MET), utc_offset_h=1)
    w, _ = read_umep_met(path, utc_offset_h=1)
    changed = w0["ghi"].to_numpy() != w["ghi"].to_numpy()
    assert changed.sum() == 1 and w0["ghi"].to_numpy()[changed][0] == 153.0
    assert np.isnan(w["ghi"].to_numpy()[changed][0]) or any(
        r.levelname == "WARNING" and "kdown" in r.getMessage() for r in geo_log.records)


def test_epw_missing_codes_become_nan_and_are_counted(shared_data, tmp_path, geo_log):
    # 1 Jan 13:00: dry-bulb temperature (field 6) 99.9, GHI (13) 9999, wind speed (21) 999
    path = _epw_with(shared_data, tmp_path, 12, {6: "99.9", 13: "9999", 21: "999."})
    w, _ = read_epw(path)
    assert len(w) == 8760
    assert w[["ghi", "temp_air", "wind_speed"]].isna().sum().tolist() == [1, 1, 1]
    assert "EPW missing-value codes" in geo_log.text and "'ghi': 1" in geo_log.text


def test_direct_irradiance_above_the_extraterrestrial_is_an_error(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(HEADER + "time,ghi,dni,dhi\n2021-06-01T12:00Z,900,1500,100\n")
    with pytest.raises(InputError, match=r"\[dni\]: 1 dni value\(s\) above the extraterrestrial irradiance"):
        read_canonical_csv(path)

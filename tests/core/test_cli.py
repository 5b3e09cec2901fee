"""The command line: help, version, errors as one line with exit code 2, init-config, validate."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

import geopotential
from geopotential.cli import main

COMMANDS = ["demo", "run", "init-config", "validate", "show-versions", "schema", "fetch"]


@pytest.fixture()
def runner():
    return CliRunner()


def _one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got: {text!r}"
    return lines[0]


def test_version_and_help(runner):
    r = runner.invoke(main, ["--version"])
    assert r.exit_code == 0 and geopotential.__version__ in r.output
    r = runner.invoke(main, ["--help"])
    assert r.exit_code == 0
    for cmd in COMMANDS:
        assert cmd in r.output
        h = runner.invoke(main, [cmd, "--help"])
        assert h.exit_code == 0, (cmd, h.output)
        assert "Usage:" in h.output


def test_show_versions_lists_gdal_and_proj(runner):
    r = runner.invoke(main, ["show-versions"])
    assert r.exit_code == 0
    for key in ("geopotential", "pvlib", "GDAL", "PROJ", "GEOS"):
        assert key in r.output


def test_bad_usage_exits_2(runner):
    r = runner.invoke(main, ["run"])
    assert r.exit_code == 2
    r = runner.invoke(main, ["no-such-command"])
    assert r.exit_code == 2


def test_init_config_then_validate(runner, tmp_path):
    p = tmp_path / "c.yaml"
    r = runner.invoke(main, ["init-config", str(p)])
    assert r.exit_code == 0 and p.exists()
    r = runner.invoke(main, ["init-config", str(p)])
    assert r.exit_code == 2 and "--force" in _one_line(r.stderr)
    r = runner.invoke(main, ["validate", str(p)])
    assert r.exit_code == 0, r.output
    assert "valid" in r.output


def _gpkg_without_crs(path):
    gdf = gpd.GeoDataFrame({"cleabs": ["B1"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=None)
    gdf.to_file(path, driver="GPKG", layer="batiment")


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        ("solar:\n  sytem_losses_pct: 10\n", "solar.sytem_losses_pct: unknown key"),
        ("solar:\n  system_losses_pct: -5\n", "solar.system_losses_pct"),
        ("inputs:\n  weather: nowhere.csv\n", "nowhere.csv"),
        ("inputs:\n  buildings:\n    path: nocrs.gpkg\n", "no CRS"),
        ("inputs:\n  dsm: [empty.tif]\n", "empty"),
    ],
)
def test_validate_reports_one_line_and_exit_2(runner, tmp_path, content, expect):
    _gpkg_without_crs(tmp_path / "nocrs.gpkg")
    (tmp_path / "empty.tif").write_bytes(b"")
    p = tmp_path / "c.yaml"
    p.write_text(content)
    r = runner.invoke(main, ["validate", str(p)])
    assert r.exit_code == 2, r.output
    line = _one_line(r.stderr)
    assert line.startswith("error: ") and expect in line


def test_file_without_crs_can_be_given_one_in_config(runner, tmp_path):
    _gpkg_without_crs(tmp_path / "nocrs.gpkg")
    p = tmp_path / "c.yaml"
    p.write_text("inputs:\n  buildings:\n    path: nocrs.gpkg\n    crs: EPSG:2154\n")
    r = runner.invoke(main, ["validate", str(p)])
    assert r.exit_code == 0, r.output


def test_demo_end_to_end_through_the_installed_command(tmp_path):
    """`geopotential demo` as a user runs it: a subprocess of the installed entry point."""
    import json
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = shutil.which("geopotential", path=str(Path(sys.executable).parent))
    assert exe, "the geopotential command is not installed in this environment"
    proc = subprocess.run(
        [exe, "demo", "--out", str(tmp_path), "--buildings", "300", "--no-progress"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "SYNTHETIC" in proc.stdout
    run = tmp_path / "demo"
    for name in ("geopotential.gpkg", "map.html", "report.html", "summary.csv", "run.json", "run.log"):
        assert (run / name).is_file(), name
    meta = json.loads((run / "run.json").read_text())
    assert meta["meta"]["synthetic"] is True
    assert meta["totals"]["n_buildings"] == 300
    assert meta["totals"]["pv_energy_kwh_yr"] > 0
    assert "synthétique" in (run / "map.html").read_text(encoding="utf-8").lower()

"""Output paths stay in the output folder: run names, file names and GeoPackage layer
names cannot escape it (``..``, absolute paths, separators, NUL)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geopotential.config import config_from_dict
from geopotential.exceptions import ConfigError
from geopotential.io.writers import check_layer_name, safe_child, write_gpkg_layers

ESCAPES = ["../x", "/etc", "a/b", "..", ".", "", "a\\b", "x\x00y", "../../../../etc/passwd", "/"]


@pytest.mark.parametrize("name", ESCAPES)
def test_safe_child_refuses(tmp_path, name):
    with pytest.raises(ConfigError, match="outside"):
        safe_child(tmp_path, name)
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["run", "amiens-2024", "v1.2_final"])
def test_safe_child_accepts(tmp_path, name):
    assert safe_child(tmp_path, name) == (tmp_path / name).resolve()


def test_safe_child_symlink_escape(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path.parent)
    with pytest.raises(ConfigError):
        safe_child(out, "link")


@pytest.mark.parametrize("name", ["../x", "/etc", "a/b", "..", ".hidden", "", "x" * 101, "a b", "run\x00"])
def test_run_name_refused(name):
    with pytest.raises(ConfigError) as info:
        config_from_dict({"outputs": {"run_name": name}})
    assert "outputs.run_name" in str(info.value)


def test_run_dir_inside_output_dir(tmp_path):
    cfg = config_from_dict({"outputs": {"dir": "out", "run_name": "amiens"}}, base_dir=tmp_path)
    assert cfg.run_dir == tmp_path / "out" / "amiens"


@pytest.mark.parametrize("name", ["../x", "a/b", "Buildings", "drop table;", "x" * 64, "1abc", ""])
def test_layer_name_refused(name):
    with pytest.raises(ConfigError, match="invalid layer name"):
        check_layer_name(name)


def test_gpkg_with_bad_layer_name_writes_nothing(tmp_path):
    layer = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.box(0, 0, 1, 1)], crs=2154)
    target = tmp_path / "geopotential.gpkg"
    with pytest.raises(ConfigError):
        write_gpkg_layers(target, {"buildings_pv": layer, "../evil": layer})
    assert list(tmp_path.iterdir()) == []

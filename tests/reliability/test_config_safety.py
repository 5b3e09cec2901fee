"""Safe config loading: nothing in a YAML or TOML config is evaluated or constructed;
malformed files and unknown keys are one ConfigError line naming the file and key."""

from __future__ import annotations

import pytest

from geopotential.config import load_config
from geopotential.exceptions import ConfigError


def _load(tmp_path, name: str, text: str) -> ConfigError:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object:geopotential.config.Config {}",
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_python_tags_are_refused_and_not_run(tmp_path, tag):
    marker = tmp_path / "pwned"
    value = tag.replace("{marker}", str(marker))
    err = _load(tmp_path, "run.yaml", f"territory:\n  name: {value}\n")
    assert "not valid YAML" in str(err)
    assert not marker.exists()


def test_python_tag_at_top_level(tmp_path):
    err = _load(tmp_path, "run.yaml", "!!python/object:geopotential.config.Config {}\n")
    assert "python/object" in str(err)


def test_alias_bomb_is_refused(tmp_path):
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
        prev = name
    lines.append(f"territory:\n  communes: *{prev}")
    err = _load(tmp_path, "run.yaml", "\n".join(lines) + "\n")
    assert "territory.communes" in str(err) or "unknown key" in str(err)


def test_yaml_syntax_error(tmp_path):
    err = _load(tmp_path, "run.yaml", "territory:\n  name: [unclosed\n")
    assert "not valid YAML" in str(err) and "Traceback" not in str(err)


def test_toml_syntax_error(tmp_path):
    err = _load(tmp_path, "run.toml", "[territory\nname = 'x'\n")
    assert "not valid TOML" in str(err)


def test_unknown_key_is_named(tmp_path):
    err = _load(tmp_path, "run.yaml", "territory:\n  nme: Amiens\n")
    assert "territory.nme: unknown key" in str(err)


def test_wrong_type_is_named(tmp_path):
    err = _load(tmp_path, "run.toml", "[execution]\nworkers = 'many'\n")
    assert "execution.workers" in str(err)


def test_bad_working_crs_is_named(tmp_path):
    err = _load(tmp_path, "run.yaml", "territory:\n  crs: EPSG:4326\n")
    assert "territory.crs" in str(err) and "metres" in str(err)


def test_bad_insee_code_is_named(tmp_path):
    err = _load(tmp_path, "run.yaml", "territory:\n  communes: ['80021', 'Amiens']\n")
    assert "territory.communes" in str(err) and "Amiens" in str(err)


def test_not_utf8(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_bytes("territory:\n  name: Amiens M\xe9tropole\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(path)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_valid_yaml_and_toml_agree(tmp_path):
    y = tmp_path / "a.yaml"
    y.write_text("territory:\n  name: Amiens\n  communes: ['80021']\noutputs:\n  run_name: amiens-2024\n")
    t = tmp_path / "a.toml"
    t.write_text("[territory]\nname = 'Amiens'\ncommunes = ['80021']\n[outputs]\nrun_name = 'amiens-2024'\n")
    a, b = load_config(y), load_config(t)
    assert a.territory == b.territory and a.outputs.run_name == b.outputs.run_name == "amiens-2024"
    assert a.outputs.dir == tmp_path / "outputs"  # relative to the config file

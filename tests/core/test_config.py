"""Config models, loading, generated template and schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from geopotential.config import Config, config_from_dict, config_to_dict, load_config
from geopotential.config_template import json_schema_text, render_template
from geopotential.exceptions import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_defaults_validate_and_round_trip(tmp_path):
    cfg = Config()
    assert cfg.territory.crs == "EPSG:2154"
    assert cfg.solar.system_losses_pct == pytest.approx(14.0)
    data = config_to_dict(cfg)
    again = config_from_dict(json.loads(json.dumps(data)))
    assert config_to_dict(again) == data


def test_template_is_valid_yaml_that_loads_as_defaults(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(render_template(), encoding="utf-8")
    cfg = load_config(path)
    assert config_to_dict(cfg)["solar"] == config_to_dict(Config())["solar"]
    assert "# " in path.read_text()  # commented


def test_committed_template_and_schema_are_in_sync():
    assert (REPO / "docs" / "config.template.yaml").read_text(encoding="utf-8") == render_template(), (
        "docs/config.template.yaml is stale: run `geopotential init-config docs/config.template.yaml --force`"
    )
    assert (REPO / "docs" / "config.schema.json").read_text(encoding="utf-8") == json_schema_text(), (
        "docs/config.schema.json is stale: run `geopotential schema > docs/config.schema.json`"
    )


def test_every_numeric_parameter_documents_its_unit():
    schema = json.loads(json_schema_text())
    missing = []
    for name, model in schema["$defs"].items():
        if not name.endswith("Parameters"):
            continue
        for field, spec in model.get("properties", {}).items():
            numeric = spec.get("type") in ("number", "integer") or any(
                a.get("type") in ("number", "integer") for a in spec.get("anyOf", [])
            )
            if numeric and "[" not in spec.get("description", ""):
                missing.append(f"{name}.{field}")
    assert not missing, f"fields without a [unit] in their description: {missing}"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"solar": {"sytem_losses_pct": 10}}, "solar.sytem_losses_pct"),
        ({"solar": {"system_losses_pct": -3}}, "solar.system_losses_pct"),
        ({"territory": {"crs": "EPSG:4326"}}, "territory"),
        ({"territory": {"communes": ["8002"]}}, "territory.communes"),
        ({"outputs": {"run_name": "../escape"}}, "outputs.run_name"),
        ({"outputs": {"run_name": "/etc"}}, "outputs.run_name"),
        ({"execution": {"executor": "spark"}}, "execution.executor"),
        ({"unknown_section": {}}, "unknown_section"),
    ],
)
def test_invalid_values_name_their_key(data, key):
    with pytest.raises(ConfigError) as exc:
        config_from_dict(data, source="c.yaml")
    msg = str(exc.value)
    assert key in msg and "\n" not in msg


def test_relative_paths_resolve_against_the_config_folder(tmp_path):
    sub = tmp_path / "cfg"
    sub.mkdir()
    (sub / "c.yaml").write_text("inputs:\n  weather: data/w.csv\n  dsm: tiles/a.tif\noutputs:\n  dir: out\n")
    cfg = load_config(sub / "c.yaml")
    assert cfg.inputs.weather == sub / "data" / "w.csv"
    assert cfg.inputs.dsm == [sub / "tiles" / "a.tif"]
    assert cfg.outputs.dir == sub / "out"


def test_toml_config(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[territory]\nname = "Lille"\ncommunes = ["59350"]\n[solar]\nsystem_losses_pct = 12\n')
    cfg = load_config(p)
    assert cfg.territory.name == "Lille" and cfg.solar.system_losses_pct == 12


def test_yaml_loading_is_safe(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("territory: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(p)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("territory: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(lst)


def test_yaml_template_keys_are_the_model_keys():
    data = yaml.safe_load(render_template())
    assert set(data) == {n for n, f in Config.model_fields.items() if not f.exclude}

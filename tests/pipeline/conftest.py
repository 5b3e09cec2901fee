"""A small demo territory shared by the pipeline tests."""

from __future__ import annotations

import pytest

from geopotential.config import config_from_dict, config_to_dict
from geopotential.demo import generate_demo
from geopotential.pipeline.demo_run import demo_config

N_BUILDINGS = 400


@pytest.fixture(scope="session")
def demo_inputs(tmp_path_factory):
    """Demo input files (400 buildings), generated once per test session."""
    d = tmp_path_factory.mktemp("demo-inputs")
    generate_demo(d, n_buildings=N_BUILDINGS)
    return d


@pytest.fixture()
def make_config(demo_inputs, tmp_path):
    """Build a demo config writing under ``tmp_path``, with overrides per section."""

    def make(run_name="run", out_dir=None, **sections):
        cfg = demo_config(demo_inputs, out_dir or tmp_path / "outputs", show_progress=False)
        data = config_to_dict(cfg)
        data["outputs"]["run_name"] = run_name
        for section, values in sections.items():
            data[section].update(values)
        return config_from_dict(data)

    return make

"""Shared fixtures of the shading tests."""

from __future__ import annotations

import pytest

from tests._shared import shared_path


@pytest.fixture(scope="session")
def gbg_dir():
    d = shared_path("umep-gothenburg")
    assert d.exists(), f"shared dataset missing: {d}"
    return d


@pytest.fixture(scope="session")
def gbg_weather(gbg_dir):
    from geopotential.io.umep_met import read_umep_met

    return read_umep_met(gbg_dir / "GBG_TMY_1977.txt", latitude=57.7, longitude=12.0)

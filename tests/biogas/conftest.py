"""Fixtures of the biogas tests: the real RPG 2022 sample and default parameters."""

from __future__ import annotations

import pytest

from geopotential.biogas import BiogasParameters


@pytest.fixture(scope="session")
def rpg_path(shared_data):
    return shared_data / "rpg-2022-sample-fiboa" / "PARCELLES_GRAPHIQUES_sample100_2022.gpkg"


@pytest.fixture(scope="session")
def nomenclature_path(shared_data):
    return shared_data / "rpg-2022-sample-fiboa" / "fr_2018_crop_codes_eurocrops.csv"


@pytest.fixture(scope="session")
def injection_path(shared_data):
    return shared_data / "biomethane-injection-sites" / "points-injection.csv"


@pytest.fixture(scope="session")
def params():
    return BiogasParameters()

"""Fixtures of the balance tests: the real Somme communes and populations.

Read with :mod:`geopotential.io.communes` (``read_communes`` / ``read_population``); the
balance's own :func:`~geopotential.balance.consumption.match_communes_population` then joins
them and reports the codes present in one file only.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geopotential.io.communes import read_communes, read_population


@pytest.fixture(scope="module")
def somme_communes(shared_data) -> pd.DataFrame:
    """The 2018 Somme commune boundaries: ``commune_insee``, ``commune_name``, geometry."""
    return read_communes(shared_data / "france-geojson-somme" / "communes-80-somme.geojson")


@pytest.fixture(scope="module")
def somme_population(shared_data) -> pd.DataFrame:
    """INSEE 2021 legal populations of the Somme communes (COG 2024)."""
    return read_population(shared_data / "insee-communes-population" / "communes_80_somme_insee.csv")

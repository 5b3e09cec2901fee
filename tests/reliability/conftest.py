"""Fixtures of the reliability tests."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture
def geo_log(caplog):
    """Capture the INFO+ log records of ``geopotential`` (the caplog fixture)."""
    caplog.set_level(logging.INFO, logger="geopotential")
    return caplog

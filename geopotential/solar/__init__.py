"""Rooftop solar PV potential per building.

Notebook use::

    from geopotential.io.weather import read_weather
    from geopotential.solar import solar_potential, aggregate_pv
    weather, meta = read_weather("tmy.csv")
    buildings_pv, faces = solar_potential(buildings_gdf, weather, meta)
    communes = aggregate_pv(buildings_pv, "commune_insee")
"""

from geopotential.solar.economics import pv_economics
from geopotential.solar.parameters import SizeBand, SolarEconomics, SolarParameters
from geopotential.solar.potential import PV_CLASS_LABELS, aggregate_pv, solar_potential
from geopotential.solar.roofs import FACE_COLUMNS, roof_faces_from_footprints
from geopotential.solar.rules import FACE_REASONS, apply_rules
from geopotential.solar.yield_table import interpolate_yield, orientation_yield_table

__all__ = [
    "FACE_COLUMNS",
    "FACE_REASONS",
    "PV_CLASS_LABELS",
    "SizeBand",
    "SolarEconomics",
    "SolarParameters",
    "aggregate_pv",
    "apply_rules",
    "interpolate_yield",
    "orientation_yield_table",
    "pv_economics",
    "roof_faces_from_footprints",
    "solar_potential",
]

"""geopotential: renewable-energy potential of a territory.

Rooftop solar PV per building (with LiDAR shading) and methanization per agricultural
parcel, aggregated to cadastral parcels, communes and the territory, set against the
territory's consumption.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

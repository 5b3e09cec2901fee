"""Tiling with an overlap margin so that tiled results are seamless.

A pixel's shadow depends on the surface up to ``(z_max - z_pixel) / tan(lowest sky
elevation)`` towards each patch; with a margin at least that long (capped by
``max_shadow_distance_m``) every tiling gives the same value for a pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    """One tile: its core (written out) and its padded window (computed), in pixels."""

    row0: int
    row1: int
    col0: int
    col1: int
    prow0: int
    prow1: int
    pcol0: int
    pcol1: int

    @property
    def core_in_padded(self) -> tuple[slice, slice]:
        """Slices of the core inside the padded window."""
        return (slice(self.row0 - self.prow0, self.row1 - self.prow0),
                slice(self.col0 - self.pcol0, self.col1 - self.pcol0))

    @property
    def padded(self) -> tuple[slice, slice]:
        return slice(self.prow0, self.prow1), slice(self.pcol0, self.pcol1)

    @property
    def core(self) -> tuple[slice, slice]:
        return slice(self.row0, self.row1), slice(self.col0, self.col1)


def shadow_margin_px(z_range_m: float, lowest_elevation_deg: float, res: float, max_shadow_distance_m: float) -> int:
    """Overlap margin [px] long enough for the longest shadow considered.

    Parameters
    ----------
    z_range_m : float [m]
        Height range of the surface (max - min).
    lowest_elevation_deg : float [deg]
        Lowest elevation at which shadows are cast (lowest sky-patch centre).
    res : float [m]
    max_shadow_distance_m : float [m]
        Cap on the margin.
    """
    reach = z_range_m / math.tan(math.radians(lowest_elevation_deg))
    return int(math.ceil(min(reach, max_shadow_distance_m) / res)) + 1


def iter_tiles(shape: tuple[int, int], tile_size: int, margin: int):
    """Tiles covering ``shape`` with cores of ``tile_size`` px and ``margin`` px padding."""
    nrow, ncol = shape
    for r0 in range(0, nrow, tile_size):
        for c0 in range(0, ncol, tile_size):
            r1 = min(r0 + tile_size, nrow)
            c1 = min(c0 + tile_size, ncol)
            yield Tile(r0, r1, c0, c1, max(0, r0 - margin), min(nrow, r1 + margin),
                       max(0, c0 - margin), min(ncol, c1 + margin))


def n_tiles(shape: tuple[int, int], tile_size: int) -> int:
    return math.ceil(shape[0] / tile_size) * math.ceil(shape[1] / tile_size)

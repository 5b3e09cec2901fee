"""Roof-plane segmentation on synthetic roofs of known geometry."""

from __future__ import annotations

import numpy as np
import pytest

from geopotential.shading.planes import classify_pixels, segment_planes
from geopotential.shading.terrain import slope_aspect, surface_normals


def _gable(tilt=35.0, res=0.5):
    """Two buildings: an east-west ridge gable (faces north and south) and a flat roof."""
    dsm = np.zeros((80, 120), np.float32)
    zones = np.zeros(dsm.shape, np.int32)
    r0, r1, c0, c1 = 10, 50, 10, 60  # 20 m x 25 m gable, ridge along x at row 30
    rows = np.arange(r0, r1)
    h = 6.0 + np.tan(np.radians(tilt)) * (10.0 - np.abs(rows + 0.5 - 30) * res)
    dsm[r0:r1, c0:c1] = h[:, None]
    zones[r0 + 2:r1 - 2, c0 + 2:c1 - 2] = 1
    dsm[20:60, 75:110] = 9.0
    zones[22:58, 77:108] = 2
    return dsm, zones, res


def test_classes_flat_and_sectors():
    c = classify_pixels(np.array([5.0, 30, 30, 30]), np.array([0.0, 0.0, 180.0, 100.0]), 10.0, 8)
    assert c.tolist() == [0, 1, 5, 3]


def test_gable_and_flat_roof_planes():
    dsm, zones, res = _gable()
    nx, ny, nz = surface_normals(dsm, res)
    slope, aspect = slope_aspect(nx, ny, nz)
    face_ids, faces = segment_planes(zones, dsm, slope, aspect, res, 10.0, 8, 10.0)
    big = faces[faces["face_id"] > 0]
    g = big[big["zone"] == 1].sort_values("azimuth_deg")
    assert len(g) == 2
    assert g["tilt_deg"].to_numpy() == pytest.approx([35.0, 35.0], abs=0.5)
    assert g["azimuth_deg"].to_numpy() == pytest.approx([0.0, 180.0], abs=1.0) or \
        np.allclose(np.sort(np.mod(g["azimuth_deg"].to_numpy() + 90, 360)), [90.0, 270.0], atol=1.0)
    f = big[big["zone"] == 2]
    assert len(f) == 1 and bool(f["is_flat"].iloc[0]) and f["tilt_deg"].iloc[0] < 1.0
    # every roof pixel belongs to exactly one face: pixel counts add up
    assert faces["n_pixels"].sum() == (zones > 0).sum() == (face_ids > 0).sum()

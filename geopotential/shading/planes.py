"""Roof planes per building: segmentation of roof pixels by slope and aspect.

Each roof pixel gets a class: flat (slope <= ``flat_roof_threshold_deg``) or one of
``aspect_classes`` aspect sectors (centred on north, north-east...). Connected pixels of
one class inside one building form a segment (8-connectivity); a least-squares plane
``z = a x + b y + c`` fitted to each segment gives its tilt and azimuth. Segments smaller
than ``min_plane_area_m2`` are pooled into one residual face per building (face_id 0) so
that face areas add up to the roof area. Everything is vectorised (``np.bincount``), no
per-building loop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import ndimage


def classify_pixels(slope_deg, aspect_deg, flat_threshold_deg: float, n_classes: int) -> np.ndarray:
    """0 for flat pixels, ``1..n_classes`` for aspect sectors (1 = centred on north)."""
    width = 360.0 / n_classes
    a = np.nan_to_num(np.asarray(aspect_deg, dtype=np.float64), nan=0.0)
    sector = (np.floor(np.mod(a + width / 2, 360.0) / width).astype(np.int32) % n_classes) + 1
    return np.where(slope_deg <= flat_threshold_deg, 0, sector).astype(np.int32)


def segment_planes(zone_ids, dsm, slope_deg, aspect_deg, res, flat_threshold_deg=10.0,
                   n_classes=8, min_plane_area_m2=10.0):
    """Split the roof pixels of every zone (building) into planes.

    Parameters
    ----------
    zone_ids : int ndarray
        Building number ``1..n`` of each roof pixel (0 elsewhere).
    dsm : ndarray [m]
    slope_deg, aspect_deg : ndarray [deg]
    res : float [m]
    flat_threshold_deg : float [deg]
    n_classes : int
    min_plane_area_m2 : float [m2]
        Segments with a smaller footprint area go to the residual face.

    Returns
    -------
    face_ids : int32 ndarray
        Global face number ``1..m`` of each roof pixel (0 elsewhere).
    faces : DataFrame
        One row per face: ``zone`` (building number), ``face_id`` (0 = residual, then
        1.. per building), ``tilt_deg``, ``azimuth_deg`` (pvlib, 180 = south),
        ``n_pixels``, ``is_flat``.
    """
    roof = zone_ids > 0
    cls = np.where(roof, classify_pixels(slope_deg, aspect_deg, flat_threshold_deg, n_classes), -1)
    seg = np.zeros(zone_ids.shape, np.int64)
    offset = 0
    structure = np.ones((3, 3), bool)
    for k in range(n_classes + 1):
        lab, n = ndimage.label(cls == k, structure=structure)
        seg[lab > 0] = lab[lab > 0] + offset
        offset += n
    # split segments crossing building borders: key (segment, zone)
    key = seg * (int(zone_ids.max()) + 1) + zone_ids
    rr, cc = np.nonzero(roof)
    uk, inv = np.unique(key[rr, cc], return_inverse=True)
    zone_of = (uk % (int(zone_ids.max()) + 1)).astype(np.int64)
    npx = np.bincount(inv)
    small = npx * res * res < min_plane_area_m2
    # residual: one group per zone for the small segments
    nz = int(zone_ids.max())
    big_index = np.cumsum(~small) - 1
    n_big = int((~small).sum())
    group = np.where(small[inv], n_big + zone_of[inv] - 1, big_index[inv])
    n_groups = n_big + nz
    g_zone = np.concatenate([zone_of[~small], np.arange(1, nz + 1)])
    g_resid = np.concatenate([np.zeros(n_big, bool), np.ones(nz, bool)])
    # least-squares plane fit per group, centred coordinates for conditioning
    x = cc.astype(np.float64) * res
    y = -rr.astype(np.float64) * res
    z = dsm[rr, cc].astype(np.float64)
    cnt = np.bincount(group, minlength=n_groups).astype(np.float64)
    keep = cnt > 0

    def s(w):
        return np.bincount(group, weights=w, minlength=n_groups)

    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my, mz = s(x) / cnt, s(y) / cnt, s(z) / cnt
        dx, dy, dz = x - mx[group], y - my[group], z - mz[group]
        sxx, syy, sxy, sxz, syz = s(dx * dx), s(dy * dy), s(dx * dy), s(dx * dz), s(dy * dz)
        det = sxx * syy - sxy * sxy
        ok = np.abs(det) > 1e-9
        a = np.where(ok, (sxz * syy - syz * sxy) / det, 0.0)
        b = np.where(ok, (syz * sxx - sxz * sxy) / det, 0.0)
    tilt = np.degrees(np.arctan(np.hypot(a, b)))
    azimuth = np.mod(np.degrees(np.arctan2(-a, -b)), 360.0)
    # residual faces pool disjoint pieces: use their mean pixel normal instead of a fit
    sl = np.radians(slope_deg[rr, cc].astype(np.float64))
    asp = np.radians(aspect_deg[rr, cc].astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        mnx, mny, mnz = s(np.sin(sl) * np.sin(asp)), s(np.sin(sl) * np.cos(asp)), s(np.cos(sl))
    r_tilt = np.degrees(np.arctan2(np.hypot(mnx, mny), mnz))
    r_az = np.mod(np.degrees(np.arctan2(mnx, mny)), 360.0)
    tilt = np.where(g_resid, r_tilt, tilt)
    azimuth = np.where(g_resid, r_az, azimuth)
    # round away float noise of the fit (window offsets) so that tilings agree; 360 -> 0
    tilt = np.round(tilt, 6)
    azimuth = np.mod(np.round(azimuth, 6), 360.0)
    is_flat = tilt <= flat_threshold_deg
    azimuth = np.where(is_flat, 180.0, azimuth)
    faces = pd.DataFrame({
        "zone": g_zone, "residual": g_resid, "tilt_deg": tilt, "azimuth_deg": azimuth,
        "n_pixels": cnt.astype(np.int64), "is_flat": is_flat,
    })[keep]
    # number faces: residual 0, others 1.. within each zone by decreasing size
    faces = faces.sort_values(["zone", "residual", "n_pixels"], ascending=[True, True, False])
    faces["face_id"] = faces.groupby("zone").cumcount() + 1
    faces.loc[faces["residual"], "face_id"] = 0
    global_no = np.zeros(n_groups, np.int32)
    global_no[faces.index.to_numpy()] = np.arange(1, len(faces) + 1, dtype=np.int32)
    face_ids = np.zeros(zone_ids.shape, np.int32)
    face_ids[rr, cc] = global_no[group]
    faces = faces.reset_index(drop=True).drop(columns="residual")
    return face_ids, faces

"""Roof faces from building footprints and attributes, without a DSM.

The faces table has the same structure as the one the DSM engine builds
(see :data:`FACE_COLUMNS`): one row per roof face with its tilt, azimuth (pvlib convention,
180 = south) and tilted surface area. Without a DSM:

* flat roofs give one horizontal face (area = footprint area); the rules put racked modules
  on it (tilt, rows from a ground coverage ratio, or east-west racks);
* gabled roofs give two faces facing away from the ridge, which runs along the footprint's
  main axis (principal axis of its second moments of area), at ``default_pitch_deg``;
* hipped roofs give two trapezoids and two triangular ends on the footprint's
  bounding rectangle along that axis;
* shed roofs give one face, at ``shed_pitch_deg``, facing the more southern side;
* buildings sharing walls with neighbours (terraces, ``ridge_across_party_walls``) get
  their ridge perpendicular to the party walls, i.e. parallel to the street;
* unknown shapes are taken as flat for footprints of at least ``flat_roof_min_footprint_m2``
  or with a ``usage`` in ``flat_roof_usages`` (commercial, industrial), gabled otherwise
  (``roof_shape_inferred`` is True).

Face area counts the tilt: horizontal area / cos(tilt). Azimuths are grid bearings of the
working CRS (in Lambert-93 the meridian convergence is below 1 degree over the Somme).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import shapely

from geopotential.solar.parameters import SolarParameters

logger = logging.getLogger(__name__)

#: Columns of a faces table (``usable_area_m2`` and ``irradiation_kwh_m2_yr`` optional).
FACE_COLUMNS = (
    "building_id", "face_id", "tilt_deg", "azimuth_deg", "area_m2", "usable_area_m2",
    "shading_factor", "irradiation_kwh_m2_yr", "source",
)

#: Relative anisotropy of the second moments below which a footprint has no main axis
#: (a numerical tolerance: an 8.93 x 8.93 m square after a CRS round trip is at ~1e-9).
_ISOTROPY_TOLERANCE = 1e-3

_SHAPE_SYNONYMS = {
    "flat": "flat", "plat": "flat", "terrasse": "flat", "toit terrasse": "flat",
    "gabled": "gabled", "pitched": "gabled", "double": "gabled", "deux pans": "gabled", "saltbox": "gabled",
    "gambrel": "gabled", "mansard": "hipped", "hipped": "hipped", "half-hipped": "hipped",
    "pyramidal": "hipped", "quatre pans": "hipped", "shed": "shed", "skillion": "shed",
    "mono": "shed", "mono-pitched": "shed", "monopente": "shed", "lean_to": "shed",
}


#: Two azimuths closer than this to the south are a tie [deg] (numerical tolerance, not a parameter).
AZIMUTH_TIE_DEG = 1e-3


def normalise_roof_shape(values) -> np.ndarray:
    """Map source roof-shape labels to flat / gabled / hipped / shed / unknown."""
    s = pd.Series(values, dtype="object").astype("string").str.strip().str.lower()
    out = s.map(_SHAPE_SYNONYMS)
    return out.fillna("unknown").to_numpy(dtype=object)


def footprint_axes(geoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Main axis of each footprint (principal axis of its second moments of area) and extents.

    The second moments are integrated exactly over the polygon's rings (Green's theorem),
    vectorised over all footprints; unlike GEOS' minimum rotated rectangle this is a smooth
    function of the vertices, so results do not jump with sub-millimetre coordinate noise
    (e.g. after an EPSG:2154 -> 4326 -> 2154 round trip).

    Returns
    -------
    bearing_deg : ndarray
        Bearing of the main axis, clockwise from grid north, in [0, 180) [deg].
    length_m, width_m : ndarray
        Extent of the footprint along and across the main axis [m] (0 for empty geometries).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = geoms.size
    bearing = np.zeros(n)
    length = np.zeros(n)
    width = np.zeros(n)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return bearing, length, width
    oriented = shapely.orient_polygons(geoms[ok])  # exteriors CCW, holes CW
    parts, part_of = shapely.get_parts(oriented, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, vert_ring = shapely.get_coordinates(rings, return_index=True)
    poly_of_vert = np.flatnonzero(ok)[part_of[ring_of[vert_ring]]]
    # local origin per footprint for numerical stability
    first = np.full(n, -1, dtype=np.int64)
    first[poly_of_vert[::-1]] = np.arange(poly_of_vert.size)[::-1]
    origin = xy[first[poly_of_vert]]
    x = xy[:, 0] - origin[:, 0]
    y = xy[:, 1] - origin[:, 1]
    same = vert_ring[1:] == vert_ring[:-1]
    x0, y0, x1, y1 = x[:-1][same], y[:-1][same], x[1:][same], y[1:][same]
    poly = poly_of_vert[:-1][same]
    cross = x0 * y1 - x1 * y0
    a = np.bincount(poly, cross, minlength=n) / 2.0
    sx = np.bincount(poly, (x0 + x1) * cross, minlength=n) / 6.0
    sy = np.bincount(poly, (y0 + y1) * cross, minlength=n) / 6.0
    sxx = np.bincount(poly, (x0 * x0 + x0 * x1 + x1 * x1) * cross, minlength=n) / 12.0
    syy = np.bincount(poly, (y0 * y0 + y0 * y1 + y1 * y1) * cross, minlength=n) / 12.0
    sxy = np.bincount(poly, (x0 * y1 + 2 * x0 * y0 + 2 * x1 * y1 + x1 * y0) * cross, minlength=n) / 24.0
    good = ok & (a > 0)
    safe = np.where(good, a, 1.0)
    cx, cy = sx / safe, sy / safe
    cxx = sxx / safe - cx * cx
    cyy = syy / safe - cy * cy
    cxy = sxy / safe - cx * cy
    phi = 0.5 * np.arctan2(2.0 * cxy, cxx - cyy)  # main axis angle from +x (east), counter-clockwise
    # (near-)isotropic footprints (squares, regular polygons) have no main axis: take the
    # direction of their longest edge, turned by 90 deg if that brings the ridge closer to
    # east-west (faces closer to south), so that the choice does not follow coordinate noise
    aniso = np.hypot(cxx - cyy, 2.0 * cxy) / np.where(cxx + cyy > 0, cxx + cyy, 1.0)
    iso = good & (aniso < _ISOTROPY_TOLERANCE)
    if iso.any():
        seg_len = np.hypot(x1 - x0, y1 - y0)
        order = np.lexsort((-seg_len, poly))
        first_seg = order[np.r_[True, poly[order][1:] != poly[order][:-1]]]
        edge_phi = np.full(n, 0.0)
        edge_phi[poly[first_seg]] = np.arctan2((y1 - y0)[first_seg], (x1 - x0)[first_seg])
        e = np.mod(90.0 - np.degrees(edge_phi), 90.0)
        b_iso = np.where(e < 45.0, e + 90.0, e)
        phi = np.where(iso, np.radians(90.0 - b_iso), phi)
    bearing = np.where(good, np.mod(90.0 - np.degrees(phi), 180.0), 0.0)
    ux, uy = np.cos(phi)[poly_of_vert], np.sin(phi)[poly_of_vert]
    along = x * ux + y * uy
    across = -x * uy + y * ux
    lo_a = np.full(n, np.inf)
    hi_a = np.full(n, -np.inf)
    lo_c = np.full(n, np.inf)
    hi_c = np.full(n, -np.inf)
    np.minimum.at(lo_a, poly_of_vert, along)
    np.maximum.at(hi_a, poly_of_vert, along)
    np.minimum.at(lo_c, poly_of_vert, across)
    np.maximum.at(hi_c, poly_of_vert, across)
    length = np.where(good, hi_a - lo_a, 0.0)
    width = np.where(good, hi_c - lo_c, 0.0)
    return bearing, length, width


def party_wall_bearing(geoms, tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean direction and total length of the walls each footprint shares with neighbours.

    Two footprints share a wall where one's outline lies within ``tolerance_m`` of the other.
    The direction is the length-weighted axial mean (doubled angles) of the shared outline.

    Returns
    -------
    bearing_deg : ndarray
        Party-wall bearing in [0, 180) [deg], NaN without neighbours.
    length_m : ndarray
        Total shared outline length [m].
    """
    geoms = np.asarray(geoms, dtype=object)
    n = geoms.size
    bearing = np.full(n, np.nan)
    length = np.zeros(n)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if ok.sum() < 2:
        return bearing, length
    idx = np.flatnonzero(ok)
    tree = shapely.STRtree(geoms[ok])
    a, b = tree.query(geoms[ok], predicate="dwithin", distance=tolerance_m)
    keep = a != b
    a, b = idx[a[keep]], idx[b[keep]]
    if a.size == 0:
        return bearing, length
    shared = shapely.intersection(shapely.boundary(geoms[a]), shapely.buffer(geoms[b], tolerance_m, quad_segs=1))
    lines, owner = shapely.get_parts(shared, return_index=True)
    is_line = np.isin(shapely.get_type_id(lines), (1, 2))
    lines, owner = lines[is_line], owner[is_line]
    if lines.size == 0:
        return bearing, length
    xy, line_of = shapely.get_coordinates(lines, return_index=True)
    same = line_of[1:] == line_of[:-1]
    dx = (xy[1:, 0] - xy[:-1, 0])[same]
    dy = (xy[1:, 1] - xy[:-1, 1])[same]
    bld = a[owner[line_of[:-1][same]]]
    seg = np.hypot(dx, dy)
    theta = np.arctan2(dx, dy)  # bearing from north [rad]
    c = np.bincount(bld, seg * np.cos(2 * theta), minlength=n)
    s2 = np.bincount(bld, seg * np.sin(2 * theta), minlength=n)
    length = np.bincount(bld, seg, minlength=n)
    has = length > 0
    bearing[has] = np.mod(np.degrees(0.5 * np.arctan2(s2[has], c[has])), 180.0)
    return bearing, length


def roof_faces_from_footprints(buildings, params: SolarParameters | None = None) -> pd.DataFrame:
    """Derive roof faces from footprints (metric CRS) and roof attributes.

    Parameters
    ----------
    buildings
        GeoDataFrame in a metric CRS with ``building_id`` and geometry; ``roof_shape``
        (flat/gabled/hipped/shed/unknown, OSM ``roof:shape`` values accepted) is optional.
    params
        Roof-model parameters (defaults when None).

    Returns
    -------
    pandas.DataFrame
        One row per face: ``building_id``, ``face_id`` (``<building_id>-<k>``), ``tilt_deg``,
        ``azimuth_deg`` [deg], ``area_m2`` (tilted surface [m2]), ``shading_factor`` (1),
        ``source`` ('footprint'), and ``roof_shape``, ``roof_shape_inferred``,
        ``footprint_area_m2`` [m2], ``setback_ratio`` (share of the footprint left after the
        edge setback [-]). Buildings with missing or empty geometry get no face.
    """
    params = params or SolarParameters()
    geoms = np.asarray(buildings.geometry.values, dtype=object)
    n = geoms.size
    ids = buildings["building_id"].to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    area = np.where(valid, shapely.area(geoms), 0.0)
    valid &= area > 0
    bearing, length, width = footprint_axes(np.where(valid, geoms, None))
    terraced = np.zeros(n, dtype=bool)
    if params.ridge_across_party_walls and valid.sum() > 1:
        pw_bearing, pw_length = party_wall_bearing(np.where(valid, geoms, None), params.party_wall_tolerance_m)
        terraced = valid & (pw_length >= params.min_party_wall_m)
        bearing = np.where(terraced, np.mod(pw_bearing + 90.0, 180.0), bearing)
    if "roof_shape" in buildings.columns:
        shape = normalise_roof_shape(buildings["roof_shape"].to_numpy())
    else:
        shape = np.full(n, "unknown", dtype=object)
    inferred = shape == "unknown"
    flat_use = np.zeros(n, dtype=bool)
    if "usage" in buildings.columns and params.flat_roof_usages:
        wanted = {u.strip().lower() for u in params.flat_roof_usages}
        usage = pd.Series(buildings["usage"].to_numpy(), dtype="object").astype("string").str.strip().str.lower()
        flat_use = usage.isin(wanted).fillna(False).to_numpy(dtype=bool)
    guess_flat = (area >= params.flat_roof_min_footprint_m2) | flat_use
    shape = np.where(inferred, np.where(guess_flat, "flat", "gabled"), shape)
    # edge setback: share of the footprint left after an inward buffer
    setback = np.ones(n)
    if params.edge_setback_m > 0 and valid.any():
        # simplify at 1 cm first: near-collinear vertices (e.g. after a reprojection round
        # trip) would otherwise make the mitred inward buffer unstable
        simple = shapely.simplify(geoms[valid], 0.01, preserve_topology=True)
        inner = shapely.buffer(simple, -params.edge_setback_m, quad_segs=2, join_style="mitre")
        setback[valid] = np.clip(shapely.area(inner) / area[valid], 0.0, 1.0)
    # faces: (building index, tilt, azimuth, horizontal share) per shape
    b_idx, tilts, azims, shares = [], [], [], []
    normal1 = np.mod(bearing + 90.0, 360.0)
    normal2 = np.mod(bearing + 270.0, 360.0)

    def add(mask: np.ndarray, tilt: float, az: np.ndarray, share: np.ndarray) -> None:
        sel = np.flatnonzero(mask & valid)
        b_idx.append(sel)
        tilts.append(np.full(sel.size, tilt))
        azims.append(np.asarray(az)[sel] if np.ndim(az) else np.full(sel.size, az))
        shares.append(np.asarray(share)[sel] if np.ndim(share) else np.full(sel.size, share))

    flat = shape == "flat"
    add(flat, 0.0, 180.0, 1.0)
    gabled = shape == "gabled"
    add(gabled, params.default_pitch_deg, normal1, 0.5)
    add(gabled, params.default_pitch_deg, normal2, 0.5)
    hipped = shape == "hipped"
    ratio = np.where(length > 0, width / np.where(length > 0, length, 1.0), 1.0)
    long_share = (1.0 - ratio / 2.0) / 2.0
    end_share = ratio / 4.0
    add(hipped, params.default_pitch_deg, normal1, long_share)
    add(hipped, params.default_pitch_deg, normal2, long_share)
    add(hipped, params.default_pitch_deg, bearing, end_share)
    add(hipped, params.default_pitch_deg, np.mod(bearing + 180.0, 360.0), end_share)
    shed = shape == "shed"
    # the more southern side; a tie (east/west shed) goes to the west-facing side, decided with a
    # tolerance so that a reprojection round trip cannot flip it
    d1, d2 = np.abs(normal1 - 180.0), np.abs(normal2 - 180.0)
    tie = np.abs(d1 - d2) <= AZIMUTH_TIE_DEG
    south1 = np.where(tie, normal1 > normal2, d1 < d2)
    add(shed, params.shed_pitch_deg, np.where(south1, normal1, normal2), 1.0)

    bi = np.concatenate(b_idx)
    tilt = np.concatenate(tilts)
    az = np.concatenate(azims)
    share = np.concatenate(shares)
    order = np.argsort(bi, kind="stable")
    bi, tilt, az, share = bi[order], tilt[order], az[order], share[order]
    k = np.arange(bi.size) - np.searchsorted(bi, bi, side="left")
    bid = pd.Series(ids[bi])
    faces = pd.DataFrame(
        {
            "building_id": ids[bi],
            "face_id": bid.astype(str).to_numpy(dtype=object) + "-" + k.astype(str).astype(object),
            "tilt_deg": tilt,
            "azimuth_deg": az,
            "area_m2": area[bi] * share / np.cos(np.radians(tilt)),
            "shading_factor": 1.0,
            "source": "footprint",
            "roof_shape": shape[bi],
            "roof_shape_inferred": inferred[bi],
            "footprint_area_m2": area[bi],
            "setback_ratio": setback[bi],
            "ridge_from_party_walls": terraced[bi],
        }
    )
    logger.info("roof faces from footprints: %d faces for %d buildings (%d without geometry)", len(faces), n, int((~valid).sum()))
    return faces

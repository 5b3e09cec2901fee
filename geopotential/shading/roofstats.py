"""Per-building roof statistics and the faces table from irradiation rasters.

Used per tile by :mod:`geopotential.shading.engine` on a window that holds every pixel of
the buildings it is given. Pixel rules for the usable area follow the solar issue:
plane tilt <= ``max_tilt_deg``, plane not facing the north sector (flat planes exempt),
pixel irradiation >= ``min_irradiation_kwh_m2_yr``, pixel shaded/unshaded ratio >=
``min_shading_ratio`` (NREL, Gagnon et al. 2016).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import shapely

from geopotential.shading.parameters import ShadingParameters
from geopotential.shading.planes import segment_planes
from geopotential.shading.zonal import rasterize_ids

logger = logging.getLogger(__name__)

FACE_COLUMNS = ["building_id", "face_id", "tilt_deg", "azimuth_deg", "area_m2", "usable_area_m2",
                "shading_factor", "irradiation_kwh_m2_yr", "source", "is_flat", "n_pixels"]
BUILDING_COLUMNS = ["building_id", "roof_irradiation_kwh_m2_yr", "unshaded_irradiation_kwh_m2_yr",
                    "shading_loss_pct", "roof_area_m2", "usable_area_m2", "n_planes",
                    "dsm_coverage_fraction", "exclusion_reason"]
#: Tilt above which a plane's surface area is capped (walls are not roofs) [deg].
MAX_AREA_TILT_DEG = 80.0
#: Share of a footprint's pixels with valid DSM below which the building is excluded [-].
MIN_DSM_COVERAGE = 0.5


def building_statistics(buildings, dsm, transform, irr, unshaded, slope, aspect, params: ShadingParameters,
                        raster_bounds=None):
    """Faces table and per-building statistics from rasters covering the buildings.

    Parameters
    ----------
    buildings : GeoDataFrame
        Footprints with ``building_id``, in the rasters' CRS.
    dsm : ndarray [m]
        NaN for nodata.
    transform : affine.Affine
        Of the (window) rasters.
    irr, unshaded : ndarray [kWh/m2/yr]
    slope, aspect : ndarray [deg]
    params : ShadingParameters
    raster_bounds : (xmin, ymin, xmax, ymax), optional [m]
        Extent of the whole DSM (default: these rasters) for the "outside DSM" test.

    Returns
    -------
    stats : DataFrame (``BUILDING_COLUMNS``), faces : DataFrame (``FACE_COLUMNS``)
    """
    res = float(transform.a)
    shape = dsm.shape
    geoms = buildings.geometry.to_numpy()
    nb = len(geoms)
    valid = np.isfinite(dsm) & np.isfinite(irr)
    ids_full = rasterize_ids(geoms, transform, shape, all_touched=False)
    shrunk = shapely.buffer(geoms, -params.edge_buffer_m) if params.edge_buffer_m > 0 else geoms
    ids_roof = rasterize_ids(shrunk, transform, shape, all_touched=params.all_touched)
    ids_roof = np.where(valid, ids_roof, 0)

    face_ids, faces = segment_planes(ids_roof, np.where(valid, dsm, 0.0), slope, aspect, res,
                                     params.flat_roof_threshold_deg, int(params.aspect_classes),
                                     params.min_plane_area_m2)
    nf = len(faces)
    tilt = faces["tilt_deg"].to_numpy()
    az = faces["azimuth_deg"].to_numpy()
    north_dist = np.abs((az + 180.0) % 360.0 - 180.0)
    facing_ok = faces["is_flat"].to_numpy() | (north_dist > params.north_sector_half_width_deg)
    face_ok = (tilt <= params.max_tilt_deg) & facing_ok
    fr = face_ids.ravel()
    m = fr > 0
    f = fr[m]
    e = irr.ravel()[m].astype(np.float64)
    u = unshaded.ravel()[m].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(u > 0, e / u, 0.0)
    px_ok = face_ok[f - 1] & (e >= params.min_irradiation_kwh_m2_yr) & (ratio >= params.min_shading_ratio)
    n_px = np.bincount(f, minlength=nf + 1)[1:]
    s_e = np.bincount(f, weights=e, minlength=nf + 1)[1:]
    s_u = np.bincount(f, weights=u, minlength=nf + 1)[1:]
    n_ok = np.bincount(f, weights=px_ok.astype(float), minlength=nf + 1)[1:]
    area_factor = res * res / np.cos(np.radians(np.minimum(tilt, MAX_AREA_TILT_DEG)))
    bid = buildings["building_id"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        faces_out = pd.DataFrame({
            "building_id": bid[faces["zone"].to_numpy() - 1],
            "face_id": faces["face_id"].to_numpy(),
            "tilt_deg": tilt,
            "azimuth_deg": az,
            "area_m2": n_px * area_factor,
            "usable_area_m2": n_ok * area_factor,
            "shading_factor": np.where(s_u > 0, s_e / s_u, np.nan),
            "irradiation_kwh_m2_yr": s_e / n_px,
            "source": "dsm",
            "is_flat": faces["is_flat"].to_numpy(),
            "n_pixels": n_px,
        })
    zone_of_face = faces["zone"].to_numpy()

    # per building
    rr = ids_roof.ravel()
    mr = rr > 0
    z = rr[mr]
    cnt = np.bincount(z, minlength=nb + 1)[1:]
    be = np.bincount(z, weights=irr.ravel()[mr].astype(np.float64), minlength=nb + 1)[1:]
    bu = np.bincount(z, weights=unshaded.ravel()[mr].astype(np.float64), minlength=nb + 1)[1:]
    full = ids_full.ravel()
    mf = full > 0
    cov_px = np.bincount(full[mf], weights=valid.ravel()[mf].astype(float), minlength=nb + 1)[1:]
    area = shapely.area(geoms)
    expected = np.maximum(area / (res * res), 1.0)
    coverage = np.clip(cov_px / expected, 0.0, 1.0)
    nrow, ncol = shape
    x0, y0 = transform.c, transform.f
    bbox = shapely.box(*raster_bounds) if raster_bounds is not None else \
        shapely.box(x0, y0 + transform.e * nrow, x0 + res * ncol, y0)
    inside = shapely.intersects(geoms, bbox)
    with np.errstate(invalid="ignore", divide="ignore"):
        inside_share = shapely.area(shapely.intersection(geoms, bbox)) / area
    reason = np.full(nb, "", dtype=object)
    reason[cnt == 0] = "no roof pixel after edge buffer"
    low = coverage < MIN_DSM_COVERAGE
    reason[low] = "DSM nodata on roof"
    reason[low & (inside_share < 1.0 - 1e-6)] = "partly outside DSM"
    reason[~inside] = "outside DSM"
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    reason[empty] = "empty geometry"
    excluded = reason != ""
    roof_area = np.bincount(zone_of_face, weights=faces_out["area_m2"].to_numpy(), minlength=nb + 1)[1:]
    usable = np.bincount(zone_of_face, weights=faces_out["usable_area_m2"].to_numpy(), minlength=nb + 1)[1:]
    n_planes = np.bincount(zone_of_face, weights=(faces_out["face_id"].to_numpy() > 0).astype(float),
                           minlength=nb + 1)[1:].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_e = np.where(cnt > 0, be / cnt, np.nan)
        mean_u = np.where(cnt > 0, bu / cnt, np.nan)
        loss = np.where(bu > 0, 100.0 * (1.0 - be / bu), np.nan)
    stats = pd.DataFrame({
        "building_id": bid,
        "roof_irradiation_kwh_m2_yr": np.where(excluded, np.nan, mean_e),
        "unshaded_irradiation_kwh_m2_yr": np.where(excluded, np.nan, mean_u),
        "shading_loss_pct": np.where(excluded, np.nan, loss),
        "roof_area_m2": np.where(excluded, 0.0, roof_area),
        "usable_area_m2": np.where(excluded, 0.0, usable),
        "n_planes": np.where(excluded, 0, n_planes),
        "dsm_coverage_fraction": coverage,
        "exclusion_reason": reason.astype(str),
    })
    faces_out = faces_out[~excluded[zone_of_face - 1]].reset_index(drop=True)
    return stats[BUILDING_COLUMNS], faces_out[FACE_COLUMNS]

"""Annual irradiation on the tilted surface of every pixel of a tile.

``E = beam+circumsolar (shaded per patch) + Perez diffuse x visible sky
      + albedo x GHI x (1 - sky view factor of the tilted surface)``

The reflected term sees the ground and obstructions as surfaces of albedo ``albedo``
lit by the global horizontal irradiation, as SEBE does per blocked patch; for an open
tilted plane it equals the isotropic ``albedo GHI (1 - cos tilt) / 2``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from geopotential.shading import kernels
from geopotential.shading.sky import SkyEnergy
from geopotential.shading.terrain import surface_normals


def patch_steps(sky: SkyEnergy, res: float):
    """Sweep geometry of every sky patch.

    Returns
    -------
    rowdom : bool (n,)
        True where the direction is swept along rows of the array, False where it is swept
        on the transposed array.
    row_step : int8 (n,), t : float (n,), drop : float (n,) [m]
        See :func:`geopotential.shading.kernels.sweep_patches` (in the array swept).
    """
    return sweep_geometry(sky.patches.azimuth_deg, sky.patches.elevation_deg, res)


def _patch_arrays(sky: SkyEnergy):
    vec = sky.patches.vectors()
    hvec = vec.copy()
    hvec[:, 2] = 0.0
    hvec /= np.maximum(np.linalg.norm(hvec, axis=1, keepdims=True), 1e-12)
    svfc = sky.svf_weight / vec[:, 2]
    return vec, hvec, svfc


#: Orientation classes of the per-patch energy tables: tilt step [deg] and azimuth step [deg].
#: Numerical discretisation (max error 0.5 deg of tilt, 1 deg of azimuth), not physics.
TILT_STEP_DEG = 1.0
AZIMUTH_STEP_DEG = 2.0
N_TILT = int(round(90.0 / TILT_STEP_DEG)) + 1
N_AZIMUTH = int(round(360.0 / AZIMUTH_STEP_DEG))


def orientation_class(nx, ny, nz) -> np.ndarray:
    """Orientation class (int32) of unit normals: nearest (tilt, azimuth) of the table grid."""
    tilt = np.degrees(np.arccos(np.clip(nz, -1.0, 1.0)))
    az = np.mod(np.degrees(np.arctan2(nx, ny)), 360.0)
    it = np.clip(np.rint(tilt / TILT_STEP_DEG), 0, N_TILT - 1).astype(np.int32)
    ia = (np.rint(az / AZIMUTH_STEP_DEG).astype(np.int32)) % N_AZIMUTH
    return (it * N_AZIMUTH + ia).astype(np.int32)


@lru_cache(maxsize=4)
def class_tables(sky: SkyEnergy):
    """Per-class, per-patch energy [Wh/m2] and sky-view weights [-] for visible patches.

    Returns
    -------
    etab, stab : float32 (N_TILT * N_AZIMUTH, n_patches)
    normals : float64 (N_TILT * N_AZIMUTH, 3)
        Unit normal of each class (east, north, up).
    """
    tilt = np.radians(np.repeat(np.arange(N_TILT) * TILT_STEP_DEG, N_AZIMUTH))
    az = np.radians(np.tile(np.arange(N_AZIMUTH) * AZIMUTH_STEP_DEG, N_TILT))
    normals = np.stack([np.sin(tilt) * np.sin(az), np.sin(tilt) * np.cos(az), np.cos(tilt)], axis=1)
    vec, hvec, svfc = _patch_arrays(sky)
    cb = np.maximum(normals @ sky.beam_wh_m2.T, 0.0)
    cd = np.maximum(normals @ vec.T, 0.0)
    ch = np.maximum(normals @ hvec.T, 0.0)
    etab = cb + cd * sky.isotropic_wh_m2[None, :] + ch * sky.horizon_wh_m2[None, :]
    stab = cd * svfc[None, :]
    return etab.astype(np.float32), stab.astype(np.float32), normals


def tile_irradiation(dsm, res: float, sky: SkyEnergy, albedo: float, veg=None, want=None,
                     canopy_transmissivity: float = 0.03, n_groups: int | None = None,
                     origin: tuple[int, int] = (0, 0)) -> dict:
    """Irradiation of one (padded) tile.

    Parameters
    ----------
    dsm : ndarray (nrow, ncol) [m]
        Surface model, NaN-free (fill nodata before).
    res : float [m]
        Pixel size.
    sky : SkyEnergy
        Output of :func:`geopotential.shading.sky.sky_energy`.
    albedo : float [-]
    veg : ndarray or None [m]
        Top of vegetation (absolute height) where there is canopy, else anything <= dsm.
    want : ndarray of bool or None
        Pixels for which results are computed (all when None).
    canopy_transmissivity : float [-]
    n_groups : int or None
        Parallel groups (default: numba threads).
    origin : (int, int)
        Global (row, col) of the tile's first pixel: shadows follow digital lines fixed
        to the global grid, so that tiles agree.

    Returns
    -------
    dict of float32 arrays
        ``irradiation_kwh_m2_yr``, ``unshaded_kwh_m2_yr``, ``sky_view_factor`` and the
        normals ``nx, ny, nz``. Pixels not wanted are 0.
    """
    dsm = np.ascontiguousarray(dsm, dtype=np.float32)
    nx, ny, nz = surface_normals(dsm, res)
    cls = orientation_class(nx, ny, nz)
    etab, stab, cnormals = class_tables(sky)
    want8 = np.ones(dsm.shape, np.uint8) if want is None else np.ascontiguousarray(want, dtype=np.uint8)
    has_veg = veg is not None
    vegs = np.ascontiguousarray(np.maximum(veg, dsm) if has_veg else dsm, dtype=np.float32)
    rowdom, row_step, t, drop = patch_steps(sky, res)
    ng = n_groups or kernels.n_threads()
    acc = np.zeros(dsm.shape, np.float32)
    svf = np.zeros(dsm.shape, np.float32)
    for transposed in (False, True):
        sel = ~rowdom if transposed else rowdom
        if not sel.any():
            continue
        if transposed:
            arrs = [np.ascontiguousarray(x.T) for x in (dsm, vegs, want8, cls)]
        else:
            arrs = [dsm, vegs, want8, cls]
        a, s = kernels.sweep_patches(
            arrs[0], arrs[1], has_veg, arrs[2], arrs[3], row_step[sel], t[sel], drop[sel],
            float(canopy_transmissivity), np.ascontiguousarray(etab[:, sel]), np.ascontiguousarray(stab[:, sel]),
            min(ng, int(sel.sum())), int(origin[1] if transposed else origin[0]),
        )
        acc += a.T if transposed else a
        svf += s.T if transposed else s
    w = want8.astype(bool)
    unshaded = etab.sum(axis=1)[cls]
    open_view = (1.0 + cnormals[:, 2]) / 2.0
    svf = np.clip(svf, 0.0, 1.0)
    scale = 1.0 / (1000.0 * sky.years)
    total = (acc + albedo * sky.ghi_wh_m2 * (1.0 - svf)) * scale
    free = (unshaded + albedo * sky.ghi_wh_m2 * (1.0 - open_view[cls])) * scale
    total = np.where(w, np.maximum(total, 0.0), 0.0).astype(np.float32)
    free = np.where(w, np.maximum(free, 0.0), 0.0).astype(np.float32)
    return {
        "irradiation_kwh_m2_yr": total,
        "unshaded_kwh_m2_yr": free,
        "sky_view_factor": np.where(w, svf, 0.0).astype(np.float32),
        "nx": nx, "ny": ny, "nz": nz,
    }


def sweep_geometry(azimuth_deg, elevation_deg, res: float):
    """Sweep geometry of arbitrary directions (see :func:`patch_steps`)."""
    az = np.radians(np.atleast_1d(np.asarray(azimuth_deg, dtype=float)))
    el = np.atleast_1d(np.asarray(elevation_deg, dtype=float))
    dcol = np.sin(az)
    drow = -np.cos(az)
    rowdom = np.abs(drow) >= np.abs(dcol)
    main = np.where(rowdom, drow, dcol)
    side = np.where(rowdom, dcol, drow)
    row_step = np.where(main < 0, -1, 1).astype(np.int8)
    t = side / np.abs(main)
    tan_el = np.where(el >= 89.999, 1e6, np.tan(np.radians(el)))
    return rowdom, row_step, t, res * np.sqrt(1.0 + t * t) * tan_el


def shadow_mask_for(dsm, azimuth_deg: float, elevation_deg: float, res: float) -> np.ndarray:
    """Cast shadows for one sun position [deg] on a DSM [m]; True where shaded."""
    rowdom, row_step, t, drop = sweep_geometry(azimuth_deg, elevation_deg, res)
    z = np.ascontiguousarray(dsm, dtype=np.float32)
    if rowdom[0]:
        return kernels.shadow_mask(z, row_step[0], float(t[0]), float(drop[0]))
    return kernels.shadow_mask(np.ascontiguousarray(z.T), row_step[0], float(t[0]), float(drop[0])).T

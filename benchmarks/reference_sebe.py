"""Baseline: a straightforward numpy shift-and-compare implementation of SEBE's method.

This follows UMEP SEBE (``UMEP-dev/UMEP: SEBE/SEBEfiles/shadowingfunction_wallheight_23.py``,
Lindberg et al. 2015): for every one of the 145 sky patches, the DSM is shifted pixel by
pixel towards the patch and lowered by ``ds * index * tan(altitude)``, the running maximum
``f`` of the shifted surfaces is kept, and a pixel is shaded where ``f > dsm``; the loop
stops when the lowering exceeds the DSM's height range. The shaded patch energies are then
accumulated with numpy, with the same sky energies (:mod:`geopotential.shading.sky`) and
the same surface normals as the numba engine, so the two differ only by the shadow
algorithm and its implementation. Used by ``bench_shading.py`` only (not part of the package).
"""

from __future__ import annotations

import numpy as np

from geopotential.shading.irradiance import _patch_arrays
from geopotential.shading.sky import SkyEnergy
from geopotential.shading.terrain import surface_normals


def sebe_shadow(a: np.ndarray, azimuth_deg: float, altitude_deg: float, scale: float = 1.0) -> np.ndarray:
    """SEBE-style shadow mask (True = shaded) by repeated shifting of the whole DSM."""
    sizex, sizey = a.shape
    azimuth = np.radians(azimuth_deg)
    altitude = np.radians(altitude_deg)
    if altitude_deg >= 89.9:
        return np.zeros(a.shape, bool)
    f = a.copy()
    amaxvalue = float(a.max() - a.min())
    pibyfour, threetimespibyfour = np.pi / 4, 3 * np.pi / 4
    fivetimespibyfour, seventimespibyfour = 5 * np.pi / 4, 7 * np.pi / 4
    sinazimuth, cosazimuth, tanazimuth = np.sin(azimuth), np.cos(azimuth), np.tan(azimuth)
    signsinazimuth, signcosazimuth = np.sign(sinazimuth), np.sign(cosazimuth)
    dssin = np.abs(1.0 / sinazimuth) if sinazimuth != 0 else np.inf
    dscos = np.abs(1.0 / cosazimuth) if cosazimuth != 0 else np.inf
    tanaltitudebyscale = np.tan(altitude) / scale
    index = 1.0
    dx = dy = dz = 0.0
    while amaxvalue >= dz and abs(dx) < sizex and abs(dy) < sizey:
        if (pibyfour <= azimuth < threetimespibyfour) or (fivetimespibyfour <= azimuth < seventimespibyfour):
            dy = signsinazimuth * index
            dx = -1.0 * signcosazimuth * abs(np.round(index / tanazimuth))
            ds = dssin
        else:
            dy = signsinazimuth * abs(np.round(index * tanazimuth))
            dx = -1.0 * signcosazimuth * index
            ds = dscos
        dz = ds * index * tanaltitudebyscale
        absdx, absdy = int(abs(dx)), int(abs(dy))
        xc1 = int((dx + absdx) / 2)
        xc2 = int(sizex + (dx - absdx) / 2)
        yc1 = int((dy + absdy) / 2)
        yc2 = int(sizey + (dy - absdy) / 2)
        xp1 = -int((dx - absdx) / 2)
        xp2 = int(sizex - (dx + absdx) / 2)
        yp1 = -int((dy - absdy) / 2)
        yp2 = int(sizey - (dy + absdy) / 2)
        temp = np.full(a.shape, -np.inf, np.float32)
        temp[xp1:xp2, yp1:yp2] = a[xc1:xc2, yc1:yc2] - dz
        np.fmax(f, temp, out=f)
        index += 1.0
    return (f - a) > 1e-3


def sebe_irradiation(dsm: np.ndarray, res: float, sky: SkyEnergy, albedo: float) -> np.ndarray:
    """Annual irradiation [kWh/m2/yr] with SEBE-style shadows over the same sky patches."""
    dsm = np.asarray(dsm, np.float32)
    nx, ny, nz = surface_normals(dsm, res)
    vec, hvec, svfc = _patch_arrays(sky)
    acc = np.zeros(dsm.shape, np.float64)
    svf = np.zeros(dsm.shape, np.float64)
    for i in range(sky.patches.n):
        lit = ~sebe_shadow(dsm, sky.patches.azimuth_deg[i], sky.patches.elevation_deg[i], res)
        cb = np.maximum(nx * sky.beam_wh_m2[i, 0] + ny * sky.beam_wh_m2[i, 1] + nz * sky.beam_wh_m2[i, 2], 0)
        cd = np.maximum(nx * vec[i, 0] + ny * vec[i, 1] + nz * vec[i, 2], 0)
        e = cb + sky.isotropic_wh_m2[i] * cd
        if sky.horizon_wh_m2[i] != 0:
            e = e + sky.horizon_wh_m2[i] * np.maximum(nx * hvec[i, 0] + ny * hvec[i, 1] + nz * hvec[i, 2], 0)
        acc += lit * e
        svf += lit * svfc[i] * cd
    total = (acc + albedo * sky.ghi_wh_m2 * (1 - np.clip(svf, 0, 1))) / (1000.0 * sky.years)
    return np.maximum(total, 0).astype(np.float32)

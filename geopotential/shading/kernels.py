"""Numba kernels: upwind shadow sweep accumulated over sky patches.

For a sun (or sky patch) direction, the *shadow surface* ``U`` is propagated row by row
from the sun side (perf-anchors.md, section B, "O(1)-per-pixel upwind sweep")::

    U(p) = max(dsm(p), U(p + step_to_sun) - drop)

and ``p`` is shaded when ``U(p + step) - drop > dsm(p) + SHADOW_TOLERANCE_M``. The step
moves one row towards the sun and ``o(R)`` in {-1, 0, 1} columns sideways, where
``o(R) = q(R + rs) - q(R)``, ``q(R) = floor(R * t * rs + 0.5)`` for the *global* row ``R``
(``rs`` the row step, ``t = dcol/|drow|``, ``|t| <= 1``): the upstream links follow digital
lines of the sun's direction (Bresenham), as SEBE's integer shifts do, and ``drop`` is the
height lost by the ray per row, ``res * sqrt(1 + t^2) * tan(elevation)``. With one upstream
pixel per pixel (no interpolation), a pixel depends only on the pixels of its own digital
line, so a tile margin as long as the longest shadow makes tiled results exactly equal to
untiled ones. Directions closer to east-west are swept on transposed arrays by the caller.
Each pixel costs O(1) per direction, whatever the shadow length.

Directions that share a row order are swept together (one pass over the rows for the whole
batch, two-row buffers per direction kept in cache), and what a visible patch brings to a
pixel is read from a per-orientation-class table (:func:`geopotential.shading.irradiance.
class_tables`), so the inner loop is one comparison and one table read per pixel and
direction. Directions are split between threads (``prange``), each with its own accumulator.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

#: Height tolerance of the shadow test [m]: float32 rounding of planar roofs, not physics.
SHADOW_TOLERANCE_M = 1e-3


@njit(cache=True, inline="always")
def _offset(grow, row_step, t):
    """Sideways shift [px] from global row ``grow`` to its upstream row."""
    tau = t * row_step
    return int(np.floor((grow + row_step) * tau + 0.5) - np.floor(grow * tau + 0.5))


@njit(cache=True)
def _sweep_batch(dsm, veg, has_veg, want, cls, rs, pidx, t, drop, tau, row0, etab, stab, acc, svf):
    """Sweep several directions sharing the row order ``rs`` in one pass over the rows.

    All patches of the batch advance together, row by row, so each pixel's height and
    orientation class are read once per row for the whole batch and the accumulators are
    written once; per pixel and patch the work is one comparison and one table read.
    Row buffers carry a -inf border column on each side (no bounds tests in the loop).
    """
    nrow, ncol = dsm.shape
    npb = len(pidx)
    ninf = np.float32(-np.inf)
    u = np.full((2, npb, ncol + 2), ninf, np.float32)
    v = np.full((2, npb, ncol + 2), ninf, np.float32)
    offs = np.empty(npb, np.int64)
    drops = np.empty(npb, np.float32)
    tab = np.empty((etab.shape[0], npb, 2), np.float32)  # (energy, sky view) per class, patch
    for q in range(npb):
        drops[q] = drop[pidx[q]]
        for kc in range(etab.shape[0]):
            tab[kc, q, 0] = etab[kc, pidx[q]]
            tab[kc, q, 1] = stab[kc, pidx[q]]
    r = 0 if rs < 0 else nrow - 1
    r_inc = 1 if rs < 0 else -1
    cur = 0
    for k in range(nrow):
        prev = 1 - cur
        for q in range(npb):
            offs[q] = _offset(r + row0, rs, t[pidx[q]]) + 1
        for c in range(ncol):
            z = dsm[r, c]
            zt = z + np.float32(SHADOW_TOLERANCE_M)
            w = want[r, c] != 0
            kc = cls[r, c]
            e_tot = np.float32(0.0)
            s_tot = np.float32(0.0)
            if has_veg:
                zv = veg[r, c]
                for q in range(npb):
                    up_o = u[prev, q, c + offs[q]] - drops[q]
                    up_v = v[prev, q, c + offs[q]] - drops[q]
                    u[cur, q, c + 1] = z if z > up_o else up_o
                    v[cur, q, c + 1] = zv if zv > up_v else up_v
                    if w and up_o <= zt:
                        f = tau if up_v > zt else np.float32(1.0)
                        e_tot += f * tab[kc, q, 0]
                        s_tot += f * tab[kc, q, 1]
            else:
                for q in range(npb):
                    up_o = u[prev, q, c + offs[q]] - drops[q]
                    u[cur, q, c + 1] = z if z > up_o else up_o
                    if w and up_o <= zt:
                        e_tot += tab[kc, q, 0]
                        s_tot += tab[kc, q, 1]
            if w:
                acc[r, c] += e_tot
                svf[r, c] += s_tot
        cur = prev
        r += r_inc


@njit(cache=True, parallel=True)
def sweep_patches(dsm, veg, has_veg, want, cls, row_step, t, drop, tau, etab, stab, n_groups, row0=0):
    """Accumulate shaded irradiation and sky view factor over a set of directions.

    Parameters
    ----------
    dsm, veg : float32 (nrow, ncol) [m]
        Opaque surface and opaque-or-vegetation surface.
    has_veg : bool
    want : uint8 (nrow, ncol)
        1 where results are wanted.
    cls : int32 (nrow, ncol)
        Orientation class of each pixel (row of ``etab``/``stab``).
    row_step : int8 (n,)
        -1 when the sun lies towards row 0, +1 otherwise.
    t : float64 (n,)
        Sideways shift per row step [px].
    drop : float64 (n,)
        Height drop of a shadow ray per row step [m].
    tau : float
        Canopy transmissivity [-].
    etab, stab : float32 (n_classes, n)
        Energy [Wh/m2] and sky-view weight [-] that each patch gives a surface of each
        orientation class when it is visible.
    n_groups : int
        Number of parallel groups (threads); each sweeps its share of the directions.
    row0 : int
        Global index of the array's first row (fixes the digital lines).

    Returns
    -------
    acc, svf : float32 (nrow, ncol)
        Irradiation [Wh/m2] and cosine-weighted sky view factor [-].
    """
    nrow, ncol = dsm.shape
    n = len(t)
    accs = np.zeros((n_groups, nrow, ncol), np.float32)
    svfs = np.zeros((n_groups, nrow, ncol), np.float32)
    for g in prange(n_groups):
        for rs in (-1, 1):
            m = 0
            for i in range(n):
                if row_step[i] == rs:
                    m += 1
            pidx = np.empty(m, np.int64)
            m = 0
            for i in range(n):
                if row_step[i] == rs:
                    pidx[m] = i
                    m += 1
            mine = pidx[g::n_groups]
            if len(mine) == 0:
                continue
            _sweep_batch(dsm, veg, has_veg, want, cls, rs, mine, t, drop, tau, row0, etab, stab,
                         accs[g], svfs[g])
    acc = accs[0]
    svf = svfs[0]
    for g in range(1, n_groups):
        acc += accs[g]
        svf += svfs[g]
    return acc, svf


@njit(cache=True)
def shadow_mask(dsm, row_step, t, drop, row0=0):
    """Shadow mask of one direction (True = shaded), for tests and benchmarks."""
    nrow, ncol = dsm.shape
    out = np.zeros((nrow, ncol), np.bool_)
    u_prev = np.empty(ncol, np.float32)
    u_cur = np.empty(ncol, np.float32)
    r = 0 if row_step < 0 else nrow - 1
    r_inc = 1 if row_step < 0 else -1
    for k in range(nrow):
        o = _offset(r + row0, row_step, t)
        for c in range(ncol):
            z = dsm[r, c]
            cu = c + o
            up = -np.inf if (k == 0 or cu < 0 or cu >= ncol) else u_prev[cu] - drop
            u_cur[c] = z if z > up else up
            out[r, c] = up > z + SHADOW_TOLERANCE_M
        for c in range(ncol):
            u_prev[c] = u_cur[c]
        r += r_inc
    return out


def n_threads() -> int:
    """Number of numba threads in use."""
    return int(numba.get_num_threads())

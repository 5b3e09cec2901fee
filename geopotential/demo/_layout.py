"""Synthetic urban layout: plots on rotated street grids and one building per plot.

Every step is vectorised over plots: a district is a rotated grid of plots separated by
streets; a plot is kept when its four corners lie inside the district; a building is a
rotated rectangle placed in its plot. Nothing here touches files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geopotential.demo import _design as D
from geopotential.exceptions import ConfigError


@dataclass
class Plots:
    """Plots of one or several districts.

    Attributes
    ----------
    cx, cy : ndarray [m]
        Plot centres.
    angle : ndarray [rad]
        Grid rotation (direction of the plot's width axis ``u``).
    width, depth : ndarray [m]
        Plot size along ``u`` and ``v``.
    front : ndarray of {-1, 1}
        Side of the plot (along ``v``) that faces the street.
    zone : ndarray of str
        District name.
    """

    cx: np.ndarray
    cy: np.ndarray
    angle: np.ndarray
    width: np.ndarray
    depth: np.ndarray
    front: np.ndarray
    zone: np.ndarray

    def __len__(self) -> int:
        return len(self.cx)

    def take(self, idx: np.ndarray) -> Plots:
        return Plots(*(getattr(self, f)[idx] for f in ("cx", "cy", "angle", "width", "depth", "front", "zone")))

    @staticmethod
    def concat(parts: list[Plots]) -> Plots:
        return Plots(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in ("cx", "cy", "angle", "width", "depth", "front", "zone"))
        )


def rect_corners(cx, cy, angle, du, dv, half_u, half_v):
    """Corners of rotated rectangles, shape (n, 4, 2) [m].

    The rectangle's centre is offset by ``(du, dv)`` in the local frame (``u`` at
    ``angle``) from ``(cx, cy)``; ``half_u``, ``half_v`` are half sizes.
    """
    c, s = np.cos(angle), np.sin(angle)
    su = np.array([-1.0, 1.0, 1.0, -1.0])
    sv = np.array([-1.0, -1.0, 1.0, 1.0])
    lu = du[:, None] + su[None, :] * half_u[:, None]
    lv = dv[:, None] + sv[None, :] * half_v[:, None]
    x = cx[:, None] + lu * c[:, None] - lv * s[:, None]
    y = cy[:, None] + lu * s[:, None] + lv * c[:, None]
    return np.stack([x, y], axis=-1)


def polygons_from_corners(corners: np.ndarray) -> np.ndarray:
    """Shapely polygons from (n, 4, 2) corner arrays (closed automatically)."""
    ring = np.concatenate([corners, corners[:, :1, :]], axis=1)
    return shapely.polygons(np.round(ring, 2))


def grid_plots(origin, angle_deg, half_extent, plot_w, plot_d, cols_per_block, street_u, street_v, zone):
    """Plots of a rotated street grid around ``origin``.

    Rows come in back-to-back pairs (fronts facing the streets on each side); a street of
    ``street_v`` separates each pair, a street of ``street_u`` every ``cols_per_block``
    columns.
    """
    ang = np.deg2rad(angle_deg)
    n_cols = int(2 * half_extent / plot_w) + 2
    n_rows = int(2 * half_extent / plot_d) + 2
    i = np.arange(n_cols)
    j = np.arange(n_rows)
    u = i * plot_w + (i // cols_per_block) * street_u
    v = j * plot_d + (j // 2) * street_v
    uu, vv = np.meshgrid(u - u.mean(), v - v.mean())
    jj = np.broadcast_to(j[:, None], uu.shape)
    uu, vv, jj = uu.ravel() + plot_w / 2, vv.ravel() + plot_d / 2, jj.ravel()
    c, s = np.cos(ang), np.sin(ang)
    cx = origin[0] + uu * c - vv * s
    cy = origin[1] + uu * s + vv * c
    n = cx.size
    return Plots(
        cx=cx,
        cy=cy,
        angle=np.full(n, ang),
        width=np.full(n, float(plot_w)),
        depth=np.full(n, float(plot_d)),
        front=np.where(jj % 2 == 0, -1, 1),
        zone=np.full(n, zone, dtype=object),
    )


def _in_box(x, y, box, margin=0.0):
    return (x >= box[0] - margin) & (x <= box[2] + margin) & (y >= box[1] - margin) & (y <= box[3] + margin)


def _zone_of_points(x, y):
    """District of points (vectorised); '' in gaps and outside the built area."""
    gap = D.DISTRICT_GAP_M
    r = np.hypot(x - D.CORE_CENTRE[0], y - D.CORE_CENTRE[1])
    inner = (D.DSM_BOUNDS[0] + D.DSM_MARGIN_M, D.DSM_BOUNDS[1] + D.DSM_MARGIN_M,
             D.DSM_BOUNDS[2] - D.DSM_MARGIN_M, D.DSM_BOUNDS[3] - D.DSM_MARGIN_M)
    inside = _in_box(x, y, inner)
    out = np.full(x.shape, "", dtype=object)
    special = np.zeros(x.shape, bool)
    for name, box in (("industrial", D.INDUSTRIAL_BOX), ("estate", D.ESTATE_BOX), ("farm", D.FARM_BOX)):
        out[_in_box(x, y, box) & inside] = name
        special |= _in_box(x, y, box, gap)
    park = np.hypot(x - D.PARK[0], y - D.PARK[1]) <= D.PARK[2] + gap
    out[(r <= D.CORE_RADIUS_M) & inside & ~special] = "core"
    out[(r >= D.CORE_RADIUS_M + gap) & inside & ~special & ~park] = "suburb"
    return out


def keep_inside(plots: Plots) -> Plots:
    """Keep plots whose four corners lie in their own district."""
    corners = rect_corners(plots.cx, plots.cy, plots.angle, np.zeros(len(plots)), np.zeros(len(plots)),
                           plots.width / 2, plots.depth / 2)
    z = _zone_of_points(corners[..., 0], corners[..., 1])
    ok = np.all(z == plots.zone[:, None], axis=1)
    return plots.take(np.flatnonzero(ok))


def make_plots() -> Plots:
    """All candidate plots of the built area, in a fixed order."""
    cx, cy = D.CORE_CENTRE
    parts = [
        grid_plots((cx, cy), 15.0, D.CORE_RADIUS_M + 40, 8.0, 24.0, 12, 12.0, 14.0, "core"),
        grid_plots(((D.DSM_BOUNDS[0] + D.DSM_BOUNDS[2]) / 2, (D.DSM_BOUNDS[1] + D.DSM_BOUNDS[3]) / 2), -8.0,
                   1100.0, 20.0, 30.0, 8, 10.0, 10.0, "suburb"),
        grid_plots(((D.ESTATE_BOX[0] + D.ESTATE_BOX[2]) / 2, (D.ESTATE_BOX[1] + D.ESTATE_BOX[3]) / 2), 0.0,
                   260.0, 80.0, 34.0, 100, 0.0, 12.0, "estate"),
        grid_plots(((D.INDUSTRIAL_BOX[0] + D.INDUSTRIAL_BOX[2]) / 2, (D.INDUSTRIAL_BOX[1] + D.INDUSTRIAL_BOX[3]) / 2),
                   5.0, 380.0, 120.0, 85.0, 100, 0.0, 15.0, "industrial"),
        grid_plots(((D.FARM_BOX[0] + D.FARM_BOX[2]) / 2, (D.FARM_BOX[1] + D.FARM_BOX[3]) / 2), 30.0,
                   200.0, 70.0, 40.0, 100, 0.0, 10.0, "farm"),
    ]
    return keep_inside(Plots.concat(parts))


ROOF_SHAPES = ("flat", "gabled", "hipped", "shed")


def make_buildings(plots: Plots, n_buildings: int, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """One building on ``n_buildings`` of the plots.

    Returns
    -------
    frame : DataFrame
        One row per building: plot index, centre, angle, half sizes, roof shape, pitch,
        eave and ridge heights [m], usage, nature, floors, dwellings, name.
    built : ndarray of bool
        Which plots carry a building.
    """
    n_plots = len(plots)
    zone = plots.zone
    # keep every non-suburban plot, fill up with suburban plots; thin uniformly if too many
    fixed = np.flatnonzero(zone != "suburb")
    sub = np.flatnonzero(zone == "suburb")
    if n_buildings >= len(fixed):
        n_sub = min(n_buildings - len(fixed), len(sub))
        chosen = np.concatenate([fixed, np.sort(rng.choice(sub, n_sub, replace=False))])
    else:
        chosen = np.sort(rng.choice(fixed, n_buildings, replace=False))
    chosen = np.sort(chosen)
    if len(chosen) < n_buildings:
        raise ConfigError(f"the demo layout holds at most {len(chosen)} buildings, {n_buildings} asked",
                          key="n_buildings")
    p = plots.take(chosen)
    n = len(p)
    z = p.zone
    u01 = rng.random((n, 8))

    half_u = np.empty(n)
    half_v = np.empty(n)
    du = np.zeros(n)
    setback = np.zeros(n)
    shape = np.full(n, "gabled", dtype=object)
    pitch = np.zeros(n)
    eave = np.zeros(n)
    usage = np.full(n, "Résidentiel", dtype=object)
    nature = np.full(n, "Indifférenciée", dtype=object)
    floors = np.zeros(n)

    core = z == "core"
    half_u[core] = p.width[core] / 2 - 0.05  # terraced: full plot width less 10 cm
    half_v[core] = (9.0 + 4.0 * u01[core, 0]) / 2
    setback[core] = 1.0 * u01[core, 1]
    floors[core] = 2 + np.floor(2.0 * u01[core, 2])  # 2-3 storeys
    eave[core] = 3.0 * floors[core] + 0.6
    pitch[core] = 35.0 + 10.0 * u01[core, 3]
    r = u01[:, 4]
    shape[core & (r < 0.12)] = "hipped"
    shape[core & (r > 0.88)] = "flat"
    commerce = core & (u01[:, 5] < 0.08)
    usage[commerce] = "Commercial et services"
    shape[commerce] = "flat"
    eave[commerce] = 9.0 + 6.0 * u01[commerce, 6]
    floors[commerce] = np.floor(eave[commerce] / 3.2)

    sub = z == "suburb"
    half_u[sub] = (8.5 + 4.5 * u01[sub, 0]) / 2
    half_v[sub] = (7.0 + 3.0 * u01[sub, 1]) / 2
    setback[sub] = 4.0 + 4.0 * u01[sub, 2]
    du[sub] = (u01[sub, 3] - 0.5) * np.maximum(p.width[sub] - 2 * half_u[sub] - 3.0, 0.0)
    floors[sub] = 1 + np.floor(1.7 * u01[sub, 4])
    eave[sub] = 2.8 * floors[sub] + 0.5
    pitch[sub] = 30.0 + 15.0 * u01[sub, 5]
    shape[sub & (u01[:, 6] < 0.35)] = "hipped"
    shape[sub & (u01[:, 6] > 0.93)] = "flat"

    est = z == "estate"
    half_u[est] = (50.0 + 20.0 * u01[est, 0]) / 2
    half_v[est] = (11.0 + 2.0 * u01[est, 1]) / 2
    setback[est] = 6.0
    floors[est] = 5 + np.floor(5.0 * u01[est, 2])
    eave[est] = 2.9 * floors[est] + 0.8
    shape[est] = "flat"

    ind = z == "industrial"
    half_u[ind] = (40.0 + 60.0 * u01[ind, 0]) / 2
    half_v[ind] = (25.0 + 35.0 * u01[ind, 1]) / 2
    setback[ind] = 8.0
    eave[ind] = 8.0 + 4.0 * u01[ind, 2]
    floors[ind] = 1
    shape[ind] = np.where(u01[ind, 3] < 0.7, "flat", "shed")
    pitch[ind] = 6.0
    usage[ind] = "Industriel"
    nature[ind] = "Industriel, agricole ou commercial"

    farm = z == "farm"
    half_u[farm] = (30.0 + 30.0 * u01[farm, 0]) / 2
    half_v[farm] = (15.0 + 10.0 * u01[farm, 1]) / 2
    setback[farm] = 5.0
    eave[farm] = 5.5 + 2.0 * u01[farm, 2]
    floors[farm] = 1
    shape[farm] = "gabled"
    pitch[farm] = 15.0
    usage[farm] = "Agricole"
    nature[farm] = "Industriel, agricole ou commercial"

    pitch[shape == "flat"] = 0.0
    # the building's front edge sits ``setback`` behind the street side of the plot
    dv = p.front * (p.depth / 2 - setback - half_v)
    eave = np.round(eave, 1)
    rad = np.deg2rad(pitch)
    rise = np.where(shape == "shed", 2 * half_v * np.tan(rad), np.where(shape == "flat", 0.0, half_v * np.tan(rad)))
    ridge = np.round(eave + rise, 2)

    name = np.full(n, None, dtype=object)
    # a few named public buildings in the centre
    core_idx = np.flatnonzero(core & ~commerce)
    named = core_idx[:: max(1, len(core_idx) // 6)][:6]
    labels = ["Église Saint-Leu (synthétique)", "Mairie annexe (synthétique)", "Groupe scolaire du Centre (synthétique)",
              "Halle du marché (synthétique)", "Médiathèque (synthétique)", "Chapelle (synthétique)"]
    for k, i in enumerate(named):
        name[i] = labels[k]
    usage[named[0]] = "Religieux"
    nature[named[0]] = "Eglise"
    if len(named) > 5:
        usage[named[5]] = "Religieux"
        nature[named[5]] = "Chapelle"
    usage[named[1:5]] = "Commercial et services"

    dwellings = np.where(usage == "Résidentiel", np.where(est, floors * 4, 1), 0)
    frame = pd.DataFrame(
        {
            "plot": chosen,
            "zone": z,
            "cx": p.cx,
            "cy": p.cy,
            "angle": p.angle,
            "du": du,
            "dv": dv,
            "half_u": half_u,
            "half_v": half_v,
            "roof_shape": shape,
            "pitch_deg": pitch,
            "eave_m": eave,
            "ridge_m": ridge,
            "usage": usage,
            "nature": nature,
            "floors": floors.astype(int),
            "dwellings": dwellings.astype(int),
            "name": name,
        }
    )
    built = np.zeros(n_plots, bool)
    built[chosen] = True
    return frame, built


def building_polygons(b: pd.DataFrame) -> np.ndarray:
    """Footprint polygons of the building table [m]."""
    corners = rect_corners(b.cx.to_numpy(), b.cy.to_numpy(), b.angle.to_numpy(), b.du.to_numpy(), b.dv.to_numpy(),
                           b.half_u.to_numpy(), b.half_v.to_numpy())
    return polygons_from_corners(corners)


def plot_polygons(plots: Plots) -> np.ndarray:
    """Plot (cadastral parcel) polygons [m]."""
    n = len(plots)
    corners = rect_corners(plots.cx, plots.cy, plots.angle, np.zeros(n), np.zeros(n), plots.width / 2, plots.depth / 2)
    return polygons_from_corners(corners)

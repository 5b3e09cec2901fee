"""Digester siting: greedy maximum coverage of supply within a transport radius.

1. Supply already used by existing plants is removed first: each existing plant takes the
   nearest unassigned supply within the radius until its feed need (declared capacity x
   utilisation, BMP basis) is met.
2. New plants are placed greedily: the supply of the unassigned points is rasterised on a
   ``siting_grid_m`` grid and convolved (FFT) with a disc of the radius, giving the supply
   each candidate cell could collect. The best cell becomes a plant, which takes the nearest
   unassigned supply within the radius up to the band's maximum size; the coverage raster is
   updated locally. Among cells of (nearly) equal coverage, a cone-kernel score picks the one
   nearest the supply (``TIE_BREAK_WEIGHT``). A cell whose exact catchment falls below the
   band's minimum is blocked. It stops when no cell can feed a plant of the minimum size.
   Plants sit at the centre of a grid cell, so positions are known to ``siting_grid_m``.

Each supply point is assigned to one plant at most.

Distances are Euclidean by default. With ``distance='road'`` and a road network, they are
road distances (:mod:`geopotential.biogas.network`: straight access leg to the nearest road
node + shortest road length + access leg), used both to score candidates and to assign
supply: a point within the radius as the crow flies but beyond it by road is not taken.
Candidate cells are those whose Euclidean coverage (an upper bound of the road coverage)
could feed a plant of the minimum size; their exact road coverage is computed with one
bounded Dijkstra per distinct candidate road node, and after each new plant the supply it
takes is subtracted exactly from the coverage of every candidate that reached it.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.signal import fftconvolve
from scipy.spatial import cKDTree

from geopotential.exceptions import ConfigError, InputError, MissingFieldError

from .coefficients import (
    ch4_for_capacity_nm3_yr,
    chp_capacity_kwe,
    injection_capacity_nm3_h,
    plant_flow_nm3_h,
)
from .network import NetworkReach, RoadGraph, road_graph
from .parameters import FAMILIES, BiogasParameters

logger = logging.getLogger(__name__)

#: weight of the cone-kernel score that breaks ties between cells of equal coverage [-]
#: (an algorithm setting, not a physical coefficient: at most a 2 % loss of coverage).
TIE_BREAK_WEIGHT = 0.02


def _level(params: BiogasParameters, level: str | None) -> str:
    lv = level or params.siting_level
    if lv not in params.levels():
        raise ConfigError(f"unknown potential level {lv!r}; known: {params.levels()}", key="biogas.siting_level")
    return lv


def supply_points(*layers: gpd.GeoDataFrame, params: BiogasParameters | None = None, level: str | None = None) -> gpd.GeoDataFrame:
    """Supply points for siting from potential layers.

    Parameters
    ----------
    *layers
        GeoDataFrames returned by the potential functions (``parcels_biogas``, livestock or
        biowaste per commune with commune geometry, point sources). Polygons are represented
        by a point inside them.
    params
        Run parameters.
    level
        Potential level to site on (default ``params.siting_level``, 'net').

    Returns
    -------
    geopandas.GeoDataFrame
        ``supply_id``, ``layer`` (position of the layer), ``row`` (position in it), ``source_id``, ``ch4_nm3_yr``
        [Nm3 CH4/yr at the level, BMP basis], ``energy_mwh_pcs_yr`` [MWh PCS/yr],
        ``<family>_t_fm_yr`` [t FM/yr] per resource family; rows without supply dropped.
    """
    params = params or BiogasParameters()
    lv = _level(params, level)
    frames = []
    crs = None
    for k, df in enumerate(layers):
        if df is None or len(df) == 0:
            continue
        for c in (f"ch4_{lv}_nm3_yr", f"t_fm_{lv}_yr", "geometry"):
            if c not in df.columns:
                raise MissingFieldError(f"supply layer {k} lacks {c}", field=c)
        crs = crs or df.crs
        g = df.geometry
        pts = np.where(g.geom_type.isin(["Point"]).to_numpy(), g.to_numpy(), g.representative_point().to_numpy())
        out = pd.DataFrame({"layer": k, "row": np.arange(len(df)), "ch4_nm3_yr": df[f"ch4_{lv}_nm3_yr"].to_numpy(dtype=float)})
        sid = next((c for c in ("parcel_id", "source_id", "commune_insee") if c in df.columns), None)
        out["source_id"] = df[sid].astype(str).to_numpy() if sid else np.arange(len(df)).astype(str)
        if "resource_family" in df.columns:
            fam = df["resource_family"].astype(str).to_numpy()
        else:
            fam = df.get("resource", pd.Series("", index=df.index)).astype(str).to_numpy()
        t_fm = df[f"t_fm_{lv}_yr"].to_numpy(dtype=float)
        cive = df[f"cive_t_fm_{lv}_yr"].to_numpy(dtype=float) if f"cive_t_fm_{lv}_yr" in df.columns else 0.0
        for f in FAMILIES:
            v = np.where(fam == f, t_fm - cive, 0.0)
            if f == "cive":
                v = v + cive
            out[f"{f}_t_fm_yr"] = v
        out["geometry"] = pts
        frames.append(out)
    if not frames:
        return gpd.GeoDataFrame({"supply_id": [], "ch4_nm3_yr": []}, geometry=[], crs=crs)
    sup = pd.concat(frames, ignore_index=True)
    sup = sup[sup["ch4_nm3_yr"] > 0].reset_index(drop=True)
    sup.insert(0, "supply_id", "s" + sup.index.astype(str))
    sup["energy_mwh_pcs_yr"] = sup["ch4_nm3_yr"] * params.pcs_kwh_nm3_ch4 / 1000.0
    return gpd.GeoDataFrame(sup, geometry="geometry", crs=crs)


def _take_nearest(tree, pts_idx, xy, ch4, assigned, site_xy, radius, need, at_least_one=True, strict=False):
    """Indices of the nearest unassigned points within radius until ``need`` is reached.

    ``strict``: never exceed ``need`` (except for a first point larger than it when
    ``at_least_one``); otherwise the point crossing ``need`` is taken too.
    """
    cand = np.asarray(tree.query_ball_point(site_xy, radius), dtype=np.int64)
    if cand.size == 0:
        return cand
    cand = pts_idx[cand]
    cand = cand[assigned[cand] < 0]
    if cand.size == 0:
        return cand
    d = np.hypot(xy[cand, 0] - site_xy[0], xy[cand, 1] - site_xy[1])
    return _take_sorted(cand, d, ch4, need, at_least_one, strict)


def _take_reach(reach: NetworkReach, i, pts_idx, ch4, assigned, need, at_least_one=True, strict=False):
    """As :func:`_take_nearest` with road distances from source ``i`` of ``reach``."""
    t, d = reach.reach(i)
    cand = pts_idx[t]
    free = assigned[cand] < 0
    return _take_sorted(cand[free], d[free], ch4, need, at_least_one, strict)


def _take_sorted(cand, d, ch4, need, at_least_one, strict):
    if cand.size == 0:
        return cand
    order = np.argsort(d, kind="stable")
    cand = cand[order]
    cs = np.cumsum(ch4[cand])
    # take points while the supply before them is below the need (the crossing point is taken)
    take = cs <= need if strict else (cs - ch4[cand]) < need
    if at_least_one:
        take[0] = True
    return cand[take]


def _existing_need(existing: gpd.GeoDataFrame, params: BiogasParameters) -> np.ndarray:
    gwh = pd.to_numeric(existing.get("capacity_gwh_pcs_yr", np.nan), errors="coerce")
    nm3 = pd.to_numeric(existing.get("capacity_nm3_h", np.nan), errors="coerce")
    gwh = np.broadcast_to(np.asarray(gwh, dtype=float), (len(existing),))
    nm3 = np.broadcast_to(np.asarray(nm3, dtype=float), (len(existing),))
    from_gwh = gwh * 1e6 * params.injection_utilisation / params.pcs_kwh_nm3_ch4 / params.practical_factor
    return np.where(np.isfinite(gwh), from_gwh, np.nan_to_num(ch4_for_capacity_nm3_yr(nm3, params)))


def site_digesters(
    supply: gpd.GeoDataFrame,
    existing_plants: gpd.GeoDataFrame | None = None,
    params: BiogasParameters | None = None,
    show_progress: bool = False,
    roads: gpd.GeoDataFrame | gpd.GeoSeries | RoadGraph | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.Series]:
    """Place digesters to collect supply within the transport radius.

    Parameters
    ----------
    supply
        Supply points (:func:`supply_points`): ``ch4_nm3_yr`` [Nm3 CH4/yr, BMP basis],
        optional ``<family>_t_fm_yr`` columns, Point geometry in the working CRS.
    existing_plants
        Existing plants (:func:`geopotential.io.injection_sites.read_injection_sites`):
        ``site_id``, ``capacity_gwh_pcs_yr`` and/or ``capacity_nm3_h``, Point geometry; rows
        with a non-empty ``exclusion_reason`` or no geometry are ignored.
    params
        Run parameters (radius, band, utilisation, CHP, grid).
    show_progress
        Show a tqdm bar over new plants.
    roads
        Road network for ``params.distance == 'road'``: a line layer
        (:func:`geopotential.io.roads.read_roads`, reprojected to the CRS of ``supply`` if
        needed) or a prebuilt :class:`~geopotential.biogas.network.RoadGraph`. Ignored
        (logged) with Euclidean distances.

    Returns
    -------
    digester_sites : geopandas.GeoDataFrame
        ``site_id``, ``status`` ('existing' or 'proposed'), ``capacity_nm3_h`` [Nm3/h nominal
        injection capacity], ``flow_nm3_h`` [Nm3 CH4/h mean delivered], ``capacity_kwe``
        [kWe, CHP alternative], ``electricity_net_mwh_yr`` [MWh/yr, CHP after own use],
        ``ch4_nm3_yr`` [Nm3 CH4/yr delivered, after the practical factor],
        ``energy_mwh_pcs_yr`` [MWh PCS/yr delivered], ``supply_ch4_nm3_yr`` and
        ``supply_mwh_pcs_yr`` [BMP basis], ``<family>_t_fm_yr`` [t FM/yr],
        ``n_supply_points``, Point geometry. Existing plants keep their declared
        ``capacity_nm3_h``.
    catchments : geopandas.GeoDataFrame
        ``site_id``, ``supply_mwh_pcs_yr``, ``n_supply_points``, Polygon (hull of the assigned
        supply, clipped to the radius circle).
    assignment : pandas.Series
        Index of ``supply``; the ``site_id`` each point feeds, <NA> if none.
    """
    params = params or BiogasParameters()
    if "ch4_nm3_yr" not in supply.columns:
        raise MissingFieldError("supply lacks ch4_nm3_yr", field="ch4_nm3_yr")
    graph = _graph(supply, roads, params)
    n = len(supply)
    R = params.siting_radius_km * 1000.0
    geom = supply.geometry
    if n and not (geom.geom_type == "Point").all():
        geom = geom.representative_point()
    xy = shapely.get_coordinates(geom.to_numpy()) if n else np.zeros((0, 2))
    ch4 = np.nan_to_num(supply["ch4_nm3_yr"].to_numpy(dtype=float))
    valid = (ch4 > 0) & np.isfinite(xy).all(axis=1)
    pts_idx = np.flatnonzero(valid)
    assigned = np.full(n, -1, dtype=np.int64)
    site_xy: list[tuple[float, float]] = []
    site_ids: list[str] = []
    status: list[str] = []
    declared_nm3: list[float] = []
    tree = cKDTree(xy[pts_idx]) if pts_idx.size else None

    # 1. existing plants take their feed first (largest first)
    if existing_plants is not None and len(existing_plants) and tree is not None:
        ex = existing_plants
        ok = ex.geometry.notna() & ~ex.geometry.is_empty
        if "exclusion_reason" in ex.columns:
            ok &= ex["exclusion_reason"].fillna("") == ""
        ex = ex[ok.to_numpy()]
        if len(ex):  # keep only plants with supply within the radius
            dist, _ = tree.query(shapely.get_coordinates(ex.geometry.to_numpy()), distance_upper_bound=R)
            ex = ex[np.isfinite(dist)]
        exy = shapely.get_coordinates(ex.geometry.to_numpy())
        ex_reach = None
        if graph is not None and len(ex):  # keep only plants with supply within the road radius
            ex_reach = NetworkReach(graph, exy, xy[pts_idx], R)
            reach_any = ex_reach.coverage(np.ones(pts_idx.size))[0] > 0
            ex, exy = ex[reach_any], exy[reach_any]
            ex_src = np.flatnonzero(reach_any)
        need = _existing_need(ex, params)
        for j in np.argsort(-need, kind="stable"):
            if not need[j] > 0:
                continue
            if ex_reach is None:
                take = _take_nearest(tree, pts_idx, xy, ch4, assigned, exy[j], R, need[j], at_least_one=False)
            else:
                take = _take_reach(ex_reach, ex_src[j], pts_idx, ch4, assigned, need[j], at_least_one=False)
            k = len(site_xy)
            assigned[take] = k
            site_xy.append((exy[j, 0], exy[j, 1]))
            site_ids.append(f"existing_{ex['site_id'].iloc[j] if 'site_id' in ex.columns else j}")
            status.append("existing")
            gwh = float(pd.to_numeric(pd.Series([ex["capacity_gwh_pcs_yr"].iloc[j]]), errors="coerce").iloc[0]) \
                if "capacity_gwh_pcs_yr" in ex.columns else np.nan
            nm3 = float(pd.to_numeric(pd.Series([ex["capacity_nm3_h"].iloc[j]]), errors="coerce").iloc[0]) \
                if "capacity_nm3_h" in ex.columns else np.nan
            declared_nm3.append(nm3 if np.isfinite(nm3) else gwh * 1e6 / params.pcs_kwh_nm3_ch4 / params.plant_hours_yr)
        logger.info("existing plants took %.3g Nm3 CH4/yr of %.3g", ch4[assigned >= 0].sum(), ch4[valid].sum())

    # 2. greedy new plants on a coverage raster
    min_ch4 = float(ch4_for_capacity_nm3_yr(params.plant_min_nm3_h, params))
    max_ch4 = float(ch4_for_capacity_nm3_yr(params.plant_max_nm3_h, params))
    free = valid & (assigned < 0)
    if free.any() and ch4[free].sum() >= min_ch4 * 0.95:
        cell = params.siting_grid_m
        k = int(np.ceil(R / cell))
        x0, y0 = xy[free, 0].min() - (k + 2) * cell, xy[free, 1].min() - (k + 2) * cell
        nx = int((xy[free, 0].max() - x0) // cell) + k + 3
        ny = int((xy[free, 1].max() - y0) // cell) + k + 3
        ci = np.clip(((xy[:, 0] - x0) // cell), 0, nx - 1).astype(np.int64)
        cj = np.clip(((xy[:, 1] - y0) // cell), 0, ny - 1).astype(np.int64)
        ci[~valid] = 0
        cj[~valid] = 0
        S = np.zeros((ny, nx))
        np.add.at(S, (cj[free], ci[free]), ch4[free])
        oy, ox = np.mgrid[-k:k + 1, -k:k + 1]
        dist = np.hypot(ox, oy) * cell
        K = (dist <= R).astype(float)
        # tie-breaker: a cone kernel favours the cell nearest the supply among equal coverages
        K2 = K * (1.0 - dist / (R + cell))
        C = fftconvolve(S, K, mode="same")
        C2 = fftconvolve(S, K2, mode="same")
        C[C < 1e-6 * max(1.0, C.max())] = 0.0
        lam = TIE_BREAK_WEIGHT
        blocked = np.zeros(C.shape, dtype=bool)
        h = k + 1  # removed points lie within h cells of the site cell
        from tqdm.auto import tqdm

        bar = tqdm(disable=not show_progress, desc="siting", unit="plant")
        if graph is not None:
            rr, cc = np.nonzero(C >= 0.95 * min_ch4)
            cand_xy = np.column_stack([x0 + (cc + 0.5) * cell, y0 + (rr + 0.5) * cell])
            for sxy in _greedy_road(graph, cand_xy, xy, ch4, pts_idx, assigned, len(site_xy), min_ch4, max_ch4, R, cell):
                site_xy.append(sxy)
                site_ids.append(f"proposed_{len(site_xy) - 1:05d}")
                status.append("proposed")
                declared_nm3.append(np.nan)
                bar.update(1)
        while graph is None:
            ok = (C >= 0.95 * min_ch4) & ~blocked
            if not ok.any():
                break
            i = int(np.argmax(np.where(ok, C + lam * C2, -np.inf)))
            r, c = divmod(i, nx)
            sxy = (x0 + (c + 0.5) * cell, y0 + (r + 0.5) * cell)
            take = _take_nearest(tree, pts_idx, xy, ch4, assigned, sxy, R, max_ch4, strict=True)
            got = ch4[take].sum() if take.size else 0.0
            if got < min_ch4:
                blocked[r, c] = True
                continue
            kk = len(site_xy)
            assigned[take] = kk
            site_xy.append(sxy)
            site_ids.append(f"proposed_{kk:05d}")
            status.append("proposed")
            declared_nm3.append(np.nan)
            bar.update(1)
            # local update of the coverage raster
            D = np.zeros((2 * h + 1, 2 * h + 1))
            np.add.at(D, (cj[take] - r + h, ci[take] - c + h), ch4[take])
            full = fftconvolve(D, K, mode="full")  # covers rows r-h-k .. r+h+k
            full2 = fftconvolve(D, K2, mode="full")
            r0, c0 = r - h - k, c - h - k
            rs, cs_ = max(r0, 0), max(c0, 0)
            re, ce = min(r0 + full.shape[0], ny), min(c0 + full.shape[1], nx)
            C[rs:re, cs_:ce] -= full[rs - r0:re - r0, cs_ - c0:ce - c0]
            C2[rs:re, cs_:ce] -= full2[rs - r0:re - r0, cs_ - c0:ce - c0]
            C[rs:re, cs_:ce][C[rs:re, cs_:ce] < 1e-6 * max_ch4] = 0.0
        bar.close()
    return _tables(supply, xy, ch4, assigned, site_xy, site_ids, status, declared_nm3, params, R)


def _graph(supply, roads, params: BiogasParameters) -> RoadGraph | None:
    """Road graph for road distances, or None for Euclidean ones."""
    if params.distance != "road":
        if roads is not None:
            logger.info("a road network was given but biogas.distance is 'euclidean': distances are Euclidean")
        return None
    if roads is None:
        raise ConfigError("distance 'road' needs a road network: set inputs.roads (a line layer, e.g. BD TOPO "
                          "troncon_de_route) and pass it as roads=, or set biogas.distance to 'euclidean'",
                          key="biogas.distance")
    if isinstance(roads, RoadGraph):
        return roads
    if getattr(roads, "crs", None) is not None and supply.crs is not None and roads.crs != supply.crs:
        roads = roads.to_crs(supply.crs)
    try:
        return road_graph(roads, params.road_snap_tolerance_m, params.road_max_segment_m)
    except InputError as exc:
        raise InputError(f"inputs.roads: {exc}", field="geometry") from None


def _greedy_road(graph, cand_xy, xy, ch4, pts_idx, assigned, k0, min_ch4, max_ch4, R, cell):
    """Greedy max coverage with road distances. Yields site positions.

    Scores are the road coverage of the unassigned supply plus the cone tie-breaker
    (``TIE_BREAK_WEIGHT``, cone of radius ``R + cell``), as on the Euclidean raster.
    ``assigned`` is updated in place, plants numbered from ``k0``.
    """
    if cand_xy.shape[0] == 0:
        return
    reach = NetworkReach(graph, cand_xy, xy[pts_idx], R)
    L = R + cell
    w = np.where(assigned[pts_idx] < 0, ch4[pts_idx], 0.0)
    cov, cone = reach.coverage(w, L)
    blocked = np.zeros(cov.size, bool)
    pos_of = np.full(assigned.size, -1, dtype=np.int64)  # supply index -> target position
    pos_of[pts_idx] = np.arange(pts_idx.size)
    kk = k0
    while True:
        ok = (cov >= 0.95 * min_ch4) & ~blocked
        if not ok.any():
            return
        i = int(np.argmax(np.where(ok, cov + TIE_BREAK_WEIGHT * cone, -np.inf)))
        take = _take_reach(reach, i, pts_idx, ch4, assigned, max_ch4, strict=True)
        if take.size == 0 or ch4[take].sum() < min_ch4:
            blocked[i] = True
            continue
        assigned[take] = kk
        kk += 1
        # exact update of every candidate's coverage: subtract the taken supply it reached
        d_tot, d_cone = reach.removed(pos_of[take], ch4[take], L)
        cov -= d_tot
        cone -= d_cone
        cov[cov < 1e-9 * max_ch4] = 0.0
        yield (float(cand_xy[i, 0]), float(cand_xy[i, 1]))


def _tables(supply, xy, ch4, assigned, site_xy, site_ids, status, declared_nm3, params, R):
    crs = supply.crs
    m = len(site_xy)
    has = assigned >= 0
    a = assigned[has]
    sup_ch4 = np.bincount(a, weights=ch4[has], minlength=m)
    npts = np.bincount(a, minlength=m)
    delivered = sup_ch4 * params.practical_factor
    pcs = params.pcs_kwh_nm3_ch4 / 1000.0
    cap = injection_capacity_nm3_h(sup_ch4, params)
    decl = np.asarray(declared_nm3, dtype=float) if m else np.zeros(0)
    cap = np.where(np.isfinite(decl), decl, cap)
    kwe = chp_capacity_kwe(sup_ch4, params)
    sites = pd.DataFrame({
        "site_id": site_ids, "status": status, "capacity_nm3_h": cap, "flow_nm3_h": plant_flow_nm3_h(sup_ch4, params),
        "capacity_kwe": kwe,
        "electricity_net_mwh_yr": kwe * params.chp_full_load_hours * (1.0 - params.chp_own_consumption) / 1000.0,
        "ch4_nm3_yr": delivered, "energy_mwh_pcs_yr": delivered * pcs,
        "supply_ch4_nm3_yr": sup_ch4, "supply_mwh_pcs_yr": sup_ch4 * pcs, "n_supply_points": npts,
    })
    for f in FAMILIES:
        col = f"{f}_t_fm_yr"
        v = supply[col].to_numpy(dtype=float)[has] if col in supply.columns else np.zeros(int(has.sum()))
        sites[col] = np.bincount(a, weights=np.nan_to_num(v), minlength=m)
    sxy = np.asarray(site_xy, dtype=float).reshape(-1, 2)
    sites = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sxy[:, 0], sxy[:, 1]), crs=crs)

    # catchments: hull of the assigned points and the site, clipped to the radius circle
    if has.any():
        order = np.argsort(a, kind="stable")
        idx = a[order]
        pts_xy = xy[has][order]
        allxy = np.vstack([pts_xy, sxy])
        allidx = np.concatenate([idx, np.arange(m)])
        o2 = np.argsort(allidx, kind="stable")
        mp = shapely.multipoints(allxy[o2], indices=allidx[o2])
        hull = shapely.convex_hull(mp)
        hull = shapely.buffer(hull, min(params.siting_grid_m / 4.0, R / 10.0))
        circles = shapely.buffer(shapely.points(sxy), R, quad_segs=16)
        poly = shapely.intersection(hull, circles)
    else:
        poly = np.array([], dtype=object)
    keep = npts > 0
    catch = gpd.GeoDataFrame({"site_id": np.asarray(site_ids, dtype=object)[keep] if m else [],
                              "supply_mwh_pcs_yr": (sup_ch4 * pcs)[keep], "n_supply_points": npts[keep]},
                             geometry=np.asarray(poly, dtype=object)[keep] if m else [], crs=crs)
    labels = np.full(len(assigned), None, dtype=object)
    labels[has] = np.asarray(site_ids, dtype=object)[a]
    assignment = pd.Series(pd.array(labels, dtype="string"), index=supply.index, name="site_id")
    logger.info("siting: %d sites (%d proposed), %d of %d supply points assigned", m, status.count("proposed"), int(has.sum()), len(assigned))
    return sites, catch, assignment

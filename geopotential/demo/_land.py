"""Synthetic communes, trees, farmland (RPG-like parcels), cadastral parcels and livestock."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geopotential.demo import _design as D
from geopotential.demo._layout import Plots, grid_plots, plot_polygons


def commune_polygons() -> tuple[pd.DataFrame, np.ndarray]:
    """Communes tiling the territory: Voronoi cells of the seeds, clipped to the rectangle."""
    box = shapely.box(*D.TERRITORY)
    seeds = shapely.points([(c[2], c[3]) for c in D.COMMUNES])
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    # match cells to seeds (voronoi output order is not guaranteed)
    order = [int(np.flatnonzero(shapely.contains(cells, s))[0]) for s in seeds]
    geoms = shapely.intersection(cells[order], box)
    geoms = shapely.set_precision(geoms, 0.01)
    table = pd.DataFrame(
        {"code": [c[0] for c in D.COMMUNES], "nom": [c[1] for c in D.COMMUNES],
         "population": [c[4] for c in D.COMMUNES]}
    )
    return table, geoms


def commune_of(x: np.ndarray, y: np.ndarray, geoms: np.ndarray, codes: list[str]) -> np.ndarray:
    """INSEE code of the commune holding each point (vectorised through an STRtree)."""
    pts = shapely.points(x, y)
    tree = shapely.STRtree(geoms)
    ip, ig = tree.query(pts, predicate="intersects")
    out = np.full(len(pts), "", dtype=object)
    # a point on a shared edge takes the first commune found, deterministically
    first = np.unique(ip, return_index=True)[1]
    out[ip[first]] = np.asarray(codes, dtype=object)[ig[first]]
    return out


def make_trees(plots: Plots, rng: np.random.Generator) -> pd.DataFrame:
    """Trees in suburban back gardens and in the park."""
    sub = np.flatnonzero(plots.zone == "suburb")
    pick = sub[rng.random(len(sub)) < 0.4]
    n = len(pick)
    c, s = np.cos(plots.angle[pick]), np.sin(plots.angle[pick])
    back = -plots.front[pick] * (plots.depth[pick] / 2 - 5.0)
    along = (rng.random(n) - 0.5) * (plots.width[pick] - 8.0)
    gx = plots.cx[pick] + along * c - back * s
    gy = plots.cy[pick] + along * s + back * c
    m = 140
    rr = D.PARK[2] * np.sqrt(rng.random(m)) * 0.9
    th = 2 * np.pi * rng.random(m)
    px = D.PARK[0] + rr * np.cos(th)
    py = D.PARK[1] + rr * np.sin(th)
    x = np.concatenate([gx, px])
    y = np.concatenate([gy, py])
    k = len(x)
    return pd.DataFrame(
        {
            "x": np.round(x, 2),
            "y": np.round(y, 2),
            "radius_m": np.round(2.0 + 2.5 * rng.random(k), 2),
            "height_m": np.round(6.0 + 10.0 * rng.random(k), 2),
        }
    )


def make_fields(rng: np.random.Generator) -> np.ndarray:
    """Farmland parcels: a rotated grid of fields, split into strips, outside the built area."""
    cx = (D.TERRITORY[0] + D.TERRITORY[2]) / 2
    cy = (D.TERRITORY[1] + D.TERRITORY[3]) / 2
    g = grid_plots((cx, cy), 12.0, 3600.0, 260.0, 180.0, 1000, 0.0, 8.0, "field")
    n_split = 1 + np.floor(3.0 * rng.random(len(g))).astype(int)  # 1 to 3 strips
    # split along u into equal strips, vectorised over the strip index
    parts = []
    for k in (1, 2, 3):
        idx = np.flatnonzero(n_split == k)
        for j in range(k):
            sub = Plots(
                cx=g.cx[idx] + ((j + 0.5) / k - 0.5) * g.width[idx] * np.cos(g.angle[idx]),
                cy=g.cy[idx] + ((j + 0.5) / k - 0.5) * g.width[idx] * np.sin(g.angle[idx]),
                angle=g.angle[idx],
                width=g.width[idx] / k - 4.0,
                depth=g.depth[idx],
                front=g.front[idx],
                zone=g.zone[idx],
            )
            parts.append((idx * 3 + j, plot_polygons(sub)))
    key = np.concatenate([p[0] for p in parts])
    polys = np.concatenate([p[1] for p in parts])[np.argsort(key, kind="stable")]
    territory = shapely.box(*D.TERRITORY)
    built = shapely.box(*D.DSM_BOUNDS).buffer(40.0, join_style="mitre")
    polys = shapely.intersection(polys, territory)
    polys = polys[~shapely.intersects(polys, built)]
    polys = shapely.set_precision(polys, 0.01)
    polys = polys[shapely.area(polys) > 2000.0]
    # keep single polygons only (clipping at the rectangle keeps them convex)
    return polys[shapely.get_type_id(polys) == 3]


def rpg_table(fields: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """RPG attributes of the fields: crop by the Somme-like mix, grass in the valley."""
    n = len(fields)
    codes = np.array([c[0] for c in D.CROP_MIX], dtype=object)
    groups = dict((c[0], c[1]) for c in D.CROP_MIX)
    share = np.array([c[2] for c in D.CROP_MIX])
    share = share / share.sum()
    crop = codes[np.searchsorted(np.cumsum(share), rng.random(n), side="right").clip(0, len(codes) - 1)]
    cy = shapely.get_y(shapely.centroid(fields))
    valley = (cy >= D.VALLEY_BAND[0]) & (cy <= D.VALLEY_BAND[1])
    r = rng.random(n)
    crop[valley & (r < 0.75)] = "PPH"
    crop[valley & (r >= 0.75) & (r < 0.9)] = "PRL"
    spring = np.isin(crop, D.SPRING_CROPS)
    catch = spring & (rng.random(n) < D.CATCH_CROP_SHARE)
    d1 = np.where(catch, np.array(D.CATCH_CROPS, dtype=object)[(rng.random(n) < 0.5).astype(int)], "")
    area_ha = np.round(shapely.area(fields) / 1e4, 2)
    return pd.DataFrame(
        {
            "ID_PARCEL": [str(8_000_001 + i) for i in range(n)],
            "SURF_PARC": area_ha,
            "CODE_CULTU": crop.astype(str),
            "CODE_GROUP": [groups[c] for c in crop],
            "CULTURE_D1": d1.astype(str),
            "CULTURE_D2": np.full(n, "", dtype=object),
        }
    )


def cadastre_ids(communes: np.ndarray, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Etalab-like cadastral identifiers: section from a 500 m grid, numbers in order.

    ``id`` (the idu) is INSEE code (5) + prefix ``000`` + section (2) + number (4 digits).
    """
    col = np.floor((x - D.TERRITORY[0]) / 500.0).astype(int)
    row = np.floor((y - D.TERRITORY[1]) / 500.0).astype(int)
    letters = np.array(list("ABCDEFGHIKLMNOPRSTVWXYZ"))
    section = np.char.add(letters[np.clip(row, 0, len(letters) - 1)], letters[np.clip(col, 0, len(letters) - 1)])
    frame = pd.DataFrame({"commune": communes, "section": section, "x": x, "y": y})
    frame["order"] = np.arange(len(frame))
    frame = frame.sort_values(["commune", "section", "y", "x", "order"], kind="stable")
    frame["numero"] = frame.groupby(["commune", "section"]).cumcount() + 1
    frame = frame.sort_values("order")
    numero = frame["numero"].to_numpy()
    if numero.max() > 9999:
        raise ValueError("more than 9999 parcels in one demo section")
    frame["prefixe"] = "000"
    frame["id"] = frame["commune"] + "000" + frame["section"] + pd.Series(numero, index=frame.index).map("{:04d}".format)
    frame["numero"] = frame["numero"].astype(str)
    return frame[["id", "commune", "prefixe", "section", "numero"]].reset_index(drop=True)


def livestock_table(rpg: pd.DataFrame, field_commune: np.ndarray, codes: list[str], rng) -> pd.DataFrame:
    """Heads per commune and category, driven by the commune's grass and silage-maize area."""
    forage = rpg["CODE_CULTU"].isin(["PPH", "PRL", "PTR", "MIE"]).to_numpy()
    ha = pd.Series(rpg["SURF_PARC"].to_numpy() * forage).groupby(field_commune).sum()
    rows = []
    for code in codes:
        area = float(ha.get(code, 0.0))
        for cat, per_ha in D.LIVESTOCK_PER_HA_FORAGE.items():
            rows.append((code, cat, int(round(area * per_ha * (0.8 + 0.4 * rng.random())))))
        for cat, (lo, hi) in D.LIVESTOCK_OTHER.items():
            rows.append((code, cat, int(rng.integers(lo, hi + 1))))
    return pd.DataFrame(rows, columns=["commune_insee", "category", "heads"])

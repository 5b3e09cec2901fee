"""Synthetic run layers near Amiens (EPSG:2154) for tests, benchmarks and examples.

Vectorised (60,000 buildings in well under a second). ``hostile=True`` puts script payloads
into the free-text fields (building names, commune names, crop labels, territory name) so
the map and report can be checked against them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:2154"
X0, Y0 = 648000.0, 6977000.0

#: Payloads that must never run in a browser.
XSS_PAYLOADS = (
    "<img src=x onerror=\"window.__xss=1;alert(1)\">",
    "<script>window.__xss=1;alert(1)</script>",
    "\"><svg onload=\"window.__xss=1;alert(1)\">",
    "</script><script>window.__xss=1;alert(1)</script>",
    "=HYPERLINK(\"http://x\",\"$x$\")",
)

PV_LABELS = {1: "Excellent", 2: "Très bon", 3: "Bon", 4: "Moyen", 5: "Faible"}


def _rect_polygons(cx, cy, w, h, angle):
    """Rotated rectangles as shapely Polygons (vectorised)."""
    dx = np.array([-0.5, 0.5, 0.5, -0.5, -0.5])
    dy = np.array([-0.5, -0.5, 0.5, 0.5, -0.5])
    px = dx[None, :] * w[:, None]
    py = dy[None, :] * h[:, None]
    c, s = np.cos(angle)[:, None], np.sin(angle)[:, None]
    x = cx[:, None] + px * c - py * s
    y = cy[:, None] + px * s + py * c
    return shapely.polygons(np.stack([x, y], axis=-1))


def synthetic_layers(n_buildings: int = 500, *, hostile: bool = False, seed: int = 0, n_communes: int = 4) -> tuple[dict, dict]:
    """Layers following the report's layer contract, and their ``meta``.

    Parameters
    ----------
    n_buildings
        Number of buildings (on a jittered 22 m grid, as perf-anchors' synthetic data).
    hostile
        Put :data:`XSS_PAYLOADS` into names, commune names and crop labels.
    seed
        Random seed.
    n_communes
        Communes: vertical strips over the building grid.

    Returns
    -------
    (layers, meta)
    """
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_buildings)))
    k = np.arange(n_buildings)
    gx, gy = k % side, k // side
    cx = X0 + gx * 22.0 + rng.uniform(-2, 2, n_buildings)
    cy = Y0 + gy * 22.0 + rng.uniform(-2, 2, n_buildings)
    w = rng.uniform(8, 16, n_buildings)
    h = rng.uniform(6, 11, n_buildings)
    ang = np.deg2rad(rng.uniform(-20, 20, n_buildings))
    geom = _rect_polygons(cx, cy, w, h, ang)
    extent = side * 22.0
    strip = extent / n_communes
    com_idx = np.minimum(((cx - X0 + 11) // strip).astype(int), n_communes - 1)
    insee = np.array([f"80{21 + i:03d}" for i in range(n_communes)])
    roof = w * h
    usable = np.round(roof * rng.uniform(0.3, 0.7, n_buildings), 1)
    yield_ = rng.uniform(850, 1150, n_buildings)
    kwp = np.round(usable * 0.2, 2)
    cls = np.clip(5 - ((yield_ - 850) // 60).astype(int), 1, 5)
    excluded = rng.random(n_buildings) < 0.05
    names = np.where(rng.random(n_buildings) < 0.1, "Gymnase municipal", "")
    if hostile:
        names = names.astype(object)
        names[: len(XSS_PAYLOADS)] = XSS_PAYLOADS[: min(len(XSS_PAYLOADS), n_buildings)]
    buildings = gpd.GeoDataFrame(
        {
            "building_id": [f"BATIMENT{i:016d}" for i in range(n_buildings)],
            "name": names,
            "commune_insee": insee[com_idx],
            "roof_area_m2": np.round(roof, 1),
            "usable_area_m2": np.where(excluded, 0.0, usable),
            "pv_capacity_kwp": np.where(excluded, 0.0, kwp),
            "pv_energy_kwh_yr": np.where(excluded, 0.0, np.round(kwp * yield_)),
            "specific_yield_kwh_kwp_yr": np.round(yield_, 0),
            "irradiation_kwh_m2_yr": np.round(yield_ * 1.2, 0),
            "pv_class": cls,
            "pv_class_label": [PV_LABELS[c] for c in cls],
            "payback_yr": np.round(rng.uniform(7, 18, n_buildings), 1),
            "lcoe_eur_kwh": np.round(rng.uniform(0.07, 0.16, n_buildings), 3),
            "exclusion_reason": np.where(excluded, "toiture trop petite", ""),
        },
        geometry=geom,
        crs=CRS,
    )
    # communes: strips around the buildings
    com_geoms = shapely.box(
        X0 - 30 + np.arange(n_communes) * strip, Y0 - 30, X0 - 30 + (np.arange(n_communes) + 1) * strip, Y0 + extent + 30
    )
    com_names = np.array(["Amiens", "Salouël", "Dury", "Camon", "Longueau", "Rivery"] * 3)[:n_communes].astype(object)
    if hostile:
        com_names[: min(3, n_communes)] = XSS_PAYLOADS[:3][: min(3, n_communes)]
    pv_mwh = pd.Series(buildings["pv_energy_kwh_yr"].to_numpy() / 1000.0).groupby(com_idx).sum()
    pv_kwp = pd.Series(buildings["pv_capacity_kwp"].to_numpy()).groupby(com_idx).sum()
    # parcels: a row of fields south of the buildings
    n_par = 40
    px = X0 + np.arange(n_par) * 150.0
    parcels_geom = shapely.box(px, Y0 - 400, px + 140, Y0 - 100)
    crops = np.array(["Blé tendre d'hiver", "Betterave sucrière", "Maïs ensilage", "Prairie permanente"], dtype=object)
    crop_lab = crops[np.arange(n_par) % 4]
    if hostile:
        crop_lab = crop_lab.copy()
        crop_lab[:3] = XSS_PAYLOADS[:3]
    area = np.round(shapely.area(parcels_geom) / 1e4, 2)
    energy = np.round(area * rng.uniform(2, 12, n_par), 1)
    par_com = np.minimum(((px - X0 + 70) // strip).astype(int), n_communes - 1)
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": [f"P{i:07d}" for i in range(n_par)],
            "commune_insee": insee[par_com],
            "code_cultu": np.array(["BTH", "BTN", "MIE", "PPH"])[np.arange(n_par) % 4],
            "crop_label": crop_lab,
            "resource": np.array(["residus_cultures", "residus_cultures", "cive", "herbe"])[np.arange(n_par) % 4],
            "area_ha": area,
            "energy_mwh_pcs_yr": energy,
            "energy_net_mwh_pcs_yr": np.round(energy * 0.8, 1),
            "exclusion_reason": "",
        },
        geometry=parcels_geom,
        crs=CRS,
    )
    bio_net = pd.Series(parcels["energy_net_mwh_pcs_yr"].to_numpy()).groupby(par_com).sum()
    idx = np.arange(n_communes)
    pop = rng.integers(1500, 130000, n_communes)
    communes = gpd.GeoDataFrame(
        {
            "commune_insee": insee,
            "commune_name": com_names,
            "population": pop,
            "pv_energy_mwh_yr": pv_mwh.reindex(idx, fill_value=0.0).round(1).to_numpy(),
            "pv_capacity_kwp": pv_kwp.reindex(idx, fill_value=0.0).round(1).to_numpy(),
            "biogas_energy_net_mwh_pcs_yr": bio_net.reindex(idx, fill_value=0.0).round(1).to_numpy(),
            "autonomy_ratio_today": np.round(rng.uniform(0.01, 0.1, n_communes), 3),
            "autonomy_ratio_potential": np.round(rng.uniform(0.1, 1.4, n_communes), 3),
        },
        geometry=com_geoms,
        crs=CRS,
    )
    sites_xy = np.array([[X0 + 1500, Y0 - 900], [X0 + 4500, Y0 - 900]])
    digesters = gpd.GeoDataFrame(
        {"site_id": ["S1", "S2"], "capacity_nm3_h": [120.0, 250.0], "energy_mwh_pcs_yr": [10500.0, 21900.0]},
        geometry=shapely.points(sites_xy),
        crs=CRS,
    )
    catchments = gpd.GeoDataFrame(
        {"site_id": ["S1", "S2"], "supply_mwh_pcs_yr": [10500.0, 21900.0]},
        geometry=shapely.buffer(shapely.points(sites_xy), 1200.0),
        crs=CRS,
    )
    plant_names = ["Méthanisation de la Somme", XSS_PAYLOADS[0] if hostile else "Biogaz Picardie"]
    plants = gpd.GeoDataFrame(
        {"name": plant_names, "capacity_nm3_h": [180.0, 90.0]},
        geometry=shapely.points([[X0 - 800, Y0 + 500], [X0 + 3000, Y0 - 1500]]),
        crs=CRS,
    )
    layers = {
        "buildings_pv": buildings,
        "parcels_biogas": parcels,
        "digester_sites": digesters,
        "catchments": catchments,
        "existing_plants": plants,
        "communes_summary": communes,
    }
    meta = {
        "territory": XSS_PAYLOADS[2] + " Amiens Métropole" if hostile else "Amiens Métropole (démo)",
        "run_date": "2026-11-28",
        "scenario": "potentiel technique" if not hostile else XSS_PAYLOADS[0],
        "synthetic": True,
        "crs": CRS,
    }
    return layers, meta

"""The map on real files: the 779 Somme communes (IGN Admin Express 2018, real names with
accents and apostrophes), the Somme biomethane injection sites (ODRE, real names) and the
100 real RPG 2022 parcels with their official crop names; opened in headless Chromium."""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geopotential.report.map import write_map
from geopotential.report.parameters import MapParameters
from tests._shared import shared_path

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def real_layers():
    d = shared_path()
    com = gpd.read_file(d / "france-geojson-somme" / "communes-80-somme.geojson").to_crs("EPSG:2154")
    area_km2 = com.geometry.area.to_numpy() / 1e6
    communes = gpd.GeoDataFrame({
        "commune_insee": com["code"], "commune_name": com["nom"],
        "population": np.round(area_km2 * 60).astype(int),
        "pv_energy_mwh_yr": np.round(area_km2 * 900, 1),  # illustrative figures on real shapes
        "biogas_energy_net_mwh_pcs_yr": np.round(area_km2 * 400, 1),
    }, geometry=com.geometry, crs=com.crs)
    sites = pd.read_csv(d / "biomethane-injection-sites" / "points-injection.csv", sep=";", encoding="utf-8-sig")
    sites = sites[pd.to_numeric(sites["Code Departement"], errors="coerce") == 80]
    latlon = sites["Coordonnees"].str.split(",", expand=True).astype(float)
    plants = gpd.GeoDataFrame(
        {"name": sites["Nom du site"].to_numpy(),
         "capacity_nm3_h": (sites["Capacite de production (GWh/an)"].astype(float) * 1e6 / 8760 / 10.9).round(0).to_numpy()},
        geometry=gpd.points_from_xy(latlon[1], latlon[0]), crs="EPSG:4326").to_crs("EPSG:2154")
    rpg = gpd.read_file(d / "rpg-2022-sample-fiboa" / "PARCELLES_GRAPHIQUES_sample100_2022.gpkg")
    codes = pd.read_csv(d / "rpg-2022-sample-fiboa" / "fr_2018_crop_codes_eurocrops.csv")
    names = dict(zip(codes["original_code"], codes["original_name"]))
    parcels = gpd.GeoDataFrame({
        "parcel_id": rpg["id_parcel"].astype(str), "code_cultu": rpg["code_cultu"],
        "crop_label": rpg["code_cultu"].map(names), "area_ha": rpg["surf_parc"].astype(float),
    }, geometry=rpg.geometry, crs=rpg.crs)
    return {"communes_summary": communes, "existing_plants": plants, "parcels_biogas": parcels}


def test_real_somme_map_in_browser(probe, real_layers, tmp_path, artifacts_dir):
    assert len(real_layers["communes_summary"]) == 779 and len(real_layers["existing_plants"]) >= 8
    meta = {"territory": "Somme (80)", "run_date": "2026-11-28", "scenario": "données réelles, chiffres illustratifs",
            "synthetic": False}
    path = write_map(real_layers, meta, tmp_path / "map.html", MapParameters(simplify_tolerance_m=5.0))
    shutil.copy(path, artifacts_dir / "map_real_somme.html")
    page = probe.open(path)
    assert probe.errors == [] and probe.dialogs == []
    assert page.evaluate("GP.layers.communes_pv.shownCount()") == 779
    page.fill(".gp-search-input", "amiens")
    page.click(".gp-search-item >> text=80021")
    text = page.inner_text(".leaflet-popup-content")
    assert "Amiens" in text and "80021" in text
    page.fill(".gp-search-input", "lieramont")  # accent-insensitive: Liéramont
    assert "Liéramont" in page.inner_text(".gp-search-results")
    names = page.evaluate("GP.layers.existing_plants.spec.data.cols.name")
    assert any("Sanamethan" in str(n) for n in (names if isinstance(names, list) else names["d"]))
    page.evaluate("() => { GP.map.closePopup(); GP.map.fitBounds(GP.layers.communes_pv.getBounds(), {animate: false}); }")
    page.screenshot(path=str(artifacts_dir / "map_real_somme_1280x800.png"))

"""Fetched sources opened with the geopotential.io readers (what `run` does with cached sources)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from werkzeug import Response

from geopotential.connectors import fetch
from geopotential.connectors.load import load_source


def test_rpg_pages_load_into_canonical_parcels(httpserver, cache_dir, shared, fast):
    import geopandas as gpd

    rpg = gpd.read_file(shared / "rpg-2022-sample-fiboa/PARCELLES_GRAPHIQUES_sample100_2022.gpkg")

    def wfs(request):
        start = int(request.args["STARTINDEX"])
        page = rpg.iloc[start:start + 60]
        return Response(page.to_json(drop_id=True), content_type="application/json")

    httpserver.expect_request("/wfs").respond_with_handler(wfs)
    opts = {"rpg": {"year": 2022, "page_size": 60}}
    bbox = (2.2, 49.85, 2.35, 49.95)
    fetch(bbox, sources=["rpg"], cache_dir=cache_dir, options=opts, retry=fast,
          base_urls={"rpg": httpserver.url_for("/wfs")})
    parcels = load_source("rpg", bbox, cache_dir, options=opts["rpg"])
    assert len(parcels) == 100 and parcels.crs.to_epsg() == 2154
    assert {"parcel_id", "area_ha", "code_cultu"} <= set(parcels.columns)
    assert parcels["area_ha"].sum() == pytest.approx(rpg["surf_parc"].sum())


def test_pvgis_tmy_horizon_and_population_load(httpserver, cache_dir, shared, fast):
    body = (shared / "pvgis-weather/tmy_45.000_8.000_2005_2023.json").read_bytes()
    httpserver.expect_request("/api/tmy").respond_with_data(body, content_type="application/json")
    ref = pd.read_csv(shared / "pvgis-weather/test_read_pvgis_horizon.csv")
    profile = [{"A": a - 180, "H_hor": h} for a, h in zip(ref.horizon_azimuth, ref.horizon_elevation)]
    httpserver.expect_request("/api/printhorizon").respond_with_json({"outputs": {"horizon_profile": profile}})
    bbox = (7.99, 44.99, 8.01, 45.01)
    fetch(bbox, sources=["pvgis_tmy", "pvgis_horizon"], cache_dir=cache_dir, retry=fast,
          base_urls={"pvgis_tmy": httpserver.url_for("/api/"), "pvgis_horizon": httpserver.url_for("/api/")})
    weather, meta = load_source("pvgis_tmy", bbox, cache_dir)
    assert len(weather) == 8760 and meta["latitude"] == pytest.approx(45.0)
    assert weather["ghi"].sum() / 1000 == pytest.approx(1436, rel=0.02)  # [kWh/m2/yr]
    horizon = load_source("pvgis_horizon", bbox, cache_dir)
    assert list(horizon.index) == list(ref.horizon_azimuth)
    assert list(horizon) == list(ref.horizon_elevation)

    insee = pd.read_csv(shared / "insee-communes-population/communes_80_somme_insee.csv", dtype={"insee_com": str})
    rows = [{"code": c, "nom": n, "codeDepartement": "80", "population": int(p)}
            for c, n, p in zip(insee.insee_com, insee.commune, insee.population_2021)]
    httpserver.expect_request("/departements/80/communes").respond_with_data(json.dumps(rows),
                                                                              content_type="application/json")
    fetch("80", sources=["insee_population"], cache_dir=cache_dir, retry=fast,
          base_urls={"insee_population": httpserver.url_for("/")})
    pop = load_source("insee_population", "80", cache_dir)
    assert len(pop) == 772 and pop["population"].sum() == 566_252
    assert pop.set_index("commune_insee").loc["80021", "population"] == 133_625

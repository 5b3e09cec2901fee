"""The synthetic demo territory: deterministic bytes and plausible, self-consistent contents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pvlib
import pyogrio
import pytest
import rasterio
import shapely

from geopotential.demo import DEMO_FILES, generate_demo
from geopotential.demo import _design as D
from geopotential.exceptions import ConfigError

BDTOPO_USAGES = {"Résidentiel", "Commercial et services", "Industriel", "Agricole", "Religieux", "Sportif",
                 "Annexe", "Indifférencié"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, Path]:
    return generate_demo(tmp_path_factory.mktemp("demo_a"))


@pytest.fixture(scope="module")
def buildings(demo) -> gpd.GeoDataFrame:
    return gpd.read_file(demo["buildings"], layer="batiment")


def test_same_seed_same_bytes_in_another_process(demo, tmp_path):
    """Generated again in a fresh interpreter (other hash seed, other clock): identical bytes."""
    code = f"from geopotential.demo import generate_demo; generate_demo({str(tmp_path)!r})"
    env = dict(os.environ, PYTHONHASHSEED="123")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    for key, path in demo.items():
        other = tmp_path / DEMO_FILES[key]
        assert other.read_bytes() == path.read_bytes(), f"{key} differs between two runs with the same seed"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".demo-")], "temporary folder left behind"


def test_other_seed_other_data(demo, tmp_path):
    paths = generate_demo(tmp_path, seed=7, n_buildings=500)
    assert paths["dsm"].read_bytes() != demo["dsm"].read_bytes()
    assert paths["weather"].read_bytes() != demo["weather"].read_bytes()
    assert len(gpd.read_file(paths["buildings"])) == 500


def test_every_file_says_synthetic(demo):
    assert set(demo) == set(DEMO_FILES)
    assert "SYNTHETIC" in demo["readme"].read_text(encoding="utf-8")
    for key in ("communes", "parcels"):
        assert '"description": "SYNTHETIC' in demo[key].read_text(encoding="utf-8")[:600]
    for key, layer in (("buildings", "batiment"), ("rpg", "parcelles_graphiques")):
        info = pyogrio.read_info(demo[key], layer=layer)
        assert info["layer_metadata"]["SYNTHETIC"] == "YES"
    for key in ("dsm", "dem", "canopy"):
        with rasterio.open(demo[key]) as src:
            assert src.tags()["SYNTHETIC"] == "YES"
    for key in ("weather", "roof_truth"):
        assert demo[key].read_text(encoding="utf-8").startswith("# SYNTHETIC")


def test_buildings_fields_and_geometry(buildings):
    b = buildings
    assert len(b) == 3000
    assert b.crs.to_epsg() == 2154
    assert b.cleabs.is_unique and b.cleabs.str.fullmatch(r"BATIMENT\d{16}").all()
    for field in ("cleabs", "hauteur", "nombre_d_etages", "usage_1", "nature", "nom", "altitude_maximale_toit"):
        assert field in b.columns
    assert set(b.usage_1) <= BDTOPO_USAGES
    share_missing = b.hauteur.isna().mean()
    assert 0.005 < share_missing < 0.04
    assert 3 <= b.nom.notna().sum() <= 10
    assert (b.hauteur.dropna() > 2).all() and (b.hauteur.dropna() < 40).all()
    geoms = b.geometry.values
    assert shapely.is_valid(geoms).all()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    assert len(left) == 0, "buildings overlap"
    # a few large flat sheds and many small houses
    area = b.area
    assert ((area > 1000) & (b.usage_1.isin(["Industriel", "Agricole"]))).sum() >= 5
    assert (area < 150).mean() > 0.5
    x0, y0, x1, y1 = b.total_bounds
    assert D.DSM_BOUNDS[0] <= x0 and x1 <= D.DSM_BOUNDS[2] and D.DSM_BOUNDS[1] <= y0 and y1 <= D.DSM_BOUNDS[3]


def test_communes_tile_the_territory(demo, buildings):
    c = gpd.read_file(demo["communes"]).to_crs(2154)
    assert list(c.columns[:3]) == ["code", "nom", "population"]
    assert c.code.tolist() == ["80021", "80164", "80489", "80674"]
    territory = shapely.box(*D.TERRITORY).area
    assert c.area.sum() == pytest.approx(territory, rel=1e-5)
    assert shapely.union_all(c.geometry.values).area == pytest.approx(territory, rel=1e-5)
    centroids = gpd.GeoDataFrame(geometry=buildings.centroid, crs=2154)
    per_commune = gpd.sjoin(centroids, c, predicate="within").code.value_counts()
    assert per_commune.sum() == len(buildings)
    assert (per_commune >= 50).all() and per_commune.idxmax() == "80021"


def test_cadastral_parcels_hold_the_buildings(demo, buildings):
    p = gpd.read_file(demo["parcels"])
    assert p.crs.to_epsg() == 4326
    assert p["id"].is_unique and p["id"].str.fullmatch(r"80\d{3}000[A-Z]{2}\d{4}").all()
    assert (p["id"].str[:5] == p["commune"]).all()
    p2154 = p.to_crs(2154)
    assert np.allclose(p2154.area, p.contenance, atol=2.0, rtol=1e-3)
    pts = gpd.GeoDataFrame(geometry=buildings.representative_point(), crs=2154)
    hit = gpd.sjoin(pts, p2154, predicate="within")
    assert hit.index.nunique() == len(buildings)


def test_rpg_parcels_real_codes_somme_mix(demo, shared_data):
    assert pyogrio.list_layers(demo["rpg"])[0][0] == "parcelles_graphiques"
    r = gpd.read_file(demo["rpg"], layer="parcelles_graphiques")
    assert list(r.columns[:6]) == ["ID_PARCEL", "SURF_PARC", "CODE_CULTU", "CODE_GROUP", "CULTURE_D1", "CULTURE_D2"]
    assert set(r.geom_type) == {"MultiPolygon"}
    real = pd.read_csv(shared_data / "rpg-2022-sample-fiboa" / "fr_2018_crop_codes_eurocrops.csv")
    assert set(r.CODE_CULTU) <= set(real.original_code)
    assert {"BTH", "ORH", "ORP", "BTN", "PTC", "CZH", "MIS", "MIE", "PPR", "PPH", "PRL", "PTR"} <= set(r.CODE_CULTU)
    assert r.CODE_CULTU.value_counts().index[0] == "BTH"
    assert (r.loc[r.CODE_CULTU == "BTN", "CODE_GROUP"] == "24").all()
    catch = r.CULTURE_D1 != ""
    assert catch.sum() > 20 and set(r.loc[catch, "CODE_CULTU"]) <= set(D.SPRING_CROPS)
    assert np.allclose(r.SURF_PARC, r.area / 1e4, atol=0.006)
    assert r.ID_PARCEL.is_unique
    assert not r.intersects(shapely.box(*D.DSM_BOUNDS)).any()


def test_weather_year(demo):
    text = demo["weather"].read_text(encoding="utf-8").splitlines()
    assert "# latitude: 49.89" in text[:6] and "# longitude: 2.30" in text[:6] and "# altitude: 30" in text[:6]
    w = pd.read_csv(demo["weather"], comment="#")
    assert list(w.columns) == ["time", "ghi", "dni", "dhi", "temp_air", "wind_speed"]
    assert len(w) == 8760
    t = pd.to_datetime(w.time)
    assert str(t.dt.tz) == "UTC" and t.is_monotonic_increasing
    ghi_kwh = w.ghi.sum() / 1000.0
    assert 1080 < ghi_kwh < 1120
    assert (w[["ghi", "dni", "dhi"]] >= 0).all().all()
    # closure ghi = dhi + dni cos(zenith), zenith at mid-hour
    sp = pvlib.solarposition.get_solarposition(t + pd.Timedelta(minutes=30), 49.89, 2.30)
    closure = w.dhi + w.dni * np.cos(np.deg2rad(sp.zenith.to_numpy())).clip(0)
    assert np.abs(closure - w.ghi).max() < 2.0
    assert (w.ghi[sp.elevation.to_numpy() < -1] == 0).all()
    assert -15 < w.temp_air.min() and w.temp_air.max() < 40 and 9 < w.temp_air.mean() < 13


def test_dsm_consistent_with_buildings(demo, buildings):
    with rasterio.open(demo["dsm"]) as src:
        assert src.crs.to_epsg() == 2154 and src.res == (1.0, 1.0)
        assert src.nodata == D.DSM_NODATA and src.profile["tiled"] and src.profile["compress"] == "deflate"
        bounds = shapely.box(*src.bounds)
        dsm = src.read(1)
        transform = src.transform
    with rasterio.open(demo["dem"]) as src:
        dem = src.read(1)
    with rasterio.open(demo["canopy"]) as src:
        canopy = src.read(1)
    assert shapely.contains(bounds, buildings.geometry.values).all()
    truth = pd.read_csv(demo["roof_truth"], comment="#").set_index("cleabs").loc[buildings.cleabs]
    pts = buildings.geometry.representative_point()
    rows, cols = rasterio.transform.rowcol(transform, pts.x, pts.y)
    z = dsm[rows, cols]
    known = buildings.hauteur.notna().to_numpy()
    flat = (truth.roof_shape == "flat").to_numpy() & known
    zmin = buildings.altitude_minimale_toit.to_numpy()
    zmax = buildings.altitude_maximale_toit.to_numpy()
    # the DSM matches the BD TOPO roof altitudes (rounded to 0.1 m in the attributes)
    assert np.allclose(z[flat], zmax[flat], atol=0.06)
    assert ((z[known] >= zmin[known] - 0.06) & (z[known] <= zmax[known] + 0.06)).all()
    # BD TOPO hauteur is the gutter height; the ridge is higher on pitched roofs
    eave = truth.eave_height_m.to_numpy()
    ridge = truth.ridge_height_m.to_numpy()
    assert np.allclose(buildings.hauteur.to_numpy()[known], eave[known])
    pitched = truth.roof_shape.isin(["gabled", "hipped"]).to_numpy()
    assert (ridge[pitched] - eave[pitched] > 1.5).all()
    assert np.allclose(zmax[known] - zmin[known], ridge[known] - eave[known], atol=0.11)
    # pitched roofs show a slope: a gabled roof's pixels span most of its rise
    assert (truth.roof_shape.isin(["gabled", "hipped"])).sum() > 1000
    assert (canopy > 3).sum() > 10000 and canopy.max() <= 16.01
    assert np.all(dsm >= dem - 1e-3)


def test_consumption_and_livestock_tables(demo):
    from geopotential.demo._series import ORE_COLUMNS

    c = pd.read_csv(demo["consumption"], sep=";", dtype={"code_commune": str})
    assert tuple(c.columns) == ORE_COLUMNS
    assert len(c) == 4 * 2 * 4
    assert set(c.filiere) == {"Electricité", "Gaz"}
    assert set(c.code_grand_secteur) == {"RESIDENTIEL", "TERTIAIRE", "INDUSTRIE", "AGRICULTURE"}
    assert (c.conso > 0).all()
    lv = pd.read_csv(demo["livestock"], dtype={"commune_insee": str})
    assert list(lv.columns) == ["commune_insee", "category", "heads"]
    assert len(lv) == 4 * 8 and (lv.heads >= 0).all()
    assert set(lv.category) == {"dairy_cows", "suckler_cows", "heifers_1_2yr", "calves", "ewes", "fattening_pigs", "sows", "laying_hens"}


def test_too_many_buildings_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="n_buildings"):
        generate_demo(tmp_path, n_buildings=100_000)

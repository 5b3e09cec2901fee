"""The pipeline end to end: layers, invariants, atomic outputs, resume, executors."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from geopotential.exceptions import ComputationError
from geopotential.pipeline.runner import run_pipeline
from geopotential.pipeline.solar_stage import FAIL_UNIT_ENV

NO_SHADING = {"shading": "off", "map": False, "report": False}


def test_run_writes_layers_and_metadata(make_config):
    cfg = make_config(stages={"shading": "off"})
    result = run_pipeline(cfg)
    run_dir = result.run_dir
    for name in ("geopotential.gpkg", "map.html", "report.html", "summary.csv", "run.json", "run.log"):
        assert (run_dir / name).is_file(), name
    layers = {name for name, *_ in pyogrio.list_layers(run_dir / "geopotential.gpkg")}
    for name in ("buildings_pv", "communes_summary", "parcels_biogas", "digester_sites", "catchments",
                 "field_dictionary", "run_metadata", "layer_styles", "territory_summary"):
        assert name in layers, name
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["meta"]["synthetic"] is True
    assert set(meta["timings_s"]) >= {"inputs", "solar", "biogas", "aggregate", "total"}
    assert all(v["exists"] and len(v["sha256"]) == 64 for v in meta["inputs"].values())
    assert meta["versions"]["pvlib"]
    assert "warning counts" in (run_dir / "run.log").read_text()
    # no staging folder left behind
    assert not [p for p in run_dir.parent.iterdir() if ".staging-" in p.name]


def test_every_building_has_potential_or_reason_and_sums_are_conserved(make_config):
    result = run_pipeline(make_config(stages=NO_SHADING))
    b = result.layers["buildings_pv"]
    has = b["pv_energy_kwh_yr"] > 0
    reason = b["exclusion_reason"].fillna("") != ""
    assert (has ^ reason).all()
    assert (b["pv_energy_kwh_yr"] >= 0).all()
    c = result.layers["communes_summary"]
    for col in ("pv_energy_kwh_yr", "pv_capacity_kwp", "pv_usable_area_m2"):
        assert np.isclose(c[col].sum(), b[col.replace("pv_usable", "usable")].sum(), rtol=1e-12)
    p = result.layers["parcels_biogas"]
    assert np.isclose(
        c["biogas_energy_net_mwh_pcs_yr"].sum(),
        sum(result.layers[n]["energy_net_mwh_pcs_yr"].sum()
            for n in ("parcels_biogas", "livestock_biogas", "biowaste_biogas") if n in result.layers),
        rtol=1e-12,
    )
    assert ((p["energy_mwh_pcs_yr"] > 0) | (p["exclusion_reason"] != "")).all()
    parcels = result.layers["cadastre_parcels_pv"]
    assert np.isclose(parcels["pv_energy_kwh_yr"].sum(), b["pv_energy_kwh_yr"].sum(), rtol=1e-12)


def test_failed_write_keeps_previous_results(make_config, monkeypatch):
    cfg = make_config(stages=NO_SHADING)
    first = run_pipeline(cfg)
    before = {p.name: p.read_bytes() for p in first.run_dir.iterdir() if p.is_file()}

    import geopotential.pipeline.outputs as outputs

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "write_gpkg_layers", disk_full)
    with pytest.raises(OSError):
        run_pipeline(make_config(stages=NO_SHADING, solar={"system_losses_pct": 20.0}))
    after = {p.name: p.read_bytes() for p in first.run_dir.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in first.run_dir.parent.iterdir() if ".staging-" in p.name]


def _work_units(cfg):
    root = cfg.outputs.dir / ".work" / cfg.outputs.run_name
    return {p.name: p.stat().st_mtime_ns for p in root.glob("*/solar/units/*.buildings_pv.parquet")}


def test_killed_unit_is_redone_and_finished_units_reused(make_config, monkeypatch):
    cfg = make_config(stages=NO_SHADING, execution={"executor": "processes", "workers": 2, "retries": 0})
    codes = sorted(gpd.read_file(cfg.inputs.communes.path)["code"])
    victim = codes[-1]
    monkeypatch.setenv(FAIL_UNIT_ENV, f"solar:{victim}:kill")
    with pytest.raises(ComputationError, match="failed"):
        run_pipeline(cfg)
    done = _work_units(cfg)
    assert f"{victim}.buildings_pv.parquet" not in done
    assert len(done) >= 1  # the units finished before the kill are kept
    assert not (cfg.outputs.dir / cfg.outputs.run_name).exists()
    monkeypatch.delenv(FAIL_UNIT_ENV)
    result = run_pipeline(cfg)
    after = _work_units(cfg)
    assert f"{victim}.buildings_pv.parquet" in after
    for name, mtime in done.items():
        assert after[name] == mtime, f"{name} was recomputed instead of reused"
    meta = json.loads((result.run_dir / "run.json").read_text())
    statuses = {u["unit"]: u["status"] for u in meta["units"]}
    assert statuses[f"solar:{victim}"] == "done"
    assert "reused" in statuses.values()


def _read_layers(path):
    out = {}
    for name in ("buildings_pv", "roof_faces", "communes_summary", "parcels_biogas", "digester_sites"):
        df = pyogrio.read_dataframe(path, layer=name)
        out[name] = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
    return out


def test_dask_distributed_equals_serial(make_config):
    serial = run_pipeline(make_config("serial", stages={"map": False, "report": False}))
    dask_run = run_pipeline(
        make_config("dask", stages={"map": False, "report": False}, execution={"executor": "dask", "workers": 2})
    )
    a = _read_layers(serial.run_dir / "geopotential.gpkg")
    b = _read_layers(dask_run.run_dir / "geopotential.gpkg")
    for name in a:
        assert list(a[name].columns) == list(b[name].columns), name
        assert len(a[name]) == len(b[name]), name
        for col in a[name].columns:
            x, y = a[name][col], b[name][col]
            if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
                np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=0, atol=1e-9, err_msg=f"{name}.{col}")
            else:
                assert x.astype(str).tolist() == y.astype(str).tolist(), f"{name}.{col}"
    meta = json.loads((dask_run.run_dir / "run.json").read_text())
    assert meta["config"]["execution"]["executor"] == "dask"


def test_dsm_covering_part_of_the_territory(make_config, demo_inputs, tmp_path):
    """Buildings off the DSM fall back to the footprint roof model, in the same units."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(demo_inputs / "dsm.tif") as src:
        win = Window(0, 0, src.width // 2, src.height)
        profile = src.profile.copy()
        profile.update(width=win.width, height=win.height, transform=src.window_transform(win))
        data = src.read(window=win)
    half = tmp_path / "dsm_half.tif"
    with rasterio.open(half, "w", **profile) as dst:
        dst.write(data)
    cfg = make_config(inputs={"dsm": [str(half)], "dem": [], "canopy": []}, stages={"map": False, "report": False})
    result = run_pipeline(cfg)
    b = result.layers["buildings_pv"]
    assert set(b["roof_source"]) == {"dsm", "footprint"}
    assert ((b["pv_energy_kwh_yr"] > 0) ^ (b["exclusion_reason"].fillna("") != "")).all()
    faces = result.layers["roof_faces"]
    assert faces["face_id"].map(type).eq(str).all()
    with rasterio.open(result.run_dir / "roof_irradiation.tif") as r:
        assert r.profile["tiled"] and r.profile["compress"] == "deflate" and r.nodata is not None
        arr = r.read(1, masked=True)
        assert arr.count() > 0 and float(arr.min()) >= 0


def test_irradiation_raster_scales_the_weather_per_building(make_config, tmp_path):
    """An annual GHI raster 10 % above the weather file's GHI raises every building's energy by ~10 %."""
    import rasterio
    from rasterio.transform import from_origin

    from geopotential.io.weather import read_weather

    cfg = make_config("plain", stages=NO_SHADING)
    weather, _ = read_weather(cfg.inputs.weather)
    annual_kwh_m2 = float(weather["ghi"].sum()) / 1000.0  # hourly values [Wh/m2] -> [kWh/m2]
    raster = tmp_path / "ghi.tif"
    with rasterio.open(raster, "w", driver="GTiff", width=100, height=100, count=1, dtype="float32",
                       crs="EPSG:2154", transform=from_origin(645000, 6982000, 100, 100)) as dst:
        dst.write(np.full((1, 100, 100), 1.1 * annual_kwh_m2, np.float32))
    plain = run_pipeline(cfg).layers["buildings_pv"].set_index("building_id")
    scaled = run_pipeline(
        make_config("scaled", stages=NO_SHADING, inputs={"irradiation_raster": str(raster)})
    ).layers["buildings_pv"].set_index("building_id")
    has = plain["pv_energy_kwh_yr"] > 0
    ratio = scaled.loc[has.index[has], "pv_energy_kwh_yr"] / plain.loc[has, "pv_energy_kwh_yr"]
    assert ratio.between(1.08, 1.12).all(), ratio.describe()


def test_road_network_siting_through_the_config(make_config, tmp_path):
    """inputs.roads + biogas.distance='road': the pipeline sites digesters by road distance."""
    import shapely

    xs, ys = np.arange(640000, 660001, 500.0), np.arange(6968000, 6988001, 500.0)
    lines = [shapely.LineString([(x, ys[0]), (x, ys[-1])]) for x in xs]
    lines += [shapely.LineString([(xs[0], y), (xs[-1], y)]) for y in ys]
    roads = gpd.GeoDataFrame({"cleabs": [f"TRONROUT{i:06d}" for i in range(len(lines))], "nature": "Route à 1 chaussée"},
                             geometry=lines, crs=2154)
    path = tmp_path / "roads.gpkg"
    roads.to_file(path, layer="troncon_de_route", driver="GPKG")
    cfg = make_config(stages=NO_SHADING, inputs={"roads": {"path": str(path)}}, biogas={"distance": "road"})
    result = run_pipeline(cfg)
    sites = result.layers["digester_sites"]
    assert len(sites) >= 1 and (sites["capacity_nm3_h"] > 0).all()
    meta = json.loads((result.run_dir / "run.json").read_text())
    assert meta["config"]["biogas"]["distance"] == "road"


def test_inputs_in_epsg4326_give_the_same_results(make_config, demo_inputs, tmp_path):
    """Buildings, communes and RPG arriving in degrees are reprojected at the boundary: same results."""
    for name, layer in (("buildings.gpkg", "batiment"), ("rpg.gpkg", "parcelles_graphiques")):
        gpd.read_file(demo_inputs / name, layer=layer).to_crs(4326).to_file(tmp_path / name, layer=layer, driver="GPKG")
    base = run_pipeline(make_config("l93", stages=NO_SHADING))
    geo = run_pipeline(make_config("wgs84", stages=NO_SHADING, inputs={
        "buildings": {"path": str(tmp_path / "buildings.gpkg"), "layer": "batiment", "source": "bdtopo"},
        "rpg": {"path": str(tmp_path / "rpg.gpkg"), "layer": "parcelles_graphiques"},
    }))
    for layer, key, cols in (
        ("buildings_pv", "building_id", ["pv_energy_kwh_yr", "usable_area_m2", "pv_capacity_kwp"]),
        ("parcels_biogas", "parcel_id", ["area_ha", "energy_net_mwh_pcs_yr"]),
        ("communes_summary", "commune_insee", ["pv_energy_kwh_yr", "biogas_energy_net_mwh_pcs_yr"]),
    ):
        a = base.layers[layer].set_index(key).sort_index()
        b = geo.layers[layer].set_index(key).sort_index()
        assert list(a.index) == list(b.index), layer
        assert geo.layers[layer].crs.to_epsg() == 2154
        for c in cols:
            np.testing.assert_allclose(b[c].to_numpy(float), a[c].to_numpy(float), rtol=1e-6, atol=1e-6,
                                       err_msg=f"{layer}.{c}")

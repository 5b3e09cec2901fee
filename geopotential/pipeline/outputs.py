"""Writing a run's deliverables into its staging folder (moved into place by the runner)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geopotential.fields import field_dictionary
from geopotential.io.writers import write_frame_atomic, write_gpkg_layers
from geopotential.pipeline.context import RunContext

logger = logging.getLogger(__name__)

#: Layers written to the GeoPackage, in this order (those absent from a run are skipped).
GPKG_LAYERS = (
    "communes_summary",
    "buildings_pv",
    "roof_faces",
    "cadastre_parcels_pv",
    "parcels_biogas",
    "livestock_biogas",
    "biowaste_biogas",
    "point_sources_biogas",
    "digester_sites",
    "catchments",
    "existing_plants",
    "territory_summary",
    "commune_mismatches",
)


def run_meta(ctx: RunContext) -> dict:
    """Territory name, run date, scenario, synthetic flag and CRS, as shown on every output."""
    cfg = ctx.config
    scenarios = [s.name for s in cfg.balance.scenarios] if cfg.stages.balance else []
    return {
        "territory": cfg.territory.name,
        "run_name": cfg.outputs.run_name,
        "run_date": dt.datetime.fromtimestamp(ctx.started, tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "scenario": scenarios[0] if scenarios else "",
        "scenarios": scenarios,
        "synthetic": cfg.territory.synthetic,
        "crs": cfg.territory.crs,
    }


def _gpkg_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Columns GeoPackage can store: no lists/dicts, bool kept, categories to text."""
    out = df.copy()
    for c in out.columns:
        if c == "geometry":
            continue
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = s.astype(str)
        elif s.dtype == object:
            sample = s.dropna().head(50)
            if any(isinstance(v, (list, dict, tuple, set)) for v in sample):
                out[c] = s.map(lambda v: None if v is None else str(v))
    return out


def write_outputs(ctx: RunContext, layers: dict[str, pd.DataFrame], territory: dict) -> dict[str, Path]:
    """Write the GeoPackage, QGIS styles, field dictionary, rasters, map and report."""
    cfg = ctx.config
    out = ctx.staging_dir
    meta = run_meta(ctx)
    files: dict[str, Path] = {}
    layers = dict(layers)
    layers["territory_summary"] = pd.DataFrame([territory])
    to_write = {n: _gpkg_ready(layers[n]) for n in GPKG_LAYERS if layers.get(n) is not None}
    gpkg = out / "geopotential.gpkg"
    layer_meta = {
        "territory": cfg.territory.name,
        "synthetic": "yes: SYNTHETIC DEMO DATA, not real buildings or parcels" if cfg.territory.synthetic else "no",
        "generator": "geopotential",
    }
    with ctx.stage("write_gpkg"):
        write_gpkg_layers(gpkg, to_write, metadata=layer_meta)
        dictionary = field_dictionary(to_write)
        from geopotential.report import write_field_dictionary, write_qgis_styles

        write_field_dictionary(gpkg, dictionary)
        write_qgis_styles(gpkg, to_write)
        _write_run_metadata(gpkg, ctx, meta)
    files["gpkg"] = gpkg
    if cfg.outputs.geoparquet:
        for n, df in to_write.items():
            if isinstance(df, gpd.GeoDataFrame):
                write_frame_atomic(out / "geoparquet" / f"{n}.parquet", df)
    rasters = getattr(ctx, "rasters", [])
    if rasters:
        with ctx.stage("write_rasters"):
            files["roof_irradiation"] = _merge_rasters(rasters, out / "roof_irradiation.tif")
    display = {n: layers[n] for n in layers if not n.startswith("_") and layers[n] is not None}
    if cfg.stages.map:
        from geopotential.report import write_map

        with ctx.stage("map"):
            spatial = {n: df for n, df in display.items() if isinstance(df, gpd.GeoDataFrame)}
            files["map"] = write_map(spatial, meta, out / "map.html", cfg.map)
    if cfg.stages.report:
        from geopotential.report import write_report

        report_meta = dict(meta)
        summary = layers.get("communes_summary")
        if cfg.stages.balance and summary is not None and any(c.startswith("autonomy_ratio") for c in summary.columns):
            from geopotential.balance import compare_scenarios

            bal = pd.DataFrame(summary.drop(columns="geometry", errors="ignore"))
            bal = bal[bal["commune_insee"] != "unassigned"]
            report_meta["scenario_comparison"] = compare_scenarios(bal, cfg.balance, name=cfg.territory.name)
        with ctx.stage("report"):
            files["report"] = write_report(display, report_meta, out, lang=cfg.map.language)
    return files


def _write_run_metadata(gpkg: Path, ctx: RunContext, meta: dict) -> None:
    """A non-spatial ``run_metadata`` table (key, value) in the GeoPackage."""
    import pyogrio

    from geopotential.config_template import yaml
    from geopotential.config import config_to_dict
    from geopotential.versions import versions

    rows = [(k, str(v)) for k, v in meta.items()]
    rows += [(f"version:{k}", v) for k, v in versions().items()]
    rows.append(("config", yaml.safe_dump(config_to_dict(ctx.config), sort_keys=False, allow_unicode=True)))
    df = pd.DataFrame(rows, columns=["key", "value"])
    pyogrio.write_dataframe(df, gpkg, layer="run_metadata", driver="GPKG", append=True)


def _merge_rasters(paths: list[Path], target: Path) -> Path:
    """Mosaic the units' irradiation rasters into one tiled, compressed GeoTIFF.

    Units cover disjoint tile cores on one pixel grid, so each is copied into its window of
    the output: memory stays bounded by one unit raster whatever the territory's size.
    """
    import rasterio
    from rasterio.windows import from_bounds

    from geopotential.io.writers import atomic_path

    bounds = []
    with rasterio.open(paths[0]) as first:
        profile = first.profile.copy()
        descriptions = first.descriptions
        res = first.res
        tags = first.tags()
    for p in paths:
        with rasterio.open(p) as src:
            bounds.append(src.bounds)
    left, bottom = min(b.left for b in bounds), min(b.bottom for b in bounds)
    right, top = max(b.right for b in bounds), max(b.top for b in bounds)
    width = int(round((right - left) / res[0]))
    height = int(round((top - bottom) / res[1]))
    transform = rasterio.transform.from_origin(left, top, res[0], res[1])
    profile.update(
        driver="GTiff", height=height, width=width, transform=transform, tiled=True, blockxsize=256,
        blockysize=256, compress="deflate", predictor=3 if profile["dtype"].startswith("float") else 2,
        BIGTIFF="IF_SAFER", SPARSE_OK=True,
    )
    with atomic_path(target) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            for p in paths:
                with rasterio.open(p) as src:
                    win = from_bounds(*src.bounds, transform=transform).round_offsets().round_lengths()
                    dst.write(src.read(), window=win)
            for i, d in enumerate(descriptions, start=1):
                if d:
                    dst.set_band_description(i, d)
            dst.update_tags(**tags, units="kWh/m2/yr")
    return target

"""The result of a run, as the Python API and notebooks see it."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd


@dataclass
class RunResult:
    """Layers and files of a finished run.

    Attributes
    ----------
    layers
        Output layers by name (``buildings_pv``, ``parcels_biogas``, ``communes_summary``...).
    run_dir
        Folder holding the GeoPackage, map, report, run.json and log.
    totals
        Territory totals with units in their keys.
    meta
        Territory name, run date, scenario, synthetic flag, CRS.
    timings_s
        Wall time per stage [s].
    """

    layers: dict[str, pd.DataFrame]
    run_dir: Path
    totals: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)

    @property
    def gpkg(self) -> Path:
        return self.run_dir / "geopotential.gpkg"

    @property
    def map_html(self) -> Path:
        return self.run_dir / "map.html"

    @property
    def report_html(self) -> Path:
        return self.run_dir / "report.html"

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.layers[name]

    def explore(self, layer: str = "buildings_pv", column: str | None = None, **kwargs):
        """Interactive folium map of one layer (``GeoDataFrame.explore``)."""
        from geopotential.report.notebook import explore_layer

        return explore_layer(self.layers[layer], layer, column=column, **kwargs)

    def summary_text(self) -> str:
        """Human-readable totals and where the files are."""
        lines = [f"geopotential run: {self.meta.get('territory', '')}" + (" (SYNTHETIC DATA)" if self.meta.get("synthetic") else "")]
        for k, v in self.totals.items():
            if "ratio" in k and isinstance(v, float):
                lines.append(f"  {k:<42} {v:>16.1%}")
            elif isinstance(v, float):
                lines.append(f"  {k:<42} {v:>16,.1f}")
            else:
                lines.append(f"  {k:<42} {v:>16,}")
        lines.append(f"  results in {self.run_dir}")
        for name in ("geopotential.gpkg", "map.html", "report.html", "summary.csv", "run.json", "run.log"):
            if (self.run_dir / name).exists():
                lines.append(f"    {name}")
        n_warn = sum(self.warnings.values())
        if n_warn:
            lines.append(f"  {n_warn} warning(s): see run.log")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td style='text-align:right'>{html.escape(f'{v:,.1f}' if isinstance(v, float) else str(v))}</td></tr>"
            for k, v in self.totals.items()
        )
        layers = "".join(
            f"<li><code>{html.escape(n)}</code>: {len(df):,} rows"
            + (f", {html.escape(str(df.crs))}" if isinstance(df, gpd.GeoDataFrame) and df.crs is not None else "")
            + "</li>"
            for n, df in self.layers.items()
            if df is not None
        )
        synth = "<p><b>Synthetic data (demo)</b></p>" if self.meta.get("synthetic") else ""
        return (
            f"<div><h4>geopotential run: {html.escape(str(self.meta.get('territory', '')))}</h4>{synth}"
            f"<table>{rows}</table><p>Layers:</p><ul>{layers}</ul>"
            f"<p>Folder: <code>{html.escape(str(self.run_dir))}</code></p></div>"
        )

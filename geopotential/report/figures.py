"""PNG figures of the report, drawn with matplotlib's Agg backend (no display needed).

Each function takes the run layers and returns the path written, or ``None`` when the layer
it needs is absent. Source text that reaches a figure goes through :func:`mpl_safe`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geopotential.report import labels as L  # noqa: E402
from geopotential.report.classes import StyleSpec, layer_styles  # noqa: E402
from geopotential.report.escaping import mpl_safe  # noqa: E402


def _subplots(*args, **kwargs):
    """``pyplot.subplots`` without pyplot: an Agg figure that leaves the user's backend alone
    (a notebook's inline backend keeps working after a run)."""
    fig = Figure(figsize=kwargs.pop("figsize", None))
    FigureCanvasAgg(fig)
    return fig, fig.subplots(*args, **kwargs)

logger = logging.getLogger(__name__)
DPI = 110


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _class_colors(values: pd.Series, st: StyleSpec) -> list[str]:
    v = pd.to_numeric(values, errors="coerce").to_numpy(float)
    out = []
    for x in v:
        if not np.isfinite(x):
            out.append(st.missing_color)
            continue
        k = int(np.searchsorted(np.asarray(st.values, float), x, side="left"))
        out.append(st.colors[min(k, len(st.colors) - 1)])
    return out


def commune_map(layers: dict, path: Path, lang: str = "fr", n_classes: int = 5) -> Path | None:
    """Communes coloured by PV and biogas potential, same classes and colours as the map."""
    c = layers.get("communes_summary")
    if c is None or not len(c):
        return None
    styles = layer_styles({"communes_summary": c}, n_classes, lang)
    panels = [k for k in ("communes_pv", "communes_biogas", "communes_autonomy") if k in styles]
    if not panels:
        return None
    fig, axes = _subplots(1, len(panels), figsize=(5.2 * len(panels), 5.2), squeeze=False)
    for ax, key in zip(axes[0], panels):
        st = styles[key]
        c.plot(ax=ax, color=_class_colors(c[st.column], st), edgecolor="#333333", linewidth=0.6)
        ax.set_title(mpl_safe(L.layer_name(key, lang)), fontsize=10)
        ax.set_axis_off()
        handles = [Patch(facecolor=col, edgecolor="#555555", label=mpl_safe(lab)) for col, lab in zip(st.colors, st.labels)]
        ax.legend(handles=handles, title=mpl_safe(st.title), fontsize=7, title_fontsize=7, loc="lower left",
                  bbox_to_anchor=(0, -0.32), frameon=False)
    return _save(fig, path)


def pv_distributions(layers: dict, path: Path, lang: str = "fr") -> Path | None:
    """Histograms of the specific yield and of the usable roof area (included buildings)."""
    b = layers.get("buildings_pv")
    if b is None or not len(b):
        return None
    inc = b
    if "exclusion_reason" in b.columns:
        inc = b[b["exclusion_reason"].fillna("").astype(str) == ""]
    cols = [c for c in ("specific_yield_kwh_kwp_yr", "usable_area_m2") if c in inc.columns]
    if not cols:
        return None
    fig, axes = _subplots(1, len(cols), figsize=(5.2 * len(cols), 3.6), squeeze=False)
    for ax, col in zip(axes[0], cols):
        v = pd.to_numeric(inc[col], errors="coerce").dropna()
        ax.hist(v, bins=40, color="#fc8d59", edgecolor="#7f2704", linewidth=0.3)
        ax.set_xlabel(mpl_safe(L.label_with_unit(col, lang)))
        ax.set_ylabel("Bâtiments" if lang == "fr" else "Buildings")
        if len(v):
            ax.axvline(float(v.median()), color="#333333", linestyle="--", linewidth=1)
    return _save(fig, path)


def biogas_by_resource(layers: dict, path: Path, lang: str = "fr", scenario: str | None = None) -> Path | None:
    """Gross and net biogas energy by resource (and by scenario when a column gives it)."""
    p = layers.get("parcels_biogas")
    if p is None or not len(p) or "resource" not in p.columns:
        return None
    cols = [c for c in ("energy_mwh_pcs_yr", "energy_net_mwh_pcs_yr") if c in p.columns]
    if not cols:
        return None
    by = ["resource"] + (["scenario"] if "scenario" in p.columns else [])
    t = p.groupby(by)[cols].sum()
    fig, ax = _subplots(figsize=(7.5, 3.8))
    idx = [" / ".join(mpl_safe(x) for x in (k if isinstance(k, tuple) else (k,))) for k in t.index]
    y = np.arange(len(t))
    h = 0.8 / len(cols)
    for j, (col, colour) in enumerate(zip(cols, ("#a1d99b", "#31a354"))):
        ax.barh(y + j * h, t[col].to_numpy(), height=h, color=colour, label=mpl_safe(L.label(col, lang)))
    ax.set_yticks(y + h * (len(cols) - 1) / 2, idx, fontsize=8)
    ax.set_xlabel(mpl_safe(L.unit("energy_mwh_pcs_yr", lang)))
    title = "Biogaz par ressource" if lang == "fr" else "Biogas by resource"
    if scenario and "scenario" not in p.columns:
        title += f" – {mpl_safe(scenario)}"
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return _save(fig, path)


def digester_sizes(layers: dict, path: Path, lang: str = "fr") -> Path | None:
    """Capacity of proposed digester sites and existing plants [Nm3/h]."""
    frames = []
    for key, idcol in (("digester_sites", "site_id"), ("existing_plants", "name")):
        g = layers.get(key)
        if g is not None and len(g) and "capacity_nm3_h" in g.columns:
            names = g[idcol].astype(str) if idcol in g.columns else pd.Series(range(len(g))).astype(str)
            frames.append(pd.DataFrame({"name": names.map(mpl_safe).to_numpy(), "cap": g["capacity_nm3_h"].to_numpy(float),
                                        "kind": L.layer_name(key, lang)}))
    if not frames:
        return None
    d = pd.concat(frames, ignore_index=True)
    fig, ax = _subplots(figsize=(7.5, 0.35 * len(d) + 1.5))
    colours = {L.layer_name("digester_sites", lang): "#6a3d9a", L.layer_name("existing_plants", lang): "#1f78b4"}
    ax.barh(np.arange(len(d)), d["cap"], color=[colours[k] for k in d["kind"]])
    ax.set_yticks(np.arange(len(d)), [n[:40] for n in d["name"]], fontsize=8)
    ax.set_xlabel(mpl_safe(L.label_with_unit("capacity_nm3_h", lang)))
    ax.legend(handles=[Patch(color=v, label=k) for k, v in colours.items()], fontsize=8)
    return _save(fig, path)

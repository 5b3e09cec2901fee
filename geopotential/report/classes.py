"""Classes and colours shared by the HTML map, the report and the QGIS styles.

One function, :func:`layer_styles`, decides the classes of every layer from the data, so
the map legend and the QGIS ``layer_styles`` show the same classes in the same colours.
Palettes are ColorBrewer 2.0 schemes (Brewer, Harrower, Penn State, colorbrewer2.org)
sampled through matplotlib's copies of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geopotential.report import labels as L

#: ColorBrewer schemes per styled quantity (matplotlib colormap names).
CMAP_PV = "YlOrRd"
CMAP_BIOGAS = "Greens"
CMAP_AUTONOMY = "RdYlGn"
#: PV classes, worst to best (ColorBrewer RdYlBu, reversed).
PV_CLASS_COLORS = ("#4575b4", "#91bfdb", "#fee090", "#fc8d59", "#d73027")
MISSING_COLOR = "#bdbdbd"
DIGESTER_COLOR = "#6a3d9a"
PLANT_COLOR = "#1f78b4"
CATCHMENT_COLOR = "#6a3d9a"
#: Policy thresholds of the autonomy ratio choropleth [-] (share of consumption covered).
AUTONOMY_BREAKS = (0.1, 0.25, 0.5, 1.0)


@dataclass
class StyleSpec:
    """Classes of one layer.

    Attributes
    ----------
    column
        Column classified (``None`` for a single symbol).
    kind
        ``"categorical"``, ``"graduated"`` or ``"single"``.
    values
        Categorical: class values; graduated: upper bounds of classes (last = +inf).
    colors
        One hex colour per class.
    labels
        Legend label per class (plain text, escaped where output).
    title
        Legend title with unit.
    """

    column: str | None
    kind: str
    values: list = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    title: str = ""
    missing_color: str = MISSING_COLOR
    single_color: str = "#3388ff"


def _hex(rgba) -> str:
    r, g, b = (int(round(255 * c)) for c in rgba[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def palette(cmap: str, k: int) -> list[str]:
    """``k`` colours sampled evenly from matplotlib colormap ``cmap`` (light to dark)."""
    from matplotlib import colormaps

    cm = colormaps[cmap]
    pos = np.linspace(0.15, 0.95, k) if k > 1 else np.array([0.7])
    return [_hex(cm(float(p))) for p in pos]


def _nice(x: float) -> float:
    """Round ``x`` to two significant digits (legend-friendly bound)."""
    if x == 0 or not math.isfinite(x):
        return x
    e = math.floor(math.log10(abs(x))) - 1
    return round(x / 10**e) * 10**e


def nice_breaks(values, k: int) -> list[float]:
    """Upper class bounds from quantiles rounded to two significant digits.

    Parameters
    ----------
    values : array-like
        Values classified (NaN ignored).
    k : int
        Wanted number of classes; fewer come back when values are few or tied.

    Returns
    -------
    list of float
        Increasing upper bounds; the last class is open (``> breaks[-2]``), its bound is
        the maximum.
    """
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return []
    qs = np.quantile(v, np.linspace(0, 1, k + 1)[1:-1]) if k > 1 else np.array([])
    bounds = sorted({_nice(float(q)) for q in qs if float(q) < v.max()})
    bounds.append(float(v.max()))
    return bounds


def _range_labels(breaks: list[float], col: str, lang: str, scale: float = 1.0) -> list[str]:
    nd = L.digits(col)
    fmt = lambda x: L.format_number(x * scale, lang, nd)  # noqa: E731
    out = []
    for i, b in enumerate(breaks):
        if i == 0:
            out.append(f"≤ {fmt(b)}")
        elif i == len(breaks) - 1:
            out.append(f"> {fmt(breaks[i - 1])}")
        else:
            out.append(f"{fmt(breaks[i - 1])} – {fmt(b)}")
    return out


def graduated_style(values, col: str, cmap: str, k: int, lang: str, breaks=None) -> StyleSpec:
    """Graduated classes of ``col`` (nice quantiles unless ``breaks`` given)."""
    b = list(breaks) if breaks is not None else nice_breaks(values, k)
    if breaks is not None:
        v = pd.to_numeric(pd.Series(values), errors="coerce")
        vmax = float(v.max()) if v.notna().any() else b[-1]
        b = b + [max(vmax, b[-1]) + 1e-9] if vmax > b[-1] else b
    c = L.COLUMNS.get(col)
    scale = 100.0 if c is not None and c.kind == "pct" else 1.0
    return StyleSpec(
        column=col,
        kind="graduated",
        values=b,
        colors=palette(cmap, len(b)),
        labels=_range_labels(b, col, lang, scale),
        title=L.label_with_unit(col, lang),
    )


def pv_class_style(buildings: pd.DataFrame, lang: str) -> StyleSpec:
    """Categorical style of ``pv_class``, best class in red, worst in blue.

    The direction comes from the data: if the mean specific yield grows with the class
    number, the highest class is the best; otherwise (and by default) class 1 is.
    Legend labels are the data's ``pv_class_label`` where present.
    """
    if "pv_class" not in buildings.columns:
        return StyleSpec(None, "single", single_color=PV_CLASS_COLORS[-1], title=L.layer_name("buildings_pv", lang))
    cls = pd.to_numeric(buildings["pv_class"], errors="coerce")
    values = sorted(int(v) for v in cls.dropna().unique())
    best_high = False
    if "specific_yield_kwh_kwp_yr" in buildings.columns and len(values) > 1:
        m = pd.to_numeric(buildings["specific_yield_kwh_kwp_yr"], errors="coerce").groupby(cls).mean()
        m = m.dropna()
        if len(m) > 1:
            best_high = bool(np.corrcoef(m.index.to_numpy(float), m.to_numpy(float))[0, 1] > 0)
    n = len(values)
    idx = np.linspace(0, len(PV_CLASS_COLORS) - 1, n).round().astype(int) if n else []
    worst_to_best = [PV_CLASS_COLORS[i] for i in idx]
    colors = worst_to_best if best_high else worst_to_best[::-1]
    names = {}
    if "pv_class_label" in buildings.columns:
        pairs = pd.DataFrame({"c": cls, "l": buildings["pv_class_label"]}).dropna().drop_duplicates("c")
        names = {int(c): str(lab) for c, lab in zip(pairs["c"], pairs["l"])}
    lab = [f"{L.ui('class', lang)} {v}" + (f" – {names[v]}" if v in names else "") for v in values]
    return StyleSpec("pv_class", "categorical", values, colors, lab, L.label("pv_class_label", lang))


def layer_styles(layers: dict, n_classes: int = 5, lang: str = "fr") -> dict[str, StyleSpec]:
    """Style of every map layer present in ``layers``.

    Keys: ``buildings_pv``, ``parcels_biogas``, ``digester_sites``, ``catchments``,
    ``existing_plants``, ``communes_pv``, ``communes_biogas``, ``communes_autonomy``.
    """
    out: dict[str, StyleSpec] = {}
    b = layers.get("buildings_pv")
    if b is not None:
        out["buildings_pv"] = pv_class_style(b, lang)
    p = layers.get("parcels_biogas")
    if p is not None:
        col = "energy_net_mwh_pcs_yr" if "energy_net_mwh_pcs_yr" in p.columns else "energy_mwh_pcs_yr"
        if col in p.columns:
            out["parcels_biogas"] = graduated_style(p[col], col, CMAP_BIOGAS, n_classes, lang)
        else:
            out["parcels_biogas"] = StyleSpec(None, "single", single_color=palette(CMAP_BIOGAS, 3)[1])
    if layers.get("digester_sites") is not None:
        out["digester_sites"] = StyleSpec(None, "single", single_color=DIGESTER_COLOR,
                                          title=L.layer_name("digester_sites", lang))
    if layers.get("catchments") is not None:
        out["catchments"] = StyleSpec(None, "single", single_color=CATCHMENT_COLOR,
                                      title=L.layer_name("catchments", lang))
    if layers.get("existing_plants") is not None:
        out["existing_plants"] = StyleSpec(None, "single", single_color=PLANT_COLOR,
                                           title=L.layer_name("existing_plants", lang))
    c = layers.get("communes_summary")
    if c is not None:
        if "pv_energy_mwh_yr" in c.columns:
            out["communes_pv"] = graduated_style(c["pv_energy_mwh_yr"], "pv_energy_mwh_yr", CMAP_PV, n_classes, lang)
        if "biogas_energy_net_mwh_pcs_yr" in c.columns:
            out["communes_biogas"] = graduated_style(
                c["biogas_energy_net_mwh_pcs_yr"], "biogas_energy_net_mwh_pcs_yr", CMAP_BIOGAS, n_classes, lang
            )
        for col in ("autonomy_ratio_potential", "autonomy_ratio_today"):
            if col in c.columns:
                out["communes_autonomy"] = graduated_style(
                    c[col], col, CMAP_AUTONOMY, n_classes, lang, breaks=AUTONOMY_BREAKS
                )
                break
    return out

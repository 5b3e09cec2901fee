"""Balance chart: stacked production against consumption, today / at the potential / 2050.

Built on :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot, no global state,
works headless). Labels in French by default (planners), English on request.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geopotential.balance.balance import ELECTRICITY_SOURCES, heating_value_of, territory_balance
from geopotential.balance.parameters import energy_unit
from geopotential.balance.scenario import scenario_columns
from geopotential.exceptions import InputError

logger = logging.getLogger(__name__)

_LABELS = {
    "fr": {
        "el": "Électricité renouvelable existante", "gas": "Biométhane existant", "heat": "Chaleur renouvelable existante",
        "pv": "Photovoltaïque en toiture (potentiel)", "bm": "Biométhane (potentiel)",
        "cons": "Consommation", "target": "Objectif de production",
        "today": "Aujourd'hui", "potential": "Potentiel", "y2050": "2050",
        "unit": "GWh/an", "territory": "Territoire", "communes": "Communes (les {n} plus consommatrices)",
        "title": "Bilan énergétique : production locale et consommation",
        "cons2050": "Consommation 2050",
    },
    "en": {
        "el": "Existing renewable electricity", "gas": "Existing biomethane", "heat": "Existing renewable heat",
        "pv": "Rooftop PV (potential)", "bm": "Biomethane (potential)",
        "cons": "Consumption", "target": "Production target",
        "today": "Today", "potential": "Potential", "y2050": "2050",
        "unit": "GWh/yr", "territory": "Territory", "communes": "Communes (the {n} largest consumers)",
        "title": "Energy balance: local production and consumption",
        "cons2050": "Consumption 2050",
    },
}
_COLORS = {"el": "#4e79a7", "gas": "#59a14f", "heat": "#e15759", "pv": "#f28e2b", "bm": "#8cd17d", "cons": "#555555"}


def _stacks(row: pd.Series, u: str, scenario: str | None, hv: str, biomethane_level: str) -> dict[str, dict]:
    """Stacked components [MWh/yr] and consumption of one row for today / potential / 2050."""
    el = sum(float(row.get(f"production_today_{s}_mwh_yr", 0.0) or 0.0) for s in ELECTRICITY_SOURCES)
    gas = float(row.get(f"production_today_gas_{u}", 0.0) or 0.0)
    heat = float(row.get("production_today_heat_mwh_yr", 0.0) or 0.0)
    cons = float(row.get(f"consumption_total_{u}", np.nan))
    out = {"today": {"el": el, "gas": gas, "heat": heat, "pv": 0.0, "bm": 0.0, "cons": cons}}
    out["potential"] = {"el": el, "gas": gas, "heat": heat,
                        "pv": float(row.get("potential_pv_mwh_yr", 0.0) or 0.0),
                        "bm": float(row.get(f"potential_biomethane_{biomethane_level}_{u}", 0.0) or 0.0),
                        "cons": cons}
    if scenario is not None:
        c = scenario_columns(scenario, hv)
        out["y2050"] = {"el": el, "gas": gas, "heat": heat, "pv": float(row[c["projected_pv_2050"]]),
                        "bm": float(row[c["projected_biomethane_2050"]]), "cons": float(row[c["consumption_2050"]]),
                        "target": float(row[c["target_production"]])}
    return out


def balance_figure(
    balance: pd.DataFrame,
    scenario: str | None = None,
    top_n: int = 12,
    language: str = "fr",
    biomethane_level: str = "net",
) -> Figure:
    """Figure of the balance chart (see :func:`balance_chart`)."""
    if language not in _LABELS:
        raise InputError(f"language must be one of {list(_LABELS)}", field="language")
    lab = _LABELS[language]
    hv = heating_value_of(balance)
    u = energy_unit(hv)
    if scenario is None:
        found = sorted({c.split("_gap_")[0][len("scenario_"):] for c in balance.columns
                        if c.startswith("scenario_") and c.endswith(f"_gap_{u}")})
        scenario = found[0] if found else None
    elif scenario_columns(scenario, hv)["gap"] not in balance.columns:
        raise InputError(f"balance has no columns of scenario {scenario!r}; run apply_scenarios first",
                         field="scenario")
    terr = territory_balance(balance).iloc[0]
    phases = ["today", "potential"] + (["y2050"] if scenario else [])
    keys = ["el", "gas", "heat", "pv", "bm"]

    fig = Figure(figsize=(13, 6), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2.2]})
    st = _stacks(terr, u, scenario, hv, biomethane_level)
    x = np.arange(len(phases))
    w = 0.38
    bottom = np.zeros(len(phases))
    for k in keys:
        vals = np.array([st[p][k] for p in phases]) / 1000.0
        ax1.bar(x - w / 2, vals, w, bottom=bottom, color=_COLORS[k], label=lab[k])
        bottom += vals
    cons = np.array([st[p]["cons"] for p in phases]) / 1000.0
    ax1.bar(x + w / 2, np.nan_to_num(cons), w, color="white", edgecolor=_COLORS["cons"], hatch="//", label=lab["cons"])
    if scenario:
        i = phases.index("y2050")
        ax1.hlines(st["y2050"]["target"] / 1000.0, i - w, i + w, colors="black", linestyles="--", label=lab["target"])
    ax1.set_xticks(x, [lab[p] for p in phases])
    ax1.set_ylabel(f"{lab['unit']} ({hv.upper()})")
    ax1.set_title(lab["territory"] + (f" - {scenario}" if scenario else ""))

    cons_col = f"consumption_total_{u}"
    sel = balance.assign(_c=pd.to_numeric(balance[cons_col], errors="coerce").fillna(0.0))
    sel = sel.sort_values("_c", ascending=False).head(max(int(top_n), 1))
    names = [str(n) if isinstance(n, str) and n else str(c) for n, c in
             zip(sel.get("commune_name", sel["commune_insee"]), sel["commune_insee"])]
    y = np.arange(len(sel))
    left = np.zeros(len(sel))
    for k in keys:
        vals = np.array([_stacks(r, u, None, hv, biomethane_level)["potential"][k] for _, r in sel.iterrows()]) / 1000.0
        ax2.barh(y - 0.2, vals, 0.4, left=left, color=_COLORS[k])
        left += vals
    ax2.barh(y + 0.2, sel["_c"].to_numpy() / 1000.0, 0.4, color="white", edgecolor=_COLORS["cons"], hatch="//")
    if scenario:
        c2050 = pd.to_numeric(sel[scenario_columns(scenario, hv)["consumption_2050"]], errors="coerce") / 1000.0
        ax2.plot(c2050.to_numpy(), y + 0.2, "k|", markersize=12, label=lab["cons2050"])
        ax2.legend(loc="lower right", fontsize=8)
    ax2.set_yticks(y, names, fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlabel(f"{lab['unit']} ({hv.upper()}) - {lab['potential']}")
    ax2.set_title(lab["communes"].format(n=len(sel)))
    handles, labels = ax1.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8)
    fig.suptitle(lab["title"])
    return fig


def balance_chart(
    balance: pd.DataFrame,
    path: str | Path,
    scenario: str | None = None,
    top_n: int = 12,
    language: str = "fr",
    biomethane_level: str = "net",
    dpi: int = 120,
) -> Path:
    """Write the balance chart: stacked production against consumption.

    Left: the territory, today / at the potential / in 2050 under ``scenario``
    (existing production by carrier, then rooftop PV and biomethane potentials stacked,
    beside the consumption bar; the 2050 production target as a dashed line). Right: the
    ``top_n`` communes by consumption, production at the potential against consumption
    today (tick: consumption 2050).

    Parameters
    ----------
    balance
        Commune balance, with scenario columns (:func:`~geopotential.balance.scenario.apply_scenarios`)
        for the 2050 bars.
    path
        Output image (PNG, SVG or PDF by extension).
    scenario
        Scenario name; default: the first found in ``balance`` (none: no 2050 bars).
    top_n
        Number of communes shown.
    language
        "fr" or "en".
    biomethane_level
        Biomethane potential shown "at the potential": "net", "mobilisable_2030", "mobilisable_2050".
    dpi
        Resolution of raster outputs [dots per inch].

    Returns
    -------
    pathlib.Path
        The written file.
    """
    fig = balance_figure(balance, scenario=scenario, top_n=top_n, language=language,
                         biomethane_level=biomethane_level)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=dpi)
    logger.info("balance chart written to %s", p)
    return p

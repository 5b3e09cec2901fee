"""The run report: ``report.html`` + ``summary.csv`` + PNG figures, for planners.

The HTML has no script at all and a Content-Security-Policy that forbids any; every value
from source data is escaped (:func:`escape_html`); text cells of the CSV are protected
against formula injection (:func:`csv_safe`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from geopotential.params import load_parameters
from geopotential._paths import data_dir
from geopotential.report import figures as F
from geopotential.report import labels as L
from geopotential.report.escaping import csv_safe, escape_html

logger = logging.getLogger(__name__)

#: Caveats printed in every report (run-specific ones come from ``meta["caveats"]``).
CAVEATS_FR = [
    "Potentiels techniques : ni la structure des toitures, ni le raccordement au réseau, ni les contraintes "
    "patrimoniales (ABF) ne sont vérifiés ; une étude de faisabilité reste nécessaire.",
    "Les productions PV sont des moyennes annuelles d'une année météorologique ; la variabilité interannuelle "
    "(± 5 à 10 %) n'est pas représentée.",
    "Le biométhane est exprimé en énergie PCS ; le gisement net retient les usages concurrents, pas la logistique "
    "ni l'acceptabilité locale.",
    "Les valeurs par commune sont des sommes des entités ; les entités exclues y comptent pour zéro et leur motif "
    "d'exclusion est donné dans les couches.",
]
CAVEATS_EN = [
    "Technical potentials: roof structure, grid connection and heritage constraints are not checked; a feasibility "
    "study is still needed.",
    "PV production is the annual mean of one weather year; inter-annual variability (± 5-10 %) is not shown.",
    "Biomethane is given as HHV energy; the net resource deducts competing uses, not logistics or local acceptance.",
    "Municipality values are sums over features; excluded features count as zero and carry an exclusion reason.",
]


def _sum(gdf, col) -> float | None:
    if gdf is None or col not in gdf.columns:
        return None
    return float(pd.to_numeric(gdf[col], errors="coerce").fillna(0).sum())


def territory_totals(layers: dict) -> list[tuple[str, float | None, str]]:
    """``(indicator column, value, column whose unit applies)`` for the territory."""
    b = layers.get("buildings_pv")
    p = layers.get("parcels_biogas")
    c = layers.get("communes_summary")
    d = layers.get("digester_sites")
    out: list[tuple[str, float | None, str]] = []
    if c is not None:
        out.append(("population", _sum(c, "population"), "population"))
    if b is not None:
        out.append(("n_buildings", float(len(b)), ""))
        if "exclusion_reason" in b.columns:
            out.append(("n_buildings_included", float((b["exclusion_reason"].fillna("").astype(str) == "").sum()), ""))
        out.append(("usable_area_m2", _sum(b, "usable_area_m2"), "usable_area_m2"))
        kwp = _sum(b, "pv_capacity_kwp")
        out.append(("pv_capacity_mwp", None if kwp is None else kwp / 1000.0, "pv_capacity_mwp"))
        kwh = _sum(b, "pv_energy_kwh_yr")
        out.append(("pv_energy_mwh_yr", None if kwh is None else kwh / 1000.0, "pv_energy_mwh_yr"))
    if p is not None:
        out.append(("n_parcels", float(len(p)), ""))
        out.append(("area_ha", _sum(p, "area_ha"), "area_ha"))
    if c is not None and "biogas_energy_net_mwh_pcs_yr" in c.columns:
        # every resource (crops, CIVE, manure, biowaste, point sources), summed per commune
        for col in ("biogas_energy_mwh_pcs_yr", "biogas_energy_net_mwh_pcs_yr",
                    "biogas_energy_mobilisable_2030_mwh_pcs_yr", "biogas_energy_mobilisable_2050_mwh_pcs_yr"):
            if col in c.columns:
                out.append((col, _sum(c, col), col))
    elif p is not None:
        out.append(("energy_mwh_pcs_yr", _sum(p, "energy_mwh_pcs_yr"), "energy_mwh_pcs_yr"))
        out.append(("energy_net_mwh_pcs_yr", _sum(p, "energy_net_mwh_pcs_yr"), "energy_net_mwh_pcs_yr"))
    if d is not None:
        out.append(("n_digester_sites", float(len(d)), ""))
        out.append(("capacity_nm3_h", _sum(d, "capacity_nm3_h"), "capacity_nm3_h"))
    return [t for t in out if t[1] is not None]


_COUNT_LABELS = {
    "n_buildings": ("Bâtiments analysés", "Buildings analysed"),
    "n_buildings_included": ("Bâtiments retenus", "Buildings kept"),
    "n_parcels": ("Parcelles agricoles", "Agricultural parcels"),
    "n_digester_sites": ("Sites de méthanisation proposés", "Proposed digester sites"),
}


def _ind_label(key: str, lang: str) -> str:
    if key in _COUNT_LABELS:
        return _COUNT_LABELS[key][0 if lang == "fr" else 1]
    return L.label(key, lang)


def _commune_table(layers: dict) -> pd.DataFrame | None:
    c = layers.get("communes_summary")
    if c is None:
        return None
    cols = [col for col in ("commune_insee", "commune_name", "population", "pv_capacity_kwp", "pv_energy_mwh_yr",
                            "biogas_energy_net_mwh_pcs_yr", "autonomy_ratio_today", "autonomy_ratio_potential")
            if col in c.columns]
    return pd.DataFrame(c[cols]).sort_values("commune_insee" if "commune_insee" in cols else cols[0])


def _parameters_table(meta: dict) -> pd.DataFrame:
    given = meta.get("parameters")
    if given is not None:
        df = given if isinstance(given, pd.DataFrame) else pd.DataFrame(given)
        return df
    rows = []
    for path in sorted(data_dir().glob("*.csv")):
        try:
            params = load_parameters(path.stem)
        except Exception:  # wide tables and foreign formats are listed elsewhere  # noqa: BLE001
            continue
        for prm in params.values():
            rows.append({"table": path.stem, "parameter": prm.name, "value": prm.value, "unit": prm.unit,
                         "source": prm.source})
    return pd.DataFrame(rows, columns=["table", "parameter", "value", "unit", "source"])


def summary_table(layers: dict, meta: dict) -> pd.DataFrame:
    """The report's figures as one long table (the content of ``summary.csv``).

    Columns: ``scope`` (territory/commune), ``commune_insee``, ``commune_name``,
    ``indicator`` (column name with its unit), ``value``, ``unit``.
    """
    rows = []
    lang = "fr"
    for key, value, ucol in territory_totals(layers):
        rows.append({"scope": "territory", "commune_insee": "", "commune_name": meta.get("territory", ""),
                     "indicator": key, "value": value, "unit": L.unit(ucol, "en") if ucol else "count"})
    ct = _commune_table(layers)
    if ct is not None:
        for col in ct.columns:
            if col in ("commune_insee", "commune_name"):
                continue
            spec = L.COLUMNS.get(col)
            factor = 100.0 if spec is not None and spec.kind == "pct" else 1.0  # a ratio shown in %
            for rec_insee, rec_name, v in zip(ct.get("commune_insee", [""] * len(ct)),
                                              ct.get("commune_name", [""] * len(ct)), ct[col]):
                value = v * factor if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                rows.append({"scope": "commune", "commune_insee": rec_insee, "commune_name": rec_name,
                             "indicator": col, "value": value, "unit": L.unit(col, "en")})
    del lang
    return pd.DataFrame(rows, columns=["scope", "commune_insee", "commune_name", "indicator", "value", "unit"])


def _html_table(df: pd.DataFrame, lang: str, cls: str = "") -> str:
    head = "".join(f"<th>{escape_html(L.label_with_unit(c, lang))}</th>" for c in df.columns)
    body = []
    for rec in df.itertuples(index=False):  # report tables: one row per commune, few rows
        cells = []
        for col, v in zip(df.columns, rec):
            c = L.COLUMNS.get(col)
            if c is not None and c.kind in ("num", "pct") and v is not None and not isinstance(v, str) and pd.notna(v):
                txt = L.format_number(float(v) * (100 if c.kind == "pct" else 1), lang, c.digits)
                cells.append(f'<td class="num">{escape_html(txt)}</td>')
            else:
                cells.append(f"<td>{escape_html(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


_CSS = """
body{font:14px/1.45 "Helvetica Neue",Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:24px;margin-bottom:4px} h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}
.meta{color:#555} .synthetic{display:inline-block;background:#b30000;color:#fff;padding:2px 10px;border-radius:3px;font-weight:bold}
table{border-collapse:collapse;margin:8px 0;font-size:13px} th,td{border:1px solid #ddd;padding:3px 8px;vertical-align:top}
th{background:#f3f3f3;text-align:left} td.num{text-align:right;white-space:nowrap}
img{max-width:100%;border:1px solid #eee;margin:6px 0} .caveats li{margin:3px 0}
"""


def _balance_section(layers: dict, meta: dict, out: Path, fig_dir: Path, lang: str) -> list[str]:
    """Energy balance: the chart (today / potential / 2050) and the scenarios side by side."""
    c = layers.get("communes_summary")
    if c is None or not any(col.startswith("autonomy_ratio") for col in c.columns):
        return []
    from geopotential.balance.charts import balance_chart

    fr = lang == "fr"
    bal = pd.DataFrame(c.drop(columns="geometry", errors="ignore"))
    bal = bal[bal["commune_insee"].astype(str) != "unassigned"]
    parts = [f"<h2>{'Bilan énergétique et scénarios 2050' if fr else 'Energy balance and 2050 scenarios'}</h2>"]
    try:
        fig_dir.mkdir(parents=True, exist_ok=True)
        path = balance_chart(bal, fig_dir / "balance.png", language=lang)
        rel = Path(path).relative_to(out).as_posix()
        title = ("Production et consommation : aujourd'hui, au potentiel, en 2050" if fr
                 else "Production and consumption: today, at the potential, in 2050")
        parts.append(f'<img id="balance-chart" src="{escape_html(rel)}" alt="{escape_html(title)}">')
    except Exception as exc:  # noqa: BLE001 - a chart must not cost the planner the report
        logger.warning("balance chart not drawn: %s", exc)
    comp = meta.get("scenario_comparison")
    if isinstance(comp, pd.DataFrame) and len(comp):
        t = comp.reset_index()
        head = "".join(f"<th>{escape_html(col)}</th>" for col in t.columns)
        rows = []
        for rec in t.itertuples(index=False):
            cells = []
            for v in rec:
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    cells.append(f'<td class="num">{escape_html(L.format_number(float(v), lang, 2 if abs(v) < 10 else 0))}</td>')
                else:
                    cells.append(f"<td>{escape_html(v)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        parts.append(f'<table id="scenarios"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return parts


def write_report(layers: dict, meta: dict, out_dir: str | Path, lang: str = "fr") -> Path:
    """Write ``report.html``, ``summary.csv`` and ``figures/*.png`` into ``out_dir``.

    Parameters
    ----------
    layers
        Run layers (any may be absent; see :func:`geopotential.report.map.build_map`).
    meta
        ``territory``, ``run_date``, ``scenario``, ``synthetic``, ``crs``; optional
        ``parameters`` (table of parameter/value/unit/source used; default: the shipped
        tables of ``data/``), ``sources`` (list of str), ``caveats`` (list of str).
    out_dir
        Folder written (created if needed).
    lang
        ``"fr"`` (default) or ``"en"``.

    Returns
    -------
    pathlib.Path
        Path of ``report.html``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    layers = {k: v for k, v in (layers or {}).items() if v is not None}
    meta = meta or {}
    fig_dir = out / "figures"
    figs = [
        ("Potentiels par commune" if lang == "fr" else "Potentials by municipality",
         F.commune_map(layers, fig_dir / "communes_potential.png", lang)),
        ("Productible spécifique et surface utile" if lang == "fr" else "Specific yield and usable area",
         F.pv_distributions(layers, fig_dir / "pv_distributions.png", lang)),
        ("Biogaz par ressource" if lang == "fr" else "Biogas by resource",
         F.biogas_by_resource(layers, fig_dir / "biogas_by_resource.png", lang, meta.get("scenario"))),
        ("Taille des méthaniseurs" if lang == "fr" else "Digester sizes",
         F.digester_sizes(layers, fig_dir / "digester_sizes.png", lang)),
    ]

    summary = summary_table(layers, meta)
    csv = summary.copy()
    for col in ("commune_insee", "commune_name", "indicator", "unit"):
        csv[col] = csv[col].map(csv_safe)
    tmp = out / "summary.csv.tmp"
    csv.to_csv(tmp, index=False)
    tmp.replace(out / "summary.csv")

    fr = lang == "fr"
    parts = [
        '<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8">' % ("fr" if fr else "en"),
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src \'self\' file: data:; '
        'style-src \'unsafe-inline\'">',
        f"<title>{escape_html(meta.get('territory', ''))} – {'Rapport' if fr else 'Report'}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape_html(meta.get('territory', ''))}</h1>",
        '<div class="meta">'
        + escape_html(f"{L.ui('run_date', lang)} {meta.get('run_date', '')} · {L.ui('scenario', lang)} : "
                      f"{meta.get('scenario', '')} · CRS {meta.get('crs', '')}")
        + "</div>",
    ]
    if meta.get("synthetic"):
        parts.append(f'<p><span class="synthetic" id="synthetic">{escape_html(L.ui("synthetic", lang))}</span></p>')
    parts.append(f"<h2>{'Totaux du territoire' if fr else 'Territory totals'}</h2>")
    tot_rows = "".join(
        f"<tr><th>{escape_html(_ind_label(k, lang))}</th><td class='num'>"
        f"{escape_html(L.format_number(v, lang, L.digits(u) if u else 0))} {escape_html(L.unit(u, lang) if u else '')}</td></tr>"
        for k, v, u in territory_totals(layers)
    )
    parts.append(f'<table id="totals">{tot_rows}</table>')
    ct = _commune_table(layers)
    if ct is not None:
        parts.append(f"<h2>{'Par commune' if fr else 'By municipality'}</h2>")
        parts.append(_html_table(ct, lang, "communes"))
    parts += _balance_section(layers, meta, out, fig_dir, lang)
    parts.append(f"<h2>{'Figures' if fr else 'Figures'}</h2>")
    for title, path in figs:
        if path is not None:
            rel = path.relative_to(out).as_posix()
            parts.append(f"<h3>{escape_html(title)}</h3><img src=\"{escape_html(rel)}\" alt=\"{escape_html(title)}\">")
    parts.append(f"<h2>{'Paramètres et sources' if fr else 'Parameters and sources'}</h2>")
    ptab = _parameters_table(meta)
    if len(ptab):
        head = "".join(f"<th>{escape_html(c)}</th>" for c in ptab.columns)
        rows = "".join("<tr>" + "".join(f"<td>{escape_html(v)}</td>" for v in r) + "</tr>"
                       for r in ptab.itertuples(index=False))
        summary_txt = (f"{len(ptab)} paramètres (valeur, unité, source)" if fr
                       else f"{len(ptab)} parameters (value, unit, source)")
        parts.append(f"<details><summary>{escape_html(summary_txt)}</summary>"
                     f'<table id="parameters"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>')
    sources = meta.get("sources") or []
    if sources:
        parts.append("<ul>" + "".join(f"<li>{escape_html(s)}</li>" for s in sources) + "</ul>")
    parts.append(f"<h2>{'Limites' if fr else 'Caveats'}</h2>")
    cav = (CAVEATS_FR if fr else CAVEATS_EN) + list(meta.get("caveats") or [])
    if meta.get("synthetic"):
        cav = [L.ui("synthetic", lang) + (" : aucun chiffre ne décrit le territoire réel." if fr
                                          else ": no figure describes the real territory.")] + cav
    parts.append('<ul class="caveats">' + "".join(f"<li>{escape_html(c)}</li>" for c in cav) + "</ul>")
    parts.append("</body></html>")
    html_path = out / "report.html"
    tmp = out / "report.html.tmp"
    tmp.write_text("\n".join(parts), encoding="utf-8")
    tmp.replace(html_path)
    logger.info("report written: %s", html_path)
    return html_path

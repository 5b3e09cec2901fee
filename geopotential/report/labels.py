"""Human labels, units and number format of what planners read (French by default).

Column names stay in English with their unit (``pv_energy_kwh_yr``); this module gives the
label and unit shown in the map, the report and the QGIS field dictionary, in French or
English, and formats numbers in the reader's locale (French: ``1 234,5``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Thousands separator of French number format (narrow no-break space, as ``Intl`` fr-FR).
FR_THOUSANDS = "\u202f"


@dataclass(frozen=True)
class ColumnLabel:
    """Label of one column: French and English text, units, decimals shown."""

    fr: str
    en: str
    unit_fr: str = ""
    unit_en: str = ""
    digits: int = 0
    kind: str = "num"  # "num", "text", "pct" (ratio shown as a percentage)


COLUMNS: dict[str, ColumnLabel] = {
    "building_id": ColumnLabel("Identifiant du bâtiment", "Building id", kind="text"),
    "name": ColumnLabel("Nom", "Name", kind="text"),
    "commune_insee": ColumnLabel("Code INSEE", "INSEE code", kind="text"),
    "commune_name": ColumnLabel("Commune", "Municipality", kind="text"),
    "roof_area_m2": ColumnLabel("Surface de toiture", "Roof area", "m²", "m²", 0),
    "usable_area_m2": ColumnLabel("Surface utile", "Usable area", "m²", "m²", 0),
    "pv_capacity_kwp": ColumnLabel("Puissance installable", "Installable capacity", "kWc", "kWp", 1),
    "pv_energy_kwh_yr": ColumnLabel("Production PV", "PV production", "kWh/an", "kWh/yr", 0),
    "specific_yield_kwh_kwp_yr": ColumnLabel(
        "Productible spécifique", "Specific yield", "kWh/kWc/an", "kWh/kWp/yr", 0
    ),
    "irradiation_kwh_m2_yr": ColumnLabel("Irradiation", "Irradiation", "kWh/m²/an", "kWh/m²/yr", 0),
    "pv_class": ColumnLabel("Classe PV", "PV class", kind="text"),
    "pv_class_label": ColumnLabel("Potentiel solaire", "Solar potential", kind="text"),
    "payback_yr": ColumnLabel("Temps de retour", "Payback time", "ans", "yr", 1),
    "lcoe_eur_kwh": ColumnLabel("Coût actualisé (LCOE)", "Levelised cost (LCOE)", "€/kWh", "€/kWh", 3),
    "exclusion_reason": ColumnLabel("Motif d'exclusion", "Exclusion reason", kind="text"),
    "parcel_id": ColumnLabel("Identifiant de parcelle", "Parcel id", kind="text"),
    "code_cultu": ColumnLabel("Code culture RPG", "RPG crop code", kind="text"),
    "crop_label": ColumnLabel("Culture", "Crop", kind="text"),
    "resource": ColumnLabel("Ressource", "Resource", kind="text"),
    "scenario": ColumnLabel("Scénario", "Scenario", kind="text"),
    "area_ha": ColumnLabel("Surface", "Area", "ha", "ha", 2),
    "energy_mwh_pcs_yr": ColumnLabel(
        "Énergie brute", "Gross energy", "MWh PCS/an", "MWh HHV/yr", 0
    ),
    "energy_net_mwh_pcs_yr": ColumnLabel(
        "Énergie nette", "Net energy", "MWh PCS/an", "MWh HHV/yr", 0
    ),
    "site_id": ColumnLabel("Site", "Site", kind="text"),
    "capacity_nm3_h": ColumnLabel("Capacité", "Capacity", "Nm³/h", "Nm³/h", 0),
    "supply_mwh_pcs_yr": ColumnLabel(
        "Gisement collecté", "Supply collected", "MWh PCS/an", "MWh HHV/yr", 0
    ),
    "population": ColumnLabel("Population", "Population", "hab.", "inhab.", 0),
    "pv_energy_mwh_yr": ColumnLabel("Production PV", "PV production", "MWh/an", "MWh/yr", 0),
    "pv_capacity_mwp": ColumnLabel("Puissance PV", "PV capacity", "MWc", "MWp", 1),
    "biogas_energy_net_mwh_pcs_yr": ColumnLabel(
        "Biométhane net", "Net biomethane", "MWh PCS/an", "MWh HHV/yr", 0
    ),
    "biogas_energy_mwh_pcs_yr": ColumnLabel(
        "Biométhane brut (production)", "Gross biomethane (production)", "MWh PCS/an", "MWh HHV/yr", 0
    ),
    "biogas_energy_mobilisable_2030_mwh_pcs_yr": ColumnLabel(
        "Biométhane mobilisable 2030", "Mobilisable biomethane 2030", "MWh PCS/an", "MWh HHV/yr", 0
    ),
    "biogas_energy_mobilisable_2050_mwh_pcs_yr": ColumnLabel(
        "Biométhane mobilisable 2050", "Mobilisable biomethane 2050", "MWh PCS/an", "MWh HHV/yr", 0
    ),
    "cadastre_parcel_id": ColumnLabel("Parcelle cadastrale", "Cadastral parcel", kind="text"),
    "n_faces_usable": ColumnLabel("Pans de toiture utiles", "Usable roof faces", "", "", 0),
    "shading_loss_pct": ColumnLabel("Perte par ombrage", "Shading loss", "%", "%", 1),
    "capex_eur": ColumnLabel("Investissement", "Investment", "€", "EUR", 0),
    "premium_eur": ColumnLabel("Prime à l'autoconsommation", "Self-consumption premium", "€", "EUR", 0),
    "opex_eur_yr": ColumnLabel("Exploitation et maintenance", "Operation and maintenance", "€/an", "EUR/yr", 0),
    "revenue_eur_yr": ColumnLabel("Recettes (1re année)", "Revenue (first year)", "€/an", "EUR/yr", 0),
    "npv_eur": ColumnLabel("Valeur actuelle nette", "Net present value", "€", "EUR", 0),
    "co2_avoided_t_yr": ColumnLabel("CO₂ évité", "CO₂ avoided", "t/an", "t/yr", 1),
    "weather_approximate": ColumnLabel("Météo approchée (ciel clair)", "Approximate weather (clear sky)", kind="text"),
    "roof_source": ColumnLabel("Source du modèle de toit", "Roof model source", kind="text"),
    "dsm_coverage_fraction": ColumnLabel("Couverture par le MNS", "DSM coverage", "%", "%", 0, kind="pct"),
    "autonomy_ratio_today": ColumnLabel(
        "Taux d'autonomie actuel", "Autonomy ratio today", "%", "%", 0, kind="pct"
    ),
    "autonomy_ratio_potential": ColumnLabel(
        "Taux d'autonomie au potentiel", "Autonomy ratio at potential", "%", "%", 0, kind="pct"
    ),
}

#: Layer names shown in the layer control and legends.
LAYERS: dict[str, tuple[str, str]] = {
    "buildings_pv": ("Bâtiments – potentiel solaire", "Buildings – solar potential"),
    "parcels_biogas": ("Parcelles – potentiel biogaz", "Parcels – biogas potential"),
    "digester_sites": ("Sites de méthanisation proposés", "Proposed digester sites"),
    "catchments": ("Bassins d'approvisionnement", "Supply catchments"),
    "existing_plants": ("Méthaniseurs existants", "Existing biogas plants"),
    "communes_pv": ("Communes – production PV", "Municipalities – PV production"),
    "communes_biogas": ("Communes – biométhane net", "Municipalities – net biomethane"),
    "communes_autonomy": ("Communes – taux d'autonomie", "Municipalities – autonomy ratio"),
}

#: Groups of the layer control.
GROUPS: dict[str, tuple[str, str]] = {
    "solar": ("Solaire photovoltaïque", "Solar PV"),
    "biogas": ("Méthanisation", "Biogas"),
    "communes": ("Communes", "Municipalities"),
}

#: Interface strings.
UI: dict[str, tuple[str, str]] = {
    "search": ("Rechercher une commune ou un bâtiment…", "Search a municipality or a building…"),
    "zoom_hint": ("Zoomez pour afficher", "Zoom in to show"),
    "synthetic": ("Données synthétiques (démonstration)", "Synthetic data (demonstration)"),
    "run_date": ("Calcul du", "Run of"),
    "scenario": ("Scénario", "Scenario"),
    "no_data": ("Sans donnée", "No data"),
    "truncated": ("entités non affichées (limite)", "features not shown (limit)"),
    "commune": ("Commune", "Municipality"),
    "building": ("Bâtiment", "Building"),
    "legend": ("Légende", "Legend"),
    "class": ("Classe", "Class"),
    "basemap_osm": ("OpenStreetMap", "OpenStreetMap"),
    "basemap_carto_positron": ("Fond clair (CARTO)", "Light (CARTO)"),
    "basemap_ign_plan": ("Plan IGN", "IGN map"),
    "basemap_ign_ortho": ("Photographies aériennes (IGN)", "Aerial photos (IGN)"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "fr" else pair[1]


def ui(key: str, lang: str = "fr") -> str:
    """Interface string ``key`` in ``lang``."""
    return _pick(UI[key], lang)


def layer_name(key: str, lang: str = "fr") -> str:
    """Human name of layer ``key`` in ``lang``."""
    return _pick(LAYERS[key], lang)


def group_name(key: str, lang: str = "fr") -> str:
    """Human name of layer-control group ``key`` in ``lang``."""
    return _pick(GROUPS[key], lang)


def column_label(col: str, lang: str = "fr") -> ColumnLabel | None:
    """The :class:`ColumnLabel` of ``col`` or ``None`` for an unknown column."""
    return COLUMNS.get(col)


def label(col: str, lang: str = "fr") -> str:
    """Human label of ``col`` (the column name itself when unknown)."""
    c = COLUMNS.get(col)
    if c is None:
        return col
    return c.fr if lang == "fr" else c.en


def unit(col: str, lang: str = "fr") -> str:
    """Unit of ``col`` as shown to readers (empty when none or unknown)."""
    c = COLUMNS.get(col)
    if c is None:
        return ""
    return c.unit_fr if lang == "fr" else c.unit_en


def label_with_unit(col: str, lang: str = "fr") -> str:
    """``"Label (unit)"``, or the label alone when there is no unit."""
    u = unit(col, lang)
    return f"{label(col, lang)} ({u})" if u else label(col, lang)


def digits(col: str) -> int:
    """Decimals shown for ``col``."""
    c = COLUMNS.get(col)
    return c.digits if c is not None else 2


def format_number(value: float | int | None, lang: str = "fr", ndigits: int = 0) -> str:
    """Format a number in the reader's locale.

    Parameters
    ----------
    value
        Number to format; ``None`` or NaN gives an empty string.
    lang
        ``"fr"``: ``1 234,5`` (narrow no-break space, decimal comma); ``"en"``: ``1,234.5``.
    ndigits
        Decimals kept.

    Examples
    --------
    >>> format_number(1234567.891, "fr", 1) == "1\u202f234\u202f567,9"
    True
    >>> format_number(1234567.891, "en", 1)
    '1,234,567.9'
    """
    if value is None:
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return ""
    s = f"{v:,.{ndigits}f}"
    if s.startswith("-") and float(s.replace(",", "")) == 0:
        s = s[1:]
    if lang == "fr":
        s = s.replace(",", FR_THOUSANDS).replace(".", ",")
    return s


def format_value(col: str, value, lang: str = "fr") -> str:
    """Format ``value`` of column ``col`` with its unit, for tables and legends."""
    c = COLUMNS.get(col)
    if c is None or c.kind == "text":
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return str(value)
    if c.kind == "pct":
        if value is None:
            return ""
        return f"{format_number(float(value) * 100.0, lang, c.digits)} %"
    s = format_number(value, lang, c.digits)
    return f"{s} {unit(col, lang)}" if s and unit(col, lang) else s

"""Readers of local energy consumption and of current local renewable production.

Consumption files follow France's open local-energy data:

* Agence ORE "Consommation annuelle d'electricite et de gaz par commune" (and the Enedis /
  GRDF per-commune files): CSV export ``;``-separated with labels such as ``Code Commune``,
  ``FILIERE`` (Electricite / Gaz), ``CODE GRAND SECTEUR`` (RESIDENTIEL, TERTIAIRE, INDUSTRIE,
  AGRICULTURE, INCONNU), ``Conso totale (MWh)``, ``Annee``; or the API field names
  ``code_commune``, ``filiere``, ``code_grand_secteur``, ``conso``, ``annee``;
* SDES "Donnees locales de consommation d'energie" (electricite, gaz naturel, chaleur et
  froid): ``CODE``/``CODE_COMMUNE``, ``FILIERE``, ``CODE_GRAND_SECTEUR``, ``CONSO``, ``ANNEE``;
* the canonical long table ``commune_insee, carrier, sector, consumption_mwh_yr``.

Column names are matched without case, accents or punctuation; ``;``, ``,`` and tab
separators, UTF-8 (with or without BOM) and Latin-1, and decimal commas are accepted.
Gas quantities of these sources are in MWh PCS (GRDF/ORE convention): rows of carrier
``gas`` get ``heating_value = "pcs"``.
"""

from __future__ import annotations

import csv
import logging
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from geopotential.balance.parameters import CARRIERS, SOURCE_CARRIER  # noqa: F401 (canonical names)
from geopotential.exceptions import CorruptFileError, InputError, MissingFieldError

logger = logging.getLogger(__name__)


_COMMUNE_KEYS = (
    "commune_insee", "code_commune", "code_insee", "code_insee_commune", "code_commune_insee",
    "insee_com", "codgeo", "code_commune_courant", "code",
)
_CARRIER_KEYS = ("carrier", "filiere", "energie", "vecteur", "vecteur_energetique")
_SECTOR_KEYS = (
    "sector", "code_grand_secteur", "grand_secteur", "libelle_grand_secteur", "secteur",
    "code_secteur",
)
_CONSO_KEYS = (
    "consumption_mwh_yr", "conso", "conso_totale_mwh", "conso_mwh", "consommation_mwh",
    "consommation", "conso_totale", "consommation_annuelle_mwh",
)
_YEAR_KEYS = ("year", "annee", "millesime")

_CONSUMPTION_READ = frozenset(
    _COMMUNE_KEYS + _CARRIER_KEYS + _SECTOR_KEYS + _CONSO_KEYS + _YEAR_KEYS + ("heating_value",)
)

_CARRIER_VALUES = {
    "electricity": ("electricite", "electricity", "elec", "e"),
    "gas": ("gaz", "gaz naturel", "gas", "natural gas", "g"),
    "heat": ("chaleur", "heat", "reseau de chaleur", "reseaux de chaleur", "c"),
    "other": (
        "other", "autre", "autres", "froid", "f", "cold", "fioul", "produits petroliers",
        "petrole", "bois", "biomasse", "charbon", "gpl", "carburants",
    ),
}
_SECTOR_VALUES = {
    "residential": ("residentiel", "residential", "r", "res"),
    "tertiary": ("tertiaire", "tertiary", "t", "ter"),
    "industry": ("industrie", "industry", "industriel", "i", "ind"),
    "agriculture": ("agriculture", "agricole", "a", "agr"),
    "transport": ("transport", "transports"),
    "unknown": ("inconnu", "unknown", "x", "nap", "non affecte", "nan", ""),
    "all": ("all", "tous", "total"),
}


def _norm(text: object) -> str:
    """Lowercase, accents stripped, non-alphanumerics collapsed to ``_``."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _norm_value(text: object) -> str:
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", s.lower().replace("_", " ")).strip()


def _read_text_table(path: str | Path, keep: frozenset[str] | None = None) -> pd.DataFrame:
    """Read a delimited text file as strings, sniffing encoding and separator.

    ``keep``: normalised names of the columns to read (all when None); national files are large.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", path=p)
    raw = p.read_bytes()[:65536]
    if not raw.strip():
        raise CorruptFileError("file is empty", path=p)
    encoding = "utf-8-sig"
    try:
        head = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = "latin-1"
        head = raw.decode("latin-1")
    first = head.splitlines()[0]
    counts = {sep: first.count(sep) for sep in (";", "\t", ",")}
    sep = max(counts, key=counts.get)
    if counts[sep] == 0:
        raise CorruptFileError("no ';', ',' or tab separator in the header line", path=p)
    try:
        df = pd.read_csv(
            p, sep=sep, dtype=str, encoding=encoding, keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL, skipinitialspace=True,
            usecols=(lambda c: _norm(c) in keep) if keep is not None else None,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise CorruptFileError(f"cannot parse as a {sep!r}-separated table ({exc})", path=p) from None
    df.columns = [_norm(c) for c in df.columns]
    return df


def _find(df: pd.DataFrame, keys: tuple[str, ...], path, what: str, required: bool = True) -> str | None:
    for k in keys:
        if k in df.columns:
            return k
    if required:
        raise MissingFieldError(
            f"no {what} column; expected one of {list(keys)} (case, accents and punctuation ignored); "
            f"found {list(df.columns)}",
            path=path,
            field=what,
        )
    return None


def parse_number(values: pd.Series, path=None, field: str | None = None) -> pd.Series:
    """Parse numbers written with decimal commas, spaces or thousands separators.

    Empty cells become NaN; any other unparsable text raises :class:`InputError`.
    """
    s = values.astype("string").str.strip().str.replace("\u00a0", "", regex=False)
    s = s.str.replace(" ", "", regex=False).str.replace("\u202f", "", regex=False)
    both = s.str.contains(",", regex=False) & s.str.contains(".", regex=False)
    # 1.234,5 -> 1234.5 ; 1,234.5 -> 1234.5
    comma_last = s.str.rfind(",") > s.str.rfind(".")
    s = s.where(~(both & comma_last), s.str.replace(".", "", regex=False))
    s = s.where(~(both & ~comma_last), s.str.replace(",", "", regex=False))
    s = s.str.replace(",", ".", regex=False)
    s = s.replace("", pd.NA)
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & s.notna()
    if bad.any():
        examples = list(dict.fromkeys(values[bad.to_numpy()].astype(str)))[:3]
        raise InputError(f"{int(bad.sum())} values are not numbers, e.g. {examples}", path=path, field=field)
    return out.astype("float64")


def normalise_insee(codes: pd.Series) -> pd.Series:
    """INSEE commune codes as 5-character strings (``1001`` -> ``01001``; ``2A004`` kept)."""
    s = codes.astype("string").str.strip().str.upper()
    s = s.str.replace(r"\.0$", "", regex=True)
    return s.where(~s.str.fullmatch(r"\d{4}").fillna(False), "0" + s)


def _map_values(values: pd.Series, table: dict[str, tuple[str, ...]], what: str, path, default: str | None):
    lookup = {alias: key for key, aliases in table.items() for alias in aliases}
    # map the distinct values only: national files hold millions of rows and a handful of labels
    per_value = {v: lookup.get(_norm_value(v)) for v in pd.unique(values)}
    mapped = values.map(per_value)
    unknown = sorted(set(values[mapped.isna()].astype(str)))
    if unknown:
        if default is None:
            raise InputError(f"unknown {what} values {unknown[:10]}", path=path, field=what)
        logger.warning("%s: %s values %s mapped to %r", path, what, unknown[:10], default)
        mapped = mapped.fillna(default)
    return mapped


def _latest_year(df: pd.DataFrame, ycol: str | None, year: int | None, path) -> tuple[pd.DataFrame, int | None]:
    if ycol is None:
        if year is not None:
            raise MissingFieldError(f"year {year} requested but the file has no year column", path=path, field="annee")
        return df, None
    years = pd.to_numeric(df[ycol].str.strip(), errors="coerce")
    if years.isna().all():
        raise InputError("year column holds no valid year", path=path, field=ycol)
    chosen = int(years.max()) if year is None else int(year)
    if chosen not in set(years.dropna().astype(int)):
        raise InputError(f"year {chosen} not in the file (years {sorted(set(years.dropna().astype(int)))})",
                         path=path, field=ycol)
    if years.nunique() > 1 and year is None:
        logger.info("%s: several years present; using the latest, %d", path, chosen)
    return df.loc[(years == chosen).to_numpy()], chosen


def read_consumption(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read per-commune annual consumption by carrier and sector.

    Parameters
    ----------
    path
        CSV in the ORE / SDES local-energy layout or the canonical long layout (see module doc).
    year
        Year to keep when the file holds several (default: the latest).

    Returns
    -------
    pandas.DataFrame
        Long table, one row per commune, carrier and sector: ``commune_insee`` (str),
        ``carrier`` (electricity / gas / heat / other), ``sector`` (residential, tertiary,
        industry, agriculture, transport, unknown, all), ``consumption_mwh_yr`` [MWh/yr; gas in
        MWh PCS/yr], ``heating_value`` ("pcs" for gas, "" otherwise), ``year`` (nullable int).
        Rows without a value (statistical secrecy) count as 0 and are logged.
    """
    df = _read_text_table(path, keep=_CONSUMPTION_READ)
    ccol = _find(df, _COMMUNE_KEYS, path, "commune code")
    kcol = _find(df, _CARRIER_KEYS, path, "carrier (filiere)")
    vcol = _find(df, _CONSO_KEYS, path, "consumption in MWh")
    scol = _find(df, _SECTOR_KEYS, path, "sector", required=False)
    ycol = _find(df, _YEAR_KEYS, path, "year", required=False)
    df, chosen = _latest_year(df, ycol, year, path)
    if df.empty:
        raise CorruptFileError("no data rows", path=path)

    hv_col = "heating_value" if "heating_value" in df.columns else None
    codes = normalise_insee(df[ccol])
    if codes.isna().any() or (codes == "").any():
        raise InputError(f"{int((codes.isna() | (codes == '')).sum())} rows without a commune code",
                         path=path, field=ccol)
    values = parse_number(df[vcol], path=path, field=vcol)
    n_secret = int(values.isna().sum())
    if n_secret:
        logger.warning("%s: %d rows without a consumption value (statistical secrecy?) counted as 0",
                       path, n_secret)
    if (values < 0).any():
        raise InputError(f"{int((values < 0).sum())} negative consumption values", path=path, field=vcol)
    carriers = _map_values(df[kcol], _CARRIER_VALUES, "carrier", path, default="other")
    sectors = (
        _map_values(df[scol], _SECTOR_VALUES, "sector", path, default="unknown")
        if scol
        else pd.Series("all", index=df.index)
    )
    out = pd.DataFrame({
        "commune_insee": codes.to_numpy(),
        "carrier": carriers.to_numpy(),
        "sector": sectors.to_numpy(),
        "consumption_mwh_yr": values.fillna(0.0).to_numpy(),
    })
    if hv_col:
        hv = df[hv_col].str.strip().str.lower().to_numpy()
        bad = sorted(set(hv[(out["carrier"] == "gas").to_numpy()]) - {"pcs", "pci"})
        if bad:
            raise InputError(f"heating_value of gas rows must be pcs or pci, found {bad}", path=path, field=hv_col)
        out["heating_value"] = np.where(out["carrier"] == "gas", hv, "")
    else:
        out["heating_value"] = np.where(out["carrier"] == "gas", "pcs", "")
    out = (
        out.groupby(["commune_insee", "carrier", "sector", "heating_value"], as_index=False, sort=True)[
            "consumption_mwh_yr"
        ].sum()
    )
    out["year"] = pd.array([chosen] * len(out), dtype="Int64")
    logger.info("%s: %d communes, %.0f MWh/yr read", path, out["commune_insee"].nunique(),
                out["consumption_mwh_yr"].sum())
    return out[["commune_insee", "carrier", "sector", "consumption_mwh_yr", "heating_value", "year"]]


# --- current production -------------------------------------------------------------------
_ENEDIS_SOURCES = {
    "photovoltaique": "pv",
    "eolien": "wind",
    "hydraulique": "hydro",
    "bio_energie": "bioenergy",
    "cogeneration": "cogeneration",
    "autres_filieres": "other_electricity",
}
_SOURCE_VALUES = {
    "pv": ("pv", "photovoltaique", "solaire", "solar", "solaire photovoltaique"),
    "wind": ("wind", "eolien"),
    "hydro": ("hydro", "hydraulique"),
    "bioenergy": ("bioenergy", "bio energie", "bioenergie", "biomasse electrique"),
    "cogeneration": ("cogeneration",),
    "other_electricity": ("other electricity", "autres filieres", "autre"),
    "biomethane": ("biomethane", "injection biomethane", "biogaz injecte"),
    "heat": ("heat", "chaleur", "reseau de chaleur", "heat network"),
}


def _finish_production(codes: pd.Series, sources: pd.Series, values: pd.Series, path) -> pd.DataFrame:
    out = pd.DataFrame({
        "commune_insee": normalise_insee(codes).to_numpy(),
        "source": sources.to_numpy(),
        "production_mwh_yr": values.fillna(0.0).to_numpy(),
    })
    no_code = (out["commune_insee"].isna() | (out["commune_insee"] == "")).to_numpy()
    if no_code.any():
        logger.warning("%s: %d rows without a commune code left out (%.0f MWh/yr): they cannot be "
                       "assigned to a commune", path, int(no_code.sum()), out.loc[no_code, "production_mwh_yr"].sum())
        out = out.loc[~no_code]
    if (out["production_mwh_yr"] < 0).any():
        raise InputError("negative production values", path=path)
    out = out.groupby(["commune_insee", "source"], as_index=False, sort=True)["production_mwh_yr"].sum()
    out["carrier"] = out["source"].map(SOURCE_CARRIER)
    out["heating_value"] = np.where(out["carrier"] == "gas", "pcs", "")
    return out[["commune_insee", "source", "carrier", "production_mwh_yr", "heating_value"]]


def read_existing_production(path: str | Path, year: int | None = None) -> pd.DataFrame:
    """Read the current local renewable production per commune.

    Three layouts are recognised from their columns:

    * the ODRE / GRDF-GRTgaz biomethane injection sites (``points-injection.csv``:
      ``Code Commune Courant``, ``Capacite de production (GWh/an)``, ``Site ouvert ?``):
      source ``biomethane``, capacity taken as annual production [GWh PCS/yr -> MWh PCS/yr];
      closed sites are left out and logged;
    * Enedis "Production electrique annuelle par filiere a la maille commune"
      (``Code commune``, ``Energie produite annuelle Photovoltaique Enedis (MWh)`` ...):
      sources pv, wind, hydro, bioenergy, cogeneration, other_electricity;
    * the canonical long table ``commune_insee, source, production_mwh_yr``
      (sources as in :data:`SOURCE_CARRIER`, e.g. ``heat`` for a heat network).

    Returns
    -------
    pandas.DataFrame
        ``commune_insee``, ``source``, ``carrier``, ``production_mwh_yr`` [MWh/yr; biomethane in
        MWh PCS/yr], ``heating_value`` ("pcs" for gas, "" otherwise).
    """
    df = _read_text_table(path)
    cap = next((c for c in df.columns if c.startswith("capacite_de_production")), None)
    enedis = [c for c in df.columns if c.startswith("energie_produite_annuelle_")]
    if cap is not None:
        ccol = _find(df, ("code_commune_courant", "code_commune", "code_insee", "commune_insee"), path,
                     "commune code")
        open_col = next((c for c in df.columns if c.startswith("site_ouvert")), None)
        if open_col is not None:
            is_open = df[open_col].str.strip().str.lower().isin(("true", "vrai", "oui", "1", "yes"))
            if (~is_open).any():
                logger.info("%s: %d closed injection sites left out", path, int((~is_open).sum()))
            df = df.loc[is_open.to_numpy()]
        unit = 1000.0 if "gwh" in cap else 1.0
        values = parse_number(df[cap], path=path, field=cap) * unit
        return _finish_production(df[ccol], pd.Series("biomethane", index=df.index), values, path)
    if enedis:
        ccol = _find(df, ("code_commune", "code_insee", "commune_insee"), path, "commune code")
        df, _ = _latest_year(df, _find(df, _YEAR_KEYS, path, "year", required=False), year, path)
        parts = []
        for c in enedis:
            key = next((k for k in _ENEDIS_SOURCES if k in c), None)
            if key is None:
                logger.warning("%s: production column %s of unknown source ignored", path, c)
                continue
            v = parse_number(df[c], path=path, field=c)
            parts.append(_finish_production(df[ccol], pd.Series(_ENEDIS_SOURCES[key], index=df.index), v, path))
        out = pd.concat(parts, ignore_index=True)
        return out.groupby(["commune_insee", "source", "carrier", "heating_value"], as_index=False, sort=True)[
            "production_mwh_yr"].sum()[["commune_insee", "source", "carrier", "production_mwh_yr", "heating_value"]]
    ccol = _find(df, _COMMUNE_KEYS, path, "commune code")
    scol = _find(df, ("source", "filiere", "energie"), path, "source")
    vcol = _find(df, ("production_mwh_yr", "production_mwh", "production", "energie_mwh"), path,
                 "production in MWh")
    sources = _map_values(df[scol], _SOURCE_VALUES, "source", path, default=None)
    return _finish_production(df[ccol], sources, parse_number(df[vcol], path=path, field=vcol), path)

"""Synthetic consumption table (ORE layout) and weather year (pvlib clear sky + clouds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
from scipy.special import ndtr

from geopotential.demo import _design as D

#: Column layout of the Agence ORE open dataset "Consommation annuelle d'électricité et gaz
#: par commune et par code NAF" (conso-elec-gaz-annuelle-par-naf-agregee-commune), ';'-separated.
ORE_COLUMNS = (
    "operateur",
    "annee",
    "filiere",
    "code_categorie_consommation",
    "libelle_categorie_consommation",
    "code_grand_secteur",
    "libelle_grand_secteur",
    "code_naf",
    "libelle_secteur_naf2",
    "conso",
    "pdl",
    "indqual",
    "nombre_mailles_secretisees",
    "code_commune",
    "libelle_commune",
    "code_departement",
    "libelle_departement",
    "code_region",
    "libelle_region",
)
_SECTOR_LABEL = {"RESIDENTIEL": "Résidentiel", "TERTIAIRE": "Tertiaire", "INDUSTRIE": "Industrie",
                 "AGRICULTURE": "Agriculture"}
_OPERATOR = {"Electricité": "Enedis", "Gaz": "GRDF"}


def consumption_table(communes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per commune x filière x grand secteur, consumption ``conso`` in MWh."""
    rows = []
    for code, name, pop in communes[["code", "nom", "population"]].itertuples(index=False):
        for (filiere, sector), per_inh in D.CONSUMPTION_MWH_PER_INHABITANT.items():
            mwh = pop * per_inh * (0.85 + 0.3 * rng.random())
            if code == "80489" and sector == "INDUSTRIE":  # the industrial estate sits in Longueau
                mwh *= 3.0
            pdl = max(1, int(round(pop / 2.2))) if sector == "RESIDENTIEL" else int(rng.integers(1, 60))
            cat = ("RES", "Résidentiel") if sector == "RESIDENTIEL" else ("ENT", "Entreprise")
            rows.append(
                (_OPERATOR[filiere], D.WEATHER_YEAR, filiere, cat[0], cat[1], sector, _SECTOR_LABEL[sector], "", "",
                 round(mwh, 3), pdl, round(0.8 + 0.2 * rng.random(), 3), 0, code, name, "80", "Somme", "32",
                 "Hauts-de-France")
            )
    return pd.DataFrame(rows, columns=list(ORE_COLUMNS))


def existing_production_table(consumption: pd.DataFrame) -> pd.DataFrame:
    """Today's local renewable production per commune (canonical long table), synthetic.

    Sized so that the territory produces about :data:`D.EXISTING_PRODUCTION_SHARE` of what it
    consumes (Amiens Métropole's order of magnitude), split between rooftop PV in every commune
    and a heat network in the main commune.
    """
    total = consumption.groupby("code_commune", sort=True)["conso"].sum()
    rows = []
    for code, mwh in total.items():
        share = D.EXISTING_PRODUCTION_SHARE * float(mwh)
        if code == D.HEAT_NETWORK_COMMUNE:
            rows.append((code, "heat", round(share * D.HEAT_NETWORK_SHARE, 3)))
            rows.append((code, "pv", round(share * (1 - D.HEAT_NETWORK_SHARE), 3)))
        else:
            rows.append((code, "pv", round(share, 3)))
    return pd.DataFrame(rows, columns=["commune_insee", "source", "production_mwh_yr"])


def weather_year(rng: np.random.Generator) -> pd.DataFrame:
    """Hourly weather of one year at Amiens: clear sky times a seeded cloud process.

    Clear-sky GHI is pvlib's Ineichen model with the Linke-turbidity climatology; a daily
    AR(1) cloudiness plus an hourly AR(1) perturbation give a cloud fraction, turned into a
    clear-sky index by Kasten-Czeplak (1 - 0.75 c^3.4); its offset is tuned by bisection so
    that the annual GHI equals the design target. DNI and DHI come from the Erbs
    decomposition. The time label is the start of the hour; values are computed at mid-hour.
    """
    site = D.WEATHER_SITE
    index = pd.date_range(f"{D.WEATHER_YEAR}-01-01", periods=8760, freq="h", tz="UTC")
    mid = index + pd.Timedelta(minutes=30)
    loc = pvlib.location.Location(site["latitude"], site["longitude"], altitude=site["altitude"], tz="UTC")
    solpos = loc.get_solarposition(mid)
    cs = loc.get_clearsky(mid, model="ineichen", solar_position=solpos)
    ghi_cs = cs["ghi"].to_numpy()

    daily = _ar1(rng.standard_normal(365), 0.6)  # day-to-day persistence of cloudiness
    hourly = _ar1(rng.standard_normal(8760), 0.85)  # hour-to-hour perturbation
    doy = index.day_of_year.to_numpy() - 1
    season = 0.35 * np.cos(2 * np.pi * (doy - 15) / 365.0)  # cloudier in winter
    z = daily[doy] + 0.6 * hourly + season

    def ghi_for(offset: float) -> np.ndarray:
        c = ndtr(z + offset)
        kc = 1.0 - 0.75 * c**3.4
        return ghi_cs * kc

    lo, hi = -4.0, 4.0  # annual GHI decreases with the offset
    target = D.GHI_TARGET_KWH_M2 * 1000.0
    for _ in range(60):
        mid_off = 0.5 * (lo + hi)
        if ghi_for(mid_off).sum() > target:
            lo = mid_off
        else:
            hi = mid_off
    ghi = ghi_for(0.5 * (lo + hi))
    cloud = ndtr(z + 0.5 * (lo + hi))
    dec = pvlib.irradiance.erbs(ghi, solpos["zenith"].to_numpy(), mid)
    dni = np.nan_to_num(np.asarray(dec["dni"], float))
    dhi = np.nan_to_num(np.asarray(dec["dhi"], float))
    hour = index.hour.to_numpy()
    temp = (10.8 + 7.0 * np.cos(2 * np.pi * (doy - 200) / 365.0)
            + 3.5 * np.cos(2 * np.pi * (hour - 15) / 24.0) * (1.0 - 0.6 * cloud) + 1.8 * _ar1(rng.standard_normal(8760), 0.95))
    wind = np.clip(4.2 + 1.2 * np.cos(2 * np.pi * doy / 365.0) + 1.5 * _ar1(rng.standard_normal(8760), 0.9), 0.0, None)
    return pd.DataFrame(
        {
            "time": index.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "ghi": np.round(ghi, 1),
            "dni": np.round(dni, 1),
            "dhi": np.round(dhi, 1),
            "temp_air": np.round(temp, 1),
            "wind_speed": np.round(wind, 1),
        }
    )


def _ar1(noise: np.ndarray, phi: float) -> np.ndarray:
    """Unit-variance AR(1) series driven by ``noise`` (scipy.signal.lfilter, vectorised)."""
    from scipy.signal import lfilter

    return lfilter([np.sqrt(1.0 - phi**2)], [1.0, -phi], noise)

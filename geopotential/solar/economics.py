"""Economics and carbon of rooftop PV per building, vectorised.

Capex, tariffs and self-consumption premium depend on the installed capacity band
(``SolarEconomics.size_bands``, from ``data/solar_economics.csv`` with their dates).
Cash flows use yearly degradation, a real discount rate and an optional escalation of the
retail price; French S21 feed-in tariffs are fixed for the contract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geopotential.solar.parameters import SolarEconomics


def _annuity_sums(years: float, rate: float, degradation: float, escalation: float) -> tuple[float, float, float]:
    """Discounted sums over years 1..N: (sum d f e, sum d f, sum d)."""
    t = np.arange(1, int(round(years)) + 1, dtype=float)
    d = (1.0 + rate) ** -t
    f = (1.0 - degradation) ** (t - 1)
    e = (1.0 + escalation) ** (t - 1)
    return float((d * f * e).sum()), float((d * f).sum()), float(d.sum())


def band_index(capacity_kwp: np.ndarray, econ: SolarEconomics) -> np.ndarray:
    """Index of the size band of each capacity (upper bounds inclusive) [-]."""
    maxes = np.array([np.inf if b.max_kwp is None else b.max_kwp for b in econ.size_bands])
    return np.clip(np.searchsorted(maxes, np.asarray(capacity_kwp, float), side="left"), 0, maxes.size - 1)


def pv_economics(capacity_kwp, energy_kwh_yr, econ: SolarEconomics | None = None) -> pd.DataFrame:
    """Capex, LCOE, simple payback, NPV and CO2 avoided per installation.

    Parameters
    ----------
    capacity_kwp
        Installed capacity per building [kWp].
    energy_kwh_yr
        First-year production [kWh/yr].
    econ
        Economic parameters (defaults when None).

    Returns
    -------
    pandas.DataFrame
        ``capex_eur`` [EUR] (gross, before premium), ``premium_eur`` [EUR],
        ``opex_eur_yr`` [EUR/yr], ``revenue_eur_yr`` [EUR/yr] (first year: self-consumed kWh
        valued at the retail price plus the sold kWh at the band's tariff or the market
        price), ``lcoe_eur_kwh`` [EUR/kWh] (over ``lifetime_yr``, gross capex),
        ``payback_yr`` [yr] ((capex - premium) / (revenue - opex); NaN when it never pays
        back), ``npv_eur`` [EUR] (over ``npv_period_yr``, net of premium) and
        ``co2_avoided_t_yr`` [t/yr]. Installations of 0 kWp get 0 (NaN for LCOE/payback).
    """
    econ = econ or SolarEconomics()
    cap = np.nan_to_num(np.asarray(capacity_kwp, float))
    energy = np.nan_to_num(np.asarray(energy_kwh_yr, float))
    bi = band_index(cap, econ)
    bands = econ.size_bands
    capex_kwp = np.array([b.capex_eur_kwp for b in bands])[bi]
    premium_kwp = np.array([b.premium_eur_kwp for b in bands])[bi]
    mk = econ.market_price_eur_kwh
    surplus = np.array([mk if b.surplus_tariff_eur_kwh is None else b.surplus_tariff_eur_kwh for b in bands])[bi]
    total = np.array([mk if b.total_sale_tariff_eur_kwh is None else b.total_sale_tariff_eur_kwh for b in bands])[bi]
    capex = cap * capex_kwp
    if econ.business_model == "surplus":
        premium = cap * premium_kwp
        share = econ.self_consumption_share
        retail_part = energy * share * econ.retail_price_eur_kwh
        sold_part = energy * (1.0 - share) * surplus
    else:
        premium = np.zeros_like(cap)
        retail_part = np.zeros_like(cap)
        sold_part = energy * total
    opex = capex * econ.opex_pct_capex_yr / 100.0
    r = econ.discount_rate_pct / 100.0
    deg = econ.degradation_pct_yr / 100.0
    esc = econ.price_escalation_pct_yr / 100.0
    a_npv, b_npv, c_npv = _annuity_sums(econ.npv_period_yr, r, deg, esc)
    _, b_life, c_life = _annuity_sums(econ.lifetime_yr, r, deg, esc)
    npv = -(capex - premium) + retail_part * a_npv + sold_part * b_npv - opex * c_npv
    has = (cap > 0) & (energy > 0)
    lcoe = np.full(cap.shape, np.nan)
    lcoe[has] = (capex[has] + opex[has] * c_life) / (energy[has] * b_life)
    net_rev = retail_part + sold_part - opex
    payback = np.full(cap.shape, np.nan)
    pays = has & (net_rev > 0)
    payback[pays] = (capex[pays] - premium[pays]) / net_rev[pays]
    return pd.DataFrame(
        {
            "capex_eur": capex,
            "premium_eur": premium,
            "opex_eur_yr": opex,
            "revenue_eur_yr": retail_part + sold_part,
            "lcoe_eur_kwh": lcoe,
            "payback_yr": payback,
            "npv_eur": np.where(has, npv, 0.0),
            "co2_avoided_t_yr": energy * econ.grid_co2_kg_kwh / 1000.0,
        }
    )

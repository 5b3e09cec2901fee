"""Parameters of the rooftop PV stage, with defaults read from sourced tables.

Physical and usable-roof parameters come from ``data/solar_parameters.csv``; economic and
carbon parameters from ``data/solar_economics.csv``. Every field's description carries its
unit, plausible range and source (see :func:`geopotential.params.field_from`).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from geopotential.params import describe, field_from, load_parameters

_P = load_parameters("solar_parameters")
_E = load_parameters("solar_economics")


def _band_values(kind: str) -> list[float]:
    keys = sorted(
        (k for k in _E if k.startswith("band") and k.endswith(kind)),
        key=lambda k: int(k[4 : k.index("_")]),
    )
    return [_E[k].value for k in keys]


class SizeBand(BaseModel):
    """Economic values of one installed-capacity band (upper bound inclusive)."""

    model_config = ConfigDict(extra="forbid")

    max_kwp: float | None = Field(..., description="[kWp] upper bound of the band (None: open, last band).", gt=0)
    capex_eur_kwp: float = Field(..., description="[EUR/kWp] installed cost.", ge=0)
    surplus_tariff_eur_kwh: float | None = Field(
        None, description="[EUR/kWh] feed-in tariff of the surplus (None: not eligible, market price).", ge=0
    )
    total_sale_tariff_eur_kwh: float | None = Field(
        None, description="[EUR/kWh] feed-in tariff when all is sold (None: not eligible, market price).", ge=0
    )
    premium_eur_kwp: float = Field(0.0, description="[EUR/kWp] self-consumption premium.", ge=0)


def _default_bands() -> list[SizeBand]:
    maxes = _band_values("_max_kwp")
    capex = _band_values("_capex_eur_kwp")
    surplus = _band_values("_surplus_tariff_eur_kwh")
    total = _band_values("_total_sale_tariff_eur_kwh")
    premium = _band_values("_premium_eur_kwp")
    maxes = maxes + [None] * (len(capex) - len(maxes))
    def _opt(x: float) -> float | None:
        return None if math.isnan(x) else x

    surplus = [_opt(x) for x in surplus]
    total = [_opt(x) for x in total]
    return [
        SizeBand(
            max_kwp=m, capex_eur_kwp=c, surplus_tariff_eur_kwh=s, total_sale_tariff_eur_kwh=t, premium_eur_kwp=p
        )
        for m, c, s, t, p in zip(maxes, capex, surplus, total, premium)
    ]


class SolarEconomics(BaseModel):
    """Economic and carbon parameters (``data/solar_economics.csv``, tariffs dated there)."""

    model_config = ConfigDict(extra="forbid")

    business_model: Literal["surplus", "total_sale"] = Field(
        "surplus",
        description="'surplus': self-consumption with sale of the surplus (French default since 2025 "
        "for <= 9 kWp); 'total_sale': all production sold at the total-sale tariff.",
    )
    size_bands: list[SizeBand] = Field(
        default_factory=_default_bands,
        description="Capex, tariffs and premium by installed capacity band, ascending max_kwp.",
    )
    self_consumption_share: float = field_from(_E, "self_consumption_share", ge=0, le=1)
    retail_price_eur_kwh: float = field_from(_E, "retail_price_eur_kwh", ge=0)
    market_price_eur_kwh: float = field_from(_E, "market_price_eur_kwh", ge=0)
    opex_pct_capex_yr: float = field_from(_E, "opex_pct_capex_yr", ge=0, le=20)
    degradation_pct_yr: float = field_from(_E, "degradation_pct_yr", ge=0, le=5)
    discount_rate_pct: float = field_from(_E, "discount_rate_pct", ge=0, le=30)
    price_escalation_pct_yr: float = field_from(_E, "price_escalation_pct_yr", ge=-5, le=10)
    lifetime_yr: float = field_from(_E, "lifetime_yr", ge=1, le=60)
    npv_period_yr: float = field_from(_E, "npv_period_yr", ge=1, le=60)
    grid_co2_kg_kwh: float = field_from(_E, "grid_co2_kg_kwh", ge=0)

    @field_validator("size_bands")
    @classmethod
    def _ascending(cls, v: list[SizeBand]) -> list[SizeBand]:
        if not v:
            raise ValueError("at least one size band is needed")
        m = [math.inf if b.max_kwp is None else b.max_kwp for b in v]
        if any(b <= a for a, b in zip(m, m[1:])):
            raise ValueError("size bands must have strictly ascending max_kwp")
        return v


class SolarParameters(BaseModel):
    """Parameters of the rooftop PV potential (physics, roof model, usable-area rules, economics)."""

    model_config = ConfigDict(extra="forbid")

    # --- PV system -------------------------------------------------------------------
    module_power_density_kwp_m2: float = field_from(_P, "module_power_density_kwp_m2", gt=0, le=0.5)
    system_losses_pct: float = field_from(_P, "system_losses_pct", ge=0, lt=100)
    losses_include_inverter: bool = Field(
        bool(_P["losses_include_inverter"].value),
        description="PVGIS convention (True): system_losses_pct already covers the inverter. False: "
        "PVWatts convention, the pvlib PVWatts inverter with inverter_efficiency is applied as well. "
        + describe(_P["losses_include_inverter"]),
    )
    inverter_efficiency: float = field_from(_P, "inverter_efficiency", gt=0, le=1)
    temperature_coefficient_pct_k: float = field_from(_P, "temperature_coefficient_pct_k", ge=-2, le=0)
    albedo: float = field_from(_P, "albedo", ge=0, le=1)
    transposition_model: Literal["perez", "haydavies", "isotropic"] = Field(
        "perez", description="Sky-diffuse transposition model of pvlib.irradiance.get_total_irradiance."
    )
    faiman_u0_w_m2k: float = field_from(_P, "faiman_u0_w_m2k", gt=0)
    faiman_u1_w_m3sk: float = field_from(_P, "faiman_u1_w_m3sk", ge=0)
    iam_n: float = field_from(_P, "iam_n", gt=1)
    iam_k_per_m: float = field_from(_P, "iam_k_per_m", ge=0)
    iam_l_m: float = field_from(_P, "iam_l_m", ge=0)
    table_tilt_step_deg: float = field_from(_P, "table_tilt_step_deg", gt=0, le=30)
    table_azimuth_step_deg: float = field_from(_P, "table_azimuth_step_deg", gt=0, le=90)
    # --- roof model without DSM -------------------------------------------------------
    flat_roof_threshold_deg: float = field_from(_P, "flat_roof_threshold_deg", ge=0, le=30)
    flat_racking_layout: Literal["south", "east_west"] = Field(
        "south", description="Racking of flat roofs: rows facing flat_racking_azimuth_deg, or east-west racks."
    )
    flat_racking_tilt_deg: float = field_from(_P, "flat_racking_tilt_deg", ge=0, le=60)
    flat_racking_azimuth_deg: float = field_from(_P, "flat_racking_azimuth_deg", ge=0, lt=360)
    flat_ground_coverage_ratio: float = field_from(_P, "flat_ground_coverage_ratio", gt=0, le=1)
    flat_ew_ground_coverage_ratio: float = field_from(_P, "flat_ew_ground_coverage_ratio", gt=0, le=1)
    flat_ew_tilt_deg: float = field_from(_P, "flat_ew_tilt_deg", ge=0, le=45)
    default_pitch_deg: float = field_from(_P, "default_pitch_deg", gt=0, lt=90)
    shed_pitch_deg: float = field_from(_P, "shed_pitch_deg", gt=0, lt=90)
    flat_roof_min_footprint_m2: float = field_from(_P, "flat_roof_min_footprint_m2", ge=0)
    flat_roof_usages: list[str] = Field(
        ["Commercial et services", "Industriel"],
        description="BD TOPO usage values (usage_1, case-insensitive) whose buildings of unknown roof shape are "
        "taken as flat-roofed. Assumption: French commercial and industrial buildings mostly have flat or "
        "very low-pitched roofs (steel deck); calibrate with LiDAR HD.",
    )
    ridge_across_party_walls: bool = Field(
        bool(_P["ridge_across_party_walls"].value),
        description="Pitched roofs sharing walls with neighbours (terraces) get their ridge perpendicular "
        "to those walls instead of along the footprint's main axis. " + describe(_P["ridge_across_party_walls"]),
    )
    party_wall_tolerance_m: float = field_from(_P, "party_wall_tolerance_m", ge=0, le=5)
    min_party_wall_m: float = field_from(_P, "min_party_wall_m", ge=0)
    # --- usable-area rules ----------------------------------------------------------------
    max_tilt_deg: float = field_from(_P, "max_tilt_deg", gt=0, le=90)
    north_exclusion_half_width_deg: float = field_from(_P, "north_exclusion_half_width_deg", ge=0, le=180)
    edge_setback_m: float = field_from(_P, "edge_setback_m", ge=0)
    coverage_ratio: float = field_from(_P, "coverage_ratio", gt=0, le=1)
    min_face_area_m2: float = field_from(_P, "min_face_area_m2", ge=0)
    min_irradiation_kwh_m2_yr: float = field_from(_P, "min_irradiation_kwh_m2_yr", ge=0)
    min_shading_factor: float = field_from(_P, "min_shading_factor", ge=0, le=1)
    # --- classes ------------------------------------------------------------------------
    class_excellent_ratio: float = field_from(_P, "class_excellent_ratio", gt=0)
    class_very_good_ratio: float = field_from(_P, "class_very_good_ratio", gt=0)
    class_good_ratio: float = field_from(_P, "class_good_ratio", gt=0)
    # --- offline default weather ------------------------------------------------------------
    clearsky_temp_air_c: float = field_from(_P, "clearsky_temp_air_c", ge=-50, le=60)
    clearsky_wind_speed_m_s: float = field_from(_P, "clearsky_wind_speed_m_s", ge=0)
    # --- economics ----------------------------------------------------------------------
    economics: SolarEconomics = Field(default_factory=SolarEconomics, description="Economics and carbon.")

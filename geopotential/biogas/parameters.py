"""Parameters of the methanisation (biogas) stage.

Every default comes from ``data/biogas_parameters.csv`` (unit and source in each field's
description); the coefficient tables (substrates, crops, manure) are named by path and
default to the shipped ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from geopotential.params import field_from, load_parameters

_P = load_parameters("biogas_parameters")

#: Resource families that carry a mobilisation rate per scenario.
FAMILIES = ("manure", "crop_residue", "cive", "energy_crop", "grass", "biowaste", "agrifood", "sludge")


def _default_scenarios() -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for key, p in _P.items():
        if key.startswith("mobilisation_"):
            _, scenario, family = key.split("_", 2)
            out.setdefault(scenario, {})[family] = p.value
    return out


class BiogasParameters(BaseModel):
    """Parameters of the biogas potential and digester siting.

    Potential levels follow ADEME/Solagro 2013: gross production -> gross available (after
    competing uses) -> net available (``net_fraction``) -> mobilisable per scenario
    (net x mobilisation rate of the resource family).
    """

    model_config = ConfigDict(extra="forbid")

    # --- potential levels ---------------------------------------------------------------
    net_fraction: float = field_from(_P, "net_fraction", ge=0, le=1)
    net_basis: Literal["available", "gross"] = Field(
        "available",
        description="Base of the net potential: 'available' gives net = net_fraction x gross available; "
        "'gross' gives net = min(net_fraction x gross, gross available) (ADEME wording 'GND = 85 % of GBP').",
    )
    scenarios: dict[str, dict[str, float]] = Field(
        default_factory=_default_scenarios,
        description="Mobilisation rate [-] per scenario name and resource family "
        f"({', '.join(FAMILIES)}). Defaults from data/biogas_parameters.csv (ADEME via cnvmch.fr).",
    )

    # --- coefficient tables and overrides ------------------------------------------------
    substrates_table: Path | None = Field(None, description="Own substrates table (default data/biogas_substrates.csv).")
    crops_table: Path | None = Field(None, description="Own CODE_CULTU table (default data/biogas_crops.csv).")
    manure_table: Path | None = Field(None, description="Own manure table (default data/biogas_manure.csv).")
    yields_t_fm_ha: dict[str, float] = Field(
        default_factory=dict, description="Main-product yield override per CODE_CULTU [t FM/ha] (e.g. Somme yields of the run's year)."
    )
    competing_use_fraction: dict[str, float] = Field(
        default_factory=dict,
        description="Competing-use fraction override per resource [-], e.g. {'cereal_straw': 0.6} for straw used as litter.",
    )
    include_resources: list[str] = Field(
        default_factory=list, description="Resources excluded by default to include (e.g. 'permanent_grassland')."
    )
    exclude_resources: list[str] = Field(default_factory=list, description="Resources to exclude from the potential.")
    housing_share: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Override of the housing split per livestock category, e.g. {'dairy_cows': {'slurry': 0.7, 'solid': 0.3}} [-].",
    )

    # --- CIVE and biowaste ---------------------------------------------------------------
    cive_enabled: bool = Field(True, description="Count a CIVE on parcels declaring a catch crop (CULTURE_D1/D2).")
    cive_yield_t_dm_ha: float = field_from(_P, "cive_yield_t_dm_ha", ge=0)
    cive_yield_t_dm_ha_low: float = Field(_P["cive_yield_t_dm_ha"].low, ge=0, description="Low CIVE yield [t DM/ha].")
    cive_yield_t_dm_ha_high: float = Field(_P["cive_yield_t_dm_ha"].high, ge=0, description="High CIVE yield [t DM/ha].")
    biowaste_kg_inhabitant_yr: float = field_from(_P, "biowaste_kg_inhabitant_yr", ge=0)
    biowaste_competing_use_fraction: float = field_from(_P, "biowaste_competing_use_fraction", ge=0, le=1)

    # --- energy conversions --------------------------------------------------------------
    pcs_kwh_nm3_ch4: float = field_from(_P, "pcs_kwh_nm3_ch4", gt=0)
    pci_kwh_nm3_ch4: float = field_from(_P, "pci_kwh_nm3_ch4", gt=0)
    practical_factor: float = field_from(_P, "practical_factor", gt=0, le=1)

    # --- plants and siting ---------------------------------------------------------------
    plant_hours_yr: float = field_from(_P, "plant_hours_yr", gt=0, le=8784)
    injection_utilisation: float = field_from(_P, "injection_utilisation", gt=0, le=1)
    chp_electrical_efficiency: float = field_from(_P, "chp_electrical_efficiency", gt=0, le=1)
    chp_own_consumption: float = field_from(_P, "chp_own_consumption", ge=0, lt=1)
    chp_full_load_hours: float = field_from(_P, "chp_full_load_hours", gt=0, le=8784)
    siting_radius_km: float = field_from(_P, "siting_radius_km", gt=0)
    plant_min_nm3_h: float = field_from(_P, "plant_min_nm3_h", ge=0)
    plant_max_nm3_h: float = field_from(_P, "plant_max_nm3_h", gt=0)
    siting_grid_m: float = field_from(_P, "siting_grid_m", gt=0)
    siting_level: str = Field(
        "net", description="Potential level fed to siting: 'gross', 'available', 'net' or 'mobilisable_<scenario>'."
    )
    distance: Literal["euclidean", "road"] = Field(
        "euclidean",
        description="Distance used for catchments: 'euclidean' (straight line) or 'road' (shortest road length plus "
        "straight access legs to the nearest road node; needs a road network, config inputs.roads).",
    )
    road_snap_tolerance_m: float = field_from(_P, "road_snap_tolerance_m", gt=0)
    road_max_segment_m: float = field_from(_P, "road_max_segment_m", gt=0)

    @field_validator("scenarios")
    @classmethod
    def _check_scenarios(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for name, rates in v.items():
            if not name.replace("_", "").isalnum():
                raise ValueError(f"scenario name {name!r} must be alphanumeric (it is used in column names)")
            unknown = set(rates) - set(FAMILIES)
            if unknown:
                raise ValueError(f"scenario {name!r}: unknown resource families {sorted(unknown)}; known: {FAMILIES}")
            for fam, r in rates.items():
                if not 0 <= r <= 1:
                    raise ValueError(f"scenario {name!r}: rate of {fam} must be within [0, 1], got {r}")
        return v

    @model_validator(mode="after")
    def _check_band(self) -> BiogasParameters:
        if self.plant_min_nm3_h > self.plant_max_nm3_h:
            raise ValueError("plant_min_nm3_h must not exceed plant_max_nm3_h")
        if not self.cive_yield_t_dm_ha_low <= self.cive_yield_t_dm_ha <= self.cive_yield_t_dm_ha_high:
            raise ValueError("CIVE yields must satisfy low <= central <= high")
        return self

    def levels(self) -> list[str]:
        """Names of the potential levels, in decreasing order."""
        return ["gross", "available", "net"] + [f"mobilisable_{s}" for s in self.scenarios]

    def mobilisation_rate(self, scenario: str, family: str) -> float:
        """Mobilisation rate [-] of ``family`` in ``scenario`` (0 when not set)."""
        return float(self.scenarios[scenario].get(family, 0.0))

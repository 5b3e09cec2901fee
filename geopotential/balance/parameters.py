"""Parameters of the territory energy balance and of the 2050 autonomy scenarios.

Defaults come from ``data/balance_parameters.csv`` (unit and source of every value).
Scenarios are named sets of parameters, not code branches: declare as many as needed in
:attr:`BalanceParameters.scenarios` and compare them with
:func:`geopotential.balance.scenario.compare_scenarios`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from geopotential.params import field_from, load_parameters

_P = load_parameters("balance_parameters")

#: Heating value in which every gas quantity of a balance is expressed (named in columns).
HeatingValue = Literal["pcs", "pci"]

#: Years of the mobilisation calendar.
CALENDAR_YEARS = (2030, 2050)

#: Sources whose mapped potential is mobilised by a scenario.
SCENARIO_SOURCES = ("pv", "biomethane")

#: Consumption carriers of the balance.
CARRIERS = ("electricity", "gas", "heat", "other")

#: Current production sources and the carrier each delivers.
SOURCE_CARRIER = {
    "pv": "electricity",
    "wind": "electricity",
    "hydro": "electricity",
    "bioenergy": "electricity",
    "cogeneration": "electricity",
    "other_electricity": "electricity",
    "biomethane": "gas",
    "heat": "heat",
}


class ScenarioParameters(BaseModel):
    """One named 2050 autonomy scenario.

    The scenario cuts the consumption of every carrier by ``consumption_cut_pct``, sets a
    production target, and mobilises the mapped potentials (rooftop PV, biomethane)
    according to a 2030/2050 calendar.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        "amiens_metropole_2050",
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=40,
        description="Identifier of the scenario, used in column names "
        "(scenario_<name>_...): lowercase letters, digits and underscores.",
    )
    label: str = Field("", description="Display label for reports (free text; defaults to the name).")
    consumption_cut_pct: float = field_from(_P, "consumption_cut_pct", ge=0, le=100)
    production_multiplier: float = field_from(_P, "production_multiplier", ge=0)
    target_rule: Literal["production_multiplier", "autonomy"] = Field(
        "production_multiplier",
        description="How the 2050 production target is set: 'production_multiplier' = "
        "production_multiplier x production today (the Amiens Metropole objective); "
        "'autonomy' = the 2050 consumption (annual production equals annual consumption).",
    )
    target_allocation: Literal["consumption_share", "production_today"] = Field(
        "consumption_share",
        description="With target_rule 'production_multiplier', how the territory target is shared "
        "among communes: in proportion to their consumption today (every commune aims at the "
        "same autonomy ratio) or to their own production today. Sums are conserved either way.",
    )
    biomethane_basis: Literal["mobilisable", "net"] = Field(
        "mobilisable",
        description="Biomethane potential the calendar applies to: 'mobilisable' = "
        "energy_mobilisable_<year> (ADEME mobilisation rates already applied), 'net' = energy_net.",
    )
    pv_mobilisation_2030_pct: float = field_from(_P, "pv_mobilisation_2030_pct", ge=0, le=100)
    pv_mobilisation_2050_pct: float = field_from(_P, "pv_mobilisation_2050_pct", ge=0, le=100)
    biomethane_mobilisation_2030_pct: float = field_from(_P, "biomethane_mobilisation_2030_pct", ge=0, le=100)
    biomethane_mobilisation_2050_pct: float = field_from(_P, "biomethane_mobilisation_2050_pct", ge=0, le=100)

    def mobilisation_fraction(self, source: str, year: int) -> float:
        """Share of the mapped potential of ``source`` built by ``year`` [-] (0-1)."""
        if source not in SCENARIO_SOURCES or year not in CALENDAR_YEARS:
            raise KeyError(f"no mobilisation rate for source {source!r} and year {year!r}")
        return getattr(self, f"{source}_mobilisation_{year}_pct") / 100.0

    @property
    def display_label(self) -> str:
        """Label for reports: ``label`` or the name."""
        return self.label or self.name


class BalanceParameters(BaseModel):
    """Parameters of the commune and territory energy balance."""

    model_config = ConfigDict(extra="forbid")

    heating_value: HeatingValue = Field(
        "pcs",
        description="Heating value of all gas quantities (consumption, biomethane) and of the totals "
        "that include gas; named in the column names (_mwh_pcs_yr / _mwh_pci_yr). PCS is the unit "
        "of the ORE/SDES gas data and of the injection registers.",
    )
    gas_pci_per_pcs: float = field_from(_P, "gas_pci_per_pcs", gt=0, le=1)
    potential_biomethane_level: Literal["net", "mobilisable_2030", "mobilisable_2050"] = Field(
        "net",
        description="Biomethane potential counted in the 'at the potential' autonomy ratios "
        "(energy_net = ADEME GND, or the mobilisable potential of a horizon).",
    )
    existing_vs_potential: Literal["add", "max"] = Field(
        "add",
        description="How today's production combines with the mapped potential of the same source "
        "(PV, biomethane) at the potential: 'add' counts the potential as additional (can double "
        "count roofs or feedstock already in use); 'max' keeps the larger of the two.",
    )
    consumption_per_inhabitant_table: Path | None = Field(
        None,
        description="A user table replacing data/consumption_per_inhabitant.csv "
        "(columns carrier, consumption_mwh_per_inhabitant_yr, heating_value, source).",
    )
    scenarios: list[ScenarioParameters] = Field(
        default_factory=lambda: [ScenarioParameters()],
        description="Named 2050 scenarios computed and compared side by side.",
    )

    @field_validator("scenarios")
    @classmethod
    def _unique_names(cls, v: list[ScenarioParameters]) -> list[ScenarioParameters]:
        names = [s.name for s in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"scenario names must be unique; repeated: {dupes}")
        return v

    def scenario(self, name: str) -> ScenarioParameters:
        """The scenario called ``name``."""
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(f"no scenario named {name!r}; declared: {[s.name for s in self.scenarios]}")


def energy_unit(heating_value: str) -> str:
    """Unit suffix of an energy column that includes gas, e.g. ``mwh_pcs_yr``."""
    if heating_value not in ("pcs", "pci"):
        raise ValueError(f"heating_value must be 'pcs' or 'pci', not {heating_value!r}")
    return f"mwh_{heating_value}_yr"

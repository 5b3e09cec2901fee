"""Methanisation (biogas / biomethane) potential and digester siting.

Public API::

    from geopotential.biogas import (BiogasParameters, parcel_potential, livestock_potential,
        biowaste_potential, point_source_potential, commune_biogas_summary, territory_totals,
        supply_points, site_digesters)

    params = BiogasParameters()                      # defaults from data/biogas_parameters.csv
    layers = biogas_layers(parcels, livestock, communes, point_sources, existing_plants, params)  # everything
    parcels_biogas = parcel_potential(parcels, params)
    summary = commune_biogas_summary(parcels_biogas, livestock_potential(heads, params), params=params)
    sites, catchments, assignment = site_digesters(supply_points(parcels_biogas, params=params), existing, params)
"""

from .coefficients import (
    ch4_per_tonne_fm,
    chp_capacity_kwe,
    injection_capacity_nm3_h,
    mix_ch4_nm3_yr,
    plant_flow_nm3_h,
)
from .parameters import FAMILIES, BiogasParameters
from .potential import (
    biowaste_potential,
    commune_biogas_summary,
    level_columns,
    livestock_potential,
    parcel_potential,
    point_source_potential,
    territory_totals,
)
from .resources import map_codes, unmapped_codes
from .siting import site_digesters, supply_points
from .workflow import biogas_layers

__all__ = [
    "FAMILIES",
    "BiogasParameters",
    "biogas_layers",
    "biowaste_potential",
    "ch4_per_tonne_fm",
    "chp_capacity_kwe",
    "commune_biogas_summary",
    "injection_capacity_nm3_h",
    "level_columns",
    "livestock_potential",
    "map_codes",
    "mix_ch4_nm3_yr",
    "parcel_potential",
    "plant_flow_nm3_h",
    "point_source_potential",
    "site_digesters",
    "supply_points",
    "territory_totals",
    "unmapped_codes",
]

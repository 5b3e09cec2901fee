"""The biogas stage: potentials per parcel, livestock, biowaste and point source, then siting.

Parcel potentials are vectorised over the whole territory (a region's million parcels take
seconds), so the stage runs as one unit; siting needs every supply point at once.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from geopotential.pipeline.context import RunContext

logger = logging.getLogger(__name__)


def _crop_labels(parcels_biogas: pd.DataFrame) -> pd.Series:
    """Human label of each crop code from the shipped crop table (for the map and report)."""
    from geopotential.params import load_table

    tab = load_table("biogas_crops")
    label_col = next((c for c in ("label_fr", "label", "crop_label", "libelle") if c in tab.columns), None)
    if label_col is None or "code_cultu" not in tab.columns:
        return pd.Series("", index=parcels_biogas.index)
    labels = dict(zip(tab["code_cultu"].astype(str), tab[label_col].astype(str)))
    return parcels_biogas["code_cultu"].astype(str).map(labels).fillna("")


def run_biogas(ctx: RunContext, data) -> dict[str, pd.DataFrame]:
    """Compute the biogas layers of the run."""
    from geopotential import biogas

    params = ctx.config.biogas
    layers: dict[str, pd.DataFrame] = {}
    supply_layers = []
    parcels_biogas = livestock_biogas = biowaste_biogas = point_biogas = None

    if data.rpg is not None and len(data.rpg):
        parcels_biogas = biogas.parcel_potential(data.rpg, params)
        if "crop_label" not in parcels_biogas.columns:
            parcels_biogas["crop_label"] = _crop_labels(parcels_biogas)
        layers["parcels_biogas"] = parcels_biogas
        supply_layers.append(parcels_biogas)
        n_ex = int((parcels_biogas["exclusion_reason"].fillna("") != "").sum())
        logger.info("biogas: %d parcels, %d excluded with a reason", len(parcels_biogas), n_ex)

    communes = data.communes
    if data.livestock is not None and len(data.livestock):
        livestock_biogas = biogas.livestock_potential(data.livestock, params)
        if communes is not None:
            livestock_biogas = _with_commune_geometry(livestock_biogas, communes)
        layers["livestock_biogas"] = livestock_biogas
        supply_layers.append(livestock_biogas)
    if communes is not None and "population" in communes.columns:
        biowaste_biogas = biogas.biowaste_potential(communes[communes["population"].notna()], params)
        layers["biowaste_biogas"] = biowaste_biogas
        supply_layers.append(biowaste_biogas)
    if data.point_sources is not None and len(data.point_sources):
        point_biogas = biogas.point_source_potential(data.point_sources, params)
        layers["point_sources_biogas"] = point_biogas
        supply_layers.append(point_biogas)

    summary = biogas.commune_biogas_summary(parcels_biogas, livestock_biogas, biowaste_biogas, point_biogas, params=params)
    layers["_biogas_commune_summary"] = summary

    geo_supply = [s for s in supply_layers if isinstance(s, gpd.GeoDataFrame) and len(s)]
    if geo_supply:
        supply = biogas.supply_points(*geo_supply, params=params)
        existing = data.existing_plants
        sites, catchments, _assignment = biogas.site_digesters(
            supply, existing, params, show_progress=ctx.config.execution.show_progress
        )
        layers["digester_sites"] = sites
        layers["catchments"] = catchments
    if data.existing_plants is not None and len(data.existing_plants):
        layers["existing_plants"] = data.existing_plants
    return layers


def _with_commune_geometry(df: pd.DataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geom = communes.set_index("commune_insee").geometry
    g = df["commune_insee"].astype(str).map(geom)
    return gpd.GeoDataFrame(df.copy(), geometry=g.to_numpy(), crs=communes.crs)

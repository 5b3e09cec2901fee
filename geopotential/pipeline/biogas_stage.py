"""The biogas stage: potentials per parcel, livestock, biowaste and point source, then siting.

Parcel potentials are vectorised over the whole territory (a region's million parcels take
seconds), so the stage runs as one unit; siting needs every supply point at once.
"""

from __future__ import annotations

import logging

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
    """Compute the biogas layers of the run (a thin shell over :func:`geopotential.biogas.biogas_layers`)."""
    from geopotential.biogas import biogas_layers

    out = biogas_layers(
        data.rpg, data.livestock, data.communes, data.point_sources, data.existing_plants,
        params=ctx.config.biogas, roads=data.roads, show_progress=ctx.config.execution.show_progress,
    )
    layers: dict[str, pd.DataFrame] = {}
    pb = out["parcels_biogas"]
    if pb is not None:
        if "crop_label" not in pb.columns:
            pb["crop_label"] = _crop_labels(pb)
        n_ex = int((pb["exclusion_reason"].fillna("") != "").sum())
        logger.info("biogas: %d parcels, %d excluded with a reason", len(pb), n_ex)
    for name in ("parcels_biogas", "livestock_biogas", "biowaste_biogas", "point_sources_biogas",
                 "digester_sites", "catchments"):
        if out.get(name) is not None:
            layers[name] = out[name]
    layers["_biogas_commune_summary"] = out["communes_biogas"]
    if data.existing_plants is not None and len(data.existing_plants):
        layers["existing_plants"] = data.existing_plants
    return layers

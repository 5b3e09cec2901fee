"""The pipeline: inputs -> solar units -> biogas -> aggregation and balance -> deliverables.

Results are written to a staging folder and moved onto ``outputs/<run_name>`` only when
everything is written, so a failed or interrupted run leaves the previous results intact;
finished work units stay in ``outputs/.work/<run_name>/`` and a rerun resumes from them.
"""

from __future__ import annotations

import logging
import shutil
import time

import pandas as pd

from geopotential.config import Config, config_to_dict
from geopotential.exceptions import ComputationError, GeopotentialError
from geopotential.io.writers import replace_dir, write_json_atomic
from geopotential.pipeline.context import RunContext, run_logging
from geopotential.pipeline.result import RunResult

logger = logging.getLogger(__name__)


def run_pipeline(config: Config, client=None) -> RunResult:
    """Run every enabled stage on the territory of ``config``.

    Parameters
    ----------
    config
        A validated :class:`~geopotential.config.Config`.
    client
        An existing ``distributed.Client`` for the work units (dask executor).

    Returns
    -------
    RunResult
        The layers and the folder of the results.
    """
    from geopotential.pipeline.biogas_stage import run_biogas
    from geopotential.pipeline.inputs import read_inputs
    from geopotential.pipeline.outputs import run_meta, write_outputs
    from geopotential.pipeline.solar_stage import run_solar
    from geopotential.pipeline.summary_stage import cadastre_parcels_pv, communes_summary
    from geopotential.versions import versions

    ctx = RunContext.create(config)
    t0 = time.perf_counter()
    ok = False
    try:
        with run_logging(ctx):
            logger.info("geopotential run %r of %s", config.outputs.run_name, config.territory.name)
            logger.info("work folder %s", ctx.work_dir)
            with ctx.stage("inputs"):
                data = read_inputs(config)
            layers: dict[str, pd.DataFrame] = {}
            if config.stages.solar and data.buildings is not None and len(data.buildings):
                with ctx.stage("solar"):
                    layers.update(run_solar(ctx, data, client=client))
                    parcels = cadastre_parcels_pv(layers["buildings_pv"], data.cadastre)
                    if parcels is not None:
                        layers["cadastre_parcels_pv"] = parcels
            elif config.stages.solar:
                logger.warning("solar stage skipped: no buildings (inputs.buildings)")
            if config.stages.biogas:
                with ctx.stage("biogas"):
                    layers.update(run_biogas(ctx, data))
            with ctx.stage("aggregate"):
                summary, territory = communes_summary(ctx, data, layers)
                layers["communes_summary"] = summary
            if data.commune_mismatches is not None and len(data.commune_mismatches):
                layers["commune_mismatches"] = data.commune_mismatches
            files = write_outputs(ctx, layers, territory)
            meta = run_meta(ctx)
            ctx.timings_s["total"] = round(time.perf_counter() - t0, 3)
            write_json_atomic(
                ctx.staging_dir / "run.json",
                {
                    "meta": meta,
                    "config": config_to_dict(config),
                    "versions": versions(),
                    "inputs": ctx.fingerprints,
                    "timings_s": ctx.timings_s,
                    "units": [
                        {"unit": o.task.key, "status": o.status, "seconds": round(o.seconds, 3), "attempts": o.attempts}
                        for o in getattr(ctx, "unit_outcomes", [])
                    ],
                    "warnings": dict(ctx.warnings.counts),
                    "totals": territory,
                    "files": {k: v.name for k, v in files.items()},
                },
            )
        replace_dir(ctx.staging_dir, ctx.run_dir)
        ok = True
    except (GeopotentialError, KeyboardInterrupt):
        raise
    except AssertionError as exc:
        raise ComputationError(f"an invariant failed: {exc}") from exc
    finally:
        if not ok:
            shutil.rmtree(ctx.staging_dir, ignore_errors=True)
    public = {k: v for k, v in layers.items() if not k.startswith("_")}
    return RunResult(
        layers=public,
        run_dir=ctx.run_dir,
        totals=_headline_totals(territory),
        meta=meta,
        timings_s=ctx.timings_s,
        warnings=dict(ctx.warnings.counts),
    )


HEADLINE = (
    ("n_buildings", "buildings"),
    ("n_buildings_with_pv_potential", "buildings with PV potential"),
    ("pv_capacity_kwp", "PV capacity [kWp]"),
    ("pv_energy_mwh_yr", "PV energy [MWh/yr]"),
    ("biogas_energy_net_mwh_pcs_yr", "biomethane net available [MWh PCS/yr]"),
)


def _headline_totals(territory: dict) -> dict:
    out = {}
    for key, label in HEADLINE:
        if key in territory:
            v = territory[key]
            out[label] = int(v) if key.startswith("n_") else float(v)
    for k, v in territory.items():
        if k.startswith("autonomy_ratio") and isinstance(v, float):
            out[k] = v
    return out

"""``geopotential demo``: generate the synthetic demo territory and run the whole pipeline on it."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from geopotential.config import Config, config_from_dict
from geopotential.pipeline.result import RunResult

logger = logging.getLogger(__name__)

DEMO_RUN_NAME = "demo"
DEMO_INPUTS = "demo-inputs"


def demo_config(inputs_dir: Path, out_dir: Path, executor: str | None = None, show_progress: bool | None = None) -> Config:
    """The config of the demo run on the files written by :func:`geopotential.demo.generate_demo`."""
    d = Path(inputs_dir).resolve()
    data = {
        "territory": {"name": "Démo Amiens (synthétique)", "crs": "EPSG:2154", "synthetic": True},
        "inputs": {
            "communes": {"path": str(d / "communes.geojson")},
            "buildings": {"path": str(d / "buildings.gpkg"), "layer": "batiment", "source": "bdtopo"},
            "cadastre_parcels": {"path": str(d / "parcelles.geojson")},
            "rpg": {"path": str(d / "rpg.gpkg"), "layer": "parcelles_graphiques"},
            "livestock": str(d / "livestock.csv"),
            "consumption": str(d / "consumption.csv"),
            "existing_production": str(d / "existing_production.csv"),
            "weather": str(d / "weather.csv"),
            "dsm": [str(d / "dsm.tif")],
            "dem": [str(d / "dem.tif")],
            "canopy": [str(d / "canopy.tif")],
        },
        "outputs": {"dir": str(Path(out_dir).resolve()), "run_name": DEMO_RUN_NAME},
        "execution": {
            "executor": executor or "serial",
            "show_progress": sys.stderr.isatty() if show_progress is None else show_progress,
        },
    }
    return config_from_dict(data, source="demo")


def run_demo(
    out_dir: str | Path = "outputs",
    seed: int | None = None,
    n_buildings: int | None = None,
    executor: str | None = None,
    show_progress: bool | None = None,
    client=None,
) -> RunResult:
    """Generate the demo territory into ``out_dir/demo-inputs`` and run it into ``out_dir/demo``.

    Parameters
    ----------
    out_dir
        Folder receiving the demo inputs and the run.
    seed, n_buildings
        Generator settings (defaults: the fixed demo seed, 3,000 buildings).
    executor
        ``serial`` (default), ``processes`` or ``dask``.
    show_progress
        Progress bars (default: when stderr is a terminal).
    client
        An existing ``distributed.Client``.
    """
    from geopotential.demo import generate_demo
    from geopotential.pipeline.runner import run_pipeline

    out = Path(out_dir)
    kw = {}
    if seed is not None:
        kw["seed"] = seed
    if n_buildings is not None:
        kw["n_buildings"] = n_buildings
    inputs = out / DEMO_INPUTS
    generate_demo(inputs, **kw)
    cfg = demo_config(inputs, out, executor=executor, show_progress=show_progress)
    write_demo_config(cfg, inputs / "demo.yaml")
    return run_pipeline(cfg, client=client)


def write_demo_config(cfg: Config, path: Path) -> Path:
    """Save the demo's config as an example to copy (`geopotential run outputs/demo-inputs/demo.yaml`)."""
    import yaml

    from geopotential.config import config_to_dict
    from geopotential.io.writers import write_text_atomic

    data = config_to_dict(cfg)
    base = Path(path).resolve().parent

    def rel(v):  # paths relative to the config's folder, as a user would write them
        if isinstance(v, str) and v.startswith("/"):
            return os.path.relpath(v, base)
        if isinstance(v, list):
            return [rel(x) for x in v]
        if isinstance(v, dict):
            return {k: rel(x) if k in ("path", "dir") or isinstance(x, list) else x for k, x in v.items()}
        return v

    data["inputs"] = {k: rel(v) for k, v in data["inputs"].items()}
    data["outputs"]["dir"] = rel(data["outputs"]["dir"])
    header = (
        "# The config of the demo run (synthetic inputs), written by `geopotential demo`.\n"
        "# Copy it as a starting point for your own territory; every key is documented in\n"
        "# docs/config.template.yaml (`geopotential init-config` writes that template).\n"
    )
    return write_text_atomic(path, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

"""geopotential: renewable-energy potential of a territory.

Rooftop solar PV per building (with LiDAR shading) and methanization per agricultural
parcel, aggregated to cadastral parcels, communes and the territory, set against the
territory's consumption.

Quick start in Python::

    import geopotential as gp
    result = gp.run_demo("outputs")          # synthetic demo territory, full pipeline
    result.layers["buildings_pv"].head()
    result.explore("communes_summary")

    config = gp.load_config("my-territory.yaml")
    result = gp.run(config)
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_config", "run", "run_demo", "show_versions"]


def load_config(path):
    """Read and validate a run configuration (YAML or TOML); see :mod:`geopotential.config`."""
    from geopotential.config import load_config as _load

    return _load(path)


def run(config, client=None):
    """Run the pipeline on a :class:`~geopotential.config.Config` (or a config file path)."""
    from pathlib import Path

    from geopotential.pipeline.runner import run_pipeline

    if isinstance(config, (str, Path)):
        config = load_config(config)
    return run_pipeline(config, client=client)


def run_demo(out_dir="outputs", **kwargs):
    """Generate the synthetic demo territory and run the whole pipeline on it."""
    from geopotential.pipeline.demo_run import run_demo as _run_demo

    return _run_demo(out_dir, **kwargs)


def show_versions() -> None:
    """Print the versions of geopotential and its dependencies (for bug reports)."""
    from geopotential.versions import show_versions as _sv

    print(_sv())  # noqa: T201 - this function's purpose is to print

"""The ``geopotential`` command line: a thin shell over :mod:`geopotential.pipeline`.

Exit codes: 0 success, 2 bad usage or invalid config/input, 1 failure during computation,
130 interrupted. Errors are one line naming the file, key or field; ``--debug`` shows the
traceback.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

import click

import geopotential
from geopotential.exceptions import GeopotentialError

logger = logging.getLogger("geopotential")

#: Pipeline stages that ``run --stages`` can select.
STAGES = ("solar", "shading", "biogas", "balance", "map", "report")


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose <= 0 else logging.INFO if verbose == 1 else logging.DEBUG
    root = logging.getLogger("geopotential")
    root.setLevel(logging.DEBUG)
    if not any(getattr(h, "_geopotential_console", False) for h in root.handlers):
        h = logging.StreamHandler(sys.stderr)
        h._geopotential_console = True  # type: ignore[attr-defined]
        h.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(h)
    for h in root.handlers:
        if getattr(h, "_geopotential_console", False):
            h.setLevel(level)


class _Group(click.Group):
    """A click group that turns the project's errors into one line and an exit code."""

    def invoke(self, ctx: click.Context):
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except GeopotentialError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted: finished work units are kept; run again to resume", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence of the shell
            if debug:
                traceback.print_exc()
            click.echo(
                f"error: unexpected failure ({type(exc).__name__}: {exc}); rerun with --debug for the traceback",
                err=True,
            )
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(geopotential.__version__, "--version", prog_name="geopotential")
@click.option("-v", "--verbose", count=True, help="More messages (-v info, -vv debug).")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def main(ctx: click.Context, verbose: int, debug: bool) -> None:
    """geopotential: rooftop solar and methanization potential of a territory.

    Run the built-in demo with `geopotential demo`, or your own territory with
    `geopotential init-config my.yaml`, edit it, then `geopotential run my.yaml`.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    _configure_logging(verbose)


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("outputs"),
              show_default=True, help="Folder receiving outputs/demo (the run) and the demo inputs.")
@click.option("--seed", type=int, default=None, help="Seed of the synthetic territory (default: the fixed demo seed).")
@click.option("--buildings", "n_buildings", type=click.IntRange(50, 200_000), default=None,
              help="Number of synthetic buildings.")
@click.option("--executor", type=click.Choice(["serial", "processes", "dask"]), default=None,
              help="Executor of the work units.")
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: when a terminal).")
def demo(out_dir: Path, seed: int | None, n_buildings: int | None, executor: str | None, progress: bool | None) -> None:
    """Generate the synthetic demo territory and run the full pipeline on it.

    Writes the demo inputs to OUT/demo-inputs/ and the results to OUT/demo/
    (GeoPackage, map.html, report.html, summary.csv, run.json, run.log).
    """
    from geopotential.pipeline.demo_run import run_demo

    result = run_demo(out_dir, seed=seed, n_buildings=n_buildings, executor=executor, show_progress=progress)
    click.echo(result.summary_text())


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
@click.option("--run-name", default=None, help="Override outputs.run_name.")
@click.option("--executor", type=click.Choice(["serial", "processes", "dask"]), default=None,
              help="Override execution.executor.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="Override execution.workers.")
@click.option("--scheduler", default=None, help="Address of an existing dask scheduler (tcp://host:port).")
@click.option("--no-resume", is_flag=True, help="Recompute every work unit even if an earlier run finished it.")
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: when a terminal).")
@click.option("--stages", "stages", default=None, metavar="LIST",
              help=f"Comma-separated stages to run, the others off (of: {', '.join(STAGES)}).")
def run(config_path: Path, run_name, executor, workers, scheduler, no_resume, progress, stages) -> None:
    """Run the pipeline on the territory described by CONFIG (YAML or TOML).

    Examples: `geopotential run amiens.yaml`; only the solar stage:
    `geopotential run amiens.yaml --stages solar,shading`; on a dask cluster:
    `geopotential run amiens.yaml --scheduler tcp://10.0.0.5:8786`.
    """
    from geopotential.config import load_config
    from geopotential.pipeline.runner import run_pipeline

    cfg = load_config(config_path)
    overrides = {}
    if run_name:
        overrides["outputs.run_name"] = run_name
    if executor:
        overrides["execution.executor"] = executor
    if workers:
        overrides["execution.workers"] = workers
    if scheduler:
        overrides["execution.executor"] = "dask"
        overrides["execution.scheduler"] = scheduler
    if no_resume:
        overrides["execution.resume"] = False
    if progress is not None:
        overrides["execution.show_progress"] = progress
    if stages:
        overrides.update(_stage_overrides(stages))
    cfg = _apply_overrides(cfg, overrides)
    result = run_pipeline(cfg)
    click.echo(result.summary_text())


def _stage_overrides(text: str) -> dict:
    """``--stages solar,map`` -> every stage off but those named."""
    from geopotential.exceptions import ConfigError

    wanted = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STAGES]
    if unknown:
        raise ConfigError(f"unknown stage(s) {unknown}; choose among {', '.join(STAGES)}", key="--stages")
    out = {f"stages.{s}": (s in wanted) for s in STAGES if s != "shading"}
    out["stages.shading"] = "auto" if "shading" in wanted else "off"
    return out


def _apply_overrides(cfg, overrides: dict):
    from geopotential.config import config_from_dict, config_to_dict

    if not overrides:
        return cfg
    data = config_to_dict(cfg)
    for dotted, value in overrides.items():
        section, key = dotted.split(".", 1)
        data[section][key] = value
    return config_from_dict(data, base_dir=None, source="command line")


@main.command("init-config")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init_config(path: Path, force: bool) -> None:
    """Write a commented config template with every default to PATH."""
    from geopotential.config_template import render_template
    from geopotential.exceptions import ConfigError
    from geopotential.io.writers import write_text_atomic

    if path.exists() and not force:
        raise ConfigError(f"{path} exists; use --force to overwrite it")
    write_text_atomic(path, render_template())
    click.echo(f"wrote {path}")


@main.command()
@click.argument("config_path", metavar="CONFIG", type=click.Path(path_type=Path))
def validate(config_path: Path) -> None:
    """Check CONFIG and its input files without computing anything."""
    from geopotential.config import load_config
    from geopotential.pipeline.validation import validate_inputs

    cfg = load_config(config_path)
    report = validate_inputs(cfg)
    for line in report:
        click.echo(line)
    click.echo(f"{config_path}: valid")


@main.command("show-versions")
def show_versions_cmd() -> None:
    """Print versions of geopotential, its dependencies, GDAL and PROJ (for bug reports)."""
    from geopotential.versions import show_versions

    click.echo(show_versions())


@main.command("schema")
def schema_cmd() -> None:
    """Print the JSON schema of the config file."""
    from geopotential.config_template import json_schema_text

    click.echo(json_schema_text(), nl=False)


def _add_optional_commands() -> None:
    try:
        from geopotential.connectors.cli import fetch_command
    except ImportError:  # pragma: no cover - connectors ship with the package
        return
    main.add_command(fetch_command, "fetch")


_add_optional_commands()


if __name__ == "__main__":  # pragma: no cover
    main()

"""``geopotential fetch``: the click command the main CLI group adds.

Exit codes: 0 everything fetched (or found in the cache), 2 bad usage (territory,
unknown source, source not applicable), 1 a source could not be fetched (one line on
stderr naming the source and its cache path).
"""

from __future__ import annotations

import sys

import click

from geopotential.connectors.fetch import fetch
from geopotential.connectors.sources import DEFAULT_SOURCES, SOURCES
from geopotential.connectors.territory import Territory
from geopotential.exceptions import GeopotentialError


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.command("fetch")
@click.option("--insee", multiple=True, metavar="CODE",
              help="INSEE commune code (repeatable, or comma-separated), e.g. 80021.")
@click.option("--departement", metavar="CODE", help="Département code, e.g. 80, 2A, 974.")
@click.option("--bbox", metavar="MINLON,MINLAT,MAXLON,MAXLAT", help="WGS84 bounding box [degrees].")
@click.option("--sources", metavar="NAMES",
              help=f"Comma-separated sources (default: {','.join(DEFAULT_SOURCES)}).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache folder (default: per-user cache).")
@click.option("--offline", is_flag=True, help="Use the cache only; fail if a source is missing.")
@click.option("--refresh", is_flag=True, help="Revalidate cached files with the server (ETag).")
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: on in a terminal).")
@click.option("--list-sources", is_flag=True, help="List the sources with their licences and exit.")
def fetch_command(insee, departement, bbox, sources, cache_dir, offline, refresh, progress, list_sources):
    """Download a territory's open data (buildings, cadastre, RPG, communes, PVGIS, LiDAR) into the cache."""
    if list_sources:
        for name, src in SOURCES.items():
            flag = "*" if name in DEFAULT_SOURCES else " "
            click.echo(f"{flag} {name:<20} {src.licence:<45} {src.default_url}")
        return
    codes = tuple(c.strip() for item in insee for c in item.split(",") if c.strip())
    given = sum([bool(codes), departement is not None, bbox is not None])
    if given != 1:
        raise click.UsageError("give exactly one of --insee, --departement or --bbox")
    try:
        if codes:
            territory = Territory(insee=codes)
        elif departement is not None:
            territory = Territory(departement=departement)
        else:
            parts = [p for p in bbox.split(",")]
            if len(parts) != 4:
                raise click.BadParameter("expected MINLON,MINLAT,MAXLON,MAXLAT", param_hint="--bbox")
            try:
                values = tuple(float(p) for p in parts)
            except ValueError:
                raise click.BadParameter("expected four numbers", param_hint="--bbox") from None
            territory = Territory(bbox=values)
        show = sys.stderr.isatty() if progress is None else progress
        paths = fetch(territory, sources=sources, cache_dir=cache_dir, offline=offline,
                      show_progress=show, refresh=refresh)
    except GeopotentialError as exc:
        _fail(str(exc), exc.exit_code)
        return
    for name, path in paths.items():
        click.echo(f"{name}\t{path}")

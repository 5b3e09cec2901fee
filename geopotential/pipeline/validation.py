"""Checks of a config's input files before anything is computed (``geopotential validate``).

Only metadata is read: that each file exists, opens, has the layer asked for, has a CRS
(or one is given in the config), and is not empty. Problems raise the project's own errors
naming the config key and the file.
"""

from __future__ import annotations

import logging
from pathlib import Path

from geopotential.config import Config, LayerInput
from geopotential.exceptions import CorruptFileError, InputError, MissingCRSError

logger = logging.getLogger(__name__)

RASTER_KEYS = ("dsm", "dem", "canopy", "irradiation_raster")


def _check_exists(key: str, path: Path) -> None:
    if not Path(path).exists():
        raise InputError(f"file not found (config key {key})", path=path)
    if Path(path).is_file() and Path(path).stat().st_size == 0:
        raise CorruptFileError(f"file is empty (config key {key})", path=path)


def _vector_info(key: str, spec: LayerInput) -> str:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    path = Path(spec.path)
    _check_exists(key, path)
    try:
        layers = [str(x[0]) for x in pyogrio.list_layers(path)]
        if spec.layer is not None and spec.layer not in layers:
            raise InputError(f"no layer {spec.layer!r} (config key {key}.layer); layers: {layers}", path=path)
        info = pyogrio.read_info(path, layer=spec.layer)
    except (DataSourceError, DataLayerError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CorruptFileError(f"cannot open as a vector layer (config key {key}): {first}", path=path) from None
    if info.get("crs") is None and spec.crs is None:
        raise MissingCRSError(
            f"layer has no CRS; add a .prj or set {key}.crs in the config", path=path
        )
    n = info.get("features", -1)
    if n == 0:
        raise InputError(f"layer is empty (config key {key})", path=path)
    crs = info.get("crs") or f"{spec.crs} (from config)"
    return f"{key}: {path} ({n} features, {crs})"


def _raster_info(key: str, path: Path) -> str:
    import rasterio
    from rasterio.errors import RasterioIOError

    _check_exists(key, path)
    try:
        with rasterio.open(path) as ds:
            crs = ds.crs
            shape = (ds.height, ds.width)
            res = ds.res
    except RasterioIOError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CorruptFileError(f"cannot open as a raster (config key {key}): {first}", path=path) from None
    if crs is None:
        raise MissingCRSError(f"raster has no CRS (config key {key})", path=path)
    return f"{key}: {path} ({shape[1]}x{shape[0]} px at {res[0]:g} m, {crs.to_string()})"


def validate_inputs(config: Config) -> list[str]:
    """Check every input file of ``config``; return one description line per file.

    Raises
    ------
    InputError
        The first problem found, naming the config key and file.
    """
    from geopotential.config import is_cached

    lines: list[str] = []
    inputs = config.inputs
    for name in type(inputs).model_fields:
        value = getattr(inputs, name)
        key = f"inputs.{name}"
        if value is None or value == []:
            continue
        refs = [value.path] if isinstance(value, LayerInput) else value if isinstance(value, list) else [value]
        cached = [r for r in refs if is_cached(r)]
        for ref in cached:
            files = config.cached_files(ref)
            lines.append(f"{key}: {ref} ({len(files)} cached file(s))")
        if cached:
            continue
        if isinstance(value, LayerInput):
            lines.append(_vector_info(key, value))
        elif name in RASTER_KEYS:
            paths = value if isinstance(value, list) else [value]
            for i, p in enumerate(paths):
                lines.append(_raster_info(f"{key}[{i}]" if isinstance(value, list) else key, Path(p)))
        else:
            _check_exists(key, Path(value))
            lines.append(f"{key}: {value}")
    return lines

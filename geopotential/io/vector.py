"""Generic vector reader: open any OGR-readable layer safely and hand back a clean layer.

:func:`read_vector` is the common entry of the per-source readers (buildings, communes,
cadastre). It turns every failure of GDAL into one of the project's exceptions naming the
file, drops null/empty geometries, repairs invalid ones, drops Z, and brings the layer into
the working CRS. :func:`map_fields` renames source fields to the canonical schema and
reports the fields it could not map.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import CRSError as OgrCRSError
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geopotential.crs import DEFAULT_WORKING_CRS, ensure_crs, parse_crs
from geopotential.exceptions import CorruptFileError, InputError, MissingCRSError, MissingFieldError

logger = logging.getLogger(__name__)

_POLYGONAL = ("Polygon", "MultiPolygon")


def gdal_path(path: str | Path) -> str:
    """Path string GDAL can open: ``.gz`` files go through ``/vsigzip/``, ``.zip`` through ``/vsizip/``."""
    p = str(path)
    if p.startswith("/vsi"):
        return p
    low = p.lower()
    if low.endswith(".gz"):
        return "/vsigzip/" + p
    if low.endswith(".zip"):
        return "/vsizip/" + p
    return p


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_file() and path.stat().st_size == 0:
        raise CorruptFileError("file is empty (0 bytes)", path=path)


def list_layers(path: str | Path) -> list[str]:
    """Names of the layers of a vector file.

    Raises
    ------
    CorruptFileError
        If GDAL cannot open the file (truncated, corrupt, not a vector format).
    """
    p = Path(path)
    _check_file(p)
    try:
        layers = pyogrio.list_layers(gdal_path(p))
    except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
        raise CorruptFileError(f"cannot open as a vector file ({_first_line(exc)})", path=p) from None
    return [str(name) for name in layers[:, 0]]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _choose_layer(path: Path, layer: str | int | None, preferred: Sequence[str]) -> str | int | None:
    layers = list_layers(path)
    if not layers:
        raise CorruptFileError("file has no layer", path=path)
    if layer is not None:
        if isinstance(layer, int):
            if not 0 <= layer < len(layers):
                raise InputError(f"layer index {layer} out of range (layers: {layers})", path=path, field="layer")
            return layer
        if layer not in layers:
            raise InputError(f"no layer {layer!r} (layers: {layers})", path=path, field="layer")
        return layer
    if len(layers) == 1:
        return layers[0]
    lower = {name.lower(): name for name in layers}
    for name in preferred:
        if name.lower() in lower:
            return lower[name.lower()]
    raise InputError(f"several layers, choose one with layer= (layers: {layers})", path=path, field="layer")


def read_vector(
    path: str | Path,
    layer: str | int | None = None,
    working_crs: str | int | CRS = DEFAULT_WORKING_CRS,
    crs: str | int | CRS | None = None,
    *,
    polygons_only: bool = False,
    allow_empty: bool = False,
    preferred_layers: Sequence[str] = (),
    encoding: str | None = None,
    columns: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer, clean its geometries and bring it into the working CRS.

    Parameters
    ----------
    path
        GeoPackage, shapefile, GeoJSON (also ``.json.gz``), FlatGeobuf... anything OGR reads.
    layer
        Layer name or index; needed only when the file has several layers and none of
        ``preferred_layers`` is present.
    working_crs
        Target metric CRS (default EPSG:2154).
    crs
        CRS to assume when the file has none (a shapefile without ``.prj``). Ignored, with a
        warning, when the file declares a different CRS.
    polygons_only
        Drop (and count) features whose geometry is not polygonal after repair.
    allow_empty
        Return an empty layer instead of raising when no feature remains.
    preferred_layers
        Layer names tried, in order, when the file has several layers.
    encoding
        Attribute encoding, to override what GDAL detects (``.cpg``, DBF language id).
    columns
        Read only these attribute fields.

    Returns
    -------
    geopandas.GeoDataFrame
        In ``working_crs``; ``attrs`` holds ``source_path``, ``layer``,
        ``n_dropped_empty``, ``n_repaired``, ``n_dropped_non_polygonal``.

    Raises
    ------
    InputError
        Missing file, unknown layer, no feature left.
    CorruptFileError
        Empty, truncated or unreadable file.
    MissingCRSError
        The layer has no CRS and ``crs`` was not given.
    """
    p = Path(path)
    target = parse_crs(working_crs)  # ConfigError naming territory.crs if unusable
    chosen = _choose_layer(p, layer, preferred_layers)
    kwargs = {"layer": chosen}
    if encoding:
        kwargs["encoding"] = encoding
    if columns is not None:
        kwargs["columns"] = list(columns)
    try:
        gdf = pyogrio.read_dataframe(gdal_path(p), **kwargs)
    except (DataSourceError, DataLayerError, GeometryError, OgrCRSError, OSError, RuntimeError) as exc:
        raise CorruptFileError(f"cannot read layer {chosen!r} ({_first_line(exc)})", path=p) from None
    except FieldError as exc:
        raise MissingFieldError(f"cannot read fields of layer {chosen!r} ({_first_line(exc)})", path=p) from None
    except (ValueError, UnicodeDecodeError, LookupError) as exc:
        raise CorruptFileError(f"cannot decode layer {chosen!r} ({_first_line(exc)})", path=p) from None
    except Exception as exc:  # noqa: BLE001 - e.g. shapely GEOSException on an unclosed ring, pyogrio bugs
        hint = "; check the .shp and its .shx, .dbf and .prj (UTF-8) files" if p.suffix.lower() == ".shp" else ""
        raise CorruptFileError(f"cannot read layer {chosen!r} ({type(exc).__name__}: {_first_line(exc)}){hint}",
                               path=p) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise InputError("layer has no geometry column", path=p)

    gdf = _assign_crs(gdf, p, crs)
    gdf, stats = clean_geometries(gdf, p, polygons_only=polygons_only)
    if len(gdf) == 0 and not allow_empty:
        raise InputError(f"layer {chosen!r} has no usable feature", path=p)
    check_area_of_use(gdf, p)
    gdf = ensure_crs(gdf, target, source=p)
    gdf.attrs.update({"source_path": str(p), "layer": chosen, **stats})
    return gdf


def check_area_of_use(gdf: gpd.GeoDataFrame, source: str | Path = "<data frame>") -> None:
    """Refuse a layer whose coordinates cannot be in its declared projected CRS.

    Degrees stored in a layer labelled with a projected CRS (a GeoJSON in lon/lat saved as
    EPSG:2154) would give areas of ~1e-8 m2 without any error. The layer bounds are checked
    against the CRS area of use projected into the CRS: the layer is refused when its
    coordinates all look like degrees (within +/-180, +/-90) and lie outside that area, or
    when it lies farther from that area than the area's own extent.

    Raises
    ------
    InputError
        Naming ``source``, the bounds and the CRS.
    """
    crs = gdf.crs
    if crs is None or not crs.is_projected or crs.area_of_use is None or len(gdf) == 0:
        return
    b = np.asarray(gdf.total_bounds, dtype=float)
    w, s, e, n = crs.area_of_use.bounds
    if not np.isfinite(b).all() or w > e:  # nothing to check / area crossing the antimeridian
        return
    try:
        tr = Transformer.from_crs(CRS.from_epsg(4326), crs, always_xy=True)
        x0, y0, x1, y1 = tr.transform_bounds(w, s, e, n, densify_pts=21)
    except Exception:  # noqa: BLE001 - a CRS pyproj cannot project into: no check possible
        return
    if not np.isfinite([x0, y0, x1, y1]).all():
        return
    inside = x0 <= b[0] and b[2] <= x1 and y0 <= b[1] and b[3] <= y1
    degrees = -180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90
    dx, dy = x1 - x0, y1 - y0
    far = b[0] > x1 + dx or b[2] < x0 - dx or b[1] > y1 + dy or b[3] < y0 - dy
    if (degrees and not inside) or far:
        hint = " (they look like longitude/latitude degrees)" if degrees else ""
        raise InputError(
            f"coordinates {np.round(b, 4).tolist()} lie outside the area of use of the declared CRS "
            f"{crs.name!r} ({crs.area_of_use.name}){hint}; the layer's CRS (.prj, GeoPackage srs) is wrong: "
            "fix it or reproject the file",
            path=source,
        )


def _assign_crs(gdf: gpd.GeoDataFrame, path: Path, crs) -> gpd.GeoDataFrame:
    if crs is None:
        if gdf.crs is None:
            raise MissingCRSError(
                "layer has no CRS (a shapefile without .prj?); give it with crs= or the layer's 'crs' "
                "option in the config",
                path=path,
            )
        return gdf
    try:
        given = CRS.from_user_input(crs)
    except CRSError as exc:
        raise InputError(f"invalid crs {crs!r}: {exc}", path=path, field="crs") from None
    if gdf.crs is None:
        logger.info("%s: no CRS in the file, using the given %s", path, given.to_string())
        return gdf.set_crs(given)
    if not gdf.crs.equals(given):
        logger.warning("%s: the file declares %s; the given crs %s is ignored", path, gdf.crs.to_string(),
                       given.to_string())
    return gdf


def clean_geometries(
    gdf: gpd.GeoDataFrame, source: str | Path = "<data frame>", polygons_only: bool = False
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Drop null/empty geometries, drop Z, repair invalid ones, optionally keep polygons only.

    Repair uses :func:`shapely.make_valid`; for polygon layers the polygonal parts of the
    result are kept (a bow-tie becomes a MultiPolygon). Counts are logged and returned.

    Returns
    -------
    (GeoDataFrame, dict)
        Cleaned copy and the counts ``n_dropped_empty``, ``n_repaired``,
        ``n_dropped_non_polygonal``.
    """
    geoms = gdf.geometry.values.to_numpy() if hasattr(gdf.geometry.values, "to_numpy") else np.asarray(gdf.geometry)
    geoms = np.asarray(geoms, dtype=object)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    n_empty = int(bad.sum())
    if n_empty:
        logger.warning("%s: %d feature(s) with null or empty geometry dropped", source, n_empty)
    keep = ~bad
    geoms = geoms[keep]
    out = gdf.loc[keep].copy()
    if len(geoms) and shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
        logger.info("%s: Z coordinates dropped", source)
    invalid = ~shapely.is_valid(geoms) if len(geoms) else np.zeros(0, bool)
    n_repaired = int(invalid.sum())
    if n_repaired:
        reasons = [str(r) for r in shapely.is_valid_reason(geoms[invalid][:3])]
        fixed = shapely.make_valid(geoms[invalid])
        if polygons_only or np.isin(shapely.get_type_id(geoms[invalid]), (3, 6)).all():
            fixed = _polygonal_part(fixed)
        geoms[invalid] = fixed
        logger.warning("%s: %d invalid geometr%s repaired with make_valid (e.g. %s)", source, n_repaired,
                       "y" if n_repaired == 1 else "ies", "; ".join(reasons))
    n_nonpoly = 0
    if polygons_only and len(geoms):
        poly = np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.is_empty(geoms)
        n_nonpoly = int((~poly).sum())
        if n_nonpoly:
            logger.warning("%s: %d non-polygonal feature(s) dropped", source, n_nonpoly)
            geoms = geoms[poly]
            out = out.loc[poly]
    out = gpd.GeoDataFrame(out.drop(columns=out.geometry.name), geometry=list(geoms), crs=gdf.crs)
    out = out.reset_index(drop=True)
    return out, {"n_dropped_empty": n_empty, "n_repaired": n_repaired, "n_dropped_non_polygonal": n_nonpoly}


def _polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """Polygonal part of repaired geometries (a few features: the loop is over invalid ones only)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        if g.geom_type in _POLYGONAL:
            out[i] = g
            continue
        parts = [p for p in shapely.get_parts(g) if p.geom_type in _POLYGONAL]
        polys = [q for p in parts for q in shapely.get_parts(p)]
        out[i] = shapely.MultiPolygon(polys) if len(polys) > 1 else (polys[0] if polys else shapely.Polygon())
    return out


def map_fields(
    gdf: pd.DataFrame,
    mapping: Mapping[str, Sequence[str]],
    source: str | Path = "<data frame>",
    required: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """Rename source fields to canonical names and list the fields left unmapped.

    Parameters
    ----------
    gdf
        Layer with source fields.
    mapping
        ``canonical name -> candidate source names`` (first present wins; names compared
        case-insensitively).
    source
        File named in messages.
    required
        Canonical names that must be found.
    ignore
        Source fields that are known and deliberately not mapped (not reported).

    Returns
    -------
    (DataFrame, list of str)
        Frame with canonical columns (missing optional ones absent) and geometry, and the
        source fields that were neither mapped nor ignored.

    Raises
    ------
    MissingFieldError
        When a required canonical field has no source field.
    """
    geom_name = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    lower = {str(c).lower(): c for c in gdf.columns if c != geom_name}
    rename: dict[str, str] = {}
    for canonical, candidates in mapping.items():
        for cand in candidates:
            col = lower.get(cand.lower())
            if col is not None and col not in rename:
                rename[col] = canonical
                break
    found = set(rename.values())
    missing = [c for c in required if c not in found]
    if missing:
        wanted = {c: list(mapping.get(c, ())) for c in missing}
        raise MissingFieldError(
            f"required field(s) not found: {wanted} (fields present: {sorted(lower.values())})",
            path=source, field=missing[0],
        )
    ign = {i.lower() for i in ignore}
    unmapped = [c for c in gdf.columns if c != geom_name and c not in rename and str(c).lower() not in ign]
    if unmapped:
        logger.info("%s: source fields not mapped to the canonical schema: %s", source, unmapped)
    keep = list(rename) + ([geom_name] if geom_name else [])
    out = gdf[keep].rename(columns=rename)
    return out, unmapped

"""Reader of road networks for road-distance digester siting.

Any line layer OGR reads: IGN BD TOPO ``troncon_de_route`` (GeoPackage or shapefile),
OpenStreetMap highways (GeoJSON, e.g. an Overpass export), or any LineString /
MultiLineString layer. Non-line features are dropped and counted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geopotential.crs import DEFAULT_WORKING_CRS
from geopotential.exceptions import InputError
from geopotential.io.vector import read_vector

logger = logging.getLogger(__name__)

#: layer names tried in order when the file holds several layers
PREFERRED_LAYERS = ("troncon_de_route", "TRONCON_DE_ROUTE", "roads", "highways", "lines")
#: source fields mapped to ``road_id`` and ``road_class`` (first present wins, any case)
ID_FIELDS = ("cleabs", "id", "osm_id", "@id", "fid_road")
CLASS_FIELDS = ("nature", "highway", "fclass", "type")


def read_roads(
    path: str | Path,
    layer: str | int | None = None,
    working_crs=DEFAULT_WORKING_CRS,
    exclude_classes: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """Read a road line layer.

    Parameters
    ----------
    path
        GeoPackage, shapefile, GeoJSON... holding line features.
    layer
        Layer name or index (default: ``troncon_de_route`` when present, else the only layer).
    working_crs
        Target metric CRS (default EPSG:2154).
    exclude_classes
        Values of ``road_class`` to drop (e.g. ``["Sentier", "footway"]``), case-insensitive.

    Returns
    -------
    geopandas.GeoDataFrame
        ``road_id`` (str), ``road_class`` (BD TOPO ``nature`` / OSM ``highway``, '' if
        absent), ``length_m`` [m], LineString/MultiLineString geometry in ``working_crs``.
        ``attrs['n_dropped_non_line']`` counts the dropped non-line features.

    Raises
    ------
    InputError
        Missing file, unknown layer, or no line feature (e.g. a point layer), naming the file.
    CorruptFileError, MissingCRSError
        As :func:`geopotential.io.vector.read_vector`.
    """
    p = Path(path)
    gdf = read_vector(p, layer=layer, working_crs=working_crs, allow_empty=True, preferred_layers=PREFERRED_LAYERS)
    geoms = np.asarray(gdf.geometry.to_numpy(), dtype=object)
    is_line = np.isin(shapely.get_type_id(geoms), (1, 2, 5)) if len(geoms) else np.zeros(0, bool)
    n_drop = int((~is_line).sum())
    if n_drop:
        types = sorted(set(shapely.get_type_id(geoms[~is_line]).tolist()))
        names = {0: "Point", 3: "Polygon", 4: "MultiPoint", 6: "MultiPolygon", 7: "GeometryCollection"}
        logger.warning("%s: %d non-line feature(s) dropped (%s)", p, n_drop, ", ".join(names.get(t, str(t)) for t in types))
    if not is_line.any():
        raise InputError(
            f"no LineString/MultiLineString feature in layer {gdf.attrs.get('layer')!r} "
            f"({len(geoms)} feature(s), {n_drop} non-line); a road network is a line layer", path=p, field="geometry")
    gdf = gdf.loc[is_line].reset_index(drop=True)
    geoms = geoms[is_line]
    ring = shapely.get_type_id(geoms) == 2  # LinearRing: keep as a closed LineString
    if ring.any():
        rxy, ridx = shapely.get_coordinates(geoms[ring], return_index=True)
        geoms[ring] = shapely.linestrings(rxy, indices=ridx)
    lower = {c.lower(): c for c in gdf.columns}
    id_col = next((lower[f] for f in ID_FIELDS if f in lower), None)
    cls_col = next((lower[f] for f in CLASS_FIELDS if f in lower), None)
    out = gpd.GeoDataFrame({
        "road_id": gdf[id_col].astype(str).to_numpy() if id_col else np.arange(len(gdf)).astype(str),
        "road_class": gdf[cls_col].fillna("").astype(str).to_numpy() if cls_col else np.full(len(gdf), "", dtype=object),
    }, geometry=list(geoms), crs=gdf.crs)
    if exclude_classes:
        drop = out["road_class"].str.lower().isin([c.lower() for c in exclude_classes])
        if drop.any():
            logger.info("%s: %d road(s) of excluded classes dropped", p, int(drop.sum()))
            out = out.loc[~drop].reset_index(drop=True)
        if len(out) == 0:
            raise InputError(f"no road left after excluding classes {list(exclude_classes)}", path=p, field="road_class")
    out["length_m"] = shapely.length(out.geometry.to_numpy())
    out.attrs.update({k: v for k, v in gdf.attrs.items()})
    out.attrs["n_dropped_non_line"] = n_drop
    logger.info("%s: %d road(s), %.1f km", p, len(out), float(pd.Series(out["length_m"]).sum()) / 1000.0)
    return out

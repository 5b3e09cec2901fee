"""Overpass API JSON (``out geom``) to GeoJSON building polygons.

Overpass answers in OSM JSON: ways carry their node coordinates in ``geometry``, and
multipolygon relations carry each member way's coordinates. This module turns them into
a GeoJSON ``FeatureCollection`` (EPSG:4326) the building readers accept, with the OSM
tags as properties plus ``osm_type`` and ``osm_id``. Rings are built in bulk with shapely;
multipolygon members are joined into rings with :func:`shapely.polygonize`. Elements whose
geometry cannot be closed are counted and logged, not silently dropped.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geopotential.connectors.cache import utc_now
from geopotential.connectors.validate import load_json

logger = logging.getLogger(__name__)


def _coords(geometry: list[dict[str, float]] | None) -> np.ndarray:
    if not geometry:
        return np.empty((0, 2))
    return np.array([(p["lon"], p["lat"]) for p in geometry if p], dtype=float)


def overpass_to_geojson(doc: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """Convert an Overpass ``out geom`` answer into GeoJSON building polygons.

    Parameters
    ----------
    doc
        Parsed Overpass JSON (``{"elements": [...]}``).

    Returns
    -------
    collection : dict
        GeoJSON ``FeatureCollection`` of Polygon/MultiPolygon features [EPSG:4326].
    report : dict
        Counts: ``ways``, ``relations``, ``unclosed_ways``, ``invalid_relations``.
    """
    elements = doc.get("elements", [])
    ways = [e for e in elements if e.get("type") == "way" and e.get("geometry")]
    rels = [e for e in elements if e.get("type") == "relation"]
    report = {"ways": 0, "relations": 0, "unclosed_ways": 0, "invalid_relations": 0}
    features: list[dict[str, Any]] = []

    # ways: closed rings -> polygons, built in one shapely call
    coords = [_coords(w["geometry"]) for w in ways]
    closed = np.array([len(c) >= 4 and np.array_equal(c[0], c[-1]) for c in coords], dtype=bool)
    report["unclosed_ways"] = int((~closed).sum())
    kept = [c for c, ok in zip(coords, closed) if ok]
    if kept:
        lengths = np.array([len(c) for c in kept])
        rings = shapely.linearrings(np.concatenate(kept), indices=np.repeat(np.arange(len(kept)), lengths))
        polys = shapely.polygons(rings)
        geo = json.loads(shapely.to_geojson(shapely.GeometryCollection(list(polys))))["geometries"]
        for w, g in zip((w for w, ok in zip(ways, closed) if ok), geo):
            features.append(_feature("way", w, g))
        report["ways"] = len(kept)

    # multipolygon relations: polygonize outer and inner member lines
    for rel in rels:
        members = [m for m in rel.get("members", []) if m.get("type") == "way" and m.get("geometry")]
        outer = [shapely.linestrings(_coords(m["geometry"])) for m in members
                 if m.get("role", "outer") in ("outer", "") and len(m["geometry"]) >= 2]
        inner = [shapely.linestrings(_coords(m["geometry"])) for m in members
                 if m.get("role") == "inner" and len(m["geometry"]) >= 2]
        shell = shapely.union_all(shapely.get_parts(shapely.polygonize(outer))) if outer else None
        if shell is None or shell.is_empty:
            report["invalid_relations"] += 1
            continue
        if inner:
            holes = shapely.union_all(shapely.get_parts(shapely.polygonize(inner)))
            shell = shapely.difference(shell, holes)
        features.append(_feature("relation", rel, json.loads(shapely.to_geojson(shell))))
        report["relations"] += 1
    if report["unclosed_ways"] or report["invalid_relations"]:
        logger.warning(
            "OSM buildings: %d unclosed ways and %d relations without a closed outer ring were left out",
            report["unclosed_ways"], report["invalid_relations"],
        )
    return {"type": "FeatureCollection", "features": features}, report


def _feature(kind: str, element: dict[str, Any], geometry: dict[str, Any]) -> dict[str, Any]:
    props = {"osm_type": kind, "osm_id": element.get("id")}
    props.update(element.get("tags", {}))
    return {"type": "Feature", "properties": props, "geometry": geometry}


def convert_overpass_file(paths: list[Path]) -> list[Path]:
    """Post-processing hook of the ``osm_buildings`` source: write ``osm-buildings.geojson``
    beside the raw Overpass answer; returns the raw file and the GeoJSON file."""
    raw = paths[0]
    collection, report = overpass_to_geojson(load_json(raw))  # type: ignore[arg-type]
    collection["geopotential"] = {"derived_from": raw.name, "converted_at": utc_now(), **report}
    out = raw.with_name("osm-buildings.geojson")
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(collection), encoding="utf-8")
    tmp.replace(out)
    return [raw, out]

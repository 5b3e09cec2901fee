"""Registry of the open-data sources geopotential can fetch, with their URL templates.

Each :class:`Source` turns a territory (INSEE codes, a département or a bbox) into the
list of files to download (:class:`FileRequest`). Base URLs are overridable, in order of
precedence, by the ``base_urls`` argument of :func:`geopotential.connectors.fetch.fetch`
(the config's ``fetch.base_urls``), then by the environment variable
``GEOPOTENTIAL_URL_<SOURCE>`` (e.g. ``GEOPOTENTIAL_URL_CADASTRE_BUILDINGS``), then the
default below. Tests point them at a local server on 127.0.0.1.

URL patterns (defaults)
-----------------------
- ``bdtopo_buildings``: IGN Géoplateforme WFS 2.0, ``https://data.geopf.fr/wfs/ows`` with
  ``TYPENAMES=BDTOPO_V3:batiment``, GeoJSON in EPSG:2154, BBOX filter, pages of 5000
  features (``COUNT``/``STARTINDEX``, sorted by ``cleabs``).
- ``cadastre_buildings`` / ``cadastre_parcels``: Etalab cadastre,
  ``https://cadastre.data.gouv.fr/data/etalab-cadastre/latest/geojson/communes/{dep}/{insee}/cadastre-{insee}-batiments.json.gz``
  (``-parcelles``), or ``.../departements/{dep}/cadastre-{dep}-batiments.json.gz``.
- ``osm_buildings``: Overpass API ``https://overpass-api.de/api/interpreter?data=...``
  (``way``/``relation`` with ``building=*`` in the commune's ``ref:INSEE`` area, the
  département area or the bbox; ``out geom``; OSM JSON, converted after download into
  ``osm-buildings.geojson`` by :mod:`geopotential.connectors.osm`).
- ``rpg``: IGN Géoplateforme WFS, ``TYPENAMES=RPG.{year}:parcelles_graphiques`` (year in
  ``options['rpg']['year']`` or ``GEOPOTENTIAL_RPG_YEAR``, default 2023), BBOX of the
  territory (of its communes for INSEE codes and départements), pages of 5000.
- ``communes``: ``https://geo.api.gouv.fr/communes?code={insee}&format=geojson&geometry=contour``
  or ``/departements/{dep}/communes?format=geojson&geometry=contour``.
- ``insee_population``: ``https://geo.api.gouv.fr/departements/{dep}/communes?fields=code,nom,population``
  (INSEE municipal population, JSON).
- ``pvgis_tmy`` / ``pvgis_horizon``: PVGIS API (``pvlib.iotools.pvgis.URL``),
  ``{url}tmy?lat=..&lon=..&outputformat=json`` and ``{url}printhorizon?lat=..&lon=..&outputformat=json``
  at the territory's centre (the endpoints and parameters pvlib's ``get_pvgis_tmy`` /
  ``get_pvgis_horizon`` use; the raw answer is cached and parsed by pvlib's reader).
- ``lidar_dsm``: IGN Géoplateforme WMS-R, ``https://data.geopf.fr/wms-r`` with
  ``LAYERS=IGNF_LIDAR-HD_MNS_ELEVATION.ELEVATIONGRIDCOVERAGE.LAMB93``, ``FORMAT=image/geotiff``,
  one 1 km x 1 km tile at 0.5 m per request, named as the LiDAR HD tile index names them
  (``LHD_FXX_{x_km:04d}_{y_km:04d}_MNS_O_0M50_LAMB93_IGN69.tif``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geopotential.connectors import validate as check
from geopotential.connectors.osm import convert_overpass_file
from geopotential.connectors.territory import Territory, departement_of
from geopotential.exceptions import ConfigError

Validator = Callable[[Path], None]

GEOPF_WFS = "https://data.geopf.fr/wfs/ows"
GEOPF_WMS_R = "https://data.geopf.fr/wms-r"
ETALAB_CADASTRE = "https://cadastre.data.gouv.fr/data/etalab-cadastre/latest/geojson"
GEO_API = "https://geo.api.gouv.fr"
OVERPASS = "https://overpass-api.de/api/interpreter"
PVGIS_API = "https://re.jrc.ec.europa.eu/api/"  # equals pvlib.iotools.pvgis.URL (pvlib 0.16)
WFS_PAGE_SIZE = 5000
LIDAR_LAYER = "IGNF_LIDAR-HD_MNS_ELEVATION.ELEVATIONGRIDCOVERAGE.LAMB93"
COMMUNE_FIELDS = "code,nom,codeDepartement,codeRegion,codesPostaux,population,surface"


@dataclass(frozen=True)
class FileRequest:
    """One file to download.

    ``page_size`` > 0 marks a WFS page: the next page is requested while a page comes
    back full (``STARTINDEX`` advanced by ``page_size``).
    """

    url: str
    filename: str
    params: Mapping[str, str] = field(default_factory=dict)
    validate: Validator | None = None
    page_size: int = 0

    def next_page(self, index: int) -> "FileRequest":
        """The request for page ``index`` (0-based) of a paged WFS request."""
        params = dict(self.params)
        params["STARTINDEX"] = str(index * self.page_size)
        stem = self.filename.split("-page-")[0]
        return replace(self, params=params, filename=f"{stem}-page-{index:05d}.geojson")


@dataclass(frozen=True)
class Context:
    """What a source needs to plan its requests.

    Attributes
    ----------
    territory : Territory
    base_url : str
        Base URL after overrides.
    bbox_wgs84 : tuple or None
        ``(min_lon, min_lat, max_lon, max_lat)`` of the territory [degrees].
    footprint_l93 : shapely geometry or None
        The territory's outline in EPSG:2154 [m], to keep only the tiles it touches.
    options : dict
        Source options (``year`` for ``rpg``, ``resolution_m``/``max_tiles`` for ``lidar_dsm``...).
    """

    territory: Territory
    base_url: str
    bbox_wgs84: tuple[float, float, float, float] | None = None
    footprint_l93: Any = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def require_bbox(self, source: str) -> tuple[float, float, float, float]:
        if self.bbox_wgs84 is None:
            raise ConfigError(f"{source} needs the territory's extent (bbox or commune outlines)", key="territory")
        return self.bbox_wgs84


@dataclass(frozen=True)
class Source:
    """An open-data source: what it is, its licence and how to request it for a territory."""

    name: str
    title: str
    provider: str
    licence: str
    attribution: str
    default_url: str
    kinds: frozenset[str]
    plan: Callable[[Context], list[FileRequest]]
    needs_extent: bool = False
    default: bool = True
    doc_url: str = ""
    postprocess: Callable[[list[Path]], list[Path]] | None = None

    @property
    def env_var(self) -> str:
        """Environment variable overriding the base URL."""
        return "GEOPOTENTIAL_URL_" + self.name.upper()

    def base_url(self, overrides: Mapping[str, str] | None = None) -> str:
        """Base URL after overrides (argument, then environment, then default)."""
        if overrides and overrides.get(self.name):
            return overrides[self.name]
        return os.environ.get(self.env_var) or self.default_url

    def supports(self, territory: Territory) -> bool:
        """Whether the source can be fetched for this kind of territory."""
        return territory.kind in self.kinds


# ---------------------------------------------------------------------- helpers
def bbox_to_l93(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """WGS84 bbox [degrees] to a Lambert-93 (EPSG:2154) bbox [m] that contains it."""
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
    return tuple(tr.transform_bounds(*bbox, densify_pts=21))  # type: ignore[return-value]


def _wfs_plan(ctx: Context, typename: str, sort_by: str, stem: str) -> list[FileRequest]:
    xmin, ymin, xmax, ymax = bbox_to_l93(ctx.require_bbox(stem))
    page_size = int(ctx.options.get("page_size", WFS_PAGE_SIZE))
    if page_size < 1:
        raise ConfigError(f"WFS page size must be positive, got {page_size}", key="fetch.options.page_size")
    params = {
        "SERVICE": "WFS",
        "VERSION": "2.0.0",
        "REQUEST": "GetFeature",
        "TYPENAMES": typename,
        "OUTPUTFORMAT": "application/json",
        "SRSNAME": "EPSG:2154",
        "BBOX": f"{xmin:.2f},{ymin:.2f},{xmax:.2f},{ymax:.2f},urn:ogc:def:crs:EPSG::2154",
        "SORTBY": sort_by,
        "COUNT": str(page_size),
        "STARTINDEX": "0",
    }
    first = FileRequest(ctx.base_url, stem, params, check.check_geojson, page_size=page_size)
    return [first.next_page(0)]


def _plan_bdtopo(ctx: Context) -> list[FileRequest]:
    return _wfs_plan(ctx, "BDTOPO_V3:batiment", "cleabs", "bdtopo-batiment")


def _rpg_year(ctx: Context) -> int:
    value = ctx.options.get("year", os.environ.get("GEOPOTENTIAL_RPG_YEAR", 2023))
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"RPG year must be an integer, got {value!r}", key="fetch.options.rpg.year") from None
    if not 2015 <= year <= 2100:
        raise ConfigError(f"RPG year {year} out of range (2015 or later)", key="fetch.options.rpg.year")
    return year


def _plan_rpg(ctx: Context) -> list[FileRequest]:
    year = _rpg_year(ctx)
    return _wfs_plan(ctx, f"RPG.{year}:parcelles_graphiques", "id_parcel", f"rpg-{year}-parcelles")


def _cadastre_plan(layer: str) -> Callable[[Context], list[FileRequest]]:
    def plan(ctx: Context) -> list[FileRequest]:
        base = ctx.base_url.rstrip("/")
        t = ctx.territory
        if t.kind == "insee":
            return [
                FileRequest(
                    f"{base}/communes/{departement_of(code)}/{code}/cadastre-{code}-{layer}.json.gz",
                    f"cadastre-{code}-{layer}.json.gz",
                    validate=check.check_gzip,
                )
                for code in t.insee
            ]
        dep = t.departement
        return [
            FileRequest(
                f"{base}/departements/{dep}/cadastre-{dep}-{layer}.json.gz",
                f"cadastre-{dep}-{layer}.json.gz",
                validate=check.check_gzip,
            )
        ]

    return plan


def overpass_query(territory: Territory, bbox: tuple[float, float, float, float] | None, timeout_s: int = 600) -> str:
    """Overpass QL selecting the buildings (ways and relations) of a territory, ``out geom``."""
    head = f"[out:json][timeout:{timeout_s}];"
    if territory.kind == "insee":
        codes = "|".join(territory.insee)
        area = f'area["ref:INSEE"~"^({codes})$"]["boundary"="administrative"]["admin_level"="8"]->.a;'
        sel = '(way["building"](area.a);relation["building"](area.a););'
        return head + area + sel + "out geom;"
    if territory.kind == "departement":
        area = f'area["ref:INSEE"="{territory.departement}"]["boundary"="administrative"]["admin_level"="6"]->.a;'
        sel = '(way["building"](area.a);relation["building"](area.a););'
        return head + area + sel + "out geom;"
    assert bbox is not None
    w, s, e, n = bbox
    box = f"({s:.6f},{w:.6f},{n:.6f},{e:.6f})"
    return head + f'(way["building"]{box};relation["building"]{box};);out geom;'


def _plan_osm(ctx: Context) -> list[FileRequest]:
    bbox = ctx.territory.bbox
    query = overpass_query(ctx.territory, bbox, int(ctx.options.get("timeout_s", 600)))
    return [FileRequest(ctx.base_url, "osm-buildings.json", {"data": query}, check.check_overpass)]


def _plan_communes(ctx: Context) -> list[FileRequest]:
    base = ctx.base_url.rstrip("/")
    t = ctx.territory
    params = {"format": "geojson", "geometry": "contour", "fields": COMMUNE_FIELDS}
    if t.kind == "insee":
        return [
            FileRequest(f"{base}/communes", f"communes-{code}.geojson", {"code": code, **params}, check.check_geojson)
            for code in t.insee
        ]
    return [
        FileRequest(
            f"{base}/departements/{t.departement}/communes",
            f"communes-{t.departement}.geojson",
            params,
            check.check_geojson,
        )
    ]


def _plan_population(ctx: Context) -> list[FileRequest]:
    base = ctx.base_url.rstrip("/")
    params = {"fields": "code,nom,codeDepartement,population", "format": "json"}
    return [
        FileRequest(f"{base}/departements/{dep}/communes", f"population-{dep}.json", params, check.check_json)
        for dep in ctx.territory.departements
    ]


def territory_centre(bbox: tuple[float, float, float, float]) -> tuple[float, float]:
    """Centre ``(lat, lon)`` of a WGS84 bbox, rounded to 0.001 degree (about 100 m) [degrees]."""
    lon = round((bbox[0] + bbox[2]) / 2, 3)
    lat = round((bbox[1] + bbox[3]) / 2, 3)
    return lat, lon


def _plan_pvgis(endpoint: str, stem: str, validator: Validator) -> Callable[[Context], list[FileRequest]]:
    def plan(ctx: Context) -> list[FileRequest]:
        lat, lon = territory_centre(ctx.require_bbox(stem))
        base = ctx.base_url if ctx.base_url.endswith("/") else ctx.base_url + "/"
        params = {"lat": f"{lat:.3f}", "lon": f"{lon:.3f}", "outputformat": "json"}
        if endpoint == "tmy":
            for key in ("startyear", "endyear"):
                if ctx.options.get(key) is not None:
                    params[key] = str(int(ctx.options[key]))
            if ctx.options.get("usehorizon") is False:
                params["usehorizon"] = "0"
        return [FileRequest(base + endpoint, f"{stem}_{lat:.3f}_{lon:.3f}.json", params, validator)]

    return plan


def lidar_tiles(
    bbox_l93: tuple[float, float, float, float], footprint_l93: Any = None, tile_m: int = 1000
) -> list[tuple[int, int]]:
    """LiDAR HD tiles ``(x_km, y_km)`` (lower-left x, upper-left y, in km) covering an extent.

    Tiles are 1 km squares on the kilometre grid of EPSG:2154, named like the IGN tile
    index (``LHD_FXX_0709_6762``: x from 709 000 m, y down from 6 762 000 m). When a
    footprint is given, only the tiles it intersects are kept.
    """
    xmin, ymin, xmax, ymax = bbox_l93
    i0, i1 = math.floor(xmin / tile_m), math.ceil(xmax / tile_m)
    j0, j1 = math.floor(ymin / tile_m), math.ceil(ymax / tile_m)
    tiles = [(i, j + 1) for i in range(i0, i1) for j in range(j0, j1)]
    if footprint_l93 is not None:
        from shapely import box, intersects
        import numpy as np

        boxes = np.array([box(i * tile_m, (j - 1) * tile_m, (i + 1) * tile_m, j * tile_m) for i, j in tiles])
        keep = intersects(boxes, footprint_l93)
        tiles = [t for t, k in zip(tiles, keep) if k]
    return tiles


def _plan_lidar(ctx: Context) -> list[FileRequest]:
    res = float(ctx.options.get("resolution_m", 0.5))
    max_tiles = int(ctx.options.get("max_tiles", 400))
    if res <= 0 or 1000 / res > 5000 or (1000 / res) != int(1000 / res):
        raise ConfigError(f"LiDAR resolution {res} m must divide 1000 m into at most 5000 pixels",
                          key="fetch.options.lidar_dsm.resolution_m")
    tiles = lidar_tiles(bbox_to_l93(ctx.require_bbox("lidar_dsm")), ctx.footprint_l93)
    if len(tiles) > max_tiles:
        raise ConfigError(
            f"the territory needs {len(tiles)} LiDAR tiles of 1 km2, more than max_tiles={max_tiles}; "
            "fetch a smaller territory or raise the limit",
            key="fetch.options.lidar_dsm.max_tiles",
        )
    px = int(1000 / res)
    half = res / 2
    tag = f"{int(res)}M{int(round((res % 1) * 100)):02d}"
    requests = []
    for i, j in tiles:
        x0, y1 = i * 1000, j * 1000
        params = {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "EXCEPTIONS": "text/xml",
            "REQUEST": "GetMap",
            "LAYERS": LIDAR_LAYER,
            "FORMAT": "image/geotiff",
            "STYLES": "",
            "CRS": "EPSG:2154",
            "BBOX": f"{x0 - half},{y1 - 1000 + half},{x0 + 1000 - half},{y1 + half}",
            "WIDTH": str(px),
            "HEIGHT": str(px),
        }
        name = f"LHD_FXX_{i:04d}_{j:04d}_MNS_O_{tag}_LAMB93_IGN69.tif"
        requests.append(FileRequest(ctx.base_url, name, params, check.check_geotiff))
    return requests


_ALL = frozenset({"insee", "departement", "bbox"})
_ADMIN = frozenset({"insee", "departement"})
LO2 = "Licence Ouverte / Open Licence 2.0 (Etalab)"

SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source("communes", "Commune outlines (Admin Express via API Découpage administratif)", "DINUM / IGN",
               LO2, "IGN Admin Express, via geo.api.gouv.fr", GEO_API, _ADMIN, _plan_communes,
               doc_url="https://geo.api.gouv.fr/decoupage-administratif"),
        Source("insee_population", "Municipal populations (INSEE, via API Découpage administratif)", "INSEE / DINUM",
               LO2, "INSEE, populations légales, via geo.api.gouv.fr", GEO_API, _ADMIN, _plan_population,
               doc_url="https://geo.api.gouv.fr/decoupage-administratif"),
        Source("bdtopo_buildings", "BD TOPO V3 buildings (with heights)", "IGN", LO2,
               "IGN - BD TOPO®", GEOPF_WFS, _ALL, _plan_bdtopo, needs_extent=True,
               doc_url="https://geoservices.ign.fr/bdtopo"),
        Source("cadastre_buildings", "Etalab cadastre buildings (PCI vecteur)", "DGFiP / Etalab", LO2,
               "DGFiP, cadastre Etalab", ETALAB_CADASTRE, _ADMIN, _cadastre_plan("batiments"),
               doc_url="https://cadastre.data.gouv.fr/datasets/cadastre-etalab"),
        Source("cadastre_parcels", "Etalab cadastre parcels (PCI vecteur)", "DGFiP / Etalab", LO2,
               "DGFiP, cadastre Etalab", ETALAB_CADASTRE, _ADMIN, _cadastre_plan("parcelles"),
               doc_url="https://cadastre.data.gouv.fr/datasets/cadastre-etalab"),
        Source("osm_buildings", "OpenStreetMap buildings (Overpass API)", "OpenStreetMap contributors",
               "ODbL 1.0 (Open Database License)", "© OpenStreetMap contributors", OVERPASS, _ALL, _plan_osm,
               default=False, doc_url="https://wiki.openstreetmap.org/wiki/Overpass_API",
               postprocess=convert_overpass_file),
        Source("rpg", "Registre Parcellaire Graphique (anonymous declared parcels)", "IGN / ASP", LO2,
               "IGN - RPG, original data from https://geoservices.ign.fr/rpg", GEOPF_WFS, _ALL, _plan_rpg,
               needs_extent=True, doc_url="https://geoservices.ign.fr/rpg"),
        Source("pvgis_tmy", "PVGIS typical meteorological year", "European Commission JRC",
               "free reuse with attribution (© European Union, 2001-2024)", "PVGIS © European Union",
               PVGIS_API, _ALL, _plan_pvgis("tmy", "pvgis_tmy", check.check_pvgis_tmy), needs_extent=True,
               doc_url="https://joint-research-centre.ec.europa.eu/photovoltaic-geographical-information-system-pvgis_en"),
        Source("pvgis_horizon", "PVGIS horizon profile", "European Commission JRC",
               "free reuse with attribution (© European Union, 2001-2024)", "PVGIS © European Union",
               PVGIS_API, _ALL, _plan_pvgis("printhorizon", "pvgis_horizon", check.check_pvgis_horizon),
               needs_extent=True,
               doc_url="https://joint-research-centre.ec.europa.eu/photovoltaic-geographical-information-system-pvgis_en"),
        Source("lidar_dsm", "IGN LiDAR HD digital surface model (MNS), 0.5 m tiles", "IGN", LO2,
               "IGN - LiDAR HD", GEOPF_WMS_R, _ALL, _plan_lidar, needs_extent=True, default=False,
               doc_url="https://geoservices.ign.fr/lidarhd"),
    ]
}

DEFAULT_SOURCES: tuple[str, ...] = tuple(name for name, s in SOURCES.items() if s.default)


def get_source(name: str) -> Source:
    """The source called ``name``; :class:`ConfigError` listing the known names otherwise."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ConfigError(
            f"unknown source {name!r}; known sources: {', '.join(SOURCES)}", key="fetch.sources"
        ) from None

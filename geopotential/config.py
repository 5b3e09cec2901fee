"""Typed run configuration.

One file (YAML or TOML) describes a run: the territory, the input files, the parameters of
each stage and the outputs. It is validated by the pydantic models below before anything
runs; unknown keys, wrong types, missing files and out-of-range values are reported as one
line naming the key. The commented template (``geopotential init-config``) and the JSON
schema (``docs/config.schema.json``) are generated from these models.

Relative paths in a config file are relative to the folder of that file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geopotential.balance.parameters import BalanceParameters
from geopotential.biogas.parameters import BiogasParameters
from geopotential.crs import DEFAULT_WORKING_CRS, parse_crs
from geopotential.exceptions import ConfigError
from geopotential.report.parameters import MapParameters
from geopotential.shading.parameters import ShadingParameters
from geopotential.solar.parameters import SolarParameters

RUN_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

#: Prefix of an input that names a source fetched into the cache (``cache:bdtopo_buildings``).
CACHE_PREFIX = "cache:"


def is_cached(path: Path | str | None) -> bool:
    """True when an input path names a fetched source (``cache:<source>``) instead of a file."""
    return path is not None and str(path).startswith(CACHE_PREFIX)


def cached_source(path: Path | str) -> str:
    """The source name of a ``cache:<source>`` input."""
    return str(path)[len(CACHE_PREFIX):]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LayerInput(_Strict):
    """A vector input file."""

    path: Path = Field(
        description="Path of the file (GPKG, SHP, GeoJSON, .json.gz), or `cache:<source>` for a source "
        "fetched with `geopotential fetch` (e.g. cache:bdtopo_buildings)."
    )
    layer: str | None = Field(None, description="Layer name inside a multi-layer file (GPKG).")
    crs: str | None = Field(
        None,
        description="CRS to assume when the file has none (e.g. a shapefile without .prj). "
        "Never overrides a CRS the file declares.",
    )
    source: Literal["auto", "bdtopo", "osm", "etalab", "generic"] = Field(
        "auto", description="Source schema used to map fields (buildings only)."
    )


class TerritoryConfig(_Strict):
    """What territory the run covers."""

    name: str = Field("Territoire", description="Name shown on the map and in the report.")
    communes: list[str] = Field(
        default_factory=list,
        description="INSEE codes to keep (5 characters); empty keeps every commune of the inputs.",
    )
    crs: str = Field(DEFAULT_WORKING_CRS, description="Working CRS, projected in metres [EPSG code].")
    synthetic: bool = Field(False, description="The inputs are synthetic (the demo): said on every output.")

    @field_validator("communes")
    @classmethod
    def _insee(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", str(c))]
        if bad:
            raise ValueError(f"not INSEE commune codes: {bad}")
        return [str(c) for c in v]

    @field_validator("crs")
    @classmethod
    def _crs(cls, v: str) -> str:
        parse_crs(v)
        return v


class InputsConfig(_Strict):
    """Input files. Every entry is optional; stages without their inputs are skipped or use
    documented defaults (e.g. clear-sky weather, per-inhabitant consumption)."""

    buildings: LayerInput | None = Field(None, description="Building footprints (BD TOPO, OSM, Etalab).")
    communes: LayerInput | None = Field(None, description="Commune polygons with INSEE code and name.")
    population: Path | None = Field(None, description="INSEE population CSV (code, population).")
    cadastre_parcels: LayerInput | None = Field(None, description="Cadastral parcels (Etalab).")
    rpg: LayerInput | None = Field(None, description="RPG agricultural parcels.")
    roads: LayerInput | None = Field(
        None,
        description="Road network (line layer: BD TOPO troncon_de_route, OSM highways), used by digester "
        "siting when biogas.distance is 'road'.",
    )
    livestock: Path | None = Field(None, description="Livestock heads per commune and category (CSV).")
    point_sources: Path | None = Field(None, description="Agrifood / wastewater sources with tonnages (CSV).")
    existing_plants: Path | None = Field(
        None,
        description="Existing biomethane plants (ODRE injection-site CSV): their supply is taken first in siting, "
        "and they give today's biomethane production when inputs.existing_production is not set.",
    )
    consumption: Path | None = Field(None, description="Consumption per commune and carrier (ORE/SDES CSV).")
    existing_production: Path | None = Field(None, description="Current renewable production per commune (CSV).")
    weather: Path | None = Field(
        None,
        description="Weather year: PVGIS TMY (CSV/JSON/EPW), EPW, NetCDF, UMEP met or canonical CSV. "
        "Without one, clear-sky weather scaled by monthly clear-sky indices is used (flagged approximate).",
    )
    irradiation_raster: Path | None = Field(None, description="Annual GHI GeoTIFF used to scale the weather spatially.")
    dsm: list[Path] = Field(default_factory=list, description="DSM GeoTIFF tile(s), mosaicked on the fly.")
    dem: list[Path] = Field(default_factory=list, description="DEM GeoTIFF tile(s) (ground height).")
    canopy: list[Path] = Field(default_factory=list, description="Vegetation canopy height GeoTIFF tile(s).")

    @field_validator("dsm", "dem", "canopy", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, (str, Path)):
            return [v]
        return v


class FetchConfig(_Strict):
    """Where `cache:<source>` inputs are found: the territory they were fetched for and the cache."""

    territory: list[str] = Field(
        default_factory=list,
        description="INSEE commune codes, a département code, or a bbox 'minlon,minlat,maxlon,maxlat', "
        "as given to `geopotential fetch`; empty uses territory.communes.",
    )
    cache_dir: Path | None = Field(
        None, description="Cache folder (default: GEOPOTENTIAL_CACHE_DIR, else the user's cache folder)."
    )


class StagesConfig(_Strict):
    """Which stages run."""

    solar: bool = Field(True, description="Rooftop PV potential per building.")
    shading: Literal["auto", "on", "off"] = Field(
        "auto", description="DSM shading engine: 'auto' runs it when a DSM is given."
    )
    biogas: bool = Field(True, description="Methanization potential and digester siting.")
    balance: bool = Field(True, description="Energy balance and 2050 scenario.")
    map: bool = Field(True, description="Interactive HTML map.")
    report: bool = Field(True, description="HTML report, summary.csv and figures.")


class OutputsConfig(_Strict):
    """Where and what the run writes."""

    dir: Path = Field(Path("outputs"), description="Folder holding the runs.")
    run_name: str = Field("run", description="Name of the run folder inside `dir` (letters, digits, _ . -).")
    geoparquet: bool = Field(False, description="Also write every layer as GeoParquet.")
    rasters: bool = Field(True, description="Write the roof irradiation raster when the shading stage runs.")

    @field_validator("run_name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if not RUN_NAME_RE.fullmatch(v) or ".." in v:
            raise ValueError(
                "must be 1-100 letters, digits, '_', '.' or '-', not starting with '.' "
                "(a run name cannot point outside the output folder)"
            )
        return v


class ExecutionConfig(_Strict):
    """How the work units run."""

    executor: Literal["serial", "processes", "dask"] = Field("serial", description="Executor of the work units.")
    workers: int = Field(2, ge=1, le=1024, description="Processes (or dask workers for a local cluster).")
    scheduler: str | None = Field(
        None, description="Address of an existing dask scheduler (tcp://host:port); a LocalCluster otherwise."
    )
    retries: int = Field(1, ge=0, le=10, description="Retries of a failed work unit.")
    resume: bool = Field(True, description="Reuse finished work units of an earlier interrupted run.")
    show_progress: bool = Field(True, description="Progress bars (off automatically when not a terminal).")


class Config(_Strict):
    """A geopotential run."""

    territory: TerritoryConfig = Field(default_factory=TerritoryConfig)
    inputs: InputsConfig = Field(default_factory=InputsConfig)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    stages: StagesConfig = Field(default_factory=StagesConfig)
    solar: SolarParameters = Field(default_factory=SolarParameters)
    shading: ShadingParameters = Field(default_factory=ShadingParameters)
    biogas: BiogasParameters = Field(default_factory=BiogasParameters)
    balance: BalanceParameters = Field(default_factory=BalanceParameters)
    map: MapParameters = Field(default_factory=MapParameters)
    outputs: OutputsConfig = Field(default_factory=OutputsConfig)
    execution: ExecutionConfig = Field(default_factory=ExecutionConfig)

    #: Folder of the config file; relative paths are resolved against it. Not a config key.
    base_dir: Path | None = Field(None, exclude=True, description="(internal) folder of the config file.")

    @model_validator(mode="after")
    def _resolve_paths(self) -> "Config":
        if self.base_dir is None:
            return self
        base = self.base_dir

        def fix(p: Path | None) -> Path | None:
            if p is None:
                return None
            if is_cached(p):
                return Path(str(p))
            p = Path(p).expanduser()
            return p if p.is_absolute() else (base / p)

        for name in type(self.inputs).model_fields:
            v = getattr(self.inputs, name)
            if isinstance(v, LayerInput):
                object.__setattr__(v, "path", fix(v.path))
            elif isinstance(v, list):
                object.__setattr__(self.inputs, name, [fix(p) for p in v])
            elif isinstance(v, Path):
                object.__setattr__(self.inputs, name, fix(v))
        object.__setattr__(self.outputs, "dir", fix(self.outputs.dir))
        if self.fetch.cache_dir is not None:
            object.__setattr__(self.fetch, "cache_dir", fix(self.fetch.cache_dir))
        return self

    def fetch_territory(self) -> list[str]:
        """Territory of the cached sources: ``fetch.territory``, else ``territory.communes``."""
        return list(self.fetch.territory or self.territory.communes)

    @property
    def run_dir(self) -> Path:
        """Final folder of the run's results [path]."""
        return Path(self.outputs.dir) / self.outputs.run_name

    def input_files(self) -> dict[str, Path]:
        """Every input file named in the config, keyed by its config key (cached sources resolved)."""
        out: dict[str, Path] = {}
        for name in type(self.inputs).model_fields:
            v = getattr(self.inputs, name)
            base = f"inputs.{name}"
            if isinstance(v, LayerInput):
                v, base = v.path, f"inputs.{name}.path"
            paths = v if isinstance(v, list) else [v] if v is not None else []
            for i, p in enumerate(paths):
                key = base + (f"[{i}]" if isinstance(v, list) else "")
                if is_cached(p):
                    for j, f in enumerate(self.cached_files(p)):
                        out[f"{key}:{j}"] = f
                else:
                    out[key] = Path(p)
        return out

    def resolve(self, paths: Path | list[Path] | None) -> list[Path]:
        """Input path(s) with every ``cache:<source>`` replaced by the cached files."""
        if paths is None:
            return []
        out: list[Path] = []
        for p in paths if isinstance(paths, list) else [paths]:
            out += self.cached_files(p) if is_cached(p) else [Path(p)]
        return out

    def cached_files(self, ref: Path | str) -> list[Path]:
        """Files of a ``cache:<source>`` input (raises FetchError naming the cache path when absent)."""
        from geopotential.connectors.fetch import cached_files

        territory = self.fetch_territory()
        if not territory:
            raise ConfigError("a cache: input needs fetch.territory or territory.communes", key="fetch.territory")
        return cached_files(cached_source(ref), territory, self.fetch.cache_dir)


# --- loading --------------------------------------------------------------------------


def _format_validation_error(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    key = ".".join(str(x) for x in err["loc"]) or "<root>"
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{source}: {key}: {msg}{more}"


def config_from_dict(data: dict[str, Any], base_dir: Path | None = None, source: str = "<config>") -> Config:
    """Validate a config mapping.

    Raises
    ------
    ConfigError
        One line naming the first offending key.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the config must be a mapping of sections, got {type(data).__name__}")
    try:
        return Config.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, source)) from None
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML (``.yaml``/``.yml``) or TOML (``.toml``) config file.

    Loading is safe: YAML is read with ``safe_load`` and nothing in the file is evaluated.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read config ({exc})") from None
    try:
        if p.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text) or {}
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{p}: not valid {'TOML' if p.suffix.lower() == '.toml' else 'YAML'}: {first}") from None
    return config_from_dict(data, base_dir=p.resolve().parent, source=str(p))


def config_to_dict(config: Config) -> dict[str, Any]:
    """The config as plain JSON-compatible data (paths as strings)."""
    return config.model_dump(mode="json", exclude={"base_dir"})

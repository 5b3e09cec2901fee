"""The territory a fetch covers: INSEE commune codes, a département or a bounding box."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geopotential.exceptions import ConfigError

_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_DEPARTEMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$")


def departement_of(insee: str) -> str:
    """Département code of an INSEE commune code (``"80021"`` -> ``"80"``, ``"97411"`` -> ``"974"``)."""
    return insee[:3] if insee.startswith("97") else insee[:2]


@dataclass(frozen=True)
class Territory:
    """A French territory given by exactly one of: INSEE commune codes, a département, a bbox.

    Parameters
    ----------
    insee
        INSEE commune codes (COG), e.g. ``("80021",)`` for Amiens.
    departement
        Département code, e.g. ``"80"``, ``"2A"``, ``"974"``.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in WGS84 [degrees].
    """

    insee: tuple[str, ...] = ()
    departement: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        given = [bool(self.insee), self.departement is not None, self.bbox is not None]
        if sum(given) != 1:
            raise ConfigError(
                "give exactly one of INSEE codes, a département or a bbox", key="territory"
            )
        if self.insee:
            codes = tuple(sorted({str(c).strip().upper() for c in self.insee}))
            bad = [c for c in codes if not _INSEE.match(c)]
            if bad:
                raise ConfigError(
                    f"not an INSEE commune code: {', '.join(bad)} (5 characters, e.g. 80021)",
                    key="territory.insee",
                )
            object.__setattr__(self, "insee", codes)
        if self.departement is not None:
            dep = str(self.departement).strip().upper()
            if len(dep) == 1 and dep.isdigit():
                dep = "0" + dep
            if not _DEPARTEMENT.match(dep):
                raise ConfigError(
                    f"not a département code: {self.departement!r} (e.g. 80, 2A, 974)",
                    key="territory.departement",
                )
            object.__setattr__(self, "departement", dep)
        if self.bbox is not None:
            object.__setattr__(self, "bbox", _check_bbox(self.bbox))

    # ---------------------------------------------------------------- builders
    @classmethod
    def parse(cls, value: "Territory | str | Sequence[str]") -> "Territory":
        """Build from a string: ``"80021"`` or ``"80021,80001"`` (INSEE), ``"80"`` (département),
        ``"2.2,49.8,2.4,49.95"`` (bbox); or from a sequence of INSEE code strings, or of four
        numbers (a bbox [degrees])."""
        if isinstance(value, Territory):
            return value
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if len(parts) == 1 and _DEPARTEMENT.match(parts[0].upper().zfill(2)) and len(parts[0]) <= 3:
                return cls(departement=parts[0])
            if len(parts) == 4 and all(_is_number(p) for p in parts) and any("." in p for p in parts):
                return cls(bbox=tuple(float(p) for p in parts))  # type: ignore[arg-type]
            return cls(insee=tuple(parts))
        values = list(value)
        if len(values) == 4 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return cls(bbox=tuple(float(v) for v in values))  # type: ignore[arg-type]
        return cls(insee=tuple(str(v) for v in values))

    # --------------------------------------------------------------- properties
    @property
    def kind(self) -> str:
        """``"insee"``, ``"departement"`` or ``"bbox"``."""
        if self.insee:
            return "insee"
        return "departement" if self.departement is not None else "bbox"

    @property
    def departements(self) -> tuple[str, ...]:
        """Départements the territory lies in (empty for a bbox)."""
        if self.insee:
            return tuple(sorted({departement_of(c) for c in self.insee}))
        return (self.departement,) if self.departement is not None else ()

    @property
    def key(self) -> str:
        """Stable folder name of the territory in the cache."""
        if self.insee:
            if len(self.insee) <= 4:
                return "insee-" + "_".join(self.insee)
            digest = hashlib.sha1(",".join(self.insee).encode()).hexdigest()[:10]
            return f"insee-{len(self.insee)}-{digest}"
        if self.departement is not None:
            return f"dep-{self.departement}"
        return "bbox-" + "_".join(f"{v:.5f}" for v in self.bbox)  # type: ignore[union-attr]

    def __str__(self) -> str:
        if self.insee:
            return "INSEE " + ", ".join(self.insee)
        if self.departement is not None:
            return f"département {self.departement}"
        return "bbox " + ",".join(f"{v:g}" for v in self.bbox)  # type: ignore[union-attr]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_bbox(values: Iterable[float]) -> tuple[float, float, float, float]:
    try:
        vals = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ConfigError("bbox must be four numbers min_lon,min_lat,max_lon,max_lat", key="territory.bbox") from None
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise ConfigError("bbox must be four numbers min_lon,min_lat,max_lon,max_lat", key="territory.bbox")
    min_lon, min_lat, max_lon, max_lat = vals
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise ConfigError(
            f"bbox {vals} is not min_lon,min_lat,max_lon,max_lat in degrees with min < max",
            key="territory.bbox",
        )
    return vals  # type: ignore[return-value]

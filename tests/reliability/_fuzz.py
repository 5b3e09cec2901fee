"""Mutations of real input files for the reader fuzz tests (truncation, byte flips).

Everything is seeded: a case is fully described by ``(file key, seed, case index)`` and
reproduced with :func:`mutate`.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mutation:
    """One mutated copy: which file of the set was changed and how."""

    target: str
    kind: str  # "truncate" or "flip"
    detail: str


def _flip(data: bytearray, rng: random.Random, n_flips: int, window: int | None) -> list[int]:
    hi = len(data) if window is None else min(len(data), window)
    positions = sorted(rng.randrange(hi) for _ in range(n_flips))
    for pos in positions:
        data[pos] ^= 1 << rng.randrange(8) if rng.random() < 0.5 else rng.randrange(1, 256)
    return positions


def mutate(files: list[Path], dest: Path, rng: random.Random, case: int) -> tuple[Path, Mutation]:
    """Copy ``files`` (a main file and its sidecars) into ``dest`` and corrupt one of them.

    Cases cycle through: truncation (anywhere), byte flips in the first 4 KiB (headers,
    table definitions, TIFF directories), byte flips anywhere.

    Returns
    -------
    (Path, Mutation)
        Path of the copied main file, and what was done.
    """
    dest.mkdir(parents=True, exist_ok=True)
    copies = []
    for f in files:
        c = dest / f.name
        shutil.copyfile(f, c)
        copies.append(c)
    target = copies[0] if len(copies) == 1 else rng.choice(copies)
    data = bytearray(target.read_bytes())
    mode = case % 3
    if mode == 0:
        cut = rng.randrange(1, len(data))
        target.write_bytes(bytes(data[:cut]))
        return copies[0], Mutation(target.name, "truncate", f"kept {cut} of {len(data)} bytes")
    n = rng.randint(1, 24)
    window = 4096 if mode == 1 else None
    pos = _flip(data, rng, n, window)
    target.write_bytes(bytes(data))
    return copies[0], Mutation(target.name, "flip", f"{n} byte(s) changed at {pos[:8]}{'...' if n > 8 else ''}")

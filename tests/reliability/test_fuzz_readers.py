"""Fuzzing the readers with truncated and byte-flipped copies of the real shared files.

Each reader must either return a result or raise one of the project's own exceptions
(:class:`geopotential.exceptions.GeopotentialError`). ``CASES`` mutated copies per file
and run (default 8; env ``GEOPOTENTIAL_FUZZ_CASES``), seeded by ``GEOPOTENTIAL_FUZZ_SEED``
(default ``0``; any text) so that a failure is reproduced by its seed and case number.
Explore more with e.g. ``GEOPOTENTIAL_FUZZ_SEED=7 GEOPOTENTIAL_FUZZ_CASES=64``.

Escapes already pinned by a strict-xfail regression test in ``test_corrupt_files.py``
(:data:`KNOWN_ESCAPES`) turn the run into an xfail; any other escape fails it.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import traceback
import warnings

import pytest

from geopotential.exceptions import GeopotentialError
from geopotential.io.buildings import read_buildings
from geopotential.io.communes import read_communes, read_population
from geopotential.io.dsm import read_raster
from geopotential.io.injection_sites import read_injection_sites
from geopotential.io.rpg import read_rpg
from geopotential.io.umep_met import read_umep_met
from geopotential.io.weather import read_epw, read_pvgis_tmy

from ._fuzz import mutate

SEED = os.environ.get("GEOPOTENTIAL_FUZZ_SEED", "0")
CASES = int(os.environ.get("GEOPOTENTIAL_FUZZ_CASES", "8"))

#: key -> (reader, files relative to the shared data folder; the first is the one opened).
TARGETS = {
    "rpg_gpkg": (read_rpg, ["rpg-2022-sample-fiboa/PARCELLES_GRAPHIQUES_sample100_2022.gpkg"]),
    "somme_communes_geojson": (read_communes, ["france-geojson-somme/communes-80-somme.geojson"]),
    "insee_population_csv": (read_population, ["insee-communes-population/communes_80_somme_insee.csv"]),
    "pvgis_tmy_csv": (read_pvgis_tmy, ["pvgis-weather/tmy_45.000_8.000_2005_2023.csv"]),
    "pvgis_tmy_json": (read_pvgis_tmy, ["pvgis-weather/tmy_45.000_8.000_2005_2023.json"]),
    "pvgis_tmy_epw": (read_pvgis_tmy, ["pvgis-weather/tmy_45.000_8.000_2005_2023.epw"]),
    "larochelle_epw": (read_epw, ["larochelle-tmyx/FRA_AC_La.Rochelle.Intl.AP.073160_TMYx_UWG.epw"]),
    "gothenburg_dsm_tif": (read_raster, ["umep-gothenburg/DSM_KRbig.tif"]),
    "gothenburg_buildings_shp": (read_buildings,
                                 [f"umep-gothenburg/buildings.{e}" for e in ("shp", "shx", "dbf", "prj")]),
    "injection_sites_csv": (read_injection_sites, ["biomethane-injection-sites/points-injection.csv"]),
    "larochelle_umep_met": (lambda p: read_umep_met(p, utc_offset_h=1),
                            ["larochelle-tmyx/FRA_AC_La.Rochelle.073150_TMYx.2004-2018_UMEP.txt"]),
}

#: (exception type, innermost geopotential function) -> the regression test that pins it.
KNOWN_ESCAPES = {
    ("ProjError", "geopotential/crs.py:ensure_crs"): "test_corrupt_files.py::test_corrupt_prj",
}


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/geopotential/" in f.filename.replace("\\", "/")]
    if not frames:
        return "<outside geopotential>"
    f = frames[-1]
    path = f.filename.replace("\\", "/")
    return f"{path[path.rindex('geopotential/'):]}:{f.name}"


@pytest.mark.parametrize("key", list(TARGETS))
def test_mutated_copies_give_only_project_errors(shared_data, tmp_path, key):
    reader, rel = TARGETS[key]
    files = [shared_data / r for r in rel]
    rng = random.Random(f"{key}|{SEED}")
    escapes, known, outcomes = [], [], {"result": 0, "project error": 0}
    logging.disable(logging.CRITICAL)
    try:
        for case in range(CASES):
            dest = tmp_path / f"case{case}"
            path, mutation = mutate(files, dest, rng, case)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    reader(path)
                outcomes["result"] += 1
            except GeopotentialError as exc:
                outcomes["project error"] += 1
                assert str(path) in str(exc) or path.name in str(exc), f"error does not name the file: {exc}"
            except Exception as exc:  # noqa: BLE001 - what the test is looking for
                sig = (type(exc).__name__, _where(exc))
                line = f"seed={SEED!r} case={case} {mutation}: {sig[0]} in {sig[1]}: {str(exc)[:200]}"
                (known if sig in KNOWN_ESCAPES else escapes).append(line)
            shutil.rmtree(dest, ignore_errors=True)
    finally:
        logging.disable(logging.NOTSET)
    assert not escapes, f"{key}: library exceptions escaped ({outcomes}):\n" + "\n".join(escapes + known)
    if known:
        pytest.xfail(f"{key}: known escape(s) pinned by strict xfail tests: " + "; ".join(known))


def test_mutations_are_seeded_and_change_the_file(shared_data, tmp_path):
    src = shared_data / "insee-communes-population" / "communes_80_somme_insee.csv"
    original = src.read_bytes()
    runs = []
    for attempt in ("a", "b"):
        rng = random.Random("same-seed")
        runs.append([])
        for case in range(6):
            path, m = mutate([src], tmp_path / attempt / str(case), rng, case)
            data = path.read_bytes()
            assert data != original
            if m.kind == "truncate":
                assert 0 < len(data) < len(original) and original.startswith(data)
            else:
                assert len(data) == len(original)
            runs[-1].append((m, data))
    assert runs[0] == runs[1]


def test_sidecar_mutation_copies_the_whole_set(shared_data, tmp_path):
    rel = TARGETS["gothenburg_buildings_shp"][1]
    path, m = mutate([shared_data / r for r in rel], tmp_path, random.Random(1), 1)
    assert path.name == "buildings.shp"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(r.split("/")[-1] for r in rel)
    assert m.target in {p.name for p in tmp_path.iterdir()}

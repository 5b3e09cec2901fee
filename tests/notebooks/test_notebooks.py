"""The researchers' notebooks execute on the demo territory, and are stored clean.

Each notebook of ``notebooks/`` is copied into a temporary ``<tmp>/notebooks/`` folder and
executed there with nbclient (its outputs land in ``<tmp>/outputs/notebooks/``, as they land in
the repository's git-ignored ``outputs/notebooks/``). The notebooks share that folder and run in
the order of :data:`SEQUENCE`: ``04_territory_balance`` first runs standalone (no demo run yet, it
runs the demo itself), then again after ``01_quickstart``, reusing its run as a user following
the README would. Any cell error fails the test with the cell's traceback, and every notebook
must show its matplotlib figures inline.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ["01_quickstart.ipynb", "02_solar_in_depth.ipynb", "03_biogas_in_depth.ipynb", "04_territory_balance.ipynb"]
#: Generous per-cell limit [s]: a hung kernel fails instead of blocking the suite.
CELL_TIMEOUT_S = 600


#: (notebook, minimum number of inline PNG figures) in execution order.
SEQUENCE = [
    ("02_solar_in_depth.ipynb", 6),
    ("03_biogas_in_depth.ipynb", 4),
    ("04_territory_balance.ipynb", 4),  # standalone: runs the demo itself
    ("01_quickstart.ipynb", 2),
    ("04_territory_balance.ipynb", 4),  # reuses the demo run of 01
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A temporary copy of the repository layout: ``notebooks/`` beside ``outputs/``."""
    base = tmp_path_factory.mktemp("nbrun")
    (base / "notebooks").mkdir()
    return base


def test_the_four_notebooks_are_there():
    assert NOTEBOOKS == EXPECTED


@pytest.mark.parametrize(("name", "min_figures"), SEQUENCE,
                         ids=[f"{i}-{n.split('_')[0]}" for i, (n, _) in enumerate(SEQUENCE)])
def test_notebook_executes(name: str, min_figures: int, workspace: Path):
    ran_before = (workspace / "outputs" / "notebooks" / "demo" / "run.json").exists()
    dst = workspace / "notebooks" / name
    shutil.copyfile(NOTEBOOK_DIR / name, dst)
    nb = nbformat.read(dst, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(dst.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:  # the message holds the failing cell and its traceback
        pytest.fail(f"{name} failed:\n{exc}", pytrace=False)
    nbformat.write(nb, dst)  # executed copy kept in the temp folder for inspection
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    # every code cell ran and the notebook wrote only inside the temp folder's outputs/
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    assert (workspace / "outputs" / "notebooks").is_dir()
    assert all(p.suffix == ".ipynb" for p in (workspace / "notebooks").iterdir()), "wrote beside the notebooks"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    n_png = sum("image/png" in o.get("data", {}) for o in outputs)
    assert n_png >= min_figures, f"{name}: {n_png} inline figures, expected at least {min_figures}"
    streams = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    if name == "04_territory_balance.ipynb":
        assert ("reusing the demo run" in streams) == ran_before
    if name == "01_quickstart.ipynb":
        run = json.loads((workspace / "outputs" / "notebooks" / "demo" / "run.json").read_text())
        assert run["meta"]["synthetic"] is True
    if name == "04_territory_balance.ipynb":
        assert (workspace / "outputs" / "notebooks" / "balance_full_autonomy.png").stat().st_size > 10_000


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_stored_clean(name: str):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert all(not c.outputs and c.execution_count is None for c in code), "outputs are stored"
    text = (NOTEBOOK_DIR / name).read_text(encoding="utf-8")
    # no absolute paths (POSIX home/tmp/work folders, Windows drives) in any cell
    assert not re.search(r"(?<![\w.])/(home|tmp|work|Users|root)/|[A-Za-z]:\\\\", text), "absolute path in notebook"
    # outputs go to ../outputs/notebooks/ relative to the notebook (the SETUP cell)
    assert any('OUT = Path("..") / "outputs" / "notebooks"' in c.source for c in code)


def test_notebooks_match_their_generator(tmp_path: Path):
    """The stored notebooks are exactly what scripts/make_notebooks.py writes (no hand edits)."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_notebooks.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for name in EXPECTED:
        assert (tmp_path / name).read_text(encoding="utf-8") == (NOTEBOOK_DIR / name).read_text(encoding="utf-8"), (
            f"{name} is stale: run python scripts/make_notebooks.py")

"""Write the researchers' notebooks of ``notebooks/`` (without outputs) from the cells below.

Usage::

    python scripts/make_notebooks.py            # (re)write notebooks/*.ipynb
    python scripts/make_notebooks.py --check    # exit 1 if a stored notebook differs

The notebooks are generated so that they stay clean (no outputs, no execution counts, no
absolute paths) and reviewable as Python. ``tests/notebooks/test_notebooks.py`` executes
them on the demo territory and checks that the stored files equal this script's output.
Cell sources live in ``scripts/notebook_cells/`` (one module per notebook).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from notebook_cells import balance, biogas, quickstart, solar  # noqa: E402

#: Notebook file name -> list of (kind, source) cells.
NOTEBOOKS = {
    "01_quickstart.ipynb": quickstart.CELLS,
    "02_solar_in_depth.ipynb": solar.CELLS,
    "03_biogas_in_depth.ipynb": biogas.CELLS,
    "04_territory_balance.ipynb": balance.CELLS,
}

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def build(cells) -> nbformat.NotebookNode:
    """A notebook (nbformat 4) from ``(kind, source)`` pairs, kind 'md' or 'code'."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    out = []
    for i, (kind, src) in enumerate(cells):
        src = src.strip("\n")
        cell = nbformat.v4.new_markdown_cell(src) if kind == "md" else nbformat.v4.new_code_cell(src)
        cell["id"] = f"c{i:02d}"  # stable ids: regenerating gives the same bytes
        out.append(cell)
    nb.cells = out
    nbformat.validate(nb)
    return nb


def render(cells) -> str:
    """The JSON text of a notebook as stored in the repository."""
    return nbformat.writes(build(cells)) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that the stored notebooks are up to date")
    ap.add_argument("--out", type=Path, default=NOTEBOOK_DIR, help="folder receiving the notebooks")
    args = ap.parse_args(argv)
    stale = []
    args.out.mkdir(parents=True, exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        path = args.out / name
        text = render(cells)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.stderr.write(f"stale notebooks (run scripts/make_notebooks.py): {', '.join(stale)}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

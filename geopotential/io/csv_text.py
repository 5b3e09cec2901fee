"""Checks of delimited text files before pandas parses them (shared by the CSV readers)."""

from __future__ import annotations

import csv
from pathlib import Path

from geopotential.exceptions import CorruptFileError, InputError


def check_csv_text(path: str | Path, what: str, require_rows: bool = False) -> None:
    """Refuse an empty, blank-only, header-only (when rows are required) or cut-mid-row CSV file.

    ``pd.read_csv(sep=None)`` raises a raw ``csv.Error`` on an empty or blank file, and
    silently pads a last row cut by an interrupted download. A file whose last line has
    fewer fields than the header and does not end with a line break is taken as truncated.

    Parameters
    ----------
    path
        CSV file (``;``, ``,`` or tab separated; UTF-8 with or without BOM, or Latin-1).
    what
        What the table holds, for the messages (e.g. ``"population"``).
    require_rows
        Raise when the file holds a header and no data row.

    Raises
    ------
    InputError
        The file does not exist.
    CorruptFileError
        Empty, blank, header-only (``require_rows``) or truncated file.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", path=p)
    raw = p.read_bytes()
    if not raw:
        raise CorruptFileError("file is empty (0 bytes)", path=p)
    if not raw.strip():
        raise CorruptFileError(f"file holds only blank lines (no {what} table)", path=p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if require_rows and len(lines) < 2:
        raise CorruptFileError(f"no data rows: the file holds only a header line (an empty {what} table)", path=p)
    header = lines[0]
    sep = max((";", "\t", ","), key=header.count)
    if len(lines) < 2 or not header.count(sep) or text.endswith(("\n", "\r")):
        return
    n_head = len(next(csv.reader([header], delimiter=sep)))
    n_last = len(next(csv.reader([lines[-1]], delimiter=sep)))
    if n_last < n_head:
        raise CorruptFileError(f"the last row has {n_last} of the {n_head} fields of the header and the file does "
                               "not end with a line break: truncated file (interrupted download?)", path=p)

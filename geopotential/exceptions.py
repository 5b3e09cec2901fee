"""Exception hierarchy of geopotential.

Every error the tool raises on purpose derives from :class:`GeopotentialError`, so that
the command line can print one clear line and choose the exit code, and so that a
caller can ``except GeopotentialError`` and catch them all (rioxarray's pattern).

Exit codes used by the CLI: 2 for bad usage, an invalid configuration or invalid
input (the user can fix it), 1 for a failure during computation.
"""

from __future__ import annotations

from pathlib import Path


class GeopotentialError(Exception):
    """Base class of every error geopotential raises on purpose."""

    exit_code: int = 1


class ConfigError(GeopotentialError):
    """The configuration is invalid: unknown key, wrong type, out-of-range value.

    Parameters
    ----------
    message
        What is wrong, in one line.
    key
        Dotted path of the offending configuration key, e.g. ``solar.system_losses_pct``.
    """

    exit_code = 2

    def __init__(self, message: str, key: str | None = None):
        self.key = key
        super().__init__(f"{key}: {message}" if key else message)


class InputError(GeopotentialError):
    """An input file or one of its fields cannot be used as it is.

    Parameters
    ----------
    message
        What is wrong, in one line.
    path
        The file concerned, named in the message.
    field
        The field (column, band, layer) concerned, if any.
    """

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None, field: str | None = None):
        self.path = Path(path) if path is not None else None
        self.field = field
        where = ""
        if path is not None:
            where = f"{path}"
            if field:
                where += f" [{field}]"
            where += ": "
        elif field:
            where = f"[{field}]: "
        super().__init__(where + message)


class MissingCRSError(InputError):
    """A spatial input has no coordinate reference system."""


class MissingFieldError(InputError):
    """A required field is missing from an input table."""


class CorruptFileError(InputError):
    """An input file is truncated, corrupt or not of the expected format."""


class ComputationError(GeopotentialError):
    """A stage failed while computing (not because of the user's inputs)."""

    exit_code = 1


class FetchError(GeopotentialError):
    """A remote source could not be downloaded (network, HTTP error, bad checksum)."""

    exit_code = 1

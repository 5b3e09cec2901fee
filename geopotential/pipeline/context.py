"""Run context: the working folders, the run log and its warning counts, stage timings."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geopotential.config import Config, config_to_dict
from geopotential.io.writers import file_fingerprint, safe_child

logger = logging.getLogger(__name__)

#: Config sections that do not change results (so they do not invalidate finished units).
NON_RESULT_SECTIONS = ("outputs", "execution", "map", "stages")


class WarningCounter(logging.Handler):
    """Counts the warnings and errors logged during a run, by logger and message template."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.levelname} {record.name}: {record.msg}"] += 1


@dataclass
class RunContext:
    """Everything a run needs besides the data: config, folders, log, timings.

    Attributes
    ----------
    config
        The validated config.
    run_dir
        Final folder of the results (``outputs/<run_name>``).
    staging_dir
        Folder the results are written to before being moved onto ``run_dir``.
    work_dir
        Folder of finished work units, keyed by a hash of the config and input
        fingerprints, kept across interrupted runs so that a rerun resumes.
    """

    config: Config
    run_dir: Path
    staging_dir: Path
    work_dir: Path
    fingerprints: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    warnings: WarningCounter = field(default_factory=WarningCounter)
    started: float = field(default_factory=time.time)

    @classmethod
    def create(cls, config: Config) -> "RunContext":
        out_root = Path(config.outputs.dir).resolve()
        out_root.mkdir(parents=True, exist_ok=True)
        run_dir = safe_child(out_root, config.outputs.run_name)
        fingerprints = {k: file_fingerprint(p) for k, p in config.input_files().items()}
        key = result_key(config, fingerprints)
        work_root = out_root / ".work" / config.outputs.run_name
        work_dir = work_root / key
        work_dir.mkdir(parents=True, exist_ok=True)
        for old in work_root.iterdir():  # units of an older config can never be reused
            if old.is_dir() and old.name != key:
                shutil.rmtree(old, ignore_errors=True)
        staging = out_root / f".{config.outputs.run_name}.staging-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        return cls(config=config, run_dir=run_dir, staging_dir=staging, work_dir=work_dir, fingerprints=fingerprints)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage and log its start and end."""
        logger.info("stage %s: start", name)
        t0 = time.perf_counter()
        try:
            yield
        finally:
            dt = time.perf_counter() - t0
            self.timings_s[name] = round(self.timings_s.get(name, 0.0) + dt, 3)
            logger.info("stage %s: %.2f s", name, dt)

    def work_path(self, *parts: str) -> Path:
        p = self.work_dir.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p


def result_key(config: Config, fingerprints: dict[str, Any]) -> str:
    """Hash of everything that changes the results: config (less outputs/execution) and inputs."""
    data = config_to_dict(config)
    for s in NON_RESULT_SECTIONS:
        data.pop(s, None)
    fp = {k: {kk: v.get(kk) for kk in ("size_bytes", "sha256", "sha256_partial")} for k, v in fingerprints.items()}
    blob = json.dumps({"config": data, "inputs": fp}, sort_keys=True, default=str)
    import geopotential

    blob += geopotential.__version__
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@contextlib.contextmanager
def run_logging(ctx: RunContext) -> Iterator[Path]:
    """Attach a log file (in the staging folder) and the warning counter for the run."""
    root = logging.getLogger("geopotential")
    log_path = ctx.staging_dir / "run.log"
    fh = logging.FileHandler(log_path, encoding="utf-8")
    fh.setLevel(logging.DEBUG)
    fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    old_level = root.level
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    root.addHandler(fh)
    root.addHandler(ctx.warnings)
    try:
        yield log_path
    finally:
        if ctx.warnings.counts:
            root.info("warning counts: %d in all", sum(ctx.warnings.counts.values()))
            for k, n in sorted(ctx.warnings.counts.items()):
                root.info("  %5d x %s", n, k)
        else:
            root.info("warning counts: none")
        root.removeHandler(fh)
        root.removeHandler(ctx.warnings)
        root.setLevel(old_level)
        fh.close()

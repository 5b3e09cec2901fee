"""Executors of independent work units: serial, a local process pool, or dask.distributed.

A work unit is a picklable :class:`UnitTask` handled by a top-level function that reads its
inputs by path and writes its own result file atomically. The executor runs the units,
retries a failed one, reports it without losing the others, and skips units whose result
file already exists (resume). In-process parallelism stays in the numba kernels; the
executors spread units across processes and machines.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing as mp
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from geopotential.exceptions import ConfigError, GeopotentialError

logger = logging.getLogger(__name__)

EXECUTORS = ("serial", "processes", "dask")


@dataclass(frozen=True)
class UnitTask:
    """One independent piece of work.

    Attributes
    ----------
    stage
        Stage name (``solar``, ``biogas``...).
    unit_id
        Identifier of the unit inside the stage (a commune code, a tile id).
    inputs
        Input file paths by name; the unit opens them itself.
    output
        Result file the unit writes atomically; its existence marks the unit finished.
    params
        Plain, picklable parameters (JSON-like).
    """

    stage: str
    unit_id: str
    inputs: dict[str, str]
    output: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.stage}:{self.unit_id}"


@dataclass
class UnitOutcome:
    """What happened to one unit."""

    task: UnitTask
    status: str  # "done", "reused", "failed"
    seconds: float = 0.0
    attempts: int = 0
    error: str = ""


def _call(func: Callable[[UnitTask], Any], task: UnitTask) -> float:
    t0 = time.perf_counter()
    func(task)
    return time.perf_counter() - t0


def _run_with_retries(func: Callable[[UnitTask], Any], task: UnitTask, retries: int) -> UnitOutcome:
    last = ""
    for attempt in range(1, retries + 2):
        try:
            seconds = _call(func, task)
            return UnitOutcome(task, "done", seconds, attempt)
        except GeopotentialError as exc:
            last = str(exc)
        except Exception as exc:  # a unit's failure must not stop the others
            last = f"{type(exc).__name__}: {exc}"
            logger.debug("unit %s failed:\n%s", task.key, traceback.format_exc())
        logger.warning("unit %s failed (attempt %d/%d): %s", task.key, attempt, retries + 1, last)
    return UnitOutcome(task, "failed", 0.0, retries + 1, last)


def run_units(
    tasks: Sequence[UnitTask],
    func: Callable[[UnitTask], Any],
    executor: str = "serial",
    workers: int = 2,
    scheduler: str | None = None,
    retries: int = 1,
    resume: bool = True,
    show_progress: bool = False,
    client: Any = None,
) -> list[UnitOutcome]:
    """Run ``func`` on every task and return one outcome per task, in the tasks' order.

    Parameters
    ----------
    tasks
        Work units.
    func
        Top-level (picklable) function ``func(task)`` that writes ``task.output``.
    executor
        ``"serial"``, ``"processes"`` or ``"dask"``.
    workers
        Number of processes, or of workers of the dask LocalCluster.
    scheduler
        Address of an existing dask scheduler (``tcp://host:port``); with ``executor="dask"``
        and no address, a LocalCluster is started for the call.
    retries
        Further attempts after a failure.
    resume
        Skip units whose output file already exists.
    show_progress
        Show a progress bar (``tqdm.auto``).
    client
        An existing ``distributed.Client`` to use instead of creating one.
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {executor!r}; choose one of {EXECUTORS}", key="execution.executor")
    outcomes: dict[str, UnitOutcome] = {}
    todo: list[UnitTask] = []
    for t in tasks:
        if resume and Path(t.output).exists():
            outcomes[t.key] = UnitOutcome(t, "reused")
        else:
            todo.append(t)
    if outcomes:
        logger.info("%d unit(s) already finished, reused", len(outcomes))
    stage = tasks[0].stage if tasks else ""
    bar = tqdm(total=len(todo), desc=f"{stage} units", disable=not show_progress or not todo, leave=False)
    try:
        if executor == "serial" or len(todo) <= 1 and client is None and scheduler is None and executor != "dask":
            for t in todo:
                outcomes[t.key] = _run_with_retries(func, t, retries)
                bar.update()
        elif executor == "processes":
            ctx = mp.get_context("spawn")
            with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futs = {pool.submit(_run_with_retries, func, t, retries): t for t in todo}
                for fut in cf.as_completed(futs):
                    t = futs[fut]
                    try:
                        outcomes[t.key] = fut.result()
                    except Exception as exc:  # the worker process died
                        outcomes[t.key] = UnitOutcome(t, "failed", error=f"worker died: {exc}")
                    bar.update()
        else:
            outcomes.update(_run_dask(todo, func, workers, scheduler, retries, bar, client))
    finally:
        bar.close()
    return [outcomes[t.key] for t in tasks]


def _run_dask(todo, func, workers, scheduler, retries, bar, client) -> dict[str, UnitOutcome]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - dask is a core dependency
        raise ConfigError("executor 'dask' needs the 'distributed' package", key="execution.executor") from None
    own_client = client is None
    cluster = None
    if own_client:
        try:
            if scheduler:
                client = Client(scheduler, timeout="20s")
            else:
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                client = Client(cluster)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach dask scheduler {scheduler!r}: {exc}", key="execution.scheduler") from None
    out: dict[str, UnitOutcome] = {}
    try:
        futs = client.map(_run_with_retries, [func] * len(todo), todo, [retries] * len(todo), pure=False)
        by_key = {f.key: t for f, t in zip(futs, todo)}
        for fut in as_completed(futs):
            t = by_key[fut.key]
            try:
                out[t.key] = fut.result()
            except Exception as exc:  # the worker died (killed, out of memory)
                out[t.key] = UnitOutcome(t, "failed", error=f"worker died: {type(exc).__name__}: {exc}")
            bar.update()
    finally:
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()
    return out

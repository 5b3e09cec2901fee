"""The benchmark suite of geopotential: one command, every figure in one JSON and one table.

Usage::

    python -m benchmarks.run [--sizes 10000,30000,100000] [--quick] [--out benchmarks/results]
                             [--skip-stage-benchmarks] [--only solar,shading,...] [--executor serial]

For each size it generates a synthetic territory (:mod:`benchmarks.synthetic_territory`,
2,000 buildings per km2 unless ``--area-km2`` is given) and runs the real pipeline
(:func:`geopotential.pipeline.runner.run_pipeline`) on it in a fresh child process, recording
per stage the wall time (the pipeline's own stage timer), the throughput and the peak
resident memory (RSS of the process and its children, sampled every 20 ms with psutil).
It then runs the stage benchmarks written beside it (``bench_solar``, ``bench_shading``,
``bench_zonal``, ``bench_biogas``, ``bench_map``), each in its own child process, keeps
their output and pulls out the ratios against the reference implementations (per-building
pvlib ModelChain, the numpy SEBE shadow caster, rasterstats.zonal_stats, the folium
baseline). Last, it fits ``t = a + b*n`` per stage over the sizes and reports whether the
cost grows linearly. Runs are sequential (one child at a time): this is a shared machine.

Writes ``<out>/benchmark-<UTC date>.json`` and ``<out>/benchmark-<UTC date>.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
logger = logging.getLogger("benchmarks.run")

#: Stage benchmarks: script, arguments (full run), arguments (--quick).
STAGE_BENCHES = {
    "solar": ("bench_solar.py", ["100000", "20"], ["10000", "5"]),
    "shading": ("bench_shading.py", ["1000", "2000"], ["400", "600"]),
    "zonal": ("bench_zonal.py", ["224"], ["70"]),
    "biogas": ("bench_biogas.py", ["--parcels", "1000000", "--points", "100000"],
               ["--parcels", "100000", "--points", "10000"]),
    "map": ("bench_map.py", ["--n", "60000"], ["--n", "5000"]),
}

#: What each pipeline stage's throughput is counted in (key of the territory manifest).
STAGE_UNITS = {
    "inputs": ("n_buildings", "buildings"),
    "solar": ("n_buildings", "buildings"),
    "biogas": ("n_rpg_parcels", "RPG parcels"),
    "aggregate": ("n_buildings", "buildings"),
    "write_gpkg": ("n_buildings", "buildings"),
    "write_rasters": ("dsm_pixels", "DSM px"),
    "map": ("n_buildings", "buildings"),
    "report": ("n_buildings", "buildings"),
    "total": ("n_buildings", "buildings"),
}


# ---------------------------------------------------------------------------------------
# memory sampling


class PeakSampler:
    """Peak RSS [MiB] of this process and its children, overall and per named window."""

    def __init__(self, period_s: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process()
        self._psutil = psutil
        self.period_s = period_s
        self.peak_mib = 0.0
        self.windows: dict[str, float] = {}
        self.cpu_s: dict[str, float] = {}
        self._open: dict[str, float] = {}
        self._cpu0: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def rss_mib(self) -> float:
        total = self._proc.memory_info().rss
        for c in self._proc.children(recursive=True):
            try:
                total += c.memory_info().rss
            except self._psutil.Error:
                pass
        return total / 2**20

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(self.period_s)

    def sample(self) -> None:
        try:
            v = self.rss_mib()
        except self._psutil.Error:
            return
        with self._lock:
            self.peak_mib = max(self.peak_mib, v)
            for k in self._open:
                self._open[k] = max(self._open[k], v)

    def cpu_total_s(self) -> float:
        """User + system CPU seconds of this process (all threads) and its reaped and live children."""
        c = self._proc.cpu_times()
        total = c.user + c.system + c.children_user + c.children_system
        for ch in self._proc.children(recursive=True):
            try:
                cc = ch.cpu_times()
                total += cc.user + cc.system
            except self._psutil.Error:
                pass
        return total

    def begin(self, name: str) -> None:
        v = self.rss_mib()
        with self._lock:
            self._open[name] = v
            self._cpu0[name] = self.cpu_total_s()

    def end(self, name: str) -> None:
        self.sample()
        with self._lock:
            if name in self._cpu0:
                self.cpu_s[name] = round(self.cpu_s.get(name, 0.0) + self.cpu_total_s() - self._cpu0.pop(name), 2)
            if name in self._open:
                self.windows[name] = max(self.windows.get(name, 0.0), self._open.pop(name))

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class StageHook(logging.Handler):
    """Opens and closes memory windows on the pipeline's ``stage X: start`` / ``stage X: N s`` log lines."""

    def __init__(self, sampler: PeakSampler) -> None:
        super().__init__(level=logging.INFO)
        self.sampler = sampler

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "stage %s: start":
            self.sampler.begin(str(record.args[0]))
        elif record.msg == "stage %s: %.2f s":
            self.sampler.end(str(record.args[0]))


# ---------------------------------------------------------------------------------------
# child processes


def child_pipeline(n: int, work: Path, result: Path, area_km2: float | None, executor: str, dsm: bool,
                   dsm_fraction: float = 1.0) -> None:
    """Generate (or reuse) a territory of ``n`` buildings, run the pipeline, write figures to ``result``."""
    from benchmarks.synthetic_territory import generate_territory, territory_config

    with PeakSampler() as sampler:
        tdir = work / (f"territory-{n}" + ("" if area_km2 is None else f"-{area_km2:g}km2")
                       + f"-dsm{dsm_fraction:g}")
        sampler.begin("generate")
        t0 = time.perf_counter()
        manifest = generate_territory(tdir, n, area_km2=area_km2, dsm_fraction=dsm_fraction)
        gen_s = time.perf_counter() - t0
        sampler.end("generate")
        runs = work / "runs"
        name = f"bench-{n}" + ("-dsm" if dsm else "")
        shutil.rmtree(runs / name, ignore_errors=True)
        shutil.rmtree(runs / ".work" / name, ignore_errors=True)  # no unit or yield table reused
        cfg = territory_config(manifest, runs, name, executor=executor, dsm=dsm)
        from geopotential.pipeline.runner import run_pipeline

        root = logging.getLogger("geopotential")
        root.setLevel(logging.INFO)
        hook = StageHook(sampler)
        root.addHandler(hook)
        sampler.begin("total")
        try:
            res = run_pipeline(cfg)
        finally:
            sampler.end("total")
            root.removeHandler(hook)
        rj = json.loads((res.run_dir / "run.json").read_text(encoding="utf-8"))
    units = rj.get("units", [])
    out = {
        "n_buildings": n,
        "territory": {k: v for k, v in manifest.items() if k not in ("paths", "synthetic")},
        "generation_s_this_run": round(gen_s, 2),
        "executor": executor,
        "dsm": dsm,
        "timings_s": res.timings_s,
        "peak_rss_mib": {k: round(v, 1) for k, v in sampler.windows.items()},
        "peak_rss_mib_process": round(sampler.peak_mib, 1),
        "cpu_s": sampler.cpu_s,
        "solar_units": [{"unit": u["unit"], "seconds": u["seconds"]} for u in units],
        "totals": res.totals,
        "warnings": sum(res.warnings.values()),
    }
    result.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")


def child_script(script: Path, args: list[str], result: Path) -> None:
    """Run a stage benchmark script as ``__main__`` and record its peak RSS."""
    import resource
    import runpy

    sys.argv = [str(script), *args]
    t0 = time.perf_counter()
    code = 0
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    wall = time.perf_counter() - t0
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    result.write_text(json.dumps({"wall_s": round(wall, 2), "peak_rss_mib": round(peak / 1024, 1), "exit": code}))


def _spawn(args: list[str], result: Path, log: Path) -> tuple[dict | None, str, float]:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.run", *args], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=fh, text=True)
    wall = time.perf_counter() - t0
    data = json.loads(result.read_text(encoding="utf-8")) if result.exists() else None
    if proc.returncode != 0 and data is None:
        logger.error("child %s failed (exit %d), see %s", args[:3], proc.returncode, log)
    return data, proc.stdout, wall


# ---------------------------------------------------------------------------------------
# parsing the stage benchmarks' printed figures

_NUM = r"([-+]?\d[\d,]*\.?\d*(?:e[-+]?\d+)?)"


def _f(text: str, pattern: str, group: int = 1) -> float | None:
    m = re.search(pattern, text, re.M)
    return float(m.group(group).replace(",", "")) if m else None


def parse_stage(name: str, out: str) -> dict:
    """The headline figures of a stage benchmark's output (None where a line was not found)."""
    if name == "solar":
        return {
            "vectorised_total_s": _f(out, r"TOTAL \(target < 60 s\)\s+" + _NUM),
            "modelchain_ms_per_building": _f(out, r"ModelChain per building \(.*\)\s+" + _NUM + r" ms"),
            "modelchain_extrapolated_s": _f(out, r"ModelChain per building, extrapolated to [\d,]+\s+" + _NUM),
            "ratio_vs_modelchain_per_building": _f(out, r"ratio naive / vectorised\s+" + _NUM),
            "reference": "one pvlib ModelChain per roof face of each building",
        }
    if name == "shading":
        return {
            "numpy_sebe_s": _f(out, r"\| numpy shift-and-compare[^|]*\| " + _NUM),
            "numba_all_px_s": _f(out, r"\| numba sweep, all pixels \| " + _NUM),
            "ratio_vs_numpy_sebe": _f(out, r"\| numba sweep, all pixels \|[^|]*\|[^|]*\| \*\*" + _NUM + r"x"),
            "ratio_vs_numpy_sebe_roofs_only": _f(out, r"\| numba sweep, results on roof[^|]*\|[^|]*\|[^|]*\| \*\*" + _NUM + r"x"),
            "px_patch_per_s": _f(out, r"\| numba sweep, all pixels \|[^|]*\| " + _NUM),
            "tile_s_all_px": _f(out, r"all pixels: " + _NUM + r" s per tile"),
            "tile_s_roofs_only": _f(out, r"roofs only: " + _NUM + r" s per tile"),
            "tile_mpx": _f(out, r"= \d+\^2 px \(" + _NUM + r" Mpx\)"),
            "amiens_1p8e8px_min_all_px": _f(out, r"extrapolated " + _NUM + r" min \(all pixels\)"),
            "amiens_1p8e8px_min_roofs_only": _f(out, _NUM + r" min \(roofs only\)"),
            "median_abs_diff_pct": _f(out, r"median \|diff\| " + _NUM + r"%"),
            "reference": "numpy shift-and-compare SEBE (reference_sebe.py), 145 sky patches",
        }
    if name == "zonal":
        return {
            "rasterstats_s": _f(out, r"\| rasterstats\.zonal_stats[^|]*\| " + _NUM),
            "ours_s": _f(out, r"\| geopotential zonal_table[^|]*\| " + _NUM),
            "ours_buildings_per_s": _f(out, r"\| geopotential zonal_table[^|]*\|[^|]*\| " + _NUM),
            "ratio_vs_rasterstats": _f(out, r"\| geopotential zonal_table[^|]*\|[^|]*\|[^|]*\| \*\*" + _NUM + r"x"),
            "reference": "rasterstats.zonal_stats on an ndarray",
        }
    if name == "biogas":
        rows = re.findall(r"^(.+?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)$", out, re.M)
        return {
            "rows": [{"step": s.strip(), "n": int(n), "seconds": float(t), "s_per_1e6": float(p)} for s, n, t, p in rows],
            "scaling_10x_potentials": _f(out, r"potentials " + _NUM + r"x"),
            "scaling_10x_siting": _f(out, r"siting " + _NUM + r"x"),
            "reference": "none (10x smaller run side by side: scaling ratio)",
        }
    if name == "map":
        m = re.search(r"^geopotential map[^\n]*?\s+" + r"\s+".join([_NUM] * 7), out, re.M)
        keys = ("html_mb", "gz_mb", "write_s", "load_s", "ready_s", "wall_s", "draw_z16_s")
        d = {k: float(v.replace(",", "")) for k, v in zip(keys, m.groups())} if m else {}
        d.update({
            "ratio_size_vs_folium": _f(out, r"ratios baseline/ours: size " + _NUM),
            "ratio_write_vs_folium": _f(out, r"write " + _NUM + r"x"),
            "ratio_load_vs_folium": _f(out, r"load " + _NUM + r"x"),
            "limits": (re.search(r"^limits: .*$", out, re.M) or [None])[0],
            "reference": "folium GeoJson + tooltip (perf-anchors D)",
        })
        return d
    return {}


# ---------------------------------------------------------------------------------------
# linearity and the table


def linearity(rows: list[dict], key: str = "timings_s") -> dict:
    """Per stage: least-squares ``t = a + b*n``, the log-log slope between the extreme sizes, a verdict.

    ``key`` is ``timings_s`` (wall) or ``cpu_s`` (CPU seconds, less sensitive to other load).
    """
    out: dict[str, dict] = {}
    stages = [s for s in rows[-1].get(key, {}) if s not in ("generate",)]
    for s in stages:
        pts = [(r["n_buildings"], r[key][s]) for r in rows if s in r.get(key, {})]
        if len(pts) < 2:
            continue
        n = np.array([p[0] for p in pts], float)
        t = np.array([p[1] for p in pts], float)
        b, a = np.polyfit(n, t, 1)
        slope = float(np.log(t[-1] / t[0]) / np.log(n[-1] / n[0])) if t[0] > 0 and t[-1] > 0 else float("nan")
        resid = float(np.max(np.abs(t - (a + b * n)) / np.maximum(t, 1e-9))) if len(pts) > 2 else 0.0
        verdict = ("linear" if 0.85 <= slope <= 1.15 else "sub-linear (fixed cost dominates)" if slope < 0.85
                   else "super-linear")
        out[s] = {"n": n.astype(int).tolist(), "seconds": t.round(3).tolist(), "fixed_s": round(float(a), 3),
                  "s_per_1000_buildings": round(float(b) * 1000, 4), "loglog_slope": round(slope, 3),
                  "max_rel_residual_linear_fit": round(resid, 3), "verdict": verdict}
    return out


def table(report: dict) -> str:
    L = [f"# geopotential benchmark, {report['date']}", "",
         f"Machine: {report['machine']['cpus']} CPUs, {report['machine']['mem_gib']} GiB, load average at start "
         f"{report['machine']['loadavg_start']}; executor `{report['executor']}`; shared machine, expect +-20 % noise.", ""]
    for r in report["pipeline"]:
        t = r["territory"]
        L += [f"## Pipeline on {r['n_buildings']:,} buildings ({t['args']['area_km2']:g} km2, {t['n_communes']} communes, "
              f"{t['n_rpg_parcels']:,} RPG parcels, {t['n_cadastre_parcels']:,} cadastral parcels, "
              + (f"DSM {t['dsm_pixels'] / 1e6:.2f} Mpx over {t['n_buildings_inside_dsm']:,} buildings)" if r.get("dsm", True)
                 else "no DSM: footprint roofs only)"), "",
              "| stage | wall [s] | CPU [s] | throughput (wall) | peak RSS [MiB] |", "|---|---:|---:|---:|---:|"]
        for s, sec in r["timings_s"].items():
            key, unit = STAGE_UNITS.get(s, ("n_buildings", "buildings"))
            cnt = t.get(key, r["n_buildings"])
            thr = f"{cnt / sec:,.0f} {unit}/s" if sec > 0 and cnt else "-"
            L.append(f"| {s} | {sec:.2f} | {r.get('cpu_s', {}).get(s, float('nan')):.1f} | {thr} | "
                     f"{r['peak_rss_mib'].get(s, float('nan')):,.0f} |")
        L += [f"| (territory generation) | {r['territory']['generation_s']:.2f} | | | "
              f"{r['peak_rss_mib'].get('generate', float('nan')):,.0f} |",
              "", f"Peak RSS of the whole child process: {r['peak_rss_mib_process']:,.0f} MiB.", ""]
    for key, what in (("linearity", "wall seconds"), ("linearity_cpu", "CPU seconds")):
        if not report.get(key):
            continue
        L += [f"## Linearity in {what} (t = a + b*n over the sizes)", "",
              "| stage | seconds at each size | fixed a [s] | b [s per 1,000 buildings] | log-log slope | verdict |",
              "|---|---|---:|---:|---:|---|"]
        for s, d in report[key].items():
            L.append(f"| {s} | {' / '.join(f'{x:.2f}' for x in d['seconds'])} | {d['fixed_s']:.2f} | "
                     f"{d['s_per_1000_buildings']:.3f} | {d['loglog_slope']:.2f} | {d['verdict']} |")
        L.append("")
    if report.get("stage_benchmarks"):
        L += ["## Stage benchmarks against the reference implementations", "",
              "| benchmark | args | wall [s] | peak RSS [MiB] | headline |", "|---|---|---:|---:|---|"]
        for name, d in report["stage_benchmarks"].items():
            p = d.get("parsed", {})
            head = {
                "solar": lambda: f"{p.get('ratio_vs_modelchain_per_building')}x vs ModelChain per building "
                                 f"(vectorised {p.get('vectorised_total_s')} s)",
                "shading": lambda: f"{p.get('ratio_vs_numpy_sebe')}x vs numpy SEBE (all px), "
                                   f"{p.get('ratio_vs_numpy_sebe_roofs_only')}x roofs only; "
                                   f"{p.get('px_patch_per_s')} px.patch/s",
                "zonal": lambda: f"{p.get('ratio_vs_rasterstats')}x vs rasterstats "
                                 f"({p.get('ours_buildings_per_s')} buildings/s)",
                "biogas": lambda: "; ".join(f"{x['step']} n={x['n']:,}: {x['seconds']} s" for x in p.get("rows", [])),
                "map": lambda: f"{p.get('html_mb')} MB, write {p.get('write_s')} s, wall load {p.get('wall_s')} s; "
                               f"vs folium: size {p.get('ratio_size_vs_folium')}x, load {p.get('ratio_load_vs_folium')}x",
            }.get(name, lambda: "")()
            L.append(f"| {name} | {' '.join(d['args'])} | {d.get('wall_s', float('nan')):.1f} | "
                     f"{d.get('peak_rss_mib', float('nan')):,.0f} | {head} |")
        L.append("")
    return "\n".join(L)


# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="building counts, comma-separated (default 10000,30000,100000)")
    ap.add_argument("--quick", action="store_true", help="small sizes (2000,5000,10000) and small stage benchmarks")
    ap.add_argument("--out", default=str(HERE / "results"), help="folder of the JSON and table")
    ap.add_argument("--work", default=None, help="folder of the territories and runs (default <out>/work)")
    ap.add_argument("--area-km2", type=float, default=None, help="fixed area for every size (default 2,000 buildings/km2)")
    ap.add_argument("--executor", default="serial", choices=("serial", "processes", "dask"))
    ap.add_argument("--no-dsm", action="store_true", help="run the pipeline without the DSM (footprint roofs only)")
    ap.add_argument("--dsm-fraction", type=float, default=1.0,
                    help="share of the territory under the DSM (default 1: LiDAR everywhere; see README on < 1)")
    ap.add_argument("--skip-stage-benchmarks", action="store_true")
    ap.add_argument("--only", default=None, help="stage benchmarks to run, comma-separated (%s)" % ",".join(STAGE_BENCHES))
    ap.add_argument("--skip-pipeline", action="store_true")
    ap.add_argument("--child-pipeline", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-script", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.child_pipeline:
        child_pipeline(a.child_pipeline, Path(a.work), Path(a.result), a.area_km2, a.executor, not a.no_dsm,
                       a.dsm_fraction)
        return 0
    if a.child_script:
        child_script(Path(a.child_script), a.rest, Path(a.result))
        return 0

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    sizes = [int(s) for s in (a.sizes or ("2000,5000,10000" if a.quick else "10000,30000,100000")).split(",")]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(a.work) if a.work else out / "work"
    work.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    import psutil

    report = {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": {"cpus": os.cpu_count(), "mem_gib": round(psutil.virtual_memory().total / 2**30, 1),
                    "loadavg_start": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version(),
                    "platform": platform.platform()},
        "executor": a.executor, "quick": a.quick, "pipeline": [], "stage_benchmarks": {},
    }
    try:
        from geopotential.versions import versions

        report["versions"] = versions()
    except Exception:  # versions are informative only
        pass

    if not a.skip_pipeline:
        for n in sizes:
            logger.info("pipeline on %d synthetic buildings ...", n)
            res = work / f"pipeline-{n}.json"
            res.unlink(missing_ok=True)
            args = ["--child-pipeline", str(n), "--work", str(work), "--result", str(res), "--executor", a.executor]
            if a.area_km2:
                args += ["--area-km2", str(a.area_km2)]
            if a.no_dsm:
                args.append("--no-dsm")
            args += ["--dsm-fraction", str(a.dsm_fraction)]
            data, _, wall = _spawn(args, res, work / f"pipeline-{n}.log")
            if data is None:
                report["pipeline"].append({"n_buildings": n, "error": f"see {work / f'pipeline-{n}.log'}"})
                continue
            data["child_wall_s"] = round(wall, 2)
            report["pipeline"].append(data)
            logger.info("  %d buildings: total %.1f s (%s)", n, data["timings_s"].get("total", float("nan")),
                        ", ".join(f"{k} {v:.1f}" for k, v in data["timings_s"].items() if k != "total"))
        ok = [r for r in report["pipeline"] if "timings_s" in r]
        if len(ok) >= 2:
            report["linearity"] = linearity(ok)
            report["linearity_cpu"] = linearity(ok, "cpu_s")

    if not a.skip_stage_benchmarks:
        names = a.only.split(",") if a.only else list(STAGE_BENCHES)
        for name in names:
            script, full, quick = STAGE_BENCHES[name]
            path = HERE / script
            if not path.exists():
                report["stage_benchmarks"][name] = {"args": [], "error": f"{script} not found"}
                continue
            args = list(quick if a.quick else full)
            if name == "map":
                args += ["--out", str(work / "bench-map")]
            logger.info("stage benchmark %s %s ...", script, " ".join(args))
            res = work / f"stage-{name}.json"
            res.unlink(missing_ok=True)
            data, stdout, wall = _spawn(["--child-script", str(path), "--result", str(res), "--", *args], res,
                                        work / f"stage-{name}.log")
            entry = {"script": f"benchmarks/{script}", "args": args, "stdout": stdout, **(data or {"error": "failed"})}
            entry["parsed"] = parse_stage(name, stdout)
            report["stage_benchmarks"][name] = entry
            sys.stdout.write(f"\n--- {script} {' '.join(args)} ---\n{stdout}")

    stamp = now.strftime("%Y-%m-%d")
    jpath = out / f"benchmark-{stamp}{'-quick' if a.quick else ''}.json"
    jpath.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    text = table(report)
    jpath.with_suffix(".md").write_text(text + "\n", encoding="utf-8")
    sys.stdout.write("\n" + text + f"\nwritten: {jpath} and {jpath.with_suffix('.md')}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

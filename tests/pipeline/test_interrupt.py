"""Ctrl-C during a run: previous results stay intact, finished units are kept, the rerun resumes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from geopotential.config import config_to_dict
from geopotential.pipeline.solar_stage import FAIL_UNIT_ENV


def _exe() -> str:
    exe = shutil.which("geopotential", path=str(Path(sys.executable).parent))
    assert exe, "the geopotential command is not installed in this environment"
    return exe


def _mtime(path: Path) -> int:
    """Modification time [ns], 0 for a file removed meanwhile (the old work folder is being deleted)."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _write_config(make_config, path: Path, losses: float) -> Path:
    cfg = make_config("r", stages={"shading": "off", "map": False, "report": False},
                      solar={"system_losses_pct": losses})
    path.write_text(yaml.safe_dump(config_to_dict(cfg), allow_unicode=True), encoding="utf-8")
    return path


def test_ctrl_c_keeps_previous_results_and_rerun_resumes(make_config, tmp_path):
    first = _write_config(make_config, tmp_path / "first.yaml", 14.0)
    proc = subprocess.run([_exe(), "run", str(first), "--no-progress"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "outputs"
    run_dir = out / "r"
    before = (run_dir / "run.json").read_bytes()

    second = _write_config(make_config, tmp_path / "second.yaml", 20.0)
    env = dict(os.environ, **{FAIL_UNIT_ENV: "solar:80674:hang"})  # the last commune unit hangs
    started_ns = time.time_ns()
    p = subprocess.Popen([_exe(), "run", str(second), "--no-progress"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    units = out / ".work" / "r"
    deadline = time.time() + 300
    done: dict[str, int] = {}
    while time.time() < deadline and p.poll() is None:
        # only files this run wrote (the first run's work folder is removed when it starts)
        planned = [f for f in units.glob("*/solar/units/*.buildings.parquet") if _mtime(f) > started_ns]
        done = {f.name: _mtime(f) for f in units.glob("*/solar/units/*.buildings_pv.parquet")
                if not f.name.startswith("80674") and _mtime(f) > started_ns}
        if planned and len(done) == len(planned) - 1:  # every unit but the hanging one finished
            break
        time.sleep(0.2)
    assert done, "no unit finished before the interruption"
    assert p.poll() is None, p.communicate()
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=120)
    assert p.returncode == 130, (stdout, stderr)
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert (run_dir / "run.json").read_bytes() == before  # previous results intact
    assert not [d for d in out.iterdir() if ".staging-" in d.name]

    proc = subprocess.run([_exe(), "run", str(second), "--no-progress"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    after = {f.name: f.stat().st_mtime_ns for f in units.glob("*/solar/units/*.buildings_pv.parquet")}
    for name, mtime in done.items():
        assert after[name] == mtime, f"{name} recomputed instead of reused"
    assert (run_dir / "run.json").read_bytes() != before
    assert '"system_losses_pct": 20.0' in (run_dir / "run.json").read_text()

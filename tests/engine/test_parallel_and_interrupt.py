"""Parallel workers truly overlap; Ctrl-C still writes the report of what ran."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support.reporting import load_report
from tests.child_processes import child_env

from .conftest import EngineHarness

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPTS = Path(__file__).parent / "scripts"


def meet(marker_dir: Path, me: str, other: str, wait: float = 3.0):
    """Passes only if the other scenario runs at the same time: each waits for the other's marker."""
    def test_function(framework) -> int:
        (marker_dir / me).touch()
        deadline = time.monotonic() + wait
        while not (marker_dir / other).exists():
            assert time.monotonic() < deadline, f"{other} never ran alongside {me}"
            time.sleep(0.01)
        return os.getpid()
    return test_function


def test_independent_scenarios_overlap_in_parallel(engine: EngineHarness) -> None:
    engine.add("left", meet(engine.tmp, "left", "right"))
    engine.add("right", meet(engine.tmp, "right", "left"))
    report = engine.run(parallel=True, workers=2)
    assert report["summary"]["successful"] == 2, report["results"]
    pids = {r.outcome for r in engine.framework.last_results}
    assert len(pids) == 2 and os.getpid() not in pids
    assert report["summary"]["workers"] == 2


def test_a_dependent_is_dispatched_as_soon_as_its_dependency_passed(engine: EngineHarness) -> None:
    # "slow" holds one worker; "quick" then its dependent "next" must both finish on the other meanwhile.
    def slow(framework) -> None:
        deadline = time.monotonic() + 3
        while not (engine.tmp / "next").exists():
            assert time.monotonic() < deadline, "next was not dispatched while slow ran"
            time.sleep(0.01)

    engine.add("slow", slow)
    engine.add("quick", lambda framework: None)
    engine.add("next", lambda framework: (engine.tmp / "next").touch(), dependencies=["quick"])
    report = engine.run(parallel=True, workers=2)
    assert report["summary"]["successful"] == 3, report["results"]


def test_sequential_runs_never_overlap(engine: EngineHarness) -> None:
    engine.add("left", meet(engine.tmp, "left", "right", wait=1.0), timeout_seconds=10)
    engine.add("right", meet(engine.tmp, "right", "left"))
    results = engine.by_name(engine.run())
    assert results["left"]["status"] == "failed"
    assert "right never ran alongside left" in results["left"]["error"]


def test_ctrl_c_kills_workers_runs_cleanup_and_still_writes_the_report(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    # The script creates (and at the end destroys) its own test database: never the one pytest uses.
    env = child_env("sigint")
    process = subprocess.Popen([sys.executable, str(SCRIPTS / "interrupted_run.py"), str(report_path), str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 90  # Django set-up and a test database, on a loaded machine
        while not (tmp_path / "slow-started").exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the slow scenario never started"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGUSR1)  # faulthandler: where is it stuck?
            time.sleep(1)
            process.kill()
            _, stuck = process.communicate()
            pytest.fail(f"the interrupted run did not end within 30 s; its stacks:\n{stuck}")
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert "RunInterrupted: SIGINT" in stderr
    report = load_report(report_path)
    assert report["summary"]["interrupted"] is True
    statuses = {r["scenario_name"]: (r["status"], r["error"]) for r in report["results"]}
    assert statuses == {
        "quick": ("passed", None),
        "slow": ("error", "interrupted (SIGINT) during attempt 1"),
    }
    assert (tmp_path / "slow-cleaned").exists()


def test_file_sqlite_workers_use_clones_that_are_removed_afterwards(tmp_path: Path) -> None:
    completed = subprocess.run([sys.executable, str(SCRIPTS / "file_sqlite_run.py"), str(tmp_path)],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    seen = json.loads(completed.stdout.strip().splitlines()[-1])
    assert seen["statuses"] == ["passed", "passed"]
    main = str(tmp_path / "engine_test.sqlite3")
    for name in seen["databases"]:
        assert name != main and name.startswith(str(tmp_path / "engine_test_")), name
    assert seen["files_left"] == []  # clones and the test database itself are gone

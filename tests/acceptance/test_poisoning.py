"""What a step can do to its worker process: the scenario is `error` with the reason, the next one runs in a clean
worker, and nothing is left behind (no worker process, poisoned or not, and no test database) — sequentially and
with -j 2, on SQLite or on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import json
import re

import pytest

from tests.acceptance.leftovers import leftover_databases, wait_until_gone

REPLACED = "; its worker was replaced"
REASONS = {
    "poison: A step calls sys.exit": "the scenario raised SystemExit" + REPLACED,
    "poison: A step raises KeyboardInterrupt": "the scenario raised KeyboardInterrupt" + REPLACED,
    "poison: A step calls os._exit": "worker process died: exit code 7",
    "poison: A step closes stdout and stderr": "the scenario closed stdout (file descriptor 1)" + REPLACED,
    "poison: A step leaves a thread running": "the scenario left 1 thread(s) running (leaked-by-step)" + REPLACED,
}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_poisoned_worker_is_replaced_and_the_next_scenario_runs_clean(make_project, jobs):
    project = make_project("poison")
    process = project.start("-f", "plain", "-j", jobs)
    output, _ = process.communicate(timeout=180)

    assert process.returncode == 1, output
    report = json.loads((project.path / "reports" / "report.json").read_text())
    results = {r["scenario_name"]: r for r in report["results"]}
    for name, reason in REASONS.items():
        assert results[name]["status"] == "error", results[name]
        assert results[name]["error"].startswith(reason), results[name]["error"]
    after = {name: r["status"] for name, r in results.items() if ": After " in name}
    assert set(after.values()) == {"passed"} and len(after) == 5, after
    assert re.search(r"^acceptance: 5 passed, 5 failed$", output, re.MULTILINE), output
    assert leftover_databases(process.pid, process.db_suffix) == []
    poisoned = [int(path.name.split("-")[1]) for path in project.path.glob("poisoned-*")]
    assert len(poisoned) == 5, poisoned  # one worker per poisoning: each was replaced (os._exit's died)
    assert wait_until_gone(poisoned) == [], "a replaced worker outlived the run"
    # Allure (parent and workers write into one folder) shows each scenario's latest result: the engine's verdict.
    latest: dict[str, dict] = {}
    for path in (project.path / "reports" / "allure-results").glob("*-result.json"):
        data = json.loads(path.read_text())
        if data["name"] not in latest or data["stop"] > latest[data["name"]]["stop"]:
            latest[data["name"]] = data
    assert len(latest) == 10
    for name in REASONS:
        assert latest[name.removeprefix("poison: ")]["status"] == "broken", latest[name.removeprefix("poison: ")]

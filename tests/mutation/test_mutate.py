"""`prs-acceptance mutate` on a tiny project (tests/mutation/fixture: calc/pricing.py and a 3-scenario suite).

Each run is a subprocess in a copy of the fixture, as a user would run it. The full run is shared.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.acceptance.leftovers import drop_leftover_databases, leftover_databases, wait_until_gone
from tests.child_processes import child_env

FIXTURE = Path(__file__).parent / "fixture"
DISCOUNT_SCENARIO = "pricing: An order of exactly 100 gets the discount"
COUNTDOWN_SCENARIO = "pricing: Counting down from 3 ends at zero"


def copy_fixture(folder: Path) -> Path:
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "reports", "mutants"))
    return folder


def mutate(project: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "support.cli", "mutate", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout)


def load(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "mutation.json").read_text())


def by_diff(result: dict[str, Any], added_line: str) -> dict[str, Any]:
    found = [m for m in result["mutants"] if f"+{added_line}\n" in m["diff"]]
    assert len(found) == 1, f"{len(found)} mutants add {added_line!r}"
    return found[0]


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    project = copy_fixture(tmp_path_factory.mktemp("full") / "project")
    done = mutate(project, "-j", "2", "--out", "out")
    assert done.returncode == 0, done.stdout + done.stderr
    return project, load(project / "out")


def test_the_result_has_the_agreed_shape(full_run: tuple[Path, dict[str, Any]]) -> None:
    _, result = full_run
    for key in ("score", "killed", "survived", "timeout", "no_coverage", "error", "duration_seconds", "mutants"):
        assert key in result
    for mutant in result["mutants"]:
        assert {"id", "file", "line", "operator", "diff", "status", "killed_by", "covered_by"} <= set(mutant)
        assert mutant["file"] == "calc/pricing.py"
    considered = len(result["mutants"]) - result["error"]
    assert result["score"] == round((result["killed"] + result["timeout"]) / considered * 100, 2)


def test_a_mutant_a_scenario_kills_is_killed_by_that_scenario(full_run: tuple[Path, dict[str, Any]]) -> None:
    _, result = full_run
    boundary = by_diff(result, "    if total > 100:")  # only the "exactly 100" scenario tells > from >=
    assert boundary["status"] == "killed"
    assert boundary["killed_by"] == DISCOUNT_SCENARIO
    assert DISCOUNT_SCENARIO in boundary["covered_by"]


def test_a_mutant_no_scenario_runs_is_no_coverage(full_run: tuple[Path, dict[str, Any]]) -> None:
    _, result = full_run
    unused = [m for m in result["mutants"] if "unused" in m["id"]]
    assert unused and all(m["status"] == "no_coverage" and m["covered_by"] == [] for m in unused)
    assert result["no_coverage"] == len(unused)


def test_a_mutant_that_loops_forever_is_a_timeout_and_the_run_goes_on(full_run: tuple[Path, dict[str, Any]]) -> None:
    _, result = full_run
    endless = by_diff(result, "        n += 1")
    assert endless["status"] == "timeout"
    assert endless["killed_by"] == COUNTDOWN_SCENARIO
    position = result["mutants"].index(endless)
    later = [m for m in result["mutants"][position + 1:] if m["covered_by"]]
    assert later and all(m["status"] in ("killed", "timeout", "survived") for m in later)


def test_a_pragma_keeps_a_line_unmutated(full_run: tuple[Path, dict[str, Any]]) -> None:
    _, result = full_run
    assert not [m for m in result["mutants"] if "shipping" in m["id"]]


def test_a_line_marked_for_another_database_is_counted_apart_not_run(full_run: tuple[Path, dict[str, Any]]) -> None:
    _, result = full_run
    assert result["database"] == "sqlite"
    assert result["not_run_on_this_database"] and all("boxed" in i for i in result["not_run_on_this_database"])
    assert not [m for m in result["mutants"] if "boxed" in m["id"]]


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path: Path,
                                                     full_run: tuple[Path, dict[str, Any]]) -> None:
    project = copy_fixture(tmp_path / "project")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "support.cli", "mutate", "-j", "1", "--out", "out"],
                               cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    results = project / "out" / "state" / "results.jsonl"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # stop it during the first endless mutant (a one-second window)
        if results.exists() and "x_countdown__mutmut_3" in results.read_text():
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "run the same command again to continue" in err
    done_before = len(results.read_text().splitlines())

    again = mutate(project, "-j", "1", "--out", "out")
    assert again.returncode == 0, again.stdout + again.stderr
    resumed = load(project / "out")
    assert resumed["resumed_mutants"] == done_before
    assert "baseline: reused" in again.stderr
    statuses = {m["id"]: m["status"] for m in resumed["mutants"]}
    assert statuses == {m["id"]: m["status"] for m in full_run[1]["mutants"]}
    # With -j 1 the baseline ran its scenarios two to a child (support/mutation/batching.py), with -j 2 one
    # to a child: each scenario's coverage is its own either way.
    covering = {m["id"]: m["covered_by"] for m in resumed["mutants"]}
    assert covering == {m["id"]: m["covered_by"] for m in full_run[1]["mutants"]}


def test_two_shards_merge_to_the_result_of_one_run(full_run: tuple[Path, dict[str, Any]]) -> None:
    project, whole = full_run
    for k in (1, 2):
        done = mutate(project, "-j", "2", "--shard", f"{k}/2", "--out", f"shard{k}")
        assert done.returncode == 0, done.stdout + done.stderr
    shards = [load(project / f"shard{k}") for k in (1, 2)]
    assert not {m["id"] for m in shards[0]["mutants"]} & {m["id"] for m in shards[1]["mutants"]}
    merged = mutate(project, "--merge", "shard1", "shard2", "--out", "merged")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    result = load(project / "merged")

    def essence(data: dict[str, Any]) -> Any:
        return ({k: data[k] for k in ("score", "killed", "survived", "timeout", "no_coverage", "error")},
                [(m["id"], m["status"], m["line"], m["diff"], m["covered_by"]) for m in data["mutants"]])

    assert essence(result) == essence(whole)
    incomplete = mutate(project, "--merge", "shard1", "--out", "merged1")
    assert incomplete.returncode == 2 and "shard(s) 2/2 missing from the merge" in incomplete.stderr


def test_bad_input_is_named_without_a_traceback(tmp_path: Path) -> None:
    project = copy_fixture(tmp_path / "project")
    done = mutate(project, "nowhere.py", "--out", "out")
    assert done.returncode == 2 and "no such file or folder: nowhere.py" in done.stderr
    assert "Traceback" not in done.stderr
    done = mutate(project, "--shard", "3/2", "--out", "out")
    assert done.returncode == 2 and "--shard 3/2" in done.stderr
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text() + "timeout_factr = 2\n")
    done = mutate(project, "--out", "out")
    assert done.returncode == 2 and "unknown key(s) timeout_factr" in done.stderr
    done = mutate(project, "--merge", "missing", "--out", "out")
    assert done.returncode == 2 and "missing" in done.stderr


def test_a_killed_campaigns_database_copies_are_dropped_by_the_next_run(tmp_path: Path) -> None:
    """SIGKILL leaves the campaign no chance to drop its test database or its children's copies: the run's claim
    (support/engine/claims.py) names each copy before the child makes it, so the next run drops them."""
    from support.engine.claims import claims_folder

    project = copy_fixture(tmp_path / "project")
    # On PostgreSQL (DATABASE_URL) too: there the copies are databases (CREATE DATABASE … TEMPLATE).
    env = child_env("mutate", PYTHONPATH=str(Path(__file__).parents[2]))
    process = subprocess.Popen([sys.executable, "-m", "support.cli", "mutate", "-j", "2", "--out", "out"],
                               cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = project / "out" / "state" / "results.jsonl"
    deadline = time.monotonic() + 90
    while not (results.exists() and results.read_text()):  # past the baseline: children come and go
        assert process.poll() is None and time.monotonic() < deadline, "the campaign ended before its mutants"
        time.sleep(0.05)
    claim = next(claims_folder().glob(f"{process.pid}-*.claim"))
    children = [p.pid for p in psutil.Process(process.pid).children(recursive=True)]
    process.kill()
    process.wait()
    assert "_mut" in claim.read_text()  # the children's copies were named in the claim
    assert wait_until_gone(children) == [], "a child outlived the killed campaign"
    try:
        assert leftover_databases(process.pid, env["PRS_TEST_DB_SUFFIX"]), "nothing left: nothing to reclaim"
        # The first thing any run does (support.engine.databases.claim_and_reclaim): drop what dead runs claimed.
        nxt = subprocess.run([sys.executable, "-c", "from support.engine.claims import reclaim\n"
                               "from support.engine.databases import drop_claimed\nreclaim(drop_claimed)"],
                             cwd=project, env=env, capture_output=True, text=True, timeout=60)
        assert nxt.returncode == 0, nxt.stderr
        assert leftover_databases(process.pid, env["PRS_TEST_DB_SUFFIX"]) == []
        assert not claim.exists()
    finally:
        drop_leftover_databases(process.pid, env["PRS_TEST_DB_SUFFIX"])


def test_a_baseline_scenario_past_its_time_limit_is_charged_alone(tmp_path: Path,
                                                                   full_run: tuple[Path, dict[str, Any]]) -> None:
    """With -j 1 the baseline runs two scenarios to a child: the stuck one's child is killed, and the scenario that
    shared it runs again in another child (a killed child saved no coverage)."""
    project = copy_fixture(tmp_path / "project")
    feature = project / "features" / "pricing.feature"
    feature.write_text(feature.read_text() + "\n  @timeout:1\n  Scenario: A stuck order never settles\n"
                                              "    When the order is stuck\n")
    steps = project / "steps" / "pricing_steps.py"
    steps.write_text(steps.read_text() + '\n\n@when("the order is stuck")\ndef stuck(context):\n'
                                         '    import time\n    time.sleep(60)\n')
    done = mutate(project, "-j", "1", "--out", "out")
    assert done.returncode == 0, done.stdout + done.stderr
    result = load(project / "out")
    assert list(result["baseline_failures"]) == ["pricing: A stuck order never settles"]
    assert "no answer from pricing: A stuck order never settles" in result["baseline_failures"][
        "pricing: A stuck order never settles"]
    essence = {m["id"]: (m["status"], m["covered_by"]) for m in result["mutants"]}
    assert essence == {m["id"]: (m["status"], m["covered_by"]) for m in full_run[1]["mutants"]}


def test_the_old_name_of_the_timeout_margin_says_its_new_name(tmp_path: Path) -> None:
    """`timeout_floor_seconds` was a minimum; it became an amount added, under a new name: an old file is told."""
    from support.mutation.config import MutationConfigError, load_config

    (tmp_path / "pyproject.toml").write_text('[tool.prs-acceptance.mutate]\npaths = ["a.py"]\n'
                                             "timeout_floor_seconds = 2\n")
    with pytest.raises(MutationConfigError, match="timeout_floor_seconds is now timeout_margin_seconds"):
        load_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.prs-acceptance.mutate]\npaths = ["a.py"]\n'
                                             "timeout_margin_seconds = 0.5\n")
    assert load_config(tmp_path).timeout_margin_seconds == 0.5

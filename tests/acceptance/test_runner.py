"""The framework runner under behave: statuses, parallel runs, timeouts, retries, blocking, reports."""

from __future__ import annotations

import json
import re

import pytest

LAST_LINE = re.compile(r"^acceptance: \d+ passed, \d+ failed(, \d+ skipped)?$")


def statuses(run) -> dict[str, str]:
    report = json.loads((run.project / "reports" / "report.json").read_text())
    return {r["scenario_name"]: r["status"] for r in report["results"]}


def test_sequential_and_parallel_give_the_same_statuses(make_project):
    project = make_project("basic")
    sequential = project.behave("-f", "progress")
    assert sequential.returncode == 0, sequential.output
    assert sequential.last_line == "acceptance: 6 passed, 0 failed"
    first = statuses(sequential)
    parallel = project.behave("-j", "2", "-f", "progress")
    assert parallel.returncode == 0, parallel.output
    assert statuses(parallel) == first
    assert parallel.last_line == sequential.last_line
    assert set(first.values()) == {"passed"}  # includes the isolation check: one group per scenario
    junit = project.path / "reports" / "junit" / "TESTS-base.xml"
    assert 'tests="2"' in junit.read_text()


def test_tag_selection_pulls_in_dependencies(make_project):
    run = make_project("basic").behave("--tags=@security", "-f", "progress")
    assert run.returncode == 0, run.output
    assert sorted(statuses(run)) == [
        "base: Adding", "base: Data is isolated per scenario",
        "dependent: Adding more -- @1.1", "dependent: Adding more -- @1.2",
    ]


def test_timeout_tag_stops_a_hung_step_and_the_run_goes_on(make_project):
    run = make_project("timeout").behave("-f", "plain", timeout=60)
    assert run.returncode == 1
    assert statuses(run) == {"hang: A step that hangs": "timed_out", "hang: The run goes on": "passed"}
    assert "scenario timed out after 2 s" in run.output
    assert run.last_line == "acceptance: 1 passed, 1 failed"


def test_retry_tag_marks_a_flaky_scenario(make_project):
    run = make_project("flaky").behave("-f", "progress")
    assert run.returncode == 0, run.output
    report = json.loads((run.project / "reports" / "report.json").read_text())
    (result,) = report["results"]
    assert (result["status"], result["flaky"], result["attempts"]) == ("passed", True, 2)
    assert "flaky:" in run.output


def test_dependents_of_a_failure_are_blocked_and_listed_for_rerun(make_project):
    run = make_project("blocked").behave("-f", "plain")
    assert run.returncode == 1
    assert statuses(run) == {"base: Wrong sum": "failed", "dependent: Never runs": "blocked"}
    assert "Then the number is 3" in run.output and "expected 3, got 2" in run.output
    assert "blocked:   features/dependent.feature:3" in run.output
    assert LAST_LINE.match(run.last_line) and run.last_line == "acceptance: 0 passed, 1 failed, 1 skipped"
    rerun = (run.project / "reports" / "rerun.txt").read_text().splitlines()
    assert "../features/base.feature:3" in rerun


def test_plain_behave_runner_fallback_isolates_scenarios(make_project):
    run = make_project("basic").behave("--runner", "behave.runner:Runner", "-f", "progress")
    assert run.returncode == 0, run.output
    assert "6 scenarios passed, 0 failed" in run.output


def test_a_shard_whose_scenario_is_blocked_fails(make_project):
    """The failing dependency counts in its own shard; the shard that owns the blocked scenario fails too."""
    project = make_project("blocked_shards")
    verdicts = {}
    for k in (1, 2):
        run = project.behave("-f", "plain", "-D", f"shard={k}/2", "-D", f"reports=reports/s{k}")
        owned = json.loads((project.path / "reports" / f"s{k}" / "report.json").read_text())["shard"]
        verdicts[k] = (run.returncode, run.last_line, owned)
    owner_of_base = next(k for k, (_, _, shard) in verdicts.items() if "base: Wrong sum" in shard["owned"])
    other = 3 - owner_of_base
    assert verdicts[other][2]["owned"] and "base: Wrong sum" in verdicts[other][2]["pulled_in"], verdicts
    assert verdicts[other][0] == 1, verdicts  # only blocked scenarios of its own, and still red
    assert verdicts[owner_of_base][0] == 1, verdicts


def captured_block(output: str) -> str:
    """What a formatter printed of a failed scenario's captured output (behave's own block)."""
    begin = output.index("----\nCAPTURED ")
    return output[begin:output.index("CAPTURED_SCENARIO_OUTPUT_END", begin)]


@pytest.mark.parametrize("jobs", [[], ["-j", "2"]], ids=["sequential", "two workers"])
def test_a_failed_scenario_shows_what_it_printed_and_logged_as_behave_does(make_project, jobs):
    project = make_project("captured")
    plain = project.behave("-f", "plain", "--runner", "behave.runner:Runner")
    ours = project.behave("-f", "plain", *jobs)
    assert ours.returncode == plain.returncode == 1
    block = captured_block(plain.output)
    assert "said on stdout" in block and "said on stderr" in block and "said in the log" in block, plain.output
    assert captured_block(ours.output) == block, ours.output

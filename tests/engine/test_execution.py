"""Statuses, timeouts, dead workers, retries, skips, blocking, tags and cleanup — with real workers."""
from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from support.engine import ScenarioGraphError, Status

from .conftest import EngineHarness, group_names

pytestmark = pytest.mark.django_db(transaction=True)


def passes(framework: object) -> str:
    return "fine"


def test_statuses_outcome_and_error_messages(engine: EngineHarness) -> None:
    def fails(framework: object) -> None:
        assert 1 + 1 == 3, "arithmetic is broken"

    def crashes(framework: object) -> None:
        raise LookupError("no such thing")

    engine.add("passes", passes)
    engine.add("fails", fails)
    engine.add("crashes", crashes)
    report = engine.run()
    results = engine.by_name(report)
    assert (results["passes"]["status"], results["passes"]["success"]) == ("passed", True)
    assert engine.framework.last_results[0].outcome == "fine"
    assert results["fails"]["status"] == "failed"
    assert results["fails"]["error"].startswith("AssertionError: arithmetic is broken")
    assert results["crashes"]["status"] == "error"
    assert "LookupError: no such thing" in results["crashes"]["error"]
    assert "Traceback" in results["crashes"]["metadata"]["traceback"]
    assert report["summary"].items() >= {"total_scenarios": 3, "successful": 1, "failed": 1, "error": 1}.items()
    assert report["summary"]["success_rate"] == pytest.approx(33.33)
    assert engine.report_path.exists()


@pytest.mark.parametrize("hang", ["sleep", "busy_loop", "c_call"])
def test_a_hung_scenario_is_stopped_at_its_timeout_and_the_run_goes_on(engine: EngineHarness, hang: str) -> None:
    def hangs(framework: object) -> None:
        if hang == "sleep":
            time.sleep(60)
        if hang == "c_call":  # catastrophic backtracking: minutes inside the C regex engine, GIL held
            re.match(r"(a+)+$", "a" * 64 + "b")
        while True:
            pass

    engine.add("hangs", hangs, timeout_seconds=1, retry_attempts=2)
    engine.add("next", passes)
    started = time.monotonic()
    results = engine.by_name(engine.run())
    elapsed = time.monotonic() - started
    assert results["hangs"]["status"] == "timed_out"
    assert results["hangs"]["attempts"] == 1  # a timeout is not retried
    assert "timed out after 1 s" in results["hangs"]["error"]
    # Stopped soon after its limit (a slack for a loaded machine: an unstopped hang would take 60 s or more).
    assert 1.0 <= results["hangs"]["duration_seconds"] < 3.0
    assert results["next"]["status"] == "passed"
    assert elapsed < 10, f"the run took {elapsed:.1f} s: the hung worker was not stopped at its 1 s timeout"


@pytest.mark.parametrize("death", ["sigkill", "os_exit"])
def test_a_worker_dying_mid_scenario_costs_only_that_scenario(engine: EngineHarness, death: str) -> None:
    def dies(framework: object) -> None:
        if death == "sigkill":
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(7)

    engine.add("dies", dies)
    engine.add("survivor", passes)
    results = engine.by_name(engine.run())
    expected = "killed by SIGKILL" if death == "sigkill" else "exit code 7"
    assert results["dies"]["status"] == "error"
    assert expected in results["dies"]["error"]
    assert results["survivor"]["status"] == "passed"


def test_a_flaky_scenario_passes_on_its_second_attempt(engine: EngineHarness) -> None:
    marker = engine.tmp / "first-attempt-ran"

    def flaky(framework: object) -> None:
        if not marker.exists():
            marker.touch()
            raise AssertionError("first attempt always fails")

    engine.add("flaky", flaky, retry_attempts=3)
    report = engine.run()
    result = engine.by_name(report)["flaky"]
    assert (result["status"], result["attempts"], result["flaky"]) == ("passed", 2, True)
    assert result["metadata"]["attempt_errors"][0].startswith("AssertionError: first attempt always fails")
    assert report["summary"]["flaky"] == 1
    assert any(line.startswith("flaky: flaky — passed on attempt 2") for line in report["recommendations"])


def test_retries_stop_after_retry_attempts(engine: EngineHarness) -> None:
    def always_fails(framework: object) -> None:
        raise AssertionError("never")

    engine.add("always_fails", always_fails, retry_attempts=2)
    result = engine.by_name(engine.run())["always_fails"]
    assert (result["status"], result["attempts"], result["flaky"]) == ("failed", 3, False)


def test_every_attempt_starts_on_clean_data(engine: EngineHarness) -> None:
    from django.contrib.auth.models import Group

    def writes_then_fails(framework) -> None:
        assert not Group.objects.filter(name="from-attempt-1").exists(), "attempt 1's row leaked"
        if framework.current_attempt == 1:
            Group.objects.create(name="from-attempt-1")
            raise AssertionError("fail after writing")

    engine.add("retry_clean", writes_then_fails, retry_attempts=1)
    result = engine.by_name(engine.run())["retry_clean"]
    assert (result["status"], result["attempts"]) == ("passed", 2)


def test_skip_condition_is_evaluated_at_run_time_with_its_reason(engine: EngineHarness) -> None:
    def no_flag() -> bool:
        return os.environ.get("ENGINE_TEST_FLAG") != "on"

    engine.add("skipped_by_reason", passes, skip_condition=lambda: "feature flag is off")
    engine.add("skipped_by_bool", passes, skip_condition=no_flag)
    engine.add("not_skipped", passes, skip_condition=lambda: False)
    engine.add("after_skip", passes, dependencies=["skipped_by_reason"])
    report = engine.run()
    results = engine.by_name(report)
    assert results["skipped_by_reason"]["status"] == "skipped"
    assert results["skipped_by_reason"]["skip_reason"] == "feature flag is off"
    assert "no_flag" in results["skipped_by_bool"]["skip_reason"]
    assert results["not_skipped"]["status"] == "passed"
    assert (results["after_skip"]["status"], results["after_skip"]["blocked_by"]) == ("blocked", "skipped_by_reason")
    assert report["summary"]["success_rate"] == pytest.approx(50.0)  # 1 passed of 4 - 2 skipped


def test_a_blocked_chain_never_runs_and_names_its_blocker(engine: EngineHarness) -> None:
    ran = engine.tmp / "ran"

    def fails(framework: object) -> None:
        raise AssertionError("base is broken")

    def must_not_run(framework: object) -> None:
        ran.touch()

    engine.add("base", fails)
    engine.add("middle", must_not_run, dependencies=["base"])
    engine.add("top", must_not_run, dependencies=["middle"])
    engine.add("independent", passes)
    report = engine.run()
    results = engine.by_name(report)
    assert (results["middle"]["status"], results["middle"]["blocked_by"]) == ("blocked", "base")
    assert (results["top"]["status"], results["top"]["blocked_by"]) == ("blocked", "middle")
    assert results["top"]["attempts"] == 0
    assert results["independent"]["status"] == "passed"
    assert not ran.exists()
    assert (report["summary"]["failed"], report["summary"]["blocked"]) == (1, 2)


def test_dependencies_run_first_in_sequential_order(engine: EngineHarness) -> None:
    log = engine.tmp / "order.log"

    def record(name: str):
        def test_function(framework: object) -> None:
            with log.open("a") as out:
                out.write(name + "\n")
        return test_function

    engine.add("child", record("child"), dependencies=["parent"])
    engine.add("parent", record("parent"))
    engine.add("loner", record("loner"))
    engine.run()
    assert log.read_text().split() == ["parent", "child", "loner"]


def test_tag_selection_pulls_in_dependencies(engine: EngineHarness) -> None:
    engine.add("setup", passes)
    engine.add("core_check", passes, dependencies=["setup"], tags=["core"])
    engine.add("slow_check", passes, tags=["slow"])
    report = engine.run(tags=["core"])
    results = engine.by_name(report)
    assert set(results) == {"setup", "core_check"}
    assert results["setup"]["pulled_in"] is True
    assert results["core_check"]["pulled_in"] is False
    assert report["summary"]["tags"] == ["core"]


@pytest.mark.parametrize(
    ("dependencies", "message"),
    [({"a": ["ghost"]}, "'a' depends on unknown 'ghost'"), ({"a": ["b"], "b": ["a"]}, "cycle: a -> b -> a")],
)
def test_graph_errors_are_raised_before_anything_runs(engine: EngineHarness, dependencies: dict, message: str) -> None:
    ran = engine.tmp / "ran"
    engine.add("first", lambda framework: ran.touch())
    for name, deps in dependencies.items():
        engine.add(name, passes, dependencies=deps)
    with pytest.raises(ScenarioGraphError, match=message):
        engine.run()
    assert not ran.exists()
    assert not engine.report_path.exists()


def test_cleanup_runs_after_failure_and_after_timeout(engine: EngineHarness) -> None:
    def cleanup_for(name: str):
        def cleanup(framework) -> None:
            (engine.tmp / f"cleaned-{name}").touch()
        return cleanup

    def fails(framework: object) -> None:
        raise AssertionError("failing")

    engine.add("fails", fails, cleanup_function=cleanup_for("fails"))
    engine.add("hangs", lambda framework: time.sleep(30), timeout_seconds=1,
               cleanup_function=cleanup_for("hangs"))
    engine.add("no_arg_cleanup", passes, cleanup_function=lambda: (engine.tmp / "cleaned-no-arg").touch())
    engine.run()
    assert (engine.tmp / "cleaned-fails").exists()
    assert (engine.tmp / "cleaned-hangs").exists()
    assert (engine.tmp / "cleaned-no-arg").exists()


def test_a_failing_cleanup_turns_a_pass_into_an_error(engine: EngineHarness) -> None:
    def broken_cleanup(framework) -> None:
        raise RuntimeError("could not remove the temp dir")

    engine.add("passes_but_cleanup_breaks", passes, cleanup_function=broken_cleanup)
    result = engine.by_name(engine.run())["passes_but_cleanup_breaks"]
    assert result["status"] == "error"
    assert result["error"].startswith("cleanup_function raised RuntimeError: could not remove the temp dir")


def test_an_unpicklable_outcome_is_an_error_not_a_dead_run(engine: EngineHarness) -> None:
    engine.add("returns_a_lambda", lambda framework: (lambda: None))
    result = engine.by_name(engine.run())["returns_a_lambda"]
    assert result["status"] == "error"
    assert "cannot be sent to the parent" in result["error"]


def test_on_result_sees_every_final_result(engine: EngineHarness) -> None:
    seen: list[tuple[str, Status]] = []
    engine.add("a", passes)
    engine.add("b", lambda framework: 1 / 0)
    engine.add("c", passes, dependencies=["b"])
    engine.run(on_result=lambda result: seen.append((result.scenario_name, result.status)))
    assert seen == [("a", Status.PASSED), ("b", Status.ERROR), ("c", Status.BLOCKED)]


def test_extension_points_run_in_the_worker_around_each_attempt(engine: EngineHarness) -> None:
    log = engine.tmp / "hooks.log"
    parent_pid = os.getpid()

    class Framework(type(engine.framework)):
        def worker_started(self) -> None:
            with log.open("a") as out:
                out.write(f"worker {os.getpid() != parent_pid}\n")

        def begin_scenario(self, scenario) -> None:
            with log.open("a") as out:
                out.write(f"begin {scenario.name} {self.current_attempt}\n")

        def end_scenario(self, scenario) -> None:
            with log.open("a") as out:
                out.write(f"end {scenario.name}\n")

    engine.framework = Framework()
    engine.add("hooked", lambda framework: framework.current_attempt == 1 and 1 / 0, retry_attempts=1)
    result = engine.by_name(engine.run())["hooked"]
    assert result["status"] == "passed"
    assert log.read_text().splitlines() == [
        "worker True", "begin hooked 1", "end hooked", "begin hooked 2", "end hooked",
    ]


def test_broken_invariants_fail_a_scenario_that_passed(engine: EngineHarness) -> None:
    class Framework(type(engine.framework)):
        def check_invariants(self, scenario, writes) -> None:
            from django.contrib.auth.models import Group

            leftovers = sorted(Group.objects.values_list("name", flat=True))
            assert not leftovers, f"groups left behind: {leftovers}"

    def leaves_a_group(framework: object) -> None:
        from django.contrib.auth.models import Group

        Group.objects.create(name="stray")

    engine.framework = Framework()
    engine.add("clean", passes)
    engine.add("dirty", leaves_a_group)
    results = engine.by_name(engine.run())
    assert results["clean"]["status"] == "passed"
    assert results["dirty"]["status"] == "failed"
    assert "after the scenario" in results["dirty"]["error"] and "stray" in results["dirty"]["error"]


def test_workers_argument_needs_parallel(engine: EngineHarness) -> None:
    engine.add("a", passes)
    with pytest.raises(ValueError, match="workers=3 needs parallel=True"):
        engine.run(workers=3)


def test_running_inside_an_open_transaction_is_refused(engine: EngineHarness) -> None:
    from django.db import transaction

    from support.engine.databases import DatabaseSetupError

    engine.add("a", passes)
    with pytest.raises(DatabaseSetupError, match="inside an open transaction"), transaction.atomic():
        engine.run()


def test_report_is_written_where_asked(engine: EngineHarness, tmp_path: Path) -> None:
    from support.reporting import load_report

    engine.add("a", passes)
    target = tmp_path / "nested" / "out.json"
    report = engine.run(report_path=target)
    assert load_report(target) == report
    assert group_names() == []


def test_a_worker_that_cannot_start_stops_the_run_with_the_reason(engine: EngineHarness) -> None:
    from support.engine.execution import WorkerStartError

    class Framework(type(engine.framework)):
        def worker_started(self) -> None:
            raise RuntimeError("fixture server unreachable")

    engine.framework = Framework()
    engine.add("a", passes)
    with pytest.raises(WorkerStartError, match="RuntimeError: fixture server unreachable"):
        engine.run()
    assert engine.report_path.exists()  # the (empty) report of what ran is still written


def test_a_failure_can_carry_its_outcome(engine: EngineHarness) -> None:
    class StepFailed(AssertionError):
        def __init__(self, message: str, outcome: dict) -> None:
            super().__init__(message)
            self.outcome = outcome

    def fails_with_outcome(framework: object) -> None:
        raise StepFailed("step 2 failed", {"steps": ["passed", "failed"]})

    engine.add("carries", fails_with_outcome)
    engine.run()
    (result,) = engine.framework.last_results
    assert (result.status, result.outcome) == (Status.FAILED, {"steps": ["passed", "failed"]})


def test_workers_are_reused_across_scenarios_that_commit(engine: EngineHarness) -> None:
    def commits(framework) -> int:
        from django.contrib.auth.models import Group

        Group.objects.create(name="committed")
        return os.getpid()

    pid = lambda framework: os.getpid()  # noqa: E731
    engine.add("first", pid)
    engine.add("commits", commits)
    engine.add("after_commit", pid)
    engine.run()
    first, commits_pid, after = (r.outcome for r in engine.framework.last_results)
    assert first == commits_pid == after
    assert os.getpid() != first



def test_the_invariants_are_told_the_tables_empty_when_clean_and_not_written(engine: EngineHarness) -> None:
    """What lets a check skip a rule (Writes.empty) comes from the worker's real clean state: a table the
    scenario wrote is never in it, one that is empty when clean and untouched is."""
    seen = engine.tmp / "empty.txt"

    class Framework(type(engine.framework)):
        def check_invariants(self, scenario, writes) -> None:
            with seen.open("a") as record:
                record.write(f"{scenario.name}: {' '.join(sorted(writes.empty.get('default', ())))}\n")

    def leaves_a_group(framework: object) -> None:
        from django.contrib.auth.models import Group

        Group.objects.create(name="stray")

    engine.framework = Framework()
    engine.add("first", passes)  # a worker's first check is a full one, with nothing known empty
    engine.add("writes", leaves_a_group, dependencies=["first"])
    engine.run()
    told = dict(line.split(": ", 1) for line in seen.read_text().splitlines())
    assert told["first"] == ""
    empty = set(told["writes"].split())
    assert "auth_group" not in empty and "audit_auditlog" in empty, empty

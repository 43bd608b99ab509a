"""The baseline's batches: what a child's end says about each of its scenarios, and what runs again."""
from __future__ import annotations

from support.mutation.batching import BATCH_MOST, batch_size, settle
from support.mutation.pool import Finished, ScenarioRun

BATCH = ("a", "b", "c", "d")


def test_batches_shrink_towards_the_end_so_no_slot_idles() -> None:
    assert batch_size(1000, 2) == BATCH_MOST
    assert batch_size(8, 2) == 2
    assert batch_size(1, 2) == 1


def test_a_completed_batch_judges_every_scenario() -> None:
    runs = [ScenarioRun(n, "passed", 0.1) for n in BATCH]
    settled = settle(BATCH, Finished("k", runs, "completed", seconds=0.5))
    assert list(settled.recorded) == list(BATCH) and settled.again == []
    assert settled.recorded["b"] == {"status": "passed", "seconds": 0.1, "error": ""}


def test_a_red_scenario_ends_its_batch_and_the_rest_run_elsewhere() -> None:
    runs = [ScenarioRun("a", "passed", 0.1), ScenarioRun("b", "failed", 0.2, "AssertionError")]
    settled = settle(BATCH, Finished("k", runs, "completed", seconds=0.5))
    assert settled.recorded["b"]["status"] == "failed"
    assert settled.again == ["c", "d"]


def test_a_timeout_charges_its_scenario_and_runs_the_others_again() -> None:
    """The child saved no coverage: the green scenario it ran before must run again to get some."""
    runs = [ScenarioRun("a", "passed", 0.1)]
    settled = settle(BATCH, Finished("k", runs, "timeout", at_scenario="b", message="too slow", seconds=3.1))
    assert settled.recorded == {"b": {"status": "timed_out", "seconds": 3.0, "error": "too slow"}}
    assert settled.again == ["a", "c", "d"]


def test_a_child_that_never_started_charges_the_first_scenario_only() -> None:
    settled = settle(BATCH, Finished("k", [], "error", message="no database"))
    assert settled.recorded == {"a": {"status": "error", "seconds": 0.0, "error": "no database"}}
    assert settled.again == ["b", "c", "d"]


def test_a_child_that_died_between_two_scenarios_charges_the_last_one_that_ran() -> None:
    """Never a scenario that did not run: it would lose its baseline for nothing, round after round."""
    runs = [ScenarioRun("a", "passed", 0.1)]
    settled = settle(BATCH, Finished("k", runs, "died", message="child exit code -11", seconds=0.4))
    assert list(settled.recorded) == ["a"]
    assert (settled.recorded["a"]["status"], settled.recorded["a"]["error"]) == ("error", "child exit code -11")
    assert settled.again == ["b", "c", "d"]


def test_a_child_that_died_after_a_red_scenario_keeps_that_verdict() -> None:
    runs = [ScenarioRun("a", "passed", 0.1), ScenarioRun("b", "error", 0.1, "boom")]
    settled = settle(BATCH, Finished("k", runs, "died", message="exit code 1"))
    assert settled.recorded == {"b": {"status": "error", "seconds": 0.1, "error": "boom"}}
    assert settled.again == ["a", "c", "d"]


def test_a_child_that_died_after_its_last_scenario_keeps_only_that_one_without_coverage() -> None:
    """Its coverage was never saved: the others run again to get theirs, the last one is judged as a lone child's
    would be (it may be why the child died, and running it again could end the same way)."""
    runs = [ScenarioRun(n, "passed", 0.1) for n in BATCH]
    settled = settle(BATCH, Finished("k", runs, "died", message="exit code 1"))
    assert list(settled.recorded) == [BATCH[-1]] and settled.again == list(BATCH[:-1])


class _NoDatabase:
    def create_and_activate(self) -> None:
        pass


def _run_batch(leak_first: bool) -> list[tuple]:
    """child._run in this process, on two scenarios, the first of which may leave a thread running."""
    import threading
    from multiprocessing import Pipe

    from support.engine import IntegrationFramework, TestScenario
    from support.mutation.child import ChildJob, _run

    released = threading.Event()  # the thread lives until the batch is over, however slow the machine

    def leaves_a_thread(framework: object) -> None:
        if leak_first:
            threading.Thread(target=released.wait, args=(30,), daemon=True, name="leaked").start()

    framework = IntegrationFramework()
    framework.database_owner = "suite"  # no database: nothing to capture or reset
    scenarios = {name: framework.register_scenario(TestScenario(name, name, fn))
                 for name, fn in (("a", leaves_a_thread), ("b", lambda framework: None))}
    receiving, sending = Pipe(duplex=False)
    job = ChildJob(("a", "b"), end_when_unfit=True)
    try:
        assert _run(sending, job, _NoDatabase(), framework, scenarios) == 0
    finally:
        released.set()
    messages = []
    while receiving.poll():
        messages.append(receiving.recv())
    return [m[:3] for m in messages if m[0] == "done"]


def test_a_scenario_that_leaves_its_process_unfit_ends_its_batch_with_its_own_verdict() -> None:
    assert _run_batch(leak_first=True) == [("done", "a", "passed")]
    assert _run_batch(leak_first=False) == [("done", "a", "passed"), ("done", "b", "passed")]

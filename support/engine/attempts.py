"""One attempt of one scenario, inside a worker process.

An exception raised by test_function may carry an `outcome` attribute (plain, picklable data, e.g. the
behave glue's per-step results); it becomes the attempt's outcome, so failed attempts can be replayed too.

Order: skip_condition -> begin_scenario -> monitor -> test_function -> monitor stop -> check_invariants
(if it passed so far) -> end_scenario -> cleanup_function -> database reset -> budgets.
The hooks after test_function run whatever happened; their failures are reported too (an attempt that
passed but whose cleanup raised is `error`).

Everything the attempt does is committed for real, as in production; isolation is the reset of the
worker's database to its clean state afterwards (`databases.worker_isolation`), limited to the tables the
attempt wrote. Those tables are also what `check_invariants` is told changed: the data every attempt starts
from is the clean state, fully checked once per worker (the first check in a worker covers every table), so
a rule over tables the attempt did not write cannot have become false. A reset that fails leaves the
database unknown: the attempt is an error and the worker retires (`worker_unusable`).
"""
from __future__ import annotations

import inspect
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from support.engine.assertions import exceeded_limits
from support.engine.scenario import ScenarioSkipped, Status, TestScenario
from support.engine.using_django import isolation_and_monitor
from support.engine.writes import ALL_WRITES, Writes

if TYPE_CHECKING:
    from support.engine.databases import WorkerIsolation
    from support.engine.protocol import FrameworkProtocol as IntegrationFramework


@dataclass
class AttemptOutcome:
    """What one attempt gave; sent from the worker to the parent (must pickle)."""

    status: Status
    duration_seconds: float = 0.0
    error: str | None = None
    traceback: str | None = None
    skip_reason: str | None = None
    performance_data: dict[str, Any] = field(default_factory=dict)
    outcome: Any = None
    cleanup_errors: list[str] = field(default_factory=list)
    worker_unusable: str | None = None  # why the worker must not run another attempt (see workers.WorkerHealth)


def unusable_after(exc: BaseException) -> str | None:
    """A worker is not trusted after SystemExit/KeyboardInterrupt, or an exception that says so itself."""
    said = getattr(exc, "poisons_worker", None)
    if said:
        return str(said)
    return None if isinstance(exc, Exception) else f"the scenario raised {type(exc).__name__}"


def describe(exc: BaseException) -> str:
    """'AssertionError: message (file.py:12)' — where the exception was raised, deepest frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    message = str(exc).strip()
    return f"{type(exc).__name__}{': ' + message if message else ''}{where}"


def status_of(exc: BaseException) -> Status:
    return Status.FAILED if isinstance(exc, AssertionError) else Status.ERROR


def skip_reason(scenario: TestScenario) -> str | None:
    if scenario.skip_condition is None:
        return None
    verdict = scenario.skip_condition()
    if not verdict:
        return None
    if isinstance(verdict, str):
        return verdict
    name = getattr(scenario.skip_condition, "__qualname__", repr(scenario.skip_condition))
    return f"skip_condition {name} returned {verdict!r}"


def call_cleanup(scenario: TestScenario, framework: IntegrationFramework) -> None:
    """cleanup_function(framework) if it takes a positional parameter, else cleanup_function()."""
    cleanup = scenario.cleanup_function
    if cleanup is None:
        return
    try:
        params = inspect.signature(cleanup).parameters.values()
        takes_arg = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)
    except (TypeError, ValueError):
        takes_arg = True
    cleanup(framework) if takes_arg else cleanup()


def run_attempt(framework: IntegrationFramework, scenario: TestScenario, attempt: int) -> AttemptOutcome:
    started = time.perf_counter()
    try:
        reason = skip_reason(scenario)
    except Exception as exc:
        return AttemptOutcome(Status.ERROR, time.perf_counter() - started,
                              f"skip_condition raised {describe(exc)}", traceback.format_exc())
    if reason:
        return AttemptOutcome(Status.SKIPPED, time.perf_counter() - started, skip_reason=reason)
    # No database (no Django), or the suite's own: stand-ins that capture and reset nothing.
    worker_isolation, ScenarioMonitor = isolation_and_monitor(getattr(framework, "database_owner", "runner"))
    try:
        isolation = worker_isolation()
    except Exception as exc:
        return AttemptOutcome(Status.ERROR, time.perf_counter() - started,
                              f"capturing the database's clean state raised {describe(exc)}",
                              traceback.format_exc(), worker_unusable="its database's clean state is unknown")

    failures: list[tuple[Status, str, str]] = []  # (status, message, traceback), first one wins
    unusable: str | None = None
    skipped: str | None = None
    monitor = ScenarioMonitor(enabled=framework.monitoring)
    figures: dict[str, Any] = {}
    outcome: Any = None
    framework.current_scenario, framework.current_attempt = scenario, attempt
    framework.current_monitor = monitor
    writes = Writes()
    try:
        monitoring = False
        try:
            framework.begin_scenario(scenario)
            monitor.start()
            monitoring = True
            outcome = scenario.test_function(framework)
        except ScenarioSkipped as exc:  # skipped at run time by the scenario itself
            skipped = str(exc) or "skipped at run time"
            outcome = exc.outcome
        except BaseException as exc:  # SystemExit/KeyboardInterrupt from test code are errors too
            failures.append((status_of(exc), describe(exc), traceback.format_exc()))
            outcome = getattr(exc, "outcome", None)  # a failure may carry its own outcome
            unusable = unusable_after(exc)
        finally:
            if monitoring:
                figures = monitor.stop()
            writes = isolation.take_writes()
            if monitoring and framework.monitoring:
                _database_changes(isolation, writes, figures)
            if not failures:  # after the monitor: the checks' own queries are not the scenario's
                _check_invariants(framework, scenario, isolation, writes, failures)
            for label, hook in (("end_scenario", lambda: framework.end_scenario(scenario)),
                                ("cleanup_function", lambda: call_cleanup(scenario, framework))):
                try:
                    hook()
                except BaseException as exc:
                    failures.append((Status.ERROR, f"{label} raised {describe(exc)}", traceback.format_exc()))
                    unusable = unusable or unusable_after(exc)
    finally:
        framework.current_scenario = framework.current_monitor = None
        unusable = _reset(isolation, writes | isolation.take_writes(), failures) or unusable
    if not failures:
        over = exceeded_limits(figures, scenario.budgets)
        if over:
            failures.append((Status.FAILED, "budget exceeded: " + "; ".join(over), ""))
    duration = time.perf_counter() - started
    if not failures:
        if skipped:
            return AttemptOutcome(Status.SKIPPED, duration, skip_reason=skipped, performance_data=figures,
                                  outcome=outcome)
        return AttemptOutcome(Status.PASSED, duration, performance_data=figures, outcome=outcome)
    status, message, trace = failures[0]
    return AttemptOutcome(status, duration, message, trace or None, performance_data=figures,
                          outcome=outcome, cleanup_errors=[m for _, m, _ in failures[1:]], worker_unusable=unusable)


def _database_changes(isolation: WorkerIsolation, writes: Writes, figures: dict[str, Any]) -> None:
    try:
        figures["database_changes"] = isolation.state.changes(writes)
    except Exception as exc:  # e.g. the scenario broke its connection
        figures["database_changes"] = {}
        figures["database_changes_error"] = f"{type(exc).__name__}: {exc}"


def _check_invariants(framework: IntegrationFramework, scenario: TestScenario, isolation: WorkerIsolation,
                      writes: Writes, failures: list[tuple[Status, str, str]]) -> None:
    full = framework.full_invariants or not isolation.fully_checked
    if not (writes or full):
        return  # nothing changed since the last (passing) check of the same clean data
    try:
        framework.check_invariants(scenario, ALL_WRITES if full else isolation.with_known_empty(writes))
        isolation.fully_checked = True
    except AssertionError as exc:
        failures.append((Status.FAILED, f"after the scenario: {describe(exc)}", traceback.format_exc()))
    except Exception as exc:
        failures.append((Status.ERROR, f"check_invariants raised {describe(exc)}", traceback.format_exc()))


def _reset(isolation: WorkerIsolation, writes: Writes, failures: list[tuple[Status, str, str]]) -> str | None:
    """Put the database back; on failure record an error and say why the worker is unusable."""
    try:
        isolation.reset(writes)
    except BaseException as exc:
        failures.append((Status.ERROR, f"database reset raised {describe(exc)}", traceback.format_exc()))
        return "its database could not be reset to its clean state"
    return None


def run_cleanup_only(framework: IntegrationFramework, scenario: TestScenario) -> str | None:
    """After a timeout or a dead worker: the scenario's cleanup_function in a fresh worker, then the reset."""
    worker_isolation, _ = isolation_and_monitor()
    try:
        isolation = worker_isolation()
        try:
            call_cleanup(scenario, framework)
        finally:
            isolation.reset(isolation.take_writes())
    except BaseException as exc:
        return f"cleanup_function raised {describe(exc)}"
    return None

"""`IntegrationFramework`: register scenarios, run them in worker processes, get the report.

Extension points for subclasses (the PRS facade uses them), all called IN THE WORKER process:
- `worker_started()`: once per worker, after its own test database is active.
- `begin_scenario(scenario)` / `end_scenario(scenario)`: around every attempt, before the worker's database
  is reset to its clean state (so rows created in `begin_scenario` go with the attempt's). `end_scenario`
  runs whatever happened. Reset per-scenario state (test organization, users) here.
- `check_invariants(scenario, writes)`: after an attempt that passed, told which tables it wrote.
- any assertion methods; `test_function(framework)` receives the framework object.
In the parent: `on_result(result)` callbacks see each final `TestResult` as it is known.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from support.engine import assertions
from support.engine.registry import ScenarioRegistry
from support.engine.scenario import TestResult, TestScenario
from support.engine.writes import ALL_WRITES, Writes

DEFAULT_REPORT_PATH = "reports/report.json"


class IntegrationFramework:
    def __init__(self, *, monitoring: bool = True, registry: ScenarioRegistry | None = None) -> None:
        self.registry = registry if registry is not None else ScenarioRegistry()
        self.monitoring = monitoring  # False only to measure the monitor's own overhead
        # True: check_invariants is told every table changed after every attempt (writes the engine cannot
        # see, by another process for instance); by default only the first check in a worker is full.
        self.full_invariants = False
        self.current_scenario: TestScenario | None = None  # set in the worker during an attempt
        self.current_monitor: Any = None  # the attempt's ScenarioMonitor, for hooks that report its figures
        self.current_attempt: int = 0
        self.last_results: list[TestResult] = []  # parent side, after run_all_scenarios
        self.last_report: dict[str, Any] | None = None
        # Merged into the report's summary: what the reports call the run (e.g. {"title": ..., "product": ...}).
        self.report_labels: dict[str, str] = {}
        # Who creates and drops the test databases: "runner" (the engine: one copy per worker, reset after every
        # attempt) or "suite" (its own before_all/after_all in each worker; the engine only names them).
        self.database_owner = "runner"
        # False: migrate every run; None: copy a cached migrated template unless PRS_DATABASES_CACHE=no.
        self.databases_cache: bool | None = None
        # Seconds per scenario name from an earlier run, if known: parallel runs start the longest first.
        self.expected_durations: dict[str, float] | None = None

    # --- registration -------------------------------------------------------------------------
    def register_scenario(self, scenario: TestScenario) -> TestScenario:
        return self.registry.register(scenario)

    @property
    def scenarios(self) -> list[TestScenario]:
        return list(self.registry)

    # --- running ------------------------------------------------------------------------------
    def run_all_scenarios(
        self,
        tags: Iterable[str] | str | None = None,
        parallel: bool = False,
        workers: int | None = None,
        report_path: str | os.PathLike[str] | None = DEFAULT_REPORT_PATH,
        on_result: Callable[[TestResult], None] | None = None,
        pulled_in: Iterable[str] = (),
        on_start: Callable[[], None] | None = None,
    ) -> dict[str, Any]:
        """Run the registered scenarios (those carrying any of `tags`, plus their dependencies).

        Sequential (default): one worker process, strict dependency order. `parallel=True`: `workers`
        processes (default `os.cpu_count()`), each scenario dispatched as soon as its dependencies passed.
        Returns the report dict and writes it to `report_path` (None: don't write) — also when the run is
        interrupted: Ctrl-C, SIGTERM and SIGHUP stop it like Ctrl-C and the `RunInterrupted` (a KeyboardInterrupt
        naming the signal) is re-raised after the report is written, marked interrupted. Raises
        `ScenarioGraphError` before anything runs for unknown dependencies, cycles, or an empty selection.
        `pulled_in` names registered scenarios that are reported as pulled in by a selection made elsewhere.
        `on_start()` is called once the test databases are ready, before any scenario runs (an unreachable
        database raises before it, and no report is written: the last run's stays).
        """
        from support.engine.execution import execute  # late: keeps `import support.engine` light

        if workers is not None and (not isinstance(workers, int) or workers < 1):
            raise ValueError(f"workers must be a positive int, got {workers!r}")
        if not parallel and workers not in (None, 1):
            raise ValueError(f"workers={workers} needs parallel=True (sequential runs use one worker)")
        size = (workers or os.cpu_count() or 1) if parallel else 1
        record = execute(self, tags=tags, parallel=parallel, workers=size, on_result=on_result,
                         pulled_in=pulled_in, on_start=on_start)
        report = self.build_report(record)
        self.last_results, self.last_report = record.results, report
        if report_path is not None:
            from support.reporting.json_report import write_report

            write_report(report, Path(report_path))
        if record.interruption is not None:
            raise record.interruption
        return report

    def build_report(self, record: Any) -> dict[str, Any]:
        """The report dict of one run (`execution.RunRecord`); the engine itself never builds reports."""
        from support.reporting.json_report import build_report

        report = build_report(record.results, start_time=record.start_time, end_time=record.end_time,
                              interrupted=record.interrupted, parallel=record.parallel, workers=record.workers,
                              tags=record.tags)
        if record.interrupted:
            report["summary"]["interruption"] = record.interruption_reason
        report["summary"].update(self.report_labels)
        return report

    # --- extension points (worker side) -------------------------------------------------------
    def worker_started(self) -> None:
        """Called once in each worker process after its test database is active."""

    def begin_scenario(self, scenario: TestScenario) -> None:
        """Called before each attempt; what it writes is reset with the attempt's writes."""

    def end_scenario(self, scenario: TestScenario) -> None:
        """Called after each attempt whatever happened, before cleanup_function and the database reset."""

    def check_invariants(self, scenario: TestScenario, writes: Writes = ALL_WRITES) -> None:
        """Called after an attempt that passed (and wrote something), before the database reset: raise
        AssertionError to fail it.

        The place for what every scenario must leave true of the system under test (a subclass knows what).
        `writes` names the tables the attempt wrote (`writes.touches({...})`); every attempt starts from the
        same clean data, fully checked once per worker, so rules over other tables need no re-checking.
        `writes.everything` asks for every rule.
        """

    # --- assertions ---------------------------------------------------------------------------
    def assert_performance_within_limits(
        self,
        max_duration_seconds: float | None = None,
        max_memory_increase_mb: float | None = None,
        max_queries: int | None = None,
    ):
        """Context manager failing (AssertionError) with the figures when a limit is exceeded."""
        return assertions.assert_performance_within_limits(
            max_duration_seconds=max_duration_seconds,
            max_memory_increase_mb=max_memory_increase_mb,
            max_queries=max_queries,
        )

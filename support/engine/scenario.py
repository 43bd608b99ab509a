"""What a scenario is (`TestScenario`), what running it gave (`TestResult`), and the status words.

Retry semantics: `retry_attempts` is the number of RE-runs after a failed or errored attempt, so a
scenario runs at most `1 + retry_attempts` times. Every attempt commits for real and starts on clean data
(the worker's database is reset to its clean state after each attempt). A scenario that times out is not
retried: a hang is rarely transient and each retry would cost the full timeout again. A scenario that
passes after at least one failed attempt is reported `passed` with `flaky=True`.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any

# Budget keys a scenario may declare; the engine checks them after each attempt.
BUDGET_KEYS = ("max_queries", "max_duration_seconds", "max_memory_increase_mb")
MAX_TIMEOUT_SECONDS = 24 * 3600  # a day: a longer one is a typo (and too long for the OS's timers)
MAX_RETRY_ATTEMPTS = 100


class Status(StrEnum):
    """The status words of the report, exactly."""

    PASSED = "passed"
    FAILED = "failed"  # an AssertionError (or an exceeded budget)
    ERROR = "error"  # could not run to an assertion: any other exception, a dead worker
    BLOCKED = "blocked"  # a dependency did not pass; never run
    SKIPPED = "skipped"  # skip_condition said so
    TIMED_OUT = "timed_out"  # stopped at timeout_seconds


class ScenarioSkipped(Exception):
    """Raised by a test_function that decides at run time not to run (behave's `scenario.skip()`, active tags):
    the attempt is `skipped` with this message as its reason. `outcome` rides along like a failure's."""

    def __init__(self, reason: str = "", outcome: Any = None) -> None:
        super().__init__(reason)
        self.outcome = outcome


@dataclass
class TestScenario:
    """One scenario. `test_function(framework)` runs in a worker process and receives the framework.

    - `cleanup_function`: called after every attempt whatever happened, with the framework if it takes
      one positional parameter, else with none. After a timeout or a worker death it runs in a fresh
      worker (the killed one cannot), on that worker's clean database.
    - `skip_condition`: a no-argument callable evaluated in the worker right before the scenario would
      run; truthy means skip. A string return value is the reason; otherwise the reason names the callable.
    - `budgets`: any of `BUDGET_KEYS`; checked after the attempt, failing it with the figures.
    - `source`: where the scenario comes from, e.g. "features/x.feature:12" (shown in reports).
    """

    __test__ = False  # not a pytest test class

    name: str
    description: str
    test_function: Callable[..., Any]
    dependencies: list[str] = field(default_factory=list)
    cleanup_function: Callable[..., Any] | None = None
    timeout_seconds: float = 300
    retry_attempts: int = 3
    skip_condition: Callable[[], Any] | None = None
    tags: list[str] = field(default_factory=list)
    budgets: dict[str, float] = field(default_factory=dict)
    source: str | None = None

    def __post_init__(self) -> None:
        where = f"TestScenario {self.name!r}" + (f" ({self.source})" if self.source else "")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"TestScenario name must be a non-empty string, got {self.name!r}")
        if not callable(self.test_function):
            raise TypeError(f"{where}: test_function must be callable, got {self.test_function!r}")
        for label, value in (("cleanup_function", self.cleanup_function),
                             ("skip_condition", self.skip_condition)):
            if value is not None and not callable(value):
                raise TypeError(f"{where}: {label} must be callable or None, got {value!r}")
        if not self.timeout_seconds or not 0 < self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            raise ValueError(f"{where}: timeout_seconds must be > 0 and at most {MAX_TIMEOUT_SECONDS} "
                             f"(24 h), got {self.timeout_seconds!r}")
        if not isinstance(self.retry_attempts, int) or not 0 <= self.retry_attempts <= MAX_RETRY_ATTEMPTS:
            raise ValueError(f"{where}: retry_attempts must be an int from 0 to {MAX_RETRY_ATTEMPTS}, "
                             f"got {self.retry_attempts!r}")
        for label, values in (("dependencies", self.dependencies), ("tags", self.tags)):
            if isinstance(values, str) or not all(isinstance(v, str) for v in values):
                raise TypeError(f"{where}: {label} must be a list of strings, got {values!r}")
        self.dependencies = list(self.dependencies)
        self.tags = list(self.tags)
        unknown = sorted(set(self.budgets) - set(BUDGET_KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown budget key(s) {unknown}; allowed: {list(BUDGET_KEYS)}")
        self.budgets = dict(self.budgets)

    @property
    def max_attempts(self) -> int:
        return 1 + self.retry_attempts


@dataclass
class TestResult:
    """The final result of one scenario (all attempts). `to_dict()` is its report form.

    `duration_seconds` sums all attempts; `metadata['performance_data']` holds the figures of the last
    attempt (memory_change_mb, peak_memory_mb, cpu_seconds, query_count, query_time_ms,
    database_changes, repeated_queries); `metadata['attempt_errors']` the errors of earlier attempts.
    `outcome` is the picklable value the last attempt's test_function returned (not in the JSON report).
    """

    __test__ = False

    scenario_name: str
    status: Status
    attempts: int = 0
    flaky: bool = False
    duration_seconds: float = 0.0
    error: str | None = None
    tags: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    pulled_in: bool = False
    blocked_by: str | None = None
    skip_reason: str | None = None
    description: str = ""
    source: str | None = None
    timeout_seconds: float | None = None
    metadata: dict[str, Any] = field(default_factory=lambda: {"performance_data": {}})
    outcome: Any = None

    @property
    def success(self) -> bool:
        return self.status == Status.PASSED

    def to_dict(self) -> dict[str, Any]:
        """A copy, as `dataclasses.asdict` makes (without its per-value dataclass checks: a report of thousands
        of scenarios spent most of its time there)."""
        data = {name: _copied(getattr(self, name)) for name in _RESULT_FIELDS}
        data["status"] = str(self.status)
        data["success"] = self.success
        return data


_RESULT_FIELDS = tuple(f.name for f in fields(TestResult) if f.name != "outcome")


def _copied(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, tuples); anything else as asdict would give it."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, tuple):
        items = [_copied(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return copy.deepcopy(value) if not isinstance(value, str | int | float | bool | type(None)) else value

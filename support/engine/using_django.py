"""Whether this run has Django databases at all: the engine imports Django only if the suite already did.

A behave suite without a database never imports Django, so the engine gives it no test databases, no isolation
and no query or row counting (wall, CPU and memory figures only) — and never imports Django itself. A suite that
set up Django (its environment.py or the caller did) gets the full treatment.
"""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from support.engine.writes import Writes


def django_in_use() -> bool:
    """Django is imported and configured with at least one database."""
    if "django" not in sys.modules:
        return False
    from django.conf import settings

    if not (settings.configured or os.environ.get("DJANGO_SETTINGS_MODULE")):
        return False
    try:
        return bool(settings.DATABASES)
    except Exception:  # settings that do not load are the suite's business, reported where it uses them
        return False


RUNNER, SUITE = "runner", "suite"  # who owns the test databases (framework.database_owner)


def test_databases(owner: str = RUNNER, cache: bool | None = None) -> Any:
    """The run's databases: Django's test databases, the suite's own (named per worker), or none. `cache`: copy
    the migrated test database from a cached template (None: on unless PRS_DATABASES_CACHE=no)."""
    if not django_in_use():
        return NoDatabases()
    if owner == SUITE:
        from support.engine.databases import SuiteDatabases

        return SuiteDatabases()
    from support.engine.databases import TestDatabases

    return TestDatabases(cache=cache)


def isolation_and_monitor(owner: str = RUNNER) -> tuple[Callable[[], Any], Callable[..., Any]]:
    """(worker_isolation, ScenarioMonitor) for this process: Django's, or stand-ins that need no database.
    A suite that owns its test database also owns its isolation (a rollback per scenario, say): no reset."""
    if django_in_use():
        from support.engine.databases import worker_isolation
        from support.engine.monitoring import ScenarioMonitor

        return (NoIsolation if owner == SUITE else worker_isolation), ScenarioMonitor
    return NoIsolation, PlainMonitor


class _NoState:
    def changes(self, writes: Writes) -> dict[str, Any]:
        return {}


class NoIsolation:
    """No database: nothing was written, nothing to reset."""

    state = _NoState()
    fully_checked = True

    def take_writes(self) -> Writes:
        return Writes()

    def with_known_empty(self, writes: Writes) -> Writes:
        return writes

    def reset(self, writes: Writes) -> None:
        """Nothing to put back."""


@dataclass
class NoWorkerDatabase:
    suffix: str = ""

    def activate(self) -> None:
        """Nothing to point anywhere."""

    def close(self) -> None:
        """Nothing to close."""


class NoDatabases:
    """A suite without a database: nothing to create, copy or drop."""

    def prepare(self) -> None:
        """Nothing to create."""

    def new_worker_database(self) -> NoWorkerDatabase:
        return NoWorkerDatabase()

    def discard(self, copy: Any) -> None:
        """Nothing to drop."""

    def teardown(self) -> None:
        """Nothing to drop."""


@dataclass
class PlainMonitor:
    """Wall and CPU time of an attempt, for a run without databases (no queries or rows to count)."""

    enabled: bool = True
    figures: dict[str, Any] = field(default_factory=dict)
    queries: Any = None

    def start(self) -> None:
        self.figures = {"monitoring": self.enabled}
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def stop(self) -> dict[str, Any]:
        self.figures["wall_seconds"] = round(time.perf_counter() - self._wall, 4)
        self.figures["cpu_seconds"] = round(time.process_time() - self._cpu, 4)
        return self.figures

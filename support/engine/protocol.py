"""What the engine's inner modules need from the framework object and from a worker's database.

`attempts`, `workers` and `execution` depend on these small protocols, never on `framework.py`: the
framework (or any object with these members) is handed in, so nothing imports in a circle.
"""
from __future__ import annotations

from typing import Any, Protocol

from support.engine.scenario import TestScenario


class RegistryProtocol(Protocol):
    def get(self, name: str) -> TestScenario: ...


class FrameworkProtocol(Protocol):
    """The members of `IntegrationFramework` the engine uses while it runs scenarios."""

    registry: Any
    monitoring: bool
    current_scenario: TestScenario | None
    current_monitor: Any
    current_attempt: int
    database_owner: str  # "runner" (the engine's test databases) or "suite" (the suite's own hooks)

    def worker_started(self) -> None: ...

    def begin_scenario(self, scenario: TestScenario) -> None: ...

    def end_scenario(self, scenario: TestScenario) -> None: ...

    def check_invariants(self, scenario: TestScenario) -> None: ...


class WorkerDatabaseProtocol(Protocol):
    """One worker's private database copy (or nothing at all, for a suite without a database)."""

    def activate(self) -> None: ...

    def close(self) -> None: ...

"""The set of registered scenarios, by unique name, in registration order."""
from __future__ import annotations

from collections.abc import Iterator

from support.engine.scenario import TestScenario


class DuplicateScenarioError(ValueError):
    """Two scenarios share a name."""


class ScenarioRegistry:
    def __init__(self) -> None:
        self._scenarios: dict[str, TestScenario] = {}

    def register(self, scenario: TestScenario) -> TestScenario:
        if not isinstance(scenario, TestScenario):
            raise TypeError(f"register expects a TestScenario, got {type(scenario).__name__}: {scenario!r}")
        existing = self._scenarios.get(scenario.name)
        if existing is not None:
            where = f" (already registered from {existing.source})" if existing.source else ""
            raise DuplicateScenarioError(
                f"a scenario named {scenario.name!r} is already registered{where}; scenario names must be unique"
            )
        self._scenarios[scenario.name] = scenario
        return scenario

    def unregister(self, name: str) -> None:
        del self._scenarios[name]

    def clear(self) -> None:
        self._scenarios.clear()

    def get(self, name: str) -> TestScenario:
        try:
            return self._scenarios[name]
        except KeyError:
            raise KeyError(f"no scenario named {name!r} is registered") from None

    def __contains__(self, name: object) -> bool:
        return name in self._scenarios

    def __iter__(self) -> Iterator[TestScenario]:
        return iter(list(self._scenarios.values()))

    def __len__(self) -> int:
        return len(self._scenarios)

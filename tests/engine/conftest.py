"""Engine tests run real scenarios in real worker processes against the test database.

They write to `auth.Group` (plain Django, nothing of PRS) and are marked transactional: workers only see
committed data, so a run inside pytest-django's per-test transaction is refused by design.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support.engine import IntegrationFramework, TestScenario


class EngineHarness:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.framework = IntegrationFramework()
        self.report_path = tmp_path / "report.json"

    def add(self, name: str, test_function: Callable[[Any], Any], **options: Any) -> TestScenario:
        options.setdefault("retry_attempts", 0)
        options.setdefault("timeout_seconds", 20)
        return self.framework.register_scenario(TestScenario(name, f"{name} (engine test)", test_function, **options))

    def run(self, **options: Any) -> dict[str, Any]:
        options.setdefault("report_path", self.report_path)
        return self.framework.run_all_scenarios(**options)

    @staticmethod
    def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {r["scenario_name"]: r for r in report["results"]}


@pytest.fixture
def engine(tmp_path: Path) -> EngineHarness:
    return EngineHarness(tmp_path)


def group_names() -> list[str]:
    from django.contrib.auth.models import Group

    return sorted(Group.objects.values_list("name", flat=True))

"""The PRS-agnostic integration-test engine.

Public names: `TestScenario`, `TestResult`, `Status`, `IntegrationFramework`, `ScenarioGraphError`,
`DuplicateScenarioError`, `assert_performance_within_limits`. Nothing here imports `prs.*`: the engine
runs scenarios against any Django project's test database.
"""
from support.engine.assertions import PerformanceLimitExceeded, assert_performance_within_limits
from support.engine.framework import IntegrationFramework
from support.engine.registry import DuplicateScenarioError, ScenarioRegistry
from support.engine.scenario import Status, TestResult, TestScenario
from support.engine.scheduling import ScenarioGraphError

__all__ = [
    "DuplicateScenarioError",
    "IntegrationFramework",
    "PerformanceLimitExceeded",
    "ScenarioGraphError",
    "ScenarioRegistry",
    "Status",
    "TestResult",
    "TestScenario",
    "assert_performance_within_limits",
]

"""A realistic run report in the shape `support/reporting/json_report.py` writes (issue 3)."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import pytest

# The seed's eight scenarios and their dependencies; sources as the acceptance suite names them.
SEED_SCENARIOS: dict[str, list[str]] = {
    "complete_sales_workflow": [],
    "api_integration": ["complete_sales_workflow"],
    "multi_user_concurrent": [],
    "notification_system_integration": ["complete_sales_workflow"],
    "financial_calculations_accuracy": ["complete_sales_workflow"],
    "security_audit_trail": ["complete_sales_workflow"],
    "performance_under_load": [],
    "cross_service_integration": [
        "complete_sales_workflow", "api_integration", "multi_user_concurrent",
        "notification_system_integration", "financial_calculations_accuracy",
        "security_audit_trail", "performance_under_load",
    ],
}


def make_result(name: str, status: str = "passed", *, rng: random.Random | None = None,
                dependencies: list[str] | None = None, line: int = 5, **extra: Any) -> dict[str, Any]:
    rng = rng or random.Random(name)
    duration = round(rng.uniform(0.3, 6.0), 3)
    base = 140 + rng.uniform(0, 40)
    samples = [[round(t * duration / 9, 3), round(base + t * rng.uniform(0.2, 2.5), 2)] for t in range(10)]
    result: dict[str, Any] = {
        "scenario_name": name,
        "status": status,
        "success": status == "passed",
        "attempts": 1,
        "flaky": False,
        "duration_seconds": duration,
        "error": None,
        "tags": ["core", name.split("_")[0]],
        "dependencies": list(dependencies or []),
        "pulled_in": False,
        "blocked_by": None,
        "skip_reason": None,
        "source": f"features/{name}.feature:{line}",
        "metadata": {"performance_data": {
            "memory_change_mb": round(samples[-1][1] - samples[0][1], 2),
            "peak_memory_mb": max(s[1] for s in samples),
            "cpu_seconds": round(duration * 0.7, 3),
            "query_count": rng.randint(8, 90),
            "query_time_ms": round(rng.uniform(5, 120), 2),
            "database_changes": {"clients.Client": {"added": 1, "removed": 0},
                                 "deals.Deal": {"added": rng.randint(0, 3), "removed": 0}},
            "repeated_queries": [],
            "memory_samples": samples,
        },
            "budgets": {"max_queries": 60, "max_duration_seconds": 5.0},
            "attempt_errors": []},
        "description": name.replace("_", " "),
        "timeout_seconds": 30.0,
    }
    if status == "failed":
        result["error"] = "AssertionError: expected payment status 'paid', got 'partial'\n  File \"steps/x.py\", line 3"
    elif status == "error":
        result["error"] = "worker died (signal 9) while running the scenario"
    elif status == "timed_out":
        result["error"] = "timed out after 30 s"
    elif status == "blocked":
        result["blocked_by"] = (dependencies or ["?"])[0]
        result["duration_seconds"] = 0.0
    elif status == "skipped":
        result["skip_reason"] = "skip_if: PRS_SKIP_LOAD is set"
    result.update(extra)
    return result


def make_report(statuses: dict[str, str] | None = None, seed: int = 7) -> dict[str, Any]:
    statuses = statuses or {}
    rng = random.Random(seed)
    results = [
        make_result(name, statuses.get(name, "passed"), rng=rng, dependencies=deps, line=3 + i)
        for i, (name, deps) in enumerate(SEED_SCENARIOS.items())
    ]
    results[2].update(attempts=2, flaky=True)
    passed = sum(r["status"] == "passed" for r in results)
    counts = {s: sum(r["status"] == s for r in results) for s in ("failed", "error", "blocked", "skipped", "timed_out")}
    return {
        "schema_version": 1,
        "summary": {
            "total_scenarios": len(results), "successful": passed, **counts,
            "flaky": sum(r["flaky"] for r in results),
            "success_rate": round(100.0 * passed / len(results), 1),
            "total_duration_seconds": round(sum(r["duration_seconds"] for r in results), 3),
            "start_time": "2026-11-23T10:00:00Z", "end_time": "2026-11-23T10:00:31Z",
        },
        "results": results,
        "performance_analysis": {"total_memory_change_mb": 12.5, "peak_memory_mb": 181.2,
                                 "database_growth": {"clients.Client": 8}, "total_queries": 400},
        "recommendations": ["api_integration ran 91 queries against a budget of 60: SELECT ... repeated 40x"],
    }


@pytest.fixture
def report_factory() -> Callable[..., dict[str, Any]]:
    return lambda statuses=None, seed=7: copy.deepcopy(make_report(statuses, seed))


@pytest.fixture
def result_factory() -> Callable[..., dict[str, Any]]:
    return make_result

"""Reading a JSON run report (the shape `json_report.py` writes) with errors that say what is wrong.

Every renderer in this package (HTML, JUnit, rerun, history, merge) takes the report as a dict;
this module is the one place that reads one from disk and checks the parts they rely on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

STATUSES = ("passed", "failed", "error", "blocked", "skipped", "timed_out")
NOT_PASSED = ("failed", "error", "timed_out", "blocked")


class ReportError(ValueError):
    """A report file that is missing, not JSON, or not in the report's shape."""


def load_report(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"{path}: no such report file") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    check_report(report, where=str(path))
    return report


def check_report(report: Any, where: str = "report") -> None:
    if not isinstance(report, Mapping):
        raise ReportError(f"{where}: expected a JSON object, got {type(report).__name__}")
    for key in ("summary", "results"):
        if key not in report:
            raise ReportError(f"{where}: missing key {key!r}")
    if not isinstance(report["results"], list):
        raise ReportError(f"{where}: 'results' must be a list")
    for i, result in enumerate(report["results"]):
        if not isinstance(result, Mapping) or not result.get("scenario_name"):
            raise ReportError(f"{where}: results[{i}] has no scenario_name")
        status = status_of(result)
        if status not in STATUSES:
            raise ReportError(
                f"{where}: results[{i}] ({result['scenario_name']}) has status {status!r}, "
                f"expected one of {', '.join(STATUSES)}"
            )


def status_of(result: Mapping) -> str:
    # The seed's report had only `success`; ours adds `status`. Accept both.
    status = result.get("status")
    if status:
        return str(status)
    return "passed" if result.get("success") else "failed"


def performance_of(result: Mapping) -> Mapping[str, Any]:
    return (result.get("metadata") or {}).get("performance_data") or {}


# Budget keys as the engine names them, with the tag spellings accepted too.
BUDGET_KEYS = {
    "max_queries": ("max_queries",),
    "max_duration_seconds": ("max_duration_seconds", "max_duration"),
    "max_memory_increase_mb": ("max_memory_increase_mb", "max_memory_mb"),
}


def budget_of(result: Mapping, key: str) -> float | None:
    """A budget of the scenario (`metadata.budgets`, or `budgets` at the top), None when it has none."""
    budgets = {**(result.get("budgets") or {}), **((result.get("metadata") or {}).get("budgets") or {})}
    for spelling in BUDGET_KEYS[key]:
        if budgets.get(spelling) is not None:
            return number(budgets[spelling])
    return None


def number(value: Any, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default

"""The closing line CI reads: ``acceptance: N passed, N failed[, N skipped]``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

FAILING = frozenset({"failed", "error", "timed_out"})
NOT_RUN = frozenset({"skipped", "blocked"})


def status_word(result: Any) -> str:
    """The engine's status as its report word; a scenario that skipped itself at run time counts as skipped."""
    word = str(getattr(result.status, "value", result.status))
    outcome = getattr(result, "outcome", None)
    if word == "passed" and isinstance(outcome, dict) and outcome.get("status") == "skipped":
        return "skipped"
    return word


@dataclass(frozen=True)
class StatusCounts:
    passed: int = 0
    failed: int = 0  # failed + error + timed_out
    skipped: int = 0  # skipped + blocked
    by_status: dict[str, int] = field(default_factory=dict)


def count_statuses(results: Iterable[Any]) -> StatusCounts:
    words = Counter(status_word(r) for r in results)
    return StatusCounts(
        passed=words["passed"],
        failed=sum(n for w, n in words.items() if w in FAILING),
        skipped=sum(n for w, n in words.items() if w in NOT_RUN),
        by_status=dict(words),
    )


def closing_line(counts: StatusCounts, interruption: BaseException | None = None) -> str:
    line = f"acceptance: {counts.passed} passed, {counts.failed} failed"
    line += f", {counts.skipped} skipped" if counts.skipped else ""
    if interruption is not None:
        line += f" — interrupted ({getattr(interruption, 'signal_name', 'KeyboardInterrupt')})"
    return line


def run_notes(results: Iterable[Any]) -> list[str]:
    """What behave's own summary cannot say: blocked, timed-out and flaky scenarios."""
    notes: list[str] = []
    for result in results:
        word, where = status_word(result), getattr(result, "source", None) or result.scenario_name
        if word == "blocked":
            notes.append(f"  blocked:   {where}  {result.scenario_name} (by {result.blocked_by})")
        elif word == "timed_out":
            notes.append(f"  timed out: {where}  {result.scenario_name} (after {result.timeout_seconds:g} s)")
        elif getattr(result, "flaky", False):
            notes.append(f"  flaky:     {where}  {result.scenario_name} (passed on attempt {result.attempts})")
    return ["", "Framework notes:", *notes] if notes else []

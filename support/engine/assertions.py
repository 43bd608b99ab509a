"""Generic performance assertions (PRS-specific ones live in support/prs).

`exceeded_limits` is the one place that compares figures with limits; the context manager below and the
engine's per-scenario `budgets` both use it, so their messages read the same.
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psutil

MB = 1024 * 1024


class PerformanceLimitExceeded(AssertionError):
    """A performance limit was exceeded; the message carries the figures."""


def exceeded_limits(figures: Mapping[str, Any], limits: Mapping[str, float | None]) -> list[str]:
    """One line per limit the figures exceed. figures: wall_seconds, memory_change_mb, query_count,
    repeated_queries; limits: max_duration_seconds, max_memory_increase_mb, max_queries."""
    problems = []
    checks = (
        ("max_duration_seconds", "wall_seconds", "duration {value:.3f} s > max_duration_seconds {limit:g}"),
        ("max_memory_increase_mb", "memory_change_mb",
         "memory increase {value:.1f} MB > max_memory_increase_mb {limit:g}"),
        ("max_queries", "query_count", "{value} queries > max_queries {limit:g}"),
    )
    for limit_key, figure_key, template in checks:
        limit = limits.get(limit_key)
        value = figures.get(figure_key)
        if limit is None or value is None or value <= limit:
            continue
        line = template.format(value=value, limit=limit)
        if figure_key == "query_count" and figures.get("repeated_queries"):
            repeated = "; ".join(f"{q['count']}x {q['sql']}" for q in figures["repeated_queries"])
            line += f" (repeated: {repeated})"
        problems.append(line)
    return problems


@contextmanager
def assert_performance_within_limits(
    max_duration_seconds: float | None = None,
    max_memory_increase_mb: float | None = None,
    max_queries: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Measure the block; raise PerformanceLimitExceeded naming every exceeded limit with its figure.

    Yields the figures dict (filled when the block ends). Queries are counted on every connection,
    threads' included; memory is the RSS change across the block. Nothing is checked if the block raises.
    """
    limits = {"max_duration_seconds": max_duration_seconds, "max_memory_increase_mb": max_memory_increase_mb,
              "max_queries": max_queries}
    for key, value in limits.items():
        if value is not None and (not isinstance(value, int | float) or value < 0):
            raise ValueError(f"assert_performance_within_limits: {key} must be a number >= 0, got {value!r}")
    from support.engine.monitoring import QueryCounter  # Django only where queries are counted

    process = psutil.Process()
    figures: dict[str, Any] = {}
    start_rss = process.memory_info().rss
    with QueryCounter() as queries:
        start = time.perf_counter()
        yield figures
        figures["wall_seconds"] = time.perf_counter() - start
    figures.update(
        memory_change_mb=(process.memory_info().rss - start_rss) / MB,
        query_count=queries.count,
        query_time_ms=queries.time_seconds * 1000,
        repeated_queries=queries.repeated(),
    )
    problems = exceeded_limits(figures, limits)
    if problems:
        raise PerformanceLimitExceeded("performance limits exceeded: " + "; ".join(problems))

"""Generic performance assertions (PRS-specific ones live in support/prs)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class PerformanceLimitExceeded(AssertionError):
    """A performance limit was exceeded; the message carries the figures."""


@contextmanager
def assert_performance_within_limits(
    max_duration_seconds: float | None = None,
    max_memory_increase_mb: float | None = None,
    max_queries: int | None = None,
) -> Iterator[dict]:
    """Measure the block; raise PerformanceLimitExceeded naming every exceeded limit with its figure."""
    raise NotImplementedError  # filled in next commit
    yield {}

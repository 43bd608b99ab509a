"""Cost of one service call (time, database queries) and a rolled-back transaction around it."""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


def _django_ready() -> bool:
    try:
        from django.apps import apps
        from django.conf import settings
    except ImportError:
        return False
    return settings.configured and apps.ready and bool(getattr(settings, "DATABASES", None))


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a transaction (a savepoint when one is open) and undo its writes.

    Without a configured Django, there is nothing to undo and the block just runs.
    """
    if not _django_ready():
        yield
        return
    from django.db import DEFAULT_DB_ALIAS, transaction

    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        try:
            yield
        finally:
            transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)


@dataclass
class QueryCounter:
    count: int = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    """Count queries on every database connection while the block runs (0 without Django)."""
    counter = QueryCounter()
    if not _django_ready():
        yield counter
        return
    from django.db import connections

    with contextlib.ExitStack() as stack:
        for connection in connections.all():
            stack.enter_context(connection.execute_wrapper(counter))
        yield counter


@dataclass
class Cost:
    ms: float = 0.0
    queries: int = 0


@contextlib.contextmanager
def measuring(clock: Callable[[], float] = time.perf_counter) -> Iterator[Cost]:
    cost = Cost()
    started = clock()
    with counting_queries() as counter:
        try:
            yield cost
        finally:
            cost.ms = (clock() - started) * 1000
            cost.queries = counter.count

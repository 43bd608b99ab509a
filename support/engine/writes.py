"""Which tables this process wrote, on every connection (those threads open included).

One execute wrapper per process, installed once and never removed: every SQL statement on every Django
connection is classified once per distinct statement text (a dict lookup afterwards), and the tables that
INSERT, UPDATE, DELETE (…) statements name are collected per database alias. A statement that may write but
names no table we can read (a CTE, DDL, TRUNCATE of several tables) marks *everything* written, so a reset
or an invariant check that relies on this never misses a change — it only does more work.

What this cannot see: writes by other processes (a subprocess with its own connection) and by code that
bypasses Django's cursors. Those need a full reset and a full invariant check.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_WRITE = re.compile(
    r"""^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?(?:\s+ONLY)?|DELETE\s+FROM(?:\s+ONLY)?)
        \s+["`\[]?([A-Za-z_][\w$]*)["`\]]?(?:\s|\(|$)""",
    re.IGNORECASE | re.VERBOSE,
)
# Statements that change no table rows (transaction control, session settings, reads).
_NO_WRITE = re.compile(
    r"^\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|START|COMMIT|END|SET|SHOW|PRAGMA|EXPLAIN|VALUES|DECLARE"
    r"|FETCH|CLOSE|MOVE|LISTEN|UNLISTEN|NOTIFY|RESET|DEALLOCATE|ANALYZE|VACUUM)\b",
    re.IGNORECASE,
)
EVERYTHING = "*"  # the classification of a statement that may write tables we cannot name
_CACHE_LIMIT = 20_000


def written_table(sql: str) -> str | None:
    """The table a statement writes, EVERYTHING when it may write unknown tables, None for no write."""
    match = _WRITE.match(sql)
    if match:
        return match.group(1)
    if _NO_WRITE.match(sql):
        return None
    return EVERYTHING


@dataclass(frozen=True)
class Writes:
    """What one scenario wrote: per database alias, the table names; `everything` when unattributable.

    `empty` (per alias) names tables known to hold no rows after the scenario: empty in the clean state and not
    written (`WorkerIsolation.with_known_empty`). A check that reads the rows of such a table has nothing to
    find. Unknown (the default) means none is known to be empty."""

    tables: dict[str, frozenset[str]] = field(default_factory=dict)
    everything: bool = False
    empty: dict[str, frozenset[str]] = field(default_factory=dict)

    def touches(self, tables: set[str] | frozenset[str], alias: str = "default") -> bool:
        """True when any of `tables` (on `alias`) may have changed."""
        return self.everything or not tables.isdisjoint(self.tables.get(alias, ()))

    def __or__(self, other: Writes) -> Writes:
        aliases = self.tables.keys() | other.tables.keys()
        return Writes({a: self.tables.get(a, frozenset()) | other.tables.get(a, frozenset()) for a in aliases},
                      self.everything or other.everything)  # `empty` is not known for the union

    def __bool__(self) -> bool:
        return self.everything or any(self.tables.values())


ALL_WRITES = Writes(everything=True)  # "assume every table changed": full resets and full checks


class WriteTracker:
    """The per-process execute wrapper; `install()` once, `take()` after every scenario."""

    def __init__(self) -> None:
        self._kinds: dict[str, str | None] = {}  # statement text -> written table | EVERYTHING | None
        self._tables: dict[str, set[str]] = {}
        self._everything = False
        self._lock = threading.Lock()
        self.installed = False

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        kind = self._kinds.get(sql, "")
        if kind == "":
            if len(self._kinds) > _CACHE_LIMIT:
                self._kinds.clear()
            kind = self._kinds[sql] = written_table(sql)
        if kind is not None:  # recorded before running: a failed write is harmless to over-report
            self._record(context["connection"].alias, kind)
        return execute(sql, params, many, context)

    def _record(self, alias: str, table: str) -> None:
        with self._lock:
            if table == EVERYTHING:
                self._everything = True
            else:
                self._tables.setdefault(alias, set()).add(table)

    def mark_everything(self) -> None:
        with self._lock:
            self._everything = True

    def take(self) -> Writes:
        """What was written since the last take(), and start afresh."""
        with self._lock:
            writes = Writes({alias: frozenset(t) for alias, t in self._tables.items() if t}, self._everything)
            self._tables = {}
            self._everything = False
        return writes

    def install(self) -> None:
        """On every connection object of this thread now, and on every connection opened later (any thread)."""
        if self.installed:
            return
        from django.db import connections
        from django.db.backends.signals import connection_created

        connection_created.connect(self._on_connection_created, weak=False)
        for conn in connections.all():
            self._attach(conn)
        self.installed = True

    def uninstall(self) -> None:
        """Off this thread's connections and the signal (tests; a worker keeps its tracker for life)."""
        from django.db import connections
        from django.db.backends.signals import connection_created

        connection_created.disconnect(self._on_connection_created)
        for conn in connections.all():
            conn.execute_wrappers[:] = [w for w in conn.execute_wrappers if w is not self]
        self.installed = False

    def _on_connection_created(self, sender: Any, connection: Any, **kwargs: Any) -> None:
        self._attach(connection)

    def _attach(self, connection: Any) -> None:
        if self not in connection.execute_wrappers:
            connection.execute_wrappers.insert(0, self)  # outermost: sees the statement whatever others do


_tracker: WriteTracker | None = None


def process_tracker() -> WriteTracker:
    """This process's tracker, installed on first use (a forked child inherits its parent's: fine)."""
    global _tracker
    if _tracker is None:
        _tracker = WriteTracker()
    _tracker.install()
    return _tracker

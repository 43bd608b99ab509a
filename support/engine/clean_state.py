"""A worker's database put back to its clean state after every scenario — scenarios commit for real.

Scenarios run as the system runs in production: autocommit, every request or service call in its own
transactions, commits real, visible to threads and other connections. Isolation between scenarios comes
from here instead of an outer rolled-back transaction:

- `capture()` (once per worker, before its first scenario) records what each table holds: its row count,
  the largest integer primary key, and its sequence position. The few tables that hold rows in the clean
  state (content types, permissions, whatever the test database held) are copied once into shadow tables
  in the worker's own database.
- `reset(writes)` (after every scenario) empties exactly the tables the scenario wrote (`writes.WriteTracker`
  saw every INSERT/UPDATE/DELETE on every connection), copies the shadow rows back where there were any, and
  puts those tables' sequences back, so ids start where they started for every scenario (reproducible
  whatever ran before in that worker). A scenario that wrote nothing costs nothing. On PostgreSQL it is one
  round trip (one multi-statement query runs as one implicit transaction); on SQLite one transaction.
- `changes(writes)`: rows added/removed per model, from the written tables only, against the clean counts.
- PostgreSQL: the copy's commits do not wait for the disk (`synchronous_commit off`): visibility and
  atomicity are unchanged, only durability across a server crash — of a throw-away test copy — is given up.

Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django creates them so on both backends), so the tables can
be emptied in any order inside one transaction. Django is imported inside the functions: importing the
engine must not need it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from support.engine.writes import Writes

SHADOW_PREFIX = "zz_clean_"
INTEGER_PKS = frozenset({"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"})


@dataclass
class TableState:
    name: str
    rows: int  # in the clean state
    shadow: str | None = None  # the shadow copy of its clean rows (None: empty when clean)
    model_label: str | None = None  # app_label.model for the monitor's figures
    pk_column: str | None = None  # integer primary key column (added rows = pk past the clean maximum)
    max_pk: int = 0
    sequences: list[tuple[str, int | None]] = field(default_factory=list)  # PostgreSQL: (name, last_value)
    sqlite_seq: int | None = None  # SQLite AUTOINCREMENT position (None: no sqlite_sequence row)


class ResetError(RuntimeError):
    """The database could not be put back to its clean state; the worker must not run another scenario."""


def shadow_name(table: str) -> str:
    name = SHADOW_PREFIX + table
    if len(name) <= 60:  # PostgreSQL identifiers stop at 63 bytes
        return name
    return f"{SHADOW_PREFIX}{table[:40]}_{hashlib.sha1(table.encode()).hexdigest()[:10]}"


class AliasState:
    """The clean state of one database alias."""

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.tables: dict[str, TableState] = {}
        self.vendor = ""
        self.sqlite_sequence = False  # SQLite: AUTOINCREMENT positions live in sqlite_sequence

    # --- capture ---------------------------------------------------------------------------
    def capture(self) -> None:
        from django.apps import apps
        from django.db import connections

        connection = connections[self.alias]
        self.vendor = connection.vendor
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            names = [n for n in connection.introspection.table_names(cursor) if not n.startswith(SHADOW_PREFIX)]
        models = {}
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if not meta.proxy and meta.managed:
                models.setdefault(meta.db_table, model)
        integer_pk = {
            table: model._meta.pk.column for table, model in models.items()
            if model._meta.pk.get_internal_type() in INTEGER_PKS
        }
        parts = [
            f"SELECT '{name}', COUNT(*), "
            + (f"MAX({qn(integer_pk[name])})" if name in integer_pk else "NULL")
            + f" FROM {qn(name)}"
            for name in names
        ]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts))
            counts = {row[0]: (int(row[1]), int(row[2] or 0)) for row in cursor.fetchall()}
            for name in names:
                rows, max_pk = counts.get(name, (0, 0))
                state = TableState(name, rows, max_pk=max_pk, pk_column=integer_pk.get(name))
                if name in models:
                    state.model_label = models[name]._meta.label_lower
                if rows:
                    state.shadow = shadow_name(name)
                    cursor.execute(f"DROP TABLE IF EXISTS {qn(state.shadow)}")
                    cursor.execute(f"CREATE TABLE {qn(state.shadow)} AS SELECT * FROM {qn(name)}")
                self.tables[name] = state
            if self.vendor == "postgresql":
                self._capture_postgresql_sequences(cursor)
                # Every scenario commits: don't wait for the disk on each commit. What other connections see,
                # and when, is unchanged; only a crash of the server could lose the last commits of a test copy.
                cursor.execute("SELECT current_database()")
                cursor.execute(f"ALTER DATABASE {qn(cursor.fetchone()[0])} SET synchronous_commit TO off")
                cursor.execute("SET synchronous_commit TO off")
            elif self.vendor == "sqlite":
                self._capture_sqlite_sequences(cursor)

    def _capture_postgresql_sequences(self, cursor: Any) -> None:
        # Serial and identity columns own their sequence (pg_depend 'a' / 'i').
        cursor.execute(
            "SELECT t.relname, s.relname, ps.last_value FROM pg_class s "
            "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
            " AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_namespace n ON n.oid = s.relnamespace AND n.nspname = current_schema() "
            "JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = s.relname "
            "WHERE s.relkind = 'S'"
        )
        for table, sequence, last_value in cursor.fetchall():
            if table in self.tables:
                self.tables[table].sequences.append((sequence, last_value))

    def _capture_sqlite_sequences(self, cursor: Any) -> None:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
        if cursor.fetchone() is None:
            return
        self.sqlite_sequence = True
        cursor.execute("SELECT name, seq FROM sqlite_sequence")
        for table, seq in cursor.fetchall():
            if table in self.tables:
                self.tables[table].sqlite_seq = seq

    # --- reset -----------------------------------------------------------------------------
    def written(self, writes: Writes) -> list[TableState]:
        if writes.everything:
            return list(self.tables.values())
        names = writes.tables.get(self.alias, ())
        return [self.tables[name] for name in sorted(names) if name in self.tables]

    def statements(self, tables: list[TableState]) -> list[str]:
        from django.db import connections

        qn = connections[self.alias].ops.quote_name
        sql = []
        for table in tables:
            sql.append(f"DELETE FROM {qn(table.name)}")
            if table.shadow:
                sql.append(f"INSERT INTO {qn(table.name)} SELECT * FROM {qn(table.shadow)}")
        if self.vendor == "postgresql":
            calls = [
                f"setval('{qn(sequence)}', {last_value}, true)" if last_value is not None
                else f"setval('{qn(sequence)}', 1, false)"
                for table in tables for sequence, last_value in table.sequences
            ]
            if calls:
                sql.append("SELECT " + ", ".join(calls))
        elif self.vendor == "sqlite" and self.sqlite_sequence:
            names = ", ".join(f"'{t.name}'" for t in tables)
            sql.append(f"DELETE FROM sqlite_sequence WHERE name IN ({names})")
            kept = [f"('{t.name}', {int(t.sqlite_seq)})" for t in tables if t.sqlite_seq is not None]
            if kept:
                sql.append(f"INSERT INTO sqlite_sequence (name, seq) VALUES {', '.join(kept)}")
        return sql

    def reset(self, writes: Writes) -> None:
        tables = self.written(writes)
        if not tables:
            return
        from django.db import connections, transaction

        connection = connections[self.alias]
        if connection.in_atomic_block:  # left open by the scenario (a bug in test code): throw it away
            connection.close()
        statements = self.statements(tables)
        if self.vendor == "postgresql":
            # Several statements in one query run as one implicit transaction: one round trip.
            with connection.cursor() as cursor:
                cursor.execute("; ".join(statements))
            return
        # The emptied tables and the restored clean rows are consistent with each other and with every table
        # left alone, so SQLite need not check foreign keys row by row at COMMIT (that took 30–70 ms).
        with connection.constraint_checks_disabled(), transaction.atomic(using=self.alias), \
                connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    # --- the monitor's figures ---------------------------------------------------------------
    def changes(self, writes: Writes) -> dict[str, dict[str, int]]:
        """Rows added/removed per model in the written tables (added = integer pks past the clean maximum)."""
        from django.db import connections

        tables = [t for t in self.written(writes) if t.model_label]
        if not tables:
            return {}
        qn = connections[self.alias].ops.quote_name
        parts = [
            f"SELECT '{t.name}', COUNT(*), "
            + (f"SUM(CASE WHEN {qn(t.pk_column)} > {t.max_pk} THEN 1 ELSE 0 END)" if t.pk_column else "NULL")
            + f" FROM {qn(t.name)}"
            for t in tables
        ]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts))
            rows = cursor.fetchall()
        found = {}
        for name, after, newer in rows:
            table = self.tables[name]
            if newer is None:  # no integer pk: only the net change is knowable
                added, removed = max(after - table.rows, 0), max(table.rows - after, 0)
            else:
                added = int(newer)
                removed = table.rows - (after - added)
            if added or removed:
                found[table.model_label] = {"added": added, "removed": removed}
        return found


class CleanState:
    """Every alias's clean state in one worker process."""

    def __init__(self, aliases: list[str]) -> None:
        self.aliases = [AliasState(alias) for alias in aliases]
        self._empty: dict[str, frozenset[str]] | None = None

    def capture(self) -> None:
        for state in self.aliases:
            state.capture()

    def reset(self, writes: Writes) -> None:
        """Put back what `writes` changed; ResetError when that failed (the database is then unknown)."""
        try:
            for state in self.aliases:
                state.reset(writes)
        except Exception as exc:
            raise ResetError(f"could not reset the database to its clean state: {type(exc).__name__}: {exc}") from exc

    def changes(self, writes: Writes) -> dict[str, dict[str, int]]:
        found: dict[str, dict[str, int]] = {}
        for state in self.aliases:
            found.update(state.changes(writes))
        return found

    def empty_when_clean(self) -> dict[str, frozenset[str]]:
        """Per alias, the tables that hold no rows in the clean state (captured once)."""
        if self._empty is None:
            self._empty = {s.alias: frozenset(t.name for t in s.tables.values() if not t.rows) for s in self.aliases}
        return self._empty

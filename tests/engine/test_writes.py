"""The write tracker names the table each statement writes, and over-reports rather than miss one."""
from __future__ import annotations

import pytest

from support.engine.writes import EVERYTHING, Writes, written_table


@pytest.mark.parametrize(("sql", "table"), [
    ('INSERT INTO "auth_group" ("name") VALUES (%s) RETURNING "auth_group"."id"', "auth_group"),
    ('UPDATE "deals_deal" SET "progress" = %s WHERE "deals_deal"."id" = %s', "deals_deal"),
    ('DELETE FROM "deals_invoice" WHERE "deals_invoice"."id" IN (%s)', "deals_invoice"),
    ("insert or replace into notes(x) values (1)", "notes"),
    ("  delete from plain_table", "plain_table"),
    ('SELECT "auth_group"."id" FROM "auth_group" FOR UPDATE', None),
    ("SAVEPOINT s1", None),
    ("SET CONSTRAINTS ALL IMMEDIATE", None),
    ("WITH gone AS (DELETE FROM a RETURNING id) SELECT * FROM gone", EVERYTHING),
    ("TRUNCATE a, b", EVERYTHING),
    ("CREATE TABLE t (id int)", EVERYTHING),
])
def test_each_statement_is_classified(sql: str, table: str | None) -> None:
    assert written_table(sql) == table


def test_writes_combine_and_answer_which_tables_changed() -> None:
    one = Writes({"default": frozenset({"a"})})
    both = one | Writes({"default": frozenset({"b"}), "other": frozenset({"c"})})
    assert both.tables == {"default": frozenset({"a", "b"}), "other": frozenset({"c"})}
    assert both.touches({"b"}) and not both.touches({"c"}) and both.touches({"c"}, alias="other")
    assert not Writes() and Writes(everything=True).touches({"anything"})


def test_the_tables_known_empty_are_those_empty_when_clean_and_not_written() -> None:
    """What the invariant checks are told holds no rows: empty in the clean state and not written since; nothing is
    known for a scenario that may have written anything."""
    from types import SimpleNamespace

    from support.engine.databases import WorkerIsolation

    isolation = WorkerIsolation.__new__(WorkerIsolation)  # no database: only the clean state's answer matters
    clean_empty = {"default": frozenset({"approvals", "commissions", "deals"}), "other": frozenset({"x"})}
    isolation.state = SimpleNamespace(empty_when_clean=lambda: clean_empty)
    told = isolation.with_known_empty(Writes({"default": frozenset({"deals", "users"})}))
    assert told.empty == {"default": frozenset({"approvals", "commissions"}), "other": frozenset({"x"})}
    assert told.tables == {"default": frozenset({"deals", "users"})}
    assert isolation.with_known_empty(Writes(everything=True)).empty == {}
    assert (told | Writes()).empty == {}  # not known for a union

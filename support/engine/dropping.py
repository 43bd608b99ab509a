"""Dropping a test database by name: the run's worker copies, a dead run's leftovers, the cache's half-made
templates. One place, so every drop ends lingering sessions and retries the same way."""
from __future__ import annotations

import contextlib
import os
import time


def remove_sqlite_files(name: str) -> None:
    """A SQLite database file and its journals, if they exist."""
    for path in (name, f"{name}-journal", f"{name}-wal", f"{name}-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def drop_database(alias: str, name: str, suffix: str = "", verbosity: int = 0) -> None:
    """Drop the database `name` on `alias`'s server, if it exists (a SQLite file, a PostgreSQL database; other
    vendors through Django's own teardown)."""
    from django.db import connections

    conn = connections[alias]
    if conn.vendor == "postgresql":
        # A killed worker's (or its threads') sessions may linger for a moment: FORCE ends them.
        for attempt in range(3):
            try:
                with conn.creation._nodb_cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {conn.ops.quote_name(name)} WITH (FORCE)")
                return
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.2)
    elif conn.vendor == "sqlite":  # a file copy: idempotent, as a second signal may finish an interrupted drop
        remove_sqlite_files(name)
    else:
        conn.creation.destroy_test_db(verbosity=verbosity, suffix=suffix)

"""What a stopped run may have left behind: processes and test databases (SQLite files or PostgreSQL databases)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import psutil

VAR_DIR = Path(__file__).resolve().parents[2] / "var"  # where support.prs.settings puts SQLite test databases


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def alive(pid: int) -> bool:
    """A zombie (dead, waiting to be reaped by whoever adopted it) counts as gone."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_until_gone(pids: list[int], seconds: float = 15.0, poll: float = 0.1) -> list[int]:
    """The pids still alive after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = [pid for pid in pids if alive(pid)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(poll)


def wait_for_file(path: Path, process: psutil.Popen | None = None, seconds: float = 60.0) -> dict:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the run ended before {path.name} appeared:\n{process.communicate()[0]}")
        if time.monotonic() >= deadline:
            raise AssertionError(f"{path.name} never appeared")
        time.sleep(0.05)
    return json.loads(path.read_text())


def _sqlite_files(run_pid: int) -> list[Path]:
    """The run's test database and its workers' copies (test_prs_<pid>.sqlite3, test_prs_<pid>_<pid>_<n>.sqlite3),
    not those of a run whose pid merely starts with the same digits."""
    return [*VAR_DIR.glob(f"test_prs_{run_pid}.sqlite3*"), *VAR_DIR.glob(f"test_prs_{run_pid}_*")]


def leftover_databases(run_pid: int, suffix: str) -> list[str]:
    """Test databases of the run whose parent had `run_pid` (SQLite) or whose names carry `suffix` (PostgreSQL)."""
    if not on_postgres():
        return sorted(p.name for p in _sqlite_files(run_pid))
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"%{suffix}%"])
        return sorted(row[0] for row in rows)


def drop_leftover_databases(run_pid: int, suffix: str) -> None:
    """A test's safety net: remove a stopped run's test databases (normally the next run drops a killed one's)."""
    if not on_postgres():
        for path in _sqlite_files(run_pid):
            path.unlink(missing_ok=True)
        return
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url, autocommit=True) as connection:
        for name in leftover_databases(run_pid, suffix):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

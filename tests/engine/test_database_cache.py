"""The migrated test database is cached between runs (support/engine/database_cache.py): a second run with the
same migrations copies the template instead of migrating; a changed migration, a damaged template or the cache
switched off means migrating again. Each run is a plain script in its own process, on a file SQLite database."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import django.contrib.auth.migrations as auth_migrations
import pytest

from support.behave.options import OptionsError, RunnerOptions
from support.engine.database_cache import TEMPLATE_SUFFIX, cache_enabled

SCRIPT = Path(__file__).parent / "scripts" / "cached_sqlite_run.py"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A database folder and a changeable copy of auth's migrations (package mig_auth)."""
    databases, code = tmp_path / "databases", tmp_path / "code"
    databases.mkdir()
    shutil.copytree(Path(auth_migrations.__file__).parent, code / "mig_auth",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return databases, code


def run(databases: Path, code: Path, **environment: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environment}
    if not environment.get("CACHE_TEST_POSTGRES"):
        env.pop("DATABASE_URL", None)
    completed = subprocess.run([sys.executable, str(SCRIPT), str(databases), str(code)], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["statuses"] == ["passed"], result
    return result


def templates(databases: Path) -> list[Path]:
    return sorted(databases.glob(f"*{TEMPLATE_SUFFIX}"))


def test_a_second_run_copies_the_template_instead_of_migrating(project: tuple[Path, Path]) -> None:
    databases, code = project
    first = run(databases, code)
    assert first["migrations_run"] == 1
    assert first["files_left"] == [t.name for t in templates(databases)] and len(templates(databases)) == 1
    second = run(databases, code)
    assert second["migrations_run"] == 0
    assert second["files_left"] == first["files_left"]  # the same template; no test database, no temporary file


def test_a_changed_migration_makes_a_new_template_and_removes_the_old(project: tuple[Path, Path]) -> None:
    databases, code = project
    run(databases, code)
    [old] = templates(databases)
    with open(code / "mig_auth" / "0001_initial.py", "a", encoding="utf-8") as file:
        file.write("\n# a change to a migration\n")
    changed = run(databases, code)
    assert changed["migrations_run"] == 1
    [new] = templates(databases)
    assert new.name.split("_")[2] != old.name.split("_")[2]  # another key
    assert run(databases, code)["migrations_run"] == 0


def test_a_truncated_template_is_never_used(project: tuple[Path, Path]) -> None:
    databases, code = project
    run(databases, code)
    [template] = templates(databases)
    data = template.read_bytes()
    template.write_bytes(data[: len(data) // 2])
    again = run(databases, code)
    assert again["migrations_run"] == 1  # migrated, not copied
    [remade] = templates(databases)
    assert remade.read_bytes() != data[: len(data) // 2]
    assert run(databases, code)["migrations_run"] == 0


def test_a_run_killed_while_writing_the_template_leaves_nothing_the_next_run_keeps(project: tuple[Path, Path]) -> None:
    databases, code = project
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KILL_BEFORE_TEMPLATE_RENAME": "1"}
    env.pop("DATABASE_URL", None)
    killed = subprocess.run([sys.executable, str(SCRIPT), str(databases), str(code)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    assert templates(databases) == []  # never a template under its final name
    assert any(p.name.endswith(".tmp") for p in databases.iterdir())  # the partial one, claimed
    after = run(databases, code)
    assert after["migrations_run"] == 1
    assert after["files_left"] == [t.name for t in templates(databases)] and len(templates(databases)) == 1


@pytest.mark.parametrize("cache", ["yes", "no"])
def test_a_setup_interrupted_once_the_test_database_exists_leaves_nothing(project: tuple[Path, Path],
                                                                          cache: str) -> None:
    databases, code = project
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAIL_AFTER_MIGRATE": "1", "PRS_DATABASES_CACHE": cache}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run([sys.executable, str(SCRIPT), str(databases), str(code)], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == {"interrupted": True, "files_left": []}


def test_the_cache_can_be_switched_off(project: tuple[Path, Path]) -> None:
    databases, code = project
    off = run(databases, code, PRS_DATABASES_CACHE="no")
    assert off["migrations_run"] == 1 and off["files_left"] == []
    run(databases, code)
    assert run(databases, code, PRS_DATABASES_CACHE="no")["migrations_run"] == 1


def test_the_setting_is_validated_and_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert RunnerOptions.from_userdata({}).databases_cache == "yes"
    assert RunnerOptions.from_userdata({"databases_cache": "no"}).databases_cache == "no"
    with pytest.raises(OptionsError, match="databases_cache"):
        RunnerOptions.from_userdata({"databases_cache": "maybe"})
    monkeypatch.delenv("PRS_DATABASES_CACHE", raising=False)
    assert cache_enabled() and cache_enabled("yes") and not cache_enabled("no")
    monkeypatch.setenv("PRS_DATABASES_CACHE", "no")
    assert not cache_enabled()


def postgres_databases() -> list[str]:
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE '%prs\\_cachetest%'")
        return sorted(row[0] for row in rows)


def drop_postgres_databases() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url, autocommit=True) as connection:
        for name in postgres_databases():
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                    reason="the template database of PostgreSQL: set DATABASE_URL=postgres://")
def test_on_postgres_a_template_database_is_cached_and_renewed(project: tuple[Path, Path]) -> None:
    databases, code = project
    drop_postgres_databases()
    try:
        assert run(databases, code, CACHE_TEST_POSTGRES="1")["migrations_run"] == 1
        [first] = postgres_databases()  # the template only: no test database, no temporary copy
        assert "_cache_" in first
        assert run(databases, code, CACHE_TEST_POSTGRES="1")["migrations_run"] == 0
        assert postgres_databases() == [first]
        with open(code / "mig_auth" / "0001_initial.py", "a", encoding="utf-8") as file:
            file.write("\n# a change to a migration\n")
        assert run(databases, code, CACHE_TEST_POSTGRES="1")["migrations_run"] == 1
        [second] = postgres_databases()
        assert second != first
        assert run(databases, code, CACHE_TEST_POSTGRES="1", PRS_DATABASES_CACHE="no")["migrations_run"] == 1
        assert postgres_databases() == [second]
    finally:
        drop_postgres_databases()

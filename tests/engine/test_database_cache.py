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

"""A Django suite that creates its own test database in before_all (Django's setup_databases) keeps doing so
under the runner: plain behave, the runner sequentially and with -j 2 give every scenario the same status, and
no test database is left behind (SQLite files beside the project, or PostgreSQL databases with DATABASE_URL)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.acceptance.leftovers import on_postgres
from tests.child_processes import child_env

FIXTURE = Path(__file__).parent / "fixtures" / "own_database"
BEHAVE = Path(sys.executable).with_name("behave")


def run(project: Path, suffix: str, *args: str) -> tuple[dict[str, str], str]:
    """Every scenario's status from behave's own JUnit files, and the output."""
    junit = project / "junit"
    shutil.rmtree(junit, ignore_errors=True)
    environ = child_env("own", PRS_TEST_DB_SUFFIX=suffix)
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run([str(BEHAVE), "--no-color", "-f", "plain", "--junit", "--junit-directory", str(junit),
                                *args], cwd=project, env=environ, capture_output=True, text=True, timeout=180,
                               stdin=subprocess.DEVNULL)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output  # one scenario fails on purpose
    assert "Traceback" not in output and "HOOK-ERROR" not in output, output
    statuses = {}
    for path in sorted(junit.glob("*.xml")):
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            statuses[case.get("name")] = case.get("status")
    return statuses, output


def databases_left(project: Path, suffix: str) -> list[str]:
    if not on_postgres():
        return sorted(p.name for p in project.glob("test_own*"))
    import os

    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"test_own_{suffix}%"])
        return sorted(row[0] for row in rows)


@pytest.mark.parametrize("databases", ["auto", "suite"])
def test_a_suite_that_creates_its_own_test_database_keeps_doing_so(tmp_path: Path, databases: str) -> None:
    project = tmp_path / "own"
    shutil.copytree(FIXTURE, project)
    suffix = f"{tmp_path.name[-12:]}_{databases}".replace("-", "_").lower()
    expected, _ = run(project, suffix, "--runner", "behave.runner:Runner")
    assert expected == {"One note": "passed", "Another note, on a clean database": "passed", "Two notes": "passed",
                        "A wrong count fails": "failed"}
    runner = ["--runner", "support.behave.runner:FrameworkRunner", "-D", f"databases={databases}"]
    sequential, output = run(project, suffix, *runner)
    assert sequential == expected, output
    parallel, output = run(project, suffix, *runner, "-j", "2")
    assert parallel == expected, output
    assert output.rstrip().splitlines()[-1] == "acceptance: 3 passed, 1 failed"
    assert databases_left(project, suffix) == []


def hooks_from(path: Path, source: str) -> dict:
    import importlib.util

    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"before_all": module.before_all}


def test_auto_means_suite_when_environment_py_sets_up_django_test_databases(tmp_path: Path) -> None:
    from support.behave.suite_databases import database_owner

    own = hooks_from(tmp_path / "own_env.py", "def before_all(context):\n"
                                              "    context.old = context.runner.setup_databases()\n")
    plain = hooks_from(tmp_path / "plain_env.py", "def before_all(context):\n    context.ready = True\n")
    assert database_owner("auto", own) == "suite"
    assert database_owner("auto", plain) == "runner"
    assert database_owner("runner", own) == "runner"
    assert database_owner("suite", plain) == "suite"
    from support.behave import hooks  # the framework's own hooks set databases up only under plain behave

    assert database_owner("auto", {"before_all": hooks.before_all}) == "runner"


def test_with_databases_runner_the_error_says_what_to_set(tmp_path: Path) -> None:
    project = tmp_path / "own"
    shutil.copytree(FIXTURE, project)
    environ = child_env("own")
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run([str(BEHAVE), "--no-color", "-f", "plain", "--runner",
                                "support.behave.runner:FrameworkRunner", "-D", "databases=runner"], cwd=project,
                               env=environ, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert completed.returncode == 1
    report = (project / "reports" / "report.json").read_text()
    assert "set 'databases = suite' in [behave.userdata]" in report


def test_a_worker_killed_at_a_timeout_leaves_no_database_of_the_suites(tmp_path: Path) -> None:
    """Its after_all never ran: the runner drops the database the suite's before_all created in that worker."""
    project = tmp_path / "own"
    shutil.copytree(FIXTURE, project)
    (project / "features" / "hang.feature").write_text(
        "Feature: Hanging\n  @timeout:2\n  Scenario: Hangs\n    Given a note \"h\" is saved\n"
        "    When the step hangs\n")
    suffix = f"{tmp_path.name[-12:]}_timeout".replace("-", "_").lower()
    statuses, output = run(project, suffix, "--runner", "support.behave.runner:FrameworkRunner", "-j", "2")
    assert statuses["Hangs"] == "error" and statuses["One note"] == "passed", output
    report = (project / "reports" / "report.json").read_text()
    assert '"status": "timed_out"' in report
    assert databases_left(project, suffix) == []

"""Signals reach the runner the way CI systems and terminals send them: each stops the run like Ctrl-C.

Every test checks the exit code, the report, and that no worker, no process a scenario started and no test
database is left behind (SQLite files, or PostgreSQL databases when DATABASE_URL points at PostgreSQL).
"""

from __future__ import annotations

import json
import signal
import subprocess

import pytest

from tests.acceptance.leftovers import (
    drop_leftover_databases,
    leftover_databases,
    on_postgres,
    wait_for_file,
    wait_until_gone,
)

HANGING = "signals: Runs until the run is stopped"
HANGING_LINE = 7


def finish(process, seconds: float = 60.0) -> str:
    try:
        output, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"the run did not end within {seconds:g} s after the signal:\n{output}")
    return output


def report_of(project) -> dict:
    return json.loads((project.path / "reports" / "report.json").read_text())


@pytest.mark.parametrize(("signum", "exit_code", "jobs"), [
    (signal.SIGTERM, 143, "2"),
    (signal.SIGHUP, 129, "1"),
    (signal.SIGINT, 130, "1"),
], ids=["SIGTERM-j2", "SIGHUP", "SIGINT"])
def test_a_signal_stops_the_run_like_ctrl_c(make_project, signum, exit_code, jobs):
    project = make_project("signals")
    process = project.start("-f", "plain", "-j", jobs)
    started = wait_for_file(project.path / f"started-{HANGING_LINE}.json", process)
    process.send_signal(signum)
    output = finish(process)
    name = signal.Signals(signum).name

    assert process.returncode == exit_code, output
    assert wait_until_gone([started["worker"], started["child"]]) == [], "a worker or its child outlived the run"
    assert leftover_databases(process.pid, process.db_suffix) == []
    report = report_of(project)
    assert report["summary"]["interrupted"] is True
    assert report["summary"]["interruption"] == f"interrupted ({name})"
    statuses = {r["scenario_name"]: (r["status"], r["error"]) for r in report["results"]}
    interrupted = ("error", f"interrupted ({name}) during attempt 1")
    assert statuses.pop(HANGING) == interrupted
    if jobs == "1":
        assert statuses == {"signals: Quick": ("passed", None)}
    else:  # the other worker runs the others beside the hanging one: each is done, still running, or not begun
        assert set(statuses) <= {"signals: Quick", "signals: Never reached"}
        assert set(statuses.values()) <= {("passed", None), interrupted}
    assert output.rstrip().splitlines()[-1].endswith(f"— interrupted ({name})"), output
    assert (project.path / "reports" / "report.html").exists()  # the other reports too


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
                         ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_ends_the_run_at_once(make_project, signum, exit_code):
    stopped_twice(make_project, signum, exit_code)


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="Ctrl-C twice used to hang on PostgreSQL: set DATABASE_URL=postgres://")
def test_ctrl_c_twice_on_postgres_never_hangs(make_project):
    stopped_twice(make_project, signal.SIGINT, 130)


def stopped_twice(make_project, signum: int, exit_code: int) -> None:
    """The second signal arrives while the run winds down after the first (its hanging worker is gone already,
    the test databases are being dropped): everything is killed, the databases dropped, the exit immediate."""
    project = make_project("signals")
    process = project.start("-f", "plain", "-j", "2")
    try:
        started = wait_for_file(project.path / f"started-{HANGING_LINE}.json", process)
        process.send_signal(signum)
        assert wait_until_gone([started["worker"]], seconds=20, poll=0.002) == [], "the first signal stopped nothing"
        process.send_signal(signum)  # not at once: two pending signals of one kind would be delivered as one
        output = finish(process, 20)

        assert process.returncode == exit_code, output
        assert f"{signal.Signals(signum).name} again: killing the workers and exiting now" in output, output
        assert wait_until_gone([started["worker"], started["child"]]) == []
        assert leftover_databases(process.pid, process.db_suffix) == []
    finally:  # whatever failed above, nothing of the run may stay on the machine
        if process.poll() is None:
            process.kill()
            process.communicate()
        drop_leftover_databases(process.pid, process.db_suffix)


def test_workers_die_with_a_killed_runner_and_the_next_run_drops_its_databases(make_project):
    project = make_project("signals")
    process = project.start("-f", "plain", "-j", "2")
    started = wait_for_file(project.path / f"started-{HANGING_LINE}.json", process)
    process.kill()  # SIGKILL: the runner can do nothing about it
    finish(process)
    try:
        assert wait_until_gone([started["worker"], started["child"]]) == [], "workers outlived a SIGKILLed runner"
        left = leftover_databases(process.pid, process.db_suffix)
        assert len(left) >= 2, left  # its test database and the workers' copies
        following = project.behave("-f", "plain", "-n", "Quick")  # the next run, on the same machine
        assert following.returncode == 0, following.output
        assert leftover_databases(process.pid, process.db_suffix) == [], "the next run left the killed one's"
    finally:  # whatever failed above, nothing of the killed run may stay on the machine
        drop_leftover_databases(process.pid, process.db_suffix)

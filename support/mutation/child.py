"""One forked child: a private copy of the test database, then scenarios, one after another.

The parent (``support.mutation.campaign``) has Django, the behave session (hooks and steps) and the test
database set up once; every child is a ``fork`` of it, so nothing is imported or migrated per mutant. A child
makes its own database copy (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` elsewhere; Django's
``clone_test_db``), so whatever a mutant writes — commits included, or a half-done transaction when it is
killed — dies with it. The mutant (mutmut's trampolines, ``set_mutant_under_test``) is active in the child
only. Each scenario runs through the engine's ``run_attempt`` (the framework's hooks, invariants and budgets
included), so "red" means exactly what it means in a normal run.

Messages to the parent: ``("ready",)``, ``("start", name)``, ``("done", name, status, seconds, error)``,
``("imports", [module names])`` (when asked), ``("end",)``, or ``("error", message)`` when the child could not
even start.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from support.engine.claims import RunClaim

GREEN = ("passed", "skipped")


@dataclass(frozen=True)
class ChildJob:
    scenarios: tuple[str, ...]
    mutant: str | None = None  # None: the code as written
    coverage_file: str | None = None  # set: record coverage, one dynamic context per scenario
    coverage_include: tuple[str, ...] = ()
    stop_at_first_failure: bool = True
    report_imports: bool = False  # tell the parent which modules the scenarios imported (it warms up on them)
    # A batch of the baseline: a green scenario that leaves its process unfit for the next (a thread still
    # running, stdout replaced; the engine's WorkerHealth) ends the batch; the parent runs the rest elsewhere.
    end_when_unfit: bool = False


@dataclass
class DatabaseCopy:
    """Where one child's copy of each database alias lives (None: in-memory SQLite, inherited by fork)."""

    suffix: str
    settings_by_alias: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    claimed: list[dict[str, Any]] = field(default_factory=list)  # the entries plan() wrote into the run's claim

    @classmethod
    def plan(cls, suffix: str, claim: RunClaim | None = None) -> DatabaseCopy:
        """Parent side, before the fork: only names, no database work. Each copy's name goes into the run's
        `claim` before the copy exists, so the next run drops the copies of a SIGKILLed campaign."""
        from django.db import connections

        from support.engine.claims import claim_entry
        from support.engine.databases import database_aliases

        copy = cls(suffix)
        for alias in database_aliases():
            conn = connections[alias]
            in_memory = conn.vendor == "sqlite" and conn.creation.is_in_memory_db(conn.settings_dict["NAME"])
            copy.settings_by_alias[alias] = None if in_memory else conn.creation.get_test_db_clone_settings(suffix)
            if claim is not None and not in_memory:
                copy.claimed.append(claim_entry(alias, str(copy.settings_by_alias[alias]["NAME"])))
                claim.record(copy.claimed[-1])
        return copy

    def create_and_activate(self) -> None:
        """Child side: clone the test database, then point the connections at the clone."""
        from django.db import connections

        from support.engine.databases import WorkerDatabase

        for alias, settings in self.settings_by_alias.items():
            if settings is None:
                continue
            for attempt in range(5):  # PostgreSQL refuses a template another clone is reading at that moment
                try:
                    connections[alias].creation.clone_test_db(self.suffix, verbosity=0, autoclobber=True)
                    break
                except Exception:
                    if attempt == 4:
                        raise
                    time.sleep(0.2 * (attempt + 1))
        WorkerDatabase(self.suffix, self.settings_by_alias).activate()

    def drop(self) -> None:
        """Either side, once the connections to the copy are closed (a killed child leaves its copy behind)."""
        from django.db import connections

        for alias, settings in self.settings_by_alias.items():
            if settings is None:
                continue
            conn = connections[alias]
            if conn.vendor == "sqlite":
                for path in (settings["NAME"], f"{settings['NAME']}-journal", f"{settings['NAME']}-wal"):
                    with contextlib.suppress(FileNotFoundError, TypeError):
                        os.remove(path)
                continue
            with contextlib.suppress(Exception), conn.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {conn.ops.quote_name(settings['NAME'])} WITH (FORCE)")


def child_main(conn: Connection, job: ChildJob, database: DatabaseCopy, framework: Any,
               scenarios: Mapping[str, Any], parent_pid: int) -> None:
    """The body of a forked child; always ends with os._exit (no inherited atexit handler may run)."""
    from support.engine.stopping import die_with_parent, reset_in_worker

    os.setpgid(0, 0)  # the parent kills the whole group at a timeout: threads, servers, subprocesses
    reset_in_worker()  # Ctrl-C is the parent's to handle; not its "stop the run" handlers either
    die_with_parent(parent_pid)  # an endless mutant must not outlive a killed run
    _silence()  # a mutant's red scenario is the expected outcome, not news for the terminal
    code = 0
    try:
        code = _run(conn, job, database, framework, scenarios)
    except BaseException:
        with contextlib.suppress(Exception):
            conn.send(("error", traceback.format_exc()))
        code = 1
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
            database.drop()
        os._exit(code)


def _silence() -> None:
    """Point stdout and stderr at /dev/null; what matters reaches the parent through the pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        with contextlib.suppress(Exception):
            stream.flush()
        os.dup2(devnull, fd)
    os.close(devnull)


def _run(conn: Connection, job: ChildJob, database: DatabaseCopy, framework: Any,
         scenarios: Mapping[str, Any]) -> int:
    from mutmut.mutation.trampoline import set_mutant_under_test

    from support.engine.attempts import run_attempt

    # Only when asked: a set of every module name touches thousands of pages this fork shares with its parent.
    inherited = set(sys.modules) if job.report_imports else set()
    os.environ.pop("MUTANT_UNDER_TEST", None)
    set_mutant_under_test(job.mutant)
    database.create_and_activate()
    framework.worker_started()
    coverage = None
    if job.coverage_file:
        import coverage as coverage_module

        coverage = coverage_module.Coverage(data_file=job.coverage_file, data_suffix=True, config_file=False,
                                            include=list(job.coverage_include))
        coverage.set_option("run:disable_warnings", ["no-data-collected", "module-not-measured"])
        coverage.start()
    health = None
    if job.end_when_unfit:
        from support.engine.workers import WorkerHealth

        health = WorkerHealth()
    conn.send(("ready",))
    for name in job.scenarios:
        conn.send(("start", name))
        if coverage is not None:
            coverage.switch_context(name)
        outcome = run_attempt(framework, scenarios[name], 1)
        status = str(outcome.status)
        conn.send(("done", name, status, outcome.duration_seconds, (outcome.error or "")[:2000]))
        if job.stop_at_first_failure and status not in GREEN:
            break
        if health is not None and health.check(outcome):  # after "done": the verdict sent is the scenario's own
            break
    if coverage is not None:
        coverage.stop()
        coverage.save()
    if job.report_imports:
        conn.send(("imports", sorted(set(sys.modules) - inherited)))
    conn.send(("end",))
    return 0

"""Test databases: the run's main test database, one copy per worker, per-attempt isolation.

Parent side (`TestDatabases`):
- `prepare()`: if the process is already inside a test database (pytest-django, behave hooks), reuse it;
  otherwise create one with Django's `setup_databases` (and `setup_test_environment`) and destroy it in
  `teardown()`. Running inside an open transaction is refused: workers only see committed data.
  The migrated database comes from a cached template when one matches (`database_cache.py`).
- `new_worker_database()`: a private copy for one worker, made with Django's own
  `creation.clone_test_db(suffix=...)` (a file copy for SQLite files, `CREATE DATABASE ... TEMPLATE` for
  PostgreSQL). In-memory SQLite needs no clone: a forked worker inherits its own copy of the parent's
  memory database. Workers never touch the main test database, so after a run it holds exactly what it
  held before.
- `discard(copy)`: drop a worker's copy (a killed worker's too: PostgreSQL drops WITH (FORCE)).

A suite that creates its own test database in before_all gets `SuiteDatabases` instead: nothing created,
cloned or reset by the runner, only a test database name per worker.

Every database the run creates is first written into the run's claim (`claims.py`), and every run starts by
dropping what dead runs' claims name: a SIGKILLed run's test databases go with the next run.

Worker side: `WorkerDatabase.activate()` points the connections at the copy (settings updated in place
so threads' new connections follow). Scenarios then run as in production — autocommit, real commits — and
`worker_isolation()` puts the copy back to its clean state after each attempt (`clean_state.py`): only the
tables the attempt wrote (`writes.py`), so an attempt that wrote nothing costs nothing.

Django is imported inside the functions: importing the engine must not need it.
"""
from __future__ import annotations

import contextlib
import itertools
import os
from dataclasses import dataclass, field, replace
from typing import Any

from support.engine.claims import RunClaim, claim_entry, reclaim
from support.engine.clean_state import CleanState
from support.engine.database_cache import cache_enabled, setup_databases_cached
from support.engine.dropping import drop_database, remove_sqlite_files
from support.engine.writes import Writes, process_tracker

TEST_DATABASE_PREFIX = "test_"  # django.db.backends.base.creation.TEST_DATABASE_PREFIX


class DatabaseSetupError(RuntimeError):
    """The test databases cannot be prepared as the engine needs them."""


def database_aliases() -> list[str]:
    """Configured aliases that are real databases (test mirrors follow their primary)."""
    from django.db import connections

    return [alias for alias in connections if not connections[alias].settings_dict.get("TEST", {}).get("MIRROR")]


def _is_in_memory_sqlite(alias: str) -> bool:
    from django.db import connections

    conn = connections[alias]
    return conn.vendor == "sqlite" and conn.creation.is_in_memory_db(conn.settings_dict["NAME"])


def inside_test_database(alias: str = "default") -> bool:
    """True when `alias` already points at a test database (pytest-django, behave hooks, a test runner)."""
    from django.db import connections

    conn = connections[alias]
    name = str(conn.settings_dict["NAME"])
    return name == str(conn.creation._get_test_db_name()) or name.startswith(TEST_DATABASE_PREFIX)


def name_test_databases_for_this_run(aliases: list[str]) -> None:
    """Two runs against one server must never share (and drop) each other's test database: unless the settings
    name it, a run's test database carries the run's process id (SQLite's default is in memory anyway)."""
    from django.db import connections

    for alias in aliases:
        conn = connections[alias]
        test = conn.settings_dict.setdefault("TEST", {})
        if conn.vendor != "sqlite" and not test.get("NAME"):
            test["NAME"] = f"{TEST_DATABASE_PREFIX}{conn.settings_dict['NAME']}_run{os.getpid()}"


@dataclass
class WorkerDatabase:
    """One worker's copy: per alias, the settings to switch to (None: inherited in-memory copy)."""

    suffix: str
    settings_by_alias: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def activate(self) -> None:
        """Worker side, right after fork: point every alias at this copy."""
        from django.db import connections

        for alias, clone_settings in self.settings_by_alias.items():
            if clone_settings is None:
                continue  # in-memory SQLite: keep the inherited connection, it IS our copy
            conn = connections[alias]
            conn.close()
            conn.settings_dict.update(clone_settings)  # in place: settings.DATABASES and threads see it

    def close(self) -> None:
        """Worker side, before it exits."""
        from django.db import connections

        connections.close_all()


class _WorkerCopies:
    """The worker databases a run made and has not dropped yet. A copy stays listed until it is dropped: a second
    signal that interrupts a drop tears down from another thread, and that teardown must still see it."""

    def __init__(self, verbosity: int = 0) -> None:
        self.verbosity = verbosity
        self.aliases = database_aliases()
        self._copies: list[Any] = []
        self._counter = itertools.count(1)
        self.claim: RunClaim | None = None

    def _drop(self, copy: Any) -> None:
        raise NotImplementedError

    def discard(self, copy: Any) -> None:
        """Drop a worker's database once its process is gone."""
        self._drop(copy)
        if copy in self._copies:
            self._copies.remove(copy)

    def _discard_all(self) -> None:
        from django.db import connections

        for copy in list(self._copies):
            self.discard(copy)
        connections.close_all()

    def _release_claim(self) -> None:
        if self.claim is not None:  # everything it names is gone
            self.claim.release()
            self.claim = None


class TestDatabases(_WorkerCopies):
    __test__ = False

    def __init__(self, verbosity: int = 0, cache: bool | None = None) -> None:
        super().__init__(verbosity)
        # The migrated test database is copied from a cached template when its schema inputs are unchanged
        # (database_cache.py); None: on unless PRS_DATABASES_CACHE=no.
        self.cache = cache_enabled() if cache is None else cache
        self._created_config: list | None = None
        self._set_up_environment = False

    def prepare(self) -> None:
        from django.db import connections

        for alias in self.aliases:
            if connections[alias].in_atomic_block:
                raise DatabaseSetupError(
                    f"run_all_scenarios was called inside an open transaction on database {alias!r} "
                    "(e.g. pytest-django's django_db without transaction=True): worker processes only see "
                    "committed data. Use @pytest.mark.django_db(transaction=True) or call it outside atomic()."
                )
        self.claim = claim_and_reclaim()
        if all(inside_test_database(alias) for alias in self.aliases):
            return  # only the workers' copies are this run's
        name_test_databases_for_this_run(self.aliases)
        test_names: dict[str, str] = {}
        for alias in self.aliases:
            if not _is_in_memory_sqlite(alias):
                test_names[alias] = str(connections[alias].creation._get_test_db_name())
                self.claim.record(claim_entry(alias, test_names[alias]))
        from django.test.utils import setup_databases, setup_test_environment

        try:
            setup_test_environment()
            self._set_up_environment = True
        except RuntimeError:
            pass  # already set up by the caller
        original_names = {alias: connections[alias].settings_dict["NAME"] for alias in self.aliases}
        try:
            if self.cache:
                self._created_config = setup_databases_cached(self.aliases, self.verbosity, self.claim)
            else:
                self._created_config = setup_databases(
                    verbosity=self.verbosity, interactive=False, aliases=set(self.aliases), serialized_aliases=set()
                )
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM) or failed half-way: teardown would release the claim with a partly
            # made test database behind it, so what this run may have made goes now.
            self._drop_half_made(test_names, original_names)
            raise

    def _drop_half_made(self, test_names: dict[str, str], original_names: dict[str, Any]) -> None:
        from django.conf import settings
        from django.db import connections

        for alias, name in test_names.items():
            with contextlib.suppress(Exception):
                connections[alias].close()
            connections[alias].settings_dict["NAME"] = original_names[alias]
            settings.DATABASES[alias]["NAME"] = original_names[alias]
            with contextlib.suppress(Exception):
                drop_database(alias, name)

    def new_worker_database(self) -> WorkerDatabase:
        """Parent side, before forking the worker. Leaves the parent's connections closed."""
        from django.db import connections

        copy = WorkerDatabase(suffix=f"{os.getpid()}_{next(self._counter)}")
        for alias in self.aliases:
            if _is_in_memory_sqlite(alias):
                copy.settings_by_alias[alias] = None
                continue
            creation = connections[alias].creation
            connections[alias].close()
            if self.claim is not None:
                self.claim.record(claim_entry(alias, creation.get_test_db_clone_settings(copy.suffix)["NAME"]))
            creation.clone_test_db(suffix=copy.suffix, verbosity=self.verbosity, autoclobber=True)
            copy.settings_by_alias[alias] = creation.get_test_db_clone_settings(copy.suffix)
        self._copies.append(copy)
        connections.close_all()  # never fork with an open connection
        return copy

    def _drop(self, copy: WorkerDatabase) -> None:
        for alias, clone_settings in copy.settings_by_alias.items():
            if clone_settings is not None:
                drop_database(alias, clone_settings["NAME"], copy.suffix, self.verbosity)

    def teardown(self) -> None:
        self._discard_all()
        if self._created_config is not None:
            from django.test.utils import teardown_databases

            # After a second signal this runs on another thread (execution.Executor.escalate), with the
            # connections setup_databases made on the main thread: Django refuses those unless shared.
            created = [connection for connection, *_ in self._created_config]
            for connection in created:
                connection.inc_thread_sharing()
            try:
                teardown_databases(self._created_config, verbosity=self.verbosity)
            finally:
                for connection in created:
                    connection.dec_thread_sharing()
            self._created_config = None
        if self._set_up_environment:
            from django.test.utils import teardown_test_environment

            teardown_test_environment()
            self._set_up_environment = False
        self._release_claim()


@dataclass
class SuiteWorkerDatabase:
    """The name one worker's own before_all will give its test database, per alias (in-memory SQLite: none
    needed, each process has its own)."""

    suffix: str
    names: dict[str, str] = field(default_factory=dict)

    def activate(self) -> None:
        """Worker side, before before_all: the suite's setup creates this name, its teardown drops it."""
        from django.db import connections

        for alias, name in self.names.items():
            conn = connections[alias]
            conn.close()
            conn.settings_dict.setdefault("TEST", {})["NAME"] = name  # in place: settings.DATABASES too

    def close(self) -> None:
        from django.db import connections

        connections.close_all()


class SuiteDatabases(_WorkerCopies):
    """A suite that manages its own test database (its before_all calls Django's `setup_databases` or
    `create_test_db`, its after_all tears it down): the runner creates, clones, resets and drops nothing of
    what the suite's hooks do. before_all runs once in every worker, so each worker's test database gets a
    name of its own (the suite's test name + ``_<run pid>_<n>``, as Django's own parallel clones are named):
    `-j N` workers never create or drop one another's, nor do two runs. Only a worker killed before its
    after_all could run (a timeout, an interruption) leaves its database behind: the runner drops that one."""

    def prepare(self) -> None:
        """Nothing to create: the suite's before_all does it, in each worker. Dead runs' leftovers go."""
        self.claim = claim_and_reclaim()

    def new_worker_database(self) -> SuiteWorkerDatabase:
        from django.db import connections

        copy = SuiteWorkerDatabase(suffix=f"{os.getpid()}_{next(self._counter)}")
        for alias in self.aliases:
            if _is_in_memory_sqlite(alias):
                continue
            name = str(connections[alias].creation._get_test_db_name())
            root, ext = os.path.splitext(name) if connections[alias].vendor == "sqlite" else (name, "")
            copy.names[alias] = f"{root}_{copy.suffix}{ext}"
            if self.claim is not None:
                self.claim.record(claim_entry(alias, copy.names[alias]))
        self._copies.append(copy)
        connections.close_all()  # never fork with an open connection
        return copy

    def _drop(self, copy: SuiteWorkerDatabase) -> None:
        """Its after_all did not drop it if the worker was killed: drop it here (a no-op when it is gone)."""
        for alias, name in copy.names.items():
            drop_database(alias, name)

    def teardown(self) -> None:
        self._discard_all()
        self._release_claim()


def claim_and_reclaim() -> RunClaim:
    """This run's claim, taken after dropping what the claims of dead runs name."""
    reclaim(drop_claimed)
    return RunClaim()


def drop_claimed(entry: dict[str, Any]) -> bool:
    """Drop a dead run's database; False when none of this run's connections reaches its server."""
    if entry.get("vendor") == "sqlite":
        remove_sqlite_files(entry["name"])
        return True
    for alias in database_aliases():
        if claim_entry(alias, entry["name"]) == entry:
            drop_database(alias, entry["name"])
            return True
    return False


class WorkerIsolation:
    """Worker side: the clean state of the worker's databases, captured before its first attempt, and the
    reset after each attempt. `take_writes()` says what was written since it was last called."""

    def __init__(self, aliases: list[str] | None = None) -> None:
        self.tracker = process_tracker()
        self.state = CleanState(aliases if aliases is not None else database_aliases())
        self.state.capture()
        self.tracker.take()  # the capture's own shadow tables are not a scenario's writes
        self.fully_checked = False  # the first invariant check in a worker covers every table
        _commit_without_fsync()

    def take_writes(self) -> Writes:
        return self.tracker.take()

    def with_known_empty(self, writes: Writes) -> Writes:
        """`writes` with the tables it leaves empty: empty in the clean state and not written since. The invariant
        checks skip the rules whose rows come from such a table (most scenarios write no approval, commission…)."""
        if writes.everything:
            return writes
        empty = {alias: tables - writes.tables.get(alias, frozenset())
                 for alias, tables in self.state.empty_when_clean().items()}
        return replace(writes, empty=empty)

    def reset(self, writes: Writes) -> None:
        """Raises clean_state.ResetError when the database could not be put back."""
        self.state.reset(writes)
        self.tracker.take()  # the reset's own statements


def _commit_without_fsync() -> None:
    """SQLite file copies: every scenario commits, so commits must not wait for the disk (each fsync cost
    30–100 ms here). What other connections see, and when, is unchanged; only a machine crash could lose the
    last commits of a throw-away copy. (PostgreSQL: `clean_state` sets synchronous_commit off.)"""
    from django.db import connections
    from django.db.backends.signals import connection_created

    def no_fsync(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")

    connection_created.connect(no_fsync, weak=False, dispatch_uid="support.engine.databases.no_fsync")
    for connection in connections.all(initialized_only=True):
        no_fsync(None, connection)


_isolation: tuple[int, WorkerIsolation] | None = None


def worker_isolation() -> WorkerIsolation:
    """This process's isolation, capturing the clean state on first use (once per worker)."""
    global _isolation
    if _isolation is None or _isolation[0] != os.getpid():
        _isolation = (os.getpid(), WorkerIsolation())
    return _isolation[1]

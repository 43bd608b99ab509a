"""Worker processes: forked, long-lived, one process group each, killable at any moment.

Fork (not spawn) so a worker inherits the registry, closures and the already set-up Django: no start-up
per scenario. Each worker calls setpgid(0, 0) so killing its group also ends any process the scenario
started; it ignores SIGINT (the parent decides what Ctrl-C means). The parent talks to it over a pipe:

    parent -> worker: ("run", name, attempt) | ("cleanup", name) | ("stop",)
    worker -> parent: ("ready",) | ("fatal", message) | ("result", name, AttemptOutcome)
                      | ("cleaned", name, error or None)

The parent must have no open database connection and no running helper thread when it forks
(`TestDatabases.new_worker_database` closes the connections; monitoring threads live only in workers).
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from django.db import connections

from support.engine.attempts import AttemptOutcome, run_attempt, run_cleanup_only
from support.engine.databases import WorkerDatabase
from support.engine.scenario import Status

if TYPE_CHECKING:
    from support.engine.framework import IntegrationFramework

_FORK = multiprocessing.get_context("fork")


@dataclass
class Job:
    kind: str  # "start" | "run" | "cleanup"
    name: str | None
    attempt: int
    deadline: float  # time.monotonic() by which the worker must answer
    started: float = field(default_factory=time.monotonic)


class Worker:
    """Parent-side handle of one worker process."""

    def __init__(self, index: int, database: WorkerDatabase) -> None:
        self.index = index
        self.database = database
        self.process: Any = None
        self.conn: Connection | None = None
        self.job: Job | None = None

    def start(self, framework: IntegrationFramework, inherited: list[Connection], deadline: float) -> None:
        parent_end, child_end = _FORK.Pipe()
        self.process = _FORK.Process(
            target=_worker_main, args=(child_end, parent_end, inherited, framework, self.database),
            name=f"scenario-worker-{self.index}", daemon=False,  # daemons may not start processes
        )
        self.process.start()
        child_end.close()
        with contextlib.suppress(PermissionError, ProcessLookupError):
            os.setpgid(self.process.pid, self.process.pid)  # also set by the child; whichever runs first
        self.conn = parent_end
        self.job = Job("start", None, 0, deadline)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def idle(self) -> bool:
        return self.job is None

    def send(self, message: tuple, job: Job) -> None:
        """Hand the worker a job. If it died meanwhile, its sentinel reports that as a lost job."""
        self.job = job
        with contextlib.suppress(OSError):
            self.conn.send(message)

    def kill(self) -> None:
        """SIGKILL the worker's whole process group and reap it."""
        if self.process is None or self.process.pid is None:  # interrupted before it started
            self._close()
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, ValueError):
            self.process.kill()  # if setpgid lost the race the group may not exist yet
        self.process.join(5)
        self._close()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the worker to exit (closing its connections); kill it if it does not."""
        if self.process is None or self.conn is None:
            self.kill()
            return
        try:
            self.conn.send(("stop",))
            self.process.join(timeout)
        except (OSError, ValueError):
            pass
        if self.process.is_alive():
            self.kill()
        else:
            self._close()

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.job = None

    def death_message(self) -> str:
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                return f"worker process died: killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"worker process died: signal {-code}"
        return f"worker process died: exit code {code}"


def _worker_main(conn: Connection, parent_end: Connection, inherited: list[Connection],
                 framework: IntegrationFramework, database: WorkerDatabase) -> None:
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for other in (parent_end, *inherited):  # pipe ends of the parent and of sibling workers
        other.close()
    try:
        database.activate()
        framework.worker_started()
    except BaseException as exc:
        conn.send(("fatal", f"worker start-up failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        return
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break  # the parent is gone
        if message[0] == "stop":
            break
        name = message[1]
        scenario = framework.registry.get(name)
        if message[0] == "run":
            outcome = run_attempt(framework, scenario, message[2])
            conn.send(("result", name, _picklable(outcome)))
        elif message[0] == "cleanup":
            conn.send(("cleaned", name, run_cleanup_only(framework, scenario)))
    connections.close_all()


def _picklable(outcome: AttemptOutcome) -> AttemptOutcome:
    """The test_function's return value must cross the pipe; if it can't, say so instead of dying."""
    try:
        pickle.dumps(outcome)
        return outcome
    except Exception as exc:
        value = outcome.outcome
        outcome.outcome = None
        try:
            pickle.dumps(outcome)
        except Exception:
            outcome.performance_data = {}
        if outcome.status == Status.PASSED:
            outcome.status = Status.ERROR
            outcome.error = (f"test_function returned a value that cannot be sent to the parent "
                             f"({type(value).__name__}): {type(exc).__name__}: {exc}")
        return outcome

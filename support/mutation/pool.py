"""Up to N forked children at a time, each with a deadline per scenario; past it the child's group is killed.

The parent never runs scenarios and holds no database connection while it forks (a fork must not share a
connection), and starts no thread (a thread holding a lock at fork time would deadlock the child): the
progress display refreshes by hand.
"""
from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from support.engine.claims import RunClaim
from support.mutation.child import ChildJob, DatabaseCopy, child_main

_FORK = multiprocessing.get_context("fork")
STARTUP_SECONDS = 60.0  # fork + database copy + worker start-up, generous for a loaded machine
POLL_SECONDS = 0.25  # how soon a stop request (a signal handler sets a flag) is noticed


@dataclass
class ScenarioRun:
    name: str
    status: str
    seconds: float
    error: str = ""


@dataclass
class Finished:
    key: str
    runs: list[ScenarioRun]
    ending: str  # "completed" | "timeout" | "died" | "error"
    at_scenario: str | None = None  # the scenario running when the child timed out or died
    message: str = ""
    seconds: float = 0.0
    imports: list[str] = field(default_factory=list)


@dataclass
class _Running:
    key: str
    job: ChildJob
    process: Any
    conn: Connection
    database: DatabaseCopy
    limit_for: Callable[[str], float]
    deadline: float
    started: float = field(default_factory=time.monotonic)
    current: str | None = None
    runs: list[ScenarioRun] = field(default_factory=list)
    ended: bool = False
    error: str = ""
    imports: list[str] = field(default_factory=list)


class ChildPool:
    def __init__(self, size: int, framework: Any, scenarios: Mapping[str, Any], label: str = "mut",
                 claim: RunClaim | None = None) -> None:
        self.size = size
        self.claim = claim  # the run's claim: each child's copy is named in it before the child makes it
        self.framework = framework
        self.scenarios = scenarios
        self.running: list[_Running] = []
        self._label = f"{label}{os.getpid()}"
        self._counter = itertools.count(1)

    @property
    def free(self) -> int:
        return self.size - len(self.running)

    def submit(self, key: str, job: ChildJob, limit_for: Callable[[str], float]) -> None:
        from django.db import connections

        connections.close_all()  # never fork with an open connection
        database = DatabaseCopy.plan(f"{self._label}_{next(self._counter)}", self.claim)
        parent_end, child_end = _FORK.Pipe(duplex=False)
        process = _FORK.Process(target=_entry, args=(child_end, parent_end, job, database, self.framework,
                                                     self.scenarios, [r.conn for r in self.running],
                                                     os.getpid()),
                                name=f"mutation-{key}", daemon=False)
        process.start()
        child_end.close()
        with contextlib.suppress(PermissionError, ProcessLookupError):
            os.setpgid(process.pid, process.pid)
        self.running.append(_Running(key, job, process, parent_end, database, limit_for,
                                     time.monotonic() + STARTUP_SECONDS))

    def wait(self, stopping: Callable[[], bool] = lambda: False) -> list[Finished]:
        """Block until at least one child is finished (or `stopping()`); return every finished one."""
        finished: list[Finished] = []
        while not finished and self.running and not stopping():
            now = time.monotonic()
            timeout = min(POLL_SECONDS, max(0.0, min(r.deadline for r in self.running) - now))
            handles: list[Any] = [r.conn for r in self.running] + [r.process.sentinel for r in self.running]
            ready = wait(handles, timeout=timeout)
            for running in list(self.running):
                if running.conn in ready:
                    self._drain(running)
                done = self._finished(running, ready)
                if done is not None:
                    finished.append(done)
        return finished

    def _drain(self, running: _Running) -> None:
        with contextlib.suppress(EOFError, OSError):
            while running.conn.poll():
                message = running.conn.recv()
                kind = message[0]
                now = time.monotonic()
                if kind == "start":
                    running.current = message[1]
                    running.deadline = now + running.limit_for(message[1])
                elif kind == "done":
                    running.runs.append(ScenarioRun(message[1], message[2], message[3], message[4]))
                    running.current = None
                    running.deadline = now + STARTUP_SECONDS  # until the next start (or the end)
                elif kind == "imports":
                    running.imports = message[1]
                elif kind == "end":
                    running.ended = True
                elif kind == "error":
                    running.error = message[1]

    def _finished(self, running: _Running, ready: list[Any]) -> Finished | None:
        now = time.monotonic()
        exited = running.process.sentinel in ready or not running.process.is_alive()
        if exited:
            self._drain(running)
            running.process.join(5)
            self._forget(running, kill=False)
            if running.ended:
                return self._result(running, "completed")
            if running.error:
                return self._result(running, "error", running.error)
            return self._result(running, "died", f"child exit code {running.process.exitcode}")
        if now >= running.deadline:
            self._forget(running, kill=True)
            what = running.current or "start-up"
            return self._result(running, "timeout", f"no answer from {what} within its time limit")
        return None

    def _result(self, running: _Running, ending: str, message: str = "") -> Finished:
        return Finished(running.key, running.runs, ending, running.current, message,
                        time.monotonic() - running.started, running.imports)

    def _forget(self, running: _Running, kill: bool) -> None:
        if kill:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(running.process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, ValueError):
                running.process.kill()
            running.process.join(5)
        with contextlib.suppress(OSError):
            running.conn.close()
        self.running.remove(running)
        if kill or not running.ended:
            running.database.drop()  # the child could not drop its own copy
        if self.claim is not None:  # dropped by the child or just now: the next run need not
            for entry in running.database.claimed:
                self.claim.forget(entry)

    def kill_all(self) -> None:
        for running in list(self.running):
            self._forget(running, kill=True)


def _entry(conn: Connection, parent_end: Connection, job: ChildJob, database: DatabaseCopy, framework: Any,
           scenarios: Mapping[str, Any], siblings: list[Connection], parent_pid: int) -> None:
    for other in (parent_end, *siblings):  # pipe ends that belong to the parent and to sibling children
        with contextlib.suppress(OSError):
            other.close()
    child_main(conn, job, database, framework, scenarios, parent_pid)

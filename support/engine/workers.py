"""Worker processes: forked, long-lived, one process group each, killable at any moment, never outliving the run.

Fork (not spawn) so a worker inherits the registry, closures and the already set-up Django: no start-up
per scenario. Each worker calls setpgid(0, 0) so killing its group also ends any process the scenario
started; it ignores SIGINT (the parent decides what Ctrl-C means), and dies with the parent
(`stopping.die_with_parent`, plus the run's `Reaper`, which kills its whole group). The parent talks to it
over a pipe:

    parent -> worker: ("run", name, attempt) | ("cleanup", name) | ("stop",)
                      (a second "run" may wait in the pipe behind the current one: `Worker.send_ahead`)
    worker -> parent: ("ready",) | ("fatal", message) | ("result", name, AttemptOutcome, unusable)
                      | ("cleaned", name, error or None)

`unusable` (None or a reason) says the worker can no longer be trusted after this attempt — something
escaped that is not an ordinary exception (SystemExit, KeyboardInterrupt), the scenario closed or replaced
stdout/stderr, or left a thread running — so the parent kills it and starts a fresh one; the attempt is
`error` with that reason.

The parent must have no open database connection and no running helper thread when it forks
(`TestDatabases.new_worker_database` closes the connections; monitoring threads live only in workers).
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from support.engine.protocol import FrameworkProtocol, WorkerDatabaseProtocol
from support.engine.scenario import Status
from support.engine.stopping import Reaper, die_with_parent, reset_in_worker

_FORK = multiprocessing.get_context("fork")
THREAD_GRACE_SECONDS = 1.0  # threads a scenario started get this long to end before they count as leaked


@dataclass
class Job:
    kind: str  # "start" | "run" | "cleanup"
    name: str | None
    attempt: int
    deadline: float  # time.monotonic() by which the worker must answer
    started: float = field(default_factory=time.monotonic)


class Worker:
    """Parent-side handle of one worker process."""

    def __init__(self, index: int, database: WorkerDatabaseProtocol, reaper: Reaper | None = None) -> None:
        self.index = index
        self.database = database
        self.reaper = reaper
        self.process: Any = None
        self.conn: Connection | None = None
        self.job: Job | None = None
        self.next_job: Job | None = None  # sent ahead (see Executor._prefetch); starts when `job` is answered

    def start(self, framework: FrameworkProtocol, inherited: list[Connection], deadline: float) -> None:
        parent_end, child_end = _FORK.Pipe()
        reaper_fd = self.reaper.pipe_fd if self.reaper is not None else None
        self.process = _FORK.Process(
            target=_worker_main,
            args=(child_end, parent_end, inherited, framework, self.database, os.getpid(), reaper_fd),
            name=f"scenario-worker-{self.index}", daemon=False,  # daemons may not start processes
        )
        self.process.start()
        child_end.close()
        with contextlib.suppress(PermissionError, ProcessLookupError):
            os.setpgid(self.process.pid, self.process.pid)  # also set by the child; whichever runs first
        if self.reaper is not None:
            self.reaper.watch(self.process.pid)
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
        self._send(message)

    def send_ahead(self, message: tuple, job: Job) -> None:
        """Queue the job after the current one in the worker's pipe: it starts as soon as the worker answers,
        without waiting for this process to read the answer and reply (two process wake-ups per scenario)."""
        self.next_job = job
        self._send(message)

    def _send(self, message: tuple) -> None:
        # A job is names and numbers: plain pickle (what conn.recv() reads), not multiprocessing's pickler,
        # which is built anew for every message.
        with contextlib.suppress(OSError):
            self.conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))

    def answered(self) -> None:
        """The current job is done: the job sent ahead, if any, is now running (its deadline counts from now)."""
        job, self.job, self.next_job = self.next_job, None, None
        if job is not None:
            now = time.monotonic()
            job.deadline += now - job.started
            job.started = now
            self.job = job

    def signal_group(self) -> None:
        """SIGKILL the worker's group without waiting: safe from a signal handler."""
        if self.process is not None and self.process.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.process.pid, signal.SIGKILL)  # if setpgid lost the race the group may not exist yet

    def kill(self) -> None:
        """SIGKILL the worker's whole process group and reap it."""
        if self.process is None or self.process.pid is None:  # interrupted before it started
            self._close()
            return
        self.signal_group()
        self.process.join(5)
        self._forget()
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
            return
        # The worker is gone, but what its scenarios started in its group may not be.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._forget()
        self._close()

    def _forget(self) -> None:
        if self.reaper is not None and self.process is not None and self.process.pid is not None:
            self.reaper.forget(self.process.pid)

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.job = self.next_job = None

    def death_message(self) -> str:
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                return f"worker process died: killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"worker process died: signal {-code}"
        return f"worker process died: exit code {code}"


def _worker_main(conn: Connection, parent_end: Connection, inherited: list[Connection],
                 framework: FrameworkProtocol, database: WorkerDatabaseProtocol, parent_pid: int,
                 reaper_fd: int | None) -> None:
    os.setpgid(0, 0)
    die_with_parent(parent_pid)
    reset_in_worker()
    if reaper_fd is not None:
        with contextlib.suppress(OSError):
            os.close(reaper_fd)  # only the run's own process may keep the reaper waiting
    for other in (parent_end, *inherited):  # pipe ends of the parent and of sibling workers
        other.close()
    try:
        database.activate()
        framework.worker_started()
        _prepare_test_functions(framework)
    except BaseException as exc:
        conn.send(("fatal", f"worker start-up failed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        return
    health = WorkerHealth()
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
            from support.engine.attempts import run_attempt

            outcome = run_attempt(framework, scenario, message[2])
            unusable = health.check(outcome)
            conn.send_bytes(_result_message(name, outcome, unusable))
            if unusable:
                _wait_to_be_killed(conn)
                return
        elif message[0] == "cleanup":
            from support.engine.attempts import run_cleanup_only

            conn.send(("cleaned", name, run_cleanup_only(framework, scenario)))
    database.close()


def _prepare_test_functions(framework: FrameworkProtocol) -> None:
    """Once per worker, before its first attempt: each kind of test_function's `prepare_worker()`, if it has one
    (the behave glue runs `before_all` there, so what it starts is not mistaken for the first scenario's)."""
    done: set[Any] = set()
    for scenario in framework.registry:
        prepare = getattr(scenario.test_function, "prepare_worker", None)
        key = getattr(prepare, "__func__", prepare)
        if prepare is not None and key not in done:
            done.add(key)
            prepare()


def _wait_to_be_killed(conn: Connection) -> None:
    """An untrusted worker runs nothing more: it waits for the parent's SIGKILL (or for the parent to go)."""
    with contextlib.suppress(EOFError, OSError):
        while True:
            conn.recv()


class WorkerHealth:
    """What a scenario can break in its worker beyond data: checked after every attempt, in the worker."""

    def __init__(self) -> None:
        self.stdout, self.stderr = sys.stdout, sys.stderr
        self.threads = set(threading.enumerate())

    def check(self, outcome: Any) -> str | None:
        """None, or why this worker must not run another scenario (the attempt becomes `error`)."""
        reason = getattr(outcome, "worker_unusable", None) or self._stdio() or self._threads()
        if reason:
            earlier = f" (the attempt had {outcome.status}: {outcome.error})" if outcome.error else ""
            outcome.status = Status.ERROR
            outcome.error = f"{reason}; its worker was replaced{earlier}"
        return reason

    def _stdio(self) -> str | None:
        for label, stream, fd in (("stdout", self.stdout, 1), ("stderr", self.stderr, 2)):
            current = getattr(sys, label)
            if current is not stream:
                setattr(sys, label, stream)
                return f"the scenario replaced sys.{label} and did not restore it"
            if getattr(stream, "closed", False):
                return f"the scenario closed {label}"
            try:
                os.fstat(fd)
            except OSError:
                return f"the scenario closed {label} (file descriptor {fd})"
        return None

    def _threads(self) -> str | None:
        deadline = time.monotonic() + THREAD_GRACE_SECONDS
        while True:
            leaked = [t for t in threading.enumerate() if t not in self.threads and t.is_alive()]
            if not leaked or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        if not leaked:
            return None
        names = ", ".join(sorted(t.name for t in leaked))
        return f"the scenario left {len(leaked)} thread(s) running ({names})"


def _result_message(name: str, outcome: Any, unusable: str | None) -> bytes:
    """The pickled ("result", ...) message, pickled once (``conn.recv()`` in the parent unpickles it). The
    test_function's return value must cross the pipe; if it can't, say so instead of dying. Plain pickle first
    (multiprocessing's pickler is built anew per message); its pickler only for what plain pickle refuses
    (a connection or socket a test_function returned)."""
    message = ("result", name, outcome, unusable)
    try:
        return pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    except Exception:
        pass
    try:
        return _FORK.reducer.ForkingPickler.dumps(message)
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
        return _FORK.reducer.ForkingPickler.dumps(("result", name, outcome, unusable))

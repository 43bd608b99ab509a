"""How a run stops early, and why no worker ever outlives it.

- `interruptions(escalate)`: while a run is on (main thread only), SIGINT, SIGTERM and SIGHUP raise
  `RunInterrupted` once — a KeyboardInterrupt that names the signal, so the run winds down as after Ctrl-C
  (workers killed, in-flight attempts `error`, bounded cleanups, databases dropped, report written). Any
  further signal escalates at once: `escalate()` (kill every worker group; bounded) and `os._exit(128 + sig)`,
  so a second Ctrl-C never waits on anything.
- `Reaper`: a tiny forked process, in a process group of its own, that knows every worker's group and kills
  them all when the run's process disappears without saying goodbye (SIGKILL, OOM killer). It only ever
  reads a pipe and kills process groups: nothing can make it hang.
- `die_with_parent()`: called first thing in a worker: the kernel SIGKILLs it when the run's process dies
  (PR_SET_PDEATHSIG), even if the worker is stuck in C code and could run no Python at all.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1


class RunInterrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal (Ctrl-C, a CI cancelling the job, a closed terminal)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """What a shell reports for a process ended by that signal: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum


def exit_code_of(interruption: BaseException) -> int:
    return interruption.exit_code if isinstance(interruption, RunInterrupted) else 128 + signal.SIGINT


@contextlib.contextmanager
def interruptions(escalate: Callable[[int], None]) -> Iterator[None]:
    """Turn the stop signals into one `RunInterrupted`, then into an immediate exit (see the module doc)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread; the caller's own apply
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    interrupted = False

    def second(signum: int, frame: object) -> None:
        try:
            os.write(2, f"\n{signal.Signals(signum).name} again: killing the workers and exiting now\n".encode())
            escalate(signum)
        finally:
            os._exit(128 + signum)

    def first(signum: int, frame: object) -> None:
        nonlocal interrupted
        if interrupted:
            second(signum, frame)
        interrupted = True
        for sig in STOP_SIGNALS:
            signal.signal(sig, second)
        raise RunInterrupted(signum)

    for sig in STOP_SIGNALS:
        # A background job inherits SIGINT ignored: respect that (a terminal's Ctrl-C is not meant for it).
        if not (sig == signal.SIGINT and previous[sig] == signal.SIG_IGN):
            signal.signal(sig, first)
    try:
        yield
    finally:
        # After a first signal the escalating handlers stay for the rest of the process's life, so a second
        # signal while the caller still writes its reports exits at once too.
        if not interrupted:
            for sig, handler in previous.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def reset_in_worker() -> None:
    """A forked worker inherits the parent's handlers: it ignores Ctrl-C (the parent decides) and dies on the rest."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies; exit now if that already happened."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)  # the parent died between fork and prctl


class Reaper:
    """Kills every worker process group if the run's process dies without closing the pipe first."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self._write: int | None = None

    @property
    def pipe_fd(self) -> int | None:
        """The write end, which every worker must close right after it is forked."""
        return self._write

    def start(self) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the reaper
            try:
                os.close(write)
                os.setpgid(0, 0)  # not in the run's group: a group-wide kill of the run must not take it too
                for sig in STOP_SIGNALS:
                    signal.signal(sig, signal.SIG_IGN)
                _reap(read)
            finally:
                os._exit(0)
        os.close(read)
        self.pid, self._write = pid, write

    def watch(self, pgid: int) -> None:
        self._send(f"+{pgid}\n")

    def forget(self, pgid: int) -> None:
        self._send(f"-{pgid}\n")

    def _send(self, line: str) -> None:
        if self._write is not None:
            with contextlib.suppress(OSError):
                os.write(self._write, line.encode())

    def stop(self) -> None:
        """The run ended properly: the reaper kills whatever it still knows (nothing, normally) and exits."""
        if self._write is None:
            return
        os.close(self._write)
        self._write = None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _reap(read: int) -> None:
    groups: set[int] = set()
    pending = b""
    while True:
        try:
            chunk = os.read(read, 4096)
        except InterruptedError:
            continue
        if not chunk:
            break  # every writer is gone: the run ended, one way or another
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line[:1] == b"+":
                groups.add(int(line[1:]))
            elif line[:1] == b"-":
                groups.discard(int(line[1:]))
    for pgid in groups:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)

"""Run several calls truly at the same moment, each in its own thread with its own database connection.

``run_simultaneously(calls)`` starts one thread per call; all of them wait on a ``threading.Barrier`` and are
released together, so the calls race for real (on PostgreSQL, for the same rows and locks). Each thread's
database connections are Django's per-thread ones, closed when the thread ends. The outcome of every call —
its return value or the exception it raised — comes back in call order; nothing is swallowed.

The threads see what the scenario committed (every scenario commits for real, as in production).
"""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Outcome:
    """What one call did: ``value`` when it returned, ``error`` (with its traceback text) when it raised."""

    label: str
    value: Any = None
    error: BaseException | None = None
    trace: str = ""

    @property
    def raised(self) -> bool:
        return self.error is not None


class ConcurrencyError(AssertionError):
    """The simultaneous run itself went wrong (a thread never finished, or the barrier broke)."""


def run_simultaneously(calls: Sequence[Callable[[], Any]], *, labels: Sequence[str] | None = None,
                       timeout: float = DEFAULT_TIMEOUT_SECONDS) -> list[Outcome]:
    """Runs every call at once; their outcomes in the same order. ``labels`` name the calls in messages."""
    if not calls:
        raise ValueError("run_simultaneously: no calls given")
    names = list(labels) if labels is not None else [f"call {index + 1}" for index in range(len(calls))]
    if len(names) != len(calls):
        raise ValueError(f"run_simultaneously: {len(calls)} calls but {len(names)} labels")
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout)
            outcomes[index] = Outcome(names[index], value=call())
        except BaseException as error:  # noqa: BLE001 - reported to the caller, never lost
            outcomes[index] = Outcome(names[index], error=error, trace=traceback.format_exc())
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=worker, args=(index, call), name=f"simultaneous-{names[index]}", daemon=True)
               for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    unfinished = [thread.name for thread in threads if thread.is_alive()]
    if unfinished:
        raise ConcurrencyError(f"still running after {timeout:g} s: {', '.join(unfinished)} (a deadlock?)")
    broken = [outcome for outcome in outcomes if outcome is not None and isinstance(outcome.error,
                                                                                       threading.BrokenBarrierError)]
    if broken:
        raise ConcurrencyError(f"the start barrier broke for {', '.join(o.label for o in broken)}")
    return [outcome for outcome in outcomes if outcome is not None]


def unexpected_errors(outcomes: Sequence[Outcome]) -> str:
    """A readable list of the calls that raised (empty when none did)."""
    return "\n".join(f"{outcome.label} raised {outcome.error!r}\n{outcome.trace}" for outcome in outcomes
                     if outcome.raised)

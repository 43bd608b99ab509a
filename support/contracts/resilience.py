"""Circuit-breaker checks without sleeping: a fake clock for pybreaker and a scripted failure sequence."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pybreaker

from support.contracts.answers import code_text, is_result_like
from support.contracts.doubles import FailureDouble


class FakeClock:
    """Stands in for `datetime` inside pybreaker (it reads the time only through `datetime.now(UTC)`)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now_value = start or datetime(2026, 1, 1, tzinfo=UTC)

    def advance(self, seconds: float) -> None:
        self.now_value += timedelta(seconds=seconds)

    @contextlib.contextmanager
    def installed(self) -> Iterator[FakeClock]:
        clock = self

        class _Datetime(datetime):
            @classmethod
            def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
                return clock.now_value if tz is not None else clock.now_value.replace(tzinfo=None)

        with mock.patch.object(pybreaker, "datetime", _Datetime):
            yield self


@dataclass
class BreakerCheck:
    """What happened at each stage of the open / fail-fast / half-open / recover sequence."""

    problems: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_circuit_breaker(
    call: Callable[[], Any],
    breaker: pybreaker.CircuitBreaker,
    provider: FailureDouble,
    clock: FakeClock,
    *,
    unavailable_code: str,
) -> BreakerCheck:
    """Drive `call` (a service call that reaches the provider through `breaker`) through the breaker's life.

    1. provider failing: each call answers a failed result with `unavailable_code` (no exception escapes),
       and after at most fail_max calls the breaker is open;
    2. while open: calls answer `unavailable_code` without reaching the provider (fail fast);
    3. after reset_timeout (fake clock) with the provider healthy: the trial call reaches the provider,
       succeeds, and the breaker closes.
    """
    check = BreakerCheck()

    def attempt(stage: str) -> Any:
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - an escaping exception is a contract failure
            check.problems.append(f"{stage}: exception escaped to the caller: {type(exc).__name__}: {exc}")
            return None

    def expect_unavailable(stage: str, result: Any) -> None:
        if result is None:
            return
        if not is_result_like(result) or result.success:
            check.problems.append(f"{stage}: expected a failed result, got {result!r}")
        elif code_text(result.error_code) != unavailable_code:
            check.problems.append(f"{stage}: error code {code_text(result.error_code)!r}, "
                                  f"declared {unavailable_code!r}")

    with clock.installed():
        breaker.close()
        provider.failing = True
        for attempt_number in range(1, breaker.fail_max + 1):
            expect_unavailable(f"failure {attempt_number}", attempt(f"failure {attempt_number}"))
            if breaker.current_state == pybreaker.STATE_OPEN:
                break
        if breaker.current_state != pybreaker.STATE_OPEN:
            check.problems.append(f"breaker still {breaker.current_state} after {breaker.fail_max} failures")
        check.stages.append(f"opened after failures ({breaker.current_state})")

        before = provider.calls
        expect_unavailable("while open", attempt("while open"))
        if provider.calls != before:
            check.problems.append(f"while open: provider was called {provider.calls - before} time(s) (no fail-fast)")
        check.stages.append("failed fast while open")

        provider.failing = False
        clock.advance(breaker.reset_timeout / 2)
        before = provider.calls
        expect_unavailable("before reset timeout", attempt("before reset timeout"))
        if provider.calls != before:
            check.problems.append("before reset timeout: provider was called (breaker half-opened too early)")

        clock.advance(breaker.reset_timeout / 2 + 1)
        before = provider.calls
        result = attempt("after reset timeout")
        if provider.calls == before:
            check.problems.append("after reset timeout: no trial call reached the provider (never half-opened)")
        if result is not None and not (is_result_like(result) and result.success):
            check.problems.append(f"after reset timeout: trial call did not succeed: {result!r}")
        if breaker.current_state != pybreaker.STATE_CLOSED:
            check.problems.append(f"after a successful trial the breaker is {breaker.current_state}, not closed")
        check.stages.append(f"half-opened and recovered ({breaker.current_state})")
    return check

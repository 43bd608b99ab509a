"""The exchange-rate circuit breaker: opens, fails fast, half-opens after the reset timeout and recovers —
on a fake clock — and its errors reach callers as results with the declared UNAVAILABLE code."""
from __future__ import annotations

from decimal import Decimal

import pybreaker
import pytest
from django.utils import timezone

from support.contracts.doubles import FailureDouble
from support.contracts.resilience import FakeClock, check_circuit_breaker
from tests.contracts.toy_services import Result

UNAVAILABLE = "dependency_unavailable"


class RateProvider:
    def get_rate(self, base: str, quote: str) -> Decimal:
        return Decimal("0.9")


class PricingService:
    """A toy caller that converts breaker and provider failures into results (or, broken, lets them escape)."""

    def __init__(self, provider, breaker, *, swallow: bool = True) -> None:
        self.provider, self.breaker, self.swallow = provider, breaker, swallow

    def price(self) -> Result[Decimal]:
        try:
            return Result.ok(self.breaker.call(self.provider.get_rate, "USD", "EUR"))
        except Exception as exc:
            if not self.swallow:
                raise
            return Result.fail(UNAVAILABLE, {"rate": [str(exc)]})


def _run(swallow: bool = True, fail_max: int = 3):
    provider = FailureDouble(RateProvider(), failing=False)
    breaker = pybreaker.CircuitBreaker(fail_max=fail_max, reset_timeout=60)
    service = PricingService(provider, breaker, swallow=swallow)
    return check_circuit_breaker(service.price, breaker, provider, FakeClock(), unavailable_code=UNAVAILABLE)


def test_a_well_behaved_caller_passes_every_stage():
    check = _run()
    assert check.ok, check.problems
    assert len(check.stages) == 3


def test_exceptions_escaping_to_the_caller_are_reported():
    check = _run(swallow=False)
    assert any("exception escaped to the caller: ConnectionError" in p for p in check.problems)


def test_a_breaker_that_never_opens_is_reported():
    provider = FailureDouble(RateProvider(), failing=False)
    breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=60)
    service = PricingService(provider, pybreaker.CircuitBreaker(fail_max=1000))  # bypasses `breaker`
    check = check_circuit_breaker(service.price, breaker, provider, FakeClock(), unavailable_code=UNAVAILABLE)
    assert "breaker still closed after 3 failures" in check.problems
    assert any("no fail-fast" in p for p in check.problems)


def test_the_fake_clock_is_what_pybreaker_reads():
    clock = FakeClock()
    breaker = pybreaker.CircuitBreaker(fail_max=1, reset_timeout=10)
    with clock.installed():
        with pytest.raises(pybreaker.CircuitBreakerError):
            breaker.call(lambda: 1 / 0)
        clock.advance(9)
        with pytest.raises(pybreaker.CircuitBreakerError, match="Timeout not elapsed"):
            breaker.call(lambda: 1)
        clock.advance(2)
        assert breaker.call(lambda: 1) == 1
        assert breaker.current_state == pybreaker.STATE_CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("fail_max", [3, 5])
def test_prs_commission_service_behind_the_exchange_rate_breaker(fail_max):
    from prs.commissions.exchange_rates import FakeExchangeRateProvider
    from prs.commissions.services import CommissionService
    from prs.common.results import ErrorCode
    from support.prs.contracts import prs_services, world

    w = world()
    provider = FailureDouble(FakeExchangeRateProvider(), failing=False)
    breaker = pybreaker.CircuitBreaker(fail_max=fail_max, reset_timeout=30)
    services = prs_services()
    commissions = CommissionService(audit_service=services["audit_service"],
                                    notification_service=services["notification_service"],
                                    exchange_rate_provider=provider, circuit_breaker=breaker)
    commissions.exchange_rates.sleep = lambda seconds: None  # bounded retries, without real back-off
    today = timezone.localdate()
    data = {"user": w.salesperson.pk, "period_start": today.replace(day=1).isoformat(),
            "period_end": today.isoformat(), "currency": "EUR"}

    check = check_circuit_breaker(lambda: commissions.calculate(w.admin, data), breaker, provider, FakeClock(),
                                  unavailable_code=ErrorCode.UNAVAILABLE.value)
    assert check.ok, check.problems

"""Exchange rates: an external dependency, reached through a circuit breaker with bounded retries.

Services are built per request (prs/services.py), so a breaker owned by a service instance would never see
more than one request's failures and would never open. The breaker of each configured provider is therefore
process-wide (``shared_breaker``), and every change of its state is logged on ``prs.exchange_rates``.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Protocol

import pybreaker


class ExchangeRateUnavailable(Exception):
    """The rate could not be obtained (provider down, circuit open, unknown pair)."""


class UnknownCurrencyPair(ExchangeRateUnavailable):
    """The provider answered, and has no rate for that pair: retrying will not help, the service is healthy."""


class ExchangeRateProvider(Protocol):
    def get_rate(self, base: str, quote: str) -> Decimal:
        """How many units of quote one unit of base buys."""
        ...


DEFAULT_RATES: Mapping[tuple[str, str], Decimal] = {
    ("USD", "EUR"): Decimal("0.92"),
    ("USD", "GBP"): Decimal("0.79"),
    ("USD", "NPR"): Decimal("133.50"),
    ("USD", "INR"): Decimal("83.25"),
    ("USD", "AUD"): Decimal("1.52"),
    ("USD", "JPY"): Decimal("151.00"),
}


class FakeExchangeRateProvider:
    """A local fixed table (both directions); no network. Unknown pairs are unavailable."""

    def __init__(self, rates: Mapping[tuple[str, str], Decimal] | None = None) -> None:
        self.rates = dict(rates if rates is not None else DEFAULT_RATES)

    def get_rate(self, base: str, quote: str) -> Decimal:
        if base == quote:
            return Decimal("1")
        if (base, quote) in self.rates:
            return self.rates[(base, quote)]
        if (quote, base) in self.rates:
            return (Decimal("1") / self.rates[(quote, base)]).quantize(Decimal("0.000001"))
        raise UnknownCurrencyPair(f"no rate for {base}/{quote}")


logger = logging.getLogger("prs.exchange_rates")


class BreakerStateLog(pybreaker.CircuitBreakerListener):
    """One log line per state change: operators see an outage begin (opened) and end (closed)."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: object, new_state: object) -> None:
        new = getattr(new_state, "name", str(new_state))
        old = getattr(old_state, "name", str(old_state))
        if new == old:  # close() on a closed circuit: nothing to tell
            return
        if new == pybreaker.STATE_OPEN:
            logger.warning("exchange-rate circuit %s opened (was %s): calls fail fast for %s s",
                           cb.name, old, cb.reset_timeout)
        elif new == pybreaker.STATE_CLOSED:
            logger.warning("exchange-rate circuit %s closed (was %s): calls reach the provider again", cb.name, old)
        else:
            logger.info("exchange-rate circuit %s half-open (was %s): trying the provider once", cb.name, old)


def default_breaker(name: str = "exchange-rates") -> pybreaker.CircuitBreaker:
    # An unknown pair is an answer, not an outage: it must not open the circuit.
    return pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name=name, exclude=[UnknownCurrencyPair],
                                    listeners=[BreakerStateLog()])


_shared_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_shared_breakers_lock = threading.Lock()


def shared_breaker(provider: str) -> pybreaker.CircuitBreaker:
    """The one breaker of this process for the provider (its dotted path): every request shares its state."""
    with _shared_breakers_lock:
        if provider not in _shared_breakers:
            _shared_breakers[provider] = default_breaker(name=f"exchange-rates:{provider}")
        return _shared_breakers[provider]


class ResilientExchangeRateProvider:
    """Retries a failing provider a bounded number of times, behind a circuit breaker.

    Every failure, including an open circuit, surfaces as ExchangeRateUnavailable.
    """

    def __init__(
        self,
        provider: ExchangeRateProvider,
        breaker: pybreaker.CircuitBreaker | None = None,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.provider = provider
        self.breaker = breaker if breaker is not None else default_breaker()
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def get_rate(self, base: str, quote: str) -> Decimal:
        last_error: Exception | None = None
        for attempt in range(self.attempts):
            try:
                rate = self.breaker.call(self.provider.get_rate, base, quote)
            except UnknownCurrencyPair:
                raise
            except pybreaker.CircuitBreakerError as error:
                raise ExchangeRateUnavailable(f"exchange-rate service unavailable (circuit open): {error}") from error
            except Exception as error:  # any provider failure counts; the breaker has recorded it
                last_error = error
                if attempt + 1 < self.attempts:
                    self.sleep(self.backoff_seconds * (2**attempt))
                continue
            if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
                raise ExchangeRateUnavailable(f"provider returned an invalid rate {rate!r} for {base}/{quote}")
            return rate
        raise ExchangeRateUnavailable(
            f"exchange-rate service failed {self.attempts} times for {base}/{quote}: {last_error}"
        ) from last_error


def provider_key() -> str:
    """The configured provider's dotted path: the key of its shared breaker."""
    from django.conf import settings

    return str(settings.PRS_EXCHANGE_RATE_PROVIDER)


def provider_from_settings() -> ExchangeRateProvider:
    from django.utils.module_loading import import_string

    return import_string(provider_key())()

"""Exchange rates: an external dependency, reached through a circuit breaker with bounded retries."""
from __future__ import annotations

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


def default_breaker() -> pybreaker.CircuitBreaker:
    # An unknown pair is an answer, not an outage: it must not open the circuit.
    return pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30, name="exchange-rates", exclude=[UnknownCurrencyPair])


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


def provider_from_settings() -> ExchangeRateProvider:
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(settings.PRS_EXCHANGE_RATE_PROVIDER)()

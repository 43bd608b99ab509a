"""CommissionService: formula and half-up rounding, sales from approved payments, recalculation, rates."""
from datetime import timedelta
from decimal import Decimal

import pybreaker
import pytest
from django.utils import timezone

from prs.commissions.exchange_rates import ExchangeRateUnavailable, FakeExchangeRateProvider
from prs.commissions.services import CommissionService, commission_figures
from prs.common.results import ErrorCode
from prs.notifications.models import Notification


@pytest.mark.parametrize(
    ("sales", "rate", "fx", "bonus", "penalty", "expected"),
    [
        # 10.10 x 5% = 0.505 -> 0.51 (half-up; banker's rounding would give 0.50)
        ("10.10", "5", "1", "0", "0", ("0.51", "0.51", "0.51")),
        # 0.10 x 5% = 0.005 -> 0.01
        ("0.10", "5", "1", "0", "0", ("0.01", "0.01", "0.01")),
        # 0.09 x 5% = 0.0045 -> 0.00 (below the half cent)
        ("0.09", "5", "1", "0", "0", ("0.00", "0.00", "0.00")),
        # 1.00 x 2.5% x 0.9 = 0.0225 -> 0.02
        ("1.00", "2.5", "0.9", "0", "0", ("0.02", "0.02", "0.02")),
        # 30.30 x 5% = 1.515 -> 1.52; + bonus 0.10 -> 1.62; - penalty 1.62 -> 0.00
        ("30.30", "5", "1", "0.10", "1.62", ("1.52", "1.62", "0.00")),
        # exchange rate applied before rounding: 10.00 x 5% x 1.01 = 0.505 -> 0.51
        ("10.00", "5", "1.01", "0", "0", ("0.51", "0.51", "0.51")),
        ("999999999.99", "100", "1", "0", "0.01", ("999999999.99", "999999999.99", "999999999.98")),
    ],
)
def test_commission_rounds_half_up_to_the_cent(sales, rate, fx, bonus, penalty, expected):
    figures = commission_figures(Decimal(sales), Decimal(rate), Decimal(fx), Decimal(bonus), Decimal(penalty))
    assert (figures.commission_amount, figures.total_commission, figures.total_receivable) == tuple(
        Decimal(value) for value in expected
    )


@pytest.fixture
def period():
    today = timezone.localdate()
    return {"period_start": (today - timedelta(days=30)).isoformat(), "period_end": today.isoformat()}


@pytest.fixture
def approved(services, seller, verifier, deal, payment_data):
    def make(amount, verified=None, **overrides):
        payment = services["payment_service"].create(seller, payment_data(deal, amount, **overrides)).data
        assert services["payment_service"].approve(verifier, payment.pk, verified or amount).success
        return payment

    return make


def test_sales_are_verified_amounts_inside_the_period(services, admin, seller, approved, period, deal):
    approved("200.00", verified="150.00")
    old = timezone.localdate() - timedelta(days=60)
    approved("300.00", payment_date=old.isoformat())  # outside the period
    services["payment_service"].create(seller, {"deal": deal.pk, "amount": "50.00", "payment_type": "cash",
                                                "payment_date": timezone.localdate().isoformat()})  # pending
    result = services["commission_service"].calculate(admin, {"user": seller.pk, **period, "bonus": "10.00"})
    assert result.success, result.errors
    commission = result.data
    assert commission.total_sales == Decimal("150.00")
    assert commission.commission_rate == Decimal("5.00")  # the organization's default
    assert (commission.commission_amount, commission.total_commission) == (Decimal("7.50"), Decimal("17.50"))
    assert Notification.objects.filter(recipient=seller, notification_type="commission_calculated").count() == 1


def test_same_period_twice_conflicts(services, admin, seller, period):
    assert services["commission_service"].calculate(admin, {"user": seller.pk, **period}).success
    assert services["commission_service"].calculate(admin, {"user": seller.pk, **period}).error_code == (
        ErrorCode.CONFLICT
    )


def test_recalculated_when_a_payment_in_its_period_is_approved(
    services, admin, seller, verifier, deal, payment_data, period
):
    commission = services["commission_service"].calculate(admin, {"user": seller.pk, **period}).data
    payment = services["payment_service"].create(seller, payment_data(deal, "400.00")).data
    services["payment_service"].approve(verifier, payment.pk, "400.00")
    commission.refresh_from_db()
    assert (commission.total_sales, commission.commission_amount) == (Decimal("400.00"), Decimal("20.00"))
    assert commission.version == 2
    assert Notification.objects.filter(recipient=seller, notification_type="commission_changed").exists()


def test_update_recomputes_and_stale_version_conflicts(services, admin, seller, approved, period):
    approved("100.00")
    commission = services["commission_service"].calculate(admin, {"user": seller.pk, **period}).data
    result = services["commission_service"].update(admin, commission.pk, {"commission_rate": "10", "version": 1})
    assert result.success and result.data.commission_amount == Decimal("10.00")
    stale = services["commission_service"].update(admin, commission.pk, {"penalty": "1", "version": 1})
    assert stale.error_code == ErrorCode.CONFLICT


def test_salesperson_sees_and_calculates_only_their_own(services, seller, make_user, period):
    colleague = make_user(seller.organization, "salesperson")
    forbidden = services["commission_service"].calculate(seller, {"user": colleague.pk, **period})
    assert forbidden.error_code == ErrorCode.FORBIDDEN
    own = services["commission_service"].calculate(seller, dict(period))
    assert own.success and own.data.user == seller
    assert services["commission_service"].get(colleague, own.data.pk).error_code == ErrorCode.NOT_FOUND


@pytest.mark.parametrize(
    ("field", "value"),
    [("commission_rate", "100.01"), ("commission_rate", "-1"), ("exchange_rate", "0"), ("bonus", "-5"),
     ("bonus", 1.5), ("period_end", "2000-01-01"), ("currency", "EURO")],
)
def test_bad_commission_field_is_named(services, admin, seller, period, field, value):
    result = services["commission_service"].calculate(admin, {"user": seller.pk, **period, field: value})
    assert result.error_code == ErrorCode.VALIDATION and field in result.errors


class FlakyProvider:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def get_rate(self, base: str, quote: str) -> Decimal:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("rate service down")
        return Decimal("0.5")


def commission_service(services, provider, breaker=None):
    return CommissionService(
        audit_service=services["audit_service"], notification_service=services["notification_service"],
        exchange_rate_provider=provider, circuit_breaker=breaker,
    )


def test_rate_from_provider_when_currency_differs(services, admin, seller, period, approved):
    approved("100.00")
    service = commission_service(services, FakeExchangeRateProvider({("USD", "EUR"): Decimal("0.9")}))
    result = service.calculate(admin, {"user": seller.pk, **period, "currency": "EUR"})
    assert result.success and result.data.exchange_rate == Decimal("0.9")
    assert result.data.commission_amount == Decimal("4.50")


def test_explicit_rate_wins_over_provider(services, admin, seller, period):
    provider = FlakyProvider(failures=99)
    result = commission_service(services, provider).calculate(
        admin, {"user": seller.pk, **period, "currency": "EUR", "exchange_rate": "1.25"}
    )
    assert result.success and provider.calls == 0


def test_transient_provider_failure_is_retried(services, admin, seller, period):
    provider = FlakyProvider(failures=2)
    result = commission_service(services, provider).calculate(admin, {"user": seller.pk, **period, "currency": "EUR"})
    assert result.success and result.data.exchange_rate == Decimal("0.5") and provider.calls == 3


def test_provider_down_is_unavailable_and_the_breaker_opens(services, admin, seller, period):
    provider = FlakyProvider(failures=99)
    breaker = pybreaker.CircuitBreaker(fail_max=3, reset_timeout=60)
    service = commission_service(services, provider, breaker)
    result = service.calculate(admin, {"user": seller.pk, **period, "currency": "EUR"})
    assert result.error_code == ErrorCode.UNAVAILABLE and "exchange_rate" in result.errors
    assert breaker.current_state == "open"
    calls = provider.calls
    again = service.calculate(admin, {"user": seller.pk, **period, "currency": "EUR"})
    assert again.error_code == ErrorCode.UNAVAILABLE and provider.calls == calls  # no call through an open circuit


def test_fake_provider_unknown_pair():
    with pytest.raises(ExchangeRateUnavailable):
        FakeExchangeRateProvider().get_rate("USD", "XXX")

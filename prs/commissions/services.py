"""Commissions of salespeople per period, recalculated when a payment in the period is decided."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Protocol

import pybreaker
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from prs.accounts.models import Role, User
from prs.audit.models import AuditAction
from prs.audit.services import AuditServiceProtocol
from prs.commissions import selectors
from prs.commissions.exchange_rates import (
    ExchangeRateProvider,
    ExchangeRateUnavailable,
    ResilientExchangeRateProvider,
    provider_from_settings,
    provider_key,
    shared_breaker,
)
from prs.commissions.models import Commission
from prs.common.access import find_for_actor, for_update, forbidden, has_role, scope_to_actor, stale_version
from prs.common.changes import created, diff, snapshot
from prs.common.inputs import Payload
from prs.common.money import CURRENCY_PATTERN, column_limit, out_of_column_range, to_money
from prs.common.results import ErrorCode, ServiceResult, collaborator_failures_as_results, expect_ok
from prs.deals.models import Payment
from prs.notifications.models import NotificationType, Priority
from prs.notifications.services import NotificationServiceProtocol

HUNDRED = Decimal("100")
# The terms of a commission: only organization admins set them. A salesperson's own calculation takes the
# organization's default rate, the provider's exchange rate and no bonus or penalty.
ADMIN_TERMS = ("commission_rate", "exchange_rate", "bonus", "penalty")
ADMIN_TERMS_MESSAGE = "Only organization admins set commission terms (rate, exchange rate, bonus, penalty)."
# What PRS computes; each must fit its column before the row is written.
COMPUTED_FIELDS = ("total_sales", "commission_amount", "total_commission", "total_receivable")
COMMISSION_FIELDS = (
    "user", "period_start", "period_end", "currency", "total_sales", "commission_rate", "exchange_rate", "bonus",
    "penalty", "commission_amount", "total_commission", "total_receivable",
)


@dataclass(frozen=True)
class CommissionFigures:
    commission_amount: Decimal
    total_commission: Decimal
    total_receivable: Decimal


def commission_figures(
    sales: Decimal, rate: Decimal, exchange_rate: Decimal, bonus: Decimal, penalty: Decimal
) -> CommissionFigures:
    """commission = sales x rate / 100 x exchange rate; total = commission + bonus; receivable = total - penalty.

    Each is rounded half-up to the cent, in that order.
    """
    commission = to_money(sales * rate / HUNDRED * exchange_rate)
    total = to_money(commission + bonus)
    return CommissionFigures(commission, total, to_money(total - penalty))


class CommissionServiceProtocol(Protocol):
    def calculate(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Commission]: ...
    def get(self, actor: User, commission_id: object) -> ServiceResult[Commission]: ...
    def update(self, actor: User, commission_id: object, data: Mapping[str, Any]) -> ServiceResult[Commission]: ...
    def list(
        self, actor: User, filters: Mapping[str, Any] | None = None
    ) -> ServiceResult[QuerySet[Commission]]: ...
    def recalculate_for_payment(self, payment: Payment) -> ServiceResult[list[Commission]]: ...


@collaborator_failures_as_results
class CommissionService:
    dependencies: ClassVar[tuple[str, ...]] = ("audit_service", "notification_service")

    def __init__(
        self,
        *,
        audit_service: AuditServiceProtocol,
        notification_service: NotificationServiceProtocol,
        exchange_rate_provider: ExchangeRateProvider | None = None,
        circuit_breaker: pybreaker.CircuitBreaker | None = None,
    ) -> None:
        """exchange_rate_provider is wrapped in retries + circuit_breaker (both injectable for tests).

        The configured provider goes through the process-wide breaker of that provider; an injected provider
        gets the injected breaker, or one of its own."""
        self.audit_service = audit_service
        self.notification_service = notification_service
        if exchange_rate_provider is None:
            exchange_rate_provider = provider_from_settings()
            circuit_breaker = circuit_breaker or shared_breaker(provider_key())
        self.exchange_rates = ResilientExchangeRateProvider(exchange_rate_provider, circuit_breaker)

    def calculate(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Commission]:
        """Creates the commission of a salesperson for a period (one per user and period)."""
        if not has_role(actor, Role.ORG_ADMIN, Role.SALESPERSON):
            return forbidden(actor, "calculate", Commission, "Only org admins and salespeople calculate commissions.")
        payload = Payload(data)
        if not payload.has("user") and actor.role == Role.SALESPERSON:
            payload = Payload({**payload.data, "user": actor.pk})
        user = self._salesperson(actor, payload)
        if user is not None and actor.role == Role.SALESPERSON and user.pk != actor.pk:
            return forbidden(actor, "calculate", Commission, "A salesperson calculates only their own commission.")
        terms_given = [name for name in ADMIN_TERMS if payload.given(name)]
        if terms_given and not has_role(actor, Role.ORG_ADMIN):
            return forbidden(actor, "set commission terms", Commission, ADMIN_TERMS_MESSAGE, fields=terms_given)
        start = payload.date("period_start")
        end = payload.date("period_end")
        if start is not None and end is not None and end < start:
            payload.errors.add("period_end", f"Must be on or after period_start {start.isoformat()}.")
        organization = user.organization if user is not None else None
        currency = organization.currency if organization is not None else "USD"
        # pragma below: None for partial=False reads the same (equivalent)
        terms = self._read_terms(payload, partial=False, default_currency=currency)  # pragma: no mutate — see above
        if payload.errors:
            return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
        # No errors means all four were read: the assert only narrows types for the checker (pragma below).
        assert user is not None and organization is not None and start is not None and end is not None  # pragma: no mutate — see above  # noqa: E501
        if terms.get("commission_rate") is None:
            terms["commission_rate"] = organization.default_commission_rate
        if terms.get("exchange_rate") is None:
            rate = self._exchange_rate(organization.currency, terms["currency"])
            if isinstance(rate, ServiceResult):
                return rate
            terms["exchange_rate"] = rate
        try:
            with transaction.atomic():
                commission = Commission(organization=organization, user=user, period_start=start, period_end=end,
                                        calculated_by=actor, **terms)
                overflow = self._refresh(commission)
                if overflow:
                    return ServiceResult.fail(ErrorCode.VALIDATION, overflow)
                commission.save()
                expect_ok(self.audit_service.record(
                    actor, AuditAction.CALCULATE, commission, created(snapshot(commission, COMMISSION_FIELDS))
                ))
                self._notify(commission, NotificationType.COMMISSION_CALCULATED)
        except IntegrityError:  # one commission per salesperson and period: the constraint is the one check
            existing = Commission.objects.filter(user=user, period_start=start, period_end=end).first()
            if existing is None:
                raise  # another integrity error: a bug, not a duplicate
            return ServiceResult.fail(ErrorCode.CONFLICT, {"non_field_errors": [
                f"Commission {existing.pk} already covers {user.email} for {start}..{end}; update it instead."]})
        return ServiceResult.ok(commission)

    def get(self, actor: User, commission_id: object) -> ServiceResult[Commission]:
        commission, failure = find_for_actor(
            actor, selectors.commission_queryset(actor), commission_id, label="Commission"
        )
        return failure or ServiceResult.ok(commission)

    def update(self, actor: User, commission_id: object, data: Mapping[str, Any]) -> ServiceResult[Commission]:
        """Changes rate, exchange rate, bonus, penalty or currency (org admins); sales are recomputed."""
        with transaction.atomic():
            commission, failure = find_for_actor(
                actor, for_update(selectors.commission_queryset(actor)), commission_id,
                label="Commission",
            )
            if failure:
                return failure
            assert commission is not None
            if not has_role(actor, Role.ORG_ADMIN):
                return forbidden(actor, "update", commission, "Only organization admins change commissions.")
            conflict = stale_version(data, commission)
            if conflict:
                return conflict
            payload = Payload(data)
            # partial: a currency is read only when given, so the default never applies
            terms = self._read_terms(payload, partial=True, default_currency=commission.currency)  # pragma: no mutate — see above  # noqa: E501
            if payload.errors:
                return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
            if "currency" in terms and "exchange_rate" not in terms:
                rate = self._exchange_rate(commission.organization.currency, terms["currency"])
                if isinstance(rate, ServiceResult):
                    return rate
                terms["exchange_rate"] = rate
            before = snapshot(commission, COMMISSION_FIELDS)
            for name, value in terms.items():
                setattr(commission, name, value)
            overflow = self._refresh(commission)
            if overflow:
                return ServiceResult.fail(ErrorCode.VALIDATION, overflow)
            commission.calculated_by = actor
            commission.version += 1
            commission.save()
            expect_ok(self.audit_service.record(
                actor, AuditAction.UPDATE, commission, diff(before, snapshot(commission, COMMISSION_FIELDS))
            ))
            self._notify(commission, NotificationType.COMMISSION_CHANGED)
        return ServiceResult.ok(commission)

    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Commission]]:
        return ServiceResult.ok(selectors.commission_list(actor, filters))

    def recalculate_for_payment(self, payment: Payment) -> ServiceResult[list[Commission]]:
        """Recomputes the commissions whose period holds the payment's date; audits and notifies real changes.

        The actor of the audit entry is whoever decided the payment. A commission the decision would push beyond
        what its columns hold is a CONFLICT naming the field; nothing of this call is then written, and the
        caller must roll its own writes back too.
        """
        actor = payment.approval.verifier  # only a decision (an approval or a rejection) changes commissions
        changed: list[Commission] = []
        with transaction.atomic():
            covering = selectors.commissions_covering(payment.deal.salesperson_id, payment.payment_date)
            locked = covering.select_for_update()
            # select_related only saves queries: the same rows, fewer queries
            for commission in locked.select_related("user", "organization"):  # pragma: no mutate — see above
                before = snapshot(commission, COMMISSION_FIELDS)
                overflow = self._refresh(commission)
                if overflow:
                    # The deciding payment's transaction rolls back too (TRX-03): no PRS path keeps the rest.
                    transaction.set_rollback(True)  # pragma: no mutate — equivalent under its only caller, see above
                    return ServiceResult.fail(ErrorCode.CONFLICT, overflow)
                changes = diff(before, snapshot(commission, COMMISSION_FIELDS))
                if not changes:  # a decision changes every commission covering its day alike, or none
                    continue  # pragma: no mutate — so `break` is equivalent here, see above
                commission.version += 1
                commission.save()
                expect_ok(self.audit_service.record(actor, AuditAction.CALCULATE, commission, changes))
                self._notify(commission, NotificationType.COMMISSION_CHANGED)
                changed.append(commission)  # pragma: no mutate — PRS's only caller reads the success only
        return ServiceResult.ok(changed)

    # -- helpers -----------------------------------------------------------------------------------------

    @staticmethod
    def _salesperson(actor: User, payload: Payload) -> User | None:
        user_id = payload.reference("user")
        if user_id is None:
            return None
        people = User.objects.select_related("organization")  # pragma: no mutate — select_related only saves queries
        users = scope_to_actor(people, actor)
        user, failure = find_for_actor(actor, users, user_id, label="User", field="user")
        if failure:
            payload.errors.add("user", failure.errors["user"][0])
            return None
        assert user is not None
        if user.organization is None:  # a superuser: the database makes "superuser" and "no organization" one
            payload.errors.add("user", f"User {user_id} belongs to no organization.")
            return None
        return user

    @staticmethod
    def _read_terms(payload: Payload, *, partial: bool, default_currency: str) -> dict[str, Any]:
        readers = {
            "commission_rate": lambda: payload.decimal("commission_rate", required=False, min_value=Decimal("0"),
                                                       max_value=HUNDRED),
            "exchange_rate": lambda: payload.decimal("exchange_rate", required=False, places=6,
                                                     min_value=Decimal("0"), min_exclusive=True,
                                                     max_value=column_limit(Commission, "exchange_rate")),
            "bonus": lambda: payload.decimal("bonus", required=False, min_value=Decimal("0"),
                                             max_value=column_limit(Commission, "bonus"), default=Decimal("0.00")),
            "penalty": lambda: payload.decimal("penalty", required=False, min_value=Decimal("0"),
                                               max_value=column_limit(Commission, "penalty"), default=Decimal("0.00")),
            "currency": lambda: payload.string(
                "currency", required=payload.has("currency"),  # given but blank: refused
                max_length=3,  # pragma: no mutate — the ISO pattern below refuses other lengths too
                default=default_currency),
        }
        terms = {name: read() for name, read in readers.items() if not partial or payload.has(name)}
        currency = terms.get("currency")
        if currency is not None and not re.fullmatch(CURRENCY_PATTERN, currency):
            payload.errors.add("currency", f"Must be an ISO 4217 code of three capital letters (got {currency!r}).")
        if partial:  # an explicit null/blank must not wipe a stored term
            terms = {name: value for name, value in terms.items() if value is not None}
        return terms

    def _exchange_rate(self, base: str, quote: str) -> Decimal | ServiceResult[Commission]:
        if base == quote:
            return Decimal("1")
        try:
            return self.exchange_rates.get_rate(base, quote)
        except ExchangeRateUnavailable as error:
            return ServiceResult.fail(ErrorCode.UNAVAILABLE, {"exchange_rate": [str(error)]})

    @staticmethod
    def _refresh(commission: Commission) -> dict[str, list[str]]:
        """Recomputes sales and the derived figures; the figures that would not fit their columns, by field."""
        commission.total_sales = selectors.sales_in_period(
            commission.user_id, commission.organization_id, commission.period_start, commission.period_end
        )
        figures = commission_figures(
            commission.total_sales, commission.commission_rate, commission.exchange_rate, commission.bonus,
            commission.penalty,
        )
        commission.commission_amount = figures.commission_amount
        commission.total_commission = figures.total_commission
        commission.total_receivable = figures.total_receivable
        return {
            name: [f"Would be {getattr(commission, name)} for {commission.user} over {commission.period_start}.."
                   f"{commission.period_end}: more than can be stored (at most {limit} in absolute value)."]
            for name, limit in out_of_column_range(commission, COMPUTED_FIELDS).items()
        }

    def _notify(self, commission: Commission, kind: NotificationType) -> None:
        verb = "calculated" if kind == NotificationType.COMMISSION_CALCULATED else "changed"
        expect_ok(self.notification_service.notify(
            [commission.user],
            kind,
            f"Commission {verb}",
            f"Your commission for {commission.period_start}..{commission.period_end} is "
            f"{commission.total_receivable} {commission.currency} (sales {commission.total_sales}).",
            Priority.MEDIUM,
            commission,
        ))

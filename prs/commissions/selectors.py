"""Reads of commissions: org admins and verifiers see the organization's, a salesperson only their own."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from prs.accounts.models import Role, User
from prs.commissions.models import Commission
from prs.common.access import apply_filters, scope_to_actor
from prs.common.money import to_money
from prs.deals.models import Payment, PaymentDecision

COMMISSION_FILTERS = {
    "user": "user_id",
    "currency": "currency",
    "period_start": "period_start",
    "period_end": "period_end",
    "period_start_from": "period_start__gte",
    "period_end_to": "period_end__lte",
}


def commission_queryset(actor: User) -> QuerySet[Commission]:
    # select_related only saves queries: commissions go out with ids, not joined rows
    related = Commission.objects.select_related("organization", "user", "calculated_by")  # pragma: no mutate — ditto
    queryset = scope_to_actor(related, actor)
    if actor.role == Role.SALESPERSON and not actor.is_superuser:
        queryset = queryset.filter(user=actor)
    return queryset


def commission_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Commission]:
    return apply_filters(commission_queryset(actor), filters, COMMISSION_FILTERS)


def sales_in_period(user_id: int, organization_id: int, start: date, end: date) -> Decimal:
    """Verified amounts of approved payments on the user's deals, dated inside [start, end]."""
    total = Payment.objects.filter(
        organization_id=organization_id,  # pragma: no mutate — a salesperson sells only in their organization
        deal__salesperson_id=user_id,
        status=PaymentDecision.APPROVED,  # pragma: no mutate — only approved payments carry a verified amount
        payment_date__gte=start,
        payment_date__lte=end,
    ).aggregate(total=Sum("approval__verified_amount"))["total"]
    # Quantized: SQLite's Sum() gives Decimal("1000") where the column stores 1000.00, and the two would
    # compare as a change in the audit diff.
    return to_money(total if total is not None else 0)


def commissions_covering(user_id: int, day: date) -> QuerySet[Commission]:
    """The commissions a decision on `user_id`'s payment of `day` can change. Every change to a commission's
    inputs recalculates it at once, so any other commission would recalculate to the figures it has: the
    filter only spares that work."""
    covering = {"user_id": user_id, "period_start__lte": day, "period_end__gte": day}  # pragma: no mutate — see above
    return Commission.objects.filter(**covering)

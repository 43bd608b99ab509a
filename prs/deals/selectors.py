"""Reads of deals and payments, scoped to the actor's organization, without N+1 queries."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from prs.accounts.models import User
from prs.common.access import apply_filters, scope_to_actor
from prs.deals.models import Deal, Payment, PaymentDecision


def deal_queryset(actor: User) -> QuerySet[Deal]:
    # select_related only saves queries: the same rows, fewer queries
    deals = Deal.objects.select_related("organization", "client", "salesperson")  # pragma: no mutate — see above
    return scope_to_actor(deals, actor)


def payment_queryset(actor: User) -> QuerySet[Payment]:
    payments = Payment.objects.select_related(  # pragma: no mutate — select_related only saves queries
        "organization", "deal", "deal__client", "deal__salesperson", "recorded_by", "invoice",
        "approval", "approval__verifier",
    )
    return scope_to_actor(payments, actor)


DEAL_FILTERS = {
    "payment_status": "payment_status",
    "verification_status": "verification_status",
    "payment_method": "payment_method",
    "client": "client_id",
    "salesperson": "salesperson_id",
    "currency": "currency",
    "deal_id": "deal_id__iexact",
    "deal_date_from": "deal_date__gte",
    "deal_date_to": "deal_date__lte",
}
PAYMENT_FILTERS = {
    "status": "status",
    "deal": "deal_id",
    "payment_type": "payment_type",
    "transaction_id": "transaction_id__iexact",
    "recorded_by": "recorded_by_id",
    "payment_date_from": "payment_date__gte",
    "payment_date_to": "payment_date__lte",
}


def deal_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Deal]:
    return apply_filters(deal_queryset(actor), filters, DEAL_FILTERS)


def payment_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Payment]:
    return apply_filters(payment_queryset(actor), filters, PAYMENT_FILTERS)


def committed_amount(deal: Deal) -> Decimal:
    """Sum of the deal's payments that are not rejected: what the no-overpayment rule bounds."""
    total = deal.payments.exclude(status=PaymentDecision.REJECTED).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0.00")


def approved_amount(deal: Deal) -> Decimal:
    """Sum of the verified amounts of the deal's approved payments."""
    total = deal.payments.filter(status=PaymentDecision.APPROVED).aggregate(total=Sum("approval__verified_amount"))[
        "total"
    ]
    return total or Decimal("0.00")


def cheque_number_taken(organization_id: int, cheque_number: str) -> bool:
    """Asked only after the database refused a payment's unique (organization, cheque number): whichever way
    the question is narrowed, the refused number is there (its mutants are equivalent)."""
    same = {"organization_id": organization_id, "cheque_number": cheque_number}  # pragma: no mutate — see above
    return Payment.objects.filter(**same).exists()

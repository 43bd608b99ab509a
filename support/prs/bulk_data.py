"""Bulk performance data that ``support/prs/factories.py`` has no helper for: payments (with invoices), and
"an organization holds N records" for the three lists people use every day.

Like the factories' ``bulk_clients``/``bulk_deals`` (which this reuses), bulk rows skip PRS's side effects
(audit entries, notifications): they exist to be measured, not audited. Human ids continue PRS's own
per-organization sequence, allocated under the organization row lock PRS takes.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from prs.accounts.models import Organization, User
from prs.common.human_ids import lock_organization
from prs.deals.models import Deal, Invoice, Payment, PaymentMethod
from support.prs.factories import _first_free_number, _numbered, bulk_clients, bulk_deals

BATCH_SIZE = 500
DEALS_PER_CLIENT = 10


def bulk_payments(deals: list[Deal], *, amount: Decimal = Decimal("100.00"),
                  recorded_by: User | None = None) -> list[Payment]:
    """One pending bank payment per deal, each with its invoice, in two INSERTs (one organization)."""
    if not deals:
        return []
    organization_id = deals[0].organization_id
    if any(deal.organization_id != organization_id for deal in deals):
        raise ValueError("bulk_payments: every deal must belong to one organization")
    organization = deals[0].organization
    today = timezone.localdate()
    with transaction.atomic():
        lock_organization(organization_id)
        transaction_ids = iter(_numbered("TXN-", _first_free_number(Payment, "transaction_id", "TXN-", organization),
                                         len(deals)))
        invoice_ids = iter(_numbered("INV-", _first_free_number(Invoice, "invoice_id", "INV-", organization),
                                     len(deals)))
        payments = Payment.objects.bulk_create([
            Payment(organization_id=organization_id, transaction_id=next(transaction_ids), deal=deal,
                    payment_date=today, amount=amount, payment_type=PaymentMethod.BANK,
                    recorded_by=recorded_by or deal.salesperson)
            for deal in deals
        ], batch_size=BATCH_SIZE)
        Invoice.objects.bulk_create([
            Invoice(organization_id=organization_id, invoice_id=next(invoice_ids), payment=payment, amount=amount)
            for payment in payments
        ], batch_size=BATCH_SIZE)
    return payments


def _deals(organization: Organization, count: int, salesperson: User | None) -> list[Deal]:
    """``count`` deals, ``DEALS_PER_CLIENT`` to a client."""
    clients = bulk_clients(organization, -(-count // DEALS_PER_CLIENT))
    return bulk_deals([clients[index // DEALS_PER_CLIENT] for index in range(count)], salesperson=salesperson)


def _clients(organization: Organization, count: int, salesperson: User | None) -> list[object]:
    return list(bulk_clients(organization, count, created_by=salesperson))


def _payments(organization: Organization, count: int, salesperson: User | None) -> list[object]:
    return list(bulk_payments(_deals(organization, count, salesperson)))


BULK_MAKERS: dict[str, Callable[[Organization, int, User | None], list[object]]] = {
    "clients": _clients,
    "deals": _deals,  # type: ignore[dict-item]
    "payments": _payments,
}
MODELS = {"clients": "clients.Client", "deals": "deals.Deal", "payments": "deals.Payment"}


def count_of(organization: Organization, records: str) -> int:
    from django.apps import apps

    return apps.get_model(_known(records)).objects.filter(organization=organization).count()


def grow_to(organization: Organization, records: str, total: int, *, salesperson: User | None = None) -> int:
    """Adds rows until the organization holds ``total`` of ``records``; how many were added."""
    missing = total - count_of(organization, records)
    if missing > 0:
        BULK_MAKERS[records](organization, missing, salesperson)
    return max(missing, 0)


def _known(records: str) -> str:
    if records not in MODELS:
        raise ValueError(f"bulk data: unknown records {records!r} (known: {', '.join(MODELS)})")
    return MODELS[records]

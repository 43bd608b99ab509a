"""Concurrent requests on PostgreSQL: the deal row lock keeps payments within the deal value.

Each thread gets its own database connection; the tests need committed data (transaction=True).
SQLite serializes every writer on the whole file, so there is nothing to prove there.
"""
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum

from prs.deals.models import Payment

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency need PostgreSQL "
                       "(set DATABASE_URL=postgres://...); SQLite serializes all writers"),
]


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Starts every call at the same moment, each in a thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except Exception as error:  # reported through the results, asserted in the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_simultaneous_payments_never_overpay(services, seller, deal, payment_data):
    payment_service = services["payment_service"]
    results = run_together([lambda: payment_service.create(seller, payment_data(deal, "600.00"))] * 2)
    assert all(not isinstance(result, Exception) for result in results), results
    assert sorted(result.success for result in results) == [False, True]
    loser = next(result for result in results if not result.success)
    assert "amount" in loser.errors
    assert Payment.objects.filter(deal=deal).aggregate(total=Sum("amount"))["total"] == Decimal("600.00")


def test_simultaneous_payments_get_distinct_ids(services, seller, deal, payment_data):
    payment_service = services["payment_service"]
    results = run_together([lambda: payment_service.create(seller, payment_data(deal, "100.00"))] * 4)
    assert all(getattr(result, "success", False) for result in results), results
    assert sorted(p.transaction_id for p in Payment.objects.filter(deal=deal)) == [
        "TXN-0001", "TXN-0002", "TXN-0003", "TXN-0004"
    ]
    assert services["audit_service"].verify_chain().success


def test_simultaneous_approvals_decide_once(services, seller, deal, payment_data, verifier, make_user):
    payment = services["payment_service"].create(seller, payment_data(deal)).data
    second = make_user(verifier.organization, "verifier")
    payment_service = services["payment_service"]
    results = run_together([
        lambda: payment_service.approve(verifier, payment.pk, "100.00"),
        lambda: payment_service.reject(second, payment.pk, "bank_decline"),
    ])
    assert sorted(str(getattr(result, "error_code", result)) for result in results) == ["None", "conflict"], results

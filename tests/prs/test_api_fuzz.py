"""Garbage in never answers 500: hand-written bad payloads, paths and query strings for every endpoint."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from support.prs.factories import CommissionFactory, PaymentFactory, UserFactory

pytestmark = pytest.mark.django_db

HUGE = 10**30
GARBAGE_VALUES: list[Any] = [
    None, "", " ", "\x00", "x" * 10_000, -1, 0, HUGE, -HUGE, 1e308, "NaN", "Infinity", "1e999", "-0.001",
    True, [], [1, 2], {}, {"nested": {"deeper": 1}}, "2026-02-30", "9999-99-99", "DROP TABLE deals;--", "💸",
]
WHOLE_BODIES: list[Any] = [[], "text", 42, None, [{"a": 1}]]

# (method, path template, fields the endpoint reads)
ENDPOINTS: list[tuple[str, str, list[str]]] = [
    ("post", "/api/auth/token/", ["email", "password"]),
    ("post", "/api/clients/", ["name", "email", "phone", "nationality", "status", "organization"]),
    ("patch", "/api/clients/{client}/", ["name", "email", "phone", "status", "version"]),
    ("post", "/api/deals/", ["client", "value", "currency", "deal_date", "due_date", "payment_method"]),
    ("patch", "/api/deals/{deal}/", ["client", "value", "deal_date", "due_date", "version"]),
    ("post", "/api/deals/{deal}/verify/", ["status"]),
    ("post", "/api/payments/", ["deal", "amount", "payment_date", "payment_type", "cheque_number"]),
    ("post", "/api/payments/{payment}/approve/", ["verified_amount", "remarks"]),
    ("post", "/api/payments/{payment}/reject/", ["reason", "remarks"]),
    ("post", "/api/commissions/calculate/", ["user", "period_start", "period_end", "commission_rate",
                                             "exchange_rate", "bonus", "penalty", "currency"]),
    ("patch", "/api/commissions/{commission}/", ["commission_rate", "exchange_rate", "bonus", "penalty",
                                                 "currency", "version"]),
    ("post", "/api/notifications/{notification}/read/", []),
]
LIST_QUERIES = {
    "/api/clients/": ["status", "search", "email"],
    "/api/deals/": ["payment_status", "client", "deal_date_from", "deal_date_to", "salesperson"],
    "/api/payments/": ["status", "deal", "payment_date_from", "recorded_by"],
    "/api/commissions/": ["user", "period_start", "period_start_from"],
    "/api/notifications/": ["is_read", "priority"],
    "/api/audit-logs/": ["action", "actor", "object_id"],
}
BAD_QUERY_VALUES = ["abc", "-1", str(HUGE), "\x00", "1e999", "2026-13-45", "x" * 3000]
BAD_IDS = ["0", "-1", "abc", str(HUGE), "1.5", "%00", "99999999999999999999"]


@pytest.fixture
def world() -> dict[str, Any]:
    payment = PaymentFactory(amount=Decimal("100.00"))
    organization = payment.organization
    admin = UserFactory(org_admin=True, organization=organization)
    UserFactory(verifier=True, organization=organization)
    commission = CommissionFactory(user=payment.deal.salesperson, actor=admin)
    token, _ = Token.objects.get_or_create(user=admin)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    notification = admin.notifications.first() or payment.deal.salesperson.notifications.first()
    return {
        "api": api,
        "ids": {
            "client": payment.deal.client_id, "deal": payment.deal_id, "payment": payment.pk,
            "commission": commission.pk, "notification": notification.pk,
        },
    }


def assert_not_500(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}: {response.content[:300]!r}"


@pytest.mark.parametrize(("method", "path", "fields"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_garbage_payloads_answer_4xx(world: dict[str, Any], method: str, path: str, fields: list[str]) -> None:
    api, url = world["api"], path.format(**world["ids"])
    for body in WHOLE_BODIES:
        assert_not_500(getattr(api, method)(url, json.dumps(body), content_type="application/json"), repr(body))
    for field in fields:
        for value in GARBAGE_VALUES:
            response = getattr(api, method)(url, json.dumps({field: value}), content_type="application/json")
            assert_not_500(response, f"{field}={value!r}")
    for raw in (b"{not json", b"\xff\xfe", b'{"a":' * 2000):
        assert_not_500(getattr(api, method)(url, raw, content_type="application/json"), repr(raw[:20]))
    assert_not_500(getattr(api, method)(url, "a=1", content_type="text/plain"), "text/plain")


@pytest.mark.parametrize("path", sorted(LIST_QUERIES))
def test_garbage_filters_and_pages_answer_4xx(world: dict[str, Any], path: str) -> None:
    api = world["api"]
    for name in [*LIST_QUERIES[path], "page", "page_size"]:
        for value in BAD_QUERY_VALUES:
            response = api.get(path, {name: value})
            assert_not_500(response, f"{path}?{name}={value!r}")
            assert response.status_code in (200, 400, 404), (name, value, response.status_code)


@pytest.mark.parametrize("resource", ["clients", "deals", "payments", "commissions", "notifications", "audit-logs"])
def test_garbage_ids_answer_404(world: dict[str, Any], resource: str) -> None:
    for bad in BAD_IDS:
        response = world["api"].get(f"/api/{resource}/{bad}/")
        assert response.status_code == 404, (resource, bad, response.status_code)

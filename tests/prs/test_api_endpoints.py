"""REST API: authentication, schema, organization isolation, roles, conflicts, field errors, lists."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from prs.audit.models import SecurityEvent, SecurityEventType
from prs.deals.models import Payment
from support.prs.factories import (
    ClientFactory,
    DealFactory,
    OrganizationFactory,
    PaymentFactory,
    UserFactory,
    bulk_clients,
    bulk_deals,
)

LIST_ENDPOINTS = [
    "/api/clients/", "/api/deals/", "/api/payments/", "/api/commissions/", "/api/notifications/",
    "/api/audit-logs/",
]

pytestmark = pytest.mark.django_db


def api_as(user: Any | None = None) -> APIClient:
    """An API client sending ``user``'s real token (none: anonymous)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def org() -> Any:
    return OrganizationFactory(name="Acme")


@pytest.fixture
def admin(org: Any) -> Any:
    return UserFactory(org_admin=True, organization=org)


@pytest.fixture
def seller(org: Any) -> Any:
    return UserFactory(salesperson=True, organization=org)


@pytest.fixture
def verifier(org: Any) -> Any:
    return UserFactory(verifier=True, organization=org)


@pytest.fixture
def payment(seller: Any, admin: Any, verifier: Any) -> Payment:
    return PaymentFactory(deal=DealFactory(salesperson=seller), amount=Decimal("250.50"))


@pytest.fixture
def outsider() -> Any:
    """An org admin of another organization."""
    return UserFactory(org_admin=True, organization=OrganizationFactory(name="Other"))


def security_events(user: Any, event_type: str) -> int:
    return SecurityEvent.objects.filter(user=user, event_type=event_type).count()


# --- 401 and the token endpoint -----------------------------------------------------------------------

@pytest.mark.parametrize("url", LIST_ENDPOINTS)
def test_anonymous_list_requests_answer_401_with_the_token_challenge(url: str) -> None:
    response = api_as(None).get(url)
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Token")
    assert response.json()["error_code"] == "not_authenticated"


def test_an_unknown_token_answers_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/deals/").status_code == 401


def test_token_from_email_and_password_opens_the_api(seller: Any) -> None:
    response = APIClient().post("/api/auth/token/", {"email": seller.email, "password": "password"}, format="json")
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/deals/").status_code == 200


def test_wrong_password_answers_401_and_is_a_security_event(seller: Any) -> None:
    response = APIClient().post("/api/auth/token/", {"email": seller.email, "password": "nope"}, format="json")
    assert response.status_code == 401
    assert "token" not in response.json()
    assert security_events(seller, SecurityEventType.LOGIN_FAILED) == 1


def test_missing_login_fields_answer_400_naming_them() -> None:
    response = APIClient().post("/api/auth/token/", {"email": "x@y.z"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"password"}


def test_lockout_answers_429_with_retry_after_even_for_the_right_password(seller: Any) -> None:
    client = APIClient()
    statuses = [
        client.post("/api/auth/token/", {"email": seller.email, "password": "nope"}, format="json").status_code
        for _ in range(5)
    ]
    assert statuses[:4] == [401] * 4 and statuses[4] == 429
    locked = client.post("/api/auth/token/", {"email": seller.email, "password": "password"}, format="json")
    assert locked.status_code == 429
    assert locked.json()["error_code"] == "locked"
    assert int(locked["Retry-After"]) > 0


# --- schema -------------------------------------------------------------------------------------------

EXPECTED_OPERATIONS = {
    "/api/auth/token/": {"post"},
    "/api/clients/": {"get", "post"},
    "/api/clients/{id}/": {"get", "patch", "delete"},
    "/api/deals/": {"get", "post"},
    "/api/deals/{id}/": {"get", "patch", "delete"},
    "/api/deals/{id}/verify/": {"post"},
    "/api/payments/": {"get", "post"},
    "/api/payments/{id}/": {"get"},
    "/api/payments/{id}/approve/": {"post"},
    "/api/payments/{id}/reject/": {"post"},
    "/api/commissions/": {"get"},
    "/api/commissions/{id}/": {"get", "patch"},
    "/api/commissions/calculate/": {"post"},
    "/api/notifications/": {"get"},
    "/api/notifications/{id}/": {"get"},
    "/api/notifications/{id}/read/": {"post"},
    "/api/audit-logs/": {"get"},
    "/api/audit-logs/{id}/": {"get"},
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3_and_lists_every_endpoint(schema: dict[str, Any]) -> None:
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    operations = {path: set(item) - {"parameters"} for path, item in schema["paths"].items()}
    assert operations == EXPECTED_OPERATIONS


def test_schema_generates_without_warnings() -> None:
    """What `manage.py spectacular --validate --fail-on-warn` checks."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    assert problems == []


def test_schema_describes_the_error_responses(schema: dict[str, Any]) -> None:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            if path != "/api/auth/token/":
                assert "401" in codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch") and path != "/api/notifications/{id}/read/":
                assert "400" in codes, (method, path)
    assert "409" in schema["paths"]["/api/payments/{id}/approve/"]["post"]["responses"]
    assert "409" in schema["paths"]["/api/clients/{id}/"]["patch"]["responses"]


# --- organization isolation ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/deals/{deal}/", None),
        ("patch", "/api/deals/{deal}/", {"deal_name": "mine now"}),
        ("get", "/api/clients/{client}/", None),
        ("get", "/api/payments/{payment}/", None),
        ("post", "/api/payments/{payment}/approve/", {"verified_amount": "1.00"}),
    ],
)
def test_another_organizations_object_answers_404_and_is_a_security_event(
    payment: Payment, outsider: Any, method: str, url: str, body: dict | None
) -> None:
    path = url.format(deal=payment.deal_id, client=payment.deal.client_id, payment=payment.pk)
    response = getattr(api_as(outsider), method)(path, body, format="json")
    assert response.status_code == 404, response.content
    assert payment.deal.deal_id not in response.content.decode()
    assert security_events(outsider, SecurityEventType.CROSS_ORGANIZATION_ACCESS) == 1


def test_lists_show_only_the_users_organization(payment: Payment, outsider: Any) -> None:
    DealFactory(organization=outsider.organization)
    deals = api_as(outsider).get("/api/deals/").json()
    assert deals["count"] == 1
    assert deals["results"][0]["deal_id"] == "DLID0001"
    assert deals["results"][0]["id"] != payment.deal_id


# --- roles, conflicts, field errors -------------------------------------------------------------------

def test_salesperson_may_not_read_the_audit_trail(seller: Any) -> None:
    response = api_as(seller).get("/api/audit-logs/")
    assert response.status_code == 403
    assert response.json()["error_code"] == "forbidden"
    assert security_events(seller, SecurityEventType.PERMISSION_DENIED) == 1


@pytest.mark.parametrize("role", ["org_admin", "verifier"])
def test_admins_and_verifiers_read_the_audit_trail(payment: Payment, role: str) -> None:
    reader = UserFactory(role=role, organization=payment.organization)
    response = api_as(reader).get("/api/audit-logs/")
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_salesperson_may_not_approve(payment: Payment) -> None:
    other_seller = UserFactory(salesperson=True, organization=payment.organization)
    response = api_as(other_seller).post(f"/api/payments/{payment.pk}/approve/", {"verified_amount": "1"})
    assert response.status_code == 403


def test_approval_then_a_second_decision_answers_409(payment: Payment, verifier: Any) -> None:
    client = api_as(verifier)
    first = client.post(f"/api/payments/{payment.pk}/approve/", {"verified_amount": "250.5"}, format="json")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["status"] == "approved"
    assert body["amount"] == "250.50" and body["approval"]["verified_amount"] == "250.50"  # money as strings
    assert body["invoice"]["invoice_id"] == "INV-0001"
    second = client.post(f"/api/payments/{payment.pk}/reject/", {"reason": "bank_decline"}, format="json")
    assert second.status_code == 409
    assert second.json()["error_code"] == "conflict"


def test_stale_version_answers_409(admin: Any) -> None:
    client_obj = ClientFactory(organization=admin.organization)
    api = api_as(admin)
    assert api.patch(f"/api/clients/{client_obj.pk}/", {"name": "A", "version": 1}, format="json").status_code == 200
    stale = api.patch(f"/api/clients/{client_obj.pk}/", {"name": "B", "version": 1}, format="json")
    assert stale.status_code == 409
    assert "version" in stale.json()["errors"]


def test_bad_deal_payload_answers_400_naming_each_field(seller: Any) -> None:
    response = api_as(seller).post(
        "/api/deals/",
        {"client": "x", "value": "lots", "deal_date": "yesterday", "due_date": "2026-01-01", "payment_method": "gold"},
        format="json",
    )
    assert response.status_code == 400
    # Shapes first (the serializer), then the service's rules: an unknown payment method is the service's.
    assert set(response.json()["errors"]) == {"client", "value", "deal_date"}
    client_obj = ClientFactory(organization=seller.organization)
    response = api_as(seller).post(
        "/api/deals/",
        {"client": client_obj.pk, "value": "10.00", "deal_date": "2026-01-01", "due_date": "2026-01-01",
         "payment_method": "gold", "currency": "eur"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"payment_method", "currency"}


def test_service_rules_come_back_as_field_errors(seller: Any) -> None:
    client_obj = ClientFactory(organization=seller.organization)
    response = api_as(seller).post(
        "/api/deals/",
        {"client": client_obj.pk, "value": "5.00", "deal_date": "2026-02-01", "due_date": "2026-01-01",
         "payment_method": "bank"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_date" in response.json()["errors"]  # a cross-field rule: DealService's, not the serializer's


def test_create_deal_through_the_api(seller: Any, admin: Any) -> None:
    client_obj = ClientFactory(organization=seller.organization)
    response = api_as(seller).post(
        "/api/deals/",
        {"client": client_obj.pk, "value": "1234.5", "deal_date": "2026-01-01", "due_date": "2026-02-01",
         "payment_method": "cash"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "1234.50"
    assert response.json()["salesperson"]["id"] == seller.pk
    assert api_as(admin).get("/api/notifications/").json()["count"] == 1


def test_mark_a_notification_read(seller: Any, admin: Any) -> None:
    DealFactory(salesperson=seller)
    api = api_as(admin)
    notification = api.get("/api/notifications/?is_read=false").json()["results"][0]
    response = api.post(f"/api/notifications/{notification['id']}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api.get("/api/notifications/?is_read=false").json()["count"] == 0


def test_calculate_commission(seller: Any, verifier: Any) -> None:
    PaymentFactory(deal=DealFactory(salesperson=seller), amount=Decimal("1000.00"), approved=True)
    response = api_as(seller).post(
        "/api/commissions/calculate/", {"period_start": "2000-01-01", "period_end": "2100-12-31"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["total_sales"] == "1000.00"
    assert response.json()["commission_amount"] == "50.00"


# --- lists: pagination, filters, no N+1 ---------------------------------------------------------------

def test_lists_are_paginated_25_a_page(admin: Any) -> None:
    bulk_clients(admin.organization, 30)
    api = api_as(admin)
    first = api.get("/api/clients/").json()
    assert first["count"] == 30 and len(first["results"]) == 25 and first["next"]
    assert len(api.get("/api/clients/?page=2").json()["results"]) == 5
    assert len(api.get("/api/clients/?page_size=10").json()["results"]) == 10
    past_the_end = api.get("/api/clients/?page=9")
    assert past_the_end.status_code == 400 and "page" in past_the_end.json()["errors"]


def test_deal_and_payment_filters(seller: Any, verifier: Any) -> None:
    approved = PaymentFactory(deal=DealFactory(salesperson=seller), approved=True)
    PaymentFactory(deal=DealFactory(salesperson=seller))
    api = api_as(verifier)
    paid = api.get("/api/deals/?payment_status=partially_paid").json()
    assert [deal["id"] for deal in paid["results"]] == [approved.deal_id]
    by_status = api.get("/api/payments/?status=approved").json()
    assert [payment["id"] for payment in by_status["results"]] == [approved.pk]
    assert api.get(f"/api/payments/?deal={approved.deal_id}").json()["count"] == 1
    assert api.get("/api/deals/?deal_date_from=2999-01-01").json()["count"] == 0
    assert api.get("/api/deals/?deal_date_to=2999-01-01").json()["count"] == 2


@pytest.mark.parametrize(
    "query", ["payment_status=rich", "client=abc", "deal_date_from=tomorrow", "verification_status=1"]
)
def test_bad_filters_answer_400_naming_the_filter(seller: Any, query: str) -> None:
    response = api_as(seller).get(f"/api/deals/?{query}")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {query.split("=")[0]}


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/api/deals/", "/api/clients/", "/api/payments/", "/api/audit-logs/",
                                 "/api/notifications/"])
def test_list_queries_do_not_grow_with_rows(admin: Any, seller: Any, verifier: Any, url: str) -> None:
    def add_rows(count: int) -> None:
        for _ in range(count):
            PaymentFactory(deal=DealFactory(salesperson=seller), approved=True)

    add_rows(2)
    api = api_as(admin)
    few = _queries(api, url)
    add_rows(6)
    assert _queries(api, url) == few, f"{url} makes more queries with more rows"


def test_bulk_deals_list_stays_flat(admin: Any) -> None:
    bulk_deals(bulk_clients(admin.organization, 40), per_client=1)
    api = api_as(admin)
    assert _queries(api, "/api/deals/?page_size=100") == _queries(api, "/api/deals/?page_size=5")

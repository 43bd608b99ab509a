"""The seed's eight scenarios as Python `TestScenario`s, with the seed's names, tags and dependencies.

Short on purpose: the Gherkin features tell the full stories; these drive PRS through its services and
REST API and check what PRS itself made (status, progress, invoices, commissions, audit, notifications).
`register_all_scenarios()` is idempotent per framework.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import OperationalError, connections
from django.utils import timezone
from rest_framework.test import APIClient

from prs.audit.models import AuditLog, SecurityEvent, SecurityEventType
from prs.common.results import ErrorCode, ServiceResult
from prs.deals.models import PaymentDecision, PaymentStatus
from prs.notifications.models import Notification, NotificationType
from support.engine.scenario import TestScenario
from support.prs.factories import DEFAULT_PASSWORD, OrganizationFactory, UserFactory, bulk_clients, bulk_deals
from support.prs.integration import PRSIntegrationFramework


def ok(result: ServiceResult[Any], what: str) -> Any:
    assert result.success, f"{what} failed: {result.error_code} {result.errors}"
    return result.data


def refused(result: ServiceResult[Any], code: ErrorCode, what: str) -> None:
    assert not result.success and result.error_code == code, (
        f"{what}: expected {code}, got success={result.success} {result.error_code} {result.errors}")


def token_client(user: Any) -> APIClient:
    """An API client signed in through POST /api/auth/token/ with the user's password."""
    client = APIClient()
    response = client.post("/api/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200, f"sign-in of {user.email}: {response.status_code} {response.content!r}"
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def sold_and_paid(fw: PRSIntegrationFramework, value: str = "1000.00") -> tuple[Any, Any, Any]:
    """A client, a deal of `value` and one pending payment of the full value, all through PRS."""
    client = fw.create_test_client()
    deal = fw.create_test_deal(client, {"value": Decimal(value)})
    payment = fw.create_test_payment(deal, {"amount": Decimal(value)})
    return client, deal, payment


# --- 1 ------------------------------------------------------------------------------------------------

def complete_sales_workflow_scenario(fw: PRSIntegrationFramework) -> dict[str, Any]:
    services = fw.services
    _, deal, payment = sold_and_paid(fw)
    seller, verifier = fw.test_users["salesperson"], fw.test_users["verifier"]
    today = timezone.localdate()
    commission = ok(services["commission_service"].calculate(seller, {
        "period_start": today - timedelta(days=30), "period_end": today}), "commission calculate")
    assert commission.total_sales == Decimal("0.00"), f"nothing approved yet, sales {commission.total_sales}"
    ok(services["payment_service"].approve(verifier, payment.pk, payment.amount), "approve")
    deal.refresh_from_db()
    commission.refresh_from_db()
    assert (deal.payment_status, deal.progress) == (PaymentStatus.FULLY_PAID, Decimal("100.00")), (
        f"deal {deal.deal_id}: {deal.payment_status} {deal.progress}")
    assert payment.invoice.amount == payment.amount, f"invoice {payment.invoice.invoice_id} {payment.invoice.amount}"
    expected = (deal.value * fw.test_organization.default_commission_rate / 100).quantize(Decimal("0.01"))
    assert (commission.total_sales, commission.commission_amount) == (deal.value, expected), (
        f"commission {commission.pk}: sales {commission.total_sales}, amount {commission.commission_amount}")
    fw.assert_database_consistency()
    return {"deal": deal.deal_id, "payment": payment.transaction_id, "commission": str(commission.total_receivable)}


# --- 2 ------------------------------------------------------------------------------------------------

def api_integration_scenario(fw: PRSIntegrationFramework) -> None:
    _, deal, payment = sold_and_paid(fw, "500.00")
    seller = token_client(fw.test_users["salesperson"])
    verifier = token_client(fw.test_users["verifier"])
    listed = seller.get("/api/deals/").json()
    assert [d["id"] for d in listed["results"]] == [deal.pk], f"deals listed: {listed}"
    response = verifier.post(f"/api/payments/{payment.pk}/approve/", {"verified_amount": "500.00"}, format="json")
    assert response.status_code == 200, f"approve: {response.status_code} {response.content!r}"
    again = verifier.post(f"/api/payments/{payment.pk}/approve/", {"verified_amount": "500.00"}, format="json")
    assert again.status_code == 409, f"second approval: {again.status_code} {again.content!r}"
    shown = seller.get(f"/api/deals/{deal.pk}/").json()
    assert shown["payment_status"] == PaymentStatus.FULLY_PAID, f"deal through the API: {shown}"
    assert APIClient().get("/api/deals/").status_code == 401, "the API answered a caller without a token"
    fw.assert_database_consistency()
    fw.assert_organization_data_isolation()


# --- 3 ------------------------------------------------------------------------------------------------

def retry_locked(call: Any, attempts: int = 50) -> Any:
    """SQLite's shared-cache memory database refuses a second writer at once ("table is locked"): retry."""
    for attempt in range(attempts):
        try:
            return call()
        except OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    return None


def multi_user_concurrent_scenario(fw: PRSIntegrationFramework) -> None:
    """Four threads (two users) record 400.00 at once on a deal of 1000.00: exactly two are accepted."""
    client = fw.create_test_client()
    deal = fw.create_test_deal(client, {"value": Decimal("1000.00")})
    actors = [fw.test_users["salesperson"], fw.test_users["admin"]] * 2
    payments = fw.services["payment_service"]
    start = threading.Barrier(len(actors))
    results: list[Any] = []

    def record(actor: Any) -> None:
        try:
            start.wait(5)
            data = {"deal": deal.pk, "amount": "400.00", "payment_date": timezone.localdate(), "payment_type": "bank"}
            results.append(retry_locked(lambda: payments.create(actor, data)))
        except BaseException as error:  # reported below: a thread's exception would vanish
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    crashed = [r for r in results if isinstance(r, BaseException)]
    assert not crashed, f"threads raised: {crashed!r}"
    accepted = [r for r in results if r.success]
    assert len(accepted) == 2, f"{len(accepted)} of 4 payments accepted: {[(r.success, r.errors) for r in results]}"
    assert all("amount" in r.errors for r in results if not r.success), "a refusal was not about the amount"
    fw.assert_database_consistency()


# --- 4 ------------------------------------------------------------------------------------------------

def notification_system_integration_scenario(fw: PRSIntegrationFramework) -> None:
    admin, verifier, seller = (fw.test_users[r] for r in ("admin", "verifier", "salesperson"))
    _, deal, payment = sold_and_paid(fw, "300.00")
    ok(fw.services["payment_service"].approve(verifier, payment.pk, Decimal("300.00")), "approve")
    received = {(n.recipient_id, n.notification_type) for n in Notification.objects.filter(
        organization=fw.test_organization)}
    expected = {(admin.pk, NotificationType.DEAL_CREATED), (verifier.pk, NotificationType.PAYMENT_RECORDED),
                (seller.pk, NotificationType.PAYMENT_APPROVED)}
    assert expected <= received, f"missing notifications {expected - received}; got {received}"
    outsider = UserFactory(org_admin=True, organization=OrganizationFactory())
    assert not Notification.objects.filter(recipient=outsider).exists(), "another organization was notified"
    mine = Notification.objects.filter(recipient=seller).first()
    service = fw.services["notification_service"]
    refused(service.mark_read(admin, mine.pk), ErrorCode.NOT_FOUND, "marking someone else's notification read")
    assert ok(service.mark_read(seller, mine.pk), "mark read").is_read
    fw.assert_database_consistency()


# --- 5 ------------------------------------------------------------------------------------------------

def financial_calculations_accuracy_scenario(fw: PRSIntegrationFramework) -> None:
    """Half-up cents: 100.10 x 5 % = 5.005 -> 5.01 (banker's rounding would say 5.00)."""
    services = fw.services
    seller, verifier = fw.test_users["salesperson"], fw.test_users["verifier"]
    _, deal, payment = sold_and_paid(fw, "100.10")
    ok(services["payment_service"].approve(verifier, payment.pk, Decimal("100.10")), "approve")
    today = timezone.localdate()
    commission = ok(services["commission_service"].calculate(fw.test_users["admin"], {  # admins set terms
        "user": seller.pk, "period_start": today, "period_end": today, "commission_rate": "5.00", "bonus": "10.00",
        "penalty": "2.50"}), "commission calculate")
    figures = (commission.commission_amount, commission.total_commission, commission.total_receivable)
    assert figures == (Decimal("5.01"), Decimal("15.01"), Decimal("12.51")), f"commission figures {figures}"
    partial = fw.create_test_deal(fw.create_test_client(), {"value": Decimal("300.00")})
    paid = fw.create_test_payment(partial, {"amount": Decimal("150.00")})
    ok(services["payment_service"].approve(verifier, paid.pk, Decimal("100.00")), "partial approve")
    partial.refresh_from_db()
    assert (partial.payment_status, partial.progress) == (PaymentStatus.PARTIALLY_PAID, Decimal("33.33")), (
        f"deal {partial.deal_id}: {partial.payment_status} {partial.progress}")
    over = services["payment_service"].create(seller, {"deal": partial.pk, "amount": "150.01",
                                                       "payment_date": today, "payment_type": "bank"})
    refused(over, ErrorCode.VALIDATION, "an overpayment")
    fw.assert_database_consistency()


# --- 6 ------------------------------------------------------------------------------------------------

def security_audit_trail_scenario(fw: PRSIntegrationFramework) -> None:
    services = fw.services
    admin = fw.test_users["admin"]
    client = fw.create_test_client()
    deal = fw.create_test_deal(client)
    own = fw.create_test_payment(deal, {"recorded_by": admin, "amount": Decimal("100.00")})
    refused(services["payment_service"].approve(admin, own.pk, own.amount), ErrorCode.FORBIDDEN,
            "approving one's own payment")
    stranger = UserFactory(org_admin=True, organization=OrganizationFactory())
    refused(services["deal_service"].get(stranger, deal.pk), ErrorCode.NOT_FOUND, "another organization's deal")
    assert SecurityEvent.objects.filter(user=stranger, event_type=SecurityEventType.CROSS_ORGANIZATION_ACCESS
                                        ).exists(), "the cross-organization attempt was not recorded"
    trail = set(AuditLog.objects.filter(organization=fw.test_organization).values_list("object_type", "action"))
    expected = {("clients.client", "create"), ("deals.deal", "create"), ("deals.payment", "create"),
                ("deals.invoice", "create")}
    assert expected <= trail, f"audit trail lacks {expected - trail}"
    ok(services["audit_service"].verify_chain(fw.test_organization), "audit chain")
    fw.assert_database_consistency()
    fw.assert_organization_data_isolation()


# --- 7 ------------------------------------------------------------------------------------------------

def performance_under_load_scenario(fw: PRSIntegrationFramework) -> None:
    """300 deals: one page of 100 through the API costs a fixed handful of queries, not one per row."""
    clients = bulk_clients(fw.test_organization, 300, created_by=fw.test_users["admin"])
    bulk_deals(clients, salesperson=fw.test_users["salesperson"])
    api = token_client(fw.test_users["admin"])
    with fw.assert_performance_within_limits(max_duration_seconds=5.0, max_queries=15):
        page = api.get("/api/deals/?page_size=100&payment_status=not_paid").json()
    assert page["count"] == 300 and len(page["results"]) == 100, f"count {page['count']}, {len(page['results'])}"
    fw.assert_database_consistency()


# --- 8 ------------------------------------------------------------------------------------------------

def cross_service_integration_scenario(fw: PRSIntegrationFramework) -> None:
    """Services share the injected instances, and one approval flows through all of them."""
    services = fw.services
    for name, service in services.items():
        for dependency in type(service).dependencies:
            assert getattr(service, dependency) is services[dependency], f"{name}.{dependency} is not the shared one"
    seller, verifier = fw.test_users["salesperson"], fw.test_users["verifier"]
    _, deal, payment = sold_and_paid(fw, "250.00")
    today = timezone.localdate()
    commission = ok(services["commission_service"].calculate(seller, {"period_start": today, "period_end": today}),
                    "commission calculate")
    last_entry = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ok(services["payment_service"].approve(verifier, payment.pk, Decimal("250.00")), "approve")
    commission.refresh_from_db()
    assert commission.total_sales == Decimal("250.00"), f"commission not recalculated: {commission.total_sales}"
    actions = set(AuditLog.objects.filter(id__gt=last_entry).values_list("object_type", "action"))
    assert {("deals.payment", "approve"), ("commissions.commission", "calculate")} <= actions, f"audit {actions}"
    assert Notification.objects.filter(recipient=seller, notification_type=NotificationType.COMMISSION_CHANGED
                                       ).exists(), "the salesperson was not told of the new commission"
    assert payment.__class__.objects.get(pk=payment.pk).status == PaymentDecision.APPROVED
    fw.assert_database_consistency()


SCENARIOS: tuple[dict[str, Any], ...] = (
    {"name": "complete_sales_workflow", "test_function": complete_sales_workflow_scenario,
     "description": "Client -> deal -> payment -> approval -> commission", "tags": ["workflow", "core"]},
    {"name": "api_integration", "test_function": api_integration_scenario,
     "description": "The REST API across services: sign-in, lists, approval, conflicts",
     "tags": ["api", "integration"], "dependencies": ["complete_sales_workflow"]},
    {"name": "multi_user_concurrent", "test_function": multi_user_concurrent_scenario,
     "description": "Simultaneous payments never overpay a deal", "tags": ["concurrency", "integration"],
     "timeout_seconds": 120},
    {"name": "notification_system_integration", "test_function": notification_system_integration_scenario,
     "description": "Notifications reach the right people of the right organization only",
     "tags": ["notifications", "integration"], "dependencies": ["complete_sales_workflow"]},
    {"name": "financial_calculations_accuracy", "test_function": financial_calculations_accuracy_scenario,
     "description": "Commissions to the cent, half-up; progress; no overpayment", "tags": ["financial", "core"],
     "dependencies": ["complete_sales_workflow"]},
    {"name": "security_audit_trail", "test_function": security_audit_trail_scenario,
     "description": "Segregation of duties, cross-organization attempts recorded, audit chain intact",
     "tags": ["security", "audit"], "dependencies": ["complete_sales_workflow"]},
    {"name": "performance_under_load", "test_function": performance_under_load_scenario,
     "description": "Listing 300 deals costs a fixed number of queries", "tags": ["performance"],
     "timeout_seconds": 180},
    {"name": "cross_service_integration", "test_function": cross_service_integration_scenario,
     "description": "Injected services share instances; an approval flows through all of them",
     "tags": ["cross_service", "integration"],
     "dependencies": ["complete_sales_workflow", "api_integration", "multi_user_concurrent",
                      "notification_system_integration", "financial_calculations_accuracy",
                      "security_audit_trail", "performance_under_load"]},
)


def register_all_scenarios(framework: PRSIntegrationFramework | None = None) -> list[TestScenario]:
    """Registers the eight scenarios into `framework` (default: the facade's); already registered ones stay."""
    if framework is None:
        from support.framework import integration_framework as framework
    registered = []
    for spec in SCENARIOS:
        if spec["name"] in framework.registry:
            registered.append(framework.registry.get(spec["name"]))
            continue
        registered.append(framework.register_scenario(TestScenario(**spec)))
    return registered


"""The contracts of PRS's services, derived from their Protocols (so they cannot drift from the code),
with the error conditions each must answer, budgets, and example calls that build their own data.

Examples and provocations run inside a rolled-back transaction each; they create what they need with the
factories (through the services) and users directly through the ORM (no password hashing).

CLI entry points (for `prs-acceptance contracts ...`): export_contracts(path), compare_contracts(path) -> exit
code, write_contract_docs(folder).
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from support.contracts import Budget, Call, ErrorSpec, ServiceContract, contract_from_protocol
from support.contracts import compare_with_file as _compare_with_file
from support.contracts import export_contract_set as _export_contract_set
from support.contracts import write_contract_docs as _write_contract_docs

CONTRACTS_FILE = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "prs-contracts.json"
DOCS_FOLDER = CONTRACTS_FILE.parent
MISSING = 2_147_483_000
_sequence = itertools.count(1)

# ErrorCode values, spelled out so the contracts read as data (checked against prs.common.results in tests).
VALIDATION, NOT_FOUND, FORBIDDEN = "validation_error", "not_found", "forbidden"
CONFLICT, UNAVAILABLE = "conflict", "dependency_unavailable"

# A generous per-operation budget: the contract is about queries; time is measured by bench/.
READ = Budget(max_ms=2000, max_queries=12)
WRITE = Budget(max_ms=2000, max_queries=40)


@dataclass
class World:
    """One organization with an admin, a salesperson and a verifier, made for one call."""

    organization: Any
    admin: Any
    salesperson: Any
    verifier: Any


def world() -> World:
    from prs.accounts.models import Organization, Role, User

    n = next(_sequence)
    organization = Organization.objects.create(name=f"Contract org {n}-{timezone.now().timestamp()}")

    def member(role: str) -> Any:
        return User.objects.create_user(f"{role}{n}-{organization.pk}@contracts.test", None,
                                        organization=organization, role=role)

    return World(organization, member(Role.ORG_ADMIN), member(Role.SALESPERSON), member(Role.VERIFIER))


def _client(w: World) -> Any:
    from support.prs.factories import ClientFactory

    return ClientFactory(organization=w.organization, actor=w.admin)


def _deal(w: World) -> Any:
    from support.prs.factories import DealFactory

    return DealFactory(client=_client(w), actor=w.salesperson)


def _payment(w: World) -> Any:
    from support.prs.factories import PaymentFactory

    return PaymentFactory(deal=_deal(w), actor=w.salesperson)


def _commission(w: World) -> Any:
    from prs.services import build_services

    today = timezone.localdate()
    return build_services()["commission_service"].calculate(w.admin, {
        "user": w.salesperson.pk, "period_start": today.replace(day=1).isoformat(),
        "period_end": today.isoformat()}).data


def _client_data(n: int) -> dict[str, Any]:
    return {"name": f"Client {n}", "email": f"client{n}@contracts.test", "phone": f"+1555{n:07d}",
            "nationality": "US"}


def _deal_data(client: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {"client": client.pk, "value": "1500.00", "deal_date": today.isoformat(),
            "due_date": (today + dt.timedelta(days=30)).isoformat(), "payment_method": "bank"}


def _with(build: Callable[[World], Call]) -> Callable[[], Call]:
    return lambda: build(world())


# ---- per service ---------------------------------------------------------------------------------------


def audit_contract() -> ServiceContract:
    from prs.audit.services import AuditServiceProtocol

    def first_log(w: World) -> Any:
        from prs.audit.models import AuditLog

        _client(w)
        return AuditLog.objects.filter(organization=w.organization).first().pk

    return contract_from_protocol(
        AuditServiceProtocol, "audit_service", version="1.0.0",
        errors={"invalid_data": ErrorSpec("record", VALIDATION, "an action that is not an audit action"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no audit entry with that id in the actor's scope"),
                "forbidden": ErrorSpec("list", FORBIDDEN, "a salesperson reads the audit trail")},
        budgets={"record": WRITE, "get": READ, "list": READ, "verify_chain": READ},
        examples={
            "record": _with(lambda w: Call("record", (w.admin, "create", _client(w), {}))),
            "get": _with(lambda w: Call("get", (w.admin, first_log(w)))),
            "list": _with(lambda w: Call("list", (w.admin,))),
            "verify_chain": _with(lambda w: Call("verify_chain", (w.organization,))),
        },
        provocations={
            "invalid_data": _with(lambda w: Call("record", (w.admin, "explode", _client(w), {}))),
            "invalid_id": _with(lambda w: Call("get", (w.admin, MISSING))),
            "forbidden": _with(lambda w: Call("list", (w.salesperson,))),
        },
    )


def notification_contract() -> ServiceContract:
    from prs.notifications.services import NotificationServiceProtocol

    def notification(w: World) -> Any:
        from prs.notifications.models import Notification

        _deal(w)  # notifies the org admins
        return Notification.objects.filter(recipient=w.admin).first().pk

    def notify(w: World, **changes: Any) -> Call:
        kwargs = {"recipients": [w.admin], "type": "deal_created", "title": "Deal created",
                  "message": "A deal was created.", "priority": "medium", "related_object": _client(w)}
        return Call("notify", (), {**kwargs, **changes})

    return contract_from_protocol(
        NotificationServiceProtocol, "notification_service", version="1.0.0",
        errors={"invalid_data": ErrorSpec("notify", VALIDATION, "unknown type or priority"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no notification with that id for the actor")},
        budgets={"notify": WRITE, "get": READ, "list": READ, "mark_read": WRITE},
        examples={
            "notify": _with(notify),
            "get": _with(lambda w: Call("get", (w.admin, notification(w)))),
            "list": _with(lambda w: Call("list", (w.admin,))),
            "mark_read": _with(lambda w: Call("mark_read", (w.admin, notification(w)))),
        },
        provocations={
            "invalid_data": _with(lambda w: notify(w, type="fireworks", priority="urgent")),
            "invalid_id": _with(lambda w: Call("get", (w.admin, MISSING))),
        },
    )


def client_contract() -> ServiceContract:
    from prs.clients.services import ClientServiceProtocol

    return contract_from_protocol(
        ClientServiceProtocol, "client_service", version="1.0.0", dependencies=["audit_service"],
        data_inputs={"create": ["name", "email", "phone", "nationality"], "update": ["version"]},
        errors={"missing_required_fields": ErrorSpec("create", VALIDATION, "no name, email or phone"),
                "invalid_data": ErrorSpec("create", VALIDATION, "malformed email or phone"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no client with that id in the actor's organization"),
                "stale_version": ErrorSpec("update", CONFLICT, "data['version'] older than the stored one"),
                "forbidden": ErrorSpec("create", FORBIDDEN, "a verifier creates a client")},
        budgets={"create": WRITE, "get": READ, "update": WRITE, "delete": WRITE, "list": READ},
        examples={
            "create": _with(lambda w: Call("create", (w.admin, _client_data(next(_sequence))))),
            "get": _with(lambda w: Call("get", (w.admin, _client(w).pk))),
            "update": _with(lambda w: Call("update", (w.admin, _client(w).pk, {"name": "Renamed", "version": 1}))),
            "delete": _with(lambda w: Call("delete", (w.admin, _client(w).pk))),
            "list": _with(lambda w: Call("list", (w.admin,))),
        },
        provocations={
            "missing_required_fields": _with(lambda w: Call("create", (w.admin, {}))),
            "invalid_data": _with(lambda w: Call("create", (w.admin, {"name": "X", "email": "not-an-email",
                                                                      "phone": "12"}))),
            "invalid_id": _with(lambda w: Call("get", (w.admin, MISSING))),
            "stale_version": _with(lambda w: Call("update", (w.admin, _client(w).pk, {"name": "Y", "version": 0}))),
            "forbidden": _with(lambda w: Call("create", (w.verifier, _client_data(next(_sequence))))),
        },
    )


def deal_contract() -> ServiceContract:
    from prs.deals.services import DealServiceProtocol

    return contract_from_protocol(
        DealServiceProtocol, "deal_service", version="1.0.0", dependencies=["audit_service", "notification_service"],
        data_inputs={"create": ["client", "value", "deal_date", "due_date", "payment_method"], "update": ["version"]},
        errors={"missing_required_fields": ErrorSpec("create", VALIDATION, "no client, value, dates or method"),
                "invalid_data": ErrorSpec("create", VALIDATION, "a negative value or an unknown payment method"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no deal with that id in the actor's organization"),
                "stale_version": ErrorSpec("update", CONFLICT, "data['version'] older than the stored one"),
                "invalid_transition": ErrorSpec("verify", CONFLICT, "a rejected deal cannot be verified"),
                "self_verification": ErrorSpec("verify", FORBIDDEN, "a salesperson verifies their own deal")},
        budgets={"create": WRITE, "get": READ, "update": WRITE, "delete": WRITE, "list": READ, "verify": WRITE},
        examples={
            "create": _with(lambda w: Call("create", (w.salesperson, _deal_data(_client(w))))),
            "get": _with(lambda w: Call("get", (w.salesperson, _deal(w).pk))),
            "update": _with(lambda w: Call("update", (w.salesperson, _deal(w).pk, {"deal_name": "R", "version": 1}))),
            "delete": _with(lambda w: Call("delete", (w.admin, _deal(w).pk))),
            "list": _with(lambda w: Call("list", (w.salesperson,))),
            "verify": _with(lambda w: Call("verify", (w.verifier, _deal(w).pk, "verified"))),
        },
        provocations={
            "missing_required_fields": _with(lambda w: Call("create", (w.salesperson, {}))),
            "invalid_data": _with(lambda w: Call("create", (w.salesperson, {**_deal_data(_client(w)),
                                                                            "value": "-5", "payment_method": "gold"}))),
            "invalid_id": _with(lambda w: Call("get", (w.salesperson, MISSING))),
            "stale_version": _with(lambda w: Call("update", (w.salesperson, _deal(w).pk, {"version": 0}))),
            "invalid_transition": _with(lambda w: _rejected_then_verified(w)),
            "self_verification": _with(lambda w: Call("verify", (w.salesperson, _deal(w).pk, "verified"))),
        },
    )


def _rejected_then_verified(w: World) -> Call:
    from prs.services import build_services

    deal = _deal(w)
    build_services()["deal_service"].verify(w.verifier, deal.pk, "rejected")
    return Call("verify", (w.verifier, deal.pk, "verified"))


def payment_contract() -> ServiceContract:
    from prs.deals.services import PaymentServiceProtocol

    def payment_data(w: World) -> dict[str, Any]:
        return {"deal": _deal(w).pk, "payment_date": timezone.localdate().isoformat(), "amount": "100.00",
                "payment_type": "bank"}

    return contract_from_protocol(
        PaymentServiceProtocol, "payment_service", version="1.0.0",
        dependencies=["audit_service", "notification_service", "commission_service"],
        data_inputs={"create": ["deal", "payment_date", "amount", "payment_type"]},
        errors={"missing_required_fields": ErrorSpec("create", VALIDATION, "no deal, date, amount or type"),
                "invalid_data": ErrorSpec("create", VALIDATION, "a negative amount or an unknown payment type"),
                "invalid_id": ErrorSpec("approve", NOT_FOUND, "no payment with that id in the actor's organization"),
                "already_decided": ErrorSpec("reject", CONFLICT, "a payment already approved or rejected")},
        budgets={"create": WRITE, "get": READ, "list": READ, "approve": WRITE, "reject": WRITE},
        examples={
            "create": _with(lambda w: Call("create", (w.salesperson, payment_data(w)))),
            "get": _with(lambda w: Call("get", (w.salesperson, _payment(w).pk))),
            "list": _with(lambda w: Call("list", (w.salesperson,))),
            "approve": _with(lambda w: _approve_with_commission(w)),
            "reject": _with(lambda w: Call("reject", (w.verifier, _payment(w).pk, "insufficient_funds"))),
        },
        provocations={
            "missing_required_fields": _with(lambda w: Call("create", (w.salesperson, {}))),
            "invalid_data": _with(lambda w: Call("create", (w.salesperson, {**payment_data(w), "amount": "-1",
                                                                            "payment_type": "gold"}))),
            "invalid_id": _with(lambda w: Call("approve", (w.verifier, MISSING, Decimal("1.00")))),
            "already_decided": _with(lambda w: _decided_then_rejected(w)),
        },
    )


def _approve_with_commission(w: World) -> Call:
    payment = _payment(w)
    _commission(w)  # a commission covering the payment's date, so approval recalculates it
    return Call("approve", (w.verifier, payment.pk, payment.amount))


def _decided_then_rejected(w: World) -> Call:
    from prs.services import build_services

    payment = _payment(w)
    build_services()["payment_service"].approve(w.verifier, payment.pk, payment.amount)
    return Call("reject", (w.verifier, payment.pk, "insufficient_funds"))


def commission_contract() -> ServiceContract:
    from prs.commissions.services import CommissionServiceProtocol

    def period(**extra: Any) -> dict[str, Any]:
        today = timezone.localdate()
        return {"period_start": today.replace(day=1).isoformat(), "period_end": today.isoformat(), **extra}

    def recalculation(w: World) -> Call:
        from support.prs.factories import decide

        payment = _payment(w)
        _commission(w)
        payment = decide(payment, "approve", verifier=w.verifier)
        return Call("recalculate_for_payment", (payment,))

    return contract_from_protocol(
        CommissionServiceProtocol, "commission_service", version="1.0.0",
        dependencies=["audit_service", "notification_service"],
        data_inputs={"calculate": ["user", "period_start", "period_end"], "update": ["version"]},
        errors={"missing_required_fields": ErrorSpec("calculate", VALIDATION, "no user or period"),
                "invalid_data": ErrorSpec("calculate", VALIDATION, "period_end before period_start"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no commission with that id in the actor's organization"),
                "stale_version": ErrorSpec("update", CONFLICT, "data['version'] older than the stored one"),
                "exchange_rate_unavailable": ErrorSpec("calculate", UNAVAILABLE,
                                                       "the exchange-rate provider cannot give the rate")},
        budgets={"calculate": WRITE, "get": READ, "update": WRITE, "list": READ, "recalculate_for_payment": WRITE},
        examples={
            "calculate": _with(lambda w: Call("calculate", (w.admin, period(user=w.salesperson.pk)))),
            "get": _with(lambda w: Call("get", (w.admin, _commission(w).pk))),
            "update": _with(lambda w: Call("update", (w.admin, _commission(w).pk, {"bonus": "10.00", "version": 1}))),
            "list": _with(lambda w: Call("list", (w.admin,))),
            "recalculate_for_payment": _with(recalculation),
        },
        provocations={
            "missing_required_fields": _with(lambda w: Call("calculate", (w.admin, {}))),
            "invalid_data": _with(lambda w: Call("calculate", (w.admin, {
                "user": w.salesperson.pk, "period_start": "2026-02-10", "period_end": "2026-02-01"}))),
            "invalid_id": _with(lambda w: Call("get", (w.admin, MISSING))),
            "stale_version": _with(lambda w: Call("update", (w.admin, _commission(w).pk,
                                                             {"bonus": "1", "version": 0}))),
            "exchange_rate_unavailable": _with(lambda w: Call("calculate", (w.admin, period(
                user=w.salesperson.pk, currency="XTS")))),
        },
    )


CONTRACT_BUILDERS: dict[str, Callable[[], ServiceContract]] = {
    "audit_service": audit_contract,
    "notification_service": notification_contract,
    "client_service": client_contract,
    "deal_service": deal_contract,
    "payment_service": payment_contract,
    "commission_service": commission_contract,
}


def prs_contracts() -> list[ServiceContract]:
    return [build() for build in CONTRACT_BUILDERS.values()]


def prs_services(**overrides: Any) -> dict[str, object]:
    from prs.services import build_services

    return build_services(**overrides)


def service_provider() -> tuple[list[ServiceContract], dict[str, object]]:
    """For ServiceIntegrationTestCase.service_provider."""
    return prs_contracts(), prs_services()


def prs_framework(**options: Any) -> Any:
    from support.contracts import ServiceIntegrationTestFramework

    framework = ServiceIntegrationTestFramework(**options)
    framework.register_service_contracts(prs_contracts())
    for name, service in prs_services().items():
        framework.register_service_implementation(name, service)
    return framework


# ---- CLI entry points ----------------------------------------------------------------------------------


def export_contracts(path: str | Path = CONTRACTS_FILE) -> Path:
    return _export_contract_set(prs_contracts(), path)


def compare_contracts(path: str | Path = CONTRACTS_FILE) -> int:
    return _compare_with_file(prs_contracts(), path)


def write_contract_docs(folder: str | Path = DOCS_FOLDER) -> list[Path]:
    return _write_contract_docs(prs_contracts(), folder)

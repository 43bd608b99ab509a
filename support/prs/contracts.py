"""The contracts of PRS's services, derived from their Protocols (so they cannot drift from the code),
with the error conditions each must answer, budgets, and example calls.

Data is shared per contract: each contract's `fixture` builds, once per validation, one organization with
an admin, a salesperson and a verifier, plus the client, deal, payment, commission or notification its
examples need (through the services), and no more: the fixture is most of a small contract's cost.
Examples and custom probes take that World and only read it; each call then runs in its own rolled-back
savepoint inside the validation's transaction, so a delete or an update never leaks into the next call.
The standard probes (missing fields, invalid data, invalid ids) are generated from the examples; the declared
ErrorSpecs give the codes they must answer with.

CLI entry points (for `prs-acceptance contracts ...`): export_contracts(path), compare_contracts(path) -> exit
code, write_contract_docs(folder).
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from support.contracts import (
    Budget,
    Call,
    ErrorSpec,
    ServiceContract,
    contract_from_protocol,
)
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

# A generous per-operation budget: the contract is about queries; time is measured by bench/ (a loaded CI
# machine stalls a call for a second now and then). A refusal is cheap: it reads, at most, what it refuses.
READ = Budget(max_ms=2000, max_queries=12)
WRITE = Budget(max_ms=2000, max_queries=40)
REFUSAL = Budget(max_ms=2000, max_queries=6)


@dataclass
class World:
    """One organization with an admin, a salesperson and a verifier, and what a contract's calls need."""

    organization: Any
    admin: Any
    salesperson: Any
    verifier: Any
    client: Any = None
    deal: Any = None
    payment: Any = None
    commission: Any = None
    notification: Any = None  # to the admin, about the client
    audit_entry: Any = None  # id of an entry of the organization's audit trail (creating the client wrote one)


def world(*, client: bool = False, deal: bool = False, payment: bool = False, commission: bool = False,
          notification: bool = False, audit_entry: bool = False) -> World:
    """Built once per contract validation (the contract's fixture); each flag brings what it depends on.
    Ids the examples look up are looked up here, once, not again by every call built from an example."""
    from prs.accounts.models import Organization, Role, User

    n = next(_sequence)
    organization = Organization.objects.create(name=f"Contract org {n}-{timezone.now().timestamp()}")

    def member(role: str) -> Any:
        return User.objects.create_user(f"{role}{n}-{organization.pk}@contracts.test", None,
                                        organization=organization, role=role)

    w = World(organization, member(Role.ORG_ADMIN), member(Role.SALESPERSON), member(Role.VERIFIER))
    if client or deal or payment or notification or audit_entry:
        from support.prs.factories import ClientFactory

        w.client = ClientFactory(organization=w.organization, actor=w.admin)
    if deal or payment:
        from support.prs.factories import DealFactory

        w.deal = DealFactory(client=w.client, actor=w.salesperson)
    if payment:
        from support.prs.factories import PaymentFactory

        w.payment = PaymentFactory(deal=w.deal, actor=w.salesperson)
    if commission:
        w.commission = _commission(w)
    if notification:
        w.notification = _notification(w)
    if audit_entry:
        from prs.audit.models import AuditLog

        w.audit_entry = AuditLog.objects.filter(organization=w.organization).values_list("pk", flat=True).first()
    return w


def _catalogued(refusal: Any) -> str | None:
    """Why a refusal's sentences are not those of docs/messages.md, or None."""
    from support.prs.messages import assert_known_result

    try:
        assert_known_result(refusal, "the refusal")
    except AssertionError as unknown:
        return str(unknown)
    return None


def _prs_contract(protocol: type, service_name: str, **details: Any) -> ServiceContract:
    """A contract derived from the service's Protocol whose refusals speak only catalogued sentences."""
    return contract_from_protocol(protocol, service_name, refusal_check=_catalogued, **details)


def _fixture(**needs: bool) -> Callable[[], World]:
    return lambda: world(**needs)


def _commission(w: World) -> Any:
    from prs.services import build_services

    today = timezone.localdate()
    return build_services()["commission_service"].calculate(w.admin, {
        "user": w.salesperson.pk, "period_start": today.replace(day=1).isoformat(),
        "period_end": today.isoformat()}).data


def _notification(w: World) -> Any:
    from prs.services import build_services
    from support.prs.factories import service_data

    result = build_services()["notification_service"].notify(**_notice(w))
    return service_data("notification_service", "notify", result)[0]


def _notice(w: World) -> dict[str, Any]:
    return {"recipients": [w.admin], "type": "deal_created", "title": "Deal created",
            "message": "A deal was created.", "priority": "medium", "related_object": w.client}


def _client_data(n: int) -> dict[str, Any]:
    return {"name": f"Client {n}", "email": f"client{n}@contracts.test", "phone": f"+1555{n:07d}",
            "nationality": "US"}


def _deal_data(client: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {"client": client.pk, "value": "1500.00", "deal_date": today.isoformat(),
            "due_date": (today + dt.timedelta(days=30)).isoformat(), "payment_method": "bank"}


# ---- per service ---------------------------------------------------------------------------------------


def audit_contract() -> ServiceContract:
    from prs.audit.services import AuditServiceProtocol

    return _prs_contract(
        AuditServiceProtocol, "audit_service", version="1.1.0",
        errors={"invalid_data": ErrorSpec("record", VALIDATION, "an action that is not an audit action"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no audit entry with that id in the actor's scope"),
                "forbidden": ErrorSpec("list", FORBIDDEN, "a salesperson reads the audit trail")},
        budgets={"record": WRITE, "get": READ, "list": READ, "verify_chain": READ},
        error_budget=REFUSAL,
        fixture=_fixture(client=True, audit_entry=True),
        examples={
            "record": lambda w: Call("record", (w.admin, "create", w.client, {})),
            "get": lambda w: Call("get", (w.admin, w.audit_entry)),
            "list": lambda w: Call("list", (w.admin,)),
            "verify_chain": lambda w: Call("verify_chain", (w.organization,)),
        },
        provocations={"forbidden": lambda w: Call("list", (w.salesperson,))},
    )


def notification_contract() -> ServiceContract:
    from prs.notifications.services import NotificationServiceProtocol

    def outsider(w: World) -> Any:
        """An org admin of another organization."""
        from prs.accounts.models import Organization, Role, User

        n = next(_sequence)
        other = Organization.objects.create(name=f"Other contract org {n}")
        return User.objects.create_user(f"outsider{n}@contracts.test", None, organization=other, role=Role.ORG_ADMIN)

    def notify(w: World) -> Call:
        return Call("notify", (), _notice(w))

    return _prs_contract(
        NotificationServiceProtocol, "notification_service", version="1.2.0",
        errors={"invalid_data": ErrorSpec("notify", VALIDATION, "unknown type or priority, text that is not text"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no notification with that id for the actor"),
                "stranger_recipient": ErrorSpec("notify", VALIDATION, "a recipient of another organization (NOT-05)",
                                                names="recipients"),
                "long_title": ErrorSpec("notify", VALIDATION, "a title over 200 characters", names="title"),
                "long_message": ErrorSpec("notify", VALIDATION, "a message over 5,000 characters", names="message"),
                "object_without_organization": ErrorSpec("notify", VALIDATION,
                                                         "about an object that belongs to no organization",
                                                         names="related_object")},
        budgets={"notify": WRITE, "get": READ, "list": READ, "mark_read": WRITE},
        error_budget=REFUSAL,
        fixture=_fixture(notification=True),
        examples={
            "notify": notify,
            "get": lambda w: Call("get", (w.admin, w.notification.pk)),
            "list": lambda w: Call("list", (w.admin,)),
            "mark_read": lambda w: Call("mark_read", (w.admin, w.notification.pk)),
        },
        provocations={
            "stranger_recipient": lambda w: notify(w).with_argument("recipients", [w.admin, outsider(w)]),
            "long_title": lambda w: notify(w).with_argument("title", "t" * 201),
            "long_message": lambda w: notify(w).with_argument("message", "m" * 5001),
            # an organization itself: a record with no organization field at all, not merely an empty one
            "object_without_organization": lambda w: notify(w).with_argument("related_object", w.organization),
        },
    )


def client_contract() -> ServiceContract:
    from prs.clients.services import ClientServiceProtocol

    return _prs_contract(
        ClientServiceProtocol, "client_service", version="1.0.0", dependencies=["audit_service"],
        data_inputs={"create": ["name", "email", "phone", "nationality"], "update": ["version"]},
        optional_inputs={"create": ["nationality"], "update": ["version"]},
        errors={"missing_required_fields": ErrorSpec("create", VALIDATION, "no name, email or phone"),
                "invalid_data": ErrorSpec("create", VALIDATION, "malformed email or phone"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no client with that id in the actor's organization"),
                "stale_version": ErrorSpec("update", CONFLICT, "data['version'] older than the stored one"),
                "forbidden": ErrorSpec("create", FORBIDDEN, "a verifier creates a client")},
        budgets={"create": WRITE, "get": READ, "update": WRITE, "delete": WRITE, "list": READ},
        error_budget=REFUSAL,
        fixture=_fixture(client=True),
        examples={
            "create": lambda w: Call("create", (w.admin, _client_data(next(_sequence)))),
            "get": lambda w: Call("get", (w.admin, w.client.pk)),
            "update": lambda w: Call("update", (w.admin, w.client.pk, {"name": "Renamed", "version": 1})),
            "delete": lambda w: Call("delete", (w.admin, w.client.pk)),
            "list": lambda w: Call("list", (w.admin,)),
        },
        provocations={
            "stale_version": lambda w: Call("update", (w.admin, w.client.pk, {"name": "Y", "version": 0})),
            "forbidden": lambda w: Call("create", (w.verifier, _client_data(next(_sequence)))),
        },
    )


def deal_contract() -> ServiceContract:
    from prs.deals.services import DealServiceProtocol

    return _prs_contract(
        DealServiceProtocol, "deal_service", version="1.0.0", dependencies=["audit_service", "notification_service"],
        data_inputs={"create": ["client", "value", "deal_date", "due_date", "payment_method"], "update": ["version"]},
        optional_inputs={"update": ["version"]},
        errors={"missing_required_fields": ErrorSpec("create", VALIDATION, "no client, value, dates or method"),
                "invalid_data": ErrorSpec("create", VALIDATION, "a negative value or an unknown payment method"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no deal with that id in the actor's organization"),
                "stale_version": ErrorSpec("update", CONFLICT, "data['version'] older than the stored one"),
                "invalid_transition": ErrorSpec("verify", CONFLICT, "a rejected deal cannot be verified"),
                "self_verification": ErrorSpec("verify", FORBIDDEN, "a salesperson verifies their own deal")},
        budgets={"create": WRITE, "get": READ, "update": WRITE, "delete": WRITE, "list": READ, "verify": WRITE},
        error_budget=REFUSAL,
        fixture=_fixture(deal=True),
        examples={
            "create": lambda w: Call("create", (w.salesperson, _deal_data(w.client))),
            "get": lambda w: Call("get", (w.salesperson, w.deal.pk)),
            "update": lambda w: Call("update", (w.salesperson, w.deal.pk, {"deal_name": "R", "version": 1})),
            "delete": lambda w: Call("delete", (w.admin, w.deal.pk)),
            "list": lambda w: Call("list", (w.salesperson,)),
            "verify": lambda w: Call("verify", (w.verifier, w.deal.pk, "verified")),
        },
        provocations={
            "stale_version": lambda w: Call("update", (w.salesperson, w.deal.pk, {"version": 0})),
            "invalid_transition": _rejected_then_verified,
            "self_verification": lambda w: Call("verify", (w.salesperson, w.deal.pk, "verified")),
        },
    )


def _rejected_then_verified(w: World) -> Call:
    from prs.services import build_services

    build_services()["deal_service"].verify(w.verifier, w.deal.pk, "rejected")
    return Call("verify", (w.verifier, w.deal.pk, "verified"))


def payment_contract() -> ServiceContract:
    from prs.deals.services import PaymentServiceProtocol

    def payment_data(w: World) -> dict[str, Any]:
        return {"deal": w.deal.pk, "payment_date": timezone.localdate().isoformat(), "amount": "100.00",
                "payment_type": "bank"}

    return _prs_contract(
        PaymentServiceProtocol, "payment_service", version="1.0.0",
        dependencies=["audit_service", "notification_service", "commission_service"],
        data_inputs={"create": ["deal", "payment_date", "amount", "payment_type"]},
        errors={"missing_required_fields": ErrorSpec("create", VALIDATION, "no deal, date, amount or type"),
                "invalid_data": ErrorSpec("create", VALIDATION, "a negative amount or an unknown payment type"),
                "invalid_id": ErrorSpec("approve", NOT_FOUND, "no payment with that id in the actor's organization"),
                "already_decided": ErrorSpec("reject", CONFLICT, "a payment already approved or rejected")},
        budgets={"create": WRITE, "get": READ, "list": READ, "approve": WRITE, "reject": WRITE},
        # A commission covering the payment's date, so approving it recalculates the commission.
        error_budget=REFUSAL,
        fixture=_fixture(payment=True, commission=True),
        examples={
            "create": lambda w: Call("create", (w.salesperson, payment_data(w))),
            "get": lambda w: Call("get", (w.salesperson, w.payment.pk)),
            "list": lambda w: Call("list", (w.salesperson,)),
            "approve": lambda w: Call("approve", (w.verifier, w.payment.pk, w.payment.amount)),
            "reject": lambda w: Call("reject", (w.verifier, w.payment.pk, "insufficient_funds")),
        },
        provocations={"already_decided": _decided_then_rejected},
    )


def _decided_then_rejected(w: World) -> Call:
    from prs.services import build_services

    build_services()["payment_service"].approve(w.verifier, w.payment.pk, w.payment.amount)
    return Call("reject", (w.verifier, w.payment.pk, "insufficient_funds"))


def commission_contract() -> ServiceContract:
    from prs.commissions.services import CommissionServiceProtocol

    def last_month(**extra: Any) -> dict[str, Any]:
        """A period the fixture's commission (this month) does not cover."""
        end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        return {"period_start": end.replace(day=1).isoformat(), "period_end": end.isoformat(), **extra}

    def recalculation(w: World) -> Call:
        from support.prs.factories import decide

        return Call("recalculate_for_payment", (decide(w.payment, "approve", verifier=w.verifier),))

    return _prs_contract(
        CommissionServiceProtocol, "commission_service", version="1.0.0",
        dependencies=["audit_service", "notification_service"],
        data_inputs={"calculate": ["user", "period_start", "period_end"], "update": ["version"]},
        optional_inputs={"update": ["version"]},
        errors={"missing_required_fields": ErrorSpec("calculate", VALIDATION, "no user or period"),
                "invalid_data": ErrorSpec("calculate", VALIDATION, "period_end before period_start"),
                "invalid_id": ErrorSpec("get", NOT_FOUND, "no commission with that id in the actor's organization"),
                "stale_version": ErrorSpec("update", CONFLICT, "data['version'] older than the stored one"),
                "exchange_rate_unavailable": ErrorSpec("calculate", UNAVAILABLE,
                                                       "the exchange-rate provider cannot give the rate")},
        budgets={"calculate": WRITE, "get": READ, "update": WRITE, "list": READ, "recalculate_for_payment": WRITE},
        error_budget=REFUSAL,
        fixture=_fixture(payment=True, commission=True),
        examples={
            "calculate": lambda w: Call("calculate", (w.admin, last_month(user=w.salesperson.pk))),
            "get": lambda w: Call("get", (w.admin, w.commission.pk)),
            "update": lambda w: Call("update", (w.admin, w.commission.pk, {"bonus": "10.00", "version": 1})),
            "list": lambda w: Call("list", (w.admin,)),
            "recalculate_for_payment": recalculation,
        },
        provocations={
            "stale_version": lambda w: Call("update", (w.admin, w.commission.pk, {"bonus": "1", "version": 0})),
            "exchange_rate_unavailable": lambda w: Call("calculate", (w.admin, last_month(
                user=w.salesperson.pk, currency="XTS"))),
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

"""Each invariant of `assert_database_consistency`, broken on purpose behind PRS's back, is caught and named."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from support.prs.consistency import ConsistencyError, assert_database_consistency, find_violations
from tests.prs_framework.conftest import Tenant


def raw(sql: str, params: list[Any]) -> None:
    """Bypasses the ORM (and AuditLog's append-only guard) like a bad migration or a manual fix would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def plant_deal_client_org(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.deal).objects.filter(pk=a.deal.pk).update(client=b.client)
    return a.deal, a.deal.deal_id


def plant_payment_org(a: Tenant, b: Tenant) -> tuple[Any, str]:
    # A fresh transaction id: the other organization numbers its payments too.
    type(a.pending).objects.filter(pk=a.pending.pk).update(organization=b.organization, transaction_id="TXN-9999")
    return a.pending, "TXN-9999"


def plant_invoice_org(a: Tenant, b: Tenant) -> tuple[Any, str]:
    invoice = a.pending.invoice
    type(invoice).objects.filter(pk=invoice.pk).update(organization=b.organization, invoice_id="INV-9999")
    return invoice, "INV-9999"


def plant_approval_verifier_org(a: Tenant, b: Tenant) -> tuple[Any, str]:
    approval = a.approved.approval
    type(approval).objects.filter(pk=approval.pk).update(verifier=b.framework.test_users["verifier"])
    return approval, a.approved.transaction_id


def plant_commission_user_org(a: Tenant, b: Tenant) -> tuple[Any, str]:
    commission = a.commission  # another period: b's salesperson already has a commission for this one
    type(commission).objects.filter(pk=commission.pk).update(
        user=b.framework.test_users["salesperson"], period_start=commission.period_start - timedelta(days=1))
    return a.commission, b.framework.test_users["salesperson"].email


def plant_notification_recipient_org(a: Tenant, b: Tenant) -> tuple[Any, str]:
    from prs.notifications.models import Notification

    notification = Notification.objects.filter(organization=a.organization).first()
    Notification.objects.filter(pk=notification.pk).update(recipient=b.framework.test_users["admin"])
    return notification, notification.title


def plant_overpayment(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.pending).objects.filter(pk=a.pending.pk).update(amount=Decimal("600.01"))  # 400 + 600.01 > 1000
    return a.deal, a.deal.deal_id


def plant_payment_status(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.deal).objects.filter(pk=a.deal.pk).update(payment_status="fully_paid")
    return a.deal, a.deal.deal_id


def plant_progress(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.deal).objects.filter(pk=a.deal.pk).update(progress=Decimal("40.01"))  # 400 of 1000 is 40.00
    return a.deal, a.deal.deal_id


def plant_missing_invoice(a: Tenant, b: Tenant) -> tuple[Any, str]:
    a.pending.invoice.delete()
    return a.pending, a.pending.transaction_id


def plant_invoice_amount(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.pending.invoice).objects.filter(pk=a.pending.invoice.pk).update(amount=Decimal("99.99"))
    return a.pending, a.pending.transaction_id


def plant_approval_by_recorder(a: Tenant, b: Tenant) -> tuple[Any, str]:
    approval = a.approved.approval
    type(approval).objects.filter(pk=approval.pk).update(verifier=a.approved.recorded_by)
    return approval, a.approved.transaction_id


def plant_approval_by_salesperson(a: Tenant, b: Tenant) -> tuple[Any, str]:
    from support.prs.factories import UserFactory

    approval = a.approved.approval
    other_seller = UserFactory(salesperson=True, organization=a.organization)
    type(approval).objects.filter(pk=approval.pk).update(verifier=other_seller)
    return approval, a.approved.transaction_id


def plant_decision_mismatch(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.approved).objects.filter(pk=a.approved.pk).update(status="rejected")
    return a.approved, a.approved.transaction_id


def plant_decided_without_approval(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.pending).objects.filter(pk=a.pending.pk).update(status="approved")
    return a.pending, a.pending.transaction_id


def plant_commission_amount(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.commission).objects.filter(pk=a.commission.pk).update(commission_amount=Decimal("20.01"))
    return a.commission, a.commission.user.email


def plant_commission_sales(a: Tenant, b: Tenant) -> tuple[Any, str]:
    type(a.commission).objects.filter(pk=a.commission.pk).update(total_sales=Decimal("500.00"))
    return a.commission, a.commission.user.email


def plant_audit_content(a: Tenant, b: Tenant) -> tuple[Any, str]:
    from prs.audit.models import AuditLog

    entry = AuditLog.objects.filter(organization=a.organization).order_by("id")[1]
    raw(f"UPDATE {AuditLog._meta.db_table} SET object_id = %s WHERE id = %s", ["999", entry.pk])
    return entry, f"organization {a.organization.pk}"


def plant_audit_link(a: Tenant, b: Tenant) -> tuple[Any, str]:
    from prs.audit.models import AuditLog

    entry = AuditLog.objects.filter(organization=a.organization).order_by("id")[2]
    raw(f"UPDATE {AuditLog._meta.db_table} SET previous_hash = %s WHERE id = %s", ["0" * 64, entry.pk])
    return entry, f"organization {a.organization.pk}"


def _security_event(a: Tenant, **changes: Any) -> tuple[Any, str]:
    from prs.accounts.services import security_service
    from prs.audit.models import SecurityEvent

    event = security_service.permission_denied(a.framework.test_users["salesperson"], "update", "deals.deal", 1)
    SecurityEvent.objects.filter(pk=event.pk).update(**changes)
    return event, f"event {event.pk}"


def plant_security_event_severity(a: Tenant, b: Tenant) -> tuple[Any, str]:
    return _security_event(a, severity="low")


def plant_security_event_org(a: Tenant, b: Tenant) -> tuple[Any, str]:
    return _security_event(a, organization=b.organization)


PLANTS: dict[str, tuple[Callable[[Tenant, Tenant], tuple[Any, str]], str]] = {
    "deal client organization": (plant_deal_client_org, "deal_client_organization"),
    "payment organization": (plant_payment_org, "payment_deal_organization"),
    "invoice organization": (plant_invoice_org, "invoice_payment_organization"),
    "approval verifier organization": (plant_approval_verifier_org, "approval_verifier_organization"),
    "commission user organization": (plant_commission_user_org, "commission_user_organization"),
    "notification recipient organization": (plant_notification_recipient_org, "notification_recipient_organization"),
    "overpaid deal": (plant_overpayment, "deal_overpaid"),
    "payment status": (plant_payment_status, "deal_payment_status"),
    "progress": (plant_progress, "deal_payment_status"),
    "missing invoice": (plant_missing_invoice, "payment_without_invoice"),
    "invoice amount": (plant_invoice_amount, "invoice_amount"),
    "approval by the recorder": (plant_approval_by_recorder, "approval_by_recorder"),
    "approval by a salesperson": (plant_approval_by_salesperson, "approval_by_role"),
    "decision differs from status": (plant_decision_mismatch, "payment_decision"),
    "decided without approval": (plant_decided_without_approval, "payment_decision"),
    "commission amount": (plant_commission_amount, "commission_recomputation"),
    "commission sales": (plant_commission_sales, "commission_recomputation"),
    "audit entry content": (plant_audit_content, "audit_entry_hash"),
    "audit chain link": (plant_audit_link, "audit_chain_link"),
    "security event severity": (plant_security_event_severity, "security_event"),
    "security event organization": (plant_security_event_org, "security_event"),
}


def test_clean_prs_data_is_consistent(tenants: tuple[Tenant, Tenant]) -> None:
    assert find_violations() == []
    assert_database_consistency()
    tenants[0].framework.assert_database_consistency()


@pytest.mark.parametrize("kind", list(PLANTS))
def test_planted_violation_is_caught_and_named(tenants: tuple[Tenant, Tenant], kind: str) -> None:
    plant, rule = PLANTS[kind]
    obj, human_id = plant(*tenants)
    with pytest.raises(ConsistencyError) as caught:
        tenants[0].framework.assert_database_consistency()
    matching = [v for v in caught.value.violations if v.rule == rule]
    assert matching, f"{rule} not reported; got {caught.value.violations}"
    violation = next((v for v in matching if v.pk == obj.pk), None)
    assert violation is not None, f"{rule} does not name {obj._meta.label} pk={obj.pk}: {matching}"
    assert violation.model == obj._meta.label and violation.human_id == human_id, violation
    assert f"{rule}: {obj._meta.label} pk={obj.pk} ({human_id})" in str(caught.value)


def test_every_violation_is_listed_not_just_the_first(tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    plant_payment_status(a, b)
    plant_invoice_amount(b, a)
    plant_commission_amount(b, a)
    with pytest.raises(ConsistencyError) as caught:
        assert_database_consistency()
    assert {v.rule for v in caught.value.violations} == {"deal_payment_status", "invoice_amount",
                                                        "commission_recomputation"}
    assert isinstance(caught.value, AssertionError)


def test_overpayment_names_the_figures(tenants: tuple[Tenant, Tenant]) -> None:
    plant_overpayment(*tenants)
    violation = next(v for v in find_violations() if v.rule == "deal_overpaid")
    assert violation.values == {"value": Decimal("1000.00"), "non_rejected_payments": Decimal("1000.01")}


@pytest.mark.parametrize("prs_rounds_down", [False, True])
def test_commission_recomputation_is_independent_of_prs(
    tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch, prs_rounds_down: bool
) -> None:
    """400.00 x 5 % x 1.000250 = 20.005 -> 20.01 half-up. A PRS whose formula rounds down stores 20.00, which
    the check catches because it recomputes on its own; the correct PRS passes."""
    from decimal import ROUND_DOWN

    from prs.commissions import services

    if prs_rounds_down:
        def rounding_down(sales: Decimal, rate: Decimal, exchange_rate: Decimal, bonus: Decimal,
                          penalty: Decimal) -> Any:
            cut = (sales * rate / 100 * exchange_rate).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            return services.CommissionFigures(cut, cut + bonus, cut + bonus - penalty)

        monkeypatch.setattr(services, "commission_figures", rounding_down)
    a = tenants[0]
    result = a.framework.services["commission_service"].update(
        a.framework.test_users["admin"], a.commission.pk, {"exchange_rate": "1.000250"})
    assert result.success, result.errors
    assert result.data.commission_amount == (Decimal("20.00") if prs_rounds_down else Decimal("20.01"))
    violations = find_violations()
    if not prs_rounds_down:
        assert violations == []
        return
    assert [(v.rule, v.pk) for v in violations] == [("commission_recomputation", a.commission.pk)]
    assert violations[0].values["commission_amount"] == Decimal("20.00")
    assert violations[0].values["expected_commission_amount"] == Decimal("20.01")


def test_dangling_foreign_key_is_caught_and_named(tenants: tuple[Tenant, Tenant]) -> None:
    """Django defers FK constraints to the commit; the check finds the dangling row inside the transaction."""
    payment = tenants[0].pending
    table = payment._meta.db_table
    raw(f"UPDATE {table} SET deal_id = %s WHERE id = %s", [987654321, payment.pk])
    try:
        with pytest.raises(ConsistencyError) as caught:
            assert_database_consistency()
        found = [v for v in caught.value.violations if v.rule == "foreign_key"]
        assert [(v.model, v.pk, v.human_id) for v in found] == [("deals.Payment", payment.pk, payment.transaction_id)]
        assert found[0].values["deal_id"] == 987654321 and found[0].values["missing_in"] == "deals_deal"
    finally:  # pytest-django checks deferred constraints before its rollback
        raw(f"UPDATE {table} SET deal_id = %s WHERE id = %s", [payment.deal_id, payment.pk])
    assert_database_consistency()


@pytest.mark.parametrize("kind", list(PLANTS))
def test_the_check_of_the_tables_written_catches_what_the_full_check_catches(
    tenants: tuple[Tenant, Tenant], kind: str
) -> None:
    """After a scenario the engine checks only the rules over the tables the scenario wrote (seen by its write
    tracker): each planted violation is still caught, and an untouched database runs no rule at all."""
    from support.engine.writes import WriteTracker

    tracker = WriteTracker()
    tracker.install()
    try:
        tracker.take()
        assert find_violations(changed_tables=frozenset()) == []
        plant, rule = PLANTS[kind]
        obj, _ = plant(*tenants)
        written = tracker.take()
    finally:
        tracker.uninstall()
    assert written and not written.everything, written
    changed = written.tables["default"]
    incremental = {(v.rule, v.pk) for v in find_violations(changed_tables=changed)}
    assert (rule, obj.pk) in incremental, f"{rule} missed when only {sorted(changed)} changed: {incremental}"
    assert incremental == {(v.rule, v.pk) for v in find_violations()}


@pytest.mark.parametrize("kind", list(PLANTS))
def test_the_rules_over_tables_known_empty_are_left_out_and_nothing_is_missed(
    tenants: tuple[Tenant, Tenant], kind: str
) -> None:
    """The engine tells the check which tables hold no rows (empty when clean and not written since): the rules
    whose violations would be rows of one of them are left out, and no planted violation is missed."""
    from django.apps import apps

    plant, rule = PLANTS[kind]
    obj, _ = plant(*tenants)
    empty = frozenset(m._meta.db_table for m in apps.get_models(include_auto_created=True)
                      if not m._base_manager.exists())
    assert obj._meta.db_table not in empty
    assert {(v.rule, v.pk) for v in find_violations(empty_tables=empty)} == {(v.rule, v.pk) for v in find_violations()}
    left_out = {(v.rule, v.pk) for v in find_violations(empty_tables={obj._meta.db_table})}
    assert (rule, obj.pk) not in left_out, "a table said to be empty: its rows' rules do not run"

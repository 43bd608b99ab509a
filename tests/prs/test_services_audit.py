"""Audit trail: every write appends, hash chain per organization, tamper detection, read roles."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from prs.audit.models import AppendOnlyError, AuditLog
from prs.common.request_context import current_ip
from prs.common.results import ErrorCode


@pytest.fixture
def busy_org(services, seller, verifier, deal, payment_data):
    payment = services["payment_service"].create(seller, payment_data(deal)).data
    services["payment_service"].approve(verifier, payment.pk, "100.00")
    return seller.organization


def test_writes_are_audited_in_one_chain_per_organization(busy_org):
    entries = list(AuditLog.objects.filter(organization=busy_org).order_by("id"))
    assert [(e.action, e.object_type) for e in entries] == [
        ("create", "clients.client"), ("create", "deals.deal"), ("create", "deals.payment"),
        ("create", "deals.invoice"), ("approve", "deals.payment"),
    ]
    assert entries[0].previous_hash == ""
    assert all(later.previous_hash == earlier.entry_hash for earlier, later in zip(entries, entries[1:], strict=False))
    assert entries[-1].changes["status"] == {"before": "pending", "after": "approved"}


def test_ip_comes_from_the_request_context(services, seller):
    token = current_ip.set("203.0.113.7")
    try:
        client = services["client_service"].create(
            seller, {"name": "I", "email": "i@i.test", "phone": "+12025550100"}
        ).data
    finally:
        current_ip.reset(token)
    assert AuditLog.objects.get(object_id=str(client.pk), object_type="clients.client").ip_address == "203.0.113.7"


def test_entries_are_append_only(busy_org):
    entry = AuditLog.objects.filter(organization=busy_org).first()
    entry.action = "delete"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=entry.pk).update(action="delete")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()


def test_intact_chain_verifies(services, busy_org):
    result = services["audit_service"].verify_chain()
    assert result.success and result.data.checked == 5
    call_command("verify_audit_chain")


def _tamper(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("column", "value"),
    [("changes", '{"status": {"before": "pending", "after": "rejected"}}'), ("object_id", "999"),
     ("previous_hash", "0" * 64)],
)
def test_tampering_is_detected_at_the_first_broken_link(services, busy_org, make_org, make_user, column, value,
                                                        capsys):
    victim = AuditLog.objects.filter(organization=busy_org).order_by("id")[2]
    _tamper(f"UPDATE audit_auditlog SET {column} = %s WHERE id = %s", [value, victim.pk])
    result = services["audit_service"].verify_chain()
    assert result.error_code == ErrorCode.CONFLICT
    assert [(link.organization_id, link.entry_id) for link in result.data.broken] == [(busy_org.pk, victim.pk)]
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")
    assert f"entry {victim.pk}" in capsys.readouterr().err


def test_deleting_an_entry_breaks_the_chain(services, busy_org):
    victim = AuditLog.objects.filter(organization=busy_org).order_by("id")[1]
    _tamper("DELETE FROM audit_auditlog WHERE id = %s", [victim.pk])
    result = services["audit_service"].verify_chain(busy_org)
    assert not result.success
    assert result.data.broken[0].entry_id > victim.pk


def test_audit_readers_are_admins_and_verifiers(services, busy_org, seller, verifier, make_user, make_org):
    admin = make_user(busy_org, "org_admin")
    assert services["audit_service"].list(admin).data.count() == 5
    assert services["audit_service"].list(verifier).data.count() == 5
    assert services["audit_service"].list(seller).error_code == ErrorCode.FORBIDDEN
    stranger = make_user(make_org("Other"), "org_admin")
    assert services["audit_service"].list(stranger).data.count() == 0
    entry = AuditLog.objects.filter(organization=busy_org).first()
    assert services["audit_service"].get(stranger, entry.pk).error_code == ErrorCode.NOT_FOUND

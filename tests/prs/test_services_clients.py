"""ClientService: validation by field, scoping, optimistic concurrency, roles."""
import pytest

from prs.audit.models import AuditLog, SecurityEvent
from prs.common.results import ErrorCode

VALID = {"name": "Initech", "email": "ops@initech.test", "phone": "+12025550123"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "12025550123"), ("phone", "+123"), ("email", "not-an-email"), ("name", ""), ("name", 42)],
)
def test_create_names_the_bad_field(services, seller, field, value):
    result = services["client_service"].create(seller, {**VALID, field: value})
    assert not result.success
    assert result.error_code == ErrorCode.VALIDATION
    assert list(result.errors) == [field]


def test_email_unique_within_organization_only(services, seller, make_org, make_user):
    assert services["client_service"].create(seller, VALID).success
    again = services["client_service"].create(seller, {**VALID, "email": VALID["email"].upper()})
    assert again.error_code == ErrorCode.VALIDATION and "email" in again.errors
    stranger = make_user(make_org("Other"), "salesperson")
    assert services["client_service"].create(stranger, VALID).success


def test_create_is_audited(services, seller):
    client = services["client_service"].create(seller, VALID).data
    entry = AuditLog.objects.get(object_type="clients.client", object_id=str(client.pk))
    assert entry.action == "create" and entry.actor == seller
    assert entry.changes["email"] == {"before": None, "after": "ops@initech.test"}


def test_other_organization_is_not_found_and_a_security_event(services, client_obj, make_org, make_user):
    stranger = make_user(make_org("Other"), "org_admin")
    result = services["client_service"].get(stranger, client_obj.pk)
    assert result.error_code == ErrorCode.NOT_FOUND and result.data is None
    event = SecurityEvent.objects.get(event_type="cross_organization_access")
    assert event.user == stranger and event.details["object_id"] == str(client_obj.pk)


def test_missing_object_is_not_found_without_security_event(services, seller):
    assert services["client_service"].get(seller, 999999).error_code == ErrorCode.NOT_FOUND
    assert not SecurityEvent.objects.exists()


def test_stale_version_conflicts(services, seller, client_obj):
    first = services["client_service"].update(seller, client_obj.pk, {"name": "Globex 2", "version": 1})
    assert first.success and first.data.version == 2
    stale = services["client_service"].update(seller, client_obj.pk, {"name": "Globex 3", "version": 1})
    assert stale.error_code == ErrorCode.CONFLICT and "version" in stale.errors
    client_obj.refresh_from_db()
    assert client_obj.name == "Globex 2"


def test_verifier_may_not_create_and_denial_is_recorded(services, verifier):
    result = services["client_service"].create(verifier, VALID)
    assert result.error_code == ErrorCode.FORBIDDEN
    assert SecurityEvent.objects.filter(event_type="permission_denied", user=verifier).exists()


def test_list_is_scoped(services, client_obj, make_org, make_user, seller):
    stranger = make_user(make_org("Other"), "salesperson")
    assert list(services["client_service"].list(stranger).data) == []
    assert list(services["client_service"].list(seller).data) == [client_obj]

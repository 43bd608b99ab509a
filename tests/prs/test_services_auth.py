"""AuthService: login by email, failed logins recorded, lockout after 5 failures in 15 minutes."""
from datetime import timedelta

from django.utils import timezone

from prs.accounts.services import AuthService
from prs.audit.models import SecurityEvent
from prs.common.request_context import current_ip
from prs.common.results import ErrorCode

PASSWORD = "correct horse battery staple"


def test_login_by_email_any_case(seller):
    result = AuthService().authenticate(seller.email.upper(), PASSWORD)
    assert result.success and result.data == seller


def test_failure_is_a_security_event_with_ip(seller):
    token = current_ip.set("198.51.100.4")  # what the request middleware does for a request from there
    try:
        result = AuthService().authenticate(seller.email, "wrong")
    finally:
        current_ip.reset(token)
    assert result.error_code == ErrorCode.VALIDATION
    event = SecurityEvent.objects.get(event_type="login_failed")
    assert (event.user, event.ip_address, event.email) == (seller, "198.51.100.4", seller.email)


def test_unknown_email_is_recorded_too(db):
    assert not AuthService().authenticate("nobody@x.test", "pw").success
    assert SecurityEvent.objects.get(event_type="login_failed").email == "nobody@x.test"


def test_missing_fields_are_named(db):
    result = AuthService().authenticate("", "")
    assert result.error_code == ErrorCode.VALIDATION and set(result.errors) == {"email", "password"}


def test_lockout_after_five_failures(seller):
    service = AuthService()
    codes = [service.authenticate(seller.email, "wrong").error_code for _ in range(5)]
    assert codes == [ErrorCode.VALIDATION] * 4 + [ErrorCode.LOCKED]
    assert SecurityEvent.objects.filter(event_type="account_locked", user=seller).count() == 1
    assert service.authenticate(seller.email, PASSWORD).error_code == ErrorCode.LOCKED  # even the right password


def test_failures_older_than_the_window_do_not_count(seller):
    service = AuthService()
    for _ in range(4):
        service.authenticate(seller.email, "wrong")
    SecurityEvent.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    assert service.authenticate(seller.email, "wrong").error_code == ErrorCode.VALIDATION
    assert service.authenticate(seller.email, PASSWORD).success

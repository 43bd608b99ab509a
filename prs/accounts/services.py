"""Logging in (with lockout) and recording security events."""
from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from prs.accounts.models import User
from prs.audit.models import SecurityEvent, SecurityEventType, Severity
from prs.common.inputs import Payload
from prs.common.request_context import current_ip
from prs.common.results import ErrorCode, ServiceResult

INVALID_CREDENTIALS = "Invalid email or password."


class SecurityServiceProtocol(Protocol):
    def record(
        self,
        event_type: str,
        severity: str,
        *,
        user: User | None,
        email: str,
        details: dict[str, Any],
    ) -> SecurityEvent: ...

    def permission_denied(self, actor: User, action: str, object_type: str, object_id: object) -> SecurityEvent: ...

    def cross_organization_access(self, actor: User, object_type: str, object_id: object) -> SecurityEvent: ...


class SecurityService:
    """Security events: failed logins, lockouts, permission denials, reaching for another organization.

    The address is the current request's (``current_ip``, set by the request middleware), as in the audit
    trail: one way for it to arrive, so no caller can pass another."""

    dependencies: ClassVar[tuple[str, ...]] = ()

    def record(
        self,
        event_type: str,
        severity: str,
        *,
        user: User | None,
        email: str,
        details: dict[str, Any],
    ) -> SecurityEvent:
        return SecurityEvent.objects.create(
            organization_id=user.organization_id if user is not None else None,
            user=user,
            email=email,
            event_type=event_type,
            severity=severity,
            ip_address=current_ip.get(),
            details=details,
        )

    def permission_denied(self, actor: User, action: str, object_type: str, object_id: object) -> SecurityEvent:
        return self.record(
            SecurityEventType.PERMISSION_DENIED,
            Severity.MEDIUM,
            user=actor,
            email=actor.email,
            details={"action": action, "object_type": object_type, "object_id": str(object_id), "role": actor.role},
        )

    def cross_organization_access(self, actor: User, object_type: str, object_id: object) -> SecurityEvent:
        return self.record(
            SecurityEventType.CROSS_ORGANIZATION_ACCESS,
            Severity.HIGH,
            user=actor,
            email=actor.email,
            details={"object_type": object_type, "object_id": str(object_id)},
        )


security_service = SecurityService()


def password_holder(user: User | None, password: str) -> User | None:
    """`user` if `password` is theirs, else None; spending the hasher's time even when there is no user.

    Without the dummy hash, a failed login answered in a few milliseconds for an unknown email and in one
    hash time (about 200 ms with PBKDF2) for a known one: enough to tell which emails have accounts. The
    password of an inactive user is checked too, for the same reason."""
    if user is None:
        make_password(password)  # the configured hasher's full work, result discarded
        return None
    return user if user.check_password(password) else None


class AuthServiceProtocol(Protocol):
    def authenticate(self, email: object, password: object) -> ServiceResult[User]: ...


class AuthService:
    """Email + password login. Five failures within fifteen minutes lock the login out."""

    dependencies: ClassVar[tuple[str, ...]] = ()

    def __init__(self, security: SecurityService | None = None) -> None:
        self.security = security or security_service

    def authenticate(self, email: object, password: object) -> ServiceResult[User]:
        payload = Payload({"email": email, "password": password})
        address = payload.string("email", max_length=254)
        secret = payload.string("password", max_length=4096)  # as typed: spaces are part of a password
        if payload.errors:
            return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
        assert address is not None and secret is not None  # pragma: no mutate — only narrows types for the checker
        address = address.lower()
        with transaction.atomic():
            user = User.objects.filter(email__iexact=address).first()
            if self._recent_failures(address) >= settings.PRS_LOGIN_MAX_FAILURES:
                return self._locked()
            holder = password_holder(user, secret)
            if holder is not None and holder.is_active:
                return ServiceResult.ok(holder)
            self.security.record(
                SecurityEventType.LOGIN_FAILED,
                Severity.MEDIUM,
                user=user,
                email=address,
                details={"reason": "unknown email" if user is None else "bad password or inactive"},
            )
            if self._recent_failures(address) >= settings.PRS_LOGIN_MAX_FAILURES:
                self.security.record(
                    SecurityEventType.ACCOUNT_LOCKED,
                    Severity.HIGH,
                    user=user,
                    email=address,
                    details={"failures": settings.PRS_LOGIN_MAX_FAILURES},
                )
                return self._locked()
        return ServiceResult.fail(ErrorCode.VALIDATION, {"non_field_errors": [INVALID_CREDENTIALS]})

    def _recent_failures(self, email: str) -> int:
        since = timezone.now() - timedelta(minutes=settings.PRS_LOGIN_FAILURE_WINDOW_MINUTES)
        return SecurityEvent.objects.filter(
            email=email, event_type=SecurityEventType.LOGIN_FAILED, created_at__gte=since
        ).count()

    @staticmethod
    def _locked() -> ServiceResult[User]:
        minutes = settings.PRS_LOGIN_FAILURE_WINDOW_MINUTES
        return ServiceResult.fail(
            ErrorCode.LOCKED,
            {"non_field_errors": [f"Too many failed logins: locked for up to {minutes} minutes."]},
        )

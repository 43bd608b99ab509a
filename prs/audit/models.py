"""Append-only, hash-chained audit trail, and security events."""
from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries are append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit entries are append-only")


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    CALCULATE = "calculate", "Calculate"
    VERIFY = "verify", "Verify"
    READ = "mark_read", "Mark read"


class AuditLog(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="audit_logs")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_logs"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    # {"field": {"before": ..., "after": ...}}, values as JSON-safe strings.
    changes = models.JSONField(default=dict)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "id"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)  # pragma: no mutate — Django's own arguments: the same INSERT, one database

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit entries are append-only")


class SecurityEventType(models.TextChoices):
    LOGIN_FAILED = "login_failed", "Failed login"
    ACCOUNT_LOCKED = "account_locked", "Account locked"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    CROSS_ORGANIZATION_ACCESS = "cross_organization_access", "Another organization's object"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class SecurityEvent(models.Model):
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="security_events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events"
    )
    email = models.EmailField(blank=True)  # the login attempted, for failed logins of unknown users
    event_type = models.CharField(max_length=40, choices=SecurityEventType.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "event_type", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.email or self.user_id}"  # pragma: no mutate — a shell's label, not PRS output

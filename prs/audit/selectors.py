"""Reads of the audit trail: org admins and verifiers of the organization; superusers everything."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from prs.accounts.models import Role, User
from prs.audit.models import AuditLog
from prs.common.access import apply_filters, has_role, scope_to_actor

AUDIT_READER_ROLES = (Role.ORG_ADMIN, Role.VERIFIER)
AUDIT_FILTERS = {"action": "action", "object_type": "object_type", "object_id": "object_id", "actor": "actor_id"}


def may_read_audit(actor: User) -> bool:
    return has_role(actor, *AUDIT_READER_ROLES)


def audit_log_queryset(actor: User) -> QuerySet[AuditLog]:
    if not may_read_audit(actor):
        return AuditLog.objects.none()
    # select_related only saves queries: entries go out with their actor's and organization's ids, not joined rows
    related = AuditLog.objects.select_related("actor", "organization")  # pragma: no mutate — only saves queries
    return scope_to_actor(related, actor)


def audit_log_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[AuditLog]:
    return apply_filters(audit_log_queryset(actor), filters, AUDIT_FILTERS)

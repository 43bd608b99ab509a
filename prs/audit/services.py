"""Appending to and verifying the hash-chained audit trail."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prs.accounts.models import Organization, User
from prs.audit import selectors
from prs.audit.chain import ChainReport, entry_hash, verify_entries
from prs.audit.models import AuditAction, AuditLog
from prs.common.access import find_for_actor, forbidden, object_type
from prs.common.changes import Changes
from prs.common.human_ids import lock_organization
from prs.common.request_context import current_ip
from prs.common.results import ErrorCode, ServiceResult

AUDIT_READERS_ONLY = "Only organization admins and verifiers may read the audit trail."


class AuditServiceProtocol(Protocol):
    def record(
        self, actor: User, action: str, obj: models.Model, changes: Changes | None
    ) -> ServiceResult[AuditLog]: ...

    def get(self, actor: User, log_id: object) -> ServiceResult[AuditLog]: ...

    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[AuditLog]]: ...

    def verify_chain(self, organization: Organization | int | None = None) -> ServiceResult[ChainReport]: ...


class AuditService:
    dependencies: ClassVar[tuple[str, ...]] = ()

    def record(self, actor: User, action: str, obj: models.Model, changes: Changes | None) -> ServiceResult[AuditLog]:
        """Appends one entry to the chain of obj's organization. Runs inside the caller's transaction.

        The actor is the user whose request made the change, PRS's own recalculations included."""
        if action not in AuditAction.values:
            return ServiceResult.fail(ErrorCode.VALIDATION, {"action": [f"{action!r} is not an audit action."]})
        organization_id = obj.organization_id  # every audited object belongs to one organization
        with transaction.atomic():
            lock_organization(organization_id)  # one append at a time per chain
            last = (
                AuditLog.objects.filter(organization_id=organization_id)
                .order_by("-id")
                .values_list("entry_hash", flat=True)
                .first()
            )
            entry = AuditLog(
                organization_id=organization_id,
                actor=actor,
                action=action,
                object_type=object_type(obj),
                object_id=str(obj.pk),
                changes=changes or {},
                ip_address=current_ip.get(),
                created_at=timezone.now(),
                previous_hash=last or "",
            )
            entry.entry_hash = entry_hash(entry.previous_hash, entry)
            entry.save()
        return ServiceResult.ok(entry)

    def get(self, actor: User, log_id: object) -> ServiceResult[AuditLog]:
        if not selectors.may_read_audit(actor):
            return forbidden(actor, "view", AuditLog, AUDIT_READERS_ONLY, object_id=log_id)
        # select_related only saves queries: the same rows, fewer queries
        entries = AuditLog.objects.select_related("actor", "organization")  # pragma: no mutate — see above
        entry, failure = find_for_actor(actor, entries, log_id, label="Audit entry")
        return failure or ServiceResult.ok(entry)

    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[AuditLog]]:
        if not selectors.may_read_audit(actor):
            return forbidden(actor, "list", AuditLog, AUDIT_READERS_ONLY)
        return ServiceResult.ok(selectors.audit_log_list(actor, filters))

    def verify_chain(self, organization: Organization | int | None = None) -> ServiceResult[ChainReport]:
        """Intact → ok(report). Broken → CONFLICT naming the first broken link of each organization."""
        if organization is None:
            ids = sorted(set(AuditLog.objects.values_list("organization_id", flat=True)))
        else:
            ids = [organization.pk if isinstance(organization, Organization) else int(organization)]
        report = verify_entries(ids)
        if report.intact:
            return ServiceResult.ok(report)
        return ServiceResult(
            success=False,
            data=report,
            errors={f"organization_{link.organization_id}": [link.describe()] for link in report.broken},
            error_code=ErrorCode.CONFLICT,
        )

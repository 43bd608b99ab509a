"""Clients of an organization."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from prs.accounts.models import Role, User
from prs.audit.models import AuditAction
from prs.audit.services import AuditServiceProtocol
from prs.clients import selectors
from prs.clients.models import PHONE_PATTERN, Client, ClientStatus
from prs.common.access import find_for_actor, for_update, forbidden, has_role, stale_version
from prs.common.changes import created, deleted, save_changes, snapshot
from prs.common.inputs import Payload
from prs.common.organizations import organization_for_create
from prs.common.results import ErrorCode, ServiceResult, collaborator_failures_as_results, expect_ok

AUDITED_FIELDS = ("name", "email", "phone", "nationality", "status")
WRITER_ROLES = (Role.ORG_ADMIN, Role.SALESPERSON)


class ClientServiceProtocol(Protocol):
    def create(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Client]: ...
    def get(self, actor: User, client_id: object) -> ServiceResult[Client]: ...
    def update(self, actor: User, client_id: object, data: Mapping[str, Any]) -> ServiceResult[Client]: ...
    def delete(self, actor: User, client_id: object) -> ServiceResult[None]: ...
    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Client]]: ...


def _read_fields(payload: Payload, *, partial: bool) -> dict[str, Any]:
    """The client fields present in the payload (all required ones when not partial), converted."""
    values: dict[str, Any] = {}
    readers = {  # name, email and phone are required, and may not be emptied by an edit either
        "name": lambda: payload.string("name", max_length=200),
        "email": lambda: payload.email("email"),
        "phone": lambda: payload.string("phone", max_length=16),  # pragma: no mutate — the pattern allows 16 at most
        "nationality": lambda: payload.string("nationality", required=False, max_length=100),
        "status": lambda: payload.choice("status", ClientStatus.values, required=False, default=ClientStatus.PENDING),
    }
    for name, read in readers.items():
        if partial and not payload.has(name):
            continue
        values[name] = read()
    phone = values.get("phone")
    if phone and not re.fullmatch(PHONE_PATTERN, phone):
        payload.errors.add("phone", f"Phone must be + followed by 10 to 15 digits (got {phone!r}).")
    return values


def _duplicate_email(organization_id: int, email: str | None,
                     exclude_id: int | None = None) -> ServiceResult[Client] | None:
    """After the database refused a write: the refusal of a duplicate email, or None for any other integrity
    error (a bug, which the caller re-raises)."""
    # The unique (organization, email) constraint is the only one a validated client write can break; the
    # checks below tell it from a bug, which no request can provoke: their mutants are equivalent.
    taken = email is not None and selectors.client_email_taken(  # pragma: no mutate — see above
        organization_id, email, exclude_id=exclude_id)  # pragma: no mutate — see above
    if not taken:
        return None
    return ServiceResult.fail(ErrorCode.VALIDATION, {"email": [f"A client with email {email} already exists."]})


@collaborator_failures_as_results
class ClientService:
    dependencies: ClassVar[tuple[str, ...]] = ("audit_service",)

    def __init__(self, *, audit_service: AuditServiceProtocol) -> None:
        self.audit_service = audit_service

    def create(self, actor: User, data: Mapping[str, Any]) -> ServiceResult[Client]:
        if not has_role(actor, *WRITER_ROLES):
            return forbidden(actor, "create", Client, "Only organization admins and salespeople create clients.")
        payload = Payload(data)
        organization = organization_for_create(actor, payload)
        values = _read_fields(payload, partial=False)  # pragma: no mutate — None for False reads the same: equivalent
        if payload.errors:
            return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
        assert organization is not None
        try:
            with transaction.atomic():
                client = Client.objects.create(organization=organization, created_by=actor, **values)
                expect_ok(self.audit_service.record(actor, AuditAction.CREATE, client,
                                                    created(snapshot(client, AUDITED_FIELDS))))
        except IntegrityError:  # the unique (organization, email) constraint: the one check, race-free
            refusal = _duplicate_email(organization.pk, values.get("email"))
            if refusal is None:
                raise
            return refusal
        return ServiceResult.ok(client)

    def get(self, actor: User, client_id: object) -> ServiceResult[Client]:
        client, failure = find_for_actor(actor, selectors.client_queryset(actor), client_id, label="Client")
        return failure or ServiceResult.ok(client)

    def update(self, actor: User, client_id: object, data: Mapping[str, Any]) -> ServiceResult[Client]:
        try:
            with transaction.atomic():
                client, failure = find_for_actor(
                    actor, for_update(selectors.client_queryset(actor)), client_id, label="Client"
                )
                if failure:
                    return failure
                assert client is not None
                if not has_role(actor, *WRITER_ROLES):
                    return forbidden(actor, "update", client, "Only organization admins and salespeople edit clients.")
                conflict = stale_version(data, client)
                if conflict:
                    return conflict
                payload = Payload(data)
                values = _read_fields(payload, partial=True)
                if payload.errors:
                    return ServiceResult.fail(ErrorCode.VALIDATION, payload.errors.errors)
                changes = save_changes(client, values, AUDITED_FIELDS)
                expect_ok(self.audit_service.record(actor, AuditAction.UPDATE, client, changes))
        except IntegrityError:  # see create
            refusal = _duplicate_email(client.organization_id, values.get("email"),
                                       exclude_id=client.pk)  # pragma: no mutate — see _duplicate_email
            if refusal is None:
                raise
            return refusal
        return ServiceResult.ok(client)

    def delete(self, actor: User, client_id: object) -> ServiceResult[None]:
        with transaction.atomic():
            client, failure = find_for_actor(
                actor, for_update(selectors.client_queryset(actor)), client_id, label="Client"
            )
            if failure:
                return failure
            assert client is not None
            if not has_role(actor, Role.ORG_ADMIN):
                return forbidden(actor, "delete", client, "Only organization admins delete clients.")
            if client.deals.exists():
                return ServiceResult.fail(
                    ErrorCode.CONFLICT, {"non_field_errors": [f"Client {client.pk} has deals and cannot be deleted."]}
                )
            expect_ok(self.audit_service.record(actor, AuditAction.DELETE, client,
                                                deleted(snapshot(client, AUDITED_FIELDS))))
            client.delete()
        return ServiceResult.ok(None)

    def list(self, actor: User, filters: Mapping[str, Any] | None = None) -> ServiceResult[QuerySet[Client]]:
        return ServiceResult.ok(selectors.client_list(actor, filters))

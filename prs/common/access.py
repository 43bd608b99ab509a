"""Organization scoping and the failures every service shares (not found, forbidden, stale version).

An object of another organization is reported exactly like one that does not exist (NOT_FOUND, never
its data), and the attempt is recorded as a security event.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from prs.accounts.models import Role, User
from prs.common.inputs import parse_int
from prs.common.results import ErrorCode, ServiceResult

M = TypeVar("M", bound=models.Model)


def scope_to_actor(queryset: models.QuerySet[M], actor: User) -> models.QuerySet[M]:
    """Rows of the actor's organization (every scoped model has its `organization`); a superuser sees all, an
    inactive or unaffiliated user none."""
    if not actor.is_active:
        return queryset.none()
    if actor.is_superuser:
        return queryset
    if actor.organization_id is None:
        return queryset.none()
    return queryset.filter(organization_id=actor.organization_id)


@dataclass(frozen=True)
class Located(Generic[M]):
    """The outcome of looking an object up for an actor."""

    obj: M | None
    in_other_organization: bool = False


def locate(actor: User, queryset: models.QuerySet[M], pk: object) -> Located[M]:
    """Finds pk within the actor's scope; else tells whether it exists in another organization."""
    key = parse_int(pk)
    if key is None:
        return Located(None)
    found = scope_to_actor(queryset, actor).filter(pk=key).first()
    if found is not None:
        return Located(found)
    if actor.is_superuser:
        return Located(None)
    elsewhere = queryset.model._default_manager.filter(pk=key).exclude(organization_id=actor.organization_id)
    return Located(None, in_other_organization=elsewhere.exists())


def object_type(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def for_update(queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """The rows locked until the transaction ends (SELECT … FOR UPDATE OF the rows themselves, not the joined
    ones): for a write that must not race another."""
    return queryset.select_for_update(of=("self",))  # mutate: only on postgresql — a row lock: SQLite has none


def find_for_actor(
    actor: User,
    queryset: models.QuerySet[M],
    pk: object,
    *,
    label: str,
    field: str = "non_field_errors",
) -> tuple[M | None, ServiceResult[Any] | None]:
    """(object, None) or (None, failure). Reaching into another organization is a security event.

    A write that must not race another passes ``for_update(queryset)``: the object comes locked."""
    from prs.accounts.services import security_service  # the security service records into audit models

    located = locate(actor, queryset, pk)
    if located.obj is not None:
        return located.obj, None
    if located.in_other_organization:
        security_service.cross_organization_access(actor, object_type(queryset.model), pk)
    return None, ServiceResult.fail(ErrorCode.NOT_FOUND, {field: [f"{label} {pk} not found."]})


def forbidden(actor: User, action: str, target: models.Model | type[models.Model], message: str,
              object_id: object = "", fields: Sequence[str] = ("non_field_errors",)) -> ServiceResult[Any]:
    """A FORBIDDEN result, recorded as a permission_denied security event naming the object: `target`'s id, or
    `object_id` when the refusal comes before the object is looked up (a class as `target`). The message goes
    on `fields` when the refusal is of some fields only (a salesperson setting a commission's terms)."""
    from prs.accounts.services import security_service

    pk = target.pk if isinstance(target, models.Model) else object_id
    security_service.permission_denied(actor, action, object_type(target), pk)
    return ServiceResult.fail(ErrorCode.FORBIDDEN, {name: [message] for name in fields})


def has_role(actor: User, *roles: Role) -> bool:
    return actor.is_active and (actor.is_superuser or actor.role in roles)


def stale_version(data: Mapping[str, Any] | None, obj: models.Model) -> ServiceResult[Any] | None:
    """CONFLICT when the caller's version is not the stored one (optimistic concurrency)."""
    if not isinstance(data, Mapping) or data.get("version") is None:  # blank is no version: refused below
        return None
    given = parse_int(data["version"])
    if given is None:
        return ServiceResult.fail(ErrorCode.VALIDATION, {"version": [f"Must be an integer (got {data['version']!r})."]})
    current = obj.version  # type: ignore[attr-defined]
    if given != current:
        return ServiceResult.fail(
            ErrorCode.CONFLICT,
            {"version": [f"Stale version {given}: the object was changed meanwhile (now version {current})."]},
        )
    return None


def apply_filters(
    queryset: models.QuerySet[Any], filters: Mapping[str, Any] | None, lookups: Mapping[str, str]
) -> models.QuerySet[Any]:
    """Applies each non-empty filter through its lookup (filter name → ORM lookup)."""
    for name, lookup in lookups.items():
        value = (filters or {}).get(name)
        if value is not None:  # the API refuses blank filters before they get here
            try:
                queryset = queryset.filter(**{lookup: value})
            except (ValueError, TypeError, ValidationError):
                return queryset.none()  # a value that cannot match (e.g. "abc" for an id) matches nothing
    return queryset

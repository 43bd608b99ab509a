"""Notifications are personal: a user reads their own; a superuser reads all."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from prs.accounts.models import Role, User
from prs.common.access import apply_filters
from prs.notifications.models import Notification


def notification_queryset(actor: User) -> QuerySet[Notification]:
    queryset = Notification.objects.select_related("recipient")  # pragma: no mutate — select_related only saves queries
    if not actor.is_active:
        return queryset.none()
    return queryset if actor.is_superuser else queryset.filter(recipient=actor)


def notification_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Notification]:
    queryset = notification_queryset(actor)
    filters = filters or {}
    if filters.get("is_read") is not None:  # True or False: the API's filter serializer reads its spellings
        queryset = queryset.filter(is_read=filters["is_read"])
    return apply_filters(queryset, filters, {"notification_type": "notification_type", "priority": "priority"})


def org_members(organization_id: int, role: Role) -> QuerySet[User]:
    return User.objects.filter(organization_id=organization_id, role=role, is_active=True)

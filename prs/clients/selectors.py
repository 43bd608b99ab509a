"""Reads of clients, scoped to the actor's organization."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from prs.accounts.models import User
from prs.clients.models import Client
from prs.common.access import apply_filters, scope_to_actor

CLIENT_FILTERS = {"status": "status", "nationality": "nationality__iexact", "email": "email__iexact"}


def client_queryset(actor: User) -> QuerySet[Client]:
    # select_related only saves queries: clients go out with their organization's and author's ids, not joined rows
    related = Client.objects.select_related("organization", "created_by")  # pragma: no mutate — only saves queries
    return scope_to_actor(related, actor)


def client_list(actor: User, filters: Mapping[str, Any] | None = None) -> QuerySet[Client]:
    queryset = apply_filters(client_queryset(actor), filters, CLIENT_FILTERS)
    term = (filters or {}).get("search")
    if term not in (None, ""):  # pragma: no mutate — an empty search would match every client anyway
        queryset = queryset.filter(Q(name__icontains=str(term)) | Q(email__icontains=str(term)))
    return queryset


def client_email_taken(organization_id: int, email: str, exclude_id: int | None = None) -> bool:
    # the unique (organization, email) constraint refuses the same duplicate with the same answer (400 naming email)
    same = {"organization_id": organization_id, "email__iexact": email}  # pragma: no mutate — see above
    queryset = Client.objects.filter(**same)
    # Asked only after the database refused a duplicate email, which another client then holds: leaving the
    # client itself out matters only for an integrity error that is not a duplicate (a bug, re-raised).
    if exclude_id is not None:  # pragma: no mutate — equivalent on every path a request can reach, see above
        queryset = queryset.exclude(pk=exclude_id)  # pragma: no mutate — see above
    return queryset.exists()

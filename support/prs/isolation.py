"""Organization isolation: nobody sees another organization's data, through the REST API or the selectors.

For every active organization and every role (a user of the role is created if the organization has
none), `find_leaks()` checks each resource:
- API list (`GET /api/<resource>/`, token auth, every page): no object of another organization;
- API detail (`GET /api/<resource>/<id>/`) for ids of other organizations: 404 — never 200, never 403
  (a 403 would confirm the object exists). The one exception: a role refused the whole resource (its list
  answers 403, as the audit trail does for salespeople) may answer 403, provided an id that exists
  nowhere gets the same answer. Up to `max_detail_probes` foreign ids per resource and user are probed
  (evenly spread, smallest and largest included); the selector check below covers every id;
- selectors (`*_queryset(actor)` and `*_list(actor)`): no row of another organization, in one query.

Everything the check creates (users, tokens, the security events the probes cause) is rolled back: it
runs in its own savepoint. `IsolationError` names the endpoint, the user and the leaking ids.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from prs.accounts.models import Organization, Role, User
from prs.audit.models import AuditLog
from prs.clients.models import Client
from prs.commissions.models import Commission
from prs.deals.models import Deal, Payment
from prs.notifications.models import Notification

PAGE_SIZE = 100
MAX_IDS_SHOWN = 20
DEFAULT_DETAIL_PROBES = 20


@dataclass(frozen=True)
class Resource:
    name: str
    path: str  # list endpoint
    model: type[models.Model]
    selector_module: str
    selectors: tuple[str, ...]  # looked up at call time, so a patched selector is the one checked

    def selector(self, name: str) -> Callable[[User], models.QuerySet[Any]]:
        return getattr(importlib.import_module(self.selector_module), name)


RESOURCES: tuple[Resource, ...] = (
    Resource("clients", "/api/clients/", Client, "prs.clients.selectors", ("client_queryset", "client_list")),
    Resource("deals", "/api/deals/", Deal, "prs.deals.selectors", ("deal_queryset", "deal_list")),
    Resource("payments", "/api/payments/", Payment, "prs.deals.selectors", ("payment_queryset", "payment_list")),
    Resource("commissions", "/api/commissions/", Commission, "prs.commissions.selectors",
             ("commission_queryset", "commission_list")),
    Resource("notifications", "/api/notifications/", Notification, "prs.notifications.selectors",
             ("notification_queryset", "notification_list")),
    Resource("audit-logs", "/api/audit-logs/", AuditLog, "prs.audit.selectors",
             ("audit_log_queryset", "audit_log_list")),
)


@dataclass(frozen=True)
class Leak:
    channel: str  # "api list" | "api detail" | "selector" | "unverifiable"
    endpoint: str
    user: str
    ids: tuple[Any, ...] = ()
    detail: str = ""
    total: int = field(default=0, compare=False)

    def describe(self) -> str:
        shown = ", ".join(map(str, self.ids[:MAX_IDS_SHOWN]))
        more = f" … ({self.total} in all)" if self.total > len(self.ids[:MAX_IDS_SHOWN]) else ""
        ids = f" ids [{shown}{more}]" if self.ids else ""
        return f"{self.channel}: {self.endpoint} as {self.user}:{ids}{' — ' + self.detail if self.detail else ''}"


class IsolationError(AssertionError):
    """Some user sees, or can confirm, another organization's objects; `leaks` lists every case."""

    def __init__(self, leaks: list[Leak]) -> None:
        self.leaks = leaks
        lines = "\n  ".join(leak.describe() for leak in leaks)
        super().__init__(f"{len(leaks)} organization isolation leak(s):\n  {lines}")


def describe_user(user: User) -> str:
    return f"{user.email} ({user.role}, organization {user.organization_id})"


def spread(ids: list[Any], limit: int | None) -> list[Any]:
    """All ids, or `limit` of them evenly spread (first and last included)."""
    if limit is None or len(ids) <= limit:
        return ids
    if limit <= 1:
        return ids[:limit]
    step = (len(ids) - 1) / (limit - 1)
    return list(dict.fromkeys(ids[round(i * step)] for i in range(limit)))


def member_per_role(organization: Organization) -> Iterator[User]:
    """An active user of each role in the organization; one is created where the role has none."""
    for role in Role:
        user = User.objects.filter(organization=organization, role=role, is_active=True).order_by("pk").first()
        if user is None:
            user = User.objects.create_user(f"isolation.{role}.{organization.pk}@prs.test", None,
                                            organization=organization, role=role)
        yield user


class IsolationProbe:
    def __init__(self, max_detail_probes: int | None = DEFAULT_DETAIL_PROBES) -> None:
        self.max_detail_probes = max_detail_probes
        self.leaks: list[Leak] = []
        # resource name -> {pk: organization_id}
        self.owners = {r.name: dict(r.model._base_manager.values_list("pk", "organization_id")) for r in RESOURCES}
        self.missing_id = {r.name: max(self.owners[r.name], default=0) + 1_000_000 for r in RESOURCES}

    def run(self) -> list[Leak]:
        for organization in Organization.objects.filter(is_active=True).order_by("pk"):
            for user in member_per_role(organization):
                client = APIClient()
                token, _ = Token.objects.get_or_create(user=user)
                client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
                for resource in RESOURCES:
                    owners = self.owners[resource.name]
                    foreign = sorted(pk for pk, org in owners.items() if org != user.organization_id)
                    self.check_selectors(resource, user)
                    refused = self.check_list(client, resource, user, set(foreign))
                    self.check_details(client, resource, user, foreign, refused)
        return self.leaks

    def check_selectors(self, resource: Resource, user: User) -> None:
        for name in resource.selectors:
            rows = resource.selector(name)(user).exclude(organization_id=user.organization_id)
            ids = list(rows.order_by("pk").values_list("pk", flat=True)[: MAX_IDS_SHOWN + 1])
            if ids:
                total = len(ids) if len(ids) <= MAX_IDS_SHOWN else rows.count()
                self.leaks.append(Leak("selector", f"{resource.selector_module}.{name}", describe_user(user),
                                       tuple(ids), "rows of another organization", total))

    def check_list(self, client: APIClient, resource: Resource, user: User, foreign: set[Any]) -> bool:
        """Walks every page; True when the role is refused the whole resource (403)."""
        url: str | None = f"{resource.path}?page_size={PAGE_SIZE}"
        seen: list[Any] = []
        while url:
            response = client.get(url)
            if response.status_code == 403 and not seen:
                return True
            if response.status_code != 200:
                answer = f"answered {response.status_code}, expected 200: {response.content[:200]!r}"
                self.leaks.append(Leak("unverifiable", f"GET {url}", describe_user(user), detail=answer))
                return False
            body = response.json()
            seen.extend(item.get("id") for item in body.get("results", []))
            url = body.get("next")
        leaked = [pk for pk in seen if pk in foreign]
        if leaked:
            self.leaks.append(Leak("api list", f"GET {resource.path}", describe_user(user), tuple(leaked),
                                   "objects of another organization listed", len(leaked)))
        return False

    def check_details(self, client: APIClient, resource: Resource, user: User, foreign: list[Any],
                      refused: bool) -> None:
        allowed = {404}
        if refused:
            nowhere = client.get(f"{resource.path}{self.missing_id[resource.name]}/").status_code
            allowed = {nowhere} if nowhere in (403, 404) else {404}
        wrong: dict[int, list[Any]] = {}
        for pk in spread(foreign, self.max_detail_probes):
            status = client.get(f"{resource.path}{pk}/").status_code
            if status not in allowed:
                wrong.setdefault(status, []).append(pk)
        for status, ids in sorted(wrong.items()):
            self.leaks.append(Leak("api detail", f"GET {resource.path}<id>/", describe_user(user), tuple(ids),
                                   f"answered {status} for another organization's objects "
                                   f"(expected {' or '.join(map(str, sorted(allowed)))})", len(ids)))


def find_leaks(max_detail_probes: int | None = DEFAULT_DETAIL_PROBES) -> list[Leak]:
    """Every leak; nothing the probe creates survives it (savepoint rolled back)."""
    with transaction.atomic():
        try:
            return IsolationProbe(max_detail_probes).run()
        finally:
            transaction.set_rollback(True)


def assert_organization_data_isolation(max_detail_probes: int | None = DEFAULT_DETAIL_PROBES) -> None:
    leaks = find_leaks(max_detail_probes)
    if leaks:
        raise IsolationError(leaks)

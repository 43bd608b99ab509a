"""`assert_organization_data_isolation`: passes on PRS as it is; a planted leak is caught and named."""
from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet

from support.prs.isolation import IsolationError, find_leaks, spread
from tests.prs_framework.conftest import Tenant


def test_prs_keeps_organizations_apart(tenants: tuple[Tenant, Tenant]) -> None:
    assert find_leaks(max_detail_probes=None) == []
    tenants[0].framework.assert_organization_data_isolation()


def test_the_check_leaves_nothing_behind(tenants: tuple[Tenant, Tenant]) -> None:
    from prs.accounts.models import User
    from prs.audit.models import SecurityEvent

    before = (User.objects.count(), SecurityEvent.objects.count())
    find_leaks()
    assert (User.objects.count(), SecurityEvent.objects.count()) == before


def test_a_selector_without_its_organization_filter_is_caught(
    tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prs.deals import selectors
    from prs.deals.models import Deal

    def leaky_deal_list(actor: Any, filters: Any = None) -> QuerySet[Deal]:
        return Deal.objects.select_related("organization", "client", "salesperson")  # the org filter dropped

    monkeypatch.setattr(selectors, "deal_list", leaky_deal_list)
    a, b = tenants
    with pytest.raises(IsolationError) as caught:
        a.framework.assert_organization_data_isolation()
    leaks = caught.value.leaks
    api = [leak for leak in leaks if leak.channel == "api list" and leak.endpoint == "GET /api/deals/"]
    selector = [leak for leak in leaks
                if leak.channel == "selector" and leak.endpoint == "prs.deals.selectors.deal_list"]
    # Every role of both organizations sees the other's deal.
    assert len(api) == 6 and len(selector) == 6, leaks
    seller_a = next(leak for leak in api if leak.user.startswith(a.framework.test_users["salesperson"].email))
    assert seller_a.ids == (b.deal.pk,)
    assert f"api list: GET /api/deals/ as {a.framework.test_users['salesperson'].email}" in str(caught.value)
    assert f"ids [{b.deal.pk}]" in str(caught.value)
    assert not [leak for leak in leaks if "deals" not in leak.endpoint], "only the deal lists leak"


@pytest.mark.parametrize("status", [200, 403])
def test_a_detail_endpoint_that_answers_for_foreign_ids_is_caught(
    tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    """200 shows another organization's client; 403 confirms it exists. Both are leaks."""
    from rest_framework.response import Response

    from prs.clients.apis import ClientViewSet
    from prs.clients.models import Client

    real_retrieve = ClientViewSet.retrieve

    def retrieve(self: Any, request: Any, pk: str) -> Response:
        client = Client.objects.filter(pk=pk).first()
        if client is not None and client.organization_id != request.user.organization_id:
            return Response({"id": client.pk, "name": client.name}, status=status)
        return real_retrieve(self, request, pk)

    monkeypatch.setattr(ClientViewSet, "retrieve", retrieve)
    a, b = tenants
    with pytest.raises(IsolationError) as caught:
        a.framework.assert_organization_data_isolation()
    leaks = caught.value.leaks
    assert {leak.channel for leak in leaks} == {"api detail"}, leaks
    assert {leak.endpoint for leak in leaks} == {"GET /api/clients/<id>/"}
    assert len(leaks) == 6  # three roles in each of two organizations
    admin_b = next(leak for leak in leaks if leak.user.startswith(b.framework.test_users["admin"].email))
    assert admin_b.ids == (a.client.pk,) and f"answered {status}" in admin_b.detail


def test_an_endpoint_that_fails_cannot_pass_as_isolated(
    tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rest_framework.response import Response

    from prs.commissions.apis import CommissionViewSet

    monkeypatch.setattr(CommissionViewSet, "list", lambda self, request: Response({"oops": 1}, status=500))
    with pytest.raises(IsolationError) as caught:
        find_leaks_or_raise()
    assert {leak.channel for leak in caught.value.leaks} == {"unverifiable"}
    assert "answered 500" in str(caught.value)


def find_leaks_or_raise() -> None:
    leaks = find_leaks()
    if leaks:
        raise IsolationError(leaks)


def test_missing_roles_get_a_user_for_the_check(
    tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An organization with only a salesperson is still checked as admin and verifier (users made and rolled back)."""
    from prs.accounts.models import User
    from support.prs import isolation
    from support.prs.factories import OrganizationFactory, UserFactory

    lonely = UserFactory(salesperson=True, organization=OrganizationFactory())
    seen: list[tuple[int, str]] = []
    original = isolation.IsolationProbe.check_selectors

    def spy(self: Any, resource: Any, user: Any) -> None:
        seen.append((user.organization_id, user.role))
        original(self, resource, user)

    monkeypatch.setattr(isolation.IsolationProbe, "check_selectors", spy)
    assert find_leaks() == []
    assert {role for org, role in seen if org == lonely.organization_id} == {"org_admin", "salesperson", "verifier"}
    assert User.objects.filter(organization=lonely.organization).count() == 1


def test_spread_keeps_the_ends() -> None:
    assert spread(list(range(10)), None) == list(range(10))
    assert spread(list(range(100)), 5) == [0, 25, 50, 74, 99]

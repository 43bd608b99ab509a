"""Shared pytest fixtures: organizations, users of each role and the services, built with the ORM."""
from __future__ import annotations

import os

os.environ.setdefault("PRS_FAST_HASHER", "1")  # before Django reads its settings

import itertools  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher() -> Any:
    """pytest-django may load the settings before this module sets PRS_FAST_HASHER; force the fast hasher."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def services() -> dict[str, Any]:
    from prs.services import build_services

    return build_services()


@pytest.fixture
def make_org(db: None) -> Callable[..., Any]:
    from prs.accounts.models import Organization

    def make(name: str | None = None, **fields: Any) -> Organization:
        return Organization.objects.create(name=name or f"Org {next(_sequence)}", **fields)

    return make


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    from prs.accounts.models import User

    def make(organization: Any, role: str, email: str | None = None, **fields: Any) -> User:
        email = email or f"{role}{next(_sequence)}@{organization.name.replace(' ', '').lower()}.test"
        return User.objects.create_user(email, PASSWORD, organization=organization, role=role, **fields)

    return make


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org("Acme")


@pytest.fixture
def admin(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(org, "org_admin")


@pytest.fixture
def seller(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(org, "salesperson")


@pytest.fixture
def verifier(make_user: Callable[..., Any], org: Any) -> Any:
    return make_user(org, "verifier")


@pytest.fixture
def client_obj(services: dict[str, Any], seller: Any) -> Any:
    result = services["client_service"].create(
        seller, {"name": "Globex", "email": "buyer@globex.test", "phone": "+9779800000000"}
    )
    assert result.success, result.errors
    return result.data


@pytest.fixture
def deal_data() -> Callable[..., dict[str, Any]]:
    """A valid deal payload for a client, as JSON would give it."""
    return _deal_payload


@pytest.fixture
def payment_data() -> Callable[..., dict[str, Any]]:
    """A valid payment payload (bank transfer, dated today) for a deal."""
    return _payment_payload


def _deal_payload(client: Any, **overrides: Any) -> dict[str, Any]:
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "client": client.pk,
        "value": "1000.00",
        "deal_date": (today - timedelta(days=10)).isoformat(),
        "due_date": (today + timedelta(days=30)).isoformat(),
        "payment_method": "bank",
        **overrides,
    }


def _payment_payload(deal: Any, amount: str | Decimal = "100.00", **overrides: Any) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "deal": deal.pk,
        "amount": str(amount),
        "payment_date": timezone.localdate().isoformat(),
        "payment_type": "bank",
        **overrides,
    }


@pytest.fixture
def deal(services: dict[str, Any], seller: Any, client_obj: Any, admin: Any, verifier: Any) -> Any:
    result = services["deal_service"].create(seller, _deal_payload(client_obj))
    assert result.success, result.errors
    return result.data

"""PRS data of two organizations, made through PRS's services by the framework, for the PRS assertions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest


@dataclass
class Tenant:
    framework: Any
    organization: Any
    client: Any
    deal: Any
    approved: Any  # payment approved in full by the test verifier
    pending: Any  # payment not decided yet
    commission: Any


def make_tenant() -> Tenant:
    from django.utils import timezone

    from support.prs.integration import PRSIntegrationFramework

    framework = PRSIntegrationFramework()
    for role in framework.test_users:  # every role present, so leaks name these users
        framework.test_users[role]  # noqa: B018
    client = framework.create_test_client()
    deal = framework.create_test_deal(client, {"value": Decimal("1000.00")})
    approved = framework.create_test_payment(deal, {"amount": Decimal("400.00"), "approved": True})
    pending = framework.create_test_payment(deal, {"amount": Decimal("100.00")})
    today = timezone.localdate()
    result = framework.services["commission_service"].calculate(
        framework.test_users["salesperson"], {"period_start": today - timedelta(days=7), "period_end": today}
    )
    assert result.success, result.errors
    deal.refresh_from_db()
    return Tenant(framework, framework.test_organization, client, deal, approved, pending, result.data)


@pytest.fixture
def tenants(db: None) -> tuple[Tenant, Tenant]:
    """Two organizations, each with a client, a deal, an approved and a pending payment and a commission."""
    return make_tenant(), make_tenant()

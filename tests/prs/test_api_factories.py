"""The factories and demo seeding the API tests stand on: PRS's services make the data, seeding is idempotent."""
from __future__ import annotations

from decimal import Decimal

import pytest

from prs.audit.models import AuditLog
from prs.deals.models import Deal, Payment
from prs.notifications.models import Notification
from support.prs.factories import (
    DealFactory,
    FactoryServiceError,
    PaymentFactory,
    UserFactory,
    bulk_clients,
    bulk_deals,
)
from support.prs.seeding import SeedSize, seed

pytestmark = pytest.mark.django_db


def test_payment_factory_goes_through_the_services() -> None:
    payment = PaymentFactory(approved=True, amount=Decimal("400.00"))
    assert (payment.transaction_id, payment.invoice.invoice_id, payment.deal.deal_id) == ("TXN-0001", "INV-0001",
                                                                                          "DLID0001")
    assert payment.status == "approved" and payment.approval.verifier.role == "verifier"
    assert payment.deal.client.organization_id == payment.organization_id == payment.recorded_by.organization_id
    assert AuditLog.objects.filter(object_type="deals.payment", object_id=str(payment.pk)).count() == 2
    assert Notification.objects.filter(notification_type="payment_approved").count() == 1


def test_users_log_in_with_password_and_traits_set_roles() -> None:
    verifier = UserFactory(verifier=True)
    assert verifier.role == "verifier" and verifier.check_password("password")
    assert UserFactory(superuser=True).organization is None


def test_a_refusing_service_raises_naming_the_field() -> None:
    with pytest.raises(FactoryServiceError, match="deal_service.create.*value"):
        DealFactory(value=Decimal("-1"))


def test_bulk_deals_continue_prss_numbering() -> None:
    seller = UserFactory(salesperson=True)
    DealFactory(salesperson=seller)
    deals = bulk_deals(bulk_clients(seller.organization, 5), per_client=2, salesperson=seller)
    assert [deal.deal_id for deal in deals][:2] == ["DLID0002", "DLID0003"]
    assert DealFactory(salesperson=seller).deal_id == "DLID0012"


def test_seeding_is_idempotent_and_tops_up() -> None:
    size = SeedSize(organizations=2, clients=2, deals=3, payments=4)
    first = seed(size)
    assert first.created == {"users": 8, "clients": 4, "deals": 6, "payments": 8}
    assert seed(size).created == {"users": 0, "clients": 0, "deals": 0, "payments": 0}
    assert seed(SeedSize(organizations=2, clients=2, deals=4, payments=4)).created["deals"] == 2
    assert Deal.objects.count() == 8 and Payment.objects.count() == 8
    assert set(Payment.objects.values_list("status", flat=True)) == {"approved", "rejected", "pending"}


def test_impossible_seed_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="payments per deal"):
        SeedSize(deals=1, payments=11)
    with pytest.raises(ValueError, match="unknown seed size"):
        seed("huge")

"""Database constraints reject bad rows even when the services are bypassed."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from prs.accounts.models import Organization, User
from prs.clients.models import Client
from prs.commissions.models import Commission
from prs.deals.models import Approval, Deal, Payment
from prs.notifications.models import Notification


def rejected(model, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


def deal_fields(org, client, seller, **overrides):
    return {"organization": org, "deal_id": "DLIDX", "client": client, "salesperson": seller,
            "value": Decimal("10"), "deal_date": date(2026, 1, 1), "due_date": date(2026, 2, 1),
            "payment_method": "bank", **overrides}


def payment_fields(deal, seller, **overrides):
    return {"organization": deal.organization, "transaction_id": "TXN-X", "deal": deal,
            "payment_date": date(2026, 1, 2),
            "amount": Decimal("5"), "payment_type": "bank", "recorded_by": seller, **overrides}


def test_organization_rows(db):
    rejected(Organization, name="A", default_commission_rate=Decimal("100.01"))
    rejected(Organization, name="B", currency="usd")


def test_user_needs_organization_and_role_unless_superuser(org):
    rejected(User, email="a@a.test", organization=None, role="salesperson")
    rejected(User, email="b@b.test", organization=org, role="")
    rejected(User, email="c@c.test", organization=org, role="king")
    rejected(User, email="d@d.test", organization=org, role="org_admin", is_superuser=True)


def test_client_rows(client_obj):
    base = {"organization": client_obj.organization, "name": "n", "created_by": client_obj.created_by}
    rejected(Client, **base, email=client_obj.email, phone="+12025550100")
    rejected(Client, **base, email="p@p.test", phone="12025550100")
    rejected(Client, **base, email="s@s.test", phone="+12025550100", status="unknown")


@pytest.mark.parametrize(
    "overrides",
    [{"value": Decimal("0")}, {"value": Decimal("1000000000.00")}, {"due_date": date(2025, 12, 31)},
     {"payment_method": "crypto"}, {"verification_status": "maybe"}, {"payment_status": "overpaid"},
     {"progress": Decimal("100.01")}, {"deal_id": "DLID0001"}],
)
def test_deal_rows(deal, overrides):
    rejected(Deal, **deal_fields(deal.organization, deal.client, deal.salesperson, **overrides))


@pytest.mark.parametrize(
    "overrides",
    [{"amount": Decimal("0")}, {"payment_type": "cheque", "cheque_number": None},
     {"payment_type": "cheque", "cheque_number": ""}, {"status": "lost"}],
)
def test_payment_rows(deal, overrides):
    rejected(Payment, **payment_fields(deal, deal.salesperson, **overrides))


def test_duplicate_cheque_and_transaction_ids(deal):
    Payment.objects.create(**payment_fields(deal, deal.salesperson, payment_type="cheque", cheque_number="C1"))
    rejected(Payment, **payment_fields(deal, deal.salesperson, transaction_id="TXN-Y", payment_type="cheque",
                                       cheque_number="C1"))
    rejected(Payment, **payment_fields(deal, deal.salesperson))


def test_approval_rows(deal, verifier):
    payment = Payment.objects.create(**payment_fields(deal, deal.salesperson))
    rejected(Approval, payment=payment, verifier=verifier, decision="approved", verified_amount=Decimal("0"))
    rejected(Approval, payment=payment, verifier=verifier, decision="rejected", failure_reason="moon phase")
    rejected(Approval, payment=payment, verifier=verifier, decision="approved", verified_amount=Decimal("1"),
             failure_reason="bank_decline")
    Approval.objects.create(payment=payment, verifier=verifier, decision="approved", verified_amount=Decimal("5"))
    rejected(Approval, payment=payment, verifier=verifier, decision="rejected", failure_reason="bank_decline")


@pytest.mark.parametrize(
    "overrides",
    [{"period_end": date(2025, 12, 31)}, {"commission_rate": Decimal("101")}, {"exchange_rate": Decimal("0")},
     {"bonus": Decimal("-1")}, {"penalty": Decimal("-1")}],
)
def test_commission_rows(seller, overrides):
    fields = {"organization": seller.organization, "user": seller, "period_start": date(2026, 1, 1),
              "period_end": date(2026, 1, 31), "commission_rate": Decimal("5"), **overrides}
    rejected(Commission, **fields)


def test_commission_unique_per_user_and_period(seller):
    fields = {"organization": seller.organization, "user": seller, "period_start": date(2026, 1, 1),
              "period_end": date(2026, 1, 31), "commission_rate": Decimal("5")}
    Commission.objects.create(**fields)
    rejected(Commission, **fields)


def test_notification_read_flag_and_time_agree(seller):
    base = {"organization": seller.organization, "recipient": seller, "notification_type": "deal_created",
            "title": "t", "message": "m", "related_object_type": "deals.deal", "related_object_id": "1"}
    rejected(Notification, **base, is_read=True, read_at=None)
    rejected(Notification, **base, priority="urgent")

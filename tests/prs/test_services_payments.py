"""PaymentService: ids, no overpayment, segregation of duties, decisions, derived deal status, recipients."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from prs.common.results import ErrorCode
from prs.deals.models import Invoice
from prs.notifications.models import Notification


@pytest.fixture
def record(services, seller, deal, payment_data):
    def make(amount="100.00", **overrides):
        return services["payment_service"].create(seller, payment_data(deal, amount, **overrides))

    return make


def test_payment_gets_ids_and_invoice(record):
    first, second = record().data, record().data
    assert (first.transaction_id, second.transaction_id) == ("TXN-0001", "TXN-0002")
    assert Invoice.objects.get(payment=first).invoice_id == "INV-0001"
    assert first.invoice.amount == Decimal("100.00")


def test_no_overpayment(record, deal):
    assert record("600.00").success
    over = record("400.01")
    assert over.error_code == ErrorCode.VALIDATION and "amount" in over.errors
    assert record("400.00").success  # exactly the value is allowed


def test_rejected_payments_free_their_amount(services, record, verifier):
    payment = record("1000.00").data
    assert services["payment_service"].reject(verifier, payment.pk, "bank_decline").success
    assert record("1000.00").success


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"payment_date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "payment_date"),
        ({"payment_date": (timezone.localdate() - timedelta(days=366)).isoformat()}, "payment_date"),
        ({"payment_type": "cheque"}, "cheque_number"),
        ({"payment_type": "barter"}, "payment_type"),
        ({"amount": "0"}, "amount"),
        ({"amount": 5.0}, "amount"),
    ],
)
def test_bad_payment_field_is_named(services, seller, deal, payment_data, overrides, field):
    result = services["payment_service"].create(seller, {**payment_data(deal), **overrides})
    assert result.error_code == ErrorCode.VALIDATION and field in result.errors


def test_cheque_number_unique_in_organization(record):
    assert record(payment_type="cheque", cheque_number="CHQ-1").success
    again = record(payment_type="cheque", cheque_number="CHQ-1")
    assert again.error_code == ErrorCode.VALIDATION and "cheque_number" in again.errors


def test_payment_recorded_notifies_the_verifiers(record, verifier, admin, make_user, make_org):
    second = make_user(verifier.organization, "verifier")
    make_user(make_org("Other"), "verifier")
    payment = record().data
    notified = Notification.objects.filter(notification_type="payment_recorded", related_object_id=str(payment.pk))
    assert {n.recipient for n in notified} == {verifier, second}


def test_approval_derives_deal_status_from_verified_amounts(services, record, verifier, deal):
    first, second = record("500.00").data, record("500.00").data
    assert services["payment_service"].approve(verifier, first.pk, "250.00").success
    deal.refresh_from_db()
    assert (deal.payment_status, deal.progress) == ("partially_paid", Decimal("25.00"))
    assert services["payment_service"].approve(verifier, second.pk, "500.00").success
    deal.refresh_from_db()
    assert (deal.payment_status, deal.progress) == ("partially_paid", Decimal("75.00"))


def test_fully_paid(services, record, verifier, deal):
    payment = record("1000.00").data
    services["payment_service"].approve(verifier, payment.pk, "1000.00")
    deal.refresh_from_db()
    assert (deal.payment_status, deal.progress) == ("fully_paid", Decimal("100.00"))


def test_verified_amount_may_not_exceed_amount(services, record, verifier):
    payment = record("100.00").data
    result = services["payment_service"].approve(verifier, payment.pk, "100.01")
    assert result.error_code == ErrorCode.VALIDATION and "verified_amount" in result.errors


def test_segregation_of_duties(services, admin, deal, payment_data, verifier):
    payment = services["payment_service"].create(admin, payment_data(deal)).data
    own = services["payment_service"].approve(admin, payment.pk, "100.00")
    assert own.error_code == ErrorCode.FORBIDDEN
    assert services["payment_service"].reject(admin, payment.pk, "bank_decline").error_code == ErrorCode.FORBIDDEN
    assert services["payment_service"].approve(verifier, payment.pk, "100.00").success


def test_salespeople_never_decide(services, record, make_user, seller):
    colleague = make_user(seller.organization, "salesperson")
    payment = record().data
    assert services["payment_service"].approve(colleague, payment.pk, "100.00").error_code == ErrorCode.FORBIDDEN
    assert services["payment_service"].reject(colleague, payment.pk, "bank_decline").error_code == ErrorCode.FORBIDDEN


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_second_decision_conflicts(services, record, verifier, make_user, first):
    payment = record().data
    decide = {
        "approve": lambda user: services["payment_service"].approve(user, payment.pk, "100.00"),
        "reject": lambda user: services["payment_service"].reject(user, payment.pk, "cheque_bounce"),
    }
    assert decide[first](verifier).success
    other = make_user(verifier.organization, "verifier")
    assert decide["approve"](other).error_code == ErrorCode.CONFLICT
    assert decide["reject"](other).error_code == ErrorCode.CONFLICT


def test_reject_needs_a_known_reason(services, record, verifier):
    result = services["payment_service"].reject(verifier, record().data.pk, "changed my mind")
    assert result.error_code == ErrorCode.VALIDATION and "reason" in result.errors


@pytest.mark.parametrize(("action", "kind"), [("approve", "payment_approved"), ("reject", "payment_rejected")])
def test_decision_notifies_the_deals_salesperson(services, record, verifier, seller, admin, action, kind):
    payment = record().data
    if action == "approve":
        services["payment_service"].approve(verifier, payment.pk, "100.00")
    else:
        services["payment_service"].reject(verifier, payment.pk, "insufficient_funds")
    notified = Notification.objects.filter(notification_type=kind, related_object_id=str(payment.pk))
    assert [n.recipient for n in notified] == [seller]


def test_rejected_deal_takes_no_payments(services, record, verifier, deal):
    services["deal_service"].verify(verifier, deal.pk, "rejected")
    assert record().error_code == ErrorCode.CONFLICT


def test_deal_of_another_organization_is_not_visible(services, deal, payment_data, make_user, make_org):
    stranger = make_user(make_org("Other"), "salesperson")
    result = services["payment_service"].create(stranger, payment_data(deal))
    assert not result.success and "deal" in result.errors


class _RefusingNotifications:
    """A notification service that fails every call, as an outage of that collaborator would."""

    def notify(self, *args, **kwargs):
        from prs.common.results import ServiceResult

        return ServiceResult.fail(ErrorCode.UNAVAILABLE, {"dependency": ["down"]})


def test_a_failing_collaborator_rolls_back_and_answers_a_result(seller, deal, payment_data):
    from prs.audit.models import AuditLog
    from prs.deals.models import Payment
    from prs.services import build_services

    services = build_services(notification_service=_RefusingNotifications())
    audit_before = AuditLog.objects.count()
    result = services["payment_service"].create(seller, payment_data(deal, "100.00"))
    assert result.error_code == ErrorCode.UNAVAILABLE and "dependency" in result.errors
    assert not Payment.objects.exists() and not Invoice.objects.exists()
    assert AuditLog.objects.count() == audit_before

"""DealService: human ids, validation, verification transitions, notifications to org admins."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from prs.common.results import ErrorCode
from prs.notifications.models import Notification


def test_deal_ids_are_numbered_per_organization(services, seller, client_obj, deal_data, make_org, make_user):
    first = services["deal_service"].create(seller, deal_data(client_obj)).data
    second = services["deal_service"].create(seller, deal_data(client_obj)).data
    assert (first.deal_id, second.deal_id) == ("DLID0001", "DLID0002")
    other_seller = make_user(make_org("Other"), "salesperson")
    other_client = services["client_service"].create(
        other_seller, {"name": "X", "email": "x@x.test", "phone": "+12025550199"}
    ).data
    assert services["deal_service"].create(other_seller, deal_data(other_client)).data.deal_id == "DLID0001"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("value", "0"),
        ("value", "-1"),
        ("value", "1000000000.00"),
        ("value", 12.5),  # floats are refused: money is never float
        ("value", "NaN"),
        ("value", "Infinity"),
        ("value", "10.001"),
        ("payment_method", "crypto"),
        ("deal_date", "2024-13-01"),
        ("currency", "usd"),
    ],
)
def test_bad_deal_field_is_named(services, seller, client_obj, deal_data, field, value):
    result = services["deal_service"].create(seller, deal_data(client_obj, **{field: value}))
    assert result.error_code == ErrorCode.VALIDATION
    assert field in result.errors


def test_value_bounds_are_inclusive(services, seller, client_obj, deal_data):
    top = services["deal_service"].create(seller, deal_data(client_obj, value="999999999.99"))
    assert top.success and top.data.value == Decimal("999999999.99")
    assert services["deal_service"].create(seller, deal_data(client_obj, value="0.01")).success


def test_due_date_before_deal_date(services, seller, client_obj, deal_data):
    payload = deal_data(client_obj)
    payload["due_date"] = (date.fromisoformat(payload["deal_date"]) - timedelta(days=1)).isoformat()
    result = services["deal_service"].create(seller, payload)
    assert result.error_code == ErrorCode.VALIDATION and "due_date" in result.errors


def test_client_of_another_organization_is_refused(services, seller, deal_data, make_org, make_user):
    other = make_user(make_org("Other"), "salesperson")
    foreign = services["client_service"].create(other, {"name": "F", "email": "f@f.test", "phone": "+12025550111"})
    result = services["deal_service"].create(seller, deal_data(foreign.data))
    assert result.error_code == ErrorCode.VALIDATION and "client" in result.errors


def test_deal_created_notifies_org_admins_of_its_organization_only(
    services, seller, client_obj, deal_data, admin, verifier, make_user, make_org
):
    second_admin = make_user(seller.organization, "org_admin")
    make_user(make_org("Other"), "org_admin")
    deal = services["deal_service"].create(seller, deal_data(client_obj)).data
    notified = Notification.objects.filter(related_object_id=str(deal.pk), notification_type="deal_created")
    assert {n.recipient for n in notified} == {admin, second_admin}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (["verified"], ["verified"]),
        (["rejected"], ["rejected"]),
        (["verified", "rejected"], ["verified", "rejected"]),
        (["rejected", "verified"], ["rejected", ErrorCode.CONFLICT]),
        (["verified", "verified"], ["verified", ErrorCode.CONFLICT]),
        (["rejected", "pending"], ["rejected", ErrorCode.CONFLICT]),
        (["approved"], [ErrorCode.VALIDATION]),
    ],
)
def test_verification_transitions(services, deal, verifier, path, expected):
    outcomes = []
    for status in path:
        result = services["deal_service"].verify(verifier, deal.pk, status)
        outcomes.append(result.data.verification_status if result.success else result.error_code)
    assert outcomes == expected


def test_salesperson_may_not_verify(services, deal, seller):
    assert services["deal_service"].verify(seller, deal.pk, "verified").error_code == ErrorCode.FORBIDDEN


def test_stale_deal_update_conflicts(services, deal, seller):
    assert services["deal_service"].update(seller, deal.pk, {"deal_name": "A", "version": 1}).success
    result = services["deal_service"].update(seller, deal.pk, {"deal_name": "B", "version": 1})
    assert result.error_code == ErrorCode.CONFLICT

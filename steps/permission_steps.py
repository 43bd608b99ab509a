"""Who may do what: one request per action, made through the API by a member of the sales office.

The office is arranged through PRS's services (support/prs/steps_support.py): two admins, two salespeople and a
verifier; clients with and without deals; deals of sam (one paid in part, one unpaid) and of ada; a pending
payment on sam's deal recorded by ada; sam's commission of this month; the notifications and audit entries
all of that made. Each action names one request; the answer is judged by its status alone, and a refusal
for lack of role must also be on record as a permission-denied security event.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from behave import given, then, when
from django.utils import timezone

from prs.audit.models import AuditLog, SecurityEvent, SecurityEventType
from prs.notifications.models import Notification
from support.prs import api_client as api
from support.prs import steps_support as s

Request = tuple[str, str, Any]  # method, path, body


@given('the sales office "{org}" where "{admin}" and "{admin2}" are admins, "{seller}" and "{seller2}" sell '
       'and "{verifier}" verifies')
def step_sales_office(context, org, admin, admin2, seller, seller2, verifier):
    office = s.add_organization(context, org)
    for username, role in ((admin, "admin"), (admin2, "admin"), (seller, "salesperson"),
                           (seller2, "salesperson"), (verifier, "verifier")):
        s.add_member(context, office, username, role)
    s.superuser(context, "root")
    sam, ada, alice = s.user(context, seller), s.user(context, admin2), s.user(context, admin)
    s.add_client(context, alice, "Northwind")  # no deals: may be deleted
    contoso = s.add_client(context, sam, "Contoso")
    world = context.world = {}
    world["the deal of sam"] = s.expect_success(s.make_deal(context, sam, Decimal("1000.00"), contoso), "sam's deal")
    world["the unpaid deal of sam"] = s.expect_success(s.make_deal(context, sam, Decimal("500.00"), contoso),
                                                       "sam's unpaid deal")
    world["the deal of ada"] = s.expect_success(s.make_deal(context, ada, Decimal("700.00"), contoso), "ada's deal")
    world["the payment"] = s.expect_success(
        s.record_payment(context, ada, Decimal("100.00"), deal=world["the deal of sam"]), "ada's payment")
    world["the commission of sam"] = s.expect_success(s.calculate_commission(context, alice, sam), "sam's commission")


@given('"{username}" is an admin of another organization, "{org}"')
def step_admin_elsewhere(context, username, org):
    s.add_member(context, s.add_organization(context, org), username, "admin")


def _last_month() -> tuple[str, str]:
    first = timezone.localdate().replace(day=1)
    end = first - dt.timedelta(days=1)
    return end.replace(day=1).isoformat(), end.isoformat()


def _deal_body(context) -> dict[str, Any]:
    today = timezone.localdate()
    return {"client": s.client(context, "Contoso").pk, "value": "300.00", "deal_date": today.isoformat(),
            "due_date": (today + dt.timedelta(days=30)).isoformat(), "payment_method": "bank"}


def _first(model: Any, **where: Any) -> Any:
    found = model.objects.filter(**where).order_by("id").first()
    assert found is not None, f"no {model.__name__} with {where} in this scenario"
    return found


def _commission_period(context, user: str | None) -> dict[str, Any]:
    start, end = _last_month()
    return {"period_start": start, "period_end": end, **({"user": s.user(context, user).pk} if user else {})}


ACTIONS: dict[str, Callable[[Any], Request]] = {
    "create a client": lambda c: ("POST", api.list_path("clients"),
                                  {"name": "Fabrikam", "email": "buyer@fabrikam.example", "phone": "+15550000001"}),
    "create a client for Acme": lambda c: ("POST", api.list_path("clients"),
                                           {"name": "Fabrikam", "email": "buyer@fabrikam.example",
                                            "phone": "+15550000001", "organization": s.organization(c, "Acme").pk}),
    "edit a client": lambda c: ("PATCH", api.detail_path("clients", s.client(c, "Contoso").pk),
                                {"name": "Contoso Ltd"}),
    "delete a client without deals": lambda c: ("DELETE", api.detail_path("clients", s.client(c, "Northwind").pk),
                                                None),
    "read a client": lambda c: ("GET", api.detail_path("clients", s.client(c, "Contoso").pk), None),
    "list the clients": lambda c: ("GET", api.list_path("clients"), None),
    "create a deal": lambda c: ("POST", api.list_path("deals"), _deal_body(c)),
    "edit the deal of sam": lambda c: ("PATCH", api.detail_path("deals", c.world["the deal of sam"].pk),
                                       {"deal_name": "Renamed"}),
    "delete the unpaid deal of sam": lambda c: ("DELETE", api.detail_path("deals",
                                                                          c.world["the unpaid deal of sam"].pk), None),
    "verify the deal of sam": lambda c: ("POST", api.detail_path("deals", c.world["the deal of sam"].pk, "verify"),
                                         {"status": "verified"}),
    "verify the deal of ada": lambda c: ("POST", api.detail_path("deals", c.world["the deal of ada"].pk, "verify"),
                                         {"status": "verified"}),
    "read the deal of sam": lambda c: ("GET", api.detail_path("deals", c.world["the deal of sam"].pk), None),
    "list the deals": lambda c: ("GET", api.list_path("deals"), None),
    "record a payment on the deal of sam": lambda c: ("POST", api.list_path("payments"), {
        "deal": c.world["the deal of sam"].pk, "payment_date": timezone.localdate().isoformat(), "amount": "50.00",
        "payment_type": "cash"}),
    "approve the payment": lambda c: ("POST", api.detail_path("payments", c.world["the payment"].pk, "approve"),
                                      {"verified_amount": "100.00"}),
    "reject the payment": lambda c: ("POST", api.detail_path("payments", c.world["the payment"].pk, "reject"),
                                     {"reason": "bank_decline"}),
    "read the payment": lambda c: ("GET", api.detail_path("payments", c.world["the payment"].pk), None),
    "list the payments": lambda c: ("GET", api.list_path("payments"), None),
    "calculate the commission of sam": lambda c: ("POST", f"{api.list_path('commissions')}calculate/",
                                                  _commission_period(c, "sam")),
    "calculate his own commission": lambda c: ("POST", f"{api.list_path('commissions')}calculate/",
                                               _commission_period(c, None)),
    "change the commission of sam": lambda c: ("PATCH", api.detail_path("commissions",
                                                                        c.world["the commission of sam"].pk),
                                               {"bonus": "10.00"}),
    "read the commission of sam": lambda c: ("GET", api.detail_path("commissions",
                                                                    c.world["the commission of sam"].pk), None),
    "list the audit trail": lambda c: ("GET", api.list_path("audit-logs"), None),
    "read an audit entry": lambda c: ("GET", api.detail_path(
        "audit-logs", _first(AuditLog, organization=s.organization(c, "Acme")).pk), None),
    "read the notification of alice": lambda c: ("GET", api.detail_path(
        "notifications", _first(Notification, recipient=s.user(c, "alice")).pk), None),
    "mark the notification of alice read": lambda c: ("POST", api.detail_path(
        "notifications", _first(Notification, recipient=s.user(c, "alice")).pk, "read"), None),
}


# Actions on an object the scenario names: "delete the client "Contoso"", "delete that deal".
NAMED_ACTIONS: dict[str, Callable[[Any, str], Request]] = {
    r'delete the client "(.+)"': lambda c, name: ("DELETE", api.detail_path("clients", s.client(c, name).pk), None),
    r"delete that deal()": lambda c, _: ("DELETE", api.detail_path("deals", s.the_deal(c).pk), None),
    r"read the deal of another organization()": lambda c, _: ("GET", api.detail_path("deals", _foreign_deal(c).pk),
                                                              None),
}


def _foreign_deal(context) -> Any:
    """A deal of another organization than Acme's, made on first use by that organization's salesperson."""
    from prs.deals.models import Deal

    acme = s.organization(context, "Acme")
    foreign = Deal.objects.exclude(organization=acme).first()
    if foreign is None:
        other = next(u for u in context.users.values() if u.organization_id not in (None, acme.pk)
                     and u.role == "salesperson")
        foreign = s.expect_success(s.make_deal(context, other, Decimal("100.00"), s.some_client_of(context, other)),
                                   "a deal of another organization")
    return foreign


def _request(context, action: str) -> Request:
    for pattern, build in NAMED_ACTIONS.items():
        named = re.fullmatch(pattern, action)
        if named:
            return build(context, named.group(1))
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(repr(known) for known in ACTIONS)}")
    return ACTIONS[action](context)


def send_action(context, username: str, action: str) -> api.ApiAnswer:
    """``action`` may end with `` from the address A.B.C.D``: the request then comes from there."""
    action, _, address = action.partition(" from the address ")
    method, path, body = _request(context, action)
    session = api.session_for(context, s.user(context, username), remote_addr=address or api.DEFAULT_REMOTE_ADDR)
    context.attempted_by = username
    context.attempted_request = (method, path)
    return s.remember_response(context, session.send(method, path, body=body))


@when('"{username}" tries through the API to {action}')
def step_tries_through_api(context, username, action):
    send_action(context, username, action)


OUTCOMES = {"allowed": None, "forbidden": (403, "forbidden"), "refused as not found": (404, "not_found"),
            "refused as a conflict": (409, "conflict"), "refused as unauthenticated": (401, None)}


def assert_allowed_as_the_api_says(answer: api.ApiAnswer, method: str, path: str) -> None:
    """Allowed, with the answer the API describes: a deletion is 204 with no body; a request to a collection
    that makes something (a new record, a calculated commission) is 201 with what it made; any other request is
    200, and one on an object answers with that object."""
    object_id = re.search(r"/(\d+)/", path)
    if method == "DELETE":
        expected = 204
    elif method == "POST" and object_id is None:
        expected = 201
    else:
        expected = 200
    assert answer.status == expected, f"expected the request to be allowed with {expected}: {answer.describe()}"
    if expected == 204:
        assert not answer.body, f"a deletion answered with a body: {answer.describe()}"
    elif object_id is not None:
        assert isinstance(answer.body, dict) and str(answer.body.get("id")) == object_id.group(1), (
            f"the answer about object {object_id.group(1)} is not that object: {answer.describe()}")
    elif expected == 201:
        assert isinstance(answer.body, dict) and answer.body.get("id"), f"no new record in: {answer.describe()}"


@then("the request is {outcome}")
def step_request_is(context, outcome):
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}: one of {', '.join(OUTCOMES)}")
    answer = context.response
    expected = OUTCOMES[outcome]
    if expected is None:
        assert_allowed_as_the_api_says(answer, *context.attempted_request)
        return
    status, code = expected
    assert answer.status == status and code in (None, answer.error_code), f"expected {outcome}: {answer.describe()}"
    if outcome == "forbidden":
        actor = s.user(context, context.attempted_by)
        denied = SecurityEvent.objects.filter(user=actor, event_type=SecurityEventType.PERMISSION_DENIED)
        assert denied.exists(), f"no permission-denied security event was recorded for {context.attempted_by}"
        s.assert_denial_names_what(denied.latest("pk"), actor, answer)

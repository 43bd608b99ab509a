"""Lists and their filters, over one ledger built twice: once for Acme and once, with the same names, for
Globex. A list that forgot its organization would show Globex's twins next to Acme's records.

The ledger (built through PRS's services, on 2026-06-15 by the feature's clock):

* clients Contoso (clear, Nepali, contoso@example.com) and Northwind (pending, American, buyer@nwt.example:
  its name and its email share no part, so searching the name cannot pass by matching the email)
* deals Alpha (first seller, Contoso, 1000.00 USD, bank, 2026-06-01, verified, fully paid by TXN-0001),
  Beta (second seller, Northwind, 500.00 EUR, cheque, 2026-06-10, partly paid by TXN-0002, TXN-0003 pending),
  Gamma (first seller, Northwind, 300.00 USD, cash, 2026-06-11, rejected, TXN-0004 rejected)
* commissions of the first seller for May and June 2026, and of the second seller for June 2026 in EUR
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from behave import given, then, when

from prs.notifications.models import Notification
from support.prs import api_client as api
from support.prs import steps_support as s
from support.prs.factories import ClientFactory

PEOPLE = {"Acme": ("alice", "sam", "sid", "vera"), "Globex": ("gail", "gus", "gil", "gia")}


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def build_ledger(context: Any, org: str) -> None:
    admin_name, first_name, second_name, verifier_name = PEOPLE[org]
    office = s.add_organization(context, org)
    admin, first, second, verifier = (
        s.add_member(context, office, name, role) for name, role in (
            (admin_name, "admin"), (first_name, "salesperson"), (second_name, "salesperson"),
            (verifier_name, "verifier")))
    clients = {
        "Contoso": ClientFactory(organization=office, created_by=admin, name="Contoso", email="contoso@example.com",
                                 nationality="Nepali", status="clear"),
        "Northwind": ClientFactory(organization=office, created_by=admin, name="Northwind",
                                   email="buyer@nwt.example", nationality="American"),
    }
    if org == "Acme":
        context.clients = dict(clients)
    deals = s.service(context, "deal_service")
    payments = s.service(context, "payment_service")

    def deal(seller: Any, name: str, client: str, value: str, currency: str, method: str, day: str) -> Any:
        return s.expect_success(deals.create(seller, {
            "client": clients[client].pk, "deal_name": name, "value": Decimal(value), "currency": currency,
            "payment_method": method, "deal_date": _day(day), "due_date": _day(day) + s.DEAL_TERM}), name)

    def payment(author: Any, on: Any, amount: str, kind: str, day: str) -> Any:
        return s.expect_success(payments.create(author, {
            "deal": on.pk, "amount": Decimal(amount), "payment_type": kind, "payment_date": _day(day)}), amount)

    alpha = deal(first, "Alpha", "Contoso", "1000.00", "USD", "bank", "2026-06-01")
    beta = deal(second, "Beta", "Northwind", "500.00", "EUR", "cheque", "2026-06-10")
    gamma = deal(first, "Gamma", "Northwind", "300.00", "USD", "cash", "2026-06-11")
    p1 = payment(first, alpha, "1000.00", "bank", "2026-06-01")
    p2 = payment(second, beta, "200.00", "wallet", "2026-06-10")
    payment(admin, beta, "100.00", "cash", "2026-06-12")
    p4 = payment(first, gamma, "50.00", "bank", "2026-06-11")
    s.expect_success(payments.approve(verifier, p1.pk, p1.amount), "TXN-0001 approved")
    s.expect_success(payments.approve(verifier, p2.pk, p2.amount), "TXN-0002 approved")
    s.expect_success(payments.reject(verifier, p4.pk, "bank_decline"), "TXN-0004 rejected")
    s.expect_success(deals.verify(verifier, alpha.pk, "verified"), "Alpha verified")
    s.expect_success(deals.verify(verifier, gamma.pk, "rejected"), "Gamma rejected")
    commissions = s.service(context, "commission_service")
    for seller, start, end, currency in ((first, "2026-05-01", "2026-05-31", "USD"),
                                         (first, "2026-06-01", "2026-06-30", "USD"),
                                         (second, "2026-06-01", "2026-06-30", "EUR")):
        s.expect_success(commissions.calculate(admin, {"user": seller.pk, "period_start": _day(start),
                                                       "period_end": _day(end), "currency": currency}), "commission")
    context.ledger = getattr(context, "ledger", {})
    context.ledger.setdefault(org, {"Alpha": alpha, "Beta": beta, "Gamma": gamma})


@given('the ledgers of "{first}" and "{second}", with matching records in both')
def step_ledgers(context, first, second):
    for org in (first, second):
        build_ledger(context, org)


def _person(context: Any, name: str) -> Any:
    return s.user(context, name).pk if name in getattr(context, "users", {}) else name


def _deal(context: Any, name: str) -> Any:
    return context.ledger["Acme"][name].pk if name in context.ledger["Acme"] else name


def _client(context: Any, name: str) -> Any:
    return s.client(context, name).pk if name in getattr(context, "clients", {}) else name


def _words(value: str) -> str:
    return value.replace(" ", "_")


def _yes_no(value: str) -> str:
    return {"yes": "true", "no": "false"}.get(value, value)


# list -> business filter name -> (query parameter, value converter)
Filter = tuple[str, Callable[[Any, str], Any]]
FILTERS: dict[str, dict[str, Filter]] = {
    "deals": {
        "payment status": ("payment_status", lambda c, v: _words(v)),
        "verification status": ("verification_status", lambda c, v: v),
        "payment method": ("payment_method", lambda c, v: v),
        "client": ("client", _client),
        "salesperson": ("salesperson", _person),
        "currency": ("currency", lambda c, v: v),
        "deal number": ("deal_id", lambda c, v: v),
        "deal date from": ("deal_date_from", lambda c, v: v),
        "deal date to": ("deal_date_to", lambda c, v: v),
    },
    "payments": {
        "status": ("status", lambda c, v: v),
        "deal": ("deal", _deal),
        "payment type": ("payment_type", lambda c, v: v),
        "transaction number": ("transaction_id", lambda c, v: v),
        "recorded by": ("recorded_by", _person),
        "payment date from": ("payment_date_from", lambda c, v: v),
        "payment date to": ("payment_date_to", lambda c, v: v),
    },
    "clients": {
        "status": ("status", lambda c, v: v),
        "nationality": ("nationality", lambda c, v: v),
        "email": ("email", lambda c, v: v),
        "search": ("search", lambda c, v: v),
    },
    "commissions": {
        "salesperson": ("user", _person),
        "currency": ("currency", lambda c, v: v),
        "period start": ("period_start", lambda c, v: v),
        "period end": ("period_end", lambda c, v: v),
        "periods starting from": ("period_start_from", lambda c, v: v),
        "periods ending by": ("period_end_to", lambda c, v: v),
    },
    "notifications": {
        "kind": ("notification_type", lambda c, v: _words(v)),
        "priority": ("priority", lambda c, v: v),
        "read": ("is_read", lambda c, v: _yes_no(v)),
    },
    "audit trail": {
        "action": ("action", lambda c, v: v),
        "object type": ("object_type", lambda c, v: v),
        "actor": ("actor", _person),
    },
}
RESOURCES = {"audit trail": "audit-logs"}


def query(context: Any, listing: str, name: str, value: str) -> dict[str, Any]:
    if name == "nothing":
        return {}
    if listing == "audit trail" and name == "object":
        kind, _, deal_name = value.partition(" ")
        assert kind == "deal", f"expected 'deal NAME', got {value!r}"
        return {"object_type": "deals.deal", "object_id": _deal(context, deal_name)}
    known = FILTERS[listing]
    if name not in known:
        raise ValueError(f"unknown filter {name!r} of the {listing} list: one of {', '.join(known)}")
    parameter, convert = known[name]
    context.filter_parameter = parameter
    return {parameter: convert(context, value)}


@when('"{username}" lists the {listing} with nothing ""')
@when('"{username}" lists all the {listing} they may see')
def step_lists_all(context, username, listing):
    step_lists_with(context, username, listing, "nothing", "")


@when('"{username}" lists the {listing} with {name} "{value}"')
def step_lists_with(context, username, listing, name, value):
    if listing not in FILTERS:
        raise ValueError(f"unknown list {listing!r}: one of {', '.join(FILTERS)}")
    params = {**query(context, listing, name, value), "page_size": 100}
    session = api.session_for(context, s.user(context, username))
    context.listing = listing
    s.remember_response(context, session.get(api.list_path(RESOURCES.get(listing, listing)), params))


def shown_name(listing: str, item: dict[str, Any]) -> str:
    if listing == "deals":
        return item["deal_name"]
    if listing == "payments":
        return item["transaction_id"]
    if listing == "clients":
        return item["name"]
    if listing == "commissions":
        from prs.accounts.models import User

        return f"{User.objects.get(pk=item['user']).first_name.lower()} {_day(item['period_start']):%B}"
    if listing == "notifications":
        return item["title"]
    raise ValueError(f"no names for the {listing} list")


def expected_names(text: str) -> list[str]:
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        repeated = re.fullmatch(r"(.+) × (\d+)", part)
        names += [repeated.group(1)] * int(repeated.group(2)) if repeated else [part]
    return sorted(names)


@then("the list holds exactly {names}")
def step_list_holds(context, names):
    problem = holds(context, names)
    assert problem is None, f"the {context.listing} list holds {problem}, expected {names}"


def holds(context: Any, expected: str) -> str | None:
    """What is wrong with the last list answer, given the expected names (or "N entries"), or None."""
    answer = context.response
    if answer.status != 200:
        return answer.describe()
    counted = re.fullmatch(r"(\d+) entries", expected)
    if counted:
        count = answer.body["count"]
        entries = [(e["action"], e["object_type"], e["object_id"]) for e in answer.results]
        return None if count == int(counted.group(1)) else f"{count} entries: {entries}"
    shown = sorted(shown_name(context.listing, item) for item in answer.results)
    return None if shown == expected_names(expected) else f"{shown}"


@when('the superuser "{username}" lists the {listing} with each filter below')
def step_superuser_lists_each(context, username, listing):
    root = s.superuser(context, username)
    session = api.anonymous_session(context)  # the superuser signs in with his password, like everyone
    signed_in = session.sign_in(root.email, s.PASSWORD)
    assert signed_in.status == 200, f"the superuser could not sign in: {signed_in.describe()}"
    api.keep_session(context, root, session)
    step_lists_each(context, username, listing)


@when('"{username}" lists the {listing} with each filter below')
def step_lists_each(context, username, listing):
    context.filter_outcomes = []
    for row in context.table:
        step_lists_with(context, username, listing, row["filter"], row["value"])
        context.filter_outcomes.append((row["filter"], row["value"], row["expected"],
                                        holds(context, row["expected"])))


@then("each list holds exactly the records of its row")
def step_each_holds(context):
    wrong = [f"{name} {value!r}: expected {expected}, got {problem}"
             for name, value, expected, problem in context.filter_outcomes if problem]
    assert not wrong, "\n".join(wrong)


@when('"{username}" lists with each bad filter below')
def step_lists_bad(context, username):
    context.filter_outcomes = []
    for row in context.table:
        step_lists_with(context, username, row["list"], row["filter"], row["value"])
        answer = context.response
        named = answer.status == 400 and context.filter_parameter in answer.field_errors
        context.filter_outcomes.append((row["list"], row["filter"], None if named else answer.describe()))


@then("each list is refused as invalid, naming its filter")
def step_each_refused(context):
    wrong = [f"{listing} by {name}: {problem}" for listing, name, problem in context.filter_outcomes if problem]
    assert not wrong, "\n".join(wrong)


@given('"{username}" has read the notification "{title}"')
def step_has_read(context, username, title):
    reader = s.user(context, username)
    note = Notification.objects.filter(recipient=reader, title=title).first()
    assert note is not None, f"{username} has no notification {title!r}"
    s.expect_success(s.service(context, "notification_service").mark_read(reader, note.pk), "marking it read")

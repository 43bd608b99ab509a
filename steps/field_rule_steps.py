"""Field rules at their edges: a valid submission with one field changed, made through the API.

Rows name fields in business words ("due date", "payment type"); values may be ``nothing`` (the field is left
out), ``N characters`` (that many letters), ``the deal date`` / ``the period start`` / ``the day before``
(relative to the submission's other date), ``<text>, between spaces`` (the text with spaces around it), ``<number>
as a number`` (a JSON number instead of text), or business words for a choice ("bad debt").
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from behave import given, then, when
from django.utils import timezone

from prs.commissions.models import Commission
from prs.deals.models import Payment
from support.prs import api_client as api
from support.prs import steps_support as s
from support.prs.factories import ClientFactory

NOTHING = object()
CHOICES = {"status", "payment_method", "payment_type"}
# business name -> API field, per kind of submission
FIELDS: dict[str, dict[str, str]] = {
    "client": {"name": "name", "phone": "phone", "email": "email", "nationality": "nationality", "status": "status"},
    "deal": {"value": "value", "due date": "due_date", "currency": "currency", "payment method": "payment_method",
             "deal name": "deal_name", "remarks": "remarks", "client": "client", "deal date": "deal_date"},
    "payment": {"amount": "amount", "payment type": "payment_type", "cheque number": "cheque_number", "deal": "deal",
                "remarks": "remarks"},
    "commission": {"rate": "commission_rate", "exchange rate": "exchange_rate", "bonus": "bonus",
                   "penalty": "penalty", "currency": "currency", "period end": "period_end", "user": "user",
                   "commission amount": "commission_amount"},
    "decision": {"verified amount": "verified_amount", "reason": "reason", "remarks": "remarks"},
}
# the date a relative value ("the day before") refers to, per field
RELATIVE_TO = {"due_date": "deal_date", "period_end": "period_start"}


def api_field(kind: str, name: str) -> str:
    known = FIELDS[kind]
    if name not in known:
        raise ValueError(f"unknown {kind} field {name!r}: one of {', '.join(known)}")
    return known[name]


def field_value(field: str, text: str, body: dict[str, Any]) -> Any:
    if text == "nothing":
        return NOTHING
    if text == "blank":  # given, but empty
        return ""
    size = re.fullmatch(r"(\d+) characters", text)
    if size:
        return "x" * int(size.group(1))
    number = re.fullmatch(r"(.+) as a number", text)  # a JSON number, not text
    if number:
        return json.loads(number.group(1))
    spaced = re.fullmatch(r"(.+), between spaces", text)  # a table cell cannot keep its outer spaces
    if spaced:
        return f"  {spaced.group(1)}  "
    if text in ("the deal date", "the period start"):
        return body[RELATIVE_TO[field]]
    if text == "the day before":
        return (dt.date.fromisoformat(body[RELATIVE_TO[field]]) - dt.timedelta(days=1)).isoformat()
    return text.replace(" ", "_") if field in CHOICES else text


def with_field(body: dict[str, Any], field: str, text: str) -> dict[str, Any]:
    value = field_value(field, text, body)
    changed = {key: item for key, item in body.items() if key != field}
    if value is not NOTHING:
        changed[field] = value
    return changed


def _today() -> dt.date:
    return timezone.localdate()


def client_body(context: Any) -> dict[str, Any]:
    return {"name": "Fabrikam", "email": "buyer@fabrikam.example", "phone": "+15550000001"}


def deal_body(context: Any) -> dict[str, Any]:
    return {"client": s.client(context, "Contoso").pk, "value": "300.00", "deal_date": _today().isoformat(),
            "due_date": (_today() + s.DEAL_TERM).isoformat(), "payment_method": "bank"}


def payment_body(context: Any) -> dict[str, Any]:
    return {"deal": s.the_deal(context).pk, "payment_date": _today().isoformat(), "amount": "100.00",
            "payment_type": "bank"}


def commission_body(context: Any) -> dict[str, Any]:
    start, end = s.this_month()
    return {"user": s.user(context, "sam").pk, "period_start": start.isoformat(), "period_end": end.isoformat()}


SUBMISSIONS: dict[str, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    "client": (api.list_path("clients"), client_body),
    "deal": (api.list_path("deals"), deal_body),
    "payment": (api.list_path("payments"), payment_body),
    "commission": (f"{api.list_path('commissions')}calculate/", commission_body),
}


def submit(context: Any, username: str, method: str, path: str, body: Any, kind: str, field: str | None) -> None:
    context.submitted = (kind, field)
    context.submitter = username
    session = api.session_for(context, s.user(context, username))
    s.remember_response(context, session.send(method, path, body=body))


@when('"{username}" submits a new {kind} with {name} "{value}"')
def step_submits_new(context, username, kind, name, value):
    kind = kind.removesuffix(" on that deal")  # a payment is always on the scenario's deal
    if kind not in SUBMISSIONS:
        raise ValueError(f"unknown kind of submission {kind!r}: one of {', '.join(SUBMISSIONS)}")
    path, base = SUBMISSIONS[kind]
    field = api_field(kind, name)
    submit(context, username, "POST", path, with_field(base(context), field, value), kind, field)


@when('"{username}" calculates the commission of "{seller}" with {name} "{value}"')
def step_calculates_with(context, username, seller, name, value):
    field = api_field("commission", name)
    body = with_field({**commission_body(context), "user": s.user(context, seller).pk}, field, value)
    submit(context, username, "POST", SUBMISSIONS["commission"][0], body, "commission", field)


@when('"{username}" calculates the commission of {whom}')
def step_calculates_for(context, username, whom):
    body = {**commission_body(context), "user": _person(context, whom).pk}
    submit(context, username, "POST", SUBMISSIONS["commission"][0], body, "commission", "user")


@when('the superuser "{username}" calculates the commission of {whom}')
def step_superuser_calculates_for(context, username, whom):
    body = {**commission_body(context), "user": _person(context, whom).pk}
    context.submitted = ("commission", "user")
    session = api.session_for(context, s.superuser(context, username))
    s.remember_response(context, session.post(SUBMISSIONS["commission"][0], body))


def _person(context: Any, whom: str) -> Any:
    """``"sam"`` or ``the superuser "root"``."""
    quoted = re.fullmatch(r'(?:the superuser )?"([^"]+)"', whom)
    if not quoted:
        raise ValueError(f'expected "name" or the superuser "name", got {whom}')
    return s.superuser(context, quoted.group(1)) if whom.startswith("the superuser") else s.user(
        context, quoted.group(1))


@when('the superuser "{username}" changes the client of that deal to "{name}"')
def step_superuser_changes_client(context, username, name):
    context.submitted = ("deal", "client")
    session = api.session_for(context, s.superuser(context, username))
    s.remember_response(context, session.patch(api.detail_path("deals", s.the_deal(context).pk),
                                               {"client": s.client(context, name).pk}))


@when('"{username}" submits a new deal for the client "{name}"')
def step_deal_for_client(context, username, name):
    body = {**deal_body_without_client(), "client": s.client(context, name).pk}
    submit(context, username, "POST", api.list_path("deals"), body, "deal", "client")


def deal_body_without_client() -> dict[str, Any]:
    return {"value": "300.00", "deal_date": _today().isoformat(),
            "due_date": (_today() + s.DEAL_TERM).isoformat(), "payment_method": "bank"}


@when('"{username}" changes the email of "{name}" to its own, in capitals')
def step_keeps_email(context, username, name):
    step_changes_client(context, username, "email", name, s.client(context, name).email.upper())


@when('"{username}" changes the {name} of "{client}" to "{value}"')
def step_changes_client(context, username, name, client, value):
    """``value`` as in the outlines (``200 characters``, ``blank``)."""
    field = api_field("client", name)
    new = field_value(field, value, {})
    context.client_change = (client, field, new)
    submit(context, username, "PATCH", api.detail_path("clients", s.client(context, client).pk), {field: new},
           "client", field)


@then("that client now has that {name}")
def step_client_has_change(context, name):
    """The accepted change is stored, as read back through the API."""
    client, field, new = context.client_change
    answer = api.session_for(context, s.user(context, context.submitter)).get(
        api.detail_path("clients", s.client(context, client).pk))
    assert answer.body.get(field) == new, f"{name} is {answer.body.get(field)!r}, expected {new!r}: " \
                                          f"{answer.describe()}"


@when('"{username}" changes the {name} of that deal to {value}')
def step_changes_deal(context, username, name, value):
    """``value`` as in the outlines; ``the day before its deal date`` for a date; ``"Initech"`` names a client."""
    deal = s.the_deal(context)
    field = api_field("deal", name)
    if field == "client":
        new: object = s.client(context, value.strip('"')).pk
    elif value == "the day before its deal date":
        new = (deal.deal_date - dt.timedelta(days=1)).isoformat()
    elif value in ("its due date", "the day after its due date"):
        new = (deal.due_date + dt.timedelta(days=0 if value == "its due date" else 1)).isoformat()
    else:
        new = value.strip('"')
    context.deal_change = (field, new)
    submit(context, username, "PATCH", api.detail_path("deals", deal.pk), {field: new}, "deal", field)


@then("that deal now has that {name}")
def step_deal_has_change(context, name):
    """The accepted change is stored, as read back through the API (an answer of 200 alone proves nothing)."""
    field, new = context.deal_change
    answer = api.session_for(context, s.user(context, context.submitter)).get(
        api.detail_path("deals", s.the_deal(context).pk))
    shown = answer.body.get(field)
    shown = shown.get("id") if isinstance(shown, dict) else shown
    assert str(shown) == str(new), f"{name} is {shown!r}, expected {new!r}: {answer.describe()}"


@when('"{admin}" changes the currency of that commission to "{currency}" at an exchange rate of {rate}')
def step_changes_currency_and_rate(context, admin, currency, rate):
    submit(context, admin, "PATCH", api.detail_path("commissions", context.subject.pk),
           {"currency": currency, "exchange_rate": rate}, "commission", "currency")


@when('"{admin}" changes the {name} of that commission to "{value}"')
def step_changes_commission(context, admin, name, value):
    field = api_field("commission", name)
    submit(context, admin, "PATCH", api.detail_path("commissions", context.subject.pk), {field: value},
           "commission", field)


@then("the commission is in {currency} at an exchange rate of {rate}, with {amount:Money} commission and "
      "{receivable:Money} receivable")
def step_commission_now(context, currency, rate, amount, receivable):
    answer = context.response
    assert answer.status == 200, answer.describe()
    body = answer.body
    shown = (body["currency"], body["exchange_rate"], body["commission_amount"], body["total_receivable"],
             body["calculated_by"], body["version"])
    expected = (currency, rate, str(amount), str(receivable), s.user(context, context.submitter).pk, 2)
    assert shown == expected, f"the commission shows {shown}, expected {expected}"


RECORDS = {
    "the client": lambda c: (api.detail_path("clients", s.client(c, "Contoso").pk), {"name": "Contoso Ltd"}),
    "that deal": lambda c: (api.detail_path("deals", s.the_deal(c).pk), {"deal_name": "Renamed"}),
    "that commission": lambda c: (api.detail_path("commissions", c.subject.pk), {"bonus": "5.00"}),
}


@when('"{username}" saves a change to {record} from version 1 after someone else changed it')
def step_saves_stale(context, username, record):
    path, change = RECORDS[record](context)
    session = api.session_for(context, s.user(context, username))
    first = session.patch(path, change)
    assert first.status == 200, first.describe()
    s.remember_response(context, session.patch(path, {**change, "version": 1}))


@when('another sale of {amount:Money} by "{seller}" this month is approved')
def step_another_sale(context, amount, seller):
    subject = context.subject  # the commission read before: the sale must not become the scenario's subject
    salesperson = s.user(context, seller)
    s.expect_success(s.make_deal(context, salesperson, amount, s.some_client_of(context, salesperson)),
                     f"the deal of {amount}")
    s.approved_payment(context, amount)
    context.subject = subject


@when('"{username}" saves a change to that commission from version {version:d}')
def step_saves_from_version(context, username, version):
    session = api.session_for(context, s.user(context, username))
    path = api.detail_path("commissions", context.subject.pk)
    s.remember_response(context, session.patch(path, {"bonus": "5.00", "version": version}))


@then("that commission is at version {version:d}, with sales of {sales:Money}")
def step_commission_version(context, version, sales):
    stored = Commission.objects.get(pk=context.subject.pk)
    assert (stored.version, stored.total_sales) == (version, sales), (
        f"the commission is at version {stored.version} with sales of {stored.total_sales}, expected version "
        f"{version} with {sales}")


@when('"{username}" records a payment of {amount} on that deal, remarking "{remarks}"')
def step_records_with_remarks(context, username, amount, remarks):
    body = {**payment_body(context), "amount": amount, "remarks": _text(remarks)}
    submit(context, username, "POST", api.list_path("payments"), body, "payment", "remarks")
    assert context.response.status == 201, f"the payment was refused: {context.response.describe()}"
    context.payment = Payment.objects.get(pk=context.response.body["id"])


@when('"{verifier}" decides that payment: {decision}, remarking "{remarks}"')
def step_decides_remarking(context, verifier, decision, remarks):
    step_decides(context, verifier, decision, _text(remarks))
    assert 200 <= context.response.status < 300, f"the decision was refused: {context.response.describe()}"


@when('"{verifier}" decides that payment: {decision}, with remarks of {size}')
def step_decides_with_remarks_of(context, verifier, decision, size):
    step_decides(context, verifier, decision, _text(size))


@then("the decision on that payment has no remarks")
def step_decision_without_remarks(context):
    payment = s.the_payment(context)
    payment.refresh_from_db()
    remarks = payment.approval.remarks
    assert remarks == "", f"the decision on {payment.transaction_id} has remarks: {remarks!r}"


def _text(written: str) -> str:
    """A remark as the outlines write it (``blank`` for an empty one)."""
    return field_value("remarks", written, {})


@then('the payment reads "{recorded}" and its decision reads "{decided}"')
def step_remarks_kept(context, recorded, decided):
    session = api.session_for(context, s.user(context, context.submitter))
    answer = session.get(api.detail_path("payments", s.the_payment(context).pk))
    shown = (answer.body.get("remarks"), (answer.body.get("approval") or {}).get("remarks"))
    expected = (_text(recorded), _text(decided))
    assert shown == expected, f"remarks {shown}, expected {expected}: {answer.describe()}"


@when('"{verifier}" decides that payment: {decision}')
def step_decides(context, verifier, decision, remarks=None):
    payment = s.the_payment(context)
    approved = re.fullmatch(r"approved for (\S+)", decision)
    rejected = re.fullmatch(r"rejected because of (.+)", decision)
    if approved:
        path, body, field = api.detail_path("payments", payment.pk, "approve"), {
            "verified_amount": approved.group(1)}, "verified_amount"
    elif rejected:
        path, body, field = api.detail_path("payments", payment.pk, "reject"), {
            "reason": rejected.group(1).replace(" ", "_")}, "reason"
    else:
        raise ValueError(f"expected 'approved for AMOUNT' or 'rejected because of REASON', got {decision!r}")
    if remarks is not None:
        body["remarks"] = remarks
    submit(context, verifier, "POST", path, body, "decision", field)


@given('"{owner}" has a client with the email "{email}"')
def step_client_with_email(context, owner, email):
    person = s.user(context, owner)
    ClientFactory(organization=person.organization, created_by=person, email=email)


@given('"{owner}" has recorded a cheque payment with the number "{number}" on a deal of theirs')
def step_cheque_payment_elsewhere(context, owner, number):
    person = s.user(context, owner)
    current = getattr(context, "deal", None)
    deal = s.expect_success(s.make_deal(context, person, Decimal("500.00"), s.add_client(
        context, person, f"Client of {owner}")), f"{owner}'s deal")
    data = {"deal": deal.pk, "payment_date": _today(), "amount": Decimal("50.00"), "payment_type": "cheque",
            "cheque_number": number}
    s.expect_success(s.service(context, "payment_service").create(person, data), f"{owner}'s cheque")
    if current is not None:
        context.deal = current  # "that deal" stays the scenario's own


@given('"{verifier}" has set the verification of that deal to "{status}"')
def step_has_verified(context, verifier, status):
    s.expect_success(s.service(context, "deal_service").verify(s.user(context, verifier), s.the_deal(context).pk,
                                                               status), f"the verification {status}")


@then("that submission is accepted")
def step_submission_accepted(context):
    answer = context.response
    assert 200 <= answer.status < 300, f"expected the submission to be accepted: {answer.describe()}"


@then("that submission is refused as invalid, naming it")
def step_refused_naming_it(context):
    _refused(context, 400, context.submitted[1])


@then("that submission is refused as invalid, naming {name}")
def step_refused_naming(context, name):
    _refused(context, 400, api_field(context.submitted[0], name))


@given('"{admin}" has calculated the commission of "{seller}" for this month, then for its first half and its '
       'second half')
def step_overlapping_commissions(context, admin, seller):
    """Overlapping periods, in this order: a lookup of the duplicate by its start or its end alone finds one of
    the halves first (commissions list newest start first, then newest first)."""
    start, end = s.this_month()
    middle = start + dt.timedelta(days=14)
    for first, last in ((start, end), (start, middle), (middle + dt.timedelta(days=1), end)):
        data = {"user": s.user(context, seller).pk, "period_start": first, "period_end": last}
        s.expect_success(s.service(context, "commission_service").calculate(s.user(context, admin), data),
                         f"the commission of {seller} for {first}..{last}")


@then('the refusal names the commission of "{seller}" that already covers the period')
def step_refusal_names_commission(context, seller):
    start, end = s.this_month()  # the period the refused submission asked for
    covering = Commission.objects.get(user=s.user(context, seller), period_start=start, period_end=end)
    messages = context.response.field_errors.get("non_field_errors", [])
    assert any(m.startswith(f"Commission {covering.pk} already covers ") for m in messages), (
        f"expected the refusal to name commission {covering.pk}: {context.response.describe()}")


@then('that submission is refused as invalid, saying "{message}"')
def step_refused_saying(context, message):
    field = context.submitted[1]
    _refused(context, 400, field)
    said = context.response.field_errors[field]
    assert said == [message], f"expected {field!r} to be refused saying {message!r}: {context.response.describe()}"


@then("that submission is a conflict, naming {name}")
def step_conflict_naming(context, name):
    _refused(context, 409, "non_field_errors" if name == "nothing in particular" else name)


def _refused(context: Any, status: int, field: str) -> None:
    answer = context.response
    assert answer.status == status and field in answer.field_errors, (
        f"expected {status} naming {field!r}: {answer.describe()}")


@then("the answer shows {pairs}")
def step_answer_shows(context, pairs):
    body = context.response.body
    shown = re.findall(r'([a-z][a-z ]*?) "([^"]*)"', pairs)
    assert shown, f'expected field "value" pairs, got {pairs!r}'
    for name, expected in shown:
        name = name.removeprefix("and ").strip()
        if name == "salesperson":
            actual, expected = body["salesperson"]["email"], s.user(context, expected).email
        else:
            kind = next(k for k in ("client", "deal", "commission") if name in FIELDS[k])
            actual = body.get(api_field(kind, name))
        assert str(actual) == expected, f"{name} is {actual!r}, expected {expected!r}: {context.response.describe()}"


@given('"{org}" keeps its books in {currency}')
def step_books_in(context, org, currency):
    organization = s.organization(context, org)
    organization.currency = currency
    organization.save(update_fields=["currency"])  # the organization's settings: arranged, not a PRS write

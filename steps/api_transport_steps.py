"""What the API takes in and gives back: JSON objects only, fields PRS owns ignored, one error body."""
from __future__ import annotations

import json
import logging

from behave import given, then, when
from django.utils import timezone

from prs.audit.services import AuditService
from prs.deals.models import Deal
from support.contracts import FailureDouble
from support.prs import api_client as api
from support.prs import steps_support as s

BODIES = {
    "a form": ("name=Fabrikam&email=a%40b.example&phone=%2B15550000001", "application/x-www-form-urlencoded"),
    "malformed JSON": ('{"name": "Fabrikam",', "application/json"),
    "a JSON list": (json.dumps([{"name": "Fabrikam"}]), "application/json"),
    "a JSON number": ("42", "application/json"),
    # deeper than Python's recursion limit (1,000), and far below the size limit
    "JSON nested too deeply": ("[" * 10_000 + "]" * 10_000, "application/json"),
}


@when('"{username}" sends a new client as {body}')
def step_sends_raw(context, username, body):
    if body not in BODIES:
        raise ValueError(f"unknown body {body!r}: one of {', '.join(BODIES)}")
    raw, content_type = BODIES[body]
    session = api.session_for(context, s.user(context, username))
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in session.headers.items()}
    response = session.transport.client.generic("POST", api.list_path("clients"), raw, content_type, **extra)
    decoded = api._decoded(response.content, response.get("Content-Type", ""))
    s.remember_response(context, api.ApiAnswer("POST", api.list_path("clients"), response.status_code, decoded))


@then('the answer is {status:d} "{code}" with the one error body')
@then('the answer is {status:d} "{code}" with the one error body, naming {field}')
def step_error_body(context, status, code, field=None):
    answer = context.response
    body = answer.body
    assert answer.status == status, answer.describe()
    assert isinstance(body, dict) and set(body) == {"error_code", "detail", "errors"}, (
        f"not the one error body: {answer.describe()}")
    assert body["error_code"] == code and body["detail"], answer.describe()
    assert isinstance(body["errors"], dict), answer.describe()
    if field is not None:
        assert field in body["errors"], answer.describe()


@then('the refusal says "{sentence}"')
def step_refusal_says(context, sentence):
    """The error body's sentence, and the message of each field it names."""
    body = context.response.body
    said = [body["detail"], *(message for messages in body["errors"].values() for message in messages)]
    assert set(said) == {sentence}, f"expected the refusal to say {sentence!r}: {context.response.describe()}"


@when('"{username}" submits a new deal that also names its salesperson, number, statuses, progress and '
      'organization')
def step_deal_with_owned_fields(context, username):
    today = timezone.localdate()
    body = {"client": s.client(context, "Northwind").pk, "value": "300.00", "deal_date": today.isoformat(),
            "due_date": today.isoformat(), "payment_method": "bank",
            "salesperson": s.user(context, "alice").pk, "deal_id": "DLID9999", "verification_status": "verified",
            "payment_status": "fully_paid", "progress": "100.00", "organization": s.organization(context, "Globex").pk,
            "version": 7}
    s.remember_response(context, api.session_for(context, s.user(context, username)).post(api.list_path("deals"),
                                                                                         body))


@then('the new deal is sold by "{seller}", numbered "{number}", pending, not paid at 0.00 percent, in "{org}"')
def step_new_deal_owned(context, seller, number, org):
    answer = context.response
    assert answer.status == 201, answer.describe()
    deal = Deal.objects.get(pk=answer.body["id"])
    shown = (deal.salesperson, deal.deal_id, deal.verification_status, deal.payment_status, str(deal.progress),
             deal.organization, deal.version)
    expected = (s.user(context, seller), number, "pending", "not_paid", "0.00", s.organization(context, org), 1)
    assert shown == expected, f"the new deal is {shown}, expected {expected}"


@when('"{username}" records a payment on that deal that also names its status, recorder, number and invoice')
def step_payment_with_owned_fields(context, username):
    body = {"deal": s.the_deal(context).pk, "payment_date": timezone.localdate().isoformat(), "amount": "100.00",
            "payment_type": "bank", "status": "approved", "recorded_by": s.user(context, "alice").pk,
            "transaction_id": "TXN-9999", "invoice": {"invoice_id": "INV-9999", "amount": "1.00"},
            "organization": s.organization(context, "Globex").pk}
    s.remember_response(context, api.session_for(context, s.user(context, username)).post(
        api.list_path("payments"), body))


@then('the new payment is pending, recorded by "{author}", numbered "{number}" with the invoice "{invoice}"')
def step_new_payment_owned(context, author, number, invoice):
    answer = context.response
    assert answer.status == 201, answer.describe()
    body = answer.body
    shown = (body["status"], body["recorded_by"]["email"], body["transaction_id"], body["invoice"]["invoice_id"],
             body["invoice"]["amount"], body["organization"])
    expected = ("pending", s.user(context, author).email, number, invoice, "100.00", s.organization(context, "Acme").pk)
    assert shown == expected, f"the new payment is {shown}, expected {expected}"


@when('"{admin}" calculates the commission of "{seller}" naming its own sales of {sales:Money} and amount of '
      '{amount:Money}')
def step_commission_with_figures(context, admin, seller, sales, amount):
    start, end = s.this_month()
    body = {"user": s.user(context, seller).pk, "period_start": start.isoformat(), "period_end": end.isoformat(),
            "total_sales": str(sales), "commission_amount": str(amount), "total_commission": str(amount),
            "total_receivable": str(amount)}
    s.remember_response(context, api.session_for(context, s.user(context, admin)).post(
        f"{api.list_path('commissions')}calculate/", body))


@then("the new commission counts sales of {sales:Money} and a commission of {amount:Money}")
def step_new_commission_figures(context, sales, amount):
    answer = context.response
    assert answer.status == 201, answer.describe()
    shown = (answer.body["total_sales"], answer.body["commission_amount"])
    assert shown == (str(sales), str(amount)), f"the new commission shows {shown}, expected {(sales, amount)}"


# -- a bug: the 500 answer ---------------------------------------------------------------------------------------

# What the planted bug says: the double's exception (support.contracts.FailureDouble).
BUG = "injected failure in AuditService.record"


@given("the audit trail has a bug that breaks every write")
def step_audit_trail_bug(context):
    """An exception no service answers as a result: what a bug in PRS looks like from the API."""
    broken = FailureDouble(AuditService(), methods=("record",), error=RuntimeError)
    s.use_services(context, s.build_services(audit_service=broken))
    context.operators_log = s.kept_log(context, "prs.api", logging.ERROR)


@then("the answer gives nothing of the bug away")
def step_nothing_given_away(context):
    body = context.response.body
    assert (body["detail"], body["errors"]) == ("Internal server error.", {}) and BUG not in json.dumps(body), (
        f"the answer to a bug says more than that: {context.response.describe()}")


@then("the operators are told where the bug struck, with its details")
def step_operators_told_of_bug(context):
    told = [(record.getMessage(), record.exc_info and str(record.exc_info[1])) for record in
            context.operators_log]
    assert ("unhandled error in ClientViewSet", BUG) in told, f"the operators were told {told}"

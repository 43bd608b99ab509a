"""The vocabulary every feature shares: organizations and people, clients, deals, payments, decisions,
the deal's payment status, commissions, the audit trail and the common answers.

Given steps arrange through factories (organizations, users, clients) and PRS's services (deals, payments,
decisions) and fail loudly when PRS refuses. When steps only record PRS's answer (``context.result``); the
Then steps check it and what PRS wrote on its own. Helpers: support/prs/steps_support.py.
"""
from __future__ import annotations

from decimal import Decimal

from behave import given, then, when

from prs.common.results import ErrorCode
from support.prs import steps_support as s

# -- organizations, people, clients --------------------------------------------------------------------------------


@given('the organization "{org}" with a salesperson "{seller}", a verifier "{verifier}" and an admin "{admin}"')
def step_organization_with_people(context, org, seller, verifier, admin):
    organization = s.add_organization(context, org)
    for username, role in ((seller, "salesperson"), (verifier, "verifier"), (admin, "admin")):
        s.add_member(context, organization, username, role)


@given('"{org}" also has the salespeople {sellers:NameList} and the verifier "{verifier}"')
def step_more_people(context, org, sellers, verifier):
    organization = s.organization(context, org)
    for username in sellers:
        s.add_member(context, organization, username, "salesperson")
    s.add_member(context, organization, verifier, "verifier")


@given('"{author}" has recorded the client "{name}"')
def step_recorded_client(context, author, name):
    s.add_client(context, s.user(context, author), name)


# -- deals --------------------------------------------------------------------------------------------------------


@given('"{seller}" has made a deal of {value:Money} with "{name}"')
def step_has_made_deal(context, seller, value, name):
    s.expect_success(s.make_deal(context, s.user(context, seller), value, s.client(context, name)),
                     f"the deal of {value} with {name}")


@given('"{seller}" has made a deal of {value:Money} with his client "{name}"')
def step_has_made_deal_with_own_client(context, seller, value, name):
    salesperson = s.user(context, seller)
    s.add_client(context, salesperson, name)
    s.expect_success(s.make_deal(context, salesperson, value, s.client(context, name)),
                     f"the deal of {value} with {name}")


@given('"{seller}" has made {count:d} deals')
def step_has_made_deals(context, seller, count):
    salesperson = s.user(context, seller)
    customer = s.some_client_of(context, salesperson)
    context.deals = []
    for number in range(count):
        s.expect_success(s.make_deal(context, salesperson, Decimal("1000.00"), customer), f"deal {number + 1}")


@given("the first of those deals is paid in full")
def step_first_deal_paid(context):
    first = context.deals[0]
    s.approved_payment(context, first.value, deal=first)


@when('"{seller}" makes a deal of {value:Money} with "{name}"')
def step_makes_deal(context, seller, value, name):
    s.make_deal(context, s.user(context, seller), value, s.client(context, name), via_api=True)


@then('the deal is "{status}" with a progress of {progress:Money} percent')
def step_deal_status(context, status, progress):
    deal = s.the_deal(context)
    assert (deal.payment_status, deal.progress) == (status, progress), (
        f"deal {deal.deal_id} is {deal.payment_status!r} at {deal.progress} percent, "
        f"expected {status!r} at {progress}"
    )


# -- payments and decisions -------------------------------------------------------------------------------------------


@given('"{author}" has recorded a {kind} payment of {amount:Money} on that deal')
def step_has_recorded_payment(context, author, kind, amount):
    s.expect_success(s.record_payment(context, s.user(context, author), amount, kind), f"the payment of {amount}")


@when('"{author}" records a {kind} payment of {amount:Money} on that deal')
def step_records_payment(context, author, kind, amount):
    s.record_payment(context, s.user(context, author), amount, kind, via_api=True)


@given("payments of {amounts:MoneyList} on that deal are approved")
@when("payments of {amounts:MoneyList} on that deal are approved")
def step_payments_approved(context, amounts):
    for amount in amounts:
        s.approved_payment(context, amount)


@given('"{seller}" has approved sales of {amount:Money} this month')
def step_has_approved_sales(context, seller, amount):
    """A deal of that value with one payment in full, approved today by a verifier."""
    salesperson = s.user(context, seller)
    s.expect_success(s.make_deal(context, salesperson, amount, s.some_client_of(context, salesperson)),
                     f"the deal of {amount}")
    s.approved_payment(context, amount)


@when('"{verifier}" approves that payment for its full amount')
@when('"{verifier}" approves that payment')
def step_approves_in_full(context, verifier):
    s.approve(context, s.user(context, verifier), via_api=True)


@when('"{verifier}" approves that payment for {amount:Money}')
def step_approves_for(context, verifier, amount):
    s.approve(context, s.user(context, verifier), amount, via_api=True)


@when('"{verifier}" rejects that payment because of "{reason}"')
def step_rejects_because(context, verifier, reason):
    s.reject(context, s.user(context, verifier), reason, via_api=True)


@when('"{verifier}" rejects that payment')
def step_rejects(context, verifier):
    s.reject(context, s.user(context, verifier), via_api=True)


@when('"{verifier}" approves that payment through the services')
def step_approves_through_services(context, verifier):
    s.approve(context, s.user(context, verifier))


@when('"{verifier}" rejects that payment through the services')
def step_rejects_through_services(context, verifier):
    s.reject(context, s.user(context, verifier))


@then("the payment is accepted")
def step_payment_accepted(context):
    result = s.last_answer(context)
    assert result.success, f"the payment was refused: {s.describe(result)}"
    assert result.data.pk == s.the_payment(context).pk


@then("the payment is refused as an overpayment")
def step_payment_overpayment(context):
    s.expect_failure(context.result, ErrorCode.VALIDATION, "amount")
    message = " ".join(context.result.errors["amount"])
    assert "overpay" in message, f"refused, but not as an overpayment: {message}"


@then("the payment is refused as an overpayment, {remaining} remaining")
def step_payment_overpayment_remaining(context, remaining):
    step_payment_overpayment(context)
    message = " ".join(context.result.errors["amount"])
    assert f": {remaining} remains." in message, f"the refusal should say {remaining} remains: {message}"


@then('the payment stays "{status}"')
def step_payment_stays(context, status):
    payment = s.the_payment(context)
    assert payment.status == status, f"payment {payment.transaction_id} is {payment.status!r}, expected {status!r}"


# -- commissions ---------------------------------------------------------------------------------------------------


@given('"{admin}" has calculated the commission of "{seller}" for this month')
def step_has_calculated_commission(context, admin, seller):
    result = s.calculate_commission(context, s.user(context, admin), s.user(context, seller))
    s.expect_success(result, f"the commission of {seller}")


@when('"{admin}" calculates the commission of "{seller}" for this month')
@when('"{admin}" calculates the commission of "{seller}" for this month with:')
def step_calculates_commission(context, admin, seller):
    """Optional table: one row with the columns rate, exchange rate, bonus, penalty (any of them)."""
    rows = list(context.table) if context.table else []
    if len(rows) > 1:
        raise ValueError(f"one row of commission terms expected, got {len(rows)}")
    where = f"the table of step line {context.table.line}" if rows else ""
    terms = s.commission_terms(rows[0].as_dict(), where) if rows else {}
    s.calculate_commission(context, s.user(context, admin), s.user(context, seller), terms, via_api=True)


@when('"{admin}" calculates the commission of "{seller}" for this month in "{currency}"')
def step_calculates_commission_in(context, admin, seller, currency):
    s.calculate_commission(context, s.user(context, admin), s.user(context, seller), {"currency": currency},
                           via_api=True)


@then('"{seller}" has a commission of {amount:Money} for the month of the payment')
def step_commission_of_payment_month(context, seller, amount):
    commission = s.commission_covering(s.user(context, seller), s.the_payment(context).payment_date)
    assert commission.commission_amount == amount, f"commission is {commission.commission_amount}, expected {amount}"


@then('"{seller}" has a commission of {amount:Money} for this month')
def step_commission_this_month(context, seller, amount):
    start, end = s.this_month()
    commission = s.commission_covering(s.user(context, seller), start)
    assert (commission.period_start, commission.period_end) == (start, end), f"period {commission}"
    assert commission.commission_amount == amount, f"commission is {commission.commission_amount}, expected {amount}"


# -- the audit trail and common answers --------------------------------------------------------------------------


@then('the audit trail of "{org}" is intact')
def step_audit_intact(context, org):
    result = s.service(context, "audit_service").verify_chain(s.organization(context, org))
    assert result.success, f"the audit trail of {org} is broken: {result.errors}"


@then("he is told it does not exist")
@then("she is told it does not exist")
def step_told_not_found(context):
    answer = s.last_answer(context)
    if hasattr(answer, "status_code"):
        assert answer.status_code == 404, f"expected 404, got {answer.status_code}: {getattr(answer, 'data', '')}"
    else:
        s.expect_failure(answer, ErrorCode.NOT_FOUND)


@then('"{user}" is notified that {news}')
def step_notified_that(context, user, news):
    s.assert_notified(context, s.user(context, user), news)

"""Dates at the calendar's edges: commission periods, the payment-date window, the lockout window.

The day itself comes from the scenario's ``@today:`` tag (support.behave.clock); "minutes have passed" moves
the scenario's clock on.
"""
from __future__ import annotations

import datetime as dt

from behave import given, then, when

from prs.commissions.models import Commission
from support.prs import api_client as api
from support.prs import steps_support as s


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip())


def _calculate(context, actor: str, seller: str, start: str, end: str):
    """``end`` may be followed by `` in "EUR"``: the commission's currency."""
    end, _, currency = end.partition(' in "')
    data = {"user": s.user(context, seller).pk, "period_start": _day(start), "period_end": _day(end),
            **({"currency": currency.rstrip('"')} if currency else {})}
    return s.remember_result(context, s.service(context, "commission_service").calculate(s.user(context, actor), data))


@given('"{seller}" has approved sales of {amount:Money} dated {day}')
def step_sales_dated(context, seller, amount, day):
    salesperson = s.user(context, seller)
    s.expect_success(s.make_deal(context, salesperson, amount, s.some_client_of(context, salesperson)),
                     f"the deal of {amount}")
    s.approved_payment(context, amount, on=_day(day))


@given('"{actor}" has calculated the commission of "{seller}" from {start} to {end}')
def step_has_calculated(context, actor, seller, start, end):
    context.commission = s.expect_success(_calculate(context, actor, seller, start, end), "the commission")


@when('"{actor}" calculates the commission of "{seller}" from {start} to {end}')
def step_calculates(context, actor, seller, start, end):
    result = _calculate(context, actor, seller, start, end)
    context.commission = result.data if result.success else None


@when('a payment of {amount:Money} dated {day} on a deal of "{seller}" is approved')
def step_payment_dated_approved(context, amount, day, seller):
    step_sales_dated(context, seller, amount, day)


@then("that commission counts sales of {sales:Money}")
def step_commission_sales(context, sales):
    commission = getattr(context, "commission", None)
    assert commission is not None, f"no commission was calculated: {s.describe(context.result)}"
    commission = Commission.objects.get(pk=commission.pk)
    assert commission.total_sales == sales, (
        f"the commission {commission.period_start}..{commission.period_end} counts {commission.total_sales}, "
        f"expected {sales}")


@when('"{author}" records a payment of {amount:Money} dated {day} on that deal')
def step_records_dated_payment(context, author, amount, day):
    body = {"deal": s.the_deal(context).pk, "payment_date": day, "amount": str(amount), "payment_type": "bank"}
    s.remember_response(context, api.session_for(context, s.user(context, author)).post(api.list_path("payments"),
                                                                                          body))


@then("that dated payment is accepted")
def step_payment_accepted(context):
    answer = context.response
    assert answer.status == 201, answer.describe()


@then("that dated payment is refused as invalid, naming its date")
def step_payment_refused_date(context):
    answer = context.response
    assert answer.status == 400 and "payment_date" in answer.field_errors, answer.describe()


def _fail_sign_in(context, username: str, times: int) -> None:
    member = s.user(context, username)
    for _ in range(times):
        answer = api.anonymous_session(context).sign_in(member.email, "not-the-password")
        assert answer.status in (401, 429), answer.describe()


@given('someone failed to sign in as "{username}" {times:d} times')
def step_failed_sign_ins(context, username, times):
    _fail_sign_in(context, username, times)


@given("{minutes:d} minutes have passed")
def step_minutes_pass(context, minutes):
    context.clock.shift(dt.timedelta(minutes=minutes))


@when('someone fails to sign in as "{username}" once more')
def step_fails_once_more(context, username):
    _fail_sign_in(context, username, 1)


@then('"{username}" is locked out with the right password')
def step_locked_out(context, username):
    answer = api.anonymous_session(context).sign_in(s.user(context, username).email, s.PASSWORD)
    assert answer.status == 429, answer.describe()


@then('"{username}" signs in with the right password')
def step_signs_in_fine(context, username):
    answer = api.anonymous_session(context).sign_in(s.user(context, username).email, s.PASSWORD)
    assert answer.status == 200, answer.describe()

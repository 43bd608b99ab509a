"""Steps of features/hardening.feature: the holes of issue 11, each kept closed by a rule of PRS.

Thin: PRS is reached through its REST API (support/prs/api_client.py) or its services
(support/prs/steps_support.py); timing and schemathesis live in support/prs/login_timing.py and
support/prs/schema_conformance.py, shared with the pytest tests.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from typing import Any

from behave import given, then, when

from prs.audit.models import AuditLog, SecurityEvent, SecurityEventType
from prs.commissions import exchange_rates
from prs.commissions.models import Commission
from prs.common.access import object_type
from prs.common.results import ErrorCode
from prs.notifications.models import NotificationType
from support.prs import api_client as api
from support.prs import steps_support as s
from support.prs.login_timing import failed_login_medians, production_hasher, spread
from support.prs.schema_conformance import exercise

FIGURES = {"commission amount": "commission_amount", "total": "total_commission", "receivable": "total_receivable"}
TIMING_SPREAD_LIMIT = 2.0  # generous: without the dummy hash the probe saw 50x, the pytest test about 15x
CONFORMANCE_EXAMPLES = 1  # per operation and mode; the pytest run (tests/contracts) goes further


def session(context: Any, username: str) -> api.ApiSession:
    return getattr(context, "signed_in", {}).get(username) or api.session_for(context, s.user(context, username))


def commission_body(**fields: Any) -> dict[str, Any]:
    start, end = s.this_month()
    return {"period_start": start.isoformat(), "period_end": end.isoformat(), **fields}


def last_response(context: Any, status: int) -> api.ApiAnswer:
    answer = context.response
    assert answer.status == status, f"expected {status}: {answer.describe()}"
    return answer


# -- COM-05: who sets commission terms ---------------------------------------------------------------------------


@when('"{seller}" calculates his own commission for this month with a {term} of {value}')
def step_own_commission_with_term(context, seller, term, value):
    field = s.COMMISSION_TERMS[term]
    context.term_field = field
    body = commission_body(**{field: value})
    s.remember_response(context, session(context, seller).post("/api/commissions/calculate/", body))
    context.attempted_by = seller


@when('"{seller}" calculates his own commission for this month in "{currency}"')
def step_own_commission_in(context, seller, currency):
    body = commission_body(currency=currency)
    s.remember_response(context, session(context, seller).post("/api/commissions/calculate/", body))
    context.calculator = seller


@then("he is refused for lack of role, naming the {term}")
def step_refused_for_role(context, term):
    refused = last_response(context, 403)
    assert refused.error_code == "forbidden" and s.COMMISSION_TERMS[term] in refused.field_errors, refused.describe()
    # SEC-05: the denial is on record, naming what was refused: setting a new commission's terms.
    seller = s.user(context, context.attempted_by)
    denied = SecurityEvent.objects.filter(user=seller, event_type=SecurityEventType.PERMISSION_DENIED).last()
    details = denied.details if denied is not None else None
    assert details == {"action": "set commission terms", "object_type": object_type(Commission), "object_id": "",
                       "role": seller.role}, f"the permission-denied event names {details}"


@then('"{seller}" has no commission')
def step_no_commission(context, seller):
    stored = Commission.objects.filter(user=s.user(context, seller)).count()
    assert stored == 0, f"{seller} has {stored} commission(s)"


@then("his commission is worked out at the rate {rate:Money} and the exchange rate {fx:Money}, making {amount:Money}")
def step_commission_worked_out(context, rate, fx, amount):
    shown = last_response(context, 201).body
    figures = tuple(Decimal(shown[name]) for name in ("commission_rate", "exchange_rate", "commission_amount"))
    assert figures == (rate, fx, amount), f"rate, exchange rate, commission: {figures}, expected {(rate, fx, amount)}"
    calculator = s.user(context, context.calculator)
    assert shown["calculated_by"] == calculator.pk, (
        f"the commission shows it calculated by user {shown['calculated_by']}, expected {context.calculator}")


# -- COM-13: computed money fits its columns -----------------------------------------------------------------------


@given('"{admin}" has set the commission of "{seller}" for this month at a rate of {rate:Money} and an exchange '
       'rate of {fx:Money}')
def step_has_set_commission(context, admin, seller, rate, fx):
    result = s.calculate_commission(context, s.user(context, admin), s.user(context, seller),
                                    {"commission_rate": rate, "exchange_rate": fx})
    context.commission = s.expect_success(result, f"the commission of {seller}")


@then("the calculation is refused as invalid, naming the {figure}")
def step_calculation_refused(context, figure):
    s.expect_failure(context.result, ErrorCode.VALIDATION, FIGURES[figure])


@then("the answer is a conflict naming the {figure}")
def step_conflict_naming(context, figure):
    conflict = last_response(context, 409)
    assert FIGURES[figure] in conflict.field_errors, conflict.describe()


@then('the commissions of "{seller}" can still be read')
def step_commissions_readable(context, seller):
    reader = session(context, seller)
    listed = reader.get(api.list_path("commissions"))
    assert listed.status == 200, listed.describe()
    for shown in listed.results:
        detail = reader.get(api.detail_path("commissions", shown["id"]))
        assert detail.status == 200, detail.describe()


# -- COM-12: nothing changed, nothing bumped -----------------------------------------------------------------------


@then('the commission of "{seller}" for this month is still as first calculated, with nothing more in its history')
def step_commission_untouched(context, seller):
    commission = s.commission_covering(s.user(context, seller), s.this_month()[0])
    history = AuditLog.objects.filter(object_type=object_type(commission), object_id=str(commission.pk)).count()
    assert (commission.version, history) == (1, 1), f"version {commission.version}, {history} audit entries"


@then('"{seller}" is not notified that the commission changed')
def step_not_notified_of_change(context, seller):
    found = s.notifications_of(s.user(context, seller), NotificationType.COMMISSION_CHANGED)
    assert not found, f"{seller} was told of a change: {[note.message for note in found]}"


# -- COM-14: one breaker per provider for the whole process ---------------------------------------------------------


@given("the exchange-rate provider PRS is configured with is down")
def step_configured_provider_down(context):
    context.provider_calls = []
    provider_class = exchange_rates.FakeExchangeRateProvider
    real_get_rate = provider_class.get_rate

    def down(provider: Any, base: str, quote: str) -> Decimal:
        context.provider_calls.append((base, quote))
        raise ConnectionError("exchange-rate service down")

    provider_class.get_rate = down  # what every request's services build from the settings
    breaker = exchange_rates.shared_breaker(exchange_rates.provider_key())
    breaker.close()
    context.breaker_log = s.kept_log(context, "prs.exchange_rates", logging.INFO)

    def restore() -> None:
        provider_class.get_rate = real_get_rate
        breaker.close()

    context.add_cleanup(restore)


@when('"{admin}" asks for {count:d} commissions of "{seller}" in "{currency}", one request after another')
def step_asks_for_commissions(context, admin, count, seller, currency):
    start, _ = s.this_month()
    context.calls_after = []
    context.answers = []
    for month in range(count):  # a different past month each time: no conflict between them
        first = (start.replace(day=1) - dt.timedelta(days=31 * (month + 1))).replace(day=1)
        body = {"user": s.user(context, seller).pk, "period_start": first.isoformat(),
                "period_end": first.isoformat(), "currency": currency}
        context.answers.append(session(context, admin).post("/api/commissions/calculate/", body))
        context.calls_after.append(len(context.provider_calls))


@then("each is refused as unavailable")
def step_each_unavailable(context):
    statuses = [answer.status for answer in context.answers]
    assert statuses == [503] * len(statuses), [answer.describe() for answer in context.answers]


@then("the provider was called only until the circuit opened, not by the later requests")
def step_calls_stop(context):
    calls = context.calls_after
    limit = exchange_rates.shared_breaker(exchange_rates.provider_key()).fail_max
    assert calls[-1] == calls[1] <= limit, f"provider calls after each request: {calls} (breaker opens at {limit})"


@then("the operators are told the circuit opened")
def step_told_opened(context):
    told = [record.getMessage() for record in context.breaker_log]
    assert any("opened" in line for line in told), told


# -- API-07: too large ----------------------------------------------------------------------------------------------


@when('"{username}" sends a new client record larger than PRS accepts')
def step_sends_too_large(context, username):
    from django.conf import settings

    body = {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "email": "big@example.com",
            "phone": "+15550000000"}
    s.remember_response(context, session(context, username).post(api.list_path("clients"), body,
                                                                   log_body={"name": "(over the limit)"}))


@then("he is told the request is too large, in the API's error form")
def step_told_too_large(context):
    refused = last_response(context, 413)
    assert refused.error_code == "request_too_large" and refused.body.get("detail"), refused.describe()


# -- API-08: ids and numbers -----------------------------------------------------------------------------------------


@when('"{username}" asks for the deal at the address with the id "{bad_id}"')
def step_asks_for_deal_at(context, username, bad_id):
    s.remember_response(context, session(context, username).get(f"{api.list_path('deals')}{bad_id}/"))


@then("she is told it does not exist, in the API's error form")
def step_told_not_found_json(context):
    missing = last_response(context, 404)
    assert isinstance(missing.body, dict) and missing.error_code == "not_found", missing.describe()


# -- SEC-08: timing -----------------------------------------------------------------------------------------------


@given("passwords are kept as in production")
def step_production_passwords(context):
    hasher = production_hasher()
    hasher.__enter__()
    context.add_cleanup(hasher.__exit__, None, None, None)


@when('failed sign-ins are timed for "{username}" and for an email nobody has')
def step_time_failed_sign_ins(context, username):
    member = s.user(context, username)
    member.set_password(s.PASSWORD)  # stored with production's hasher
    member.save(update_fields=["password"])
    context.login_medians = failed_login_medians([member.email, "nobody@nowhere.example"])


@then("both take about the same time")
def step_same_time(context):
    assert spread(context.login_medians) < TIMING_SPREAD_LIMIT, f"median times (ms): {context.login_medians}"


# -- SEC-09: a lockout keeps existing sessions -------------------------------------------------------------------------


@given('"{username}" has signed in')
def step_has_signed_in(context, username):
    signed = api.anonymous_session(context)
    answer = signed.sign_in(s.user(context, username).email, s.PASSWORD)
    assert answer.status == 200, answer.describe()
    context.signed_in = {**getattr(context, "signed_in", {}), username: signed}


@then('"{username}" still reaches the deals list with the session he had')
def step_still_reaches(context, username):
    listed = context.signed_in[username].get(api.list_path("deals"))
    assert listed.status == 200, listed.describe()


# -- API-09: the description agrees with the API ----------------------------------------------------------------------


@when("the whole API is exercised from its description, with valid and invalid requests and every check")
def step_exercise_api(context):
    from rest_framework.authtoken.models import Token

    from support.prs.factories import PaymentFactory

    admin = s.a_member(context, s.user(context, "alice").organization_id, "admin")
    PaymentFactory(deal__client__organization=admin.organization, deal__actor=s.user(context, "sam"),
                   actor=s.user(context, "sam"))
    token, _ = Token.objects.get_or_create(user=admin)
    context.disagreements = exercise(token.key, CONFORMANCE_EXAMPLES)


@then("no disagreement between the description and the API is found")
def step_no_disagreement(context):
    assert not context.disagreements, json.dumps(context.disagreements, indent=1)

"""The services together: a failing collaborator injected through the constructor (``build_services``
overrides), rollback of the earlier writes, errors as ServiceResults, who calls whom, and the exchange-rate
provider down behind CommissionService's breaker.

Failures come from the contracts package's one failure double (``FailureDouble``); calls between services are
watched by its recorder (``record_services``): every service behind a call-stack-aware recording proxy, each
given the proxies of its collaborators, so each call is attributed to the service that really made it and
checked against the callee's contract. Nothing is patched process-wide.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pybreaker
from behave import given, then, when
from django.utils import timezone

from prs.audit.models import AuditLog
from prs.commissions.exchange_rates import FakeExchangeRateProvider
from prs.commissions.models import Commission
from prs.commissions.services import CommissionService
from prs.common.results import ErrorCode, ServiceResult
from prs.deals.models import Deal, Invoice, Payment
from prs.notifications.models import Notification
from prs.services import SERVICE_CLASSES
from support.contracts import CallLog, FailureDouble, record_services
from support.prs import steps_support as s
from support.prs.contracts import prs_contracts
from support.prs.messages import injected_failure

MISSING_ID = 2_000_000_000
FAILING_METHODS = {"audit service": ("audit_service", "record"),
                   "notification service": ("notification_service", "notify")}


def attempt(context: Any, call: Callable[[], ServiceResult[Any]]) -> None:
    """Runs a service call; an exception escaping the service is kept for the Then step to report."""
    context.raised = None
    try:
        result = call()
    except Exception as error:  # noqa: BLE001 - an escaping exception is what the Then step reports
        context.raised = error
        return
    s.remember_result(context, result)  # outside the try: an uncatalogued message fails here, named as such


def answered(context: Any) -> ServiceResult[Any]:
    raised = getattr(context, "raised", None)
    assert raised is None, f"the service raised {type(raised).__name__}: {raised} instead of answering a result"
    return context.result


def written(deal: Any) -> dict[str, int]:
    org = deal.organization_id
    return {"payments": Payment.objects.filter(deal=deal).count(),
            "invoices": Invoice.objects.filter(organization_id=org).count(),
            "notifications": Notification.objects.filter(recipient__organization_id=org).count(),
            "audit entries": AuditLog.objects.filter(organization_id=org).count()}


# -- a failure late in a chain ----------------------------------------------------------------------------------------


@given("the {failing} fails")
def step_service_fails(context, failing):
    if failing not in FAILING_METHODS:
        raise ValueError(f"unknown failing service {failing!r}: one of {', '.join(FAILING_METHODS)}")
    name, method = FAILING_METHODS[failing]
    down = ServiceResult.fail(ErrorCode.UNAVAILABLE, {"non_field_errors": [injected_failure(method)]})
    context.failing = FailureDouble(s.build_services()[name], methods=(method,), answer=lambda *args, **kwargs: down)
    s.use_services(context, s.build_services(**{name: context.failing}))


@when('"{author}" records a {kind} payment of {amount:Money} on that deal through the services')
def step_records_through_services(context, author, kind, amount):
    context.written_before = written(s.the_deal(context))
    attempt(context, lambda: s.record_payment(context, s.user(context, author), amount, kind))


@then("the payment is refused as unavailable")
def step_refused_unavailable(context):
    assert context.failing.calls >= 1, "the failing service was never called"
    s.expect_failure(answered(context), ErrorCode.UNAVAILABLE)


@then("no payment, invoice, notification or audit entry was written")
def step_nothing_written(context):
    after = written(s.the_deal(context))
    assert after == context.written_before, f"written meanwhile: before {context.written_before}, after {after}"


# -- expected failures as results ----------------------------------------------------------------------------------


@when('"{author}" records a payment without naming its deal')
def step_payment_without_deal(context, author):
    data = {"payment_date": timezone.localdate(), "amount": "10.00", "payment_type": "bank"}
    attempt(context, lambda: s.service(context, "payment_service").create(s.user(context, author), data))


@when('"{author}" records a payment on a deal that does not exist')
def step_payment_on_missing_deal(context, author):
    data = {"deal": MISSING_ID, "payment_date": timezone.localdate(), "amount": "10.00", "payment_type": "bank"}
    attempt(context, lambda: s.service(context, "payment_service").create(s.user(context, author), data))


@when('"{author}" records a payment of nothing on that deal')
def step_payment_of_nothing(context, author):
    attempt(context, lambda: s.record_payment(context, s.user(context, author), Decimal("0.00")))


@when('"{author}" asks for a client that does not exist')
def step_missing_client(context, author):
    attempt(context, lambda: s.service(context, "client_service").get(s.user(context, author), MISSING_ID))


@when('"{author}" changes a client of his with the version "{version}"')
def step_client_change_with_version(context, author, version):
    person = s.user(context, author)
    client = s.add_client(context, person, "Versioned")
    data = {"name": "Versioned again", "version": version}
    attempt(context, lambda: s.service(context, "client_service").update(person, client.pk, data))


@when('the notification service is asked to tell "{first}", "{second}" and "{third}" of the deal of "{seller}"')
def step_notify_people(context, first, second, third, seller):
    deal = Deal.objects.filter(salesperson=s.user(context, seller)).latest("pk")
    people = [s.user(context, name) for name in (first, second, third)]
    attempt(context, lambda: s.service(context, "notification_service").notify(
        people, "deal_created", f"Deal {deal.deal_id} created", "A deal to look at.", "medium", deal))


@then('the refusal names "{first}" and "{second}" as not members of "{org}"')
def step_refusal_names_strangers(context, first, second, org):
    emails = ", ".join(sorted(s.user(context, name).email for name in (first, second)))
    expected = f"Not members of organization {s.organization(context, org).pk}: {emails}."
    assert answered(context).errors["recipients"] == [expected], f"expected [{expected!r}]: {context.result.errors}"


@then('the service answers "{code}" naming "{field}"')
def step_service_answers(context, code, field):
    result = answered(context)
    assert not result.success and result.error_code == code, f"expected {code}, got {s.describe(result)}"
    messages = " ".join(message for messages in result.errors.values() for message in messages)
    named = field in result.errors or re.search(rf"\b{re.escape(field)}\b", messages, re.IGNORECASE)
    assert named, f"no error names {field!r} (as its key or in its message): {result.errors}"


# -- who calls whom ----------------------------------------------------------------------------------------------------


def watch_services(context: Any) -> CallLog:
    """The scenario's services, replaced by recording proxies of themselves; returns the log of their calls."""
    log = CallLog()
    contracts = {contract.service_name: contract for contract in prs_contracts()}
    context.services = record_services(s.services(context), log, contracts)
    return log


@when("a payment is recorded, approved and its commission calculated while the services are watched")
def step_watched_work(context):
    context.calls = watch_services(context)
    deal, seller = s.the_deal(context), s.the_deal(context).salesperson
    payment = s.expect_success(s.record_payment(context, seller, Decimal("400.00")), "the payment")
    s.expect_success(s.approve(context, s.a_verifier_for(context, payment)), "the approval")
    admin = next(u for u in context.users.values() if u.organization_id == deal.organization_id
                 and u.role == "org_admin")
    s.expect_success(s.calculate_commission(context, admin, seller), "the commission")


@then("every service called only services it declares")
def step_only_declared(context):
    between = context.calls.between_services()
    undeclared = [(r.caller, r.callee, r.method) for r in between
                  if r.callee not in SERVICE_CLASSES[r.caller].dependencies]
    assert between, "no call between services was seen"
    assert not undeclared and not context.calls.violations(), (
        f"undeclared calls: {undeclared}; contract violations: {context.calls.violations()}")


@then("every service it declares for this work was called")
def step_declared_called(context):
    seen = context.calls.pairs()
    working = {caller for caller, _ in seen} | {"payment_service", "commission_service"}
    missing = [(caller, dependency) for caller in sorted(working)
               for dependency in SERVICE_CLASSES[caller].dependencies if (caller, dependency) not in seen]
    assert not missing, f"declared but never called: {missing} (calls seen: {sorted(seen)})"


# -- the exchange-rate provider ---------------------------------------------------------------------------------------


@given("the exchange-rate provider is down")
def step_provider_down(context):
    real = s.build_services()
    context.provider = FailureDouble(FakeExchangeRateProvider())  # every call raises ConnectionError
    commissions = CommissionService(audit_service=real["audit_service"],
                                    notification_service=real["notification_service"],
                                    exchange_rate_provider=context.provider,
                                    circuit_breaker=pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30))
    commissions.exchange_rates.sleep = lambda seconds: None  # retries without waiting
    s.use_services(context, s.build_services(commission_service=commissions))


@then("no commission was written")
def step_no_commission(context):
    assert context.provider.calls >= 1, "the exchange-rate provider was never asked"
    stored = list(Commission.objects.filter(organization=s.the_deal(context).organization))
    assert not stored, f"commissions written: {stored}"


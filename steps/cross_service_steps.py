"""The services together: a failing collaborator injected through the constructor (``build_services``
overrides), rollback of the earlier writes, errors as ServiceResults, who calls whom, and the exchange-rate
provider down behind CommissionService's breaker.

Calls between services are watched by wrapping the public methods of every service class in the composition
root (so a call made outside the injected collaborators is seen too); each call is also checked against the
callee's contract (support/contracts' ``call_violation``).
"""
from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pybreaker
from behave import given, then, when
from django.utils import timezone

from prs.audit.models import AuditLog
from prs.commissions.models import Commission
from prs.commissions.services import CommissionService
from prs.common.results import ErrorCode, ServiceResult
from prs.deals.models import Invoice, Payment
from prs.notifications.models import Notification
from prs.services import SERVICE_CLASSES
from support.contracts.recording import call_violation
from support.prs import steps_support as s
from support.prs.contracts import prs_contracts

MISSING_ID = 2_000_000_000
FAILING_METHODS = {"audit service": ("audit_service", "record"),
                   "notification service": ("notification_service", "notify")}


class FailingService:
    """Stands in for a service whose ``method`` answers dependency_unavailable; anything else is the real one."""

    def __init__(self, real: Any, method: str) -> None:
        self.real, self.method, self.calls = real, method, 0

    def __getattr__(self, name: str) -> Any:
        if name != self.method:
            return getattr(self.real, name)

        def unavailable(*args: Any, **kwargs: Any) -> ServiceResult[Any]:
            self.calls += 1
            return ServiceResult.fail(ErrorCode.UNAVAILABLE, {"non_field_errors": [f"{name} is down"]})

        return unavailable


class DownProvider:
    """An exchange-rate provider that never answers."""

    def __init__(self) -> None:
        self.calls = 0

    def get_rate(self, base: str, quote: str) -> Decimal:
        self.calls += 1
        raise ConnectionError(f"exchange-rate provider unreachable ({base}/{quote})")


def attempt(context: Any, call: Callable[[], ServiceResult[Any]]) -> None:
    """Runs a service call; an exception escaping the service is kept for the Then step to report."""
    context.raised = None
    try:
        s.remember_result(context, call())
    except Exception as error:  # noqa: BLE001 - an escaping exception is what the Then step reports
        context.raised = error


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
    context.failing = FailingService(s.build_services()[name], method)
    context.services = s.build_services(**{name: context.failing})


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


@then('the service answers "{code}" naming "{field}"')
def step_service_answers(context, code, field):
    result = answered(context)
    assert not result.success and result.error_code == code, f"expected {code}, got {s.describe(result)}"
    messages = " ".join(message for messages in result.errors.values() for message in messages)
    named = field in result.errors or re.search(rf"\b{re.escape(field)}\b", messages, re.IGNORECASE)
    assert named, f"no error names {field!r} (as its key or in its message): {result.errors}"


# -- who calls whom ----------------------------------------------------------------------------------------------------


def watch_services(context: Any) -> list[tuple[str, str, str, str | None]]:
    """Wraps every public method of every service class until the scenario ends; calls go to the list returned
    as (caller, callee, method, contract violation)."""
    calls: list[tuple[str, str, str, str | None]] = []
    running: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("running_services", default=())
    contracts = {contract.service_name: contract for contract in prs_contracts()}

    def watched(name: str, method: str, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            stack = running.get()
            if stack and stack[-1] != name:
                calls.append((stack[-1], name, method, call_violation(contracts.get(name), method, args, kwargs)))
            token = running.set((*stack, name))
            try:
                return original(self, *args, **kwargs)
            finally:
                running.reset(token)
        return wrapper

    for name, cls in SERVICE_CLASSES.items():
        for method, original in list(vars(cls).items()):
            if callable(original) and not method.startswith("_"):
                setattr(cls, method, watched(name, method, original))
                context.add_cleanup(setattr, cls, method, original)
    return calls


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
    undeclared = [(caller, callee, method) for caller, callee, method, _ in context.calls
                  if callee not in SERVICE_CLASSES[caller].dependencies]
    violations = [violation for *_, violation in context.calls if violation]
    assert context.calls, "no call between services was seen"
    assert not undeclared and not violations, f"undeclared calls: {undeclared}; contract violations: {violations}"


@then("every service it declares for this work was called")
def step_declared_called(context):
    seen = {(caller, callee) for caller, callee, *_ in context.calls}
    working = {caller for caller, _ in seen} | {"payment_service", "commission_service"}
    missing = [(caller, dependency) for caller in sorted(working)
               for dependency in SERVICE_CLASSES[caller].dependencies if (caller, dependency) not in seen]
    assert not missing, f"declared but never called: {missing} (calls seen: {sorted(seen)})"


# -- the exchange-rate provider ---------------------------------------------------------------------------------------


@given("the exchange-rate provider is down")
def step_provider_down(context):
    real = s.build_services()
    context.provider = DownProvider()
    commissions = CommissionService(audit_service=real["audit_service"],
                                    notification_service=real["notification_service"],
                                    exchange_rate_provider=context.provider,
                                    circuit_breaker=pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30))
    commissions.exchange_rates.sleep = lambda seconds: None  # retries without waiting
    context.services = s.build_services(commission_service=commissions)


@then("no commission was written")
def step_no_commission(context):
    assert context.provider.calls >= 1, "the exchange-rate provider was never asked"
    stored = list(Commission.objects.filter(organization=s.the_deal(context).organization))
    assert not stored, f"commissions written: {stored}"


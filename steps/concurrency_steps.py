"""Many users at once: calls released together from threads (support/prs/concurrency.py), each thread with
its own database connection, against committed data (every scenario commits for real).

Threads call PRS's services directly and hand back ServiceResults; the Then steps read what PRS stored.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from behave import then, when
from django.utils import timezone

from prs.audit.models import AuditAction, AuditLog
from prs.clients.models import Client
from prs.common.results import ErrorCode
from prs.deals.models import Approval, Deal, Invoice, Payment, PaymentDecision
from prs.notifications.models import Notification, NotificationType
from support.prs import steps_support as s
from support.prs.concurrency import run_simultaneously, unexpected_errors
from support.prs.messages import assert_known_result


def race(context: Any, calls: list[Callable[[], Any]], labels: list[str]) -> list[Any]:
    """Runs the calls at the same moment; their ServiceResults (an exception in any thread fails the step)."""
    outcomes = run_simultaneously(calls, labels=labels)
    errors = unexpected_errors(outcomes)
    assert not errors, f"a simultaneous call crashed instead of answering:\n{errors}"
    context.race = [(outcome.label, outcome.value) for outcome in outcomes]
    return [outcome.value for outcome in outcomes]


def flat_results(context: Any) -> list[Any]:
    """Every ServiceResult of the race (a call may return a list of them)."""
    values = [value for _, value in context.race]
    return [result for value in values for result in (value if isinstance(value, list) else [value])]


# -- payments and approvals ----------------------------------------------------------------------------------------


@when('{names:NameList} each record {count:d} payments of {amount:Money} on that deal at the same moment')
def step_simultaneous_payments(context, names, count, amount):
    deal = s.the_deal(context)
    payments = s.service(context, "payment_service")
    data = {"deal": deal.pk, "payment_date": timezone.localdate(), "amount": amount, "payment_type": "bank"}
    authors = [s.user(context, name) for name in names for _ in range(count)]
    race(context, [lambda author=author: payments.create(author, data) for author in authors],
         [f"{author.email} #{index + 1}" for index, author in enumerate(authors)])


@then("exactly {count:d} of those payments are accepted")
def step_exactly_accepted(context, count):
    accepted = [result for result in flat_results(context) if result.success]
    assert len(accepted) == count, f"{len(accepted)} accepted, expected {count}: " + "; ".join(
        f"{label}: {s.describe(result)}" for label, result in context.race)


@then("the others are refused as an overpayment")
def step_others_overpayment(context):
    refused = [result for result in flat_results(context) if not result.success]
    assert refused, "no payment was refused"
    for result in refused:
        s.expect_failure(result, ErrorCode.VALIDATION, "amount")
        assert "overpay" in " ".join(result.errors["amount"]), f"refused, not as an overpayment: {result.errors}"


@then("the payments on that deal total {amount:Money}")
def step_payments_total(context, amount):
    stored = list(Payment.objects.filter(deal=s.the_deal(context)))
    invoices = Invoice.objects.filter(payment__in=stored).count()
    assert sum(p.amount for p in stored) == amount, f"payments on the deal: {[str(p.amount) for p in stored]}"
    assert invoices == len(stored), f"{len(stored)} payments but {invoices} invoices"


@when("{names:NameList} approve that payment at the same moment")
def step_simultaneous_approvals(context, names):
    payment = s.the_payment(context)
    payments = s.service(context, "payment_service")
    verifiers = [s.user(context, name) for name in names]
    race(context, [lambda v=verifier: payments.approve(v, payment.pk, payment.amount) for verifier in verifiers],
         names)


@then("the payment is approved exactly once")
def step_approved_once(context):
    payment = s.the_payment(context)
    approvals = Approval.objects.filter(payment=payment, decision=PaymentDecision.APPROVED).count()
    audited = AuditLog.objects.filter(action=AuditAction.APPROVE, object_id=str(payment.pk),
                                      object_type="deals.payment").count()
    told = Notification.objects.filter(notification_type=NotificationType.PAYMENT_APPROVED,
                                       related_object_id=str(payment.pk)).count()
    winners = [result for result in flat_results(context) if result.success]
    assert (len(winners), approvals, audited, told) == (1, 1, 1, 1), (
        f"successes {len(winners)}, approvals {approvals}, audit entries {audited}, notifications {told}")
    assert payment.status == PaymentDecision.APPROVED, f"payment is {payment.status}"


@then("the other verifier is told of the conflict")
def step_other_told_conflict(context):
    losers = [(label, result) for label, result in context.race if not result.success]
    assert len(losers) == len(context.race) - 1, f"outcomes: {[(lab, s.describe(r)) for lab, r in context.race]}"
    for label, result in losers:
        assert result.error_code == ErrorCode.CONFLICT, f"{label} was answered {s.describe(result)}, not a conflict"
        assert_known_result(result, f"the refusal of {label}")


# -- nothing lost ----------------------------------------------------------------------------------------------------


def record_clients(clients: Any, author: Any, count: int, series: int) -> list[Any]:
    """``count`` clients with distinct emails and phones (``series`` keeps each author's apart)."""
    return [clients.create(author, {
        "name": f"{author.first_name} client {number}", "email": f"s{series}.c{number}@clients.example",
        "phone": f"+1555{series:04d}{number:03d}", "nationality": "US",
    }) for number in range(1, count + 1)]


@when("{names:NameList} each record {count:d} clients at the same moment")
def step_simultaneous_clients(context, names, count):
    clients, authors = s.service(context, "client_service"), [s.user(context, name) for name in names]
    race(context, [lambda a=author, n=series: record_clients(clients, a, count, n)
                   for series, author in enumerate(authors, start=1)], names)
    failed = [s.describe(result) for result in flat_results(context) if not result.success]
    assert not failed, f"some clients were refused: {failed}"


@then('"{org}" has {count:d} clients')
def step_org_has_clients(context, org, count):
    stored = Client.objects.filter(organization=s.organization(context, org)).count()
    assert stored == count, f"{org} has {stored} clients, expected {count}"


@then('the audit trail of "{org}" holds one creation per client')
def step_one_creation_per_client(context, org):
    organization = s.organization(context, org)
    clients = sorted(str(pk) for pk in Client.objects.filter(organization=organization).values_list("pk", flat=True))
    created = sorted(AuditLog.objects.filter(organization=organization, action=AuditAction.CREATE,
                                             object_type="clients.client").values_list("object_id", flat=True))
    assert created == clients, f"client creations audited: {created}; clients: {clients}"


# -- numbering -------------------------------------------------------------------------------------------------------


def make_deals(deals: Any, seller: Any, customer: Any, count: int) -> list[Any]:
    today = timezone.localdate()
    return [deals.create(seller, {"client": customer.pk, "value": "1000.00", "deal_date": today,
                                  "due_date": today + s.DEAL_TERM, "payment_method": "bank"})
            for _ in range(count)]


@when("{names:NameList} each make {count:d} deals at the same moment")
def step_simultaneous_deals(context, names, count):
    sellers = [s.user(context, name) for name in names]
    customers = [s.some_client_of(context, seller) for seller in sellers]  # arranged before the race
    deals = s.service(context, "deal_service")
    race(context, [lambda seller=seller, customer=customer: make_deals(deals, seller, customer, count)
                   for seller, customer in zip(sellers, customers, strict=True)], names)
    failed = [s.describe(result) for result in flat_results(context) if not result.success]
    assert not failed, f"some deals were refused: {failed}"


@then('the deals of "{org}" are numbered {first} to {last}')
def step_deals_numbered(context, org, first, last):
    prefix, low = re.fullmatch(r"([A-Z-]+)(\d+)", first).groups()
    high = re.fullmatch(rf"{prefix}(\d+)", last).group(1)
    expected = [f"{prefix}{number:0{len(low)}d}" for number in range(int(low), int(high) + 1)]
    numbered = sorted(Deal.objects.filter(organization=s.organization(context, org)).values_list("deal_id", flat=True))
    assert numbered == expected, f"deals of {org} are numbered {numbered}, expected {expected}"

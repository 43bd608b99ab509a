"""Steps of features/financial_calculations_accuracy.feature: commission figures and earlier decisions on a
deal's payments. Shared steps (sales, payments, commissions, progress): common_steps.py."""
from __future__ import annotations

from behave import given, then

from prs.commissions.models import Commission
from support.prs import steps_support as s

EARLIER_DECISIONS = ("left pending", "approved", "rejected")


@given('"{author}" has recorded a {kind} payment of {amount:Money} on that deal, which was {decision}')
def step_recorded_payment_decided(context, author, kind, amount, decision):
    if decision not in EARLIER_DECISIONS:
        raise ValueError(f"unknown decision {decision!r}: one of {', '.join(EARLIER_DECISIONS)}")
    payment = s.expect_success(s.record_payment(context, s.user(context, author), amount, kind),
                               f"the payment of {amount}")
    if decision != "left pending":
        decide = s.approve if decision == "approved" else s.reject
        s.expect_success(decide(context, s.a_verifier_for(context, payment)), f"the payment {decision}")


@then("the commission is {commission:Money}, its total {total:Money} and the receivable {receivable:Money}")
def step_commission_figures(context, commission, total, receivable):
    calculated = s.expect_success(context.result, "the commission calculation")
    stored = Commission.objects.get(pk=calculated.pk)  # what PRS saved, not just what it answered
    actual = (stored.commission_amount, stored.total_commission, stored.total_receivable)
    assert actual == (commission, total, receivable), (
        f"commission, total, receivable are {actual}, expected {(commission, total, receivable)} "
        f"(sales {stored.total_sales}, rate {stored.commission_rate}, exchange rate {stored.exchange_rate})"
    )

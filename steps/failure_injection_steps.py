"""Failure injection: one call of one collaborator fails, and nothing of the write may remain.

The collaborator is replaced through the composition root (``build_services`` overrides) by a stand-in that
passes every call to the real service except the Nth call of the watched method, which answers
dependency_unavailable. "Nothing remains" compares every row PRS keeps (clients, deals, payments, invoices,
decisions, commissions, notifications, audit entries) with a snapshot taken just before the write.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from behave import given, then, when

from prs.audit.models import AuditLog
from prs.clients.models import Client
from prs.commissions.models import Commission
from prs.commissions.services import CommissionService
from prs.common.results import ErrorCode, ServiceResult
from prs.deals.models import Approval, Deal, Invoice, Payment
from prs.notifications.models import Notification
from prs.services import build_services
from support.prs import steps_support as s
from support.prs.messages import injected_failure

ORDINALS = {"first": 1, "second": 2, "third": 3}
COLLABORATORS = {"audit trail": ("audit_service", "record"), "notifications": ("notification_service", "notify"),
                 "commission recalculation": ("commission_service", "recalculate_for_payment")}
WATCHED_MODELS = (Client, Deal, Payment, Invoice, Approval, Commission, Notification, AuditLog)


class FailsAtCall:
    """The real service, except that the ``nth`` call of ``method`` answers dependency_unavailable."""

    def __init__(self, real: Any, method: str, nth: int) -> None:
        self.real, self.method, self.nth, self.calls = real, method, nth, 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.real, name)
        if name != self.method:
            return attribute

        def watched(*args: Any, **kwargs: Any) -> ServiceResult[Any]:
            self.calls += 1
            if self.calls == self.nth:
                return ServiceResult.fail(ErrorCode.UNAVAILABLE, {"non_field_errors": [injected_failure(name)]})
            return attribute(*args, **kwargs)

        return watched


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED_MODELS}


@given("the {collaborator} will fail at its {nth} call")
def step_will_fail(context, collaborator, nth):
    if collaborator not in COLLABORATORS or nth not in ORDINALS:
        raise ValueError(f"expected one of {', '.join(COLLABORATORS)} and first/second/third, got "
                         f"{collaborator!r} at its {nth!r} call")
    name, method = COLLABORATORS[collaborator]
    real = build_services()
    context.failing = FailsAtCall(real[name], method, ORDINALS[nth])
    s.use_services(context, build_services(**{name: context.failing}))
    context.before_write = snapshot()


@given("the exchange-rate provider is unreachable")
def step_provider_unreachable(context):
    class Unreachable:
        def get_rate(self, base: str, quote: str) -> Decimal:
            raise ConnectionError(f"exchange-rate provider unreachable ({base}/{quote})")

    real = build_services()
    commissions = CommissionService(audit_service=real["audit_service"],
                                    notification_service=real["notification_service"],
                                    exchange_rate_provider=Unreachable())
    commissions.exchange_rates.sleep = lambda seconds: None  # retries without waiting
    s.use_services(context, build_services(commission_service=commissions))


@given("nothing has been written since")
def step_snapshot(context):
    context.before_write = snapshot()


@then("the caller is told a dependency is unavailable")
def step_told_unavailable(context):
    s.expect_failure(context.result, ErrorCode.UNAVAILABLE)
    # A collaborator's refusal passed on keeps its own field; a collaborator that failed where its caller had
    # guaranteed valid input (its refusal quoted: "code: {errors}") is named under "dependency".
    quoted = [field for field, messages in context.result.errors.items()
              if any(re.match(r"\w+: \{", str(message)) for message in messages)]
    assert quoted in ([], ["dependency"]), f"a failed collaborator not named as the dependency: {context.result.errors}"
    failing = getattr(context, "failing", None)
    if failing is not None:
        assert failing.calls >= failing.nth, (
            f"the write made only {failing.calls} call(s) of {failing.method}: the injected failure never happened")


@then("nothing of that write remains")
def step_nothing_remains(context):
    after = snapshot()
    changed = [name for name, rows in after.items() if rows != context.before_write[name]]
    assert not changed, "the failed write left changes in: " + ", ".join(
        f"{name} ({len(context.before_write[name])} → {len(after[name])} rows)" for name in changed)


@when('"{admin}" changes the bonus of the commission of "{seller}" to {amount:Money}')
def step_changes_bonus_of(context, admin, seller, amount):
    commission = s.commission_covering(s.user(context, seller), s.this_month()[0])
    s.change_commission(context, s.user(context, admin), commission, {"bonus": amount})


WORK = {
    "records the client": lambda c, u, name: s.service(c, "client_service").create(u, {
        "name": name, "email": "it@tailspin.example", "phone": "+15550000003"}),
    "renames the client": lambda c, u, name: s.service(c, "client_service").update(
        u, s.client(c, name).pk, {"name": f"{name} Ltd"}),
    "deletes the client": lambda c, u, name: s.service(c, "client_service").delete(u, s.client(c, name).pk),
}
DEAL_WORK = {
    "renames that deal": lambda c, u: s.service(c, "deal_service").update(u, s.the_deal(c).pk,
                                                                          {"deal_name": "Renamed"}),
    "verifies that deal": lambda c, u: s.service(c, "deal_service").verify(u, s.the_deal(c).pk, "verified"),
    "deletes that deal": lambda c, u: s.service(c, "deal_service").delete(u, s.the_deal(c).pk),
}


@when('"{username}" {work} "{name}" through PRS\'s services')
def step_client_work(context, username, work, name):
    if work not in WORK:
        raise ValueError(f"unknown work {work!r}: one of {', '.join(WORK)}")
    s.remember_result(context, WORK[work](context, s.user(context, username), name))


@when('"{username}" {work} through PRS\'s services')
def step_deal_work(context, username, work):
    if work not in DEAL_WORK:
        raise ValueError(f"unknown work {work!r}: one of {', '.join(DEAL_WORK)}")
    s.remember_result(context, DEAL_WORK[work](context, s.user(context, username)))

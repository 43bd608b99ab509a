"""Performance under load: thousands of rows made in bulk (support/prs/bulk_data.py), the list endpoints
timed around the real HTTP request, and their query count measured on every connection by the framework's
monitor (``assert_performance_within_limits``) — it must not grow with the data.
"""
from __future__ import annotations

from typing import Any

import parse
from behave import given, register_type, then, when

from prs.accounts.models import Role
from support.engine.assertions import assert_performance_within_limits
from support.prs import api_client as api
from support.prs import bulk_data
from support.prs import steps_support as s

PAGE_SIZE = 25


@parse.with_pattern("|".join(bulk_data.MODELS))
def _records(text: str) -> str:
    return text


register_type(ListedRecords=_records)


def seller_of(context: Any, org: str) -> Any:
    organization = s.organization(context, org)
    sellers = [u for u in context.users.values() if u.organization_id == organization.pk and u.role == Role.SALESPERSON]
    assert sellers, f"no salesperson of {org} in this scenario"
    return sellers[0]


def admin_session(context: Any, org: str) -> api.ApiSession:
    organization = s.organization(context, org)
    admins = [u for u in context.users.values() if u.organization_id == organization.pk and u.role == Role.ORG_ADMIN]
    assert admins, f"no admin of {org} in this scenario"
    return api.session_for(context, admins[0])


def timed_list(session: api.ApiSession, records: str, max_ms: float | None = None,
               params: dict[str, Any] | None = None) -> tuple[api.ApiAnswer, dict[str, Any]]:
    """One list request, measured: (answer, figures with wall_seconds and query_count)."""
    limit = max_ms / 1000 if max_ms is not None else None
    with assert_performance_within_limits(max_duration_seconds=limit) as figures:
        listed = session.get(api.list_path(records), params)
    assert listed.status == 200, f"the {records} list failed: {listed.describe()}"
    return listed, figures


@given('"{org}" holds {count:d} {records:ListedRecords}')
@when('"{org}" grows to {count:d} {records:ListedRecords}')
def step_holds(context, org, count, records):
    bulk_data.grow_to(s.organization(context, org), records, count, salesperson=seller_of(context, org))
    assert bulk_data.count_of(s.organization(context, org), records) == count
    context.loaded_org = org


@given("the number of queries for the {records:ListedRecords} list has been measured")
def step_queries_measured(context, records):
    _, figures = timed_list(admin_session(context, context.loaded_org), records)
    context.baseline_queries = {**getattr(context, "baseline_queries", {}), records: figures["query_count"]}


@then('"{username}" receives the {records:ListedRecords} list within {ms:d} milliseconds')
def step_receives_within(context, username, records, ms):
    session = api.session_for(context, s.user(context, username))
    listed, figures = timed_list(session, records, max_ms=ms)
    assert len(listed.results) == min(listed.body["count"], PAGE_SIZE), f"a short page: {listed.describe()}"
    context.measured_queries = figures["query_count"]


@then("the {records:ListedRecords} list takes no more queries than with {count:d} {same:ListedRecords}")
def step_no_more_queries(context, records, count, same):
    baseline = context.baseline_queries[records]
    assert context.measured_queries <= baseline, (
        f"the {records} list took {context.measured_queries} queries, {baseline} with {count} {same}")


@given('"{org}" holds {count:d} deals, {paid:d} of them fully paid')
def step_holds_some_paid(context, org, count, paid):
    seller = seller_of(context, org)
    customer = s.some_client_of(context, seller)
    for number in range(paid):
        deal = s.expect_success(s.make_deal(context, seller, s.parse_money("500.00"), customer), f"deal {number}")
        s.approved_payment(context, deal.value, deal=deal)
    bulk_data.grow_to(s.organization(context, org), "deals", count, salesperson=seller)


@then("the answer comes within {ms:d} milliseconds")
def step_answer_within(context, ms):
    last = s.last_answer(context)
    assert last.elapsed_ms <= ms, f"the answer took {last.elapsed_ms:.0f} ms, over {ms} ms: {last.method} {last.path}"

"""Deactivated users and organizations: turned away at the API's door, refused inside the services, and no
longer notified. The superuser names the organization of a new client, which must be active."""
from __future__ import annotations

from decimal import Decimal

from behave import given, then, when

from prs.clients.models import Client
from prs.common.results import ErrorCode
from support.prs import api_client as api
from support.prs import steps_support as s


@given('"{username}" has been deactivated')
def step_user_deactivated(context, username):
    member = s.user(context, username)
    member.is_active = False
    member.save(update_fields=["is_active"])


@given('the organization "{org}" has been deactivated')
@given('the organization "{org}" is deactivated')
def step_org_deactivated(context, org):
    office = s.organization(context, org)
    office.is_active = False
    office.save(update_fields=["is_active"])
    for member in context.users.values():  # the users held by the scenario see their organization's new state
        if member.organization_id == office.pk:
            member.organization.refresh_from_db()


@given('the organization "{org}" is active')
def step_org_active(context, org):
    assert s.organization(context, org).is_active


@given('"{org}" also has the {role} "{username}", who has been deactivated')
def step_deactivated_member(context, org, role, username):
    s.add_member(context, s.organization(context, org), username, role)
    step_user_deactivated(context, username)


WORK = {
    "make another deal": lambda c, u: s.make_deal(c, u, Decimal("100.00"), s.client(c, "Northwind")),
    "look up his deal": lambda c, u: s.service(c, "deal_service").get(u, c.deals[0].pk),
    "list the deals": lambda c, u: s.service(c, "deal_service").list(u),
}


@when('the deactivated "{username}" tries to {work} through PRS\'s services')
def step_deactivated_work(context, username, work):
    if work not in WORK:
        raise ValueError(f"unknown work {work!r}: one of {', '.join(WORK)}")
    member = s.user(context, username)
    member.refresh_from_db()
    s.remember_result(context, WORK[work](context, member))


@then('PRS answers "{answer}"')
def step_prs_answers(context, answer):
    result = context.result
    if answer == "nothing":
        assert result.success and not result.data.exists(), f"expected an empty answer, got {s.describe(result)}"
        return
    codes = {"forbidden": ErrorCode.FORBIDDEN, "not found": ErrorCode.NOT_FOUND}
    s.expect_failure(result, codes[answer])


@when('the superuser "{username}" records the client "{name}" for "{org}"')
@when('"{username}" records the client "{name}" for "{org}"')
def step_records_client_for(context, username, name, org):
    actor = s.superuser(context, username) if username == "root" else s.user(context, username)
    body = {"organization": s.organization(context, org).pk, "name": name, "email": "it@initech.example",
            "phone": "+15550000002"}
    s.remember_response(context, api.session_for(context, actor).post(api.list_path("clients"), body))


@then('that client belongs to "{org}"')
def step_client_belongs(context, org):
    answer = context.response
    assert answer.status == 201, answer.describe()
    assert Client.objects.get(pk=answer.body["id"]).organization == s.organization(context, org), answer.describe()


@then("that client is refused as invalid, naming organization")
def step_client_refused_org(context):
    answer = context.response
    assert answer.status == 400 and "organization" in answer.field_errors, answer.describe()

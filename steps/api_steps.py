"""The REST API through real HTTP requests: lists, sign-in, pagination, filters, refusals naming the field,
approvals, conflicts, the API description, and PRS over the network.

HTTP goes through support/prs/api_client.py (in-process ``APIClient``, or ``requests`` against a live server);
every exchange lands in ``context.http_log`` and the Allure attachments. Shared vocabulary: steps/common_steps.py.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from behave import given, then, when
from django.utils import timezone

from prs.audit.models import SecurityEvent, SecurityEventType
from prs.clients.models import Client
from prs.deals.models import Deal
from support.prs import api_client as api
from support.prs import steps_support as s

PAGE_SIZE = 25


def caller(context: Any, username: str) -> api.ApiSession:
    """The session the user signed in with in this scenario, else one holding the user's API token."""
    signed_in = getattr(context, "signed_in", {})
    return signed_in.get(username) or api.session_for(context, s.user(context, username))


def answer(context: Any, expected_status: int | None = None) -> api.ApiAnswer:
    """The last HTTP answer (optionally checked for its status)."""
    last = getattr(context, "response", None)
    assert isinstance(last, api.ApiAnswer), "no HTTP request has been made in this scenario yet"
    if expected_status is not None:
        assert last.status == expected_status, f"expected {expected_status}, got {last.describe()}"
    return last


def ask(context: Any, session: api.ApiSession, path: str, params: dict[str, Any] | None = None) -> api.ApiAnswer:
    context.last_session = session
    return s.remember_response(context, session.get(path, params))


def assert_list_of(context: Any, count: int, resource: str) -> list[dict[str, Any]]:
    listed = answer(context, 200)
    assert len(listed.results) == min(count, PAGE_SIZE) and listed.body["count"] == count, (
        f"expected {count} {resource}, the answer lists {len(listed.results)} of {listed.body['count']}: "
        f"{[item.get('id') for item in listed.results]}")
    return listed.results


# -- lists and signing in ------------------------------------------------------------------------------------------


@when("an anonymous caller asks for the {resource} list")
def step_anonymous_list(context, resource):
    ask(context, api.anonymous_session(context), api.list_path(resource))


@then("the caller is told to authenticate first")
def step_told_to_authenticate(context):
    refused = answer(context, 401)
    assert refused.error_code == "not_authenticated", f"expected error_code not_authenticated: {refused.describe()}"
    assert refused.headers.get("WWW-Authenticate") == "Token", (
        f"a 401 must say how to authenticate (SEC-01: the Token challenge): {refused.headers}")
    assert "results" not in refused.body, f"a refused list leaked data: {refused.describe()}"


@when('"{username}" signs in with the right password')
def step_signs_in(context, username):
    session = api.anonymous_session(context)
    s.remember_response(context, session.sign_in(s.user(context, username).email, s.PASSWORD))
    context.signed_in = {**getattr(context, "signed_in", {}), username: session}


@when('"{username}" signs in with a wrong password')
def step_signs_in_wrongly(context, username):
    session = api.anonymous_session(context)
    s.remember_response(context, session.sign_in(s.user(context, username).email, f"not-{s.PASSWORD}"))


@then("the sign-in is refused")
def step_sign_in_refused(context):
    refused = answer(context, 401)
    assert "token" not in refused.body, f"a refused sign-in handed out a token: {refused.describe()}"
    # a 401 like any other of the API (SEC-01): its code, the Token challenge, one sentence, no field named
    assert (refused.error_code, refused.headers.get("WWW-Authenticate"), refused.body.get("errors")) == (
        "authentication_failed", "Token", {}), f"not the API's refused sign-in: {refused.describe()}"
    assert refused.body.get("detail") == "Invalid email or password.", (
        f"not the catalogued sentence: {refused.describe()}")
    stranger = api.anonymous_session(context).sign_in("nobody-at-all@unknown.example", "whatever")
    assert (stranger.status, stranger.body) == (refused.status, refused.body), (
        f"the refusal tells a wrong password from an unknown email: {refused.describe()} vs {stranger.describe()}")


SPACED_PASSWORD = " a pass phrase "


def _sign_in_body(email: str, what: str) -> dict[str, str]:
    """The email and password of a sign-in with `what` ("an email of 255 characters", "no password"…)."""
    body = {"email": email, "password": f"not-{s.PASSWORD}"}
    field = "email" if "email" in what else "password"
    if what.startswith("no "):
        del body[field]
    elif " of " in what and what.endswith(" characters"):
        size = int(what.split(" of ")[1].split()[0])
        body[field] = "x" * (size - len("@example.com")) + "@example.com" if field == "email" else "x" * size
    else:
        raise ValueError(f"unknown sign-in {what!r}: use 'no email', 'an email of N characters', 'no password' "
                         "or 'a password of N characters'")
    return body


@when('a sign-in for "{username}" arrives with {what}')
def step_sign_in_with(context, username, what):
    body = _sign_in_body(s.user(context, username).email, what)
    context.sign_in_email = body.get("email", "")
    shown = {**body, "password": "***"} if "password" in body else body  # no password in the logs and reports
    s.remember_response(context, api.anonymous_session(context).post(api.TOKEN_PATH, body, log_body=shown))


@then("that sign-in is refused as a wrong email or password")
def step_sign_in_wrong(context):
    refused = answer(context, 401)
    recorded = SecurityEvent.objects.filter(event_type=SecurityEventType.LOGIN_FAILED).values_list("email", flat=True)
    assert list(recorded) == [context.sign_in_email.lower()], (
        f"expected one failed sign-in on record for the email tried, found {list(recorded)}: {refused.describe()}")


@then("that sign-in is refused as invalid, naming the {field}")
def step_sign_in_invalid(context, field):
    refused = answer(context, 400)
    assert refused.error_code == "validation_error", f"expected validation_error: {refused.describe()}"
    assert list(refused.field_errors) == [field], f"the refusal should name the {field} alone: {refused.describe()}"
    failures = SecurityEvent.objects.filter(event_type=SecurityEventType.LOGIN_FAILED).count()
    assert failures == 0, f"an invalid sign-in counted as {failures} failed sign-in(s) towards a lockout"


@given('"{username}" has chosen a password that begins and ends with a space')
def step_spaced_password(context, username):
    person = s.user(context, username)
    person.set_password(SPACED_PASSWORD)
    person.save()


@when('"{username}" signs in with that password')
def step_signs_in_with_that(context, username):
    s.remember_response(context, api.anonymous_session(context).sign_in(s.user(context, username).email,
                                                                         SPACED_PASSWORD))


@then('"{username}" is signed in')
def step_is_signed_in(context, username):
    signed = answer(context, 200)
    assert signed.body.get("token"), f"{username} got no token: {signed.describe()}"


@when('"{username}" asks for the {resource} list')
def step_asks_for_list(context, username, resource):
    ask(context, caller(context, username), api.list_path(resource))


@when('"{username}" asks for the deals list of deals that are "{status}"')
def step_asks_for_filtered_deals(context, username, status):
    ask(context, caller(context, username), api.list_path("deals"), {"payment_status": status})
    context.deal_filter = status


@then('the answer lists {count:d} deals, all of "{org}"')
def step_lists_deals_of(context, count, org):
    organization = s.organization(context, org)
    deals = assert_list_of(context, count, "deals")
    strangers = [deal["deal_id"] for deal in deals if deal["organization"] != organization.pk]
    assert not strangers, f"deals of another organization listed: {strangers}"


@then("the answer lists {count:d} deals")
def step_lists_deals(context, count):
    deals = assert_list_of(context, count, "deals")
    wanted = getattr(context, "deal_filter", None)
    off = [deal["deal_id"] for deal in deals if wanted and deal["payment_status"] != wanted]
    assert not off, f"deals that are not {wanted!r} listed: {off}"


# -- pagination ----------------------------------------------------------------------------------------------------


@given('"{username}" has recorded {count:d} clients')
def step_recorded_clients(context, username, count):
    author = s.user(context, username)
    for number in range(1, count + 1):
        s.add_client(context, author, f"{username.capitalize()}'s client {number}")


@then("the page lists {count:d} clients and says there are {total:d} in all")
def step_first_page(context, count, total):
    page = answer(context, 200)
    assert (len(page.results), page.body["count"]) == (count, total), (
        f"expected {count} of {total}, got {len(page.results)} of {page.body['count']}")
    assert page.body["next"], f"a partial page must link to the next one: {page.describe()}"
    context.first_page = page


@then("the next page lists {count:d} clients")
def step_next_page(context, count):
    first = context.first_page
    link = urlsplit(first.body["next"])
    second = ask(context, context.last_session, link.path + (f"?{link.query}" if link.query else ""))
    assert second.status == 200 and len(second.results) == count, f"expected {count} clients: {second.describe()}"
    repeated = {c["id"] for c in first.results} & {c["id"] for c in second.results}
    assert not repeated and second.body["next"] is None, f"pages overlap ({repeated}) or go on: {second.describe()}"


# -- refusals naming the field ---------------------------------------------------------------------------------


@when('"{username}" submits a deal for "{name}" with {field} set to "{value}"')
def step_submits_deal(context, username, name, field, value):
    today = timezone.localdate()
    body = {"client": s.client(context, name).pk, "value": "1000.00", "deal_date": today.isoformat(),
            "due_date": (today + s.DEAL_TERM).isoformat(), "payment_method": "bank", "deal_name": "Submitted"}
    if field not in body:
        raise ValueError(f"a deal has no field {field!r} to set (fields: {', '.join(body)})")
    context.deals_org = s.user(context, username).organization
    context.deals_before = Deal.objects.filter(organization=context.deals_org).count()
    s.remember_response(context, caller(context, username).post(api.list_path("deals"), {**body, field: value}))


@then('the submission is refused as invalid, naming "{field}"')
def step_refused_naming(context, field):
    refused = answer(context, 400)
    assert refused.error_code == "validation_error", f"expected validation_error: {refused.describe()}"
    assert field in refused.field_errors, f"the refusal does not name {field!r}: {refused.describe()}"
    count = Deal.objects.filter(organization=context.deals_org).count()
    assert count == context.deals_before, f"a refused deal was written anyway ({context.deals_before} -> {count})"


# -- decisions and conflicts ---------------------------------------------------------------------------------------


def approve_through_api(context: Any, username: str) -> api.ApiAnswer:
    payment = s.the_payment(context)
    path = api.detail_path("payments", payment.pk, "approve")
    return s.remember_response(context, caller(context, username).post(path, {"verified_amount": str(payment.amount)}))


@when('"{username}" approves that payment through the API')
def step_approves_through_api(context, username):
    approve_through_api(context, username)


@given('"{username}" has approved that payment through the API')
def step_has_approved_through_api(context, username):
    approved = approve_through_api(context, username)
    assert approved.status == 200, f"the approval was refused: {approved.describe()}"


@then('the answer shows the payment "{status}"')
def step_answer_shows_payment(context, status):
    shown = answer(context, 200)
    stored = s.the_payment(context)
    assert shown.body["id"] == stored.pk and shown.body["status"] == status == stored.status, (
        f"expected payment {stored.pk} {status!r} (stored: {stored.status!r}): {shown.describe()}")


@then("the answer is a conflict")
def step_answer_is_conflict(context):
    conflict = answer(context, 409)
    assert conflict.error_code == "conflict", f"expected error_code conflict: {conflict.describe()}"


@given('"{first}" and "{second}" have both opened "{name}"')
def step_both_opened(context, first, second, name):
    path = api.detail_path("clients", s.client(context, name).pk)
    context.opened = {}
    for username in (first, second):
        opened = ask(context, caller(context, username), path)
        assert opened.status == 200, f"{username} could not open {name}: {opened.describe()}"
        context.opened[username] = opened.body


@when('"{username}" saves a new phone number for "{name}"')
def step_saves_phone(context, username, name):
    context.saved_phone = {username: "+15550009999"}
    save_client(context, username, name, {"phone": "+15550009999"})


@when('"{username}" saves a new name for "{name}" from what he opened')
def step_saves_name(context, username, name):
    save_client(context, username, name, {"name": f"{name} (renamed)"})


def save_client(context: Any, username: str, name: str, changes: dict[str, Any]) -> api.ApiAnswer:
    version = context.opened[username]["version"]
    path = api.detail_path("clients", s.client(context, name).pk)
    return s.remember_response(context, caller(context, username).patch(path, {**changes, "version": version}))


@then('"{name}" keeps the phone number "{username}" saved')
def step_keeps_phone(context, name, username):
    stored = Client.objects.get(pk=s.client(context, name).pk)
    assert (stored.phone, stored.name) == (context.saved_phone[username], name), (
        f"{name} now has phone {stored.phone!r} and name {stored.name!r}")


# -- the API description ---------------------------------------------------------------------------------------------


@when("a developer fetches the API description")
def step_fetches_description(context):
    ask(context, api.anonymous_session(context), api.SCHEMA_PATH, {"format": "json"})


@then("it is a valid OpenAPI 3 description of every endpoint with its error answers")
def step_valid_description(context):
    problems = api.description_problems(answer(context, 200).body)
    assert not problems, "the API description is wrong:\n" + "\n".join(problems)


# -- over the network ----------------------------------------------------------------------------------------------


@given("PRS is serving on a local port")
def step_serving(context):
    context.live_server = api.start_live_server(context)


@when('"{username}" signs in over the network and asks for the deals list')
def step_network_list(context, username):
    session = context.live_server.session(context)
    signed = session.sign_in(s.user(context, username).email, s.PASSWORD)
    assert signed.status == 200, f"{username} could not sign in over the network: {signed.describe()}"
    ask(context, session, api.list_path("deals"))

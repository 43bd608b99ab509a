"""Security and the audit trail: roles through the API, another organization's records, lockout, who changed
what from where, tampering found out, and audit entries that cannot be changed.

Attempts go through real HTTP requests (support/prs/api_client.py); the audit chain is checked with
AuditService.verify_chain and ``manage.py verify_audit_chain``. Tampering "behind PRS's back" is a raw SQL
UPDATE: the model itself refuses every ORM change.
"""
from __future__ import annotations

import contextlib
from decimal import Decimal
from io import StringIO
from typing import Any

from behave import given, then, when
from django.core.management import CommandError, call_command
from django.db import connection

from prs.accounts.models import Role
from prs.audit.models import AppendOnlyError, AuditLog, SecurityEvent, SecurityEventType
from prs.clients.models import Client
from support.prs import api_client as api
from support.prs import steps_support as s
from support.prs.messages import assert_known_errors, assert_known_message

NEW_PHONE = "+15550001234"
PAID = Decimal("1200.00")


def first_entry(context: Any, org: str) -> AuditLog:
    entry = AuditLog.objects.filter(organization=s.organization(context, org)).order_by("id").first()
    assert entry is not None, f"the audit trail of {org} is empty"
    return entry


def admin_of(context: Any, org: str) -> Any:
    organization = s.organization(context, org)
    admins = [u for u in context.users.values() if u.organization_id == organization.pk and u.role == Role.ORG_ADMIN]
    assert admins, f"no admin of {org} in this scenario"
    return admins[0]


def events_of(context: Any, username: str, event_type: str) -> int:
    if event_type not in SecurityEventType.values:
        raise ValueError(f"unknown security event {event_type!r}: one of {', '.join(SecurityEventType.values)}")
    return SecurityEvent.objects.filter(email=s.user(context, username).email, event_type=event_type).count()


# -- roles and organizations ---------------------------------------------------------------------------------------


@when('"{username}" tries to approve that payment')
def step_tries_to_approve(context, username):
    payment = s.the_payment(context)
    session = api.session_for(context, s.user(context, username))
    path = api.detail_path("payments", payment.pk, "approve")
    s.remember_response(context, session.post(path, {"verified_amount": str(payment.amount)}))
    context.attempted_by = username


@when('"{username}" tries to read the audit trail')
def step_tries_to_read_audit(context, username):
    session = api.session_for(context, s.user(context, username))
    s.remember_response(context, session.get(api.list_path("audit-logs")))
    context.attempted_by = username


@then("the attempt is forbidden")
def step_attempt_forbidden(context):
    refused = s.last_answer(context)
    assert refused.status == 403 and refused.error_code == "forbidden", f"expected 403 forbidden: {refused.describe()}"
    assert events_of(context, context.attempted_by, SecurityEventType.PERMISSION_DENIED) >= 1, (
        f"no permission_denied security event was recorded for {context.attempted_by}")


@then("the attempt is allowed")
def step_attempt_allowed(context):
    allowed = s.last_answer(context)
    assert allowed.status == 200, f"expected the attempt to succeed: {allowed.describe()}"


@when('"{username}" asks for that deal')
def step_asks_for_that_deal(context, username):
    session = api.session_for(context, s.user(context, username))
    s.remember_response(context, session.get(api.detail_path("deals", s.the_deal(context).pk)))


@then('a "{event_type}" security event is recorded for "{username}"')
def step_security_event(context, event_type, username):
    person = s.user(context, username)
    events = SecurityEvent.objects.filter(email=person.email, event_type=event_type)
    assert events.exists(), f"no {event_type} event for {username}; events: " + str(
        list(SecurityEvent.objects.values_list("event_type", "email")))
    strangers = [event.user_id for event in events if event.user_id != person.pk]
    assert not strangers, f"{event_type} events with {username}'s email name the user ids {strangers}, not {person.pk}"
    if event_type == SecurityEventType.CROSS_ORGANIZATION_ACCESS:
        targets = [(event.details.get("object_type"), event.details.get("object_id")) for event in events]
        assert ("deals.deal", str(s.the_deal(context).pk)) in targets, f"the events name other objects: {targets}"


@then('no attempt on another organization is on record for "{username}"')
def step_no_cross_organization_event(context, username):
    events = SecurityEvent.objects.filter(user=s.user(context, username),
                                          event_type=SecurityEventType.CROSS_ORGANIZATION_ACCESS)
    assert not events.exists(), f"{username} reached nothing outside his organization, yet: " + str(
        [event.details for event in events])


# -- lockout -------------------------------------------------------------------------------------------------------


GUESSER_ADDRESS = "203.0.113.7"


@when('someone fails to sign in as "{username}" {times:d} times')
def step_fails_to_sign_in(context, username, times):
    email = s.user(context, username).email
    for attempt in range(times):  # from an address of its own: the events must name it (SEC-06)
        session = api.anonymous_session(context, remote_addr=GUESSER_ADDRESS)
        s.remember_response(context, session.sign_in(email, f"guess-{attempt}"))


@then('"{username}" cannot sign in, even with the right password')
def step_cannot_sign_in(context, username):
    locked = api.anonymous_session(context).sign_in(s.user(context, username).email, s.PASSWORD)
    assert locked.status == 429 and locked.error_code == "locked", f"expected a lockout (429): {locked.describe()}"
    assert "token" not in locked.body and "Retry-After" in locked.headers, f"lockout answer: {locked.describe()}"
    assert list(locked.field_errors) == ["non_field_errors"], f"a lockout is about no one field: {locked.describe()}"
    wait = locked.headers["Retry-After"]
    assert wait.isdigit() and 0 < int(wait) <= 15 * 60, f"Retry-After {wait!r} is not 1 to 900 seconds"


@then('{failed:d} "{first}" security events and {locked:d} "{second}" security event are recorded for "{username}"')
def step_security_event_counts(context, failed, first, locked, second, username):
    counted = (events_of(context, username, first), events_of(context, username, second))
    assert counted == (failed, locked), f"{first}/{second} events of {username}: {counted}, not {(failed, locked)}"
    person = s.user(context, username)
    strangers = SecurityEvent.objects.filter(email=person.email).exclude(user=person, ip_address=GUESSER_ADDRESS)
    assert not strangers.exists(), (
        f"events for {username}'s email that do not name him and {GUESSER_ADDRESS}: {list(strangers.values())}")
    lockouts = SecurityEvent.objects.filter(email=person.email, event_type=SecurityEventType.ACCOUNT_LOCKED)
    assert all(event.details == {"failures": failed} for event in lockouts), (
        f"a lockout that does not say after how many failures: {[e.details for e in lockouts]}")


# -- who changed what, from where ----------------------------------------------------------------------------------


@when('"{username}" updates the phone number of "{name}" from the address {address}')
def step_updates_phone_from(context, username, name, address):
    stored = Client.objects.get(pk=s.client(context, name).pk)
    context.phone_change = (stored.phone, NEW_PHONE)
    context.updated_client = stored
    session = api.session_for(context, s.user(context, username), remote_addr=address)
    updated = s.remember_response(context, session.patch(api.detail_path("clients", stored.pk), {"phone": NEW_PHONE}))
    assert updated.status == 200, f"the update was refused: {updated.describe()}"


@then('the audit trail of "{org}" ends with an "{action}" of the client by "{username}" from {address}')
def step_audit_ends_with(context, org, action, username, address):
    last = AuditLog.objects.filter(organization=s.organization(context, org)).order_by("-id").first()
    expected = (action, "clients.client", str(context.updated_client.pk), s.user(context, username).pk, address)
    found = (last.action, last.object_type, last.object_id, last.actor_id, last.ip_address) if last else None
    assert found == expected, f"last audit entry of {org}: {found}, expected {expected}"
    context.audit_entry = last


@then("the entry shows the phone number before and after")
def step_entry_shows_phone(context):
    before, after = context.phone_change
    change = context.audit_entry.changes.get("phone")
    assert change == {"before": before, "after": after}, f"phone change recorded as {context.audit_entry.changes}"


# -- tampering -----------------------------------------------------------------------------------------------------


@when('someone alters the first audit entry of "{org}" behind PRS\'s back')
def step_alters_entry(context, org):
    entry = first_entry(context, org)
    with connection.cursor() as cursor:  # raw SQL: the model refuses ORM updates
        cursor.execute(f"UPDATE {AuditLog._meta.db_table} SET object_id = %s WHERE id = %s",
                       [f"{entry.object_id}-forged", entry.pk])
    context.tampered_entry = entry


@then('the audit check names that entry as the first broken link of "{org}"')
def step_check_names_entry(context, org):
    organization = s.organization(context, org)
    result = s.service(context, "audit_service").verify_chain(organization)
    broken = [(link.organization_id, link.entry_id) for link in (result.data.broken if result.data else [])]
    assert result.success is False and broken == [(organization.pk, context.tampered_entry.pk)], (
        f"verify_chain found {broken}, expected entry {context.tampered_entry.pk} of {org}")
    s.assert_chain_refusal(result, organization)
    errors = StringIO()
    try:
        call_command("verify_audit_chain", organization=organization.pk, stdout=StringIO(), stderr=errors)
    except CommandError:
        pass
    else:
        raise AssertionError("verify_audit_chain reported an intact chain")
    assert f"entry {context.tampered_entry.pk}:" in errors.getvalue(), f"the command said: {errors.getvalue()}"


@then("the audit check of every organization names that entry as the only broken link")
def step_check_of_all_names_entry(context):
    acme = context.tampered_entry.organization_id
    result = s.service(context, "audit_service").verify_chain()
    broken = [(link.organization_id, link.entry_id) for link in (result.data.broken if result.data else [])]
    assert result.success is False and broken == [(acme, context.tampered_entry.pk)], (
        f"verify_chain found {broken}, expected only entry {context.tampered_entry.pk}")
    assert set(result.errors) == {f"organization_{acme}"}, f"the check names {set(result.errors)}"
    assert_known_errors(result.errors, "the audit check of every organization")
    chains = AuditLog.objects.order_by().values("organization").distinct().count()
    assert result.data.organizations == chains, (
        f"the check walked {result.data.organizations} chains; there are {chains}, one per organization with entries")
    errors = StringIO()
    with contextlib.suppress(CommandError):
        call_command("verify_audit_chain", stdout=StringIO(), stderr=errors)
    assert f"entry {context.tampered_entry.pk}:" in errors.getvalue(), f"the command said: {errors.getvalue()}"


@when('someone tries to {tampering} the first audit entry of "{org}" through PRS')
def step_tries_tampering(context, tampering, org):
    entry = first_entry(context, org)
    attempts = {
        "change": [lambda: _changed_and_saved(entry), lambda: AuditLog.objects.filter(pk=entry.pk).update(action="x")],
        "delete": [entry.delete, AuditLog.objects.filter(pk=entry.pk).delete],
    }
    if tampering not in attempts:
        raise ValueError(f"unknown tampering {tampering!r}: one of {', '.join(attempts)}")
    context.untouched = (entry.pk, entry.entry_hash, entry.object_id, entry.action)
    context.tampering_outcomes = [_outcome(attempt) for attempt in attempts[tampering]]
    session = api.session_for(context, admin_of(context, org))
    path = api.detail_path("audit-logs", entry.pk)
    sent = session.patch(path, {"action": "x"}) if tampering == "change" else session.delete(path)
    if sent.status >= 400:
        s.assert_error_form(sent)
    context.tampering_outcomes.append(f"HTTP {sent.status}")


def _changed_and_saved(entry: AuditLog) -> None:
    entry.object_id = "forged"
    entry.save()


def _outcome(attempt: Any) -> str:
    try:
        attempt()
    except AppendOnlyError as refusal:
        assert_known_message(str(refusal), "the audit trail's refusal to change an entry (AppendOnlyError)")
        return "refused"
    return "done"


@then('PRS refuses it and the audit trail of "{org}" is intact')
def step_refused_and_intact(context, org):
    assert context.tampering_outcomes == ["refused", "refused", "HTTP 405"], (
        f"tampering outcomes (model, queryset, API): {context.tampering_outcomes}")
    stored = AuditLog.objects.filter(pk=context.untouched[0]).values_list(
        "pk", "entry_hash", "object_id", "action").first()
    assert stored == context.untouched, f"the entry changed: {stored} (was {context.untouched})"
    result = s.service(context, "audit_service").verify_chain(s.organization(context, org))
    assert result.success, f"the audit trail of {org} is broken: {result.errors}"


@given("each organization has a paid deal and a commission")
def step_each_organization_has_records(context: Any) -> None:
    for org in context.orgs.values():
        salesperson = s.a_member(context, org.pk, "salesperson")
        deal = s.expect_success(s.make_deal(context, salesperson, PAID, s.some_client_of(context, salesperson)),
                                f"a deal of {org.name}")
        s.approved_payment(context, PAID, deal)
        s.expect_success(s.calculate_commission(context, s.a_member(context, org.pk, "admin"), salesperson),
                         f"the commission of {salesperson}")


@when("every user of each organization looks through all that PRS offers them")
def step_everyone_looks_everywhere(context: Any) -> None:
    try:
        context.framework.assert_organization_data_isolation()
        context.isolation_problem = None
    except AssertionError as problem:
        context.isolation_problem = problem


@then("nobody sees or reaches a record of another organization")
def step_nobody_crosses(context: Any) -> None:
    assert context.isolation_problem is None, str(context.isolation_problem)


def _email_of(context: Any, who: str) -> str:
    """``"sam"`` (a user of the scenario) or ``the unknown "someone@example"`` (an address nobody has)."""
    quoted = who.split('"')[1]
    return quoted if who.startswith("the unknown ") else s.user(context, quoted).email


REASONS = {"a bad password": "bad password or inactive", "an unknown email": "unknown email"}


@when("someone signs in as {who} with a wrong password from the address {address}")
def step_signs_in_wrongly(context, who, address):
    session = api.anonymous_session(context, remote_addr=address)
    s.remember_response(context, session.sign_in(_email_of(context, who), "not-the-password"))


@then("a failed sign-in as {who} from {address} is on record, because of {reason}")
def step_failed_sign_in_on_record(context, who, address, reason):
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}: one of {', '.join(REASONS)}")
    email = _email_of(context, who).lower()
    events = list(SecurityEvent.objects.filter(event_type=SecurityEventType.LOGIN_FAILED).values(
        "email", "ip_address", "details"))
    assert {"email": email, "ip_address": address, "details": {"reason": REASONS[reason]}} in events, (
        f"no failed sign-in as {email} from {address} because of {reason}: {events}")


@when('"{username}" is refused {times:d} times for lack of role')
def step_refused_for_role(context, username, times):
    session = api.session_for(context, s.user(context, username))
    for _ in range(times):  # the audit trail is for admins and verifiers: each refusal is a security event
        answer = s.remember_response(context, session.get(api.list_path("audit-logs")))
        assert answer.status == 403, f"expected a refusal for lack of role: {answer.describe()}"


@then('"{username}" can still sign in with the right password')
def step_can_sign_in(context, username):
    answer = api.anonymous_session(context).sign_in(s.user(context, username).email, s.PASSWORD)
    assert answer.status == 200 and answer.body.get("token"), f"expected a token: {answer.describe()}"

"""Audit completeness and the chain's linkage.

"The newest audit entries" are compared, oldest first, with a list such as ``create of a payment (amount,
…), create of an invoice (…)``: action, object type, and exactly the fields whose before/after the entry
records (business words: "deal name" is ``deal_name``). Tampering goes behind PRS's back with raw SQL, as an
intruder with database access would; the model itself refuses every change.
"""
from __future__ import annotations

import re

from behave import then, when
from django.db import connection

from prs.accounts.models import Organization
from prs.audit.models import AuditLog
from support.prs import steps_support as s

OBJECTS = {"client": "clients.client", "deal": "deals.deal", "payment": "deals.payment",
           "invoice": "deals.invoice", "commission": "commissions.commission"}
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4}
# what a create / delete shows: no value before / after
ONE_SIDED = {"create": "before", "calculate": None, "delete": "after"}


def expected_entries(text: str) -> list[tuple[str, str, list[str]]]:
    found = re.findall(r"(\w+) of an? (\w+) \(([^)]*)\)", text)
    if not found:
        raise ValueError(f"expected 'ACTION of a OBJECT (field, …)' items, got {text!r}")
    return [(action, OBJECTS[kind], sorted(f.strip().replace(" ", "_") for f in fields.split(",")))
            for action, kind, fields in found]


def trail(org: Organization) -> list[AuditLog]:
    return list(AuditLog.objects.filter(organization=org).order_by("id"))


@then('the newest audit entries of "{org}" are, by "{username}" from {address}: {entries}')
def step_newest_entries(context, org, username, address, entries):
    expected = expected_entries(entries)
    newest = trail(s.organization(context, org))[-len(expected):]
    actor = s.user(context, username)
    problems = []
    for entry, (action, object_type, fields) in zip(newest, expected, strict=True):
        shown = (entry.action, entry.object_type, sorted(entry.changes))
        if shown != (action, object_type, fields):
            problems.append(f"entry {entry.pk} is {shown}, expected {(action, object_type, fields)}")
        if (entry.actor_id, entry.ip_address) != (actor.pk, address):
            problems.append(f"entry {entry.pk} is by user {entry.actor_id} from {entry.ip_address}, "
                            f"expected {username} ({actor.pk}) from {address}")
        empty_side = ONE_SIDED.get(action, "")
        for name, change in entry.changes.items():
            if set(change) != {"before", "after"}:
                problems.append(f"entry {entry.pk}: {name} does not show before and after: {change}")
            elif empty_side and change[empty_side] is not None:
                problems.append(f"entry {entry.pk}: {name} shows a value {empty_side}: {change}")
            elif not empty_side and change["before"] == change["after"]:
                problems.append(f"entry {entry.pk}: {name} did not change: {change}")
    assert not problems, "\n".join(problems)


@then('the newest audit entry of "{org}" shows the {field} changed from "{before}" to "{after}"')
def step_newest_shows(context, org, field, before, after):
    entry = trail(s.organization(context, org))[-1]
    change = entry.changes.get(field.replace(" ", "_"))
    assert change == {"before": before, "after": after}, f"entry {entry.pk} shows {entry.changes}"


@then('the newest audit entry of "{org}" shows the {field} set to "{after}"')
def step_newest_sets(context, org, field, after):
    step_newest_shows(context, org, field, None, after)  # a field the object did not have a value for before


def _nth(context, ordinal: str, org: str) -> AuditLog:
    entries = trail(s.organization(context, org))
    context.original_ids = [entry.pk for entry in entries]  # the chain as it was, before the tampering
    index = ORDINALS[ordinal]
    assert len(entries) > index, f"the trail of {org} has only {len(entries)} entries"
    return entries[index]


COLUMNS = ("organization_id", "actor_id", "action", "object_type", "object_id", "changes", "ip_address",
           "created_at", "previous_hash", "entry_hash")


@when('someone removes the {ordinal} audit entry of "{org}" behind PRS\'s back')
def step_removes(context, ordinal, org):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditLog._meta.db_table} WHERE id = %s", [_nth(context, ordinal, org).pk])


@when('someone swaps the {first} and {second} audit entries of "{org}" behind PRS\'s back')
def step_swaps(context, first, second, org):
    one, other = _nth(context, first, org), _nth(context, second, org)
    table = AuditLog._meta.db_table
    assignments = ", ".join(f"{column} = %s" for column in COLUMNS)
    with connection.cursor() as cursor:
        for target, source in ((one, other), (other, one)):
            values = [connection.ops.adapt_json_value(getattr(source, c), None) if c == "changes"
                      else getattr(source, c) for c in COLUMNS]
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*values, target.pk])


@when('someone rewrites the {ordinal} audit entry of "{org}" behind PRS\'s back')
def step_alters(context, ordinal, org):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditLog._meta.db_table} SET object_id = %s WHERE id = %s",
                       ["999999", _nth(context, ordinal, org).pk])


REASONS = {"it no longer follows the entry before it": "previous_hash does not match the entry before it",
           "its content no longer matches its hash": "content does not match entry_hash"}


@then('the audit check of "{org}" names the {ordinal} entry as the first broken link, because {reason}')
def step_check_names(context, org, ordinal, reason):
    organization = s.organization(context, org)
    expected = context.original_ids[ORDINALS[ordinal]]
    result = s.service(context, "audit_service").verify_chain(organization)
    assert result.success is False, f"the audit check of {org} found nothing wrong"
    s.assert_chain_refusal(result, organization)
    broken = [(link.entry_id, link.reason) for link in result.data.broken if link.organization_id == organization.pk]
    assert broken == [(expected, REASONS[reason])], f"the check names {broken}, expected entry {expected} " \
                                                   f"({ordinal}) because {REASONS[reason]}"


@when('"{first}" and "{second}" take turns recording {count:d} clients each')
def step_take_turns(context, first, second, count):
    for number in range(count):
        for username in (first, second):
            s.add_client(context, s.user(context, username), f"Client {number + 1} of {username}")

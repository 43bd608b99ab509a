"""Notifications per event and kind of recipient: who exactly was told, of what, with which priority.

Counting starts at "nobody has any notification yet" (notification_steps.py); the check compares every
notification made since with the expected list, so a missing recipient and an extra one both show.
"""
from __future__ import annotations

import re
from collections import Counter

from behave import given, then, when

from prs.notifications.models import Notification, Priority
from support.prs import steps_support as s


@given('"{org}" has the admins "{a1}" and "{a2}", the salespeople "{s1}" and "{s2}" and the verifiers "{v1}" '
       'and "{v2}"')
def step_two_of_each(context, org, a1, a2, s1, s2, v1, v2):
    office = s.add_organization(context, org)
    for username, role in ((a1, "admin"), (a2, "admin"), (s1, "salesperson"), (s2, "salesperson"),
                           (v1, "verifier"), (v2, "verifier")):
        s.add_member(context, office, username, role)


@given("nothing more")
def step_nothing_more(context):
    """The background is all the event needs."""


@given('"{seller}" has a deal of {value:Money} with a payment of {amount:Money} to decide')
def step_deal_with_pending_payment(context, seller, value, amount):
    salesperson = s.user(context, seller)
    s.expect_success(s.make_deal(context, salesperson, value, s.some_client_of(context, salesperson)),
                     f"{seller}'s deal")
    s.expect_success(s.record_payment(context, salesperson, amount), f"the payment of {amount}")


@when('"{admin}" changes the bonus of that commission to {amount:Money}')
def step_changes_bonus(context, admin, amount):
    commission = context.subject
    s.change_commission(context, s.user(context, admin), commission, {"bonus": amount})


def _expected(text: str) -> Counter[tuple[str, str, str]]:
    """``sam (payment rejected, high)`` → (sam, payment_rejected, high); the priority is medium unless named."""
    wanted: Counter[tuple[str, str, str]] = Counter()
    for who, what in re.findall(r"(\w+) \(([^)]+)\)", text):
        kind, _, priority = (part.strip() for part in what.partition(","))
        wanted[(who, kind.replace(" ", "_"), priority or Priority.MEDIUM)] += 1
    if not wanted:
        raise ValueError(f"expected 'name (kind[, priority])' items, got {text!r}")
    return wanted


@then("exactly these people are notified: {notified}")
def step_exactly_notified(context, notified):
    names = {member.pk: username for username, member in context.users.items()}
    since = getattr(context, "notifications_from", 0)
    made = Counter((names.get(note.recipient_id, note.recipient.email), note.notification_type, note.priority)
                   for note in Notification.objects.filter(id__gt=since).select_related("recipient"))
    expected = _expected(notified)
    assert made == expected, f"notified: {sorted(made.elements())}, expected: {sorted(expected.elements())}"




def _about(context, text: str) -> tuple[str, str]:
    """``deal DLID0001`` / ``payment TXN-0001`` / ``commission of sam`` → (object type, object id)."""
    from prs.commissions.models import Commission
    from prs.deals.models import Deal, Payment

    kind, _, name = text.partition(" ")
    if kind == "deal":
        found = Deal.objects.get(deal_id=name, organization__name="Acme")
    elif kind == "payment":
        found = Payment.objects.get(transaction_id=name, organization__name="Acme")
    elif kind == "commission":
        found = Commission.objects.get(user=s.user(context, name.removeprefix("of ")))
    else:
        raise ValueError(f"expected 'deal …', 'payment …' or 'commission of …', got {text!r}")
    return found._meta.label_lower, str(found.pk)


@then("the notifications read:")
def step_notifications_read(context):
    names = {member.pk: username for username, member in context.users.items()}
    made = sorted((names.get(n.recipient_id, "?"), n.title, n.message, n.related_object_type, n.related_object_id)
                  for n in Notification.objects.all())
    expected = sorted((row["recipient"], row["title"], row["message"], *_about(context, row["about"]))
                      for row in context.table)
    missing = [row for row in expected if row not in made]
    extra = [row for row in made if row not in expected]
    assert not missing and not extra, f"missing: {missing}\nunexpected: {extra}"

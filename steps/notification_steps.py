"""Steps of features/notification_system_integration.feature: who receives what, nobody outside the
organization, read and unread. Shared steps (deals, payments, decisions): common_steps.py.

"Nobody has any notification yet" starts the count: later checks look only at notifications PRS makes from
then on (the ones before belong to the arrangement, e.g. the deal_created of the Given deal).
"""
from __future__ import annotations

from behave import given, then, when

from prs.notifications.models import Notification
from support.prs import api_client as api
from support.prs import steps_support as s


def _start_counting(context) -> None:
    last = Notification.objects.order_by("-id").values_list("id", flat=True).first()
    context.notifications_from = last or 0
    context.notified = set()


def _new_notifications(context):
    return Notification.objects.filter(id__gt=getattr(context, "notifications_from", 0)).select_related("recipient")


def _first_notification(context, username: str) -> Notification:
    notes = s.notifications_of(s.user(context, username))
    assert notes, f"{username} has no notification at all"
    return notes[0]


@given("nobody has any notification yet")
def step_start_counting(context):
    _start_counting(context)


@when('a payment of {amount:Money} on that deal is {decision} by "{verifier}"')
def step_payment_decided_by(context, amount, decision, verifier):
    """The event is the decision: the payment is recorded first by the deal's salesperson, and the count of
    notifications starts after that recording."""
    decide = {"approved": s.approve, "rejected": s.reject}.get(decision)
    if decide is None:
        raise ValueError(f"unknown decision {decision!r}: approved or rejected")
    deal = s.the_deal(context)
    s.expect_success(s.record_payment(context, deal.salesperson, amount), f"the payment of {amount}")
    _start_counting(context)
    decide(context, s.user(context, verifier))


@then('"{recipient}" receives a "{kind}" notification about it')
def step_receives_about_it(context, recipient, kind):
    person = s.user(context, recipient)
    subject = context.subject
    about = (subject._meta.label_lower, str(subject.pk))
    found = [note for note in _new_notifications(context).filter(recipient=person)
             if note.notification_type == kind and (note.related_object_type, note.related_object_id) == about]
    assert len(found) == 1, (f"{recipient} has {len(found)} {kind} notifications about {subject}; all theirs: "
                             f"{[note.notification_type for note in s.notifications_of(person)]}")
    context.notified = getattr(context, "notified", set()) | {person.pk}


@then("nobody else receives a notification")
def step_nobody_else(context):
    others = [(note.recipient.email, note.notification_type) for note in _new_notifications(context)
              if note.recipient_id not in context.notified]
    assert not others, f"others were notified too: {others}"


@then("nobody receives a notification")
def step_nobody(context):
    sent = [(note.recipient.email, note.notification_type) for note in _new_notifications(context)]
    assert not sent, f"PRS sent notifications: {sent}"


@then('no user of "{org}" has any notification')
def step_org_has_none(context, org):
    organization = s.organization(context, org)
    sent = Notification.objects.filter(recipient__organization=organization) | Notification.objects.filter(
        organization=organization)
    assert not sent.exists(), f"users of {org} were notified: {list(sent.values_list('title', flat=True))}"


@when('"{reader}" reads {whose} first notification')
def step_reads_first(context, reader, whose):
    note = _first_notification(context, reader)
    path = api.detail_path("notifications", note.pk, "read")
    s.remember_result(context, s.through_api(context, s.user(context, reader), path, {}, Notification))


@when('"{intruder}" tries to read the first notification of "{owner}"')
def step_tries_to_read(context, intruder, owner):
    note = _first_notification(context, owner)
    path = api.detail_path("notifications", note.pk, "read")
    s.remember_result(context, s.through_api(context, s.user(context, intruder), path, {}, Notification))


@then('"{username}" has {unread:d} unread notification of {total:d}')
@then('"{username}" has {unread:d} unread notifications of {total:d}')
def step_unread_of(context, username, unread, total):
    mine = s.expect_success(s.service(context, "notification_service").list(s.user(context, username)), "the list")
    counts = (mine.filter(is_read=False).count(), mine.count())
    assert counts == (unread, total), f"{username} has {counts[0]} unread of {counts[1]}, expected {unread} of {total}"

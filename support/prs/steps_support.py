"""Shared helpers of the step modules: typed placeholders, scenario state and thin calls into PRS.

behave imports every module in ``steps/`` as a step module, so the helpers live here. Importing this module
registers the custom placeholder types once:

* ``{x:Money}``      ``1000.00`` → ``Decimal("1000.00")`` (never a float)
* ``{x:MoneyList}``  ``250.00, 750.00`` → ``[Decimal("250.00"), Decimal("750.00")]``
* ``{x:NameList}``   ``"sue", "sid" and "sol"`` → ``["sue", "sid", "sol"]``

Scenario state lives on the behave context (set in the scenario layer, so it vanishes with the scenario):

* ``context.orgs[name]``, ``context.users[username]`` (user "sam" of "Acme" is ``sam@acme.example``),
  ``context.clients[name]``, ``context.deal`` / ``context.deals`` (the last deal / the deals made in a row),
  ``context.payment`` (the last payment recorded), ``context.subject`` (the object of the last successful
  service call: what "it" and "about it" refer to).
* ``context.result`` (the last ServiceResult; ``context.results`` holds them all, in order) and
  ``context.response`` (the last HTTP response). Record them with ``remember_result`` / ``remember_response``
  so that ``last_answer`` knows which came last ("he is told it does not exist" reads either).
* ``context.services``: the PRS services the steps call, built by ``services(context)`` on first use. A step
  that needs a failing dependency calls ``use_services(context, build_services(audit_service=...))`` first:
  the requests the scenario sends then meet it too.
* Arranging (Given) goes through PRS's services; the actions of the common When steps go through PRS's HTTP API
  (``via_api=True``: ``through_api`` reads the answer back as a ServiceResult).
"""
from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from unittest import mock

import parse
from behave import register_type
from django.db import models
from django.utils import timezone

from prs.accounts.models import Organization, Role, User
from prs.clients.models import Client
from prs.commissions.models import Commission
from prs.common.access import object_type
from prs.common.results import ErrorCode, ServiceResult
from prs.deals.models import Deal, Payment, PaymentMethod, RejectionReason
from prs.notifications.models import Notification, NotificationType
from prs.services import build_services
from support.contracts.answers import are_messages
from support.prs.api_client import DEFAULT_REMOTE_ADDR, detail_path, list_path, session_for
from support.prs.factories import DEFAULT_PASSWORD, ClientFactory, OrganizationFactory, UserFactory
from support.prs.messages import assert_known_body, assert_known_errors, assert_known_result

PASSWORD = DEFAULT_PASSWORD  # every user made by the steps signs in with it
DEAL_TERM = dt.timedelta(days=30)
DEFAULT_REJECTION = RejectionReason.INSUFFICIENT_FUNDS
ROLES = {"salesperson": Role.SALESPERSON, "verifier": Role.VERIFIER, "admin": Role.ORG_ADMIN}

# -- typed placeholders -----------------------------------------------------------------------------------------

MONEY_PATTERN = r"-?\d+(?:\.\d+)?"
NAME_PATTERN = r'"[^"]+"'


def parse_money(text: str, where: str = "") -> Decimal:
    """Exact Decimal from text such as ``1000.00``; a clear error naming the text (and where) otherwise."""
    try:
        return Decimal(text.strip())
    except (InvalidOperation, AttributeError) as error:
        place = f" in {where}" if where else ""
        raise ValueError(f"not an amount{place}: {text!r} (write digits with a decimal point, e.g. 12.50)") from error


@parse.with_pattern(MONEY_PATTERN)
def _money(text: str) -> Decimal:
    return parse_money(text)


@parse.with_pattern(rf"{MONEY_PATTERN}(?:, {MONEY_PATTERN})*")
def _money_list(text: str) -> list[Decimal]:
    return [parse_money(part) for part in text.split(",")]


@parse.with_pattern(rf"{NAME_PATTERN}(?:(?:, | and ){NAME_PATTERN})*")
def _name_list(text: str) -> list[str]:
    return re.findall(r'"([^"]+)"', text)


register_type(Money=_money, MoneyList=_money_list, NameList=_name_list)

# -- state ----------------------------------------------------------------------------------------------------


def _registry(context: Any, name: str) -> dict[str, Any]:
    if not hasattr(context, name):
        setattr(context, name, {})
    return getattr(context, name)


def lookup(context: Any, kind: str, name: str) -> Any:
    """``context.<kind>[name]``, or an error naming what is known: a typo in a feature shows at once."""
    known = _registry(context, kind)
    if name not in known:
        raise AssertionError(f"no {kind[:-1]} named {name!r} in this scenario (known: {sorted(known) or 'none'})")
    return known[name]


def user(context: Any, username: str) -> User:
    return lookup(context, "users", username)


def organization(context: Any, name: str) -> Organization:
    return lookup(context, "orgs", name)


def client(context: Any, name: str) -> Client:
    return lookup(context, "clients", name)


def the_deal(context: Any) -> Deal:
    deal = getattr(context, "deal", None)
    if deal is None:
        raise AssertionError(f"no deal has been made in this scenario yet (last result: {_last_result(context)})")
    deal.refresh_from_db()
    return deal


def the_payment(context: Any) -> Payment:
    payment = getattr(context, "payment", None)
    if payment is None:
        raise AssertionError(
            f"no payment has been recorded in this scenario yet (last result: {_last_result(context)})"
        )
    payment.refresh_from_db()
    return payment


def _last_result(context: Any) -> str:
    result = getattr(context, "result", None)
    return "none" if result is None else describe(result)


def describe(result: ServiceResult[Any]) -> str:
    return "success" if result.success else f"{result.error_code}: {result.errors}"


def remember_result(context: Any, result: ServiceResult[Any]) -> ServiceResult[Any]:
    """Records a service answer as the last answer; a successful model result becomes ``context.subject``.
    A refusal must speak only the messages of docs/messages.md."""
    assert_known_result(result, "a service refusal")
    context.result = result
    if not hasattr(context, "results"):
        context.results = []
    context.results.append(result)
    context.last_answer = result
    if result.success and isinstance(result.data, models.Model):
        context.subject = result.data
    return result


def remember_response(context: Any, response: Any) -> Any:
    """Records an HTTP response as the last answer (for the API steps). Every refusal must have API-01's form."""
    if getattr(response, "status", 0) >= 400:
        assert_error_form(response)
    if getattr(response, "status", 0) == 404:
        assert_says_not_found(response)
    context.response = response
    context.last_answer = response
    return response


def last_answer(context: Any) -> Any:
    answer = getattr(context, "last_answer", None)
    if answer is None:
        raise AssertionError("nothing has been asked of PRS in this scenario yet")
    return answer


def expect_success(result: ServiceResult[Any], what: str) -> Any:
    """The data of a successful result; else an error saying what was refused and why (for Given steps)."""
    if not result.success:
        raise AssertionError(f"{what} was refused: {describe(result)}")
    return result.data


def expect_failure(result: ServiceResult[Any], code: ErrorCode, field: str | None = None) -> None:
    assert not result.success, f"expected a refusal ({code}), but PRS accepted it"
    assert result.error_code == code, f"expected {code}, got {describe(result)}"
    assert_known_result(result, "a service refusal")
    if field is not None:
        assert field in result.errors, f"expected an error on {field!r}, got {result.errors}"


def services(context: Any) -> dict[str, Any]:
    if getattr(context, "services", None) is None:
        context.services = build_services()
    return context.services


def service(context: Any, name: str) -> Any:
    return services(context)[name]


def use_services(context: Any, chosen: dict[str, Any]) -> None:
    """The services of this scenario, a failing collaborator among them: its steps call them, and the requests it
    sends meet them too — PRS builds its services per request in its composition root (``build_services()``,
    without overrides), which answers with these until the scenario ends."""
    import prs.services as composition

    original = composition.build_services
    patcher = mock.patch.object(composition, "build_services",
                                lambda **overrides: original(**overrides) if overrides else chosen)
    patcher.start()
    context.add_cleanup(patcher.stop)
    context.services = chosen


def kept_log(context: Any, logger_name: str, level: int) -> list[logging.LogRecord]:
    """What PRS tells its operators through ``logger_name`` at ``level`` and above during this scenario, kept for
    its Then steps to read."""
    records: list[logging.LogRecord] = []

    class Keeper(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keeper, logger = Keeper(level), logging.getLogger(logger_name)
    logger.addHandler(keeper)
    context.add_cleanup(logger.removeHandler, keeper)
    return records


# -- arranging organizations, users and clients (factories) ------------------------------------------------------


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def email_of(username: str, org: Organization) -> str:
    return f"{username}@{slug(org.name)}.example"


def add_organization(context: Any, name: str) -> Organization:
    org = OrganizationFactory(name=name)
    _registry(context, "orgs")[name] = org
    return org


def add_member(context: Any, org: Organization, username: str, role: str) -> User:
    """A member of ``org`` with role salesperson, verifier or admin, known as ``username`` in the scenario."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    users = _registry(context, "users")
    if username in users:
        raise AssertionError(f"the user {username!r} already exists in this scenario")
    users[username] = UserFactory(  # no last name: messages that name a user read "Sam", whatever Faker says
        organization=org, role=ROLES[role], email=email_of(username, org), first_name=username.capitalize(),
        last_name="",
    )
    return users[username]


def superuser(context: Any, username: str) -> User:
    """The superuser known as ``username`` in the scenario (made on first mention): no organization, sees all."""
    users = _registry(context, "users")
    if username not in users:
        # As `manage.py createsuperuser` makes one: PRS's own manager method, with a password to sign in with.
        users[username] = User.objects.create_superuser(f"{username}@prs.example", PASSWORD)
    return users[username]


def add_client(context: Any, author: User, name: str) -> Client:
    """A client of the author's organization, created through ClientService by the author."""
    created = ClientFactory(organization=author.organization, created_by=author, name=name)
    _registry(context, "clients")[name] = created
    return created


def some_client_of(context: Any, author: User) -> Client:
    """A client of the author's organization known to the scenario, or a new one."""
    for known in _registry(context, "clients").values():
        if known.organization_id == author.organization_id:
            return known
    return add_client(context, author, f"Client of {author.first_name}")


def a_member(context: Any, organization_id: int, role: str, *, not_user_id: int | None = None) -> User:
    """A member of the organization known to the scenario, with that role (salesperson, verifier, admin)."""
    for member in _registry(context, "users").values():
        if member.organization_id == organization_id and member.role == ROLES[role] and member.pk != not_user_id:
            return member
    raise AssertionError(f"no {role} of organization {organization_id} in this scenario")


def a_verifier_for(context: Any, payment: Payment) -> User:
    """A verifier of the payment's organization who did not record it."""
    return a_member(context, payment.organization_id, "verifier", not_user_id=payment.recorded_by_id)


# -- deals and payments -----------------------------------------------------------------------------------------
# What a scenario arranges (Given) goes through PRS's services; what it does (When) goes, with ``via_api=True``, the
# way a client of PRS goes: real HTTP requests through Django's stack, read back as a ServiceResult so the Then
# steps judge both alike.


SERVICE_CODES = {code.value for code in ErrorCode}


def _as_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """A service's input as a client of the API sends it: amounts as text, dates in ISO form."""
    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value.isoformat() if isinstance(value, dt.date) else value

    return {key: plain(value) for key, value in data.items()}


def through_api(context: Any, actor: User, path: str, body: Mapping[str, Any], model: type[models.Model],
                method: str = "POST") -> ServiceResult[Any]:
    """Send ``body`` to ``path`` as ``actor``: success with the object PRS answered with (read back from the
    database), or the refusal's code and field errors, as the service said them. A server error fails here."""
    answer = remember_response(context, session_for(context, actor).send(method, path, body=_as_json(body)))
    assert answer.status != 500, f"PRS failed on the request: {answer.describe()}"  # 503: a dependency, refused
    if 200 <= answer.status < 300:
        return ServiceResult.ok(model._default_manager.get(pk=answer.body["id"]))
    assert answer.error_code in SERVICE_CODES, f"not a refusal of PRS's services: {answer.describe()}"
    return ServiceResult.fail(ErrorCode(answer.error_code), answer.field_errors)


def make_deal(context: Any, salesperson: User, value: Decimal, for_client: Client,
              via_api: bool = False) -> ServiceResult[Deal]:
    today = timezone.localdate()
    data = {"client": for_client.pk, "value": value, "deal_date": today, "due_date": today + DEAL_TERM,
            "payment_method": PaymentMethod.BANK, "deal_name": f"{for_client.name} deal"}
    result = (through_api(context, salesperson, list_path("deals"), data, Deal) if via_api
              else service(context, "deal_service").create(salesperson, data))
    if result.success:
        context.deal = result.data
        if not hasattr(context, "deals"):
            context.deals = []
        context.deals.append(result.data)
    return remember_result(context, result)


_cheque_numbers = itertools.count(1)


def record_payment(context: Any, author: User, amount: Decimal, kind: str = "bank", deal: Deal | None = None,
                   on: dt.date | None = None, via_api: bool = False) -> ServiceResult[Payment]:
    """Records a payment of ``kind`` (bank, cheque, cash, wallet) on the deal (default: that deal), dated ``on``
    (default: today)."""
    if kind not in PaymentMethod.values:
        raise ValueError(f"unknown payment kind {kind!r}: one of {', '.join(PaymentMethod.values)}")
    data: dict[str, Any] = {
        "deal": (deal or the_deal(context)).pk, "payment_date": on or timezone.localdate(), "amount": amount,
        "payment_type": kind,
    }
    if kind == PaymentMethod.CHEQUE:
        data["cheque_number"] = f"CHQ-STEP-{next(_cheque_numbers):06d}"
    result = (through_api(context, author, list_path("payments"), data, Payment) if via_api
              else service(context, "payment_service").create(author, data))
    if result.success:
        context.payment = result.data
    return remember_result(context, result)


def approve(context: Any, verifier: User, amount: Decimal | None = None,
            payment: Payment | None = None, via_api: bool = False) -> ServiceResult[Payment]:
    """Approves the payment (default: that payment) for ``amount`` (default: its full amount)."""
    payment = payment or the_payment(context)
    verified = payment.amount if amount is None else amount
    if via_api:
        return remember_result(context, through_api(
            context, verifier, detail_path("payments", payment.pk, "approve"), {"verified_amount": verified}, Payment))
    return remember_result(context, service(context, "payment_service").approve(verifier, payment.pk, verified))


def reject(context: Any, verifier: User, reason: str = DEFAULT_REJECTION,
           payment: Payment | None = None, via_api: bool = False) -> ServiceResult[Payment]:
    payment = payment or the_payment(context)
    if via_api:
        return remember_result(context, through_api(
            context, verifier, detail_path("payments", payment.pk, "reject"), {"reason": reason}, Payment))
    return remember_result(context, service(context, "payment_service").reject(verifier, payment.pk, reason))


def approved_payment(context: Any, amount: Decimal, deal: Deal | None = None, on: dt.date | None = None) -> Payment:
    """A payment recorded by the deal's salesperson and approved in full by a verifier (arranging data)."""
    deal = deal or the_deal(context)
    payment = expect_success(record_payment(context, deal.salesperson, amount, deal=deal, on=on),
                             f"a payment of {amount}")
    return expect_success(approve(context, a_verifier_for(context, payment), payment=payment),
                          f"the approval of {payment}")


# -- commissions ------------------------------------------------------------------------------------------------


def this_month() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


COMMISSION_TERMS = {"rate": "commission_rate", "exchange rate": "exchange_rate", "bonus": "bonus",
                    "penalty": "penalty"}


def commission_terms(row: Mapping[str, str], where: str) -> dict[str, Decimal]:
    """Commission terms from a table row with the columns rate, exchange rate, bonus, penalty (any subset)."""
    unknown = sorted(set(row) - set(COMMISSION_TERMS))
    if unknown:
        raise ValueError(f"unknown column(s) {unknown} in {where}: use {', '.join(COMMISSION_TERMS)}")
    return {COMMISSION_TERMS[name]: parse_money(value, f"{where}, column {name!r}") for name, value in row.items()}


def change_commission(context: Any, actor: User, commission: Commission,
                      data: Mapping[str, Any]) -> ServiceResult[Commission]:
    """A change of a commission's terms, through the API."""
    return remember_result(context, through_api(context, actor, detail_path("commissions", commission.pk), data,
                                                Commission, method="PATCH"))


def calculate_commission(context: Any, actor: User, salesperson: User,
                         terms: Mapping[str, Any] | None = None, via_api: bool = False) -> ServiceResult[Commission]:
    start, end = this_month()
    data = {"user": salesperson.pk, "period_start": start, "period_end": end, **(terms or {})}
    if via_api:
        return remember_result(context, through_api(context, actor, f"{list_path('commissions')}calculate/", data,
                                                    Commission))
    return remember_result(context, service(context, "commission_service").calculate(actor, data))


def commission_covering(salesperson: User, day: dt.date) -> Commission:
    """The one commission of the salesperson whose period holds ``day``."""
    found = list(Commission.objects.filter(user=salesperson, period_start__lte=day, period_end__gte=day))
    assert len(found) == 1, f"expected one commission of {salesperson.email} covering {day}, found {len(found)}"
    return found[0]


# -- notifications ----------------------------------------------------------------------------------------------

# What "is notified that …" may say: the notification kind and the object it must be about (None: any).
NEWS = {
    "the payment was rejected": (NotificationType.PAYMENT_REJECTED, "payment"),
    "the payment was approved": (NotificationType.PAYMENT_APPROVED, "payment"),
    "the commission changed": (NotificationType.COMMISSION_CHANGED, None),
    "the commission was calculated": (NotificationType.COMMISSION_CALCULATED, None),
}


def notifications_of(recipient: User, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=recipient).order_by("id")
    return list(found if kind is None else found.filter(notification_type=kind))


def assert_notified(context: Any, recipient: User, news: str) -> Notification:
    """The recipient has a notification of the kind the news names, about its object when it names one."""
    if news not in NEWS:
        raise ValueError(f"unknown news {news!r}: one of {', '.join(repr(known) for known in NEWS)}")
    kind, about = NEWS[news]
    found = notifications_of(recipient, kind)
    if about == "payment":
        payment = the_payment(context)
        found = [note for note in found if (note.related_object_type, note.related_object_id)
                 == (object_type(payment), str(payment.pk))]
    assert found, (f"{recipient.email} has no {kind} notification{' about that ' + about if about else ''}; "
                   f"they have: {[note.notification_type for note in notifications_of(recipient)]}")
    return found[-1]


# Each resource of /api/<resource>/: the model a security event names (app_label.model), and what its 404 calls
# one of its objects (API-01: the answer names what was not found).
RESOURCES = {"clients": ("clients.client", "Client"), "deals": ("deals.deal", "Deal"),
             "payments": ("deals.payment", "Payment"), "commissions": ("commissions.commission", "Commission"),
             "notifications": ("notifications.notification", "Notification"),
             "audit-logs": ("audit.auditlog", "Audit entry")}


def _address(path: str) -> tuple[str, str, str]:
    """(resource, object id or "", verb or "") of /api/<resource>/[<id>/[<verb>/]]."""
    resource, *rest = [part for part in path.split("?")[0].split("/") if part][1:] or [""]
    if rest and not rest[0].isdigit():  # an action on the list: /api/commissions/calculate/
        return resource, "", rest[0]
    return resource, (rest + [""])[0], (rest + ["", ""])[1]


def assert_denial_names_what(event: Any, actor: Any, answer: Any) -> None:
    """SEC-05: the permission-denied event of a 403 names the actor's role, the action and the object.

    A denial at the API's door names the request, "api" and the reason (the 403's detail); a service's names its
    verb (create, update, delete, verify, approve, reject, calculate, list, view), the model and the object's id
    ("" for a new one)."""
    details = event.details or {}
    resource, object_id, verb = _address(answer.path)
    if details.get("object_type") == "api":
        expected = {"action": f"{answer.method} {answer.path.split('?')[0]}", "object_type": "api",
                    "object_id": answer.body["detail"]}
    else:
        if verb:
            action = verb
        elif answer.method == "GET":
            action = "view" if object_id else "list"
        elif answer.method == "POST":
            action = "calculate" if resource == "commissions" else "create"
        else:
            action = {"PATCH": "update", "PUT": "update", "DELETE": "delete"}.get(answer.method, answer.method)
        expected = {"action": action, "object_type": RESOURCES[resource][0] if resource in RESOURCES else resource,
                    "object_id": object_id}
    expected["role"] = actor.role
    wrong = {key: details.get(key) for key, value in expected.items() if details.get(key) != value}
    assert not wrong, (
        f"the permission-denied event of {answer.method} {answer.path} names {details}, expected {expected}")
    # The request's address and the actor's email, as on every security event (SEC-05, SEC-11).
    assert (event.email, event.ip_address) == (actor.email, DEFAULT_REMOTE_ADDR), (
        f"the permission-denied event of {answer.method} {answer.path} is from {event.email} at "
        f"{event.ip_address}, expected {actor.email} at {DEFAULT_REMOTE_ADDR}")


def assert_says_not_found(answer: Any) -> None:
    """The 404 of /api/<resource>/<id>/… says "<Resource> <id> not found." in its detail and its errors."""
    resource, object_id, _ = _address(answer.path)
    if resource not in RESOURCES or not (object_id.isascii() and object_id.isdigit()):
        return  # not an object's address (API-08's malformed ids answer a plain 404): nothing to name
    expected = f"{RESOURCES[resource][1]} {object_id} not found."
    body = answer.body if isinstance(answer.body, dict) else {}
    messages = [m for ms in answer.field_errors.values() for m in (ms if isinstance(ms, list) else [ms])]
    assert body.get("detail") == expected and expected in messages, (
        f"expected the answer to say {expected!r}: {answer.describe()}")


def assert_error_form(answer: Any) -> None:
    """API-01: an error answers ``{"error_code", "detail", "errors"}`` — a code, a human sentence that is not
    just the code, and each field named in ``errors`` with at least one message, each message plain text."""
    body = answer.body if isinstance(answer.body, Mapping) else None
    assert body is not None and set(body) == {"error_code", "detail", "errors"}, (
        f"not the API's error form: {answer.describe()}")
    detail, errors = body["detail"], body["errors"]
    assert isinstance(body["error_code"], str) and body["error_code"], f"the error has no code: {answer.describe()}"
    assert isinstance(detail, str) and detail.strip() and detail != body["error_code"], (
        f"the error's detail is not a sentence for people: {answer.describe()}")
    assert isinstance(errors, Mapping) and all(isinstance(m, list) and are_messages(m) for m in errors.values()), (
        f"an error names a field without a message: {answer.describe()}")
    assert_known_body(body, f"{answer.method} {answer.path.split('?')[0]} → {answer.status}")


def assert_chain_refusal(result: Any, organization: Any) -> None:
    """AUD-04: a broken chain is a conflict whose errors name the organization with the first broken link."""
    key = f"organization_{organization.pk}"
    assert str(getattr(result.error_code, "value", result.error_code)) == "conflict" and are_messages(
            (result.errors or {}).get(key)), (
        f"the broken chain answers {result.error_code!r} with errors {result.errors!r}, expected a conflict "
        f"naming {key}")
    assert_known_errors(result.errors, "the audit chain check")
